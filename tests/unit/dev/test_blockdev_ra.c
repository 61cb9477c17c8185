/*
 * test_blockdev_ra.c - sequential read-ahead below block_read() against the
 * simulated virtio-blk device: sequential reads make the window grow and the
 * device get requests ahead of the reader, larger than the reads; random
 * reads get none; the data is right throughout, after writes into blocks
 * already read ahead, and after a failed read-ahead request.
 */
#include "cpu_mock.h"
#include "virtio_blk_fixture.h"
#include <check.h>
#include <dev/block_ra.h>
#include <k/errno.h>
#include <stdlib.h>
#include <string.h>

Suite *blockdev_ra_suite(void);

static struct block_ra ra;
static uint8_t *ramem;
#define RA_BYTES (8 * 32 * 512) /* 8 slots of 16 KiB */

static void up_ra(void)
{
    ck_assert_int_eq(up(NULL), 0);
    ramem = malloc(RA_BYTES);
    ck_assert_int_eq(block_ra_attach(&vb.bdev, &ra, ramem, RA_BYTES), 0);
    ck_assert_uint_eq(ra.slot_blocks, 32);
    ck_assert_uint_eq(ra.max_window, 256);
    pattern(model.disk, 2048 * 512, 77);
}

static void down_ra(void)
{
    block_ra_detach(&vb.bdev);
    ck_assert_ptr_null(vb.bdev.ra);
    free(ramem);
    down();
}

START_TEST(test_sequential_reads_read_ahead)
{
    make(_i);
    up_ra();
    static uint8_t buf[4096];
    unsigned device_reads_at_start = model.reads;
    bool ahead_seen = false;
    for (uint64_t lba = 0; lba < 2048; lba += 8) {
        ck_assert_int_eq(block_read(&vb.bdev, lba, 8, buf), 8);
        ck_assert_mem_eq(buf, model.disk + lba * 512, 4096);
        /* Requests already went out for blocks beyond this read. */
        for (int i = 0; i < BLOCK_RA_SLOTS; i++)
            ahead_seen |= ra.slot[i].used && ra.slot[i].rq.lba >= lba + 8;
    }
    ck_assert(ahead_seen);
    ck_assert_uint_eq(ra.peak_window, ra.max_window); /* it grew all the way */
    ck_assert_uint_gt(ra.prefetches, 0);
    ck_assert_uint_eq(vb.bdev.stats.readahead, ra.hits + ra.misses - 8); /* all but the first */
    ck_assert_uint_ge(ra.hits, 2048 - 8);
    ck_assert_uint_eq(ra.misses, 8);
    /* 256 reads of 4 KiB took 65 device requests: the first read's, then
     * 2040 blocks read ahead in requests of 32. */
    ck_assert_uint_eq(model.reads - device_reads_at_start, 65);
    down_ra();
}
END_TEST

/* Sequential reads of a whole slot (as SFS's 64 KiB reads are on virtio-blk)
 * are read ahead too after the first; much larger ones go straight. */
START_TEST(test_sequential_slot_reads_read_ahead)
{
    make(_i);
    up_ra();
    static uint8_t buf[128 * 512];
    for (uint64_t lba = 0; lba < 1024; lba += 32) {
        ck_assert_int_eq(block_read(&vb.bdev, lba, 32, buf), 32);
        ck_assert_mem_eq(buf, model.disk + lba * 512, 32 * 512);
    }
    ck_assert_uint_eq(ra.misses, 32); /* only the first read went to the device itself */
    ck_assert_uint_eq(ra.hits, 1024 - 32);
    /* The counters say what the device read: each block once (the first
     * read, then requests ahead), not again for the reads served from slots. */
    ck_assert_uint_eq(vb.bdev.stats.read_blocks, 32 + vb.bdev.stats.readahead);
    ck_assert_uint_eq(vb.bdev.stats.reads, 1 + ra.prefetches);
    ck_assert_uint_eq(ra.peak_window, ra.max_window);
    /* Reads of more than a quarter of the window (64 blocks) go straight,
     * except for the blocks already read ahead: none is read twice. */
    unsigned prefetches = ra.prefetches;
    for (uint64_t lba = 1024; lba < 2048; lba += 128) {
        ck_assert_int_eq(block_read(&vb.bdev, lba, 128, buf), 128);
        ck_assert_mem_eq(buf, model.disk + lba * 512, 128 * 512);
    }
    ck_assert_uint_eq(ra.prefetches, prefetches);
    ck_assert_uint_gt(vb.bdev.stats.readahead, 0);
    ck_assert_uint_eq(vb.bdev.stats.read_blocks, 2048);
    down_ra();
}
END_TEST

START_TEST(test_random_reads_do_not)
{
    make(_i);
    up_ra();
    static uint8_t buf[4096];
    static const uint64_t at[] = { 100, 500, 37, 1200, 9, 700 };
    for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        ck_assert_int_eq(block_read(&vb.bdev, at[i], 8, buf), 8);
        ck_assert_mem_eq(buf, model.disk + at[i] * 512, 4096);
    }
    ck_assert_uint_eq(ra.prefetches, 0);
    ck_assert_uint_eq(vb.bdev.stats.readahead, 0);
    ck_assert_uint_eq(ra.peak_window, 0);
    down_ra();
}
END_TEST

START_TEST(test_writes_and_errors_stay_coherent)
{
    make(_i);
    up_ra();
    static uint8_t buf[4096], news[4096];
    for (uint64_t lba = 0; lba < 64; lba += 8)
        ck_assert_int_eq(block_read(&vb.bdev, lba, 8, buf), 8);
    /* Blocks 64.. were read ahead; overwrite some through each write path. */
    ck_assert_ptr_nonnull(ra.slot[0].data);
    memset(news, 0x5a, sizeof(news));
    ck_assert_int_eq(block_write(&vb.bdev, 68, 2, news), 2);
    struct block_request w = { .op = BLOCK_OP_WRITE, .lba = 80, .count = 1, .buf = news };
    ck_assert_int_eq(block_submit(&vb.bdev, &w), 0);
    ck_assert_int_eq(block_wait(&vb.bdev, &w), 1);
    for (uint64_t lba = 64; lba < 128; lba += 8) {
        ck_assert_int_eq(block_read(&vb.bdev, lba, 8, buf), 8);
        ck_assert_mem_eq(buf, model.disk + lba * 512, 4096);
    }
    ck_assert_uint_eq(model.disk[68 * 512], 0x5a);
    ck_assert_uint_eq(model.disk[80 * 512 + 511], 0x5a);
    /* A read-ahead request that fails: its blocks come from the device. */
    model.ioerr_sector = 1000;
    unsigned errors = vb.errors;
    for (uint64_t lba = 900; lba < 1000; lba += 4) {
        ck_assert_int_eq(block_read(&vb.bdev, lba, 4, buf), 4);
        ck_assert_mem_eq(buf, model.disk + lba * 512, 2048);
    }
    ck_assert_uint_gt(vb.errors, errors); /* a read-ahead request failed */
    ck_assert_int_eq(block_read(&vb.bdev, 1000, 8, buf), -EIO);
    model.ioerr_sector = -1;
    ck_assert_int_eq(block_read(&vb.bdev, 1000, 8, buf), 8);
    ck_assert_mem_eq(buf, model.disk + 1000 * 512, 4096);
    down_ra();
}
END_TEST

START_TEST(test_attach_errors)
{
    make(_i);
    ck_assert_int_eq(up(NULL), 0);
    static uint8_t mem[RA_BYTES];
    struct block_ra r2;
    ck_assert_int_eq(block_ra_attach(NULL, &ra, mem, sizeof(mem)), -EINVAL);
    ck_assert_int_eq(block_ra_attach(&vb.bdev, &ra, mem, 7 * 512), -EINVAL);
    ck_assert_int_eq(block_ra_attach(&vb.bdev, &ra, mem, sizeof(mem)), 0);
    ck_assert_int_eq(block_ra_attach(&vb.bdev, &r2, mem, sizeof(mem)), -EINVAL);
    block_ra_detach(&vb.bdev);
    block_ra_detach(&vb.bdev); /* twice: nothing */
    down();
}
END_TEST

Suite *blockdev_ra_suite(void)
{
    Suite *s = suite_create("blockdev_ra");
    TCase *tc = tcase_create("blockdev_ra");
    tcase_add_checked_fixture(tc, vblk_fixture_setup, vblk_fixture_teardown);
    tcase_add_loop_test(tc, test_sequential_reads_read_ahead, 0, VARIANTS);
    tcase_add_loop_test(tc, test_sequential_slot_reads_read_ahead, 0, VARIANTS);
    tcase_add_loop_test(tc, test_random_reads_do_not, 0, VARIANTS);
    tcase_add_loop_test(tc, test_writes_and_errors_stay_coherent, 0, VARIANTS);
    tcase_add_test(tc, test_attach_errors);
    suite_add_tcase(s, tc);
    return s;
}
