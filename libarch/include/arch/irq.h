/**
 * @file arch/irq.h
 * @brief The IRQ layer: legacy lines 0-15 on vectors 32-47, whichever
 * controller delivers them.
 *
 * A driver installs its handler with irq_set_handler() and then enables the
 * line with irq_unmask(). The line numbers are the ISA/PC-AT ones (the PCI
 * "interrupt line" register holds one too); the controller in use maps them to
 * its inputs: the 8259 PICs (arch/pic.h) directly, the I/O APIC (arch/ioapic.h)
 * through the ACPI MADT's interrupt source overrides. Either way IRQ n arrives
 * on vector TRAP_IRQ_BASE + n, and the layer asks the controller whether it
 * was spurious, runs the handler, sends the end-of-interrupt to the controller
 * that raised it, and runs the exit hook (the scheduler's preemption point).
 *
 * IRQ handlers run with interrupts disabled, on the interrupted stack; anything
 * they share with other code must be protected with spin_lock_irqsave().
 * Locking: the handler table and the controller change with interrupts
 * disabled, under the big kernel lock (arch/bkl.h); irq_mask()/irq_unmask()
 * disable interrupts themselves around the controller's registers. IRQ handlers
 * run under the big lock (trap_dispatch() takes it: no IRQ vector is
 * lockless), with interrupts off, so the per-line counts and irq_depth() are the
 * big lock holder's. Legacy lines are delivered to the boot CPU; MSIs to the
 * CPU that set them up (apic_msi_message()).
 */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#include <arch/trap.h>
#include <stdbool.h>
#include <stdint.h>

#define IRQ_LINES 16 /**< Legacy IRQ lines (ISA numbering). */

/** @brief An interrupt controller, as the IRQ layer drives it. */
struct irq_chip {
    const char *name;          /**< "8259 PIC", "I/O APIC". */
    int (*unmask)(int irq);    /**< Enable a line: 0 or a negative error. */
    void (*mask)(int irq);     /**< Disable a line. */
    void (*eoi)(int irq);      /**< Acknowledge the line's interrupt. */
    bool (*spurious)(int irq); /**< Was this delivery spurious (no EOI then)? May be NULL. */
};

/**
 * @brief An IRQ handler.
 * @param ctx what irq_set_handler() was given
 * @param tf  the interrupted state
 */
typedef void (*irq_handler_fn)(void *ctx, struct trap_frame *tf);

/**
 * @brief Route vectors 32-47 through the IRQ layer (call after idt_init()).
 * The controller starts as pic_irq_chip.
 */
void irq_init(void);

/**
 * @brief Hand the IRQ lines to another controller (the I/O APIC). Handlers
 * stay installed; lines are not unmasked on the new controller until
 * irq_unmask() is called for them, so switch before drivers start.
 * @param chip the controller (NULL: back to the PICs)
 */
void irq_set_chip(const struct irq_chip *chip);

/** @brief The controller in use. @return it (pic_irq_chip unless switched) */
const struct irq_chip *irq_get_chip(void);

/**
 * @brief Enable an IRQ line at the controller in use.
 * @param irq 0..15
 * @return 0, -EINVAL for a bad line, or the controller's error (-ENOENT: the
 *         line is not wired to any input)
 */
int irq_unmask(int irq);

/** @brief Disable an IRQ line at the controller in use. @param irq 0..15 */
void irq_mask(int irq);

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

/**
 * @brief Run an interrupt handler that did not come through the PIC (an MSI
 * vector, arch/apic.h) the way PIC handlers run: irq_depth() raised around it,
 * then @p eoi, then the exit hook (which may switch threads).
 * @param fn  the handler
 * @param ctx its argument
 * @param tf  the trap frame
 * @param eoi acknowledges the interrupt at its controller
 */
void irq_run_handler(irq_handler_fn fn, void *ctx, struct trap_frame *tf, void (*eoi)(void));

/** @brief How many spurious IRQ 7/15 were seen. @return the count */
uint64_t irq_spurious_count(void);

/**
 * @brief The IRQ layer's trap handler for vectors 32-47 (exposed for tests):
 * spurious check, handler, EOI, exit hook, each through the controller.
 * @param tf the interrupted state
 */
void irq_dispatch(struct trap_frame *tf);

#endif
