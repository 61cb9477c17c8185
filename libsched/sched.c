/*
 * sched.c - kernel threads and the scheduler (sched/thread.h): round robin on
 * each CPU, over the per-CPU run queues of runq.c.
 *
 * Layer: above libarch (context switch, CPU primitives), below the drivers and
 * the kernel. State: each CPU has its running thread, its idle thread and a
 * reschedule flag (struct sched_cpu, found through cfg.cpu_index); the run
 * queues, the sleep list, the thread list and the reap list are shared.
 *
 * Locking: every function touches this state with interrupts disabled on its
 * CPU, which is the whole rule while one CPU runs threads. Other CPUs may
 * only enter here under the kernel's big lock (one CPU in the kernel at a
 * time: the tick on another CPU takes it too, arch/timer.h); a scheduler lock
 * of its own, held across the switch, replaces that when the big lock is
 * broken up. That covers the shared lists and every CPU's struct sched_cpu
 * too, which other CPUs read (on_a_cpu()) and write (need_resched, from
 * thread_set_affinity()). One exception: sched_tick_local(), another CPU's
 * tick, runs without the big lock (so that CPUs running user code do not
 * meet at it on every tick): it touches only its own CPU's accounting (the
 * running thread's ticks and slice, the CPU's busy_ticks) and need_resched,
 * which is why those are read and written atomically. schedule() is entered
 * with interrupts disabled and the thread that resumes restores its own
 * interrupt state. A thread blocks only with no spinlock held
 * (check_may_block()); sched_preempt() does not switch while one is.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/panic.h>
#include <arch/pic.h>
#include <arch/spinlock.h>
#include "sched_priv.h"
#include <sched/runq.h>
#include <sched/thread.h>
#include <string.h>

#define DEFAULT_STACK_SIZE (16 * 1024)
#define DEFAULT_SLICE      10

/* One CPU's scheduler state; the rest (queues, sleepers, lists) is shared. */
struct sched_cpu {
    struct thread *current;
    struct thread *idle; /* runs when its queue is empty and nothing can be stolen */
    bool need_resched;
    uint64_t busy_ticks; /* ticks that found another thread running: kept when it exits */
};

static struct sched_config cfg;
static struct thread boot_thread;
static struct sched_cpu cpus[SCHED_MAX_CPUS];
static struct runq rq;
static struct thread *sleepers;    /* ordered by wake_at */
static struct thread *all_threads; /* every thread but the idle ones */
static struct thread *reap_list;   /* detached threads that have exited */
static uint64_t next_id;
static uint64_t switches;

static unsigned this_cpu(void)
{
    return cfg.cpu_index ? cfg.cpu_index() : 0;
}

static struct sched_cpu *me(void)
{
    return &cpus[this_cpu()];
}

/* Wake @p cpu if it idles with threads it could take: an IPI's worth. */
static void kick_idle_for(unsigned queue, unsigned self)
{
    if (!cfg.kick)
        return;
    int c = runq_idle_cpu(&rq, queue, self);
    if (c >= 0)
        cfg.kick((unsigned)c);
}

/* Make a blocked, sleeping or new thread runnable (interrupts disabled). */
static void make_ready(struct thread *t)
{
    unsigned self = this_cpu();
    unsigned c = runq_place(&rq, t, self);
    runq_push(&rq, c, t);
    if (c == self) {
        if (cpus[self].current == cpus[self].idle)
            /* leave the idle loop at the next interrupt exit */
            __atomic_store_n(&cpus[self].need_resched, true, __ATOMIC_RELAXED);
        else
            kick_idle_for(c, self);
    } else if (rq.cpu[c].idle && cfg.kick) {
        cfg.kick(c);
    }
}

static void unlink_all(struct thread *t)
{
    for (struct thread **pp = &all_threads; *pp; pp = &(*pp)->all_next) {
        if (*pp == t) {
            *pp = t->all_next;
            return;
        }
    }
}

static void free_thread(struct thread *t)
{
    sched_context_destroy(&t->ctx);
    cfg.stack_free(t->stack, t->stack_size);
    cfg.free(t);
}

/* Is @p t some CPU's running thread (its stack still in use)? */
static bool on_a_cpu(const struct thread *t)
{
    for (unsigned c = 0; c < rq.ncpus; c++)
        if (cpus[c].current == t)
            return true;
    return false;
}

/* Free exited detached threads, except those still on a CPU's stack. */
static void reap(void)
{
    struct thread **pp = &reap_list;
    while (*pp) {
        struct thread *t = *pp;
        if (on_a_cpu(t)) {
            pp = &t->next;
            continue;
        }
        *pp = t->next;
        unlink_all(t);
        free_thread(t);
    }
}

/* Switch to the next runnable thread. Interrupts are disabled. */
static void schedule(void)
{
    unsigned self = this_cpu();
    struct sched_cpu *c = &cpus[self];
    struct thread *prev = c->current;
    if (prev->state == THREAD_RUNNING && prev != c->idle) {
        /* Preempted or yielding: to the shortest queue it may join (this
         * CPU's among equals). */
        runq_push(&rq, runq_requeue(&rq, prev, self), prev);
    }
    struct thread *next = runq_pop(&rq, self);
    if (!next)
        next = c->idle;
    rq.cpu[self].idle = next == c->idle;
    __atomic_store_n(&c->need_resched, false, __ATOMIC_RELAXED);
    next->slice = cfg.slice_ticks;
    next->state = THREAD_RUNNING;
    next->cpu = self;
    if (rq.cpu[self].len)
        kick_idle_for(self, self); /* more waiting here: an idle CPU can steal */
    if (next == prev)
        return;
    c->current = next;
    switches++;
    if (cfg.switch_hook)
        cfg.switch_hook(prev, next);
    sched_context_switch(&prev->ctx, &next->ctx);
    reap(); /* back on prev's stack: any exited thread is off the CPU now */
}

/* The running thread is about to block: it must hold no spinlock (the lock
 * would stay taken, and preemption off, while other threads run). */
static void check_may_block(void)
{
    assert(preempt_count() == 0 && "a thread blocks holding a spinlock");
}

/* Could this CPU run something now (its queue, or a queue it may steal from)? */
static bool work_for(unsigned self)
{
    if (rq.cpu[self].len)
        return true;
    for (unsigned v = 0; v < rq.ncpus; v++)
        if (v != self)
            for (const struct thread *t = rq.cpu[v].head; t; t = t->next)
                if (runq_allowed(&rq, t, self))
                    return true;
    return false;
}

static void idle_loop(void *arg)
{
    (void)arg;
    for (;;) {
        cfg.idle(); /* sti; hlt: an interrupt that readies a thread preempts us */
        uint64_t f = cpu_irq_save();
        if (work_for(this_cpu()))
            schedule();
        cpu_irq_restore(f);
    }
}

static struct thread *new_thread(const char *name, void (*entry)(void *), void *arg,
                                 size_t stack_size)
{
    struct thread *t = cfg.alloc(sizeof(*t));
    if (!t)
        return NULL;
    memset(t, 0, sizeof(*t));
    t->stack = cfg.stack_alloc(stack_size);
    if (!t->stack) {
        cfg.free(t);
        return NULL;
    }
    t->stack_size = stack_size;
    size_t n = strlen(name);
    if (n >= THREAD_NAME_MAX)
        n = THREAD_NAME_MAX - 1;
    memcpy(t->name, name, n);
    t->entry = entry;
    t->arg = arg;
    sched_context_init(&t->ctx, t->stack, t->stack_size);
    return t;
}

int sched_init(const struct sched_config *c)
{
    if (!c || !c->alloc || !c->free || !c->stack_alloc || !c->stack_free || !c->idle || !c->now_ms)
        return -EINVAL;
    cfg = *c;
    if (!cfg.stack_size)
        cfg.stack_size = DEFAULT_STACK_SIZE;
    if (!cfg.slice_ticks)
        cfg.slice_ticks = DEFAULT_SLICE;
    runq_init(&rq);
    memset(cpus, 0, sizeof(cpus));
    sleepers = reap_list = NULL;
    switches = 0;
    unsigned self = this_cpu();
    if (self >= SCHED_MAX_CPUS)
        return -EINVAL;

    memset(&boot_thread, 0, sizeof(boot_thread));
    memcpy(boot_thread.name, "main", 5);
    boot_thread.state = THREAD_RUNNING;
    boot_thread.slice = cfg.slice_ticks;
    boot_thread.cpu = self;
    boot_thread.affinity = 1ull << self; /* the boot CPU's context, where kmain goes on */
    all_threads = &boot_thread;
    next_id = 1;

    struct thread *idle = new_thread("idle", idle_loop, NULL, cfg.stack_size);
    if (!idle)
        return -ENOMEM;
    idle->id = next_id++;
    idle->detached = true;
    idle->cpu = self;
    idle->affinity = 1ull << self;
    cpus[self] = (struct sched_cpu){ .current = &boot_thread, .idle = idle };
    runq_cpu_online(&rq, self);
    return 0;
}

int sched_cpu_enter(const char *name)
{
    uint64_t f = cpu_irq_save();
    unsigned self = this_cpu();
    if (self >= SCHED_MAX_CPUS || rq.cpu[self].online) {
        cpu_irq_restore(f);
        return -EINVAL;
    }
    struct thread *t = cfg.alloc(sizeof(*t));
    if (!t) {
        cpu_irq_restore(f);
        return -ENOMEM;
    }
    /* The calling context, on the stack the CPU started on, becomes this
     * CPU's idle thread: it is never queued, and never freed. */
    memset(t, 0, sizeof(*t));
    size_t n = strlen(name);
    memcpy(t->name, name, n < THREAD_NAME_MAX ? n : THREAD_NAME_MAX - 1);
    t->id = next_id++;
    t->state = THREAD_RUNNING;
    t->detached = true;
    t->cpu = self;
    t->affinity = 1ull << self;
    cpus[self] = (struct sched_cpu){ .current = t, .idle = t };
    runq_cpu_online(&rq, self);
    rq.cpu[self].idle = true;
    cpu_irq_restore(f);
    idle_loop(NULL);
    return 0; /* not reached */
}

unsigned sched_cpu_count(void)
{
    return rq.online;
}

int thread_set_affinity(struct thread *t, uint64_t mask)
{
    if (mask && !(mask & rq.online_mask))
        return -EINVAL;
    uint64_t f = cpu_irq_save();
    t->affinity = mask;
    unsigned self = this_cpu();
    if (t->state == THREAD_READY && !runq_allowed(&rq, t, t->cpu)) {
        runq_remove(&rq, t);
        make_ready(t);
    } else if (t->state == THREAD_RUNNING && cpus[t->cpu].current == t &&
               !runq_allowed(&rq, t, t->cpu)) {
        /* its next schedule() moves it */
        __atomic_store_n(&cpus[t->cpu].need_resched, true, __ATOMIC_RELAXED);
        if (t->cpu != self && cfg.kick)
            cfg.kick(t->cpu);
    }
    cpu_irq_restore(f);
    return 0;
}

struct thread *thread_create(const char *name, void (*entry)(void *), void *arg)
{
    return thread_create_stack(name, entry, arg, 0);
}

struct thread *thread_create_stack(const char *name, void (*entry)(void *), void *arg,
                                   size_t stack_size)
{
    struct thread *t = new_thread(name, entry, arg, stack_size ? stack_size : cfg.stack_size);
    if (!t)
        return NULL;
    uint64_t f = cpu_irq_save();
    t->id = next_id++;
    t->cpu = this_cpu();
    t->all_next = all_threads;
    all_threads = t;
    make_ready(t);
    cpu_irq_restore(f);
    return t;
}

void sched_thread_start(void)
{
    reap();
    struct thread *t = me()->current;
    cpu_sti();
    t->entry(t->arg);
    thread_exit(0);
}

void thread_yield(void)
{
    uint64_t f = cpu_irq_save();
    schedule();
    cpu_irq_restore(f);
}

void thread_exit(int code)
{
    cpu_cli();
    struct sched_cpu *c = me();
    struct thread *t = c->current;
    assert(t != &boot_thread && t != c->idle);
    t->exit_code = code;
    t->state = THREAD_ZOMBIE;
    if (t->joiner)
        make_ready(t->joiner);
    if (t->detached) {
        t->next = reap_list;
        reap_list = t;
    }
    schedule();
    panic("a thread ran after thread_exit()");
}

int thread_join(struct thread *t, int *code)
{
    uint64_t f = cpu_irq_save();
    struct thread *self = me()->current;
    if (t == self || t->detached || t->joiner) {
        cpu_irq_restore(f);
        return -EINVAL;
    }
    t->joiner = self;
    while (t->state != THREAD_ZOMBIE) {
        check_may_block();
        self->state = THREAD_BLOCKED;
        schedule();
    }
    if (code)
        *code = t->exit_code;
    unlink_all(t);
    cpu_irq_restore(f);
    free_thread(t);
    return 0;
}

void thread_detach(struct thread *t)
{
    uint64_t f = cpu_irq_save();
    if (!t->detached && !t->joiner) {
        t->detached = true;
        if (t->state == THREAD_ZOMBIE) { /* already exited: free it now */
            t->next = reap_list;
            reap_list = t;
            reap();
        }
    }
    cpu_irq_restore(f);
}

void thread_sleep_ms(uint64_t ms)
{
    uint64_t f = cpu_irq_save();
    struct thread *t = me()->current;
    check_may_block();
    t->wake_at = cfg.now_ms() + ms;
    struct thread **pp = &sleepers;
    while (*pp && (*pp)->wake_at <= t->wake_at)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
    t->state = THREAD_SLEEPING;
    schedule();
    cpu_irq_restore(f);
}

struct thread *thread_current(void)
{
    /* With interrupts off the thread cannot move to another CPU between
     * finding this CPU and reading its running thread. */
    uint64_t f = cpu_irq_save();
    struct thread *t = me()->current;
    cpu_irq_restore(f);
    return t;
}

bool sched_tick_local(void)
{
    unsigned self = this_cpu();
    if (self >= SCHED_MAX_CPUS || !rq.cpu[self].online)
        return false; /* a CPU's tick that comes before it takes part */
    struct sched_cpu *c = &cpus[self];
    struct thread *t = c->current;
    /* Only this CPU writes these; others read them (atomically) for /proc. */
    __atomic_store_n(&t->ticks, t->ticks + 1, __ATOMIC_RELAXED);
    if (t == c->idle)
        return false; /* the idle loop looks for work after every interrupt */
    __atomic_store_n(&c->busy_ticks, c->busy_ticks + 1, __ATOMIC_RELAXED);
    if (t->slice > 0 && --t->slice == 0)
        __atomic_store_n(&c->need_resched, true, __ATOMIC_RELAXED);
    return __atomic_load_n(&c->need_resched, __ATOMIC_RELAXED);
}

void sched_tick(uint64_t ticks)
{
    (void)ticks;
    unsigned self = this_cpu();
    if (self >= SCHED_MAX_CPUS || !rq.cpu[self].online)
        return; /* a CPU's tick that comes before it takes part */
    uint64_t now = cfg.now_ms();
    while (sleepers && sleepers->wake_at <= now) {
        struct thread *t = sleepers;
        sleepers = t->next;
        make_ready(t);
    }
    sched_tick_local();
    struct sched_cpu *c = &cpus[self];
    if (c->current == c->idle && work_for(self))
        /* a wake-up that found no idle CPU, or stealable work */
        __atomic_store_n(&c->need_resched, true, __ATOMIC_RELAXED);
}

void sched_preempt(void)
{
    if (__atomic_load_n(&me()->need_resched, __ATOMIC_RELAXED) && preempt_count() == 0)
        schedule();
}

static void fill_info(struct thread_info *i, const struct thread *t, bool idle)
{
    i->id = t->id;
    memcpy(i->name, t->name, THREAD_NAME_MAX);
    i->state = t->state;
    i->ticks = __atomic_load_n(&t->ticks, __ATOMIC_RELAXED);
    i->cpu = t->cpu;
    i->idle = idle;
}

int sched_snapshot(struct thread_info *out, int max)
{
    uint64_t f = cpu_irq_save();
    int n = 0;
    for (struct thread *t = all_threads; t; t = t->all_next, n++)
        if (n < max)
            fill_info(&out[n], t, false);
    for (unsigned c = 0; c < rq.ncpus; c++) {
        if (!rq.cpu[c].online)
            continue;
        if (n < max)
            fill_info(&out[n], cpus[c].idle, true);
        n++;
    }
    cpu_irq_restore(f);
    return n;
}

void sched_block_locked(void)
{
    struct sched_cpu *c = me();
    assert(c->current != c->idle);
    check_may_block();
    c->current->state = THREAD_BLOCKED;
    schedule();
}

void sched_wake_locked(struct thread *t)
{
    make_ready(t);
}

const char *thread_state_name(enum thread_state s)
{
    switch (s) {
    case THREAD_READY:
        return "ready";
    case THREAD_RUNNING:
        return "running";
    case THREAD_BLOCKED:
        return "blocked";
    case THREAD_SLEEPING:
        return "sleeping";
    case THREAD_ZOMBIE:
        return "zombie";
    }
    return "?";
}

int sched_cpu_time(unsigned cpu, struct sched_cpu_time *out)
{
    if (cpu >= rq.ncpus || !rq.cpu[cpu].online || !cpus[cpu].idle)
        return -EINVAL;
    uint64_t f = cpu_irq_save();
    out->busy = __atomic_load_n(&cpus[cpu].busy_ticks, __ATOMIC_RELAXED);
    out->idle = __atomic_load_n(&cpus[cpu].idle->ticks, __ATOMIC_RELAXED);
    cpu_irq_restore(f);
    return 0;
}

uint64_t sched_switch_count(void)
{
    return switches;
}
