/*
 * spinlock.c - the out-of-line parts of the spinlocks (arch/spinlock.h): the
 * preemption count, the contended wait, the debug hooks, and
 * spin_irq_lock_ops, the lock the kernel gives to libk's console registry.
 * The fast paths are inline.
 */
#include <arch/cpu.h>
#include <arch/lockorder.h>
#include <arch/panic.h>
#include <arch/spinlock.h>

volatile unsigned arch_preempt_depth;

/* The CPU we run on, + 1 (0 in `owner` means nobody). */
static uint16_t this_cpu(void)
{
    return (uint16_t)(cpu_index() + 1);
}

void arch_spin_wait(struct spinlock *l, uint16_t ticket)
{
#ifndef NDEBUG
    if (l->owner == this_cpu())
        panic("spinlock \"%s\" taken again on CPU %u, which holds it", l->name ? l->name : "?",
              this_cpu() - 1u);
#endif
    while ((uint16_t)__atomic_load_n(&l->word, __ATOMIC_ACQUIRE) != ticket)
        cpu_pause();
}

void arch_spin_taken(struct spinlock *l)
{
    l->owner = this_cpu();
    lockorder_acquire(l, l->name, &l->lo_class);
}

void arch_spin_releasing(struct spinlock *l)
{
    if (l->owner != this_cpu())
        panic("spinlock \"%s\" released by CPU %u, which does not hold it", l->name ? l->name : "?",
              this_cpu() - 1u);
    l->owner = 0;
    lockorder_release(l);
}

static uint64_t irq_lock(void *ctx)
{
    return spin_lock_irqsave(ctx);
}

static void irq_unlock(void *ctx, uint64_t flags)
{
    spin_unlock_irqrestore(ctx, flags);
}

const struct console_lock_ops spin_irq_lock_ops = { .lock = irq_lock, .unlock = irq_unlock };
