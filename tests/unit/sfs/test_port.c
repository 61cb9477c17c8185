/*
 * test_port.c - the minimal port from docs/porting-libsfs.md (port_example.c,
 * the same code byte for byte) formats, mounts, writes and unmounts.
 */
#include "sfs_test.h"

Suite *port_suite(void);
int ramdisk_demo(void);

START_TEST(minimal_port_works)
{
    ck_assert_int_eq(ramdisk_demo(), 0);
    ck_assert_int_eq(ramdisk_demo(), 0);
}
END_TEST

START_TEST(mem_size_grows_with_cache)
{
    ck_assert_uint_gt(sfs_mem_size(4096, 64), sfs_mem_size(4096, 8));
    ck_assert_uint_eq(sfs_mem_size(4096, 0), sfs_mem_size(4096, SFS_DEFAULT_CACHE_BLOCKS));
    ck_assert_uint_le(sfs_mem_size(1024, 8), 64 * 1024);
}
END_TEST

Suite *port_suite(void)
{
    Suite *s = suite_create("port");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, minimal_port_works);
    tcase_add_test(tc, mem_size_grows_with_cache);
    suite_add_tcase(s, tc);
    return s;
}
