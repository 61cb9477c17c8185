/*
 * main.c - Check runner for libvfs.
 */
#include <check.h>
#include <stdlib.h>

Suite *at_suite(void);
Suite *attr_suite(void);
Suite *cpio_suite(void);
Suite *devfs_suite(void);
Suite *devfs_direct_suite(void);
Suite *files_suite(void);
Suite *mount_suite(void);
Suite *mountopts_suite(void);
Suite *synthfs_suite(void);
Suite *sfs_vfs_suite(void);
Suite *walk_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(walk_suite());
    srunner_add_suite(sr, files_suite());
    srunner_add_suite(sr, mount_suite());
    srunner_add_suite(sr, devfs_suite());
    srunner_add_suite(sr, devfs_direct_suite());
    srunner_add_suite(sr, sfs_vfs_suite());
    srunner_add_suite(sr, at_suite());
    srunner_add_suite(sr, attr_suite());
    srunner_add_suite(sr, cpio_suite());
    srunner_add_suite(sr, mountopts_suite());
    srunner_add_suite(sr, synthfs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
