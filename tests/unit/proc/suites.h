/*
 * suites.h - the Check suites of the libproc runner (one per unit).
 */
#ifndef TESTS_UNIT_PROC_SUITES_H
#define TESTS_UNIT_PROC_SUITES_H

#include <check.h>

/*
 * REQUIRE(cond): like ck_assert() but silent when it holds. Check reports the
 * location of every passing ck_assert through a pipe, which is slow in loops
 * that check thousands of things.
 */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg("%s:%d: assertion failed: %s", __FILE__, __LINE__, #cond);                \
    } while (0)

Suite *elf_suite(void);
Suite *procfs_fmt_suite(void);
Suite *ustack_suite(void);
Suite *sys_names_suite(void);
Suite *uvm_suite(void);
Suite *uvm_fork_suite(void);
Suite *uvm_model_suite(void);
Suite *uvm_pin_suite(void);
Suite *exec_image_suite(void);

#endif
