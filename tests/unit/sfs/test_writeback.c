/*
 * test_writeback.c - batched write-back: with the device's optional
 * write_start/write_wait, sfs_bflush_all() (sync without a journal, unmount) starts every dirty
 * block and waits once. The test device holds the started writes back and
 * applies them, newest first, only at the wait; the data must be on the disk
 * after sfs_sync(), and a failed batch must leave the blocks dirty so a later
 * sync writes them.
 */
#include "sfs_test.h"
#include <stdlib.h>
#include <string.h>

Suite *writeback_suite(void);

#define MAXQ 4096

static struct {
    uint64_t sector[MAXQ];
    uint32_t count[MAXQ];
    const void *buf[MAXQ];
    unsigned n, started, waits;
    bool fail;
    struct sfs_ramdev *rd;
} q;

static int start(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    ck_assert_ptr_eq(ctx, &q);
    ck_assert_uint_lt(q.n, MAXQ);
    q.sector[q.n] = sector;
    q.count[q.n] = count;
    q.buf[q.n++] = buf;
    q.started++;
    return 0;
}

static int wait_all(void *ctx)
{
    ck_assert_ptr_eq(ctx, &q);
    q.waits++;
    int r = 0;
    while (q.n) { /* any order will do: newest first */
        q.n--;
        if (q.fail)
            r = -5;
        else
            q.rd->dev.write(q.rd->dev.ctx, q.sector[q.n], q.count[q.n], q.buf[q.n]);
    }
    return r;
}

/* A volume without a journal: sync is a flush of the cache (a journaled one
 * commits through its journal instead). */
static void setup_batched(struct tfs *t)
{
    struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX };
    tfs_setup_opts(t, 4 << 20, &o, 0);
    memset(&q, 0, sizeof(q));
    q.rd = &t->rd;
    t->rd.dev.write_start = start;
    t->rd.dev.write_wait = wait_all;
    t->rd.dev.async_ctx = &q;
    tfs_remount(t);
}

START_TEST(test_sync_writes_a_batch)
{
    struct tfs t;
    setup_batched(&t);
    static uint8_t data[200 * 1024];
    tfs_fill(data, sizeof(data), 7);
    ck_assert_int_eq(tfs_put(&t, "/f", data, sizeof(data)), 0);
    unsigned before = q.started;
    ck_assert_int_eq(sfs_sync(&t.fs), 0);
    ck_assert_uint_gt(q.started, before);
    ck_assert_uint_gt(q.waits, 0);
    ck_assert_uint_eq(q.n, 0);
    /* On the disk now: a fresh mount sees it, and the volume is clean. */
    tfs_remount(&t);
    void *got;
    ck_assert_int_eq(tfs_get(&t, "/f", &got), (long)sizeof(data));
    ck_assert_mem_eq(got, data, sizeof(data));
    free(got);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(test_a_failed_batch_stays_dirty)
{
    struct tfs t;
    setup_batched(&t);
    static uint8_t data[64 * 1024];
    tfs_fill(data, sizeof(data), 3);
    ck_assert_int_eq(tfs_put(&t, "/g", data, sizeof(data)), 0);
    q.fail = true;
    ck_assert_int_eq(sfs_sync(&t.fs), SFS_EIO);
    q.fail = false;
    ck_assert_int_eq(sfs_sync(&t.fs), 0);
    tfs_remount(&t);
    void *got;
    ck_assert_int_eq(tfs_get(&t, "/g", &got), (long)sizeof(data));
    ck_assert_mem_eq(got, data, sizeof(data));
    free(got);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

Suite *writeback_suite(void)
{
    Suite *s = suite_create("writeback");
    TCase *tc = tcase_create("writeback");
    tcase_add_test(tc, test_sync_writes_a_batch);
    tcase_add_test(tc, test_a_failed_batch_stays_dirty);
    suite_add_tcase(s, tc);
    return s;
}
