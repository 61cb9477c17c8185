/**
 * @file sched/sync.h
 * @brief Sleeping synchronisation for kernel threads: wait queues, mutexes and
 * counting semaphores. Waiters block (the CPU runs other threads) instead of
 * spinning.
 *
 * Wakeups are FIFO. None of the blocking calls may be made from interrupt
 * context; wait_queue_wake_one/all() and semaphore_up() may (they never block).
 *
 * Locking: a queue, mutex or semaphore is changed with interrupts disabled on
 * the calling CPU, under the big kernel lock (arch/bkl.h) that keeps the other
 * CPUs out, as the scheduler's own state (sched/thread.h). A thread must hold
 * no spinlock when it blocks (debug builds panic); it may hold mutexes, and
 * the big lock, which passes to the next thread on its CPU. A mutex is the lock
 * to hold across a sleep: take mutexes before spinlocks, never under one.
 */
#ifndef SCHED_SYNC_H
#define SCHED_SYNC_H

#include <sched/thread.h>
#include <stdbool.h>

/** @brief Threads blocked on something. */
struct wait_queue {
    struct thread *head; /**< First waiter. */
    struct thread *tail; /**< Last waiter. */
};

/** @brief Set up an empty queue. @param wq the queue */
void wait_queue_init(struct wait_queue *wq);

/**
 * @brief Block the calling thread on @p wq until woken. Call with interrupts
 * disabled (so the condition check and the sleep are atomic); returns with them
 * disabled.
 * @param wq the queue
 */
void wait_queue_sleep_locked(struct wait_queue *wq);

/**
 * @brief Wake the first waiter. Interrupt-safe.
 * @param wq the queue
 * @return true if a thread was woken
 */
bool wait_queue_wake_one(struct wait_queue *wq);

/**
 * @brief Wake every waiter. Interrupt-safe.
 * @param wq the queue
 * @return how many threads were woken
 */
int wait_queue_wake_all(struct wait_queue *wq);

/** @brief A sleeping mutex (not recursive). */
struct mutex {
    struct thread *owner; /**< Holder, or NULL. */
    struct wait_queue wq; /**< Waiters. */
    uint64_t contended;   /**< Times a locker had to wait. */
};

/** @brief Set up an unlocked mutex. @param m the mutex */
void mutex_init(struct mutex *m);
/** @brief Acquire, sleeping while another thread holds it. @param m the mutex */
void mutex_lock(struct mutex *m);
/** @brief Try to acquire without sleeping. @param m the mutex @return true if acquired */
bool mutex_trylock(struct mutex *m);
/** @brief Release; the caller must hold it. @param m the mutex */
void mutex_unlock(struct mutex *m);
/** @brief Does the calling thread hold @p m? @param m the mutex @return true if so */
bool mutex_held(const struct mutex *m);

/** @brief A counting semaphore. */
struct semaphore {
    int64_t count;        /**< Available units. */
    struct wait_queue wq; /**< Waiters. */
};

/** @brief Set up a semaphore. @param s the semaphore @param count initial units */
void semaphore_init(struct semaphore *s, int64_t count);
/** @brief Take a unit, sleeping while there is none. @param s the semaphore */
void semaphore_down(struct semaphore *s);
/** @brief Take a unit if one is free. @param s the semaphore @return true if taken */
bool semaphore_trydown(struct semaphore *s);
/** @brief Return a unit and wake a waiter. Interrupt-safe. @param s the semaphore */
void semaphore_up(struct semaphore *s);

#endif
