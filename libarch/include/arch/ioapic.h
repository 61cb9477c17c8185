/**
 * @file arch/ioapic.h
 * @brief The I/O APIC: the legacy IRQ lines routed to local APIC vectors.
 *
 * An I/O APIC has a table of redirection entries, one per input pin; input n
 * of the I/O APIC whose first global system interrupt (GSI) is b carries GSI
 * b + n. ISA IRQ n arrives on GSI n unless the MADT has an interrupt source
 * override for it (QEMU wires the PIT, ISA IRQ 0, to GSI 2, and marks the
 * PCI lines 5, 9, 10 and 11 level-triggered). ioapic_isa_route() turns the
 * MADT into that routing; ioapic_irq_chip then lets the IRQ layer (arch/irq.h)
 * program, mask and acknowledge the lines: IRQ n is delivered as vector
 * TRAP_IRQ_BASE + n, fixed, to one CPU, and acknowledged with an EOI to the
 * local APIC (which forwards it to the I/O APIC for level-triggered lines).
 *
 * Registers are reached indirectly (select, then read or write the window),
 * through a `struct ioapic_io`: ioapic_mmio_io for the real window, a model in
 * host tests. libarch maps nothing: the kernel maps each window.
 *
 * Locking: the table of I/O APICs and the routing are filled at boot, before
 * interrupts are on and before another CPU starts, then only read. The chip's
 * operations (a select, then the window) run under the big kernel lock with
 * interrupts off (irq_mask()/irq_unmask() disable them), so two never
 * interleave; the EOI goes to the local APIC, which is per CPU.
 */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include <arch/acpi.h>
#include <arch/irq.h>
#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_WINDOW_SIZE 0x20u      /**< Bytes of the register window. */
#define IOAPIC_REG_ID      0x00u      /**< Identification register. */
#define IOAPIC_REG_VERSION 0x01u      /**< Version; bits 16-23: highest entry. */
#define IOAPIC_REG_REDIR   0x10u      /**< Redirection entry n: 0x10 + 2n (low), + 1 (high). */
#define IOAPIC_MAX         8          /**< I/O APICs recorded. */
#define IOAPIC_RED_MASKED  (1u << 16) /**< Entry: input masked. */
#define IOAPIC_RED_LEVEL   (1u << 15) /**< Entry: level-triggered (else edge). */
#define IOAPIC_RED_LOW     (1u << 13) /**< Entry: active low (else high). */

/** @brief Register access to one I/O APIC. */
struct ioapic_io {
    uint32_t (*read)(void *ctx, uint32_t reg);            /**< Read register @p reg. */
    void (*write)(void *ctx, uint32_t reg, uint32_t val); /**< Write register @p reg. */
};

/** @brief ctx = the mapped window (IOAPIC_WINDOW_SIZE bytes). */
extern const struct ioapic_io ioapic_mmio_io;

/** @brief Where an ISA IRQ arrives. */
struct ioapic_route {
    uint32_t gsi;    /**< Global system interrupt. */
    bool level;      /**< Level-triggered (else edge). */
    bool active_low; /**< Active low (else high). */
};

/**
 * @brief Encode a redirection entry: fixed delivery, physical destination.
 * @param vector     the vector (32..254)
 * @param dest       destination local APIC id
 * @param level      level-triggered
 * @param active_low active low
 * @param masked     masked
 * @return the 64-bit entry (high dword: destination in bits 56-63)
 */
uint64_t ioapic_redir_encode(uint8_t vector, uint8_t dest, bool level, bool active_low,
                             bool masked);

/**
 * @brief Where ISA IRQ @p irq arrives, by the MADT's overrides (ISA default:
 * same-numbered GSI, edge, active high).
 * @param m   the parsed MADT
 * @param irq 0..15
 * @param out filled in
 * @return 0, -EINVAL for a bad line, or -ENOENT when an override took the
 *         line's own GSI for another IRQ and none says where @p irq went
 */
int ioapic_isa_route(const struct acpi_madt *m, int irq, struct ioapic_route *out);

/**
 * @brief Forget every I/O APIC and route (tests; boot starts empty).
 */
void ioapic_reset(void);

/**
 * @brief Take an I/O APIC: read how many inputs it has and mask them all.
 * @param io       its register access
 * @param ctx      passed to @p io
 * @param gsi_base the GSI of its input 0 (from the MADT)
 * @return the number of inputs, -EINVAL (no io) or -ENOSPC (IOAPIC_MAX taken)
 */
int ioapic_add(const struct ioapic_io *io, void *ctx, uint32_t gsi_base);

/**
 * @brief Route the legacy lines by @p m and send them to local APIC @p dest.
 * Nothing is unmasked until irq_unmask().
 * @param m    the parsed MADT (copied)
 * @param dest local APIC id of the CPU that takes device interrupts
 */
void ioapic_set_routing(const struct acpi_madt *m, uint32_t dest);

/**
 * @brief Read the redirection entry of a GSI (diagnostics and tests).
 * @param gsi the interrupt
 * @param out the entry
 * @return 0, or -ENOENT if no I/O APIC has that input
 */
int ioapic_read_entry(uint32_t gsi, uint64_t *out);

/** @brief The I/O APICs as the IRQ layer's controller (irq_set_chip()). */
extern const struct irq_chip ioapic_irq_chip;

#endif
