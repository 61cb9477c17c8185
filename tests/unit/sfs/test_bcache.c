/*
 * test_bcache.c - block layer: hits and misses, LRU order, write-back on
 * eviction (clean victims first), pinning, forget, and I/O errors that
 * propagate as SFS_EIO without losing or corrupting cached data.
 */
#include "../../../libsfs/sfs_priv.h"
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *bcache_suite(void);

static uint8_t *get(struct tfs *t, uint32_t blk)
{
    struct sfs_buf *b;
    ck_assert_ok(sfs_bget(&t->fs, blk, SFS_BGET_READ, &b));
    sfs_bput(&t->fs, b);
    return b->data;
}

START_TEST(hits_and_lru)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024 };
    tfs_setup_opts(&t, 1u << 20, &o, 8);
    ck_assert_uint_eq(t.fs.nbufs, 8);
    uint32_t d = t.fs.data_start + 50;
    uint64_t r0 = t.rd.reads;
    get(&t, d);
    ck_assert_uint_eq(t.rd.reads, r0 + 1);
    get(&t, d);
    ck_assert_uint_eq(t.rd.reads, r0 + 1);
    for (uint32_t i = 1; i < 8; i++)
        get(&t, d + i);
    get(&t, d);     /* d is now most recent */
    get(&t, d + 8); /* evicts d + 1 */
    r0 = t.rd.reads;
    get(&t, d);
    ck_assert_uint_eq(t.rd.reads, r0);
    get(&t, d + 1);
    ck_assert_uint_eq(t.rd.reads, r0 + 1);
    /* Out of range. */
    struct sfs_buf *b;
    ck_assert_int_eq(sfs_bget(&t.fs, t.fs.total_blocks, SFS_BGET_READ, &b), SFS_ECORRUPT);
    tfs_teardown(&t);
}
END_TEST

START_TEST(write_back_and_clean_victims)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX };
    tfs_setup_opts(&t, 1u << 20, &o, 8);
    ck_assert_ok(sfs_sync(&t.fs));
    uint32_t d = t.fs.data_start + 50;
    struct sfs_buf *b;
    ck_assert_ok(sfs_bget_zero(&t.fs, d, &b));
    memset(b->data, 0x5A, 1024);
    sfs_bput(&t.fs, b);
    uint64_t w0 = t.rd.writes;
    for (uint32_t i = 1; i <= 12; i++)
        get(&t, d + i);
    ck_assert_uint_eq(t.rd.writes, w0); /* clean buffers were evicted instead */
    ck_assert_uint_eq(t.rd.data[(uint64_t)d * 1024], 0);
    /* Dirty every buffer: the next miss must write one back. */
    for (uint32_t i = 1; i <= 7; i++) {
        ck_assert_ok(sfs_bget(&t.fs, d + i, SFS_BGET_READ, &b));
        sfs_bdirty(&t.fs, b);
        sfs_bput(&t.fs, b);
    }
    get(&t, d + 20);
    ck_assert_uint_eq(t.rd.writes, w0 + 1);
    ck_assert_uint_eq(t.rd.data[(uint64_t)d * 1024], 0x5A); /* d was the LRU dirty one */
    ck_assert_ok(sfs_bflush_all(&t.fs));
    /* Forget drops a block without writing it. */
    ck_assert_ok(sfs_bget(&t.fs, d + 30, SFS_BGET_NOREAD, &b));
    memset(b->data, 0x77, 1024);
    sfs_bdirty(&t.fs, b);
    sfs_bforget(&t.fs, d + 30); /* pinned: ignored */
    sfs_bput(&t.fs, b);
    sfs_bforget(&t.fs, d + 30);
    sfs_bforget(&t.fs, d + 31); /* not cached */
    w0 = t.rd.writes;
    ck_assert_ok(sfs_bflush_all(&t.fs));
    ck_assert_uint_eq(t.rd.writes, w0);
    ck_assert_uint_eq(t.rd.data[(uint64_t)(d + 30) * 1024], 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(all_pinned)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024 };
    tfs_setup_opts(&t, 1u << 20, &o, 8);
    struct sfs_buf *b[9];
    uint32_t d = t.fs.data_start;
    for (int i = 0; i < 8; i++)
        ck_assert_ok(sfs_bget(&t.fs, d + (uint32_t)i, SFS_BGET_READ, &b[i]));
    ck_assert_int_eq(sfs_bget(&t.fs, d + 8, SFS_BGET_READ, &b[8]), SFS_ENOMEM);
    ck_assert_ok(sfs_bget(&t.fs, d + 3, SFS_BGET_READ, &b[8])); /* a hit still works */
    sfs_bput(&t.fs, b[8]);
    for (int i = 0; i < 8; i++)
        sfs_bput(&t.fs, b[i]);
    sfs_bput(&t.fs, NULL);
    ck_assert_ok(sfs_bget(&t.fs, d + 8, SFS_BGET_READ, &b[8]));
    sfs_bput(&t.fs, b[8]);
    tfs_teardown(&t);
}
END_TEST

START_TEST(read_error_leaves_nothing_cached)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024 };
    tfs_setup_opts(&t, 1u << 20, &o, 8);
    uint32_t d = t.fs.data_start + 10;
    t.rd.data[(uint64_t)d * 1024] = 0x42;
    t.rd.bad_sector = (int64_t)d * 2 + 1;
    struct sfs_buf *b;
    ck_assert_int_eq(sfs_bget(&t.fs, d, SFS_BGET_READ, &b), SFS_EIO);
    ck_assert_int_eq(sfs_bget(&t.fs, d, SFS_BGET_READ, &b), SFS_EIO);
    ck_assert_int_gt(t.log_lines, 0);
    sfs_ramdev_heal(&t.rd);
    ck_assert_uint_eq(get(&t, d)[0], 0x42);
    tfs_teardown(&t);
}
END_TEST

START_TEST(write_error_keeps_dirty_data)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024 };
    tfs_setup_opts(&t, 1u << 20, &o, 8);
    ck_assert_ok(sfs_sync(&t.fs));
    uint32_t d = t.fs.data_start + 10;
    struct sfs_buf *b;
    for (uint32_t i = 0; i < 8; i++) {
        ck_assert_ok(sfs_bget_zero(&t.fs, d + i, &b));
        b->data[0] = (uint8_t)(i + 1);
        sfs_bput(&t.fs, b);
    }
    t.rd.fail_writes_after = 0;
    ck_assert_int_eq(sfs_bget(&t.fs, d + 20, SFS_BGET_READ, &b), SFS_EIO);
    ck_assert_int_eq(sfs_bflush_all(&t.fs), SFS_EIO);
    ck_assert_int_eq(sfs_sync(&t.fs), SFS_EIO);
    for (uint32_t i = 0; i < 8; i++)
        ck_assert_uint_eq(get(&t, d + i)[0], i + 1); /* still cached, still right */
    sfs_ramdev_heal(&t.rd);
    ck_assert_ok(sfs_sync(&t.fs));
    for (uint32_t i = 0; i < 8; i++)
        ck_assert_uint_eq(t.rd.data[(uint64_t)(d + i) * 1024], i + 1);
    tfs_teardown(&t);
}
END_TEST

/* Journal commits while removing a 4 MiB file: 4,096 blocks freed. */
static uint32_t commits_to_remove(uint32_t cache)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 1024 };
    tfs_setup_opts(&t, 8u << 20, &o, cache);
    size_t len = 4u << 20;
    uint8_t *data = calloc(1, len);
    ck_assert_ptr_nonnull(data);
    ck_assert_ok(tfs_put(&t, "/big", data, len));
    free(data);
    ck_assert_ok(sfs_sync(&t.fs));
    uint32_t seq = t.fs.jseq;
    ck_assert_ok(sfs_unlink(&t.fs, "/big"));
    ck_assert_ok(sfs_sync(&t.fs));
    uint32_t n = t.fs.jseq - seq;
    tfs_remount(&t);
    ck_assert_int_eq(tfs_count(&t, "/"), 0);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
    return n;
}

START_TEST(freed_list_grows_with_the_cache)
{
    /* One block of freed-block list (256 entries at 1 KiB) up to 63 cache
     * blocks; a bigger cache gets a longer list, so a removal commits less. */
    ck_assert_uint_eq(sfs_mem_size(1024, 32) - sfs_mem_size(1024, 31),
                      sfs_mem_size(1024, 31) - sfs_mem_size(1024, 30));
    size_t step = sfs_mem_size(1024, 64) - sfs_mem_size(1024, 63);
    ck_assert_uint_ge(step, 3 * 1024); /* a cache block + one list and one hash block */
    uint32_t small = commits_to_remove(32), big = commits_to_remove(1024);
    fprintf(stderr, "freed list: %u commits with 32 cache blocks, %u with 1024\n", small, big);
    ck_assert_msg(big * 4 <= small, "commits: %u with 32 cache blocks, %u with 1024", small, big);
}
END_TEST

Suite *bcache_suite(void)
{
    Suite *s = suite_create("bcache");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, hits_and_lru);
    tcase_add_test(tc, write_back_and_clean_victims);
    tcase_add_test(tc, all_pinned);
    tcase_add_test(tc, read_error_leaves_nothing_cached);
    tcase_add_test(tc, write_error_keeps_dirty_data);
    tcase_add_test(tc, freed_list_grows_with_the_cache);
    suite_add_tcase(s, tc);
    return s;
}
