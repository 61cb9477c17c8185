/**
 * @file arch/spinlock.h
 * @brief Spinlocks, plain and interrupt-safe.
 *
 * Locking rule: a lock that is ever taken in interrupt context (an IRQ handler,
 * or anything an IRQ handler calls, such as kprintf) must always be taken with
 * spin_lock_irqsave(), everywhere. Otherwise an interrupt arriving while the lock
 * is held on the same CPU would spin forever on it. Locks never touched by
 * interrupt handlers may use spin_lock()/spin_unlock(). Hold spinlocks briefly
 * and never sleep while holding one.
 *
 * Holding any spinlock disables preemption (the scheduler will not switch
 * threads on a timer interrupt while the count is nonzero): otherwise a thread
 * preempted while holding a lock would leave every other thread spinning.
 */
#ifndef ARCH_SPINLOCK_H
#define ARCH_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

/** @brief A test-and-set spinlock. Initialise with SPINLOCK_INIT or spin_init(). */
struct spinlock {
    volatile uint32_t locked; /**< 1 while held. */
    const char *name;         /**< For debugging reports. */
};

/** @brief Static initialiser: `struct spinlock l = SPINLOCK_INIT("name");` */
#define SPINLOCK_INIT(n)                                                                           \
    {                                                                                              \
        0, (n)                                                                                     \
    }

#include <arch/cpu.h>
#include <k/console.h>

/** @cond INTERNAL */
/* Uniprocessor: one preemption count for the one CPU (spinlock.c). */
extern volatile unsigned arch_preempt_depth;
/** @endcond */

/** @brief Disable preemption (nests). */
static inline void preempt_disable(void)
{
    arch_preempt_depth++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/** @brief Re-enable preemption (undoes one preempt_disable()). */
static inline void preempt_enable(void)
{
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    arch_preempt_depth--;
}

/** @brief Nesting depth of preempt_disable() (and spinlocks held). @return 0 if preemptible */
static inline unsigned preempt_count(void)
{
    return arch_preempt_depth;
}

/** @brief Initialise @p l as unlocked. @param l the lock @param name for reports */
static inline void spin_init(struct spinlock *l, const char *name)
{
    l->locked = 0;
    l->name = name;
}

/** @brief Try once to acquire @p l. @param l the lock @return true if acquired */
static inline bool spin_trylock(struct spinlock *l)
{
    preempt_disable();
    if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) == 0)
        return true;
    preempt_enable();
    return false;
}

/** @cond INTERNAL */
void arch_spin_wait(struct spinlock *l); /* spinlock.c: the contended path */
/** @endcond */

/** @brief Acquire @p l, spinning until it is free. @param l the lock */
static inline void spin_lock(struct spinlock *l)
{
    preempt_disable();
    if (__builtin_expect(__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0, 0))
        arch_spin_wait(l);
}

/** @brief Release @p l, which the caller holds. @param l the lock */
static inline void spin_unlock(struct spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    preempt_enable();
}

/** @brief Is @p l held (by anyone)? @param l the lock @return true if held */
static inline bool spin_is_locked(const struct spinlock *l)
{
    return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}

/**
 * @brief Disable interrupts, then acquire @p l.
 * @param l the lock
 * @return the saved interrupt state for spin_unlock_irqrestore()
 */
static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
    uint64_t flags = cpu_irq_save();
    spin_lock(l);
    return flags;
}

/**
 * @brief Release @p l, then restore the interrupt state saved by spin_lock_irqsave().
 * @param l     the lock
 * @param flags what spin_lock_irqsave() returned
 */
static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
    spin_unlock(l);
    cpu_irq_restore(flags);
}

/**
 * @brief Lock operations over a struct spinlock taken with interrupts disabled:
 * what the kernel installs for libk's console registry with
 * `console_set_lock(&spin_irq_lock_ops, &lock)`. The context is the spinlock.
 */
extern const struct console_lock_ops spin_irq_lock_ops;

#endif
