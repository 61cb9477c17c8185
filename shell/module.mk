# shell: the line editor and history of /bin/sh (mk/sh.mk builds the program
# from shell/sh/ with these two files); as a library, for their host tests.
MODULE := shell
MODULE_DIR := shell
MODULE_DEPS := k
MODULE_SRCS := \
	shell/editor.c \
	shell/history.c
include mk/library.mk
