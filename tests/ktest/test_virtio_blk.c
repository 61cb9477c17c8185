/*
 * test_virtio_blk.c - virtio-blk on QEMU's real device, inside the kernel.
 *
 * Needs scratch disks (their contents from 1 MiB on are overwritten): the QEMU
 * runner attaches one image as a modern-only device
 * (`virtio-blk-pci,disable-legacy=on`) and one as a legacy device
 * (`virtio-blk-pci,disable-modern=on`), each at least 8 MiB and starting with the
 * bytes KT_SCRATCH_MAGIC, and kmain probes them with the virtio-blk PCI driver,
 * which registers them as "vda", "vdb", ... The tests run on every virtio-blk
 * device that carries the magic and never touch any other (such as the user's
 * build/disk.img when the GRUB "tests" entry is booted by `make run`).
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <arch/timer.h>
#include <dev/block.h>
#include <dev/virtio_blk.h>
#include <kernel/devices.h>
#include <kernel/ktest.h>
#include <sched/thread.h>
#include <string.h>

/** Sector 0 of a disk the tests may overwrite starts with these bytes. */
#define KT_SCRATCH_MAGIC "KESTREL-SCRATCH-DISK"
#define KT_VBLK_MIB      (1u << 20)
#define KT_VBLK_FIRST    2048 /* first LBA the tests write (leaves the start alone) */

static uint8_t wbuf[KT_VBLK_MIB], rbuf[KT_VBLK_MIB];

static uint8_t sector0[65536];

static bool is_scratch(struct block_device *d)
{
    if (d->block_size > sizeof(sector0) || block_read(d, 0, 1, sector0) != 1)
        return false;
    return memcmp(sector0, KT_SCRATCH_MAGIC, sizeof(KT_SCRATCH_MAGIC) - 1) == 0;
}

/* The next virtio-blk scratch disk after @prev (NULL: the first). */
static struct block_device *next_vd(struct block_device *prev)
{
    for (struct block_device *d = blockdev_next(prev); d; d = blockdev_next(d))
        if (d->ops == &virtio_blk_ops && is_scratch(d))
            return d;
    return NULL;
}

static void fill(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)x;
    }
}

KTEST(virtio_blk_devices_probed_on_both_transports)
{
    int modern = 0, legacy = 0;
    for (struct block_device *d = next_vd(NULL); d; d = next_vd(d)) {
        struct virtio_blk *vb = d->ctx;
        kprintf("  %s: %s, %llu blocks of %u bytes, queue %u\n", d->name,
                vb->vdev.modern ? "modern" : "legacy", (unsigned long long)d->block_count,
                d->block_size, vb->vq.size);
        vb->vdev.modern ? modern++ : legacy++;
        KT_ASSERT(d->block_count * d->block_size >= 8ull * KT_VBLK_MIB);
    }
    KT_ASSERT(modern >= 1);
    KT_ASSERT(legacy >= 1);
}

KTEST(virtio_blk_patterned_sectors_read_back)
{
    int n = 0;
    for (struct block_device *d = next_vd(NULL); d; d = next_vd(d), n++) {
        uint32_t bs = d->block_size;
        const uint32_t counts[] = { 1, 2, 7, 8, 63, 129 };
        uint64_t lba = KT_VBLK_FIRST;
        for (unsigned k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
            uint32_t c = counts[k];
            fill(wbuf, (size_t)c * bs, lba + (uint64_t)n * 1000003);
            KT_ASSERT_EQ(block_write(d, lba, c, wbuf), c);
            memset(rbuf, 0, (size_t)c * bs);
            KT_ASSERT_EQ(block_read(d, lba, c, rbuf), c);
            KT_ASSERT(memcmp(wbuf, rbuf, (size_t)c * bs) == 0);
            lba += c;
        }
        /* Re-read the first run after the others: nothing overwrote it. */
        fill(wbuf, bs, KT_VBLK_FIRST + (uint64_t)n * 1000003);
        KT_ASSERT_EQ(block_read(d, KT_VBLK_FIRST, 1, rbuf), 1);
        KT_ASSERT(memcmp(wbuf, rbuf, bs) == 0);
    }
    KT_ASSERT(n > 0);
}

KTEST(virtio_blk_flush)
{
    int n = 0;
    for (struct block_device *d = next_vd(NULL); d; d = next_vd(d), n++) {
        fill(wbuf, d->block_size, 77);
        KT_ASSERT_EQ(block_write(d, KT_VBLK_FIRST, 1, wbuf), 1);
        KT_ASSERT_EQ(block_flush(d), 0);
    }
    KT_ASSERT(n > 0);
}

KTEST(virtio_blk_read_past_end_fails)
{
    int n = 0;
    for (struct block_device *d = next_vd(NULL); d; d = next_vd(d), n++) {
        uint64_t end = d->block_count;
        KT_ASSERT_EQ(block_read(d, end, 1, rbuf), -ENXIO);
        KT_ASSERT_EQ(block_read(d, end - 1, 2, rbuf), -ENXIO);
        KT_ASSERT_EQ(block_write(d, end + 100, 1, wbuf), -ENXIO);
        KT_ASSERT_EQ(block_read(d, end - 1, 1, rbuf), 1);
        /* Let the request reach the device: it must answer IOERR, not hang. */
        d->block_count = end + 8;
        int r = virtio_blk_ops.read(d, end, 8, rbuf);
        d->block_count = end;
        KT_ASSERT_EQ(r, -EIO);
        /* And the device still works afterwards. */
        KT_ASSERT_EQ(block_read(d, 0, 1, rbuf), 1);
    }
    KT_ASSERT(n > 0);
}

KTEST(virtio_blk_one_mib_transfers)
{
    int n = 0;
    for (struct block_device *d = next_vd(NULL); d; d = next_vd(d), n++) {
        uint32_t count = KT_VBLK_MIB / d->block_size;
        uint64_t lba = KT_VBLK_MIB / d->block_size * 4;
        for (int round = 0; round < 4; round++) {
            fill(wbuf, KT_VBLK_MIB, (uint64_t)round * 31 + (uint64_t)n);
            uint64_t t0 = timer_uptime_ms();
            KT_ASSERT_EQ(block_write(d, lba + (uint64_t)round * count, count, wbuf), count);
            uint64_t t1 = timer_uptime_ms();
            memset(rbuf, 0, KT_VBLK_MIB);
            KT_ASSERT_EQ(block_read(d, lba + (uint64_t)round * count, count, rbuf), count);
            uint64_t t2 = timer_uptime_ms();
            KT_ASSERT(memcmp(wbuf, rbuf, KT_VBLK_MIB) == 0);
            if (round == 0)
                kprintf("  %s: 1 MiB write %llu ms, read %llu ms\n", d->name,
                        (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1));
        }
        /* An unaligned caller buffer works too (the driver bounces). */
        fill(wbuf + 1, KT_VBLK_MIB - d->block_size, 5);
        KT_ASSERT_EQ(block_write(d, lba, count - 1, wbuf + 1), count - 1);
        KT_ASSERT_EQ(block_read(d, lba, count - 1, rbuf + 3), count - 1);
        KT_ASSERT(memcmp(wbuf + 1, rbuf + 3, KT_VBLK_MIB - d->block_size) == 0);
        struct virtio_blk *vb = d->ctx;
        KT_ASSERT_EQ(vb->timeouts, 0);
        KT_ASSERT_EQ(vb->vq.num_free, vb->vq.size);
    }
    KT_ASSERT(n > 0);
}

/* A thread that counts while another waits for the disk. */
static volatile uint64_t spins;
static volatile bool stop_spinning;

static void spinner(void *arg)
{
    (void)arg;
    while (!stop_spinning)
        spins++;
}

KTEST(virtio_blk_waiter_sleeps_while_other_threads_run)
{
    struct block_device *d = next_vd(NULL);
    KT_ASSERT(d != NULL);
    const struct kernel_io_stats *st = kernel_io_stats();
    uint64_t sleeps0 = st->sleeps, wakeups0 = st->wakeups;
    spins = 0;
    stop_spinning = false;
    struct thread *t = thread_create("spinner", spinner, NULL);
    KT_ASSERT(t != NULL);
    uint32_t count = KT_VBLK_MIB / d->block_size;
    uint64_t seen_during_io = 0;
    for (int round = 0; round < 8; round++) {
        uint64_t before = spins;
        KT_ASSERT_EQ(block_read(d, (uint64_t)round * count, count, rbuf), count);
        seen_during_io += spins - before;
    }
    stop_spinning = true;
    KT_ASSERT_EQ(thread_join(t, NULL), 0);
    /* The reads slept on the completion interrupt instead of polling... */
    KT_ASSERT(st->sleeps > sleeps0);
    KT_ASSERT(st->wakeups > wakeups0);
    /* ...and the other thread ran meanwhile. */
    KT_ASSERT(seen_during_io > 0);
    kprintf("  %llu sleeps, %llu completion wake-ups, %llu spins during 8 MiB of reads\n",
            (unsigned long long)(st->sleeps - sleeps0), (unsigned long long)(st->wakeups - wakeups0),
            (unsigned long long)seen_during_io);
}
