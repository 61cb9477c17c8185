# libarch: what is about the CPU and the boot protocol: boot (multiboot2 -> long
# mode), CPU primitives, GDT/TSS/IST, IDT and traps, PIC, PIT, spinlocks, panic,
# multiboot2 parsing and QEMU's exit port.
MODULE := arch
MODULE_DIR := libarch
MODULE_DEPS := k
MODULE_SRCS := \
	libarch/descriptor.c \
	libarch/ksyms.c \
	libarch/multiboot2.c \
	libarch/panic.c \
	libarch/pic.c \
	libarch/qemu.c \
	libarch/rtc.c \
	libarch/spinlock.c \
	libarch/timer.c \
	libarch/trap.c
MODULE_KERNEL_SRCS := \
	libarch/boot.S \
	libarch/cpu.c \
	libarch/gdt.c \
	libarch/idt.c \
	libarch/isr.S \
	libarch/layout.c \
	libarch/syscall.S \
	libarch/user.c
include mk/library.mk
