/*
 * test_virtio_blk.c - the virtio-pci transport and the virtio-blk driver against
 * a simulated device that consumes the driver's rings from DMA memory. Most
 * tests loop over the three transports: modern, legacy and transitional.
 */
#include "cpu_mock.h"
#include "pci_mock.h"
#include "virtio_blk_model.h"
#include "virtio_dma.h"
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/pic.h>
#include <check.h>
#include <dev/block.h>
#include <dev/virtio.h>
#include <dev/virtio_blk.h>
#include <string.h>

Suite *virtio_blk_suite(void);

enum { MODERN, LEGACY, TRANSITIONAL, VARIANTS };

static struct virtio_dma_arena arena;
static struct dma_pool pool;
static struct pci_mock pm;
static struct vblk_model model;
static struct pci_device pdev;
static struct virtio_env env;
static struct virtio_blk vb;
static unsigned expected_violations;

static void setup(void)
{
    cpu_mock_reset();
    virtio_dma_init(&arena, 4 << 20);
    dma_pool_init(&pool, &virtio_dma_ops, &arena);
    pci_mock_init(&pm);
    memset(&vb, 0, sizeof(vb));
    memset(&model, 0, sizeof(model));
    expected_violations = 0;
}

static void teardown(void)
{
    ck_assert_uint_eq(model.violations, expected_violations);
    vblk_model_free(&model);
    dma_pool_drain(&pool);
    ck_assert_uint_eq(pool.outstanding, 0);
    ck_assert_uint_eq(arena.in_use, 0);
    virtio_dma_destroy(&arena);
}

static void make(int variant)
{
    vblk_model_init(&model, &arena, variant != LEGACY, variant != MODERN);
}

static void attach(void)
{
    vblk_model_attach(&model, &pm, 0, 4);
    pci_mock_install(&pm, vblk_model_io, &model);
    ck_assert_int_eq(pci_probe_function(&pdev, 0, 4, 0), 0);
    env = (struct virtio_env){ &pool, vblk_model_map, &model, { &vblk_model_mmio_ops, &model } };
}

static int up(const struct virtio_blk_options *opt)
{
    attach();
    return virtio_blk_init(&vb, &pdev, &env, opt, "vda");
}

static void down(void)
{
    virtio_blk_shutdown(&vb);
}

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 9));
}

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

START_TEST(test_init_negotiates)
{
    make(_i);
    model.features |= 1ull << VIRTIO_BLK_F_SIZE_MAX;
    model.size_max = 65536;
    ck_assert_int_eq(up(NULL), 0);
    struct virtio_device *vd = &vb.vdev;
    ck_assert(vd->modern == (_i != LEGACY));
    uint64_t want = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
                    1ull << VIRTIO_BLK_F_FLUSH | 1ull << VIRTIO_BLK_F_SIZE_MAX;
    if (_i != LEGACY)
        want |= 1ull << VIRTIO_F_VERSION_1;
    ck_assert_uint_eq(vd->features, want);
    ck_assert_uint_eq(model.driver_features, want);
    uint8_t expect = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK;
    if (vd->modern)
        expect |= VIRTIO_STATUS_FEATURES_OK;
    ck_assert_uint_eq(model.status, expect);
    ck_assert_uint_eq(virtio_get_status(vd), expect);
    ck_assert_uint_eq(vb.capacity, 2048);
    ck_assert_uint_eq(vb.bdev.block_size, 512);
    ck_assert_uint_eq(vb.bdev.block_count, 2048);
    ck_assert_uint_eq(vb.seg_max, 8);
    ck_assert_uint_eq(vb.size_max, 65536);
    ck_assert_uint_eq(vb.vq.size, 16);
    ck_assert(model.qenabled);
    ck_assert_uint_eq(model.desc, vb.vq.desc_phys);
    ck_assert_uint_eq(model.used, vb.vq.used_phys);
    ck_assert_str_eq(vb.bdev.name, "vda");
    ck_assert(!vb.bdev.read_only);
    ck_assert_uint_eq(pci_read16(&pdev, PCI_COMMAND) & PCI_CMD_BUS_MASTER, PCI_CMD_BUS_MASTER);
    ck_assert_uint_eq(virtio_config_read8(vd, VIRTIO_BLK_CFG_BLK_SIZE + 1), 2); /* 512 >> 8 */
    ck_assert_uint_eq(virtio_config_read16(vd, VIRTIO_BLK_CFG_BLK_SIZE), 512);
    ck_assert_uint_eq(virtio_config_read32(vd, 0x10000), 0); /* out of range */
    down();
    ck_assert_uint_eq(model.status, 0);
}
END_TEST

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

START_TEST(test_error_status)
{
    make(_i);
    ck_assert_int_eq(up(NULL), 0);
    static uint8_t buf[64 * 512];
    model.ioerr_sector = 100;
    ck_assert_int_eq(block_read(&vb.bdev, 90, 20, buf), -EIO);
    ck_assert_int_eq(block_write(&vb.bdev, 100, 1, buf), -EIO);
    ck_assert_int_eq(block_read(&vb.bdev, 0, 10, buf), 10);
    ck_assert_uint_eq(vb.errors, 2);
    model.ioerr_sector = -1;
    model.unsupp_flush = true;
    ck_assert_int_eq(block_flush(&vb.bdev), -ENOSYS);
    model.unsupp_flush = false;
    ck_assert_int_eq(block_flush(&vb.bdev), 0);
    ck_assert_uint_eq(model.flushes, 2);
    model.skip_status = true; /* the device "completes" without a status */
    ck_assert_int_eq(block_read(&vb.bdev, 0, 1, buf), -EIO);
    model.skip_status = false;
    /* Out of range never reaches the device, through either entry point. */
    unsigned before = model.requests;
    ck_assert_int_eq(block_read(&vb.bdev, 2048, 1, buf), -ENXIO);
    ck_assert_int_eq(block_read(&vb.bdev, 2040, 9, buf), -ENXIO);
    ck_assert_int_eq(virtio_blk_ops.read(&vb.bdev, 2047, 2, buf), -ENXIO);
    ck_assert_int_eq(virtio_blk_ops.write(&vb.bdev, 4000, 1, buf), -ENXIO);
    ck_assert_int_eq(virtio_blk_ops.read(&vb.bdev, 0, 0, buf), 0);
    ck_assert_uint_eq(model.requests, before);
    /* After errors the queue is whole and the device still works. */
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    ck_assert_int_eq(block_read(&vb.bdev, 2047, 1, buf), 1);
    down();
}
END_TEST

START_TEST(test_flush_feature)
{
    make(_i);
    model.features &= ~(1ull << VIRTIO_BLK_F_FLUSH);
    ck_assert_int_eq(up(NULL), 0);
    ck_assert_int_eq(block_flush(&vb.bdev), 0);
    ck_assert_uint_eq(model.flushes, 0);
    down();
}
END_TEST

START_TEST(test_read_only_and_block_size)
{
    make(_i);
    model.features |= 1ull << VIRTIO_BLK_F_RO;
    model.blk_size = 4096;
    ck_assert_int_eq(up(NULL), 0);
    ck_assert(vb.bdev.read_only);
    ck_assert_uint_eq(vb.bdev.block_size, 4096);
    ck_assert_uint_eq(vb.bdev.block_count, 256);
    static uint8_t buf[2 * 4096];
    pattern(model.disk + 3 * 4096, 2 * 4096, 8);
    ck_assert_int_eq(block_read(&vb.bdev, 3, 2, buf), 2);
    ck_assert_mem_eq(buf, model.disk + 3 * 4096, sizeof(buf));
    ck_assert_int_eq(block_write(&vb.bdev, 0, 1, buf), -EROFS);
    ck_assert_int_eq(virtio_blk_ops.write(&vb.bdev, 0, 1, buf), -EROFS);
    ck_assert_int_eq(block_read(&vb.bdev, 255, 2, buf), -ENXIO);
    down();
    /* A nonsensical block size falls back to 512. */
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make(_i);
    model.blk_size = 1000;
    ck_assert_int_eq(up(NULL), 0);
    ck_assert_uint_eq(vb.bdev.block_size, 512);
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

START_TEST(test_negotiation_failures)
{
    make(_i);
    model.refuse_features = true;
    int err = up(NULL);
    if (_i == LEGACY) {
        ck_assert_int_eq(err, 0); /* legacy has no FEATURES_OK step */
        down();
    } else {
        ck_assert_int_eq(err, -ENODEV);
        ck_assert_uint_eq(model.status & VIRTIO_STATUS_FAILED, VIRTIO_STATUS_FAILED);
        ck_assert_uint_eq(vb.vdev.features, 0);
    }
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make(_i);
    model.features &= ~(1ull << VIRTIO_F_VERSION_1);
    err = up(NULL);
    ck_assert_int_eq(err, _i == LEGACY ? 0 : -ENODEV);
    if (!err)
        down();
}
END_TEST

START_TEST(test_transport_failures)
{
    make(_i);
    attach();
    struct virtio_env bad = env;
    ck_assert_int_eq(virtio_blk_init(&vb, &pdev, NULL, NULL, "vda"), -EINVAL);
    bad.dma = NULL;
    ck_assert_int_eq(virtio_blk_init(&vb, &pdev, &bad, NULL, "vda"), -EINVAL);
    ck_assert_int_eq(virtio_blk_init(&vb, &pdev, &env, NULL, "name-far-too-long"), -EINVAL);
    /* Without an MMIO mapper a modern-only device is unusable; a transitional
     * one falls back to its legacy I/O BAR. */
    bad = env;
    bad.map_mmio = NULL;
    int err = virtio_blk_init(&vb, &pdev, &bad, NULL, "vda");
    ck_assert_int_eq(err, _i == MODERN ? -ENODEV : 0);
    if (!err) {
        ck_assert(!vb.vdev.modern);
        down();
    }
    /* Not a virtio device at all. */
    struct pci_device other = pdev;
    other.vendor_id = 0x8086;
    ck_assert_int_eq(virtio_blk_init(&vb, &other, &env, NULL, "vda"), -ENODEV);
    /* A modern device ID with no capabilities and no legacy BAR. */
    other = pdev;
    other.vendor_id = VIRTIO_PCI_VENDOR;
    other.device_id = 0x1042;
    memset(other.bars, 0, sizeof(other.bars));
    ck_assert_int_eq(virtio_blk_init(&vb, &other, &env, NULL, "vda"), -ENODEV);
}
END_TEST

START_TEST(test_bad_capabilities)
{
    /* Capabilities that point outside the BAR or are too short are ignored. */
    make(MODERN);
    attach();
    for (uint8_t off = pci_cap_find(&pdev, PCI_CAP_ID_VENDOR, 0); off;
         off = pci_cap_find(&pdev, PCI_CAP_ID_VENDOR, off)) {
        if (model.fn->cfg[off + 3] == VIRTIO_PCI_CAP_NOTIFY)
            model.fn->cfg[off + 8 + 1] = 0x40; /* offset 0x4000 + 0x3000: past the BAR */
    }
    ck_assert_int_eq(virtio_blk_init(&vb, &pdev, &env, NULL, "vda"), -ENODEV);
    uint8_t first = pci_cap_find(&pdev, PCI_CAP_ID_VENDOR, 0);
    model.fn->cfg[first + 2] = 8; /* cap_len too small: common config missing */
    ck_assert_int_eq(virtio_blk_init(&vb, &pdev, &env, NULL, "vda"), -ENODEV);
    /* A notify offset beyond the notify area. */
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make(MODERN);
    model.notify_off = 2000;
    ck_assert_int_eq(up(NULL), -ENODEV);
}
END_TEST

START_TEST(test_queue_setup_failures)
{
    make(_i);
    model.queue_max = 0;
    ck_assert_int_eq(up(NULL), -ENOENT);
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make(_i);
    model.queue_max = 2; /* room for no request */
    ck_assert_int_eq(up(NULL), -ENODEV);
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make(_i);
    model.queue_max = 24;
    int err = up(NULL);
    if (_i == LEGACY) {
        ck_assert_int_eq(err, -EINVAL); /* legacy size is fixed and not a power of two */
    } else {
        ck_assert_int_eq(err, 0); /* modern: we pick 16 */
        ck_assert_uint_eq(vb.vq.size, 16);
        down();
    }
    struct virtqueue q;
    ck_assert_int_eq(virtio_queue_setup(&vb.vdev, &q, 0, 0, &pool), -EINVAL);
    ck_assert_int_eq(virtio_queue_setup(&vb.vdev, &q, 1, 16, &pool), -ENOENT);
}
END_TEST

START_TEST(test_dma_exhaustion)
{
    for (long k = 0;; k++) {
        vblk_model_free(&model);
        pci_mock_init(&pm);
        make(_i);
        arena.fail_after = k;
        int err = up(NULL);
        arena.fail_after = -1;
        if (err == 0) {
            ck_assert_int_ge(k, 2);
            down();
            break;
        }
        ck_assert_int_eq(err, -ENOMEM);
        ck_assert_uint_eq(pool.outstanding, 0);
        ck_assert_uint_eq(model.status & VIRTIO_STATUS_DRIVER_OK, 0);
    }
}
END_TEST

/* Two devices behind one port bus: route I/O to whichever claims the port. */
static struct vblk_model model2;

static uint32_t two_io(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    (void)ctx;
    if (model2.legacy && port >= model2.io_base && port < model2.io_base + 0x40)
        return vblk_model_io(&model2, port, width, write, val);
    return vblk_model_io(&model, port, width, write, val);
}

START_TEST(test_pci_driver_binds_and_registers)
{
    make(LEGACY);
    vblk_model_attach(&model, &pm, 0, 4);
    vblk_model_init(&model2, &arena, true, false);
    model2.capacity = 4096;
    vblk_model_attach(&model2, &pm, 0, 5);
    pci_mock_add(&pm, 0, 0, 0, 0x8086, 0x1237, 0x06, 0x00, 0);
    pci_mock_install(&pm, two_io, NULL);
    env = (struct virtio_env){ &pool, vblk_model_map, &model2, { &vblk_model_mmio_ops, &model2 } };

    static struct pci_device devs[8];
    int n = pci_enumerate(devs, 8, 0);
    ck_assert_int_eq(n, 3);
    struct bus_type bus;
    pci_bus_init(&bus);
    ck_assert_int_eq(pci_register_devices(&bus, devs, (size_t)n), 0);
    static struct virtio_blk inst[2];
    struct virtio_blk_driver drv;
    virtio_blk_driver_init(&drv, inst, 2, &env, NULL, true);
    int bound = driver_register(&bus, &drv.drv);
    for (int i = 0; i < n; i++)
        ck_assert_msg(devs[i].dev.probe_error == 0, "%s: %d", devs[i].dev.name,
                      devs[i].dev.probe_error);
    ck_assert_int_eq(bound, 2);
    ck_assert_uint_eq(drv.used, 2);

    struct block_device *a = blockdev_find("vda"), *b = blockdev_find("vdb");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(a->block_count, 2048);
    ck_assert_uint_eq(b->block_count, 4096);
    static uint8_t in[64 * 512], out[64 * 512];
    pattern(in, sizeof(in), 4);
    ck_assert_int_eq(block_write(a, 10, 64, in), 64);
    ck_assert_int_eq(block_write(b, 4000, 64, in), 64);
    ck_assert_int_eq(block_read(b, 4000, 64, out), 64);
    ck_assert_mem_eq(in, out, sizeof(in));
    ck_assert_mem_eq(model.disk + 10 * 512, in, sizeof(in));
    ck_assert_mem_eq(model2.disk + 4000 * 512, in, sizeof(in));
    ck_assert(inst[0].irq_attached && inst[1].irq_attached); /* sharing line 11 */
    struct trap_frame tf = { 0 };
    tf.vector = TRAP_IRQ_BASE + 11;
    irq_dispatch(&tf);

    char list[256];
    bus_describe(&bus, list, sizeof(list));
    ck_assert_ptr_nonnull(strstr(list, "0000:00:04.0 virtio-blk\n"));
    ck_assert_ptr_nonnull(strstr(list, "0000:00:05.0 virtio-blk\n"));

    /* No room for a third. */
    static struct pci_device third;
    ck_assert_int_eq(driver_unregister(&drv.drv), 0);
    ck_assert_uint_eq(model2.violations, 0);
    vblk_model_free(&model2);
    ck_assert_ptr_null(blockdev_find("vda"));
    ck_assert_ptr_null(blockdev_find("vdb"));
    ck_assert_uint_eq(drv.used, 0);
    virtio_blk_driver_init(&drv, inst, 1, &env, NULL, false);
    vblk_model_init(&model2, &arena, true, false);
    vblk_model_attach(&model2, &pm, 0, 6);
    ck_assert_int_eq(pci_probe_function(&third, 0, 6, 0), 0);
    ck_assert_int_eq(driver_register(&bus, &drv.drv), 1);
    ck_assert_int_eq(device_register(&bus, &third.dev), 0);
    ck_assert_ptr_null(third.dev.driver);
    ck_assert_int_eq(third.dev.probe_error, -ENOSPC);
    ck_assert_int_eq(driver_unregister(&drv.drv), 0);
    ck_assert_uint_eq(model2.violations, 0);
    vblk_model_free(&model2);
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

/* DMA memory above what a legacy queue address register can hold. */
static int high_alloc(void *ctx, size_t size, uint64_t *phys, void **virt)
{
    int err = virtio_dma_ops.alloc(ctx, size, phys, virt);
    *phys += 1ull << 45;
    return err;
}

static void high_free(void *ctx, uint64_t phys, void *virt, size_t size)
{
    virtio_dma_ops.free(ctx, phys - (1ull << 45), virt, size);
}

static const struct dma_ops high_ops = { high_alloc, high_free };

START_TEST(test_legacy_ring_above_limit)
{
    make(LEGACY);
    attach();
    struct dma_pool high;
    dma_pool_init(&high, &high_ops, &arena);
    env.dma = &high;
    ck_assert_int_eq(virtio_blk_init(&vb, &pdev, &env, NULL, "vda"), -ERANGE);
    dma_pool_drain(&high);
    ck_assert_uint_eq(high.outstanding, 0);
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

Suite *virtio_blk_suite(void)
{
    Suite *s = suite_create("virtio_blk");
    TCase *tc = tcase_create("virtio_blk");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_init_negotiates, 0, VARIANTS);
    tcase_add_loop_test(tc, test_read_write_roundtrip, 0, VARIANTS);
    tcase_add_loop_test(tc, test_out_of_order_completion, 0, VARIANTS);
    tcase_add_loop_test(tc, test_device_limits_split_requests, 0, VARIANTS);
    tcase_add_loop_test(tc, test_error_status, 0, VARIANTS);
    tcase_add_loop_test(tc, test_flush_feature, 0, VARIANTS);
    tcase_add_loop_test(tc, test_read_only_and_block_size, 0, VARIANTS);
    tcase_add_loop_test(tc, test_ring_wraparound, 0, VARIANTS);
    tcase_add_loop_test(tc, test_timeout_and_late_completion, 0, VARIANTS);
    tcase_add_loop_test(tc, test_interrupt_wiring, 0, VARIANTS);
    tcase_add_loop_test(tc, test_notification_suppressed, 0, VARIANTS);
    tcase_add_loop_test(tc, test_negotiation_failures, 0, VARIANTS);
    tcase_add_loop_test(tc, test_transport_failures, 0, VARIANTS);
    tcase_add_test(tc, test_bad_capabilities);
    tcase_add_loop_test(tc, test_queue_setup_failures, 0, VARIANTS);
    tcase_add_loop_test(tc, test_dma_exhaustion, 0, VARIANTS);
    tcase_add_test(tc, test_pci_driver_binds_and_registers);
    tcase_add_loop_test(tc, test_random_io_against_shadow, 0, VARIANTS);
    tcase_add_test(tc, test_legacy_ring_above_limit);
    tcase_add_loop_test(tc, test_concurrent_transfers_share_the_queue, 0, VARIANTS);
    suite_add_tcase(s, tc);
    return s;
}
