/*
 * executor.c - the async executor (sched/executor.h).
 *
 * Layer: above libarch (spinlocks, CPU primitives), below drivers that wake
 * tasks. Locking: ex->lock (interrupt-safe) protects the ready queue, every
 * task's state and reference count. Poll functions, drop hooks and the
 * allocator run without the lock held.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <sched/executor.h>

int executor_init(struct executor *ex, const struct executor_config *cfg)
{
    if (!cfg || !cfg->alloc || !cfg->free)
        return -EINVAL;
    *ex = (struct executor){ .cfg = *cfg, .next_id = 1 };
    spin_init(&ex->lock, "executor");
    return 0;
}

/* Caller holds ex->lock. */
static void enqueue(struct executor *ex, struct task *t)
{
    t->st = TASK_QUEUED;
    t->next = NULL;
    if (ex->tail)
        ex->tail->next = t;
    else
        ex->head = t;
    ex->tail = t;
    if (ex->cfg.notify)
        ex->cfg.notify(ex->cfg.idle_ctx);
}

/* Caller holds ex->lock. */
static struct task *dequeue(struct executor *ex)
{
    struct task *t = ex->head;
    if (t) {
        ex->head = t->next;
        if (!ex->head)
            ex->tail = NULL;
        t->next = NULL;
    }
    return t;
}

/* Drop one reference; free the task when it was the last. */
static void task_release(struct task *t)
{
    struct executor *ex = t->ex;
    uint64_t f = spin_lock_irqsave(&ex->lock);
    bool last = --t->refs == 0;
    spin_unlock_irqrestore(&ex->lock, f);
    if (last)
        ex->cfg.free(t);
}

/* The task has ended (finished or cancelled); the caller no longer holds the lock
 * and has already set t->st = TASK_DONE. */
static void task_finish(struct task *t)
{
    if (t->drop)
        t->drop(t->state);
    task_release(t); /* the executor's own reference */
}

struct task *executor_spawn(struct executor *ex, const char *name, task_poll_fn poll, void *state,
                            void (*drop)(void *state))
{
    struct task *t = ex->cfg.alloc(sizeof(*t));
    if (!t)
        return NULL;
    *t = (struct task){
        .ex = ex,
        .poll = poll,
        .state = state,
        .drop = drop,
        .name = name,
        .refs = 1,
    };
    uint64_t f = spin_lock_irqsave(&ex->lock);
    t->id = ex->next_id++;
    ex->live++;
    enqueue(ex, t);
    spin_unlock_irqrestore(&ex->lock, f);
    return t;
}

uint64_t executor_run_ready(struct executor *ex)
{
    uint64_t polls = 0;
    for (;;) {
        uint64_t f = spin_lock_irqsave(&ex->lock);
        struct task *t = dequeue(ex);
        if (!t) {
            spin_unlock_irqrestore(&ex->lock, f);
            return polls;
        }
        bool cancelled = t->cancelled;
        t->st = cancelled ? TASK_DONE : TASK_RUNNING;
        if (cancelled)
            ex->live--;
        spin_unlock_irqrestore(&ex->lock, f);
        if (cancelled) {
            task_finish(t);
            continue;
        }

        struct waker w = { t };
        enum poll_result r = t->poll(t->state, &w);
        polls++;

        f = spin_lock_irqsave(&ex->lock);
        t->polls++;
        ex->polls++;
        bool done = r == TASK_READY || t->cancelled;
        if (done) {
            t->st = TASK_DONE;
            ex->live--;
        } else if (t->st == TASK_RUNNING_WOKEN) {
            enqueue(ex, t); /* woken during its own poll: poll again */
        } else {
            t->st = TASK_IDLE;
        }
        spin_unlock_irqrestore(&ex->lock, f);
        if (done)
            task_finish(t);
    }
}

void executor_run(struct executor *ex)
{
    for (;;) {
        executor_run_ready(ex);
        if (executor_live_tasks(ex) == 0 || !ex->cfg.idle)
            return;
        /* Check and sleep with interrupts off: a wake from an interrupt handler
         * either happened before the check, or is delivered right after the
         * idle hook's `sti` and ends its `hlt`. */
        uint64_t f = cpu_irq_save();
        spin_lock(&ex->lock);
        bool empty = ex->head == NULL;
        spin_unlock(&ex->lock);
        if (empty)
            ex->cfg.idle(ex->cfg.idle_ctx);
        cpu_irq_restore(f);
    }
}

void executor_cancel(struct task *t)
{
    struct executor *ex = t->ex;
    uint64_t f = spin_lock_irqsave(&ex->lock);
    bool finish_now = false;
    if (t->st != TASK_DONE && !t->cancelled) {
        t->cancelled = true;
        if (t->st == TASK_IDLE) { /* nobody will pick it up: end it here */
            t->st = TASK_DONE;
            ex->live--;
            finish_now = true;
        }
        /* QUEUED: ended when dequeued; RUNNING: ended after its poll. */
    }
    spin_unlock_irqrestore(&ex->lock, f);
    if (finish_now)
        task_finish(t);
}

uint32_t executor_live_tasks(struct executor *ex)
{
    uint64_t f = spin_lock_irqsave(&ex->lock);
    uint32_t n = ex->live;
    spin_unlock_irqrestore(&ex->lock, f);
    return n;
}

void waker_clone(const struct waker *w, struct waker *out)
{
    out->task = w->task;
    if (!w->task)
        return;
    uint64_t f = spin_lock_irqsave(&w->task->ex->lock);
    w->task->refs++;
    spin_unlock_irqrestore(&w->task->ex->lock, f);
}

void waker_wake(const struct waker *w)
{
    struct task *t = w->task;
    if (!t)
        return;
    struct executor *ex = t->ex;
    uint64_t f = spin_lock_irqsave(&ex->lock);
    if (t->st == TASK_IDLE && !t->cancelled) {
        enqueue(ex, t);
        ex->wakes++;
    } else if (t->st == TASK_RUNNING) {
        t->st = TASK_RUNNING_WOKEN;
    }
    spin_unlock_irqrestore(&ex->lock, f);
}

void waker_drop(struct waker *w)
{
    if (w->task)
        task_release(w->task);
    w->task = NULL;
}

void waker_wake_and_drop(struct waker *w)
{
    waker_wake(w);
    waker_drop(w);
}
