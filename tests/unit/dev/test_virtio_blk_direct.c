/*
 * test_virtio_blk_direct.c - virtio-blk reading and writing the caller's buffer
 * in place (scatter-gather descriptors, no bounce copy) against the simulated
 * device: buffers crossing pages at any offset, split to the device's segment
 * size, the bounce fall-back for memory the platform cannot translate, and the
 * reset that a lost in-place request forces (the device must never write the
 * caller's memory after the request gave up). Loops over the three transports.
 */
#include "cpu_mock.h"
#include "virtio_blk_fixture.h"
#include <check.h>
#include <dev/block.h>
#include <k/errno.h>
#include <string.h>

Suite *virtio_blk_direct_suite(void);

/* up() with the arena as the platform's translation. */
static int up_direct(const struct virtio_blk_options *opt)
{
    attach();
    env.translate = virtio_dma_translate;
    env.translate_ctx = &arena;
    return virtio_blk_init(&vb, &pdev, &env, opt, "vda");
}

START_TEST(test_in_place_round_trip)
{
    make(_i);
    model.features |= 1ull << VIRTIO_BLK_F_SIZE_MAX;
    model.size_max = 4096; /* 16 KiB in place: 4 descriptors of 4 KiB */
    ck_assert_int_eq(up_direct(NULL), 0);
    uint64_t phys;
    void *mem;
    ck_assert_int_eq(dma_alloc(&pool, 6 * DMA_PAGE_SIZE, &phys, &mem), 0);
    uint8_t *buf = (uint8_t *)mem + 100;
    pattern(buf, 32 * 512, 21);
    ck_assert_int_eq(block_write(&vb.bdev, 40, 32, buf), 32);
    ck_assert_mem_eq(model.disk + 40 * 512, buf, 32 * 512);
    ck_assert_uint_eq(model.max_segs, 4);
    memset(buf, 0, 32 * 512);
    ck_assert_int_eq(block_read(&vb.bdev, 40, 32, buf), 32);
    ck_assert_mem_eq(model.disk + 40 * 512, buf, 32 * 512);
    ck_assert_uint_eq(vb.direct, 2);
    ck_assert_uint_eq(vb.bounced, 0);
    /* Memory the platform cannot place goes through the bounce buffer. */
    static uint8_t outside[8 * 512];
    ck_assert_int_eq(block_read(&vb.bdev, 40, 8, outside), 8);
    ck_assert_mem_eq(outside, model.disk + 40 * 512, sizeof(outside));
    ck_assert_uint_eq(vb.bounced, 1);
    /* So does a buffer needing more segments than the driver may use. */
    vb.seg_max = 2;
    ck_assert_int_eq(block_read(&vb.bdev, 0, 32, buf), 32);
    ck_assert_mem_eq(buf, model.disk, 32 * 512);
    ck_assert_uint_eq(vb.bounced, 2);
    vb.seg_max = 8;
    ck_assert_uint_eq(model.violations, 0);
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    dma_free(&pool, phys, mem, 6 * DMA_PAGE_SIZE);
    down();
}
END_TEST

static int dones, eio;

static void count_done(struct block_request *r)
{
    dones++;
    eio += r->result == -EIO;
}

START_TEST(test_lost_in_place_request_resets_the_device)
{
    make(_i);
    model.auto_complete = false;
    struct virtio_blk_options o = { .timeout_ms = 1 };
    ck_assert_int_eq(up_direct(&o), 0);
    vb.poller.max_spins = 20;
    uint64_t phys;
    void *mem;
    ck_assert_int_eq(dma_alloc(&pool, 4 * DMA_PAGE_SIZE, &phys, &mem), 0);
    uint8_t *a = mem, *b = (uint8_t *)mem + 2 * DMA_PAGE_SIZE;
    memset(mem, 0xaa, 4 * DMA_PAGE_SIZE);
    pattern(model.disk, 16 * 512, 4);
    dones = eio = 0;
    struct block_request ra = {
        .op = BLOCK_OP_READ, .lba = 0, .count = 8, .buf = a, .done = count_done
    };
    struct block_request rb = {
        .op = BLOCK_OP_READ, .lba = 8, .count = 8, .buf = b, .done = count_done
    };
    ck_assert_int_eq(block_submit(&vb.bdev, &ra), 0);
    ck_assert_int_eq(block_submit(&vb.bdev, &rb), 0);
    unsigned resets = model.resets;
    /* The device never answers A: A times out, the device is reset, B fails. */
    ck_assert_int_eq(block_wait(&vb.bdev, &ra), -ETIMEDOUT);
    ck_assert(vb.dead);
    ck_assert_uint_eq(model.resets, resets + 1);
    ck_assert_int_eq(block_wait(&vb.bdev, &rb), -EIO);
    ck_assert_int_eq(dones, 2);
    ck_assert_int_eq(eio, 1);
    /* Nothing the device held survives the reset: it never writes A or B. */
    ck_assert_uint_eq(vblk_model_complete(&model, -1), 0);
    virtio_blk_poll(&vb);
    for (size_t i = 0; i < 4 * DMA_PAGE_SIZE; i++)
        ck_assert_uint_eq(((uint8_t *)mem)[i], 0xaa);
    /* Every later request fails at once. */
    ck_assert_int_eq(block_read(&vb.bdev, 0, 8, a), -EIO);
    ck_assert_int_eq(block_submit(&vb.bdev, &ra), -EIO);
    for (int i = 0; i < vb.nslots; i++)
        ck_assert_uint_eq(vb.slots[i].state, VBLK_SLOT_FREE);
    dma_free(&pool, phys, mem, 4 * DMA_PAGE_SIZE);
    down();
}
END_TEST

Suite *virtio_blk_direct_suite(void)
{
    Suite *s = suite_create("virtio_blk_direct");
    TCase *tc = tcase_create("virtio_blk_direct");
    tcase_add_checked_fixture(tc, vblk_fixture_setup, vblk_fixture_teardown);
    tcase_add_loop_test(tc, test_in_place_round_trip, 0, VARIANTS);
    tcase_add_loop_test(tc, test_lost_in_place_request_resets_the_device, 0, VARIANTS);
    suite_add_tcase(s, tc);
    return s;
}
