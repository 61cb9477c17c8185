/**
 * @file arch/lockorder.h
 * @brief The lock-order checker of debug builds: reports the first time two
 * lock classes are taken in both orders, before the two orders ever meet and
 * deadlock.
 *
 * A lock's class is its name: every lock called "aspace" is one class. The
 * checker keeps a graph of classes, with an edge from A to B once B has been
 * taken while A was held. Taking B while holding A, when B already reaches A
 * in the graph (directly or through other classes), is an inversion: it is
 * logged once per pair at warning level (subsystem "lock"), naming both
 * classes. Taking a class while holding another lock of the same class is
 * not checked (instances of one class nest by address or not at all).
 *
 * Spinlocks call it in debug builds (arch/spinlock.h). It keeps one stack of
 * held locks for the whole machine, which is right while spinlocks disable
 * preemption and only the big kernel lock's holder takes them (arch/spinlock.h);
 * it becomes per CPU when the big lock is broken up. The big kernel lock is not
 * a spinlock and is not tracked: it is outermost by construction.
 *
 * Locking: the graph, the class table and the stack are changed with
 * interrupts off, under the big kernel lock, so an interrupt handler's locks
 * can't interleave with its updates, nor another CPU's. `busy` keeps the
 * report's own locks (the log's, the console's) out of the graph.
 */
#ifndef ARCH_LOCKORDER_H
#define ARCH_LOCKORDER_H

#include <stdint.h>

/** @brief Most lock classes tracked; later ones are counted and not checked. */
#define LOCKORDER_MAX_CLASSES 64
/** @brief Most locks held at once that are tracked. */
#define LOCKORDER_MAX_HELD 16

/**
 * @brief Record that the lock at @p lock, named @p name, has just been taken.
 * @param lock the lock's address (identifies it at release)
 * @param name its class; NULL means "not checked"
 * @param cls the lock's cached class slot (0 until the first call fills it)
 */
void lockorder_acquire(const void *lock, const char *name, uint16_t *cls);

/**
 * @brief Record that the lock at @p lock is about to be released (in any
 * order; a lock that was not recorded is ignored).
 * @param lock the lock's address
 */
void lockorder_release(const void *lock);

/** @brief Inversions reported so far. @return the count */
unsigned lockorder_reports(void);

/** @brief Classes that did not fit in the table. @return the count */
unsigned lockorder_overflows(void);

/** @brief Forget every class, edge and held lock (tests). */
void lockorder_reset(void);

#endif
