# kernel: kmain and the glue that wires the libraries, the in-kernel test runner.
MODULE := kernel
MODULE_DIR := kernel
MODULE_DEPS := arch dev k mm proc sched vfs
MODULE_SRCS :=
MODULE_KERNEL_SRCS := \
	kernel/cpus.c \
	kernel/devices.c \
	kernel/fbconsole.c \
	kernel/fs.c \
	kernel/kbench.c \
	kernel/ktest.c \
	kernel/main.c \
	kernel/power.c \
	kernel/procinfo.c \
	kernel/procs.c \
	kernel/selftest.c \
	kernel/threads.c \
	kernel/tty.c
include mk/library.mk
