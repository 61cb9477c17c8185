/*
 * test_executor.c - tasks, wakers and the run loop.
 */
#include "cpu_mock.h"
#include <arch/cpu.h>
#include <check.h>
#include <sched/executor.h>
#include <stdlib.h>

Suite *executor_suite(void);

static int allocs, frees;
static bool fail_alloc;

static void *t_alloc(size_t n)
{
    if (fail_alloc)
        return NULL;
    allocs++;
    return malloc(n);
}

static void t_free(void *p)
{
    frees++;
    free(p);
}

static struct executor ex;

static void setup(void)
{
    cpu_mock_reset();
    allocs = frees = 0;
    fail_alloc = false;
    struct executor_config cfg = { .alloc = t_alloc, .free = t_free };
    ck_assert_int_eq(executor_init(&ex, &cfg), 0);
}

static void teardown(void)
{
    ck_assert_int_eq(allocs, frees); /* every task freed */
}

/* A task that finishes after `need` polls, keeping a cloned waker meanwhile. */
struct counter {
    int polls;
    int need;
    struct waker saved;
    int dropped;
};

static enum poll_result count_poll(void *state, const struct waker *w)
{
    struct counter *c = state;
    c->polls++;
    if (c->polls >= c->need)
        return TASK_READY;
    if (!c->saved.task)
        waker_clone(w, &c->saved);
    return TASK_PENDING;
}

static void count_drop(void *state)
{
    ((struct counter *)state)->dropped++;
}

START_TEST(test_init_requires_hooks)
{
    struct executor e2;
    struct executor_config bad = { .alloc = t_alloc };
    ck_assert_int_lt(executor_init(&e2, &bad), 0);
    ck_assert_int_lt(executor_init(&e2, NULL), 0);
}
END_TEST

START_TEST(test_ready_task_runs_once_and_is_freed)
{
    struct counter c = { .need = 1 };
    ck_assert_ptr_nonnull(executor_spawn(&ex, "one", count_poll, &c, count_drop));
    ck_assert_uint_eq(executor_live_tasks(&ex), 1);
    ck_assert_uint_eq(executor_run_ready(&ex), 1);
    ck_assert_int_eq(c.polls, 1);
    ck_assert_int_eq(c.dropped, 1);
    ck_assert_uint_eq(executor_live_tasks(&ex), 0);
    ck_assert_int_eq(allocs, frees);
}
END_TEST

START_TEST(test_pending_task_waits_for_wake)
{
    struct counter c = { .need = 2 };
    executor_spawn(&ex, "two", count_poll, &c, count_drop);
    executor_run_ready(&ex);
    ck_assert_int_eq(c.polls, 1);
    ck_assert_uint_eq(executor_run_ready(&ex), 0); /* not woken: not polled */
    waker_wake(&c.saved);
    ck_assert_uint_eq(executor_run_ready(&ex), 1);
    ck_assert_int_eq(c.polls, 2);
    ck_assert_int_eq(c.dropped, 1);
    /* the task is done but our waker still holds it: waking is harmless */
    ck_assert_int_eq(frees, 0);
    waker_wake(&c.saved);
    ck_assert_uint_eq(executor_run_ready(&ex), 0);
    waker_drop(&c.saved);
    ck_assert_int_eq(frees, 1);
    ck_assert_ptr_null(c.saved.task);
}
END_TEST

START_TEST(test_double_wake_queues_once)
{
    struct counter c = { .need = 3 };
    executor_spawn(&ex, "t", count_poll, &c, NULL);
    executor_run_ready(&ex);
    waker_wake(&c.saved);
    waker_wake(&c.saved);
    waker_wake(&c.saved); /* e.g. three interrupts before the executor runs */
    ck_assert_uint_eq(executor_run_ready(&ex), 1);
    ck_assert_int_eq(c.polls, 2);
    ck_assert_uint_eq(ex.wakes, 1);
    waker_wake_and_drop(&c.saved);
    executor_run_ready(&ex);
    ck_assert_int_eq(c.polls, 3);
}
END_TEST

/* Wakes itself during its poll: must be polled again afterwards. */
struct selfwake {
    int polls;
};

static enum poll_result selfwake_poll(void *state, const struct waker *w)
{
    struct selfwake *s = state;
    if (++s->polls == 3)
        return TASK_READY;
    waker_wake(w);
    waker_wake(w);
    return TASK_PENDING;
}

START_TEST(test_wake_while_running_repolls)
{
    struct selfwake s = { 0 };
    executor_spawn(&ex, "self", selfwake_poll, &s, NULL);
    ck_assert_uint_eq(executor_run_ready(&ex), 3);
    ck_assert_int_eq(s.polls, 3);
}
END_TEST

static struct counter spawned_child = { .need = 1 };

static enum poll_result parent_poll(void *state, const struct waker *w)
{
    (void)w;
    (void)state;
    ck_assert_ptr_nonnull(executor_spawn(&ex, "child", count_poll, &spawned_child, NULL));
    return TASK_READY;
}

START_TEST(test_spawn_from_a_task)
{
    executor_spawn(&ex, "parent", parent_poll, NULL, NULL);
    ck_assert_uint_eq(executor_run_ready(&ex), 2);
    ck_assert_int_eq(spawned_child.polls, 1);
}
END_TEST

START_TEST(test_spawn_fails_cleanly_without_memory)
{
    fail_alloc = true;
    ck_assert_ptr_null(executor_spawn(&ex, "x", count_poll, NULL, NULL));
    ck_assert_uint_eq(executor_live_tasks(&ex), 0);
}
END_TEST

START_TEST(test_cancel_idle_queued_and_done)
{
    struct counter a = { .need = 5 }, b = { .need = 5 };
    struct task *ta = executor_spawn(&ex, "a", count_poll, &a, count_drop);
    struct task *tb = executor_spawn(&ex, "b", count_poll, &b, count_drop);
    executor_run_ready(&ex);
    /* a is idle: cancelled at once */
    executor_cancel(ta);
    ck_assert_int_eq(a.dropped, 1);
    executor_cancel(ta); /* twice is harmless */
    ck_assert_int_eq(a.dropped, 1);
    /* b queued, then cancelled: never polled again */
    waker_wake(&b.saved);
    executor_cancel(tb);
    ck_assert_int_eq(b.dropped, 0);
    ck_assert_uint_eq(executor_run_ready(&ex), 0);
    ck_assert_int_eq(b.polls, 1);
    ck_assert_int_eq(b.dropped, 1);
    ck_assert_uint_eq(executor_live_tasks(&ex), 0);
    /* wakers outlive cancellation safely */
    waker_wake_and_drop(&a.saved);
    waker_wake_and_drop(&b.saved);
}
END_TEST

static struct task *cancel_me;

static enum poll_result cancels_itself(void *state, const struct waker *w)
{
    (void)state;
    executor_cancel(cancel_me);
    waker_wake(w); /* would re-poll, but it is cancelled */
    return TASK_PENDING;
}

START_TEST(test_cancel_while_running)
{
    cancel_me = executor_spawn(&ex, "c", cancels_itself, NULL, NULL);
    ck_assert_uint_eq(executor_run_ready(&ex), 1);
    ck_assert_uint_eq(executor_live_tasks(&ex), 0);
}
END_TEST

/* The idle hook plays the interrupt that wakes a sleeping task. */
static struct counter idle_counter = { .need = 3 };
static int idle_calls;

static void idle_hook(void *ctx)
{
    (void)ctx;
    ck_assert(!cpu_mock_irq_enabled()); /* checked-then-halted atomically */
    idle_calls++;
    waker_wake(&idle_counter.saved);
}

START_TEST(test_run_sleeps_when_idle_and_returns_when_done)
{
    struct executor_config cfg = { .alloc = t_alloc, .free = t_free, .idle = idle_hook };
    executor_init(&ex, &cfg);
    cpu_sti();
    executor_spawn(&ex, "sleepy", count_poll, &idle_counter, NULL);
    executor_run(&ex);
    ck_assert_int_eq(idle_counter.polls, 3);
    ck_assert_int_eq(idle_calls, 2);
    ck_assert(cpu_mock_irq_enabled());
    waker_drop(&idle_counter.saved);
}
END_TEST

START_TEST(test_run_without_idle_hook_returns)
{
    struct counter c = { .need = 2 };
    executor_spawn(&ex, "t", count_poll, &c, NULL);
    executor_run(&ex); /* nothing ready after the first poll, no idle hook */
    ck_assert_int_eq(c.polls, 1);
    waker_wake_and_drop(&c.saved);
    executor_run(&ex);
    ck_assert_int_eq(c.polls, 2);
}
END_TEST

static int notified;

static void notify_hook(void *ctx)
{
    ck_assert_ptr_eq(ctx, &notified);
    notified++;
}

START_TEST(test_notify_on_every_queueing)
{
    struct executor_config cfg = {
        .alloc = t_alloc, .free = t_free, .notify = notify_hook, .idle_ctx = &notified
    };
    executor_init(&ex, &cfg);
    notified = 0;
    struct counter c = { .need = 2 };
    executor_spawn(&ex, "t", count_poll, &c, NULL);
    ck_assert_int_eq(notified, 1); /* spawn queues */
    executor_run_ready(&ex);
    waker_wake(&c.saved);
    waker_wake(&c.saved); /* already queued: no second notification */
    ck_assert_int_eq(notified, 2);
    waker_drop(&c.saved);
    executor_run_ready(&ex);
}
END_TEST

START_TEST(test_empty_waker_ignored)
{
    struct waker w = { NULL }, w2;
    waker_wake(&w);
    waker_clone(&w, &w2);
    ck_assert_ptr_null(w2.task);
    waker_drop(&w2);
}
END_TEST

Suite *executor_suite(void)
{
    Suite *s = suite_create("executor");
    TCase *tc = tcase_create("executor");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_init_requires_hooks);
    tcase_add_test(tc, test_ready_task_runs_once_and_is_freed);
    tcase_add_test(tc, test_pending_task_waits_for_wake);
    tcase_add_test(tc, test_double_wake_queues_once);
    tcase_add_test(tc, test_wake_while_running_repolls);
    tcase_add_test(tc, test_spawn_from_a_task);
    tcase_add_test(tc, test_spawn_fails_cleanly_without_memory);
    tcase_add_test(tc, test_cancel_idle_queued_and_done);
    tcase_add_test(tc, test_cancel_while_running);
    tcase_add_test(tc, test_run_sleeps_when_idle_and_returns_when_done);
    tcase_add_test(tc, test_run_without_idle_hook_returns);
    tcase_add_test(tc, test_notify_on_every_queueing);
    tcase_add_test(tc, test_empty_waker_ignored);
    suite_add_tcase(s, tc);
    return s;
}
