/*
 * test_history.c - the history ring on its own.
 */
#include "suites.h"
#include <k/errno.h>
#include <shell/history.h>
#include <stdio.h>
#include <string.h>

static struct shell_history h;

static void setup(void)
{
    memset(&h, 0xa5, sizeof(h));
    shell_history_init(&h);
}

static int add(const char *s)
{
    return shell_history_add(&h, s, strlen(s));
}

START_TEST(test_empty)
{
    ck_assert_uint_eq(shell_history_count(&h), 0);
    ck_assert_ptr_null(shell_history_get(&h, 0));
}
END_TEST

START_TEST(test_newest_first)
{
    ck_assert_int_eq(add("one"), 1);
    ck_assert_int_eq(add("two"), 1);
    ck_assert_uint_eq(shell_history_count(&h), 2);
    ck_assert_str_eq(shell_history_get(&h, 0), "two");
    ck_assert_str_eq(shell_history_get(&h, 1), "one");
    ck_assert_ptr_null(shell_history_get(&h, 2));
}
END_TEST

START_TEST(test_skips_blank_and_consecutive_duplicates)
{
    ck_assert_int_eq(add(""), 0);
    ck_assert_int_eq(add("  \t "), 0);
    ck_assert_int_eq(add("ls"), 1);
    ck_assert_int_eq(add("ls"), 0);
    ck_assert_int_eq(add("ls -l"), 1);
    ck_assert_int_eq(add("ls"), 1);                       /* not consecutive: kept */
    ck_assert_int_eq(shell_history_add(&h, "lsx", 2), 0); /* "ls" again by length */
    ck_assert_uint_eq(shell_history_count(&h), 3);
}
END_TEST

START_TEST(test_33rd_evicts_oldest)
{
    char buf[32];
    for (int i = 1; i <= SHELL_HISTORY_MAX + 1; i++) {
        snprintf(buf, sizeof(buf), "cmd %d", i);
        ck_assert_int_eq(add(buf), 1);
    }
    ck_assert_uint_eq(shell_history_count(&h), SHELL_HISTORY_MAX);
    ck_assert_str_eq(shell_history_get(&h, 0), "cmd 33");
    ck_assert_str_eq(shell_history_get(&h, SHELL_HISTORY_MAX - 1), "cmd 2");
    ck_assert_ptr_null(shell_history_get(&h, SHELL_HISTORY_MAX));
    /* Many more laps around the ring. */
    for (int i = 34; i <= 200; i++) {
        snprintf(buf, sizeof(buf), "cmd %d", i);
        add(buf);
    }
    ck_assert_str_eq(shell_history_get(&h, 0), "cmd 200");
    ck_assert_str_eq(shell_history_get(&h, 31), "cmd 169");
}
END_TEST

START_TEST(test_length_limit)
{
    static char line[SHELL_LINE_MAX + 1];
    memset(line, 'x', sizeof(line));
    ck_assert_int_eq(shell_history_add(&h, line, SHELL_LINE_MAX), -ENAMETOOLONG);
    ck_assert_int_eq(shell_history_add(&h, line, SHELL_LINE_MAX - 1), 1);
    ck_assert_uint_eq(strlen(shell_history_get(&h, 0)), SHELL_LINE_MAX - 1);
}
END_TEST

Suite *history_suite(void)
{
    Suite *s = suite_create("history");
    TCase *tc = tcase_create("ring");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_newest_first);
    tcase_add_test(tc, test_skips_blank_and_consecutive_duplicates);
    tcase_add_test(tc, test_33rd_evicts_oldest);
    tcase_add_test(tc, test_length_limit);
    suite_add_tcase(s, tc);
    return s;
}
