/*
 * spinlock.c - the out-of-line parts of the spinlocks (arch/spinlock.h): the
 * preemption count and the contended wait. The fast paths are inline.
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
