/*
 * main.c - Check runner for libmm.
 */
#include <check.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(frame_suite());
    srunner_add_suite(sr, pt_suite());
    srunner_add_suite(sr, pt_walk_suite());
    srunner_add_suite(sr, vregion_suite());
    srunner_add_suite(sr, kmap_suite());
    srunner_add_suite(sr, heap_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
