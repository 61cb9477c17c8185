/*
 * dev_irq.c - shared legacy interrupt lines (dev/irq.h).
 *
 * Layer: between the PIC's one-handler-per-line IRQ layer and PCI drivers.
 * One dispatcher per line walks that line's list of actions. Locking (`lines`):
 * lists change with interrupts disabled, so the dispatcher (which runs with them
 * disabled) never sees a half-linked list on this CPU; on another CPU it waits
 * for the big kernel lock, which the callers of attach/detach hold.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/pic.h>
#include <dev/irq.h>
#include <stddef.h>

static struct dev_irq_action *lines[IRQ_LINES];

static void dev_irq_dispatch(void *ctx, struct trap_frame *tf)
{
    (void)tf;
    for (struct dev_irq_action *a = lines[(uintptr_t)ctx]; a; a = a->next) {
        a->count++;
        a->fn(a->ctx);
    }
}

int dev_irq_attach(struct dev_irq_action *a, int irq, void (*fn)(void *ctx), void *ctx)
{
    if (irq < 0 || irq >= IRQ_LINES || irq == IRQ_CASCADE || !fn)
        return -EINVAL;
    a->fn = fn;
    a->ctx = ctx;
    a->irq = irq;
    a->count = 0;
    uint64_t flags = cpu_irq_save();
    bool first = lines[irq] == NULL;
    if (first) {
        int err = irq_set_handler(irq, dev_irq_dispatch, (void *)(uintptr_t)irq);
        if (err) {
            cpu_irq_restore(flags);
            return err;
        }
    }
    a->next = lines[irq];
    lines[irq] = a;
    cpu_irq_restore(flags);
    if (first) {
        int err = irq_unmask(irq);
        if (err) { /* the controller has no input for this line */
            dev_irq_detach(a);
            return err;
        }
    }
    return 0;
}

int dev_irq_detach(struct dev_irq_action *a)
{
    if (a->irq < 0 || a->irq >= IRQ_LINES)
        return -ENOENT;
    uint64_t flags = cpu_irq_save();
    struct dev_irq_action **pp = &lines[a->irq];
    while (*pp && *pp != a)
        pp = &(*pp)->next;
    if (!*pp) {
        cpu_irq_restore(flags);
        return -ENOENT;
    }
    *pp = a->next;
    bool last = lines[a->irq] == NULL;
    if (last) {
        irq_mask(a->irq);
        irq_set_handler(a->irq, NULL, NULL);
    }
    cpu_irq_restore(flags);
    return 0;
}
