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
 *
 * SMP: spinlocks are taken only by the CPU that holds the big kernel lock
 * (arch/bkl.h), always inside it: the handlers that run without the big lock
 * (the wake-up and shootdown IPIs, the local timer's entry) take none; only a
 * panic from an NMI or double fault may. So the big lock is the outermost lock,
 * a spinlock is never held while the big lock is given back (idle halt, return
 * to user mode), and the preemption count and the lock-order checker's stack of
 * held locks, which are one for the whole machine, belong to the big lock's
 * holder. A spinlock of its own still guards against this CPU's interrupt
 * handlers (irqsave) and against another thread on this CPU (a thread can be
 * preempted, and can sleep, while it holds the big lock). When the big lock is
 * broken up, the count and the checker's stack become per CPU.
 */
#ifndef ARCH_SPINLOCK_H
#define ARCH_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

/**
 * @brief A ticket spinlock: CPUs get the lock in the order they asked for it.
 * Initialise with SPINLOCK_INIT or spin_init().
 *
 * One 32-bit word holds two 16-bit counters: the ticket now served (low half)
 * and the next ticket to hand out (high half). A locker takes a ticket by
 * adding to the high half (which wraps on its own) and waits until the low
 * half reaches it; the holder releases by advancing the low half. Free means
 * the two are equal.
 *
 * Debug builds (no NDEBUG) also record the holding CPU, panic when a CPU
 * waits for a lock it holds itself (a certain deadlock: typically an
 * interrupt handler taking a lock that was not taken with
 * spin_lock_irqsave()), and feed the lock-order checker (arch/lockorder.h).
 */
struct spinlock {
    volatile uint32_t word; /**< Low 16 bits: ticket served; high 16: next ticket. */
    const char *name;       /**< For reports; also the lock's class for the order checker. */
    uint16_t owner;         /**< Debug builds: holding CPU + 1, 0 when free. */
    uint16_t lo_class;      /**< Debug builds: lock-order class + 1, 0 until first taken. */
};

/** @brief Static initialiser: `struct spinlock l = SPINLOCK_INIT("name");` */
#define SPINLOCK_INIT(n)                                                                           \
    {                                                                                              \
        0, (n), 0, 0                                                                               \
    }

#include <arch/cpu.h>
#include <k/console.h>

/** @cond INTERNAL */
/* One preemption count (spinlock.c): the big kernel lock's holder's, as only
 * that CPU takes spinlocks (see above). */
extern volatile unsigned arch_preempt_depth;
/* spinlock.c: the contended wait, and the debug hooks after taking and before
 * releasing a lock. */
void arch_spin_wait(struct spinlock *l, uint16_t ticket);
void arch_spin_taken(struct spinlock *l);
void arch_spin_releasing(struct spinlock *l);
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
    l->word = 0;
    l->name = name;
    l->owner = 0;
    l->lo_class = 0;
}

/** @brief Try once to acquire @p l. @param l the lock @return true if acquired */
static inline bool spin_trylock(struct spinlock *l)
{
    preempt_disable();
    uint32_t w = __atomic_load_n(&l->word, __ATOMIC_RELAXED);
    if ((w >> 16) == (w & 0xffff) &&
        __atomic_compare_exchange_n(&l->word, &w, w + (1u << 16), false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
#ifndef NDEBUG
        arch_spin_taken(l);
#endif
        return true;
    }
    preempt_enable();
    return false;
}

/** @brief Acquire @p l, spinning until its turn comes. @param l the lock */
static inline void spin_lock(struct spinlock *l)
{
    preempt_disable();
    uint32_t w = __atomic_fetch_add(&l->word, 1u << 16, __ATOMIC_ACQUIRE);
    if (__builtin_expect((w >> 16) != (w & 0xffff), 0))
        arch_spin_wait(l, (uint16_t)(w >> 16));
#ifndef NDEBUG
    arch_spin_taken(l);
#endif
}

/** @brief Release @p l, which the caller holds. @param l the lock */
static inline void spin_unlock(struct spinlock *l)
{
#ifndef NDEBUG
    arch_spin_releasing(l);
#endif
    /* Only the holder writes the served half: advance it alone, so that it
     * wraps without carrying into the next-ticket half. */
    volatile uint16_t *served = (volatile uint16_t *)&l->word;
    __atomic_store_n(served, (uint16_t)(*served + 1), __ATOMIC_RELEASE);
    preempt_enable();
}

/** @brief Is @p l held (by anyone)? @param l the lock @return true if held */
static inline bool spin_is_locked(const struct spinlock *l)
{
    uint32_t w = __atomic_load_n(&l->word, __ATOMIC_RELAXED);
    return (w >> 16) != (w & 0xffff);
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
