# libproc: user processes: ELF loading, the initial user stack, the user
# address space, the process table, system calls and exec.
MODULE := proc
MODULE_DIR := libproc
MODULE_DEPS := mm arch k
MODULE_SRCS := \
	libproc/elf.c \
	libproc/ustack.c
MODULE_KERNEL_SRCS :=
MODULE_HOST_SRCS :=
include mk/library.mk
