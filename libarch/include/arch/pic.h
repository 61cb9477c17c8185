/**
 * @file arch/pic.h
 * @brief The two chained 8259 PICs: the interrupt controller of the PC/AT,
 * and Kestrel's fallback when there is no I/O APIC (arch/ioapic.h).
 *
 * The PICs are remapped so IRQ 0-15 arrive on vectors 32-47 (TRAP_IRQ_BASE).
 * Every line starts masked except the cascade (IRQ 2). pic_irq_chip lets the
 * IRQ layer (arch/irq.h) drive them: it sends the end-of-interrupt and
 * recognises spurious IRQ 7 and 15 (the PIC raised them but its in-service
 * register shows nothing): those get no EOI from the master (a spurious IRQ 15
 * still needs one, from the slave's cascade on the master). When the I/O APIC
 * takes over, pic_disable() masks every line.
 *
 * Locking: no state but the chips' own, which the whole machine shares: their
 * ports are used under the big kernel lock with interrupts off (the IRQ
 * layer's dispatch, and irq_mask()/irq_unmask(), which disable them), so a
 * mask's read-modify-write and the in-service register's read (a command,
 * then a read) never interleave.
 */
#ifndef ARCH_PIC_H
#define ARCH_PIC_H

#include <arch/irq.h>
#include <arch/trap.h>
#include <stdbool.h>
#include <stdint.h>

#define PIC1_CMD    0x20 /**< Master command port. */
#define PIC1_DATA   0x21 /**< Master data (mask) port. */
#define PIC2_CMD    0xa0 /**< Slave command port. */
#define PIC2_DATA   0xa1 /**< Slave data (mask) port. */
#define PIC_EOI     0x20 /**< Non-specific end-of-interrupt command. */
#define IRQ_CASCADE 2    /**< The master line the slave is chained to. */

/**
 * @brief Remap the PICs to vectors 32-47 and mask every line but the cascade.
 */
void pic_init(void);

/** @brief Mask (disable) an IRQ line. @param irq 0..15 */
void pic_mask(int irq);
/** @brief Unmask (enable) an IRQ line. @param irq 0..15 */
void pic_unmask(int irq);
/** @brief The current mask, slave in the high byte. @return bit n set = IRQ n masked */
uint16_t pic_get_mask(void);
/** @brief Read the in-service registers, slave in the high byte. @return ISR bits */
uint16_t pic_read_isr(void);
/** @brief Send end-of-interrupt for @p irq (to both PICs for 8-15). @param irq 0..15 */
void pic_eoi(int irq);

/**
 * @brief Is this IRQ 7 or 15 spurious (not in service)? For a spurious IRQ 15
 * this also sends the EOI the master needs.
 * @param irq the IRQ number being delivered
 * @return true if spurious: do not run handlers or send an EOI
 */
bool pic_check_spurious(int irq);

/** @brief Mask all 16 lines (the I/O APIC delivers the interrupts now). */
void pic_disable(void);

/** @brief The PICs as the IRQ layer's controller (arch/irq.h). */
extern const struct irq_chip pic_irq_chip;

#endif
