/**
 * @file dev/irq.h
 * @brief Shared legacy PCI interrupt lines.
 *
 * PCI INTx lines are shared: two virtio devices often land on the same PIC line.
 * The PIC layer has one handler per line, so this layer installs one dispatcher
 * per line and calls every attached action in turn; each driver checks its own
 * device (e.g. reads its ISR status) and ignores interrupts that are not its own.
 *
 * Memory: actions are caller-owned (embedded in the driver's state).
 * Locking: the per-line lists change in attach/detach with interrupts disabled
 * on this CPU, so this CPU's dispatcher never sees a half-linked list; a
 * dispatcher on another CPU is kept out by the big kernel lock (arch/bkl.h),
 * which both the callers and every device interrupt hold. `count` is written
 * only by the dispatcher.
 */
#ifndef DEV_IRQ_H
#define DEV_IRQ_H

#include <stdint.h>

/** @brief One handler on a shared line. */
struct dev_irq_action {
    void (*fn)(void *ctx);       /**< The handler (interrupt context). */
    void *ctx;                   /**< Its argument. */
    int irq;                     /**< The line, 0..15. */
    uint64_t count;              /**< Times it was called. */
    struct dev_irq_action *next; /**< Next on the same line. */
};

/**
 * @brief Attach a handler to a line and unmask the line.
 * @param a   the action (caller-owned, alive until detached)
 * @param irq line 0..15
 * @param fn  handler
 * @param ctx its argument
 * @return 0, -EINVAL (bad line, NULL fn), or the error of irq_set_handler() or
 *         irq_unmask() (-ENOENT: the interrupt controller has no input for it)
 */
int dev_irq_attach(struct dev_irq_action *a, int irq, void (*fn)(void *ctx), void *ctx);

/**
 * @brief Detach a handler; the line is masked when its last handler goes.
 * @param a the action
 * @return 0 or -ENOENT
 */
int dev_irq_detach(struct dev_irq_action *a);

#endif
