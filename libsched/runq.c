/*
 * runq.c - per-CPU run queues with placement and work stealing (sched/runq.h).
 *
 * Layer: libsched's policy, below sched.c, above nothing: plain lists of
 * struct thread linked through `next`. Every scan is bounded by
 * SCHED_MAX_CPUS, except stealing, which walks one victim queue to find the
 * oldest thread whose affinity allows the thief (O(queue length)).
 *
 * Locking: none; the scheduler serialises the calls (see the header).
 */
#include <k/errno.h>
#include <sched/runq.h>
#include <sched/thread.h>
#include <string.h>

void runq_init(struct runq *rq)
{
    memset(rq, 0, sizeof(*rq));
}

int runq_cpu_online(struct runq *rq, unsigned cpu)
{
    if (cpu >= SCHED_MAX_CPUS)
        return -EINVAL;
    if (rq->cpu[cpu].online)
        return -EEXIST;
    rq->cpu[cpu].online = true;
    rq->online_mask |= 1ull << cpu;
    rq->online++;
    if (cpu + 1 > rq->ncpus)
        rq->ncpus = cpu + 1;
    return 0;
}

bool runq_allowed(const struct runq *rq, const struct thread *t, unsigned cpu)
{
    if (cpu >= rq->ncpus || !rq->cpu[cpu].online)
        return false;
    return t->affinity == 0 || (t->affinity & (1ull << cpu));
}

/* How busy @p c looks to a newcomer: its queue, plus one if it runs a thread. */
static uint32_t load(const struct runq_cpu *c)
{
    return c->len + (c->idle ? 0 : 1);
}

unsigned runq_place(const struct runq *rq, const struct thread *t, unsigned self)
{
    unsigned last = t->cpu;
    if (runq_allowed(rq, t, last) && rq->cpu[last].idle && rq->cpu[last].len == 0)
        return last; /* warm caches, and nobody waits there */
    int best = -1;
    uint32_t best_load = UINT32_MAX;
    /* Candidates in order of preference among equal loads: self, then the
     * last CPU, then the rest by number. */
    unsigned order[SCHED_MAX_CPUS + 2];
    unsigned n = 0;
    order[n++] = self;
    order[n++] = last;
    for (unsigned c = 0; c < rq->ncpus; c++)
        order[n++] = c;
    for (unsigned i = 0; i < n; i++) {
        unsigned c = order[i];
        if (!runq_allowed(rq, t, c))
            continue;
        uint32_t l = load(&rq->cpu[c]);
        if (l < best_load) {
            best = (int)c;
            best_load = l;
        }
    }
    return best >= 0 ? (unsigned)best : self;
}

unsigned runq_requeue(const struct runq *rq, const struct thread *t, unsigned self)
{
    unsigned best = self;
    bool have = runq_allowed(rq, t, self);
    for (unsigned c = 0; c < rq->ncpus; c++) {
        if (c == self || !runq_allowed(rq, t, c))
            continue;
        if (!have || rq->cpu[c].len < rq->cpu[best].len) {
            best = c;
            have = true;
        }
    }
    return best;
}

void runq_push(struct runq *rq, unsigned cpu, struct thread *t)
{
    struct runq_cpu *c = &rq->cpu[cpu];
    t->state = THREAD_READY;
    t->cpu = cpu;
    t->queued_seq = rq->seq++;
    t->next = NULL;
    if (c->tail)
        c->tail->next = t;
    else
        c->head = t;
    c->tail = t;
    c->len++;
}

/* Unlink the thread after @p prev (NULL: the head) from @p c's queue. */
static struct thread *unlink_after(struct runq_cpu *c, struct thread *prev)
{
    struct thread *t = prev ? prev->next : c->head;
    if (prev)
        prev->next = t->next;
    else
        c->head = t->next;
    if (c->tail == t)
        c->tail = prev;
    t->next = NULL;
    c->len--;
    return t;
}

/* The oldest thread in @p v's queue that @p cpu may run, unlinked; or NULL. */
static struct thread *steal_from(struct runq *rq, unsigned v, unsigned cpu)
{
    struct runq_cpu *c = &rq->cpu[v];
    struct thread *prev = NULL;
    for (struct thread *t = c->head; t; prev = t, t = t->next)
        if (runq_allowed(rq, t, cpu))
            return unlink_after(c, prev);
    return NULL;
}

/*
 * Another queue whose first thread @p cpu may run and which was queued before
 * @p own by more than half a round of the CPUs; or -1. The margin trades
 * fairness for locality: with 10 threads on 4 simulated CPUs (test_runq.c)
 * a margin of 0 gives each thread exactly its share but moves a thread on
 * almost every slice; half a round keeps every share within 3% and moves
 * two slices in three; a whole round or more never moves one, and leaves
 * the threads of a CPU with three of them a third less time than the others.
 * With no more threads than CPUs nothing ever moves.
 */
static int older_queue(const struct runq *rq, unsigned cpu, const struct thread *own)
{
    uint64_t round = rq->online / 2;
    int best = -1;
    uint64_t best_seq = own->queued_seq > round ? own->queued_seq - round : 0;
    for (unsigned v = 0; v < rq->ncpus; v++) {
        const struct thread *h = rq->cpu[v].head;
        if (v == cpu || !h || h->queued_seq >= best_seq || !runq_allowed(rq, h, cpu))
            continue;
        best = (int)v;
        best_seq = h->queued_seq;
    }
    return best;
}

struct thread *runq_pop(struct runq *rq, unsigned cpu)
{
    struct runq_cpu *self = &rq->cpu[cpu];
    if (self->head) {
        int v = older_queue(rq, cpu, self->head);
        struct runq_cpu *from = v < 0 ? self : &rq->cpu[v];
        struct thread *t = unlink_after(from, NULL);
        if (v >= 0) {
            self->steals++;
            from->stolen_from++;
        }
        t->cpu = cpu;
        return t;
    }
    /* Steal: try victims from the longest queue down, so one whose threads
     * are all pinned elsewhere does not stop us from helping another. */
    uint64_t tried = 0;
    for (;;) {
        int victim = -1;
        for (unsigned v = 0; v < rq->ncpus; v++) {
            if (v == cpu || (tried & (1ull << v)) || rq->cpu[v].len == 0)
                continue;
            if (victim < 0 || rq->cpu[v].len > rq->cpu[victim].len)
                victim = (int)v;
        }
        if (victim < 0)
            return NULL;
        tried |= 1ull << victim;
        struct thread *t = steal_from(rq, (unsigned)victim, cpu);
        if (t) {
            t->cpu = cpu;
            self->steals++;
            rq->cpu[victim].stolen_from++;
            return t;
        }
    }
}

bool runq_remove(struct runq *rq, struct thread *t)
{
    if (t->cpu >= SCHED_MAX_CPUS)
        return false;
    struct runq_cpu *c = &rq->cpu[t->cpu];
    struct thread *prev = NULL;
    for (struct thread *q = c->head; q; prev = q, q = q->next) {
        if (q == t) {
            unlink_after(c, prev);
            return true;
        }
    }
    return false;
}

int runq_idle_cpu(const struct runq *rq, unsigned cpu, unsigned self)
{
    const struct runq_cpu *src = &rq->cpu[cpu];
    for (unsigned c = 0; c < rq->ncpus; c++) {
        if (c == self || !rq->cpu[c].online || !rq->cpu[c].idle || rq->cpu[c].len)
            continue;
        for (const struct thread *t = src->head; t; t = t->next)
            if (runq_allowed(rq, t, c))
                return (int)c;
    }
    return -1;
}

uint32_t runq_total(const struct runq *rq)
{
    uint32_t n = 0;
    for (unsigned c = 0; c < rq->ncpus; c++)
        n += rq->cpu[c].len;
    return n;
}
