# libproc: user processes: ELF loading, the initial user stack, the user
# address space, the process table, system calls and exec.
MODULE := proc
MODULE_DIR := libproc
MODULE_DEPS := arch k mm sched vfs
MODULE_SRCS := \
	libproc/elf.c \
	libproc/exec_image.c \
	libproc/ustack.c \
	libproc/uvm.c \
	libproc/uvm_fault.c \
	libproc/uvm_vma.c \
	libproc/procfs_cpu.c \
	libproc/procfs_fmt.c \
	libproc/sys_attr.c \
	libproc/sys_names.c
# Processes, exec and the system calls drive the CPU (arch/user.h): kernel only.
MODULE_KERNEL_SRCS := \
	libproc/exec.c \
	libproc/pipe.c \
	libproc/proc.c \
	libproc/procfs.c \
	libproc/signal.c \
	libproc/syscall.c \
	libproc/sys_fs.c \
	libproc/sys_io.c \
	libproc/sys_direct.c \
	libproc/sys_proc.c \
	libproc/sys_tty.c
MODULE_HOST_SRCS :=
include mk/library.mk
