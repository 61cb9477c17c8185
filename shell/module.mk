# shell: the kernel shell as a host-testable library: line editor, history,
# parser, command dispatch with redirection hooks, the built-in commands
# (help, echo, clear, history), and the file commands over libvfs with the
# VFS-backed prompt, completion and redirection hooks (cmd_*.c).
MODULE := shell
MODULE_DIR := shell
MODULE_DEPS := dev k sfs vfs
MODULE_SRCS := \
	shell/builtins.c \
	shell/cmd_common.c \
	shell/cmd_fs.c \
	shell/cmd_list.c \
	shell/cmd_mount.c \
	shell/cmd_read.c \
	shell/cmd_write.c \
	shell/editor.c \
	shell/history.c \
	shell/parse.c \
	shell/shell.c
include mk/library.mk
