/*
 * sync.c - wait queues, mutexes and semaphores on top of the scheduler
 * (sched/sync.h).
 *
 * Locking: each operation runs with interrupts disabled on its CPU, which keeps
 * out this CPU's interrupt handlers and its other threads; other CPUs are kept
 * out by the big kernel lock, which every caller holds (as for the scheduler,
 * sched.c). A waiter sleeps with the big lock still on its CPU: the next
 * thread there runs with it.
 */
#include <arch/cpu.h>
#include <arch/panic.h>
#include <sched/sync.h>

#include "sched_priv.h"

void wait_queue_init(struct wait_queue *wq)
{
    wq->head = wq->tail = NULL;
}

void wait_queue_sleep_locked(struct wait_queue *wq)
{
    struct thread *t = thread_current();
    t->waiting = wq;
    t->next = NULL;
    if (wq->tail)
        wq->tail->next = t;
    else
        wq->head = t;
    wq->tail = t;
    sched_block_locked();
}

bool wait_queue_wake_one(struct wait_queue *wq)
{
    uint64_t f = cpu_irq_save();
    struct thread *t = wq->head;
    if (t) {
        wq->head = t->next;
        if (!wq->head)
            wq->tail = NULL;
        t->waiting = NULL;
        sched_wake_locked(t);
    }
    cpu_irq_restore(f);
    return t != NULL;
}

int wait_queue_wake_all(struct wait_queue *wq)
{
    int n = 0;
    while (wait_queue_wake_one(wq))
        n++;
    return n;
}

void mutex_init(struct mutex *m)
{
    m->owner = NULL;
    m->contended = 0;
    wait_queue_init(&m->wq);
}

void mutex_lock(struct mutex *m)
{
    uint64_t f = cpu_irq_save();
    assert(m->owner != thread_current()); /* not recursive */
    while (m->owner) {
        m->contended++;
        wait_queue_sleep_locked(&m->wq);
    }
    m->owner = thread_current();
    cpu_irq_restore(f);
}

bool mutex_trylock(struct mutex *m)
{
    uint64_t f = cpu_irq_save();
    bool ok = m->owner == NULL;
    if (ok)
        m->owner = thread_current();
    cpu_irq_restore(f);
    return ok;
}

void mutex_unlock(struct mutex *m)
{
    uint64_t f = cpu_irq_save();
    assert(m->owner == thread_current());
    m->owner = NULL;
    wait_queue_wake_one(&m->wq);
    cpu_irq_restore(f);
}

bool mutex_held(const struct mutex *m)
{
    return m->owner == thread_current();
}

void semaphore_init(struct semaphore *s, int64_t count)
{
    s->count = count;
    wait_queue_init(&s->wq);
}

void semaphore_down(struct semaphore *s)
{
    uint64_t f = cpu_irq_save();
    while (s->count <= 0)
        wait_queue_sleep_locked(&s->wq);
    s->count--;
    cpu_irq_restore(f);
}

bool semaphore_trydown(struct semaphore *s)
{
    uint64_t f = cpu_irq_save();
    bool ok = s->count > 0;
    if (ok)
        s->count--;
    cpu_irq_restore(f);
    return ok;
}

void semaphore_up(struct semaphore *s)
{
    uint64_t f = cpu_irq_save();
    s->count++;
    wait_queue_wake_one(&s->wq);
    cpu_irq_restore(f);
}
