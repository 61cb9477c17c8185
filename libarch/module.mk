# libarch: boot, CPU primitives, console registry, kprintf, panic, multiboot2.
MODULE := arch
MODULE_DIR := libarch
MODULE_SRCS := \
	libarch/cmdline.c \
	libarch/console.c \
	libarch/errno.c \
	libarch/kprintf.c \
	libarch/multiboot2.c \
	libarch/panic.c \
	libarch/qemu.c \
	libarch/spinlock.c
MODULE_KERNEL_SRCS := \
	libarch/boot.S \
	libarch/cpu.c
include mk/library.mk
