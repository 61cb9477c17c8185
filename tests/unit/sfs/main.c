/*
 * main.c - Check runner for libsfs (one suite per layer).
 */
#include <check.h>
#include <stdlib.h>

Suite *super_suite(void);
Suite *file_suite(void);
Suite *alloc_suite(void);
Suite *dir_suite(void);
Suite *path_suite(void);
Suite *ops_suite(void);
Suite *fuzz_suite(void);
Suite *port_suite(void);
Suite *check_suite(void);
Suite *bcache_suite(void);
Suite *writeback_suite(void);
Suite *errors_suite(void);
Suite *inode_suite(void);
Suite *powerloss_suite(void);
Suite *repair_suite(void);
Suite *recovery_suite(void);
Suite *fixes_suite(void);
Suite *posix_suite(void);
Suite *errno_suite(void);
Suite *unlocked_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(super_suite());
    srunner_add_suite(sr, alloc_suite());
    srunner_add_suite(sr, file_suite());
    srunner_add_suite(sr, dir_suite());
    srunner_add_suite(sr, path_suite());
    srunner_add_suite(sr, ops_suite());
    srunner_add_suite(sr, inode_suite());
    srunner_add_suite(sr, check_suite());
    srunner_add_suite(sr, repair_suite());
    srunner_add_suite(sr, bcache_suite());
    srunner_add_suite(sr, writeback_suite());
    srunner_add_suite(sr, errors_suite());
    srunner_add_suite(sr, port_suite());
    srunner_add_suite(sr, fuzz_suite());
    srunner_add_suite(sr, recovery_suite());
    srunner_add_suite(sr, powerloss_suite());
    srunner_add_suite(sr, fixes_suite());
    srunner_add_suite(sr, posix_suite());
    srunner_add_suite(sr, unlocked_suite());
    srunner_add_suite(sr, errno_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
