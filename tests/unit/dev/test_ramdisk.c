/*
 * test_ramdisk.c - the block interface's contract, the registry and the RAM disk.
 */
#include <k/errno.h>
#include <check.h>
#include <dev/block.h>
#include <dev/ramdisk.h>
#include <stdlib.h>
#include <string.h>

Suite *ramdisk_suite(void);

static uint8_t mem[64 * 1024];
static struct ramdisk rd;

static void setup(void)
{
    memset(mem, 0, sizeof(mem));
    ck_assert_int_eq(ramdisk_init(&rd, "ram0", mem, 512, sizeof(mem) / 512), 0);
}

START_TEST(test_init_validates)
{
    struct ramdisk r;
    ck_assert_int_eq(ramdisk_init(&r, "x", mem, 256, 1), -EINVAL);
    ck_assert_int_eq(ramdisk_init(&r, "x", mem, 1000, 1), -EINVAL);
    ck_assert_int_eq(ramdisk_init(&r, "x", NULL, 512, 1), -EINVAL);
    ck_assert_int_eq(ramdisk_init(&r, NULL, mem, 512, 1), -EINVAL);
    ck_assert_int_eq(ramdisk_init(NULL, "x", mem, 512, 1), -EINVAL);
    ck_assert_int_eq(ramdisk_init(&r, "a-name-that-is-too-long", mem, 512, 1), -EINVAL);
    ck_assert_int_eq(ramdisk_init(&r, "ram1", mem, 4096, 16), 0);
    ck_assert_str_eq(r.bdev.name, "ram1");
    ck_assert_uint_eq(r.bdev.block_size, 4096);
    ck_assert_uint_eq(r.bdev.block_count, 16);
}
END_TEST

START_TEST(test_read_write_roundtrip)
{
    uint8_t in[3 * 512], out[3 * 512];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 7 + 1);
    ck_assert_int_eq(block_write(&rd.bdev, 5, 3, in), 3);
    ck_assert_mem_eq(mem + 5 * 512, in, sizeof(in));
    ck_assert_int_eq(block_read(&rd.bdev, 5, 3, out), 3);
    ck_assert_mem_eq(in, out, sizeof(in));
    ck_assert_int_eq(block_flush(&rd.bdev), 0);
    ck_assert_uint_eq(rd.flushes, 1);
    ck_assert_int_eq(block_read(&rd.bdev, 0, 0, out), 0);
    ck_assert_int_eq(block_write(&rd.bdev, 127, 1, in), 1);
}
END_TEST

START_TEST(test_contract_errors)
{
    uint8_t buf[1024];
    ck_assert_int_eq(block_read(&rd.bdev, 128, 1, buf), -ENXIO);
    ck_assert_int_eq(block_read(&rd.bdev, 127, 2, buf), -ENXIO);
    ck_assert_int_eq(block_read(&rd.bdev, UINT64_MAX, 2, buf), -ENXIO);
    ck_assert_int_eq(block_write(&rd.bdev, 129, 1, buf), -ENXIO);
    ck_assert_int_eq(block_read(&rd.bdev, 0, 1, NULL), -EINVAL);
    ck_assert_int_eq(block_read(NULL, 0, 1, buf), -EINVAL);
    ck_assert_int_eq(block_read(&rd.bdev, 0, 0x80000000u, buf), -EINVAL);
    ck_assert_int_eq(block_flush(NULL), -EINVAL);
    rd.bdev.read_only = true;
    ck_assert_int_eq(block_write(&rd.bdev, 0, 1, buf), -EROFS);
    ck_assert_uint_eq(rd.reads + rd.writes, 0);

    /* Drivers may leave out operations. */
    static const struct block_ops none = { 0 };
    struct block_device bare = { .ops = &none, .block_size = 512, .block_count = 8 };
    ck_assert_int_eq(block_read(&bare, 0, 1, buf), -ENOSYS);
    ck_assert_int_eq(block_write(&bare, 0, 1, buf), -ENOSYS);
    ck_assert_int_eq(block_flush(&bare), 0);
}
END_TEST

START_TEST(test_fault_injection)
{
    uint8_t buf[512] = { 1 };
    rd.fail_writes_after = 1;
    ck_assert_int_eq(block_write(&rd.bdev, 0, 1, buf), 1);
    ck_assert_int_eq(block_write(&rd.bdev, 0, 1, buf), -EIO);
    ck_assert_int_eq(block_write(&rd.bdev, 0, 1, buf), -EIO);
    rd.fail_writes_after = -1;
    rd.fail_reads_after = 0;
    ck_assert_int_eq(block_read(&rd.bdev, 0, 1, buf), -EIO);
    rd.fail_reads_after = -1;
    rd.bad_block = 9;
    ck_assert_int_eq(block_read(&rd.bdev, 8, 2, buf), -EIO);
    ck_assert_int_eq(block_read(&rd.bdev, 10, 1, buf), 1);
    ck_assert_int_eq(block_write(&rd.bdev, 9, 1, buf), -EIO);
    ck_assert_uint_eq(rd.writes, 4);
}
END_TEST

START_TEST(test_registry)
{
    ck_assert_ptr_null(blockdev_find("ram0"));
    ck_assert_int_eq(blockdev_register(&rd.bdev), 0);
    ck_assert_int_eq(blockdev_register(&rd.bdev), -EEXIST);
    static uint8_t mem2[4096];
    struct ramdisk twin, other;
    ramdisk_init(&twin, "ram0", mem2, 512, 8);
    ck_assert_int_eq(blockdev_register(&twin.bdev), -EEXIST);
    ramdisk_init(&other, "ram1", mem2, 512, 8);
    ck_assert_int_eq(blockdev_register(&other.bdev), 0);
    ck_assert_ptr_eq(blockdev_find("ram0"), &rd.bdev);
    ck_assert_ptr_eq(blockdev_find("ram1"), &other.bdev);
    ck_assert_ptr_eq(blockdev_next(NULL), &rd.bdev);
    ck_assert_ptr_eq(blockdev_next(&rd.bdev), &other.bdev);
    ck_assert_ptr_null(blockdev_next(&other.bdev));

    other.bdev.read_only = true;
    char list[128];
    size_t len = blockdev_describe(list, sizeof(list));
    ck_assert_str_eq(list, "ram0 128 x 512 B (0 MiB)\nram1 8 x 512 B (0 MiB) ro\n");
    ck_assert_uint_eq(len, strlen(list));
    ck_assert_uint_eq(blockdev_describe(list, 5), len);
    ck_assert_str_eq(list, "ram0");
    ck_assert_uint_eq(blockdev_describe(NULL, 0), len);

    char name[8];
    ck_assert_int_eq(blockdev_make_name("ram", name, sizeof(name)), 0);
    ck_assert_str_eq(name, "rama");
    ck_assert_int_eq(blockdev_make_name("ram", name, 4), -ENOSPC);
    struct block_device nameless = { .ops = rd.bdev.ops };
    ck_assert_int_eq(blockdev_register(&nameless), -EINVAL);
    ck_assert_int_eq(blockdev_register(NULL), -EINVAL);

    ck_assert_int_eq(blockdev_unregister(&rd.bdev), 0);
    ck_assert_int_eq(blockdev_unregister(&rd.bdev), -ENOENT);
    ck_assert_ptr_null(blockdev_find("ram0"));
    ck_assert_int_eq(blockdev_unregister(&other.bdev), 0);
    ck_assert_ptr_null(blockdev_next(NULL));
}
END_TEST

START_TEST(test_make_name_exhausted)
{
    static struct ramdisk disks[26];
    static uint8_t m[512];
    char name[8];
    for (int i = 0; i < 26; i++) {
        ck_assert_int_eq(blockdev_make_name("vd", name, sizeof(name)), 0);
        ck_assert_int_eq(name[2], 'a' + i);
        ramdisk_init(&disks[i], name, m, 512, 1);
        ck_assert_int_eq(blockdev_register(&disks[i].bdev), 0);
    }
    ck_assert_int_eq(blockdev_make_name("vd", name, sizeof(name)), -ENOSPC);
    for (int i = 0; i < 26; i++)
        blockdev_unregister(&disks[i].bdev);
}
END_TEST

Suite *ramdisk_suite(void)
{
    Suite *s = suite_create("ramdisk");
    TCase *tc = tcase_create("ramdisk");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_init_validates);
    tcase_add_test(tc, test_read_write_roundtrip);
    tcase_add_test(tc, test_contract_errors);
    tcase_add_test(tc, test_fault_injection);
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_make_name_exhausted);
    suite_add_tcase(s, tc);
    return s;
}
