/*
 * test_threads.c - kernel threads, the scheduler and sleeping locks, run for
 * real on the host: the kernel's own context switch (switch.S) moves between
 * thread stacks, and the idle hook plays the timer interrupt.
 */
#include "cpu_mock.h"
#include <arch/cpu.h>
#include <arch/panic.h>
#include <k/errno.h>
#include <arch/spinlock.h>
#include <check.h>
#include <sched/sync.h>
#include <sched/thread.h>
#include <stdlib.h>
#include <string.h>

Suite *threads_suite(void);

static uint64_t now;
static int stacks_live, tcbs_live;

static void *t_alloc(size_t n)
{
    tcbs_live++;
    return malloc(n);
}

static void t_free(void *p)
{
    tcbs_live--;
    free(p);
}

static bool fail_stacks;

static void *s_alloc(size_t n)
{
    if (fail_stacks)
        return NULL;
    stacks_live++;
    return aligned_alloc(16, n);
}

static void s_free(void *p, size_t n)
{
    (void)n;
    stacks_live--;
    free(p);
}

static uint64_t clock_ms(void)
{
    return now;
}

/* A timer interrupt: tick, then the preemption point at interrupt exit. */
static void timer_interrupt(void)
{
    uint64_t f = cpu_irq_save();
    now++;
    sched_tick(now);
    sched_preempt();
    cpu_irq_restore(f);
}

static void idle_hook(void)
{
    timer_interrupt(); /* halting until the next interrupt */
}

/* The switch hook sees every switch, with interrupts off, before it happens. */
static int hook_calls, hook_irq_on;
static struct thread *hook_last_next;

static void count_switch(struct thread *prev, struct thread *next)
{
    ck_assert_ptr_ne(prev, next);
    ck_assert_ptr_eq(thread_current(), next); /* current is already updated */
    hook_calls++;
    hook_irq_on += cpu_mock_irq_enabled();
    hook_last_next = next;
}

static void setup(void)
{
    cpu_mock_reset();
    now = 0;
    stacks_live = tcbs_live = 0;
    struct sched_config cfg = { .alloc = t_alloc,
                                .free = t_free,
                                .stack_alloc = s_alloc,
                                .stack_free = s_free,
                                .idle = idle_hook,
                                .now_ms = clock_ms,
                                .switch_hook = count_switch,
                                .stack_size = 64 * 1024,
                                .slice_ticks = 3 };
    ck_assert_int_eq(sched_init(&cfg), 0);
    hook_calls = hook_irq_on = 0;
    cpu_sti();
}

static char order[64];
static int norder;

static void log_and_yield(void *arg)
{
    for (int i = 0; i < 3; i++) {
        order[norder++] = *(const char *)arg;
        thread_yield();
    }
}

START_TEST(test_init_requires_hooks)
{
    struct sched_config bad = { .alloc = t_alloc };
    ck_assert_int_eq(sched_init(&bad), -EINVAL);
    ck_assert_int_eq(sched_init(NULL), -EINVAL);
}
END_TEST

START_TEST(test_round_robin_and_join)
{
    norder = 0;
    struct thread *a = thread_create("a", log_and_yield, "a");
    struct thread *b = thread_create("b", log_and_yield, "b");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(thread_join(a, NULL), 0);
    ck_assert_int_eq(thread_join(b, NULL), 0);
    order[norder] = '\0';
    ck_assert_str_eq(order, "ababab");
    ck_assert_int_eq(stacks_live, 1); /* only the idle thread's is left */
    ck_assert_uint_gt(sched_switch_count(), 6);
}
END_TEST

START_TEST(test_switch_hook_sees_every_switch)
{
    hook_calls = hook_irq_on = 0;
    norder = 0;
    struct thread *a = thread_create("a", log_and_yield, "a");
    ck_assert_ptr_nonnull(a);
    a->owner = &hook_calls;
    ck_assert_int_eq(thread_join(a, NULL), 0);
    ck_assert_int_eq((int)sched_switch_count(), hook_calls);
    ck_assert_int_gt(hook_calls, 0);
    ck_assert_int_eq(hook_irq_on, 0);
    ck_assert_ptr_eq(hook_last_next, thread_current());
}
END_TEST

static void exits_with(void *arg)
{
    thread_exit((int)(intptr_t)arg);
}

static void returns(void *arg)
{
    (void)arg;
}

START_TEST(test_custom_stack_size)
{
    struct thread *t = thread_create_stack("big", returns, NULL, 128 * 1024);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(t->stack_size, 128 * 1024);
    ck_assert_int_eq(thread_join(t, NULL), 0);
}
END_TEST

START_TEST(test_exit_codes_and_join_errors)
{
    struct thread *t = thread_create("x", exits_with, (void *)(intptr_t)42);
    struct thread *r = thread_create("r", returns, NULL);
    int code = -1;
    ck_assert_int_eq(thread_join(thread_current(), NULL), -EINVAL);
    ck_assert_int_eq(thread_join(t, &code), 0);
    ck_assert_int_eq(code, 42);
    ck_assert_int_eq(thread_join(r, &code), 0);
    ck_assert_int_eq(code, 0); /* returning is exit(0) */
    struct thread *d = thread_create("d", returns, NULL);
    thread_detach(d);
    ck_assert_int_eq(thread_join(d, NULL), -EINVAL);
    thread_yield(); /* d runs and exits; it is reaped after it is off the CPU */
    thread_yield();
    ck_assert_int_eq(stacks_live, 1);
    ck_assert_int_eq(tcbs_live, 1);
}
END_TEST

START_TEST(test_detach_after_exit_frees)
{
    struct thread *d = thread_create("d", returns, NULL);
    thread_yield(); /* d exits, stays a zombie: nobody joined or detached yet */
    ck_assert_int_eq(stacks_live, 2);
    thread_detach(d);
    ck_assert_int_eq(stacks_live, 1);
}
END_TEST

static struct mutex m;
static int counter, inside, max_inside;

static void increment(void *arg)
{
    int n = (int)(intptr_t)arg;
    for (int i = 0; i < n; i++) {
        mutex_lock(&m);
        ck_assert(mutex_held(&m));
        inside++;
        if (inside > max_inside)
            max_inside = inside;
        int v = counter;
        thread_yield(); /* invite a race: the other thread must block */
        counter = v + 1;
        inside--;
        mutex_unlock(&m);
    }
}

START_TEST(test_mutex_excludes_and_counts_exactly)
{
    mutex_init(&m);
    counter = inside = max_inside = 0;
    struct thread *a = thread_create("a", increment, (void *)200);
    struct thread *b = thread_create("b", increment, (void *)300);
    thread_join(a, NULL);
    thread_join(b, NULL);
    ck_assert_int_eq(counter, 500);
    ck_assert_int_eq(max_inside, 1);
    ck_assert_uint_gt(m.contended, 0);
    ck_assert(mutex_trylock(&m));
    ck_assert(!mutex_trylock(&m));
    mutex_unlock(&m);
}
END_TEST

static struct semaphore items, slots;
static int buffer[4], head, tail, consumed_sum;

static void producer(void *arg)
{
    (void)arg;
    for (int i = 1; i <= 100; i++) {
        semaphore_down(&slots);
        buffer[head++ % 4] = i;
        semaphore_up(&items);
    }
}

static void consumer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) {
        semaphore_down(&items);
        consumed_sum += buffer[tail++ % 4];
        semaphore_up(&slots);
    }
}

START_TEST(test_semaphore_bounded_buffer)
{
    semaphore_init(&items, 0);
    semaphore_init(&slots, 4);
    head = tail = consumed_sum = 0;
    struct thread *c = thread_create("cons", consumer, NULL);
    struct thread *p = thread_create("prod", producer, NULL);
    thread_join(p, NULL);
    thread_join(c, NULL);
    ck_assert_int_eq(consumed_sum, 5050);
    ck_assert(!semaphore_trydown(&items));
    ck_assert(semaphore_trydown(&slots));
}
END_TEST

static uint64_t slept_from, slept_until;

static void sleeper(void *arg)
{
    slept_from = now;
    thread_sleep_ms((uint64_t)(uintptr_t)arg);
    slept_until = now;
}

START_TEST(test_sleep_is_within_one_tick)
{
    for (uint64_t ms = 1; ms <= 20; ms += 7) {
        struct thread *t = thread_create("s", sleeper, (void *)(uintptr_t)ms);
        thread_join(t, NULL); /* main blocks too: the idle thread runs the clock */
        ck_assert_uint_ge(slept_until - slept_from, ms);
        ck_assert_uint_le(slept_until - slept_from, ms + 1);
    }
}
END_TEST

START_TEST(test_sleepers_wake_in_order)
{
    norder = 0;
    struct thread *t[3];
    static const char *names[] = { "c", "a", "b" };
    static const uintptr_t ms[] = { 9, 3, 6 };
    for (int i = 0; i < 3; i++)
        t[i] = thread_create(names[i], sleeper, (void *)ms[i]);
    for (int i = 0; i < 3; i++)
        thread_join(t[i], NULL);
    ck_assert_uint_ge(now, 9);
}
END_TEST

static volatile int spins_a, spins_b;
static volatile bool stop;

static void spinner(void *arg)
{
    volatile int *count = arg;
    while (!stop) {
        (*count)++;
        timer_interrupt(); /* the CPU never yields; only the timer takes it away */
    }
}

START_TEST(test_busy_thread_is_preempted)
{
    stop = false;
    spins_a = spins_b = 0;
    struct thread *a = thread_create("a", spinner, (void *)&spins_a);
    struct thread *b = thread_create("b", spinner, (void *)&spins_b);
    while (spins_a < 50 || spins_b < 50)
        timer_interrupt(); /* main is preempted too */
    stop = true;
    thread_join(a, NULL);
    thread_join(b, NULL);
    ck_assert_int_ge(spins_a, 50);
    ck_assert_int_ge(spins_b, 50);
}
END_TEST

/* Another CPU's tick: the lockless part, and the scheduler only when asked. */
static int local_ticks, local_asked;

static void local_tick(void)
{
    uint64_t f = cpu_irq_save();
    local_ticks++;
    if (sched_tick_local()) {
        local_asked++;
        sched_preempt();
    }
    cpu_irq_restore(f);
}

static void local_spinner(void *arg)
{
    volatile int *count = arg;
    while (!stop) {
        (*count)++;
        local_tick();
    }
}

START_TEST(test_local_tick_charges_and_preempts_once_a_slice)
{
    struct sched_cpu_time t0, t1;
    ck_assert_int_eq(sched_cpu_time(0, &t0), 0);
    stop = false;
    spins_a = spins_b = 0;
    local_ticks = local_asked = 0;
    struct thread *a = thread_create("a", local_spinner, (void *)&spins_a);
    struct thread *b = thread_create("b", local_spinner, (void *)&spins_b);
    while (spins_a < 50 || spins_b < 50)
        local_tick();
    stop = true;
    ck_assert_int_eq(sched_cpu_time(0, &t1), 0);
    /* Every tick charged to a running thread, the CPU busy throughout... */
    ck_assert_uint_eq(t1.busy - t0.busy, (uint64_t)local_ticks);
    ck_assert_uint_eq(t1.idle, t0.idle);
    /* ...and the scheduler asked for once per slice (3 ticks here), not per
     * tick: that is when another CPU's tick takes the big lock. */
    ck_assert_int_ge(local_asked, 30);
    ck_assert_int_le(local_asked, local_ticks / 3 + 1);
    thread_join(a, NULL);
    thread_join(b, NULL);
}
END_TEST

static struct spinlock sl = SPINLOCK_INIT("test");
static volatile int ran;

static void mark(void *arg)
{
    (void)arg;
    ran = 1;
}

START_TEST(test_no_preemption_while_spinlock_held)
{
    ran = 0;
    struct thread *t = thread_create("m", mark, NULL);
    spin_lock(&sl);
    for (int i = 0; i < 20; i++)
        timer_interrupt(); /* slice long expired, but a spinlock is held */
    ck_assert_int_eq(ran, 0);
    spin_unlock(&sl);
    ck_assert_uint_eq(preempt_count(), 0);
    timer_interrupt(); /* the pending reschedule happens now */
    ck_assert_int_eq(ran, 1);
    thread_join(t, NULL);
}
END_TEST

static void exit_on_panic(void)
{
    exit(70);
}

/* Sleeping with a spinlock held would leave the lock taken, and preemption
 * off, while other threads run: the scheduler refuses (debug builds). */
START_TEST(test_blocking_with_spinlock_held_panics)
{
    panic_set_hook(exit_on_panic);
    struct semaphore s;
    semaphore_init(&s, 0);
    spin_lock(&sl);
    semaphore_down(&s);
    exit(71); /* not reached */
}
END_TEST

START_TEST(test_sleeping_with_spinlock_held_panics)
{
    panic_set_hook(exit_on_panic);
    spin_lock(&sl);
    thread_sleep_ms(10);
    exit(71); /* not reached */
}
END_TEST

START_TEST(test_thousand_threads_no_leaks)
{
    for (int round = 0; round < 10; round++) {
        struct thread *t[100];
        for (int i = 0; i < 100; i++)
            ck_assert_ptr_nonnull(t[i] = thread_create("w", returns, NULL));
        for (int i = 0; i < 100; i++)
            ck_assert_int_eq(thread_join(t[i], NULL), 0);
    }
    ck_assert_int_eq(stacks_live, 1);
    ck_assert_int_eq(tcbs_live, 1);
}
END_TEST

static struct wait_queue wq;
static int woken;

static void waiter(void *arg)
{
    (void)arg;
    uint64_t f = cpu_irq_save();
    wait_queue_sleep_locked(&wq);
    cpu_irq_restore(f);
    woken++;
}

START_TEST(test_wait_queue_wake_one_and_all)
{
    wait_queue_init(&wq);
    woken = 0;
    struct thread *t[3];
    for (int i = 0; i < 3; i++)
        t[i] = thread_create("w", waiter, NULL);
    thread_yield(); /* all three block */
    ck_assert(wait_queue_wake_one(&wq));
    thread_yield();
    ck_assert_int_eq(woken, 1);
    ck_assert_int_eq(wait_queue_wake_all(&wq), 2);
    ck_assert(!wait_queue_wake_one(&wq));
    for (int i = 0; i < 3; i++)
        thread_join(t[i], NULL);
    ck_assert_int_eq(woken, 3);
}
END_TEST

START_TEST(test_snapshot_lists_threads)
{
    struct thread *a = thread_create("alpha", returns, NULL);
    struct thread_info info[8];
    int n = sched_snapshot(info, 8);
    ck_assert_int_eq(n, 3); /* main, alpha, idle */
    bool saw_alpha = false;
    for (int i = 0; i < n; i++)
        if (strcmp(info[i].name, "alpha") == 0) {
            saw_alpha = true;
            ck_assert_str_eq(thread_state_name(info[i].state), "ready");
        }
    ck_assert(saw_alpha);
    ck_assert_int_eq(sched_snapshot(info, 1), 3); /* truncated output, full count */
    ck_assert_str_eq(thread_state_name(THREAD_SLEEPING), "sleeping");
    ck_assert_str_eq(thread_state_name(THREAD_ZOMBIE), "zombie");
    ck_assert_str_eq(thread_state_name(THREAD_BLOCKED), "blocked");
    ck_assert_str_eq(thread_state_name(THREAD_RUNNING), "running");
    ck_assert_str_eq(thread_current()->name, "main");
    thread_join(a, NULL);
}
END_TEST

static void burn_ticks(void *arg)
{
    for (int i = 0; i < (int)(intptr_t)arg; i++)
        timer_interrupt();
}

/* A CPU's busy time keeps what a thread ran after the thread has gone (the
 * threads' own counts lose it), and every tick is either busy or idle. */
START_TEST(test_cpu_time_keeps_exited_threads)
{
    struct sched_cpu_time t0, t1;
    ck_assert_int_eq(sched_cpu_time(0, &t0), 0);
    struct thread *a = thread_create("burner", burn_ticks, (void *)(intptr_t)10);
    ck_assert_int_eq(thread_join(a, NULL), 0);
    for (int i = 0; i < 5; i++) {
        struct thread *s = thread_create("s", sleeper, (void *)(uintptr_t)2);
        thread_join(s, NULL); /* both blocked: the idle thread's ticks */
    }
    ck_assert_int_eq(sched_cpu_time(0, &t1), 0);
    ck_assert_uint_ge(t1.busy - t0.busy, 10);
    ck_assert_uint_ge(t1.idle - t0.idle, 5);
    ck_assert_uint_eq(t1.busy + t1.idle, now); /* each tick counted once */
    ck_assert_int_eq(sched_cpu_time(1, &t1), -EINVAL);
    ck_assert_int_eq(sched_cpu_time(1000, &t1), -EINVAL);
}
END_TEST

START_TEST(test_cpus_and_affinity)
{
    ck_assert_uint_eq(sched_cpu_count(), 1);
    ck_assert_int_eq(sched_cpu_enter("idle0"), -EINVAL); /* CPU 0 schedules already */
    struct thread *a = thread_create("alpha", returns, NULL);
    ck_assert_int_eq(thread_set_affinity(a, 1u << 3), -EINVAL); /* CPU 3 is not scheduling */
    ck_assert_int_eq(thread_set_affinity(a, 1u << 0 | 1u << 3), 0);
    ck_assert_uint_eq(a->affinity, 1u << 0 | 1u << 3);
    ck_assert_int_eq(thread_set_affinity(a, 0), 0);
    struct thread_info info[8];
    int n = sched_snapshot(info, 8);
    ck_assert_int_eq(n, 3);
    for (int i = 0; i < n; i++) {
        ck_assert_uint_eq(info[i].cpu, 0);
        ck_assert(info[i].idle == (i == n - 1)); /* the idle threads come last */
    }
    thread_join(a, NULL);
}
END_TEST

START_TEST(test_create_fails_cleanly)
{
    /* a stack allocation failure leaves nothing behind */
    int tcbs = tcbs_live, stacks = stacks_live;
    fail_stacks = true;
    ck_assert_ptr_null(thread_create("nostack", returns, NULL));
    fail_stacks = false;
    ck_assert_int_eq(tcbs_live, tcbs);
    ck_assert_int_eq(stacks_live, stacks);
    struct thread_info info[4];
    ck_assert_int_eq(sched_snapshot(info, 4), 2);
}
END_TEST

Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_init_requires_hooks);
    tcase_add_test(tc, test_round_robin_and_join);
    tcase_add_test(tc, test_switch_hook_sees_every_switch);
    tcase_add_test(tc, test_exit_codes_and_join_errors);
    tcase_add_test(tc, test_custom_stack_size);
    tcase_add_test(tc, test_detach_after_exit_frees);
    tcase_add_test(tc, test_mutex_excludes_and_counts_exactly);
    tcase_add_test(tc, test_semaphore_bounded_buffer);
    tcase_add_test(tc, test_sleep_is_within_one_tick);
    tcase_add_test(tc, test_sleepers_wake_in_order);
    tcase_add_test(tc, test_busy_thread_is_preempted);
    tcase_add_test(tc, test_local_tick_charges_and_preempts_once_a_slice);
    tcase_add_test(tc, test_no_preemption_while_spinlock_held);
    tcase_add_exit_test(tc, test_blocking_with_spinlock_held_panics, 70);
    tcase_add_exit_test(tc, test_sleeping_with_spinlock_held_panics, 70);
    tcase_add_test(tc, test_thousand_threads_no_leaks);
    tcase_add_test(tc, test_wait_queue_wake_one_and_all);
    tcase_add_test(tc, test_snapshot_lists_threads);
    tcase_add_test(tc, test_cpu_time_keeps_exited_threads);
    tcase_add_test(tc, test_create_fails_cleanly);
    tcase_add_test(tc, test_cpus_and_affinity);
    suite_add_tcase(s, tc);
    return s;
}
