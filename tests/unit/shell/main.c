/*
 * main.c - Check runner for the shell library.
 */
#include "suites.h"
#include <check.h>
#include <stdlib.h>

int main(void)
{
    SRunner *sr = srunner_create(editor_suite());
    srunner_add_suite(sr, editor_complete_suite());
    srunner_add_suite(sr, editor_screen_suite());
    srunner_add_suite(sr, history_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
