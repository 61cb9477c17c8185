/*
 * test_virtio_blk.c - the virtio-pci transport and the virtio-blk driver against
 * a simulated device that consumes the driver's rings from DMA memory: set-up,
 * feature negotiation, configuration, transport and set-up failures, error
 * status, and binding through the PCI bus. Transfers, queue pressure and
 * completions are in test_virtio_blk_io.c; the fixture is virtio_blk_fixture.h.
 * Most tests loop over the three transports: modern, legacy and transitional.
 */
#include "virtio_blk_fixture.h"
#include <arch/pic.h>
#include <check.h>
#include <dev/block.h>
#include <k/errno.h>
#include <string.h>

Suite *virtio_blk_suite(void);

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
            model.fn->cfg[off + 8 + 1] = 0x80; /* offset 0x8000 + 0x3000: past the BAR */
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
    env = (struct virtio_env){ .dma = &pool,
                               .map_mmio = vblk_model_map,
                               .map_ctx = &model2,
                               .mmio = { &vblk_model_mmio_ops, &model2 } };

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

Suite *virtio_blk_suite(void)
{
    Suite *s = suite_create("virtio_blk");
    TCase *tc = tcase_create("virtio_blk");
    tcase_add_checked_fixture(tc, vblk_fixture_setup, vblk_fixture_teardown);
    tcase_add_loop_test(tc, test_init_negotiates, 0, VARIANTS);
    tcase_add_loop_test(tc, test_error_status, 0, VARIANTS);
    tcase_add_loop_test(tc, test_flush_feature, 0, VARIANTS);
    tcase_add_loop_test(tc, test_read_only_and_block_size, 0, VARIANTS);
    tcase_add_loop_test(tc, test_negotiation_failures, 0, VARIANTS);
    tcase_add_loop_test(tc, test_transport_failures, 0, VARIANTS);
    tcase_add_test(tc, test_bad_capabilities);
    tcase_add_loop_test(tc, test_queue_setup_failures, 0, VARIANTS);
    tcase_add_loop_test(tc, test_dma_exhaustion, 0, VARIANTS);
    tcase_add_test(tc, test_pci_driver_binds_and_registers);
    tcase_add_test(tc, test_legacy_ring_above_limit);
    suite_add_tcase(s, tc);
    return s;
}
