/*
 * test_async.c - sleeps, one-shot channels and interrupt events, driven by
 * tasks on a real executor with a fake clock.
 */
#include "cpu_mock.h"
#include <k/errno.h>
#include <check.h>
#include <sched/async.h>
#include <stdlib.h>

Suite *async_suite(void);

static uint64_t now;
static uint64_t clock_ms(void)
{
    return now;
}

static void *t_alloc(size_t n)
{
    return malloc(n);
}

static struct executor ex;
static struct timer_queue tq;

static void setup(void)
{
    cpu_mock_reset();
    now = 1000;
    struct executor_config cfg = { .alloc = t_alloc, .free = free };
    executor_init(&ex, &cfg);
    timer_queue_init(&tq, clock_ms);
}

struct sleeper {
    struct sleep_future f;
    uint64_t ms;
    bool started;
    uint64_t woke_at;
};

static enum poll_result sleeper_poll(void *state, const struct waker *w)
{
    struct sleeper *s = state;
    if (!s->started) {
        sleep_future_init(&s->f, &tq, s->ms);
        s->started = true;
    }
    if (sleep_future_poll(&s->f, w) == TASK_PENDING)
        return TASK_PENDING;
    s->woke_at = now;
    return TASK_READY;
}

START_TEST(test_sleeps_wake_in_deadline_order)
{
    struct sleeper a = { .ms = 30 }, b = { .ms = 10 }, c = { .ms = 20 }, z = { .ms = 0 };
    executor_spawn(&ex, "a", sleeper_poll, &a, NULL);
    executor_spawn(&ex, "b", sleeper_poll, &b, NULL);
    executor_spawn(&ex, "c", sleeper_poll, &c, NULL);
    executor_spawn(&ex, "z", sleeper_poll, &z, NULL);
    executor_run_ready(&ex);
    ck_assert_uint_eq(z.woke_at, 1000); /* zero-length sleep is ready at once */
    ck_assert_uint_eq(executor_live_tasks(&ex), 3);
    for (int i = 0; i < 40; i++) { /* the timer tick */
        now++;
        timer_queue_expire(&tq);
        executor_run_ready(&ex);
    }
    ck_assert_uint_eq(b.woke_at, 1010);
    ck_assert_uint_eq(c.woke_at, 1020);
    ck_assert_uint_eq(a.woke_at, 1030);
    ck_assert_uint_eq(executor_live_tasks(&ex), 0);
    ck_assert_ptr_null(tq.head);
}
END_TEST

START_TEST(test_sleep_cancel_unqueues)
{
    struct sleeper a = { .ms = 5 }, b = { .ms = 5 };
    struct task *ta = executor_spawn(&ex, "a", sleeper_poll, &a, NULL);
    executor_spawn(&ex, "b", sleeper_poll, &b, NULL);
    executor_run_ready(&ex);
    sleep_future_cancel(&a.f);
    executor_cancel(ta);
    sleep_future_cancel(&a.f); /* twice is harmless */
    now += 10;
    ck_assert_int_eq(timer_queue_expire(&tq), 1);
    executor_run_ready(&ex);
    ck_assert_uint_eq(b.woke_at, 1010);
    ck_assert_uint_eq(a.woke_at, 0);
}
END_TEST

START_TEST(test_spurious_repoll_keeps_one_entry)
{
    struct sleeper a = { .ms = 5 };
    executor_spawn(&ex, "a", sleeper_poll, &a, NULL);
    executor_run_ready(&ex);
    /* wake it early by hand: it polls again and must not queue twice */
    waker_wake(&a.f.waker);
    executor_run_ready(&ex);
    ck_assert_ptr_eq(tq.head, &a.f);
    ck_assert_ptr_null(tq.head->next);
    now += 5;
    timer_queue_expire(&tq);
    executor_run_ready(&ex);
    ck_assert_uint_eq(a.woke_at, 1005);
}
END_TEST

struct receiver {
    struct oneshot *c;
    uint64_t value;
    int err;
    bool done;
};

static enum poll_result receiver_poll(void *state, const struct waker *w)
{
    struct receiver *r = state;
    if (oneshot_poll(r->c, w, &r->value, &r->err) == TASK_PENDING)
        return TASK_PENDING;
    r->done = true;
    return TASK_READY;
}

START_TEST(test_oneshot_send_wakes_receiver)
{
    struct oneshot c;
    oneshot_init(&c);
    struct receiver r = { .c = &c };
    executor_spawn(&ex, "rx", receiver_poll, &r, NULL);
    executor_run_ready(&ex);
    ck_assert(!r.done);
    ck_assert_int_eq(oneshot_send(&c, 42), 0);
    ck_assert_int_eq(oneshot_send(&c, 43), -EPIPE);
    executor_run_ready(&ex);
    ck_assert(r.done);
    ck_assert_uint_eq(r.value, 42);
    ck_assert_int_eq(r.err, 0);
    /* a second receive on a drained channel reports -EPIPE */
    struct receiver r2 = { .c = &c };
    executor_spawn(&ex, "rx2", receiver_poll, &r2, NULL);
    executor_run_ready(&ex);
    ck_assert_int_eq(r2.err, -EPIPE);
}
END_TEST

START_TEST(test_oneshot_sent_before_poll_and_closed)
{
    struct oneshot c, d;
    oneshot_init(&c);
    oneshot_send(&c, 7);
    struct receiver r = { .c = &c };
    executor_spawn(&ex, "rx", receiver_poll, &r, NULL);
    executor_run_ready(&ex);
    ck_assert_uint_eq(r.value, 7);

    oneshot_init(&d);
    struct receiver q = { .c = &d };
    executor_spawn(&ex, "rq", receiver_poll, &q, NULL);
    executor_run_ready(&ex);
    oneshot_close(&d);
    executor_run_ready(&ex);
    ck_assert(q.done);
    ck_assert_int_eq(q.err, -EPIPE);
    oneshot_close(&d);
    oneshot_drop(&d);
}
END_TEST

START_TEST(test_oneshot_abandoned_receive)
{
    struct oneshot c;
    oneshot_init(&c);
    struct receiver r = { .c = &c };
    struct task *t = executor_spawn(&ex, "rx", receiver_poll, &r, NULL);
    executor_run_ready(&ex);
    executor_cancel(t);
    oneshot_drop(&c); /* releases the stored waker: the task can be freed */
    ck_assert_int_eq(oneshot_send(&c, 1), 0);
    executor_run_ready(&ex);
    ck_assert(!r.done);
}
END_TEST

struct listener {
    struct async_event *e;
    int events;
};

static enum poll_result listener_poll(void *state, const struct waker *w)
{
    struct listener *l = state;
    while (async_event_poll(l->e, w) == TASK_READY)
        l->events++;
    return l->events >= 3 ? TASK_READY : TASK_PENDING;
}

START_TEST(test_event_from_interrupt)
{
    struct async_event e;
    async_event_init(&e);
    struct listener l = { .e = &e };
    executor_spawn(&ex, "kbd", listener_poll, &l, NULL);
    executor_run_ready(&ex);
    ck_assert_int_eq(l.events, 0);
    async_event_signal(&e); /* an IRQ */
    async_event_signal(&e); /* another before the task ran: coalesced */
    executor_run_ready(&ex);
    ck_assert_int_eq(l.events, 1);
    async_event_signal(&e);
    executor_run_ready(&ex);
    async_event_signal(&e);
    executor_run_ready(&ex);
    ck_assert_int_eq(l.events, 3);
    ck_assert_uint_eq(e.signals, 4);
    ck_assert_uint_eq(executor_live_tasks(&ex), 0);
    async_event_drop(&e);
}
END_TEST

Suite *async_suite(void)
{
    Suite *s = suite_create("async");
    TCase *tc = tcase_create("async");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_sleeps_wake_in_deadline_order);
    tcase_add_test(tc, test_sleep_cancel_unqueues);
    tcase_add_test(tc, test_spurious_repoll_keeps_one_entry);
    tcase_add_test(tc, test_oneshot_send_wakes_receiver);
    tcase_add_test(tc, test_oneshot_sent_before_poll_and_closed);
    tcase_add_test(tc, test_oneshot_abandoned_receive);
    tcase_add_test(tc, test_event_from_interrupt);
    suite_add_tcase(s, tc);
    return s;
}
