# shell: the kernel shell's host-testable core: line editor, history, parser,
# command dispatch with redirection hooks, and the built-in commands that need
# no file system (help, echo, clear, history).
MODULE := shell
MODULE_DIR := shell
MODULE_DEPS := dev k sfs vfs
MODULE_SRCS := \
	shell/builtins.c \
	shell/cmd_fs.c \
	shell/editor.c \
	shell/history.c \
	shell/parse.c \
	shell/shell.c
include mk/library.mk
