/*
 * irq.c - the IRQ layer (arch/irq.h): handlers for lines 0-15 and their
 * dispatch through whichever controller (irq_chip) delivers them.
 *
 * Locking (arch/irq.h): `irqs`, `chip` and `exit_hook` change with interrupts
 * off, under the big kernel lock; irq_dispatch() runs under the big lock too
 * (no IRQ vector is lockless), so the counters and `depth` need nothing more:
 * `depth` is the big lock's holder's.
 */
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/pic.h>
#include <k/errno.h>

struct irq_slot {
    irq_handler_fn fn;
    void *ctx;
    uint64_t count;
};

static struct irq_slot irqs[IRQ_LINES];
static uint64_t spurious;
static void (*exit_hook)(void);
static unsigned depth;
static const struct irq_chip *chip = &pic_irq_chip;

void irq_dispatch(struct trap_frame *tf)
{
    int irq = (int)tf->vector - TRAP_IRQ_BASE;
    if (irq < 0 || irq >= IRQ_LINES)
        return;
    if (chip->spurious && chip->spurious(irq)) {
        spurious++;
        return;
    }
    irqs[irq].count++;
    depth++;
    if (irqs[irq].fn)
        irqs[irq].fn(irqs[irq].ctx, tf);
    depth--;
    chip->eoi(irq);
    if (exit_hook)
        exit_hook(); /* may switch threads: the controller is ready for the next IRQ */
}

void irq_run_handler(irq_handler_fn fn, void *ctx, struct trap_frame *tf, void (*eoi)(void))
{
    depth++;
    fn(ctx, tf);
    depth--;
    eoi();
    if (exit_hook)
        exit_hook();
}

void irq_set_exit_hook(void (*hook)(void))
{
    exit_hook = hook;
}

unsigned irq_depth(void)
{
    return depth;
}

void irq_init(void)
{
    for (int v = TRAP_IRQ_BASE; v < TRAP_IRQ_BASE + IRQ_LINES; v++)
        trap_set_handler(v, irq_dispatch);
}

void irq_set_chip(const struct irq_chip *c)
{
    uint64_t f = cpu_irq_save();
    chip = c ? c : &pic_irq_chip;
    cpu_irq_restore(f);
}

const struct irq_chip *irq_get_chip(void)
{
    return chip;
}

/* The controller's registers are reached in steps (an I/O APIC's select,
 * then window; a PIC's read-modify-write of its mask): interrupts are off
 * while they are, so that no handler on this CPU comes in between. */
int irq_unmask(int irq)
{
    if (irq < 0 || irq >= IRQ_LINES)
        return -EINVAL;
    uint64_t f = cpu_irq_save();
    int r = chip->unmask(irq);
    cpu_irq_restore(f);
    return r;
}

void irq_mask(int irq)
{
    if (irq < 0 || irq >= IRQ_LINES)
        return;
    uint64_t f = cpu_irq_save();
    chip->mask(irq);
    cpu_irq_restore(f);
}

int irq_set_handler(int irq, irq_handler_fn fn, void *ctx)
{
    if (irq < 0 || irq >= IRQ_LINES)
        return -EINVAL;
    uint64_t f = cpu_irq_save();
    irqs[irq].fn = fn;
    irqs[irq].ctx = ctx;
    cpu_irq_restore(f);
    return 0;
}

uint64_t irq_count(int irq)
{
    return irq >= 0 && irq < IRQ_LINES ? irqs[irq].count : 0;
}

uint64_t irq_spurious_count(void)
{
    return spurious;
}
