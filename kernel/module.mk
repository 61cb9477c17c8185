# kernel: kmain, the in-kernel test runner, the freestanding C string functions.
MODULE := kernel
MODULE_DIR := kernel
MODULE_SRCS :=
MODULE_KERNEL_SRCS := \
	kernel/devices.c \
	kernel/fs.c \
	kernel/kbench.c \
	kernel/klog.c \
	kernel/kshell.c \
	kernel/ktest.c \
	kernel/main.c \
	kernel/selftest.c \
	kernel/threads.c \
	kernel/libc/string.c
include mk/library.mk
