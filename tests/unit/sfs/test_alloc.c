/*
 * test_alloc.c - allocation layer: bitmaps spanning several blocks, the
 * rotating hint wrapping around, exhaustion, and corrupt bitmaps or counters
 * (reported as SFS_ECORRUPT / repaired counters, never a crash). Also the
 * streaming (cache-bypassing) data path, which allocates raw blocks.
 */
#include "../../../libsfs/sfs_priv.h"
#include "sfs_test.h"
#include <stdlib.h>
#include <string.h>

Suite *alloc_suite(void);

START_TEST(bitmap_spans_blocks)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX };
    tfs_setup_opts(&t, 16u << 20, &o, 16);
    ck_assert_uint_eq(t.fs.dbitmap_blocks, 2);
    size_t len = 12u << 20;
    uint8_t *buf = malloc(len), *back = malloc(len);
    tfs_fill(buf, len, 5);
    ck_assert_ok(tfs_put(&t, "/big", buf, len));
    ck_assert_int_eq(tfs_check(&t), 0);
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/big", &d), (long)len);
    ck_assert_int_eq(memcmp(d, buf, len), 0);
    free(d);
    /* Fill the rest, then free an early block: the next allocation wraps. */
    struct sfs_file f;
    ck_assert_ok(tfs_put(&t, "/early", "x", 1));
    ck_assert_ok(sfs_open(&t.fs, &f, "/fill", SFS_O_WRONLY | SFS_O_CREAT, 0644));
    long n;
    while ((n = sfs_write(&t.fs, &f, buf, 64 * 1024)) > 0)
        ;
    ck_assert_int_eq(n, SFS_ENOSPC);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_ok(sfs_unlink(&t.fs, "/big"));
    t.fs.balloc_hint = t.fs.total_blocks - 1;
    ck_assert_ok(tfs_put(&t, "/again", buf, 100000));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_remount(&t);
    ck_assert_int_eq(tfs_check(&t), 0);
    free(buf);
    free(back);
    tfs_teardown(&t);
}
END_TEST

START_TEST(wrong_counters_repaired)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .inode_count = 16 };
    tfs_setup_opts(&t, 256u << 10, &o, 0);
    uint32_t blk;
    while (sfs_balloc(&t.fs, &blk) == 0)
        ;
    t.fs.free_blocks = 5; /* lie */
    ck_assert_int_eq(sfs_balloc(&t.fs, &blk), SFS_ENOSPC);
    ck_assert_uint_eq(t.fs.free_blocks, 0);
    uint32_t ino;
    while (sfs_ialloc(&t.fs, &ino) == 0)
        ;
    t.fs.free_inodes = 3;
    ck_assert_int_eq(sfs_ialloc(&t.fs, &ino), SFS_ENOSPC);
    ck_assert_uint_eq(t.fs.free_inodes, 0);
    ck_assert_int_gt(t.log_lines, 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(corrupt_bitmaps)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    uint32_t blk, ino;
    /* A metadata block marked free is never handed out. */
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.dbitmap_start, 3, 0));
    t.fs.balloc_hint = 0;
    ck_assert_int_eq(sfs_balloc(&t.fs, &blk), SFS_ECORRUPT);
    /* Inode 0 marked free. */
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.ibitmap_start, 0, 0));
    t.fs.ialloc_hint = 0;
    ck_assert_int_eq(sfs_ialloc(&t.fs, &ino), SFS_ECORRUPT);
    ck_assert_ok(sfs_bitmap_set(&t.fs, t.fs.ibitmap_start, 0, 1));
    /* Freeing out of range or twice. */
    ck_assert_int_eq(sfs_bfree(&t.fs, 1), SFS_ECORRUPT);
    ck_assert_int_eq(sfs_bfree(&t.fs, t.fs.total_blocks), SFS_ECORRUPT);
    ck_assert_int_eq(sfs_bfree(&t.fs, t.fs.total_blocks - 1), SFS_ECORRUPT);
    ck_assert_int_eq(sfs_ifree(&t.fs, 0), SFS_ECORRUPT);
    ck_assert_int_eq(sfs_ifree(&t.fs, t.fs.inode_count), SFS_ECORRUPT);
    ck_assert_int_eq(sfs_ifree(&t.fs, t.fs.inode_count - 1), SFS_ECORRUPT);
    struct sfs_inode ip;
    ck_assert_int_eq(sfs_inode_read(&t.fs, t.fs.inode_count, &ip), SFS_ECORRUPT);
    ck_assert_int_eq(sfs_inode_read(&t.fs, 5, &ip), SFS_ECORRUPT); /* unused: mode 0 */
    ck_assert_int_gt(t.log_lines, 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(streaming_io)
{
    /* Without a journal (which would abort at the first failed call). */
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX };
    tfs_setup_opts(&t, 4u << 20, &o, 0);
    size_t len = 64 * 1024;
    uint8_t *buf = malloc(len), *back = malloc(len);
    tfs_fill(buf, len, 8);
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/s", SFS_O_RDWR | SFS_O_CREAT, 0644));
    /* Cache blocks 3..4 first, so the streaming write must update them. */
    ck_assert_int_eq(sfs_pwrite(&t.fs, &f, "abc", 3, 3 * 1024 + 10), 3);
    ck_assert_int_eq(sfs_pwrite(&t.fs, &f, buf, len, 0), (long)len);
    ck_assert_int_eq(sfs_pread(&t.fs, &f, back, len, 0), (long)len);
    ck_assert_int_eq(memcmp(buf, back, len), 0);
    ck_assert_ok(sfs_sync(&t.fs));
    memset(back, 0, len);
    ck_assert_int_eq(sfs_pread(&t.fs, &f, back, len, 0), (long)len);
    ck_assert_int_eq(memcmp(buf, back, len), 0);
    /* A device error in the middle of a streaming write: short write, no stale
     * block. Whole blocks go out in runs of contiguous blocks; a block mapped
     * earlier (elsewhere on disk) splits the run, and the second request fails. */
    ck_assert_int_eq(sfs_pwrite(&t.fs, &f, "x", 1, 230 * 1024), 1);
    ck_assert_ok(sfs_sync(&t.fs));
    t.rd.fail_writes_after = 1;
    long n = sfs_pwrite(&t.fs, &f, buf, len, 200 * 1024);
    ck_assert_int_gt(n, 0);
    ck_assert_int_lt(n, (long)len);
    ck_assert_int_eq(n % 1024, 0);
    t.rd.fail_writes_after = 0;
    ck_assert_int_eq(sfs_pwrite(&t.fs, &f, buf, len, 300 * 1024), SFS_EIO);
    sfs_ramdev_heal(&t.rd);
    struct sfs_stat st;
    ck_assert_ok(sfs_fstat(&t.fs, &f, &st));
    uint64_t end = 200 * 1024 + (uint64_t)n;
    ck_assert_uint_eq(st.size, end > 230 * 1024 + 1 ? end : 230 * 1024 + 1);
    ck_assert_int_eq(sfs_pread(&t.fs, &f, back, (size_t)n, 200 * 1024), n);
    ck_assert_int_eq(memcmp(back, buf, (size_t)n), 0);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(tfs_check(&t), 0);
    t.rd.fail_reads_after = 0;
    ck_assert_ok(sfs_open(&t.fs, &f, "/s", SFS_O_RDONLY, 0));
    ck_assert_int_eq(sfs_pread(&t.fs, &f, back, len, 200 * 1024), SFS_EIO);
    sfs_ramdev_heal(&t.rd);
    ck_assert_ok(sfs_close(&t.fs, &f));
    free(buf);
    free(back);
    tfs_teardown(&t);
}
END_TEST

Suite *alloc_suite(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bitmap_spans_blocks);
    tcase_add_test(tc, wrong_counters_repaired);
    tcase_add_test(tc, corrupt_bitmaps);
    tcase_add_test(tc, streaming_io);
    suite_add_tcase(s, tc);
    return s;
}
