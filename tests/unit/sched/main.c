/*
 * main.c - Check runner for libsched.
 */
#include <check.h>
#include <stdlib.h>

Suite *async_suite(void);
Suite *executor_suite(void);
Suite *idle_poll_suite(void);
Suite *runq_suite(void);
Suite *threads_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(executor_suite());
    srunner_add_suite(sr, async_suite());
    srunner_add_suite(sr, idle_poll_suite());
    srunner_add_suite(sr, runq_suite());
    srunner_add_suite(sr, threads_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
