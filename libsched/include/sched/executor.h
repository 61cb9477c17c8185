/**
 * @file sched/executor.h
 * @brief The cooperative async executor: tasks, wakers, and a run loop that
 * halts the CPU when nothing is ready.
 *
 * A task is a poll function plus its state. Polling returns TASK_READY (done:
 * the executor drops it) or TASK_PENDING (it stored a waker with whatever it
 * waits for, and will be polled again once woken). A waker refers to its task
 * with a reference count, so it can be kept by an event source (an interrupt
 * handler, a timer list) safely after the task has finished. Waking a task puts
 * it on the ready queue exactly once, however often it is woken, including
 * while it is being polled (it is then polled again afterwards).
 *
 * Wakers may be used from interrupt handlers: the ready queue is protected by an
 * interrupt-safe spinlock. The run loop checks for ready tasks with interrupts
 * disabled and halts with `sti; hlt`, so a wakeup that races with going to
 * sleep is never lost.
 *
 * Locking: the spinlock "executor" (irqsave) of each executor protects its
 * ready queue, its counters, and every task's state and reference count. Poll
 * functions, drop hooks and the allocator run without it; the notify hook runs
 * under it, so it must not block (the kernel's is semaphore_up()). Lock order:
 * an async object's lock (sched/async.h), then "executor"; nothing else is
 * taken under it.
 *
 * Memory: tasks are allocated with the hooks in `struct executor_config`
 * (kmalloc in the kernel). A task's `state` belongs to the caller; `drop` (if
 * given) is called once the task is finished or cancelled.
 */
#ifndef SCHED_EXECUTOR_H
#define SCHED_EXECUTOR_H

#include <arch/spinlock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct executor;

/** @brief What a poll returns. */
enum poll_result {
    TASK_PENDING = 0, /**< Not finished; a waker was stored. */
    TASK_READY = 1,   /**< Finished: the task is dropped. */
};

/** @brief A handle that puts a task back on its executor's ready queue. */
struct waker {
    struct task *task; /**< The task (NULL: an empty waker). */
};

/**
 * @brief A task's poll function.
 * @param state the task's state, as given to executor_spawn()
 * @param waker wakes this task; clone it with waker_clone() to keep it
 * @return TASK_READY or TASK_PENDING
 */
typedef enum poll_result (*task_poll_fn)(void *state, const struct waker *waker);

/** @brief Allocation and idle hooks for an executor. */
struct executor_config {
    /** @brief Allocate @p size bytes (NULL on failure). */
    void *(*alloc)(size_t size);
    /** @brief Free what alloc() returned. */
    void (*free)(void *p);
    /**
     * @brief Wait for an interrupt when nothing is ready; called with interrupts
     * disabled and must return with them disabled (the kernel's `sti; hlt; cli`).
     * NULL: executor_run() returns when idle instead.
     */
    void (*idle)(void *ctx);
    void *idle_ctx; /**< Passed to idle() and notify(). */
    /**
     * @brief Called (possibly from an interrupt handler, with the executor's
     * lock held) whenever a task is queued: lets an idle hook that blocks a
     * thread be woken. May be NULL.
     */
    void (*notify)(void *ctx);
};

/** @brief Task states (exposed for tests and the `ps` listing). */
enum task_state {
    TASK_IDLE,          /**< Waiting for a wake. */
    TASK_QUEUED,        /**< On the ready queue. */
    TASK_RUNNING,       /**< Being polled. */
    TASK_RUNNING_WOKEN, /**< Woken while being polled: poll again. */
    TASK_DONE,          /**< Finished or cancelled. */
};

/** @brief One task. Opaque to users except through the functions below. */
struct task {
    struct executor *ex;       /**< Owner. */
    task_poll_fn poll;         /**< Poll function. */
    void *state;               /**< Caller's state. */
    void (*drop)(void *state); /**< Called once when finished or cancelled. */
    const char *name;          /**< For listings. */
    uint64_t id;               /**< Unique id. */
    uint32_t refs;             /**< Executor's reference + one per waker clone. */
    enum task_state st;        /**< Current state. */
    bool cancelled;            /**< executor_cancel() was called. */
    uint64_t polls;            /**< Times polled. */
    struct task *next;         /**< Ready-queue link. */
};

/** @brief An executor: a ready queue and counters. */
struct executor {
    struct executor_config cfg; /**< Hooks. */
    struct spinlock lock;       /**< Protects the queue and task states. */
    struct task *head;          /**< Ready queue head. */
    struct task *tail;          /**< Ready queue tail. */
    uint64_t next_id;           /**< Next task id. */
    uint32_t live;              /**< Tasks not yet finished. */
    uint64_t polls;             /**< Total polls. */
    uint64_t wakes;             /**< Wakes that queued a task. */
};

/**
 * @brief Set up an executor.
 * @param ex  the executor
 * @param cfg hooks (alloc and free are required)
 * @return 0, or -EINVAL when a required hook is missing
 */
int executor_init(struct executor *ex, const struct executor_config *cfg);

/**
 * @brief Create a task and queue it for its first poll. Safe from a task and
 * from interrupt context (if the alloc hook is).
 * @param ex    the executor
 * @param name  for listings (not copied)
 * @param poll  the poll function
 * @param state passed to @p poll and @p drop
 * @param drop  called once when the task ends (may be NULL)
 * @return the task, or NULL when allocation failed
 */
struct task *executor_spawn(struct executor *ex, const char *name, task_poll_fn poll, void *state,
                            void (*drop)(void *state));

/**
 * @brief Poll ready tasks until none is ready.
 * @param ex the executor
 * @return the number of polls made
 */
uint64_t executor_run_ready(struct executor *ex);

/**
 * @brief Run forever: poll ready tasks; when none is ready, call the idle hook
 * (with interrupts disabled, so no wakeup is lost). Returns only if there is no
 * idle hook and nothing is ready, or when no task is left.
 * @param ex the executor
 */
void executor_run(struct executor *ex);

/**
 * @brief Cancel a task: it will not be polled again and is dropped as soon as
 * it is not being polled. Wakers still held stay valid (waking does nothing).
 * @param t the task
 */
void executor_cancel(struct task *t);

/** @brief Tasks not yet finished. @param ex the executor @return the count */
uint32_t executor_live_tasks(struct executor *ex);

/**
 * @brief Keep a waker: take a reference to its task.
 * @param w   the waker given to poll
 * @param out the clone (store this)
 */
void waker_clone(const struct waker *w, struct waker *out);

/**
 * @brief Wake the task: queue it unless it is already queued or finished.
 * Interrupt-safe. Does not consume the waker.
 * @param w the waker (an empty waker is ignored)
 */
void waker_wake(const struct waker *w);

/**
 * @brief Release a cloned waker (the task is freed when it has ended and no
 * waker refers to it). Leaves @p w empty.
 * @param w the waker
 */
void waker_drop(struct waker *w);

/**
 * @brief Wake, then release, a cloned waker.
 * @param w the waker
 */
void waker_wake_and_drop(struct waker *w);

#endif
