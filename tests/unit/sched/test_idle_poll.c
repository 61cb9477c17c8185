/*
 * test_idle_poll.c - the idle CPU's poll window (sched/idle_poll.h): it grows
 * while idle periods are short, stays while polls catch their interrupt,
 * shrinks to nothing on a CPU that idles for long, and stays off at max 0.
 */
#include <check.h>
#include <sched/idle_poll.h>

#define US 1000u

Suite *idle_poll_suite(void);

/* An idle period that polled its whole window and then halted for @p halt_ns. */
static void missed(struct idle_poll *p, uint64_t halt_ns)
{
    uint64_t w = idle_poll_window(p);
    idle_poll_done(p, w != 0, false, w + halt_ns);
}

START_TEST(test_grows_while_periods_are_short)
{
    struct idle_poll p;
    idle_poll_init(&p, 200 * US);
    ck_assert_uint_eq(idle_poll_window(&p), 0); /* nothing known yet: halt */
    /* A disk completion 120 us after each halt. */
    missed(&p, 120 * US);
    ck_assert_uint_eq(idle_poll_window(&p), IDLE_POLL_GROW_START_NS);
    missed(&p, 70 * US); /* polled 50 us, halted 70 more */
    ck_assert_uint_eq(idle_poll_window(&p), 100 * US);
    missed(&p, 20 * US);
    ck_assert_uint_eq(idle_poll_window(&p), 200 * US); /* at the cap */
    ck_assert_uint_eq(p.grows, 3);
    ck_assert_uint_eq(p.polls, 2);
    /* Now the completions come while polling: the window stays. */
    for (int i = 0; i < 5; i++)
        idle_poll_done(&p, true, true, 120 * US);
    ck_assert_uint_eq(idle_poll_window(&p), 200 * US);
    ck_assert_uint_eq(p.hits, 5);
    ck_assert_uint_eq(p.polls, 7);
    ck_assert_uint_eq(p.shrinks, 0);
}
END_TEST

START_TEST(test_shrinks_to_nothing_when_idle_long)
{
    struct idle_poll p;
    idle_poll_init(&p, 200 * US);
    for (int i = 0; i < 3; i++)
        missed(&p, 10 * US);
    ck_assert_uint_eq(idle_poll_window(&p), 200 * US);
    /* The next tick of an idle system, 1 ms away, each time. */
    missed(&p, 800 * US);
    ck_assert_uint_eq(idle_poll_window(&p), 100 * US);
    missed(&p, 900 * US);
    ck_assert_uint_eq(idle_poll_window(&p), 50 * US);
    missed(&p, 950 * US);
    ck_assert_uint_eq(idle_poll_window(&p), 0); /* below the start: off */
    ck_assert_uint_eq(p.shrinks, 3);
    missed(&p, 1000 * US); /* nothing to shrink, nothing counted */
    ck_assert_uint_eq(p.shrinks, 3);
    ck_assert_uint_eq(idle_poll_window(&p), 0);
    /* A long period that began with a hit is not held against the window. */
    missed(&p, 10 * US);
    idle_poll_done(&p, true, true, 5000 * US);
    ck_assert_uint_eq(idle_poll_window(&p), IDLE_POLL_GROW_START_NS);
}
END_TEST

START_TEST(test_off_at_max_zero)
{
    struct idle_poll p;
    idle_poll_init(&p, 0);
    for (int i = 0; i < 10; i++)
        missed(&p, 10 * US);
    ck_assert_uint_eq(idle_poll_window(&p), 0);
    ck_assert_uint_eq(p.grows + p.shrinks + p.polls, 0);
    /* A cap below the first window: polls of the cap's length. */
    idle_poll_init(&p, 30 * US);
    missed(&p, 10 * US);
    ck_assert_uint_eq(idle_poll_window(&p), 30 * US);
}
END_TEST

Suite *idle_poll_suite(void)
{
    Suite *s = suite_create("idle_poll");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_grows_while_periods_are_short);
    tcase_add_test(tc, test_shrinks_to_nothing_when_idle_long);
    tcase_add_test(tc, test_off_at_max_zero);
    suite_add_tcase(s, tc);
    return s;
}
