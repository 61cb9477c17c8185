/*
 * main.c - Check runner for libproc.
 */
#include <check.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(elf_suite());
    srunner_add_suite(sr, ustack_suite());
    srunner_add_suite(sr, procfs_fmt_suite());
    srunner_add_suite(sr, sys_names_suite());
    srunner_add_suite(sr, uvm_suite());
    srunner_add_suite(sr, uvm_fork_suite());
    srunner_add_suite(sr, uvm_model_suite());
    srunner_add_suite(sr, uvm_pin_suite());
    srunner_add_suite(sr, exec_image_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
