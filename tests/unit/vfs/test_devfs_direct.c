/*
 * test_devfs_direct.c - O_DIRECT on a devfs block node: vfs_direct_align()
 * and vfs_rw_pages() moving data in place between "pinned pages" and a block
 * device that takes segment lists (host memory stands in for physical memory:
 * a frame's address is its host address). Checks the data, the offsets, the
 * device end, which files fall back to copying (-ENOTBLK), and that the device
 * runs without the VFS lock.
 */
#include "cpu_mock.h"
#include "vfs_test.h"
#include <k/errno.h>
#include <dev/block.h>
#include <vfs/devfs.h>
#include <stdlib.h>
#include <string.h>

Suite *devfs_direct_suite(void);

#define BLOCKS 64

static uint8_t disk[BLOCKS * 512];
static int requests, pieces, locked;
static uint8_t *pages; /* 4 page-aligned pages */

/* A device that takes segment lists and finishes each request at once. */
static int seg_submit(struct block_device *dev, struct block_request *rq)
{
    struct dma_seg out[4];
    uint32_t bytes = rq->count * dev->block_size;
    int n = block_sg_pieces(rq, bytes, dev->max_seg_bytes, out, dev->max_segs);
    ck_assert_int_gt(n, 0);
    uint8_t *at = disk + rq->lba * 512;
    for (int i = 0; i < n; i++) {
        void *mem = (void *)(uintptr_t)out[i].phys;
        if (rq->op == BLOCK_OP_READ)
            memcpy(mem, at, out[i].len);
        else
            memcpy(at, mem, out[i].len);
        at += out[i].len;
    }
    requests++;
    pieces += n;
    locked += vfs_fixture_lock_depth();
    block_complete(rq, (int)rq->count);
    return 0;
}

static const struct block_ops seg_ops = { .submit = seg_submit };
static struct block_device segdev = {
    .ops = &seg_ops, .name = "seg0", .block_size = 512, .block_count = BLOCKS, .max_segs = 4
};

static uint64_t frames[4];

static void setup(void)
{
    vfs_fixture_setup();
    vfs_mkdir(&ctx, "/dev", 0755);
    ck_assert_int_eq(vfs_mount(&ctx, "/dev", "devfs", NULL), 0);
    ck_assert_int_eq(blockdev_register(&segdev), 0);
    pages = aligned_alloc(4096, 4 * 4096);
    /* The "physical" pages in reverse order: never adjacent. */
    for (int i = 0; i < 4; i++)
        frames[i] = (uintptr_t)(pages + (3 - i) * 4096);
    for (size_t i = 0; i < sizeof(disk); i++)
        disk[i] = (uint8_t)(i * 7 + i / 512);
    requests = pieces = locked = 0;
}

static void teardown(void)
{
    blockdev_unregister(&segdev);
    free(pages);
    vfs_fixture_teardown();
}

/* Byte @i of the buffer the pages describe, from @first on. */
static uint8_t *byte(uint32_t first, size_t i)
{
    size_t at = first + i;
    return (uint8_t *)(uintptr_t)frames[at / 4096] + at % 4096;
}

START_TEST(test_read_and_write_in_place)
{
    int fd = vfs_open(&ctx, "/dev/seg0", VFS_O_RDWR | VFS_O_DIRECT, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_uint_eq(vfs_direct_align(&ctx, fd), 512);
    struct vfs_pages pg = { frames, 4, 512, 3 * 4096 };
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 1024, VFS_SEEK_SET), 1024);
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &pg, false, false, 0), 3 * 4096);
    for (size_t i = 0; i < 3 * 4096; i++)
        ck_assert_uint_eq(*byte(512, i), disk[1024 + i]);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, VFS_SEEK_CUR), 1024 + 3 * 4096);
    /* Four pieces (the pages are apart), four per request: one request. */
    ck_assert_int_eq(requests, 1);
    ck_assert_int_eq(pieces, 4);
    /* Write at an offset: the file offset stays. */
    for (size_t i = 0; i < 4096; i++)
        *byte(0, i) = (uint8_t)(0xa5 ^ i);
    struct vfs_pages one = { frames, 1, 0, 4096 };
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &one, true, true, 8192), 4096);
    for (size_t i = 0; i < 4096; i++)
        ck_assert_uint_eq(disk[8192 + i], (uint8_t)(0xa5 ^ i));
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, VFS_SEEK_CUR), 1024 + 3 * 4096);
    /* Eight pieces of 2 KiB each (max_seg_bytes): two requests. */
    segdev.max_seg_bytes = 2048;
    requests = 0;
    struct vfs_pages all = { frames, 4, 0, 4 * 4096 };
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &all, false, true, 0), 4 * 4096);
    for (size_t i = 0; i < 4 * 4096; i++)
        ck_assert_uint_eq(*byte(0, i), disk[i]);
    ck_assert_int_eq(requests, 2);
    segdev.max_seg_bytes = 0;
    /* The device end: a short read, then nothing; a write past it fails. */
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &all, false, true, (BLOCKS - 2) * 512), 1024);
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &all, false, true, BLOCKS * 512), 0);
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &all, true, true, BLOCKS * 512), -ENOSPC);
    /* Every device call came without the VFS lock. */
    ck_assert_int_eq(locked, 0);
    vfs_close(&ctx, fd);
}
END_TEST

START_TEST(test_what_falls_back)
{
    struct vfs_pages pg = { frames, 4, 0, 4096 };
    /* Not O_DIRECT: no alignment, and the caller copies. */
    int fd = vfs_open(&ctx, "/dev/seg0", VFS_O_RDWR, 0);
    ck_assert_uint_eq(vfs_direct_align(&ctx, fd), 0);
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &pg, false, false, 0), -ENOTBLK);
    vfs_close(&ctx, fd);
    fd = vfs_open(&ctx, "/dev/seg0", VFS_O_RDONLY | VFS_O_DIRECT, 0);
    /* Unaligned offset, length or first byte. */
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &pg, false, true, 100), -ENOTBLK);
    struct vfs_pages odd = { frames, 4, 0, 1000 };
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &odd, false, true, 0), -ENOTBLK);
    odd = (struct vfs_pages){ frames, 4, 100, 512 };
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &odd, false, true, 0), -ENOTBLK);
    /* More bytes than the pages hold. */
    odd = (struct vfs_pages){ frames, 1, 512, 4096 };
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &odd, false, true, 0), -EINVAL);
    /* Wrong direction for the descriptor, and no descriptor. */
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &pg, true, true, 0), -EBADF);
    ck_assert_int_eq(vfs_rw_pages(&ctx, 99, &pg, false, true, 0), -EBADF);
    vfs_close(&ctx, fd);
    /* A device that takes no segment lists. */
    segdev.max_segs = 0;
    fd = vfs_open(&ctx, "/dev/seg0", VFS_O_RDONLY | VFS_O_DIRECT, 0);
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &pg, false, true, 0), -ENOTBLK);
    vfs_close(&ctx, fd);
    segdev.max_segs = 4;
    /* A character device. */
    fd = vfs_open(&ctx, "/dev/zero", VFS_O_RDONLY | VFS_O_DIRECT, 0);
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &pg, false, true, 0), -ENOTBLK);
    vfs_close(&ctx, fd);
    /* A regular file has no rw_pages. */
    ck_assert_int_eq(put_file("/f", "x"), 0);
    fd = vfs_open(&ctx, "/f", VFS_O_RDONLY | VFS_O_DIRECT, 0);
    ck_assert_uint_eq(vfs_direct_align(&ctx, fd), 0);
    ck_assert_int_eq(vfs_rw_pages(&ctx, fd, &pg, false, true, 0), -ENOTBLK);
    vfs_close(&ctx, fd);
    ck_assert_int_eq(requests, 0);
}
END_TEST

Suite *devfs_direct_suite(void)
{
    Suite *s = suite_create("devfs_direct");
    TCase *tc = tcase_create("devfs_direct");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_read_and_write_in_place);
    tcase_add_test(tc, test_what_falls_back);
    suite_add_tcase(s, tc);
    return s;
}
