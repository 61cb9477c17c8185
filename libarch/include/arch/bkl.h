/**
 * @file arch/bkl.h
 * @brief The big kernel lock: one CPU at a time runs kernel code.
 *
 * The first step of SMP, as Linux 2.0 took it. User code runs on every CPU
 * at once; kernel code, on one at a time. A CPU takes the lock when it enters
 * the kernel from user mode (a system call, an exception, an interrupt) and
 * when an interrupt ends its idle halt; it gives the lock back on the way out
 * to user mode and before it halts. Everything written for one CPU, whose
 * rule was "interrupts off on this CPU", stays correct: with the lock and
 * interrupts off, no other CPU runs kernel code either. The lock belongs to
 * the CPU, not the thread: it stays with the CPU across a context switch, so
 * a thread that blocks in the kernel hands it to the next thread the CPU
 * runs. Interrupt handlers that never touch shared state (the wake-up IPI)
 * run without it.
 *
 * The lock is a ticket lock, taken with interrupts disabled only: a CPU
 * spinning with interrupts on could take an interrupt whose handler asks for
 * the lock again, behind its own ticket.
 *
 * Kernel mappings (the upper half: kernel stacks, the heap, device windows)
 * change only under the lock. Each change bumps a generation
 * (arch_tlb_kernel_changed()) and is shot down: the changing CPU sends every
 * other CPU that is online a shootdown IPI, whose handler
 * (arch_tlb_shootdown_irq(), lockless) flushes the whole TLB, global entries
 * too, and waits until each has answered, so no CPU can use a stale kernel
 * mapping after the change returns, in or out of the lock. A CPU spinning
 * for the lock (interrupts off) answers from its spin loop, and one that
 * takes the lock catches up too, so the sender never waits on a CPU that
 * waits on it.
 *
 * Locking: what the lock protects is every piece of kernel state whose rule
 * does not name another lock (the scheduler's queues, the IRQ tables, the
 * files and processes...): one CPU at a time touches it. It does not keep out
 * this CPU's interrupt handlers, nor the other threads this CPU runs (a thread
 * is preempted, or sleeps, with the lock still on the CPU): against those the
 * old uniprocessor rules stay, interrupts off or a spinlock (irqsave), and a
 * mutex across a sleep. Lock order: the big lock is the outermost lock; every
 * spinlock is taken inside it and none is held when it is given back
 * (arch/spinlock.h). A mutex or wait queue sleeps with it held, and the next
 * thread on the CPU has it. Lockless handlers (arch_tlb_shootdown_irq(), the
 * wake-up IPI, the local timer's entry, NMI, double fault, machine check) touch
 * only their own CPU's state or atomics. The lock's own state: bkl.c.
 */
#ifndef ARCH_BKL_H
#define ARCH_BKL_H

#include <stdbool.h>
#include <stdint.h>

/** @brief Counters, for tests and /proc (bkl.c says which are counted under
 * the lock and which atomically; a copy is a snapshot). */
struct arch_bkl_stats {
    uint64_t acquired;   /**< Times a CPU took the lock. */
    uint64_t contended;  /**< Of those, times it had to wait. */
    uint64_t flushes;    /**< Whole-TLB flushes to catch up with kernel mappings. */
    uint64_t idle_waits; /**< Halts of an idle CPU that found it taken. */
    uint64_t idle_wakes; /**< Releases that woke such a CPU (arch_bkl_set_wake()). */
    uint64_t shootdowns; /**< Shootdown IPIs sent (a re-send not counted). */
};

/**
 * @brief Take the lock on this CPU. Interrupts must be off, and this CPU
 * must not hold it already.
 */
void arch_bkl_lock(void);

/**
 * @brief Take the lock if it is free at once (interrupts off; this CPU must
 * not hold it).
 * @return true if taken
 */
bool arch_bkl_trylock(void);

/**
 * @brief Take the lock from an idle CPU: between tries the CPU halts with
 * interrupts on until its next tick or IPI, so it takes IPIs, and spends no
 * time spinning, while another CPU holds the lock for long. Returns with
 * interrupts off and the lock held.
 */
void arch_bkl_lock_idle(void);

/** @brief Give the lock back; this CPU must hold it. If a CPU is halted in
 * arch_bkl_lock_idle() for it, wake one such CPU (arch_bkl_set_wake()). */
void arch_bkl_unlock(void);

/**
 * @brief Say how to wake a CPU halted in arch_bkl_lock_idle() when the lock
 * is given back (an IPI). Without it such a CPU waits for its next tick: a
 * wake-up IPI that found the lock taken would be lost until then. Each
 * release with a waker set costs a full fence, so set it once a second CPU
 * exists (a release that still read NULL then delays that CPU by one tick).
 * @param wake called with the CPU's index, interrupts off; NULL for none
 */
void arch_bkl_set_wake(void (*wake)(unsigned cpu));

/** @brief Does this CPU hold the lock? @return true if so */
bool arch_bkl_held(void);

/**
 * @brief Take the lock unless this CPU holds it already (interrupts off).
 * @return true if this call took it (pass to arch_bkl_exit())
 */
bool arch_bkl_enter(void);

/**
 * @brief Undo arch_bkl_enter(): give the lock back if @p took.
 * @param took what arch_bkl_enter() returned
 */
void arch_bkl_exit(bool took);

/**
 * @brief A kernel (upper-half) mapping changed: this CPU has flushed its own
 * entry; shoot it down on the others (the IPI set by arch_tlb_set_shootdown())
 * and return once each has flushed. Call with the lock held (or before a
 * second CPU runs).
 */
void arch_tlb_kernel_changed(void);

/**
 * @brief The shootdown IPI's handler: flush this CPU's TLB if kernel
 * mappings changed since it last did. Runs without the lock, in any context.
 */
void arch_tlb_shootdown_irq(void);

/**
 * @brief Set how a shootdown reaches another CPU (smp.c: an IPI whose
 * handler calls arch_tlb_shootdown_irq()). Until it is set, or with NULL,
 * the others only catch up when they next take the lock.
 * @param send sends the IPI to a logical CPU
 */
void arch_tlb_set_shootdown(void (*send)(uint32_t cpu));

/**
 * @brief Read the counters.
 * @param out where to copy them
 */
void arch_bkl_get_stats(struct arch_bkl_stats *out);

#endif
