/*
 * main.c - Check runner for libk.
 */
#include <check.h>
#include <stdlib.h>

Suite *cmdline_suite(void);
Suite *console_suite(void);
Suite *klog_suite(void);
Suite *kprintf_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(kprintf_suite());
    srunner_add_suite(sr, cmdline_suite());
    srunner_add_suite(sr, console_suite());
    srunner_add_suite(sr, klog_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
