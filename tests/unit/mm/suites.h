/*
 * suites.h - the Check suites of the libmm runner (one per unit).
 */
#ifndef TESTS_UNIT_MM_SUITES_H
#define TESTS_UNIT_MM_SUITES_H

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

Suite *frame_suite(void);
Suite *pt_suite(void);
Suite *pt_walk_suite(void);
Suite *vregion_suite(void);
Suite *kmap_suite(void);
Suite *heap_suite(void);

#endif
