/*
 * test_blockdev_sg.c - transfers whose memory is a list of physical segments
 * (block_rw_sg(), block_sg_pieces(), segment-list requests in block_submit())
 * against the simulated virtio-blk device: scattered pages read and written in
 * place with no bounce, lists cut to the device's segment count and size, a
 * queue filled to capacity, an I/O error in the middle, and bad lists refused.
 */
#include "cpu_mock.h"
#include "virtio_blk_fixture.h"
#include <check.h>
#include <dev/block.h>
#include <k/errno.h>
#include <string.h>

Suite *blockdev_sg_suite(void);

#define PAGES 24

static uint64_t mem_phys;
static uint8_t *mem;

/* up() and DMA memory for the "user buffer": PAGES arena pages. */
static void up_mem(const struct virtio_blk_options *opt)
{
    ck_assert_int_eq(up(opt), 0);
    void *v;
    ck_assert_int_eq(dma_alloc(&pool, PAGES * DMA_PAGE_SIZE, &mem_phys, &v), 0);
    mem = v;
}

static void down_mem(void)
{
    dma_free(&pool, mem_phys, mem, PAGES * DMA_PAGE_SIZE);
    down();
}

/* A list of @n pages taken in reverse order (never physically adjacent),
 * the first starting @first bytes in. */
static void scattered(struct dma_seg *sg, unsigned n, uint32_t first)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned page = PAGES - 1 - 2 * i % PAGES;
        sg[i] = (struct dma_seg){ mem_phys + page * DMA_PAGE_SIZE, DMA_PAGE_SIZE };
    }
    sg[0].phys += first;
    sg[0].len -= first;
}

static uint8_t *at(const struct dma_seg *s)
{
    return mem + (s->phys - mem_phys);
}

START_TEST(test_pieces)
{
    struct dma_seg sg[3] = { { 0x10000, 4096 }, { 0x30000, 8192 }, { 0x50000, 4096 } };
    struct block_request rq = { .sg = sg, .nsg = 3, .sg_skip = 1024 };
    struct dma_seg out[8];
    /* 3 KiB of the first, the whole second cut to 4 KiB pieces, 1 KiB of the third. */
    ck_assert_int_eq(block_sg_pieces(&rq, 3072 + 8192 + 1024, 4096, out, 8), 4);
    ck_assert_uint_eq(out[0].phys, 0x10400);
    ck_assert_uint_eq(out[0].len, 3072);
    ck_assert_uint_eq(out[1].phys, 0x30000);
    ck_assert_uint_eq(out[2].phys, 0x31000);
    ck_assert_uint_eq(out[3].phys, 0x50000);
    ck_assert_uint_eq(out[3].len, 1024);
    ck_assert_int_eq(block_sg_pieces(&rq, 3072 + 8192 + 1024, 0, NULL, 8), 3);
    ck_assert_int_eq(block_sg_pieces(&rq, 3072 + 8192 + 1024, 4096, out, 3), -E2BIG);
    ck_assert_int_eq(block_sg_pieces(&rq, 3072 + 8192 + 4096 + 512, 0, NULL, 8), -EINVAL);
    /* A skip past the first entry starts in the second. */
    rq.sg_skip = 4096 + 512;
    ck_assert_int_eq(block_sg_pieces(&rq, 512, 0, out, 8), 1);
    ck_assert_uint_eq(out[0].phys, 0x30200);
    sg[1].len = 0;
    ck_assert_int_eq(block_sg_pieces(&rq, 512, 0, out, 8), -EINVAL);
}
END_TEST

START_TEST(test_scattered_round_trip)
{
    make(_i);
    up_mem(NULL);
    ck_assert_uint_eq(vb.bdev.max_segs, 8);
    struct dma_seg sg[10];
    scattered(sg, 10, 512);
    sg[9].len -= 3584; /* 40 KiB - 512 - 3584 = 36 KiB: 72 blocks */
    for (unsigned i = 0; i < 10; i++)
        pattern(at(&sg[i]), sg[i].len, 40 + i);
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_WRITE, 100, 72, sg, 10), 72);
    size_t off = 0;
    for (unsigned i = 0; i < 10; off += sg[i].len, i++)
        ck_assert_mem_eq(model.disk + 100 * 512 + off, at(&sg[i]), sg[i].len);
    for (unsigned i = 0; i < 10; i++)
        memset(at(&sg[i]), 0, sg[i].len);
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 100, 72, sg, 10), 72);
    off = 0;
    for (unsigned i = 0; i < 10; off += sg[i].len, i++)
        ck_assert_mem_eq(model.disk + 100 * 512 + off, at(&sg[i]), sg[i].len);
    /* Ten pieces, eight per request: two requests each way, none bounced. */
    ck_assert_uint_eq(vb.direct, 4);
    ck_assert_uint_eq(vb.bounced, 0);
    ck_assert_uint_le(model.max_segs, 8);
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    down_mem();
}
END_TEST

START_TEST(test_size_max_and_a_full_queue)
{
    make(_i);
    model.features |= 1ull << VIRTIO_BLK_F_SIZE_MAX;
    model.size_max = 1024;
    model.seg_max = 3;
    model.reverse = true; /* complete newest first */
    struct virtio_blk_options o = { .slots = 2 };
    up_mem(&o);
    ck_assert_uint_eq(vb.bdev.max_seg_bytes, 1024);
    struct dma_seg sg[4];
    scattered(sg, 4, 0);
    pattern(model.disk, 16 * 1024, 9);
    /* 16 KiB in pieces of 1 KiB, 3 per request: 6 requests through 2 slots. */
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 0, 32, sg, 4), 32);
    for (unsigned i = 0; i < 4; i++)
        ck_assert_mem_eq(at(&sg[i]), model.disk + i * 4096, 4096);
    ck_assert_uint_eq(vb.requests, 6);
    ck_assert_uint_le(model.max_segs, 3);
    ck_assert_uint_eq(vb.bounced, 0);
    down_mem();
}
END_TEST

START_TEST(test_error_in_the_middle)
{
    make(_i);
    model.seg_max = 1;
    up_mem(NULL);
    struct dma_seg sg[4];
    scattered(sg, 4, 0);
    pattern(model.disk, 16 * 1024, 3);
    model.ioerr_sector = 8 + 3; /* inside the second request */
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 0, 32, sg, 4), -EIO);
    /* Only the request it hit failed: the others' data arrived. */
    ck_assert_mem_eq(at(&sg[0]), model.disk, 4096);
    ck_assert_mem_eq(at(&sg[2]), model.disk + 2 * 4096, 4096);
    ck_assert_mem_eq(at(&sg[3]), model.disk + 3 * 4096, 4096);
    ck_assert_uint_eq(vb.errors, 1);
    ck_assert_uint_eq(vb.vq.num_free, vb.vq.size);
    down_mem();
}
END_TEST

START_TEST(test_bad_lists)
{
    make(_i);
    up_mem(NULL);
    struct dma_seg sg[2];
    scattered(sg, 2, 0);
    ck_assert_int_eq(block_rw_sg(NULL, BLOCK_OP_READ, 0, 1, sg, 2), -EINVAL);
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_FLUSH, 0, 1, sg, 2), -EINVAL);
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 0, 1, NULL, 2), -EINVAL);
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 0, 17, sg, 2), -EINVAL);
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 2047, 2, sg, 2), -ENXIO);
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 0, 0, sg, 2), 0);
    /* A block spread over more pieces than a request takes. */
    struct dma_seg tiny[32];
    for (unsigned i = 0; i < 32; i++)
        tiny[i] = (struct dma_seg){ mem_phys + i * 2 * 32, 32 };
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 0, 2, tiny, 32), -EINVAL);
    struct dma_seg zero[2] = { sg[0], { sg[1].phys, 0 } };
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 0, 8, zero, 2), -EINVAL);
    /* block_submit() checks a list against the device's limits too. */
    struct block_request rq = { .op = BLOCK_OP_READ, .count = 1, .sg = tiny, .nsg = 32 };
    ck_assert_int_eq(block_submit(&vb.bdev, &rq), -EINVAL);
    vb.bdev.read_only = true;
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_WRITE, 0, 8, sg, 2), -EROFS);
    vb.bdev.read_only = false;
    uint16_t segs = vb.bdev.max_segs;
    vb.bdev.max_segs = 0; /* a device that takes no lists */
    ck_assert_int_eq(block_rw_sg(&vb.bdev, BLOCK_OP_READ, 0, 8, sg, 2), -ENOTBLK);
    rq = (struct block_request){ .op = BLOCK_OP_READ, .count = 8, .sg = sg, .nsg = 2 };
    ck_assert_int_eq(block_submit(&vb.bdev, &rq), -ENOTBLK);
    vb.bdev.max_segs = segs;
    ck_assert_uint_eq(model.requests, 0);
    down_mem();
}
END_TEST

START_TEST(test_batch_writes)
{
    make(_i);
    struct virtio_blk_options o = { .slots = 2 };
    up_mem(&o);
    struct block_batch b;
    block_batch_init(&b, &vb.bdev);
    /* Twenty one-block writes through two slots: the batch waits as it goes. */
    for (unsigned i = 0; i < 20; i++) {
        memset(mem + i * 512, (int)(i + 1), 512);
        ck_assert_int_eq(block_batch_write(&b, 300 + 2 * i, 1, mem + i * 512), 0);
    }
    ck_assert_int_eq(block_batch_finish(&b), 0);
    for (unsigned i = 0; i < 20; i++)
        ck_assert_uint_eq(model.disk[(300 + 2 * i) * 512 + 100], i + 1);
    ck_assert_uint_eq(b.started, 20);
    /* A failed write fails the batch; the others still land. */
    model.ioerr_sector = 304;
    for (unsigned i = 0; i < 4; i++)
        ck_assert_int_eq(block_batch_write(&b, 302 + i, 1, mem), 0);
    ck_assert_int_eq(block_batch_finish(&b), -EIO);
    ck_assert_uint_eq(model.disk[305 * 512], mem[0]);
    model.ioerr_sector = -1;
    ck_assert_int_eq(block_batch_finish(&b), 0); /* reported once */
    /* Refused at once, and a write too long for one request goes synchronously. */
    ck_assert_int_eq(block_batch_write(&b, 2048, 1, mem), -ENXIO);
    ck_assert_int_eq(block_batch_write(&b, 0, vb.bdev.max_request + 8, mem), 0);
    ck_assert_int_eq(block_batch_finish(&b), 0);
    vb.bdev.read_only = true;
    ck_assert_int_eq(block_batch_write(&b, 0, 1, mem), -EROFS);
    vb.bdev.read_only = false;
    struct block_batch none;
    block_batch_init(&none, NULL);
    ck_assert_int_eq(block_batch_write(&none, 0, 1, mem), -EINVAL);
    down_mem();
}
END_TEST

Suite *blockdev_sg_suite(void)
{
    Suite *s = suite_create("blockdev_sg");
    TCase *tc = tcase_create("blockdev_sg");
    tcase_add_checked_fixture(tc, vblk_fixture_setup, vblk_fixture_teardown);
    tcase_add_test(tc, test_pieces);
    tcase_add_loop_test(tc, test_scattered_round_trip, 0, VARIANTS);
    tcase_add_loop_test(tc, test_size_max_and_a_full_queue, 0, VARIANTS);
    tcase_add_loop_test(tc, test_error_in_the_middle, 0, VARIANTS);
    tcase_add_loop_test(tc, test_bad_lists, 0, VARIANTS);
    tcase_add_loop_test(tc, test_batch_writes, 0, VARIANTS);
    suite_add_tcase(s, tc);
    return s;
}
