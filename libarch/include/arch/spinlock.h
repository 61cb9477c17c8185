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

/** @brief Disable preemption (nests). */
void preempt_disable(void);
/** @brief Re-enable preemption (undoes one preempt_disable()). */
void preempt_enable(void);
/** @brief Nesting depth of preempt_disable() (and spinlocks held). @return 0 if preemptible */
unsigned preempt_count(void);

/** @brief Initialise @p l as unlocked. @param l the lock @param name for reports */
void spin_init(struct spinlock *l, const char *name);
/** @brief Acquire @p l, spinning until it is free. @param l the lock */
void spin_lock(struct spinlock *l);
/** @brief Try once to acquire @p l. @param l the lock @return true if acquired */
bool spin_trylock(struct spinlock *l);
/** @brief Release @p l, which the caller holds. @param l the lock */
void spin_unlock(struct spinlock *l);
/** @brief Is @p l held (by anyone)? @param l the lock @return true if held */
bool spin_is_locked(const struct spinlock *l);

/**
 * @brief Disable interrupts, then acquire @p l.
 * @param l the lock
 * @return the saved interrupt state for spin_unlock_irqrestore()
 */
uint64_t spin_lock_irqsave(struct spinlock *l);

/**
 * @brief Release @p l, then restore the interrupt state saved by spin_lock_irqsave().
 * @param l     the lock
 * @param flags what spin_lock_irqsave() returned
 */
void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags);

#endif
