# libarch: what is about the CPU and the boot protocol: boot (multiboot2 -> long
# mode), CPU primitives, per-CPU GDT/TSS/IST, IDT and traps, PIC, local and I/O
# APIC, PIT, AP start-up, spinlocks, panic, multiboot2 and ACPI (MADT) parsing
# and QEMU's exit port.
MODULE := arch
MODULE_DIR := libarch
MODULE_DEPS := k
MODULE_SRCS := \
	libarch/acpi.c \
	libarch/apic.c \
	libarch/bkl.c \
	libarch/descriptor.c \
	libarch/ioapic.c \
	libarch/irq.c \
	libarch/ksyms.c \
	libarch/lockorder.c \
	libarch/multiboot2.c \
	libarch/panic.c \
	libarch/percpu.c \
	libarch/pic.c \
	libarch/qemu.c \
	libarch/rtc.c \
	libarch/smp_params.c \
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
	libarch/smp.c \
	libarch/smp_trampoline.S \
	libarch/syscall.S \
	libarch/user.c
include mk/library.mk
