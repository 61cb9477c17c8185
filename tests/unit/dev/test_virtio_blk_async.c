/*
 * test_virtio_blk_async.c - the asynchronous block interface (block_submit,
 * block_wait, done callbacks) on virtio-blk against the simulated device:
 * completions in an arbitrary order, a queue filled to capacity (by slots and by
 * descriptors), an I/O error in the middle of a batch, flushes, timeouts with a
 * late completion, and the synchronous fallback for a driver without a queue.
 * Most tests loop over the three transports; the fixture is
 * virtio_blk_fixture.h.
 */
#include "cpu_mock.h"
#include "virtio_blk_fixture.h"
#include <check.h>
#include <dev/block.h>
#include <dev/ramdisk.h>
#include <k/errno.h>
#include <string.h>

Suite *virtio_blk_async_suite(void);

#define NREQ 16

static struct block_request rq[NREQ];
static int order[NREQ], ndone;
static uint8_t bufs[NREQ][4096];

/* done(): record the completion order (ctx holds the request's index). */
static void record(struct block_request *r)
{
    ck_assert(r->complete);
    order[ndone++] = (int)(intptr_t)r->ctx;
}

static void prep(int i, enum block_op op, uint64_t lba, uint32_t count)
{
    rq[i] = (struct block_request){ .op = op,
                                    .lba = lba,
                                    .count = count,
                                    .buf = bufs[i],
                                    .done = record,
                                    .ctx = (void *)(intptr_t)i };
}

static void reset_log(void)
{
    memset(order, -1, sizeof(order));
    ndone = 0;
}

START_TEST(test_completions_in_any_order)
{
    make(_i);
    model.auto_complete = false;
    model.queue_max = 64;
    struct virtio_blk_options o = { .slot_bytes = 4096, .slots = 8 };
    ck_assert_int_eq(up(&o), 0);
    ck_assert_uint_eq(vb.bdev.max_request, 8);
    pattern(model.disk, 64 * 512, 3);
    reset_log();
    /* Eight reads of different sizes, all in flight at once. */
    for (int i = 0; i < 8; i++) {
        prep(i, BLOCK_OP_READ, (uint64_t)i * 8, (uint32_t)(i % 8) + 1);
        memset(bufs[i], 0, sizeof(bufs[i]));
        ck_assert_int_eq(block_submit(&vb.bdev, &rq[i]), 0);
    }
    ck_assert_int_eq(ndone, 0);
    /* The device finishes them in the order 5, 0, 7, 2, 1, 6, 3, 4. */
    const unsigned pick[8] = { 5, 0, 5, 1, 0, 2, 0, 0 };
    const int expect[8] = { 5, 0, 7, 2, 1, 6, 3, 4 };
    for (int k = 0; k < 8; k++) {
        ck_assert_uint_eq(vblk_model_complete_at(&model, pick[k]), 1);
        if (k % 2)
            virtio_blk_irq(&vb); /* by interrupt ... */
        else
            virtio_blk_poll(&vb); /* ... or by polling */
        ck_assert_int_eq(ndone, k + 1);
    }
    for (int k = 0; k < 8; k++) {
        ck_assert_int_eq(order[k], expect[k]);
        int i = expect[k];
        ck_assert(block_request_done(&rq[i]));
        ck_assert_int_eq(rq[i].result, (int)rq[i].count);
        ck_assert_int_eq(block_wait(&vb.bdev, &rq[i]), (int)rq[i].count);
        ck_assert_mem_eq(bufs[i], model.disk + (size_t)i * 8 * 512, rq[i].count * 512);
    }
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    down();
}
END_TEST

/* Submit until the driver has no room; returns how many it took. */
static int fill_queue(void)
{
    int n = 0;
    for (; n < NREQ; n++) {
        prep(n, BLOCK_OP_WRITE, (uint64_t)n * 8, 8);
        pattern(bufs[n], 4096, (unsigned)n + 100);
        int r = block_submit(&vb.bdev, &rq[n]);
        if (r == -EAGAIN)
            break;
        ck_assert_int_eq(r, 0);
    }
    return n;
}

START_TEST(test_queue_filled_to_capacity)
{
    /* By descriptors: 16 entries, 3 per request (header, data, status): 5. */
    make(_i);
    model.auto_complete = false;
    struct virtio_blk_options o = { .slot_bytes = 4096 };
    ck_assert_int_eq(up(&o), 0);
    reset_log();
    int n = fill_queue();
    ck_assert_int_eq(n, 16 / 3);
    ck_assert_uint_lt(vb.vq.num_free, 3);
    ck_assert_uint_eq(model.max_pending, 0);
    vblk_model_complete(&model, -1);
    ck_assert_uint_eq(model.max_pending, (unsigned)n); /* all were in flight at once */
    virtio_blk_poll(&vb);
    ck_assert_int_eq(ndone, n);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(rq[i].result, 8);
        ck_assert_mem_eq(model.disk + (size_t)i * 4096, bufs[i], 4096);
    }
    /* Room again: the next one goes in. */
    ck_assert_int_eq(fill_queue(), 16 / 3);
    vblk_model_complete(&model, -1);
    virtio_blk_poll(&vb);
    down();

    /* By slots: 4 slots and a 64-entry queue: 4. */
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make(_i);
    model.auto_complete = false;
    model.queue_max = 64;
    struct virtio_blk_options o2 = { .slot_bytes = 4096, .slots = 4 };
    ck_assert_int_eq(up(&o2), 0);
    reset_log();
    ck_assert_int_eq(fill_queue(), 4);
    model.reverse = true;
    vblk_model_complete(&model, -1);
    virtio_blk_irq(&vb);
    ck_assert_int_eq(ndone, 4);
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(order[k], 3 - k);
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    down();
}
END_TEST

START_TEST(test_error_fails_only_the_requests_it_hits)
{
    make(_i);
    model.auto_complete = false;
    model.reverse = true;
    model.queue_max = 64;
    model.ioerr_sector = 3 * 8 + 5; /* inside the fourth request */
    struct virtio_blk_options o = { .slot_bytes = 4096, .slots = 8 };
    ck_assert_int_eq(up(&o), 0);
    pattern(model.disk, 64 * 512, 8);
    reset_log();
    for (int i = 0; i < 6; i++) {
        prep(i, BLOCK_OP_READ, (uint64_t)i * 8, 8);
        ck_assert_int_eq(block_submit(&vb.bdev, &rq[i]), 0);
    }
    vblk_model_complete(&model, -1);
    virtio_blk_poll(&vb);
    ck_assert_int_eq(ndone, 6);
    for (int i = 0; i < 6; i++) {
        if (i == 3) {
            ck_assert_int_eq(block_wait(&vb.bdev, &rq[i]), -EIO);
            continue;
        }
        ck_assert_int_eq(block_wait(&vb.bdev, &rq[i]), 8);
        ck_assert_mem_eq(bufs[i], model.disk + (size_t)i * 4096, 4096);
    }
    ck_assert_uint_eq(vb.errors, 1);
    /* A synchronous transfer over the same blocks fails as a whole. */
    model.auto_complete = true;
    static uint8_t big[48 * 512];
    ck_assert_int_eq(block_read(&vb.bdev, 0, 48, big), -EIO);
    ck_assert_int_eq(block_read(&vb.bdev, 0, 24, big), 24);
    down();
}
END_TEST

START_TEST(test_flush_requests)
{
    make(_i);
    ck_assert_int_eq(up(NULL), 0);
    reset_log();
    rq[0] = (struct block_request){ .op = BLOCK_OP_FLUSH, .done = record };
    ck_assert_int_eq(block_submit(&vb.bdev, &rq[0]), 0);
    ck_assert_int_eq(block_wait(&vb.bdev, &rq[0]), 0);
    ck_assert_uint_eq(model.flushes, 1);
    model.unsupp_flush = true;
    ck_assert_int_eq(block_submit(&vb.bdev, &rq[0]), 0);
    ck_assert_int_eq(block_wait(&vb.bdev, &rq[0]), -ENOSYS);
    ck_assert_int_eq(ndone, 2);
    down();
    /* A device without a write cache: the flush completes at once. */
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make(_i);
    model.features &= ~(1ull << VIRTIO_BLK_F_FLUSH);
    ck_assert_int_eq(up(NULL), 0);
    ck_assert_int_eq(block_submit(&vb.bdev, &rq[0]), 0);
    ck_assert(block_request_done(&rq[0]));
    ck_assert_int_eq(block_wait(&vb.bdev, &rq[0]), 0);
    ck_assert_uint_eq(model.flushes, 0);
    down();
}
END_TEST

/* A waiter that completes the device's oldest request each round. */
static int step_wait(void *ctx, bool (*done)(void *arg), void *arg, uint32_t timeout_ms)
{
    (void)ctx;
    (void)timeout_ms;
    for (int i = 0; i < 32; i++) {
        if (done(arg))
            return 0;
        vblk_model_complete(&model, 1);
    }
    return done(arg) ? 0 : -ETIMEDOUT;
}

START_TEST(test_wait_and_timeout)
{
    make(_i);
    model.auto_complete = false;
    struct virtio_blk_options o = { .slot_bytes = 4096, .timeout_ms = 1, .slots = 2 };
    ck_assert_int_eq(up(&o), 0);
    vb.poller.max_spins = 20;
    reset_log();
    /* Nobody completes it: the wait gives up and completes it with -ETIMEDOUT. */
    prep(0, BLOCK_OP_READ, 0, 8);
    ck_assert_int_eq(block_submit(&vb.bdev, &rq[0]), 0);
    ck_assert_int_eq(block_wait(&vb.bdev, &rq[0]), -ETIMEDOUT);
    ck_assert_int_eq(ndone, 1);
    ck_assert_uint_eq(vb.timeouts, 1);
    ck_assert_uint_eq(vb.slots[0].state, VBLK_SLOT_ABANDONED);
    ck_assert_ptr_null(vb.slots[0].rq);
    /* The other slot still works; a waiter that drives the device completes it
     * and, on the way, the abandoned one (late), which frees its slot. */
    vb.wait = step_wait;
    prep(1, BLOCK_OP_READ, 8, 8);
    pattern(model.disk + 4096, 4096, 12);
    ck_assert_int_eq(block_submit(&vb.bdev, &rq[1]), 0);
    ck_assert_int_eq(block_wait(&vb.bdev, &rq[1]), 8);
    ck_assert_mem_eq(bufs[1], model.disk + 4096, 4096);
    ck_assert_int_eq(ndone, 2);
    ck_assert_uint_eq(vb.late, 1);
    ck_assert_uint_eq(vb.slots[0].state, VBLK_SLOT_FREE);
    /* Waiting again on a finished request returns its result at once. */
    ck_assert_int_eq(block_wait(&vb.bdev, &rq[1]), 8);
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    down();
}
END_TEST

START_TEST(test_submit_checks)
{
    make(_i);
    model.auto_complete = false;
    struct virtio_blk_options o = { .slot_bytes = 4096 };
    ck_assert_int_eq(up(&o), 0);
    struct block_request r = { .op = BLOCK_OP_READ, .lba = 0, .count = 9, .buf = bufs[0] };
    ck_assert_int_eq(block_submit(&vb.bdev, &r), -EINVAL); /* over max_request */
    r.count = 1;
    r.lba = 2048;
    ck_assert_int_eq(block_submit(&vb.bdev, &r), -ENXIO);
    r.lba = 0;
    r.buf = NULL;
    ck_assert_int_eq(block_submit(&vb.bdev, &r), -EINVAL);
    r.buf = bufs[0];
    r.op = (enum block_op)7;
    ck_assert_int_eq(block_submit(&vb.bdev, &r), -EINVAL);
    ck_assert_int_eq(block_submit(NULL, &r), -EINVAL);
    ck_assert_int_eq(block_submit(&vb.bdev, NULL), -EINVAL);
    ck_assert_int_eq(block_wait(&vb.bdev, NULL), -EINVAL);
    r.op = BLOCK_OP_WRITE;
    vb.bdev.read_only = true;
    ck_assert_int_eq(block_submit(&vb.bdev, &r), -EROFS);
    vb.bdev.read_only = false;
    r.count = 0; /* nothing to do: complete at once, no callback needed */
    ck_assert_int_eq(block_submit(&vb.bdev, &r), 0);
    ck_assert_int_eq(block_wait(&vb.bdev, &r), 0);
    ck_assert_uint_eq(model.requests + model.npending, 0);
    down();
}
END_TEST

START_TEST(test_fallback_without_a_queue)
{
    static uint8_t mem[8 * 512];
    struct ramdisk rd;
    ck_assert_int_eq(ramdisk_init(&rd, "ram9", mem, 512, 8), 0);
    reset_log();
    prep(0, BLOCK_OP_WRITE, 2, 2);
    pattern(bufs[0], 1024, 4);
    ck_assert_int_eq(block_submit(&rd.bdev, &rq[0]), 0);
    ck_assert_int_eq(ndone, 1); /* completed inside submit */
    ck_assert_int_eq(block_wait(&rd.bdev, &rq[0]), 2);
    ck_assert_mem_eq(mem + 1024, bufs[0], 1024);
    prep(1, BLOCK_OP_READ, 2, 2);
    ck_assert_int_eq(block_submit(&rd.bdev, &rq[1]), 0);
    ck_assert_int_eq(block_wait(&rd.bdev, &rq[1]), 2);
    ck_assert_mem_eq(bufs[1], bufs[0], 1024);
    prep(2, BLOCK_OP_FLUSH, 0, 0);
    ck_assert_int_eq(block_submit(&rd.bdev, &rq[2]), 0);
    ck_assert_int_eq(block_wait(&rd.bdev, &rq[2]), 0);
    ck_assert_int_eq(ndone, 3);
    /* A driver that cannot write. */
    static const struct block_ops ro_ops = { 0 };
    struct block_device bare = { .ops = &ro_ops, .block_size = 512, .block_count = 8 };
    prep(3, BLOCK_OP_WRITE, 0, 1);
    ck_assert_int_eq(block_submit(&bare, &rq[3]), -ENOSYS);
    prep(3, BLOCK_OP_READ, 0, 1);
    ck_assert_int_eq(block_submit(&bare, &rq[3]), -ENOSYS);
    prep(3, BLOCK_OP_FLUSH, 0, 0);
    ck_assert_int_eq(block_submit(&bare, &rq[3]), 0);
    ck_assert_int_eq(block_wait(&bare, &rq[3]), 0);
}
END_TEST

Suite *virtio_blk_async_suite(void)
{
    Suite *s = suite_create("virtio_blk_async");
    TCase *tc = tcase_create("virtio_blk_async");
    tcase_add_checked_fixture(tc, vblk_fixture_setup, vblk_fixture_teardown);
    tcase_add_loop_test(tc, test_completions_in_any_order, 0, VARIANTS);
    tcase_add_loop_test(tc, test_queue_filled_to_capacity, 0, VARIANTS);
    tcase_add_loop_test(tc, test_error_fails_only_the_requests_it_hits, 0, VARIANTS);
    tcase_add_loop_test(tc, test_flush_requests, 0, VARIANTS);
    tcase_add_loop_test(tc, test_wait_and_timeout, 0, VARIANTS);
    tcase_add_loop_test(tc, test_submit_checks, 0, VARIANTS);
    tcase_add_test(tc, test_fallback_without_a_queue);
    suite_add_tcase(s, tc);
    return s;
}
