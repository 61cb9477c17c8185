/*
 * spinlock.c - the out-of-line parts of the spinlocks (arch/spinlock.h): the
 * preemption count, the contended wait, and spin_irq_lock_ops, the lock the
 * kernel gives to libk's console registry. The fast paths are inline.
 */
#include <arch/cpu.h>
#include <arch/spinlock.h>

volatile unsigned arch_preempt_depth;

void arch_spin_wait(struct spinlock *l)
{
    /* Test-and-test-and-set: spin reading, then try again. */
    do {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_pause();
    } while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0);
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
