/**
 * @file sched/async.h
 * @brief Things an async task can wait for: a timer (sleep N ms), a one-shot
 * channel, and an event an interrupt handler signals (the keyboard's, say).
 *
 * Each is a small caller-owned struct with a poll function in the style of
 * task_poll_fn: it returns TASK_READY when the awaited thing happened, or stores
 * a clone of the waker and returns TASK_PENDING. All wake paths are
 * interrupt-safe.
 *
 * Locking: each object has its own spinlock (irqsave), "timerq", "oneshot" or
 * "event", which protects its fields and stored waker. Lock order: an object's
 * lock, then the executor's (storing or firing a waker); a stored waker is
 * dropped (which may free its task) only after the object's lock is let go.
 */
#ifndef SCHED_ASYNC_H
#define SCHED_ASYNC_H

#include <arch/spinlock.h>
#include <sched/executor.h>
#include <stdbool.h>
#include <stdint.h>

struct sleep_future;

/** @brief Pending sleeps, ordered by deadline, expired from the timer tick. */
struct timer_queue {
    struct spinlock lock;      /**< Protects the list. */
    struct sleep_future *head; /**< Earliest deadline first. */
    uint64_t (*now_ms)(void);  /**< The clock (timer_uptime_ms in the kernel). */
};

/** @brief A "sleep for N ms" future. */
struct sleep_future {
    struct timer_queue *q;     /**< Where it waits. */
    uint64_t deadline;         /**< Absolute time in ms. */
    struct waker waker;        /**< Stored while queued. */
    bool queued;               /**< On q's list. */
    struct sleep_future *next; /**< List link. */
};

/**
 * @brief Set up a timer queue.
 * @param q      the queue
 * @param now_ms the clock in milliseconds
 */
void timer_queue_init(struct timer_queue *q, uint64_t (*now_ms)(void));

/**
 * @brief Wake every sleep whose deadline has passed (call from the timer tick).
 * @param q the queue
 * @return how many were woken
 */
int timer_queue_expire(struct timer_queue *q);

/**
 * @brief Start a sleep of @p ms milliseconds from now.
 * @param f  the future
 * @param q  the queue that will wake it
 * @param ms duration
 */
void sleep_future_init(struct sleep_future *f, struct timer_queue *q, uint64_t ms);

/**
 * @brief Poll a sleep.
 * @param f the future
 * @param w the polling task's waker
 * @return TASK_READY once the deadline has passed
 */
enum poll_result sleep_future_poll(struct sleep_future *f, const struct waker *w);

/**
 * @brief Abandon a sleep (a task cancelled while sleeping): unqueue it and drop
 * its waker. Safe when not queued.
 * @param f the future
 */
void sleep_future_cancel(struct sleep_future *f);

/** @brief A single value sent once from one side to the other. */
struct oneshot {
    struct spinlock lock; /**< Protects the fields below. */
    bool sent;            /**< A value is waiting. */
    bool closed;          /**< The sender gave up without sending. */
    bool taken;           /**< The receiver took the value. */
    uint64_t value;       /**< The value. */
    struct waker rx;      /**< The waiting receiver. */
};

/** @brief Set up a channel. @param c the channel */
void oneshot_init(struct oneshot *c);

/**
 * @brief Send the value and wake the receiver. Interrupt-safe.
 * @param c the channel
 * @param v the value
 * @return 0, or -EPIPE if already sent or closed
 */
int oneshot_send(struct oneshot *c, uint64_t v);

/**
 * @brief Close without sending: the receiver's poll finishes with -EPIPE.
 * @param c the channel
 */
void oneshot_close(struct oneshot *c);

/**
 * @brief Poll for the value.
 * @param c   the channel
 * @param w   the polling task's waker
 * @param out the value, when ready
 * @param err 0, or -EPIPE when the channel was closed without a value
 * @return TASK_READY once a value arrived or the channel was closed
 */
enum poll_result oneshot_poll(struct oneshot *c, const struct waker *w, uint64_t *out, int *err);

/**
 * @brief Release the channel's stored waker (when abandoning a receive).
 * @param c the channel
 */
void oneshot_drop(struct oneshot *c);

/** @brief A flag an interrupt handler raises and one task awaits. */
struct async_event {
    struct spinlock lock; /**< Protects the fields below. */
    bool signaled;        /**< Raised since the last successful poll. */
    struct waker w;       /**< The waiting task. */
    uint64_t signals;     /**< How many times it was raised. */
};

/** @brief Set up an event. @param e the event */
void async_event_init(struct async_event *e);

/**
 * @brief Raise the event and wake its waiter. Interrupt-safe.
 * @param e the event
 */
void async_event_signal(struct async_event *e);

/**
 * @brief Poll: consume the raised flag, or store the waker.
 * @param e the event
 * @param w the polling task's waker
 * @return TASK_READY if the event was raised since the last ready poll
 */
enum poll_result async_event_poll(struct async_event *e, const struct waker *w);

/**
 * @brief Release the event's stored waker.
 * @param e the event
 */
void async_event_drop(struct async_event *e);

#endif
