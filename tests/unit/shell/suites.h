/*
 * suites.h - the shell runner's suites.
 */
#ifndef TESTS_UNIT_SHELL_SUITES_H
#define TESTS_UNIT_SHELL_SUITES_H

#include <check.h>

/* A check for hot loops: ck_assert records every passing assertion (a write to
 * the runner's pipe), which makes a 100,000-byte fuzz loop crawl. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond);                                  \
    } while (0)

Suite *editor_suite(void);
Suite *editor_complete_suite(void);
Suite *editor_screen_suite(void);
Suite *history_suite(void);

#endif
