/*
 * test_harness.c - tests of the test harness itself.
 *
 * The explicit-only tests below fail on purpose. They never run in a normal
 * `ktest` boot; tests/harness/test_harness.py boots with `ktest=NAME` to check
 * that a failed assertion and a panic are both reported as failures, with a
 * failure exit status, instead of passing or hanging.
 */
#include <arch/panic.h>
#include <kernel/ktest.h>

KTEST(harness_assertions_pass)
{
    KT_ASSERT(1 + 1 == 2);
    KT_ASSERT_EQ(6 * 7, 42);
}

KTEST_EXPLICIT(harness_selftest_fails)
{
    KT_ASSERT_EQ(2 + 2, 5);
}

KTEST_EXPLICIT(harness_selftest_panics)
{
    panic("deliberate panic inside a test");
}
