# libk: the runtime library at the bottom of every kernel library: the
# freestanding string functions, kprintf and the kernel log, the error codes,
# the console registry and command-line options. It depends on nothing; the CPU reaches it only
# through seams (console_set_lock()).
MODULE := k
MODULE_DIR := libk
MODULE_DEPS :=
MODULE_SRCS := \
	libk/cmdline.c \
	libk/console.c \
	libk/errno.c \
	libk/klog.c \
	libk/kprintf.c
# The host build takes its string functions from the host C library.
MODULE_KERNEL_SRCS := \
	libk/string.c
include mk/library.mk
