/*
 * test_cmdline.c - kernel command-line options.
 */
#include <k/cmdline.h>
#include <k/errno.h>
#include <check.h>

Suite *cmdline_suite(void);

START_TEST(test_has)
{
    ck_assert(cmdline_has("ktest", "ktest"));
    ck_assert(cmdline_has("quiet ktest=heap", "ktest"));
    ck_assert(cmdline_has("  a   b  ", "b"));
    ck_assert(!cmdline_has("ktests", "ktest"));
    ck_assert(!cmdline_has("xktest", "ktest"));
    ck_assert(!cmdline_has("", "ktest"));
    ck_assert(!cmdline_has("ktest", ""));
}
END_TEST

START_TEST(test_get)
{
    char v[16];
    ck_assert_int_eq(cmdline_get("heap=list ktest", "heap", v, sizeof(v)), 4);
    ck_assert_str_eq(v, "list");
    ck_assert_int_eq(cmdline_get("a heap= b", "heap", v, sizeof(v)), 0);
    ck_assert_str_eq(v, "");
    ck_assert_int_eq(cmdline_get("ktest", "ktest", v, sizeof(v)), -ENOENT);
    ck_assert_int_eq(cmdline_get("other=1", "ktest", v, sizeof(v)), -ENOENT);
    ck_assert_int_eq(cmdline_get("k=0123456789abcdef", "k", v, sizeof(v)), -ERANGE);
    ck_assert_int_eq(cmdline_get("k=0123456789abcde", "k", v, sizeof(v)), 15);
    /* the first occurrence wins */
    ck_assert_int_eq(cmdline_get("k=1 k=2", "k", v, sizeof(v)), 1);
    ck_assert_str_eq(v, "1");
}
END_TEST

Suite *cmdline_suite(void)
{
    Suite *s = suite_create("cmdline");
    TCase *tc = tcase_create("options");
    tcase_add_test(tc, test_has);
    tcase_add_test(tc, test_get);
    suite_add_tcase(s, tc);
    return s;
}
