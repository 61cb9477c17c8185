/*
 * async.c - timer sleeps, one-shot channels and interrupt events (sched/async.h).
 *
 * Locking: each object has its own interrupt-safe lock. Lock order: an
 * object's lock may be held while waking (which takes the executor's lock),
 * never the other way round; stored wakers are dropped after unlocking.
 */
#include <k/errno.h>
#include <sched/async.h>

/* Replace the stored waker with a clone of @w, unless it is already that task. */
static void store_waker(struct waker *slot, const struct waker *w, struct waker *old)
{
    *old = (struct waker){ NULL };
    if (slot->task == w->task)
        return;
    *old = *slot;
    waker_clone(w, slot);
}

void timer_queue_init(struct timer_queue *q, uint64_t (*now_ms)(void))
{
    spin_init(&q->lock, "timerq");
    q->head = NULL;
    q->now_ms = now_ms;
}

int timer_queue_expire(struct timer_queue *q)
{
    int n = 0;
    for (;;) {
        uint64_t now = q->now_ms();
        uint64_t f = spin_lock_irqsave(&q->lock);
        struct sleep_future *s = q->head;
        if (!s || s->deadline > now) {
            spin_unlock_irqrestore(&q->lock, f);
            return n;
        }
        q->head = s->next;
        s->queued = false;
        struct waker w = s->waker;
        s->waker.task = NULL;
        spin_unlock_irqrestore(&q->lock, f);
        waker_wake_and_drop(&w);
        n++;
    }
}

void sleep_future_init(struct sleep_future *f, struct timer_queue *q, uint64_t ms)
{
    *f = (struct sleep_future){ .q = q, .deadline = q->now_ms() + ms };
}

enum poll_result sleep_future_poll(struct sleep_future *f, const struct waker *w)
{
    struct timer_queue *q = f->q;
    if (q->now_ms() >= f->deadline) {
        sleep_future_cancel(f); /* leave nothing queued behind */
        return TASK_READY;
    }
    struct waker old;
    uint64_t fl = spin_lock_irqsave(&q->lock);
    store_waker(&f->waker, w, &old);
    if (!f->queued) {
        struct sleep_future **pp = &q->head;
        while (*pp && (*pp)->deadline <= f->deadline)
            pp = &(*pp)->next;
        f->next = *pp;
        *pp = f;
        f->queued = true;
    }
    spin_unlock_irqrestore(&q->lock, fl);
    waker_drop(&old);
    return TASK_PENDING;
}

void sleep_future_cancel(struct sleep_future *f)
{
    struct timer_queue *q = f->q;
    uint64_t fl = spin_lock_irqsave(&q->lock);
    if (f->queued) {
        struct sleep_future **pp = &q->head;
        while (*pp && *pp != f)
            pp = &(*pp)->next;
        if (*pp)
            *pp = f->next;
        f->queued = false;
    }
    struct waker w = f->waker;
    f->waker.task = NULL;
    spin_unlock_irqrestore(&q->lock, fl);
    waker_drop(&w);
}

void oneshot_init(struct oneshot *c)
{
    *c = (struct oneshot){ 0 };
    spin_init(&c->lock, "oneshot");
}

static int oneshot_finish(struct oneshot *c, bool send, uint64_t v)
{
    uint64_t f = spin_lock_irqsave(&c->lock);
    if (c->sent || c->closed) {
        spin_unlock_irqrestore(&c->lock, f);
        return -EPIPE;
    }
    if (send) {
        c->value = v;
        c->sent = true;
    } else {
        c->closed = true;
    }
    struct waker w = c->rx;
    c->rx.task = NULL;
    spin_unlock_irqrestore(&c->lock, f);
    waker_wake_and_drop(&w);
    return 0;
}

int oneshot_send(struct oneshot *c, uint64_t v)
{
    return oneshot_finish(c, true, v);
}

void oneshot_close(struct oneshot *c)
{
    oneshot_finish(c, false, 0);
}

enum poll_result oneshot_poll(struct oneshot *c, const struct waker *w, uint64_t *out, int *err)
{
    struct waker old = { NULL };
    uint64_t f = spin_lock_irqsave(&c->lock);
    enum poll_result r = TASK_READY;
    if (c->sent && !c->taken) {
        c->taken = true;
        *out = c->value;
        *err = 0;
    } else if (c->closed || c->taken) {
        *err = -EPIPE;
    } else {
        store_waker(&c->rx, w, &old);
        r = TASK_PENDING;
    }
    spin_unlock_irqrestore(&c->lock, f);
    waker_drop(&old);
    return r;
}

void oneshot_drop(struct oneshot *c)
{
    uint64_t f = spin_lock_irqsave(&c->lock);
    struct waker w = c->rx;
    c->rx.task = NULL;
    spin_unlock_irqrestore(&c->lock, f);
    waker_drop(&w);
}

void async_event_init(struct async_event *e)
{
    *e = (struct async_event){ 0 };
    spin_init(&e->lock, "event");
}

void async_event_signal(struct async_event *e)
{
    uint64_t f = spin_lock_irqsave(&e->lock);
    e->signaled = true;
    e->signals++;
    /* The stored waker is kept: the task usually waits on this event again.
     * Lock order: an object's lock, then the executor's. */
    waker_wake(&e->w);
    spin_unlock_irqrestore(&e->lock, f);
}

enum poll_result async_event_poll(struct async_event *e, const struct waker *w)
{
    struct waker old = { NULL };
    uint64_t f = spin_lock_irqsave(&e->lock);
    enum poll_result r = TASK_PENDING;
    if (e->signaled) {
        e->signaled = false;
        r = TASK_READY;
    } else {
        store_waker(&e->w, w, &old);
    }
    spin_unlock_irqrestore(&e->lock, f);
    waker_drop(&old);
    return r;
}

void async_event_drop(struct async_event *e)
{
    uint64_t f = spin_lock_irqsave(&e->lock);
    struct waker w = e->w;
    e->w.task = NULL;
    spin_unlock_irqrestore(&e->lock, f);
    waker_drop(&w);
}
