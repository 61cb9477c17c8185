/*
 * test_sched.c - kernel threads, preemption, sleeping and the executor, on the
 * real CPU with the PIT driving the scheduler.
 */
#include <k/console.h>
#include <arch/cpu.h>
#include <k/kprintf.h>
#include <arch/timer.h>
#include <dev/kbd.h>
#include <kernel/kbench.h>
#include <string.h>
#include <kernel/ktest.h>
#include <kernel/threads.h>
#include <mm/mm.h>
#include <sched/async.h>
#include <sched/sync.h>
#include <sched/thread.h>

static struct mutex counter_lock;
static volatile uint64_t counter;

static void add_many(void *arg)
{
    uint64_t n = (uint64_t)(uintptr_t)arg;
    for (uint64_t i = 0; i < n; i++) {
        mutex_lock(&counter_lock);
        uint64_t v = counter;
        if ((i & 1023) == 0)
            thread_yield(); /* and the timer preempts us at random points too */
        counter = v + 1;
        mutex_unlock(&counter_lock);
    }
}

KTEST(sched_mutex_counter_exact_total)
{
    mutex_init(&counter_lock);
    counter = 0;
    struct thread *a = thread_create("add-a", add_many, (void *)200000);
    struct thread *b = thread_create("add-b", add_many, (void *)300000);
    KT_ASSERT(a && b);
    KT_ASSERT_EQ(thread_join(a, NULL), 0);
    KT_ASSERT_EQ(thread_join(b, NULL), 0);
    KT_ASSERT_EQ(counter, 500000);
}

static volatile bool stop_spinning;
static volatile uint64_t spins;

static void spin_forever(void *arg)
{
    (void)arg;
    while (!stop_spinning) /* never yields, never sleeps */
        spins++;
}

KTEST(sched_busy_thread_is_preempted)
{
    stop_spinning = false;
    spins = 0;
    uint64_t switches = sched_switch_count();
    struct thread *t = thread_create("spinner", spin_forever, NULL);
    KT_ASSERT(t);
    thread_yield(); /* the spinner takes the CPU; only the timer can give it back */
    timer_sleep_ms(50);
    stop_spinning = true;
    KT_ASSERT(spins > 0);
    KT_ASSERT_EQ(thread_join(t, NULL), 0);
    KT_ASSERT(sched_switch_count() - switches >= 3);
}

KTEST(sched_sleep_within_one_tick)
{
    uint64_t tick_ms = (1000000u + timer_rate_mhz() - 1) / timer_rate_mhz(); /* 4 at 250 Hz */
    for (uint64_t ms = 1; ms <= 25; ms += 8) {
        uint64_t t0 = timer_uptime_ms();
        thread_sleep_ms(ms);
        uint64_t dt = timer_uptime_ms() - t0;
        KT_ASSERT(dt >= ms);
        KT_ASSERT(dt <= ms + tick_ms);
    }
}

static void nothing(void *arg)
{
    (void)arg;
}

KTEST(sched_thousand_threads_no_leaks)
{
    struct mm_heap_stats h0, h1;
    mm_heap_get_stats(mm_kheap(), &h0);
    if (mm_heap_kind_of(mm_kheap()) == MM_HEAP_BUMP) {
        /* the bump allocator never reuses memory: leaks cannot be measured */
        kprintf("(skipped with heap=bump) ");
        return;
    }
    /* warm up with a full round so lazily grown structures (heap, page tables)
     * reach the high-water mark of 100 live threads before frames are counted:
     * the heap keeps the frames it grew by, which is not a leak */
    for (int round = 0; round < 2; round++) {
        struct thread *w[100];
        for (int i = 0; i < 100; i++) {
            w[i] = thread_create("warm", nothing, NULL);
            KT_ASSERT(w[i]);
        }
        for (int i = 0; i < 100; i++)
            KT_ASSERT_EQ(thread_join(w[i], NULL), 0);
    }
    uint64_t frames0 = mm_frames_used_count(mm_kernel_frames());
    mm_heap_get_stats(mm_kheap(), &h0);
    for (int round = 0; round < 10; round++) {
        struct thread *t[100];
        for (int i = 0; i < 100; i++) {
            t[i] = thread_create("worker", nothing, NULL);
            KT_ASSERT(t[i]);
        }
        for (int i = 0; i < 100; i++)
            KT_ASSERT_EQ(thread_join(t[i], NULL), 0);
    }
    mm_heap_get_stats(mm_kheap(), &h1);
    KT_ASSERT_EQ(mm_frames_used_count(mm_kernel_frames()), frames0);
    KT_ASSERT_EQ(h1.in_use, h0.in_use);
}

struct kbd_waiter {
    struct async_event *e;
    volatile int woken;
};

static enum poll_result kbd_waiter_poll(void *state, const struct waker *w)
{
    struct kbd_waiter *k = state;
    if (async_event_poll(k->e, w) == TASK_PENDING)
        return TASK_PENDING;
    k->woken++;
    return TASK_READY;
}

KTEST(sched_async_task_woken_by_scancode)
{
    static struct kbd_waiter k;
    k.e = kernel_kbd_event();
    k.woken = 0;
    /* drop stale events, then wait on a fresh one */
    uint64_t f = cpu_irq_save();
    k.e->signaled = false;
    cpu_irq_restore(f);
    KT_ASSERT(executor_spawn(kernel_executor(), "kbd-wait", kbd_waiter_poll, &k, NULL));
    timer_sleep_ms(5);
    KT_ASSERT_EQ(k.woken, 0);
    /* The 8042's "write keyboard output buffer" command: the byte arrives as if
     * typed (make code of 'q'), through IRQ 1. */
    while (inb(KBD_STATUS_PORT) & 2)
        cpu_pause();
    outb(KBD_STATUS_PORT, 0xd2);
    while (inb(KBD_STATUS_PORT) & 2)
        cpu_pause();
    outb(KBD_DATA_PORT, 0x10);
    for (int i = 0; i < 100 && !k.woken; i++)
        timer_sleep_ms(1);
    KT_ASSERT_EQ(k.woken, 1);
    /* consume the byte so the echo loop does not see a stray 'q' */
    while (console_getc() >= 0)
        ;
}

struct sleeper_task {
    struct sleep_future f;
    bool started;
    uint64_t start, end;
    struct semaphore *done;
};

static enum poll_result sleeper_poll(void *state, const struct waker *w)
{
    struct sleeper_task *s = state;
    if (!s->started) {
        s->start = timer_uptime_ms();
        sleep_future_init(&s->f, kernel_timer_queue(), 20);
        s->started = true;
    }
    if (sleep_future_poll(&s->f, w) == TASK_PENDING)
        return TASK_PENDING;
    s->end = timer_uptime_ms();
    semaphore_up(s->done);
    return TASK_READY;
}

KTEST(sched_async_sleep_and_threads_coexist)
{
    static struct semaphore done;
    static struct sleeper_task s;
    semaphore_init(&done, 0);
    s = (struct sleeper_task){ .done = &done };
    KT_ASSERT(executor_spawn(kernel_executor(), "sleep20", sleeper_poll, &s, NULL));
    semaphore_down(&done); /* this thread blocks; the executor thread runs the task */
    KT_ASSERT(s.end - s.start >= 20);
    KT_ASSERT(s.end - s.start <= 21);
}

/* ---- benchmarks ---- */

#define SWITCH_ROUNDS 20000

static void yielder(void *arg)
{
    (void)arg;
    for (int i = 0; i < SWITCH_ROUNDS; i++)
        thread_yield();
}

KBENCH(context_switch)
{
    struct thread *a = thread_create("yield-a", yielder, NULL);
    struct thread *b = thread_create("yield-b", yielder, NULL);
    uint64_t s0 = sched_switch_count();
    uint64_t c0 = rdtsc();
    thread_join(a, NULL);
    thread_join(b, NULL);
    uint64_t cycles = rdtsc() - c0;
    uint64_t switches = sched_switch_count() - s0;
    kbench_report("context_switch", kbench_cycles_to_ns(cycles / switches), "ns");
    kbench_report("context_switch_cycles", cycles / switches, "cycles");
}

struct latency_task {
    struct async_event e;
    volatile uint64_t woke_tsc;
    volatile int rounds;
};

static enum poll_result latency_poll(void *state, const struct waker *w)
{
    struct latency_task *l = state;
    while (async_event_poll(&l->e, w) == TASK_READY) {
        l->woke_tsc = rdtsc();
        l->rounds++;
    }
    return l->rounds >= 1000 ? TASK_READY : TASK_PENDING;
}

KBENCH(executor_wake_to_poll)
{
    static struct latency_task l;
    async_event_init(&l.e);
    l.rounds = 0;
    executor_spawn(kernel_executor(), "latency", latency_poll, &l, NULL);
    thread_yield();
    uint64_t total = 0;
    for (int i = 0; i < 1000; i++) {
        int before = l.rounds;
        uint64_t t0 = rdtsc();
        async_event_signal(&l.e); /* what an interrupt handler does */
        while (l.rounds == before)
            thread_yield();
        total += l.woke_tsc - t0;
    }
    kbench_report("executor_wake_to_poll", kbench_cycles_to_ns(total / 1000), "ns");
}
