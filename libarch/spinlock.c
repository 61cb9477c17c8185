/*
 * spinlock.c - test-and-test-and-set spinlocks (arch/spinlock.h).
 */
#include <arch/cpu.h>
#include <arch/spinlock.h>

/* Uniprocessor: one count for the one CPU. */
static volatile unsigned preempt_depth;

void preempt_disable(void)
{
    preempt_depth++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

void preempt_enable(void)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    preempt_depth--;
}

unsigned preempt_count(void)
{
    return preempt_depth;
}

void spin_init(struct spinlock *l, const char *name)
{
    l->locked = 0;
    l->name = name;
}

static bool try_acquire(struct spinlock *l)
{
    return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

bool spin_trylock(struct spinlock *l)
{
    preempt_disable();
    if (try_acquire(l))
        return true;
    preempt_enable();
    return false;
}

void spin_lock(struct spinlock *l)
{
    preempt_disable();
    while (!try_acquire(l)) {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_pause();
    }
}

void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    preempt_enable();
}

bool spin_is_locked(const struct spinlock *l)
{
    return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}

uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = cpu_irq_save();
    spin_lock(l);
    return flags;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    spin_unlock(l);
    cpu_irq_restore(flags);
}
