/**
 * @file kernel/cpus.h
 * @brief The machine's CPUs and interrupt controllers, as ACPI's MADT lists
 * them, read once at boot; the switch to APIC mode, and the start-up of the
 * application processors (which idle: they run no threads yet).
 */
#ifndef KERNEL_CPUS_H
#define KERNEL_CPUS_H

#include <arch/acpi.h>
#include <arch/multiboot2.h>

/**
 * @brief Read the MADT through the loader's RSDP and log what it lists.
 * @param bi the boot information (its RSDP copy)
 * @return 0, -ENOENT without an RSDP or MADT (one CPU and the 8259 PICs are
 *         then assumed), or -EINVAL for a broken RSDP
 */
int kernel_cpus_discover(const struct boot_info *bi);

/**
 * @brief What kernel_cpus_discover() found.
 * @return the parsed MADT, or NULL when there is none
 */
const struct acpi_madt *kernel_cpus_madt(void);

/**
 * @brief APIC mode: map the local APIC and every I/O APIC the MADT lists, set
 * up this CPU's local APIC, route the legacy IRQ lines through the I/O APICs
 * by the MADT's overrides to this CPU, mask the 8259 PICs and make the I/O
 * APIC the IRQ layer's controller (arch/irq.h). Call after pic_init() and
 * irq_init(), before any driver unmasks a line, with interrupts disabled.
 * @return 0, or -ENODEV (no MADT, no I/O APIC, or the local APIC disabled) or
 *         -ENOMEM (a window could not be mapped): the PICs stay in charge
 */
int kernel_cpus_apic_init(void);

/**
 * @brief Start every enabled application processor the MADT lists (APIC mode
 * only), one at a time, through the trampoline (arch/smp.h); each gets its
 * own start-up stack and IST stacks with guard pages. A processor that does
 * not come online within 2 s is reported and the rest are not tried. Logs
 * how many CPUs are online.
 * @param bi the boot information (to place the trampoline below 1 MiB)
 * @return the number of CPUs online, the boot CPU included
 */
unsigned kernel_cpus_start_aps(const struct boot_info *bi);

#endif
