/*
 * spinlock.c - test-and-test-and-set spinlocks (arch/spinlock.h).
 */
#include <arch/cpu.h>
#include <arch/spinlock.h>

void spin_init(struct spinlock *l, const char *name)
{
    l->locked = 0;
    l->name = name;
}

bool spin_trylock(struct spinlock *l)
{
    return __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0;
}

void spin_lock(struct spinlock *l)
{
    while (!spin_trylock(l)) {
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_pause();
    }
}

void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
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
