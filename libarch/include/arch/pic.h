/**
 * @file arch/pic.h
 * @brief The two chained 8259 PICs and the IRQ layer on top of them.
 *
 * The PICs are remapped so IRQ 0-15 arrive on vectors 32-47 (TRAP_IRQ_BASE).
 * Every line starts masked except the cascade (IRQ 2); a driver unmasks its line
 * after installing its handler with irq_set_handler(). The IRQ layer sends the
 * end-of-interrupt itself and recognises spurious IRQ 7 and 15 (the PIC raised
 * them but its in-service register shows nothing): those are counted and get no
 * EOI from the master (a spurious IRQ 15 still needs one, from the slave's
 * cascade on the master).
 *
 * IRQ handlers run with interrupts disabled, on the interrupted stack; anything
 * they share with other code must be protected with spin_lock_irqsave().
 */
#ifndef ARCH_PIC_H
#define ARCH_PIC_H

#include <arch/trap.h>
#include <stdbool.h>
#include <stdint.h>

#define PIC1_CMD    0x20 /**< Master command port. */
#define PIC1_DATA   0x21 /**< Master data (mask) port. */
#define PIC2_CMD    0xa0 /**< Slave command port. */
#define PIC2_DATA   0xa1 /**< Slave data (mask) port. */
#define PIC_EOI     0x20 /**< Non-specific end-of-interrupt command. */
#define IRQ_LINES   16   /**< IRQ lines on the two PICs. */
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

/**
 * @brief An IRQ handler.
 * @param ctx what irq_set_handler() was given
 * @param tf  the interrupted state
 */
typedef void (*irq_handler_fn)(void *ctx, struct trap_frame *tf);

/**
 * @brief Route the PIC vectors through the IRQ layer (call after idt_init()).
 */
void irq_init(void);

/**
 * @brief Install the handler for an IRQ line (does not unmask it).
 * @param irq 0..15
 * @param fn  the handler (NULL removes it)
 * @param ctx passed to @p fn
 * @return 0, or -EINVAL for a bad line
 */
int irq_set_handler(int irq, irq_handler_fn fn, void *ctx);

/**
 * @brief How many interrupts a line has delivered (handled or not).
 * @param irq 0..15
 * @return the count
 */
uint64_t irq_count(int irq);

/**
 * @brief Run @p hook at the end of every IRQ, after the EOI (the scheduler's
 * preemption point). NULL removes it.
 * @param hook the function; runs with interrupts disabled
 */
void irq_set_exit_hook(void (*hook)(void));

/** @brief Are we inside an IRQ handler? @return the nesting depth (0: no) */
unsigned irq_depth(void);

/** @brief How many spurious IRQ 7/15 were seen. @return the count */
uint64_t irq_spurious_count(void);

/**
 * @brief The IRQ layer's trap handler for vectors 32-47 (exposed for tests).
 * @param tf the interrupted state
 */
void irq_dispatch(struct trap_frame *tf);

#endif
