/*
 * sched.c - kernel threads and the round-robin scheduler (sched/thread.h).
 *
 * Layer: above libarch (context switch, CPU primitives), below the drivers and
 * the kernel. Locking: uniprocessor; every queue below is touched only with
 * interrupts disabled. schedule() is entered with interrupts disabled and the
 * thread that resumes restores its own interrupt state.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/panic.h>
#include <arch/pic.h>
#include <arch/spinlock.h>
#include "sched_priv.h"
#include <sched/thread.h>
#include <string.h>

#define DEFAULT_STACK_SIZE (16 * 1024)
#define DEFAULT_SLICE      10

static struct sched_config cfg;
static struct thread boot_thread;
static struct thread *current;
static struct thread *idle_thread;
static struct thread *run_head, *run_tail;
static struct thread *sleepers;    /* ordered by wake_at */
static struct thread *all_threads; /* every thread but the idle one */
static struct thread *reap_list;   /* detached threads that have exited */
static bool need_resched;
static uint64_t next_id;
static uint64_t switches;

static void runq_push(struct thread *t)
{
    t->state = THREAD_READY;
    t->next = NULL;
    if (run_tail)
        run_tail->next = t;
    else
        run_head = t;
    run_tail = t;
}

static struct thread *runq_pop(void)
{
    struct thread *t = run_head;
    if (t) {
        run_head = t->next;
        if (!run_head)
            run_tail = NULL;
        t->next = NULL;
    }
    return t;
}

/* Make a blocked or sleeping thread runnable (interrupts disabled). */
static void make_ready(struct thread *t)
{
    runq_push(t);
    if (current == idle_thread)
        need_resched = true; /* leave the idle loop at the next interrupt exit */
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

/* Free exited detached threads, except the one we may still be running on. */
static void reap(void)
{
    struct thread **pp = &reap_list;
    while (*pp) {
        struct thread *t = *pp;
        if (t == current) {
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
    struct thread *prev = current;
    if (prev->state == THREAD_RUNNING && prev != idle_thread)
        runq_push(prev);
    struct thread *next = runq_pop();
    if (!next)
        next = idle_thread;
    need_resched = false;
    next->slice = cfg.slice_ticks;
    next->state = THREAD_RUNNING;
    if (next == prev)
        return;
    current = next;
    switches++;
    if (cfg.switch_hook)
        cfg.switch_hook(prev, next);
    sched_context_switch(&prev->ctx, &next->ctx);
    reap(); /* back on prev's stack: any exited thread is off the CPU now */
}

static void idle_loop(void *arg)
{
    (void)arg;
    for (;;) {
        cfg.idle(); /* sti; hlt: an interrupt that readies a thread preempts us */
        uint64_t f = cpu_irq_save();
        if (run_head)
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
    run_head = run_tail = sleepers = reap_list = NULL;
    need_resched = false;
    switches = 0;

    memset(&boot_thread, 0, sizeof(boot_thread));
    memcpy(boot_thread.name, "main", 5);
    boot_thread.state = THREAD_RUNNING;
    boot_thread.slice = cfg.slice_ticks;
    current = &boot_thread;
    all_threads = &boot_thread;
    next_id = 1;

    idle_thread = new_thread("idle", idle_loop, NULL, cfg.stack_size);
    if (!idle_thread)
        return -ENOMEM;
    idle_thread->id = next_id++;
    idle_thread->detached = true;
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
    t->all_next = all_threads;
    all_threads = t;
    runq_push(t);
    cpu_irq_restore(f);
    return t;
}

void sched_thread_start(void)
{
    reap();
    cpu_sti();
    current->entry(current->arg);
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
    struct thread *t = current;
    assert(t != &boot_thread && t != idle_thread);
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
    if (t == current || t->detached || t->joiner) {
        cpu_irq_restore(f);
        return -EINVAL;
    }
    t->joiner = current;
    while (t->state != THREAD_ZOMBIE) {
        current->state = THREAD_BLOCKED;
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
    struct thread *t = current;
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
    return current;
}

void sched_tick(uint64_t ticks)
{
    (void)ticks;
    uint64_t now = cfg.now_ms();
    while (sleepers && sleepers->wake_at <= now) {
        struct thread *t = sleepers;
        sleepers = t->next;
        make_ready(t);
    }
    current->ticks++;
    if (current == idle_thread) {
        if (run_head)
            need_resched = true;
    } else if (current->slice > 0 && --current->slice == 0) {
        need_resched = true;
    }
}

void sched_preempt(void)
{
    if (need_resched && preempt_count() == 0)
        schedule();
}

static void fill_info(struct thread_info *i, const struct thread *t)
{
    i->id = t->id;
    memcpy(i->name, t->name, THREAD_NAME_MAX);
    i->state = t->state;
    i->ticks = t->ticks;
}

int sched_snapshot(struct thread_info *out, int max)
{
    uint64_t f = cpu_irq_save();
    int n = 0;
    for (struct thread *t = all_threads; t; t = t->all_next, n++)
        if (n < max)
            fill_info(&out[n], t);
    if (n < max)
        fill_info(&out[n], idle_thread);
    n++;
    cpu_irq_restore(f);
    return n;
}

void sched_block_locked(void)
{
    assert(current != idle_thread);
    current->state = THREAD_BLOCKED;
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

uint64_t sched_switch_count(void)
{
    return switches;
}
