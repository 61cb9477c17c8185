/*
 * test_virtio_blk_io.c - virtio-blk transfers against the simulated device:
 * round trips, requests split to the device's limits, out-of-order and late
 * completions, ring wraparound, timeouts, interrupts and polling, suppressed
 * notifications, concurrent transfers on one queue, and random I/O checked
 * against a shadow disk. Set-up and errors are in test_virtio_blk.c; the
 * fixture is virtio_blk_fixture.h. Most tests loop over the three transports.
 */
#include "cpu_mock.h"
#include "virtio_blk_fixture.h"
#include <arch/cpu.h>
#include <arch/pic.h>
#include <check.h>
#include <dev/block.h>
#include <k/errno.h>
#include <string.h>

Suite *virtio_blk_io_suite(void);

/* A waiter that plays the device: completes @per_call requests per round and,
 * if @irq, delivers the interrupt (otherwise done() polls). */
struct drive {
    int per_call;
    bool irq;
    bool never;
    int rounds;
};

static int drive_wait(void *ctx, bool (*done)(void *arg), void *arg, uint32_t timeout_ms)
{
    struct drive *d = ctx;
    (void)timeout_ms;
    for (int i = 0; i < 64; i++) {
        if (done(arg))
            return 0;
        d->rounds++;
        if (d->never)
            continue;
        vblk_model_complete(&model, d->per_call);
        if (d->irq)
            virtio_blk_irq(&vb);
    }
    return done(arg) ? 0 : -ETIMEDOUT;
}

START_TEST(test_read_write_roundtrip)
{
    make(_i);
    struct virtio_blk_options o = { .slot_bytes = 16 * 1024 };
    ck_assert_int_eq(up(&o), 0);
    static uint8_t in[2048 * 512 + 1], out[2048 * 512 + 1];
    const uint32_t sizes[] = { 1, 8, 31, 32, 33, 127, 300 };
    uint64_t lba = 0;
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        uint32_t n = sizes[k];
        pattern(in + 1, n * 512, (unsigned)k);
        ck_assert_int_eq(block_write(&vb.bdev, lba, n, in + 1), (int)n); /* unaligned buffer */
        ck_assert_mem_eq(model.disk + lba * 512, in + 1, n * 512);
        memset(out, 0, n * 512);
        ck_assert_int_eq(block_read(&vb.bdev, lba, n, out), (int)n);
        ck_assert_mem_eq(out, in + 1, n * 512);
        lba += n;
    }
    /* The whole disk (1 MiB) in one call. */
    pattern(in, 2048 * 512, 99);
    ck_assert_int_eq(block_write(&vb.bdev, 0, 2048, in), 2048);
    ck_assert_int_eq(block_read(&vb.bdev, 0, 2048, out), 2048);
    ck_assert_mem_eq(in, out, 2048 * 512);
    ck_assert_uint_gt(model.max_pending, 1); /* several requests in flight */
    ck_assert_uint_eq(vb.errors, 0);
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    down();
}
END_TEST

static void count_wake(void *ctx)
{
    (*(int *)ctx)++;
}

START_TEST(test_out_of_order_completion)
{
    make(_i);
    model.auto_complete = false;
    model.reverse = true;
    struct drive d = { .per_call = 1, .irq = _i != MODERN };
    int wakes = 0;
    struct virtio_blk_options o = { .slot_bytes = 4096,
                                    .wait = drive_wait,
                                    .wait_ctx = &d,
                                    .wake = count_wake,
                                    .wake_ctx = &wakes };
    ck_assert_int_eq(up(&o), 0);
    static uint8_t in[300 * 512], out[300 * 512];
    pattern(in, sizeof(in), 5);
    ck_assert_int_eq(block_write(&vb.bdev, 17, 300, in), 300);
    ck_assert_int_eq(block_read(&vb.bdev, 17, 300, out), 300);
    ck_assert_mem_eq(in, out, sizeof(in));
    ck_assert_uint_ge(model.max_pending, 5);
    ck_assert_uint_gt(d.rounds, 0);
    ck_assert_int_ge(wakes, 2 * 300 / 8); /* once per completion batch, one at a time */
    if (d.irq)
        ck_assert_uint_gt(vb.interrupts, 0);
    down();
}
END_TEST

START_TEST(test_device_limits_split_requests)
{
    make(_i);
    model.features |= 1ull << VIRTIO_BLK_F_SIZE_MAX;
    model.size_max = 1024;
    model.seg_max = 4;
    model.queue_max = 64;
    ck_assert_int_eq(up(NULL), 0);
    ck_assert_uint_eq(vb.max_req_bytes, 4096);
    static uint8_t in[64 * 512], out[64 * 512];
    pattern(in, sizeof(in), 3);
    unsigned before = model.requests;
    ck_assert_int_eq(block_write(&vb.bdev, 100, 64, in), 64);
    ck_assert_uint_eq(model.requests - before, 8);
    ck_assert_uint_eq(model.max_segs, 4);
    ck_assert_int_eq(block_read(&vb.bdev, 100, 64, out), 64);
    ck_assert_mem_eq(in, out, sizeof(in));
    down();
}
END_TEST

START_TEST(test_ring_wraparound)
{
    make(_i);
    model.queue_max = 4; /* one request at a time: the ring wraps every 4 */
    ck_assert_int_eq(up(NULL), 0);
    ck_assert_uint_eq(vb.vq.size, 4);
    /* Start near the 16-bit index wrap, device and driver agreeing. */
    vb.vq.avail->idx = 65530;
    vb.vq.used->idx = 65530;
    vb.vq.last_used = 65530;
    model.last_avail = 65530;
    model.used_idx = 65530;
    uint8_t in[1024], out[1024];
    for (unsigned i = 0; i < 50; i++) {
        pattern(in, sizeof(in), i);
        ck_assert_int_eq(block_write(&vb.bdev, i * 2, 2, in), 2);
        ck_assert_int_eq(block_read(&vb.bdev, i * 2, 2, out), 2);
        ck_assert_mem_eq(in, out, sizeof(in));
    }
    ck_assert_uint_eq(vb.vq.avail->idx, (uint16_t)(65530 + 100));
    ck_assert_uint_eq(model.max_pending, 1);
    down();
}
END_TEST

START_TEST(test_timeout_and_late_completion)
{
    make(_i);
    model.auto_complete = false;
    model.queue_max = 4; /* room for one request */
    struct virtio_blk_options o = { .timeout_ms = 1, .slots = 1 };
    ck_assert_int_eq(up(&o), 0);
    vb.poller.max_spins = 20; /* the default waiter, bounded quickly */
    static uint8_t buf[8 * 512];
    ck_assert_int_eq(block_read(&vb.bdev, 0, 8, buf), -ETIMEDOUT);
    ck_assert_uint_eq(vb.timeouts, 1);
    ck_assert_uint_eq(vb.slots[0].state, VBLK_SLOT_ABANDONED);
    /* The device still holds the only slot and the descriptors: bounded again. */
    ck_assert_int_eq(block_read(&vb.bdev, 0, 8, buf), -ETIMEDOUT);
    ck_assert_uint_eq(vb.timeouts, 2);
    ck_assert_uint_eq(model.requests, 0);
    /* The device answers at last: the slot comes back (never reused before)
     * and the waiting transfer goes ahead. */
    struct drive d = { .per_call = 1 };
    vb.wait = drive_wait;
    vb.wait_ctx = &d;
    pattern(model.disk, 8 * 512, 6);
    ck_assert_int_eq(block_read(&vb.bdev, 0, 8, buf), 8);
    ck_assert_mem_eq(buf, model.disk, 8 * 512);
    ck_assert_uint_eq(vb.late, 1);
    ck_assert_uint_eq(vb.slots[0].state, VBLK_SLOT_FREE);
    down();

    /* A multi-request transfer times out part-way: some done, some abandoned. */
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make(_i);
    model.auto_complete = false;
    struct drive never = { .never = true };
    struct virtio_blk_options o2 = { .wait = drive_wait, .wait_ctx = &never };
    ck_assert_int_eq(up(&o2), 0);
    static uint8_t big[512 * 512];
    ck_assert_int_eq(block_write(&vb.bdev, 0, 512, big), -ETIMEDOUT);
    ck_assert_uint_eq(vb.timeouts, 1);
    vblk_model_complete(&model, 2);
    virtio_blk_poll(&vb);
    vblk_model_complete(&model, -1);
    ck_assert_int_gt(virtio_blk_poll(&vb), -1);
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    down();
}
END_TEST

static int hlt_irqs;

static void hlt_delivers_irq(void)
{
    vblk_model_complete(&model, -1);
    struct trap_frame tf = { 0 };
    tf.vector = TRAP_IRQ_BASE + 11;
    irq_dispatch(&tf);
    hlt_irqs++;
}

START_TEST(test_interrupt_wiring)
{
    make(_i);
    model.auto_complete = false;
    ck_assert_int_eq(up(NULL), 0);
    ck_assert_int_eq(virtio_blk_attach_irq(&vb), 0);
    ck_assert(vb.irq_attached);
    ck_assert_int_eq(vb.irq.irq, 11);
    /* Not our interrupt: ISR reads 0, nothing happens. */
    ck_assert_uint_eq(virtio_blk_irq(&vb), 0);
    ck_assert_uint_eq(vb.interrupts, 0);
    /* Halting waits, woken by the (simulated) interrupt. */
    ck_assert(vb.poller.use_hlt);
    vb.poller.max_spins = 100;
    cpu_sti();
    cpu_mock_set_hlt_hook(hlt_delivers_irq);
    hlt_irqs = 0;
    static uint8_t buf[64 * 512];
    pattern(buf, sizeof(buf), 1);
    ck_assert_int_eq(block_write(&vb.bdev, 0, 64, buf), 64);
    ck_assert_int_gt(hlt_irqs, 0);
    ck_assert_uint_gt(vb.interrupts, 0);
    ck_assert_uint_gt(vb.irq.count, 0);
    ck_assert_mem_eq(model.disk, buf, sizeof(buf));
    cpu_mock_set_hlt_hook(NULL);
    down();
    ck_assert(!vb.irq_attached);
    /* No interrupt pin: polling only. */
    pdev.irq_pin = 0;
    vb.vdev.pci = &pdev;
    ck_assert_int_eq(virtio_blk_attach_irq(&vb), -ENXIO);
}
END_TEST

START_TEST(test_notification_suppressed)
{
    make(_i);
    model.auto_complete = false;
    model.no_notify = true;
    struct drive d = { .per_call = -1 };
    struct virtio_blk_options o = { .wait = drive_wait, .wait_ctx = &d };
    ck_assert_int_eq(up(&o), 0);
    uint8_t buf[512];
    ck_assert_int_eq(block_read(&vb.bdev, 1, 1, buf), 1);
    ck_assert_uint_eq(model.notifies, 0);
    ck_assert_uint_eq(vb.vq.kicks, 0);
    down();
}
END_TEST

static uint32_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Random completion order and batch sizes, interrupts or polling. */
static int random_wait(void *ctx, bool (*done)(void *arg), void *arg, uint32_t timeout_ms)
{
    (void)ctx;
    (void)timeout_ms;
    for (int i = 0; i < 256; i++) {
        if (done(arg))
            return 0;
        model.reverse = rng() & 1;
        vblk_model_complete(&model, (int)(rng() % 3) + 1);
        if (rng() & 1)
            virtio_blk_irq(&vb);
    }
    return -ETIMEDOUT;
}

START_TEST(test_random_io_against_shadow)
{
    make(_i);
    model.auto_complete = false;
    model.features |= 1ull << VIRTIO_BLK_F_SIZE_MAX;
    model.size_max = 3072; /* segments that do not align with blocks */
    model.queue_max = 32;
    struct virtio_blk_options o = { .slot_bytes = 8192, .slots = 6, .wait = random_wait };
    ck_assert_int_eq(up(&o), 0);
    static uint8_t shadow[2048 * 512], buf[200 * 512];
    rng_state = 1234u + (uint32_t)_i;
    for (int op = 0; op < 300; op++) {
        uint32_t count = rng() % 200 + 1;
        uint64_t lba = rng() % (2048 - count + 1);
        if (rng() & 1) {
            pattern(buf, count * 512, (unsigned)op);
            ck_assert_int_eq(block_write(&vb.bdev, lba, count, buf), (int)count);
            memcpy(shadow + lba * 512, buf, count * 512);
        } else {
            ck_assert_int_eq(block_read(&vb.bdev, lba, count, buf), (int)count);
            ck_assert_mem_eq(buf, shadow + lba * 512, count * 512);
        }
    }
    ck_assert_mem_eq(model.disk, shadow, sizeof(shadow));
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    ck_assert_uint_le(model.max_segs, 3);
    down();
}
END_TEST

/* While transfer A waits, a second "thread" runs transfer B to completion: their
 * requests share the queue and complete interleaved, each transfer collects only
 * its own. */
static uint8_t other_in[20 * 512], other_out[20 * 512];
static int nested_runs;

static int nested_wait(void *ctx, bool (*done)(void *arg), void *arg, uint32_t timeout_ms)
{
    (void)timeout_ms;
    struct drive *d = ctx;
    if (nested_runs == 0) {
        nested_runs++;
        ck_assert_uint_lt(vb.vq.num_free, vb.vq.size); /* A is in flight */
        pattern(other_in, sizeof(other_in), 42);
        ck_assert_int_eq(block_write(&vb.bdev, 1500, 20, other_in), 20);
        ck_assert_int_eq(block_read(&vb.bdev, 1500, 20, other_out), 20);
    }
    return drive_wait(d, done, arg, timeout_ms);
}

START_TEST(test_concurrent_transfers_share_the_queue)
{
    make(_i);
    model.auto_complete = false;
    model.reverse = true;
    model.queue_max = 64;
    struct drive d = { .per_call = 1, .irq = true };
    struct virtio_blk_options o = {
        .slot_bytes = 4096, .slots = 8, .wait = nested_wait, .wait_ctx = &d
    };
    ck_assert_int_eq(up(&o), 0);
    nested_runs = 0;
    static uint8_t in[32 * 512], out[32 * 512];
    pattern(model.disk, sizeof(in), 9);
    memcpy(in, model.disk, sizeof(in));
    ck_assert_int_eq(block_read(&vb.bdev, 0, 32, out), 32); /* 4 requests of A in flight */
    ck_assert_int_eq(nested_runs, 1);
    ck_assert_mem_eq(out, in, sizeof(in));
    ck_assert_mem_eq(other_out, other_in, sizeof(other_in));
    ck_assert_mem_eq(model.disk + 1500 * 512, other_in, sizeof(other_in));
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    down();
}
END_TEST

Suite *virtio_blk_io_suite(void)
{
    Suite *s = suite_create("virtio_blk_io");
    TCase *tc = tcase_create("virtio_blk_io");
    tcase_add_checked_fixture(tc, vblk_fixture_setup, vblk_fixture_teardown);
    tcase_add_loop_test(tc, test_read_write_roundtrip, 0, VARIANTS);
    tcase_add_loop_test(tc, test_out_of_order_completion, 0, VARIANTS);
    tcase_add_loop_test(tc, test_device_limits_split_requests, 0, VARIANTS);
    tcase_add_loop_test(tc, test_ring_wraparound, 0, VARIANTS);
    tcase_add_loop_test(tc, test_timeout_and_late_completion, 0, VARIANTS);
    tcase_add_loop_test(tc, test_interrupt_wiring, 0, VARIANTS);
    tcase_add_loop_test(tc, test_notification_suppressed, 0, VARIANTS);
    tcase_add_loop_test(tc, test_random_io_against_shadow, 0, VARIANTS);
    tcase_add_loop_test(tc, test_concurrent_transfers_share_the_queue, 0, VARIANTS);
    suite_add_tcase(s, tc);
    return s;
}
