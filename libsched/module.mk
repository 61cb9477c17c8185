# libsched: the async executor, kernel threads, the scheduler, wait queues, locks.
MODULE := sched
MODULE_DIR := libsched
MODULE_DEPS := arch k
# The context switch is plain x86-64 SysV code: host tests run it for real.
MODULE_SRCS := \
	libsched/async.c \
	libsched/context.c \
	libsched/executor.c \
	libsched/idle_poll.c \
	libsched/runq.c \
	libsched/sched.c \
	libsched/switch.S \
	libsched/sync.c
MODULE_KERNEL_SRCS :=
include mk/library.mk
