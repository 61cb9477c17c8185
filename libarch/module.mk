# libarch: boot, CPU primitives, GDT/IDT/traps, PIC, PIT, console registry, kprintf,
# panic, spinlocks, multiboot2.
MODULE := arch
MODULE_DIR := libarch
MODULE_SRCS := \
	libarch/cmdline.c \
	libarch/console.c \
	libarch/descriptor.c \
	libarch/errno.c \
	libarch/kprintf.c \
	libarch/multiboot2.c \
	libarch/panic.c \
	libarch/pic.c \
	libarch/qemu.c \
	libarch/spinlock.c \
	libarch/timer.c \
	libarch/trap.c
MODULE_KERNEL_SRCS := \
	libarch/boot.S \
	libarch/cpu.c \
	libarch/gdt.c \
	libarch/idt.c \
	libarch/isr.S \
	libarch/layout.c
include mk/library.mk
