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
#include <k/cmdline.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <arch/apic.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <dev/block.h>
#include <dev/dma.h>
#include <dev/virtio_blk.h>
#include <kernel/boot.h>
#include <kernel/devices.h>
#include <kernel/fs.h>
#include <kernel/ktest.h>
#include <kernel/threads.h>
#include <mm/heap.h>
#include <mm/mm.h>
#include <mm/vm.h>
#include <sched/thread.h>
#include <string.h>
#include <vfs/vfs.h>

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
        /* Kernel buffers, aligned or not, are read and written in place: no
         * request went through a bounce buffer. */
        uint64_t direct0 = vb->direct, bounced0 = vb->bounced;
        KT_ASSERT_EQ(block_read(d, lba, count - 1, rbuf + 3), count - 1);
        KT_ASSERT_EQ(block_write(d, lba, count, wbuf), count);
        KT_ASSERT(vb->direct > direct0);
        KT_ASSERT_EQ(vb->bounced, bounced0);
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
    /* Small reads too: a single request each, where the wait is most of the
     * time (a large read's requests may all be done by its first check). */
    for (int i = 0; i < 64; i++) {
        uint64_t before = spins;
        KT_ASSERT_EQ(block_read(d, (uint64_t)i * 8, 8, rbuf), 8);
        seen_during_io += spins - before;
    }
    stop_spinning = true;
    KT_ASSERT_EQ(thread_join(t, NULL), 0);
    /* The reads slept on the completion interrupt instead of polling... */
    KT_ASSERT(st->sleeps > sleeps0);
    KT_ASSERT(st->wakeups > wakeups0);
    /* ...and the other thread ran meanwhile. */
    KT_ASSERT(seen_during_io > 0);
    kprintf("  %llu sleeps, %llu completion wake-ups, %llu spins during 8 MiB + 64 small reads\n",
            (unsigned long long)(st->sleeps - sleeps0),
            (unsigned long long)(st->wakeups - wakeups0), (unsigned long long)seen_during_io);
}

/* Sum of the CPUs' idle poll counters (kernel/threads.h). */
static void idle_poll_sums(uint64_t *polls, uint64_t *hits)
{
    *polls = *hits = 0;
    for (unsigned c = 0; c < ARCH_MAX_CPUS; c++) {
        const struct idle_poll *p = kernel_idle_poll(c);
        *polls += p->polls;
        *hits += p->hits;
    }
}

/* While a thread waits for the disk, its idle CPU spins for the completion
 * instead of halting once its idle periods have been short
 * (sched/idle_poll.h): a run of small reads has polls that caught their
 * interrupt. With "idlepoll=0" on the command line nothing polls. */
KTEST(virtio_blk_idle_cpu_polls_for_completions)
{
    struct block_device *d = next_vd(NULL);
    KT_ASSERT(d != NULL);
    uint64_t polls0, hits0, polls1, hits1;
    idle_poll_sums(&polls0, &hits0);
    for (int i = 0; i < 64; i++)
        KT_ASSERT_EQ(block_read(d, (uint64_t)(64 - i) * 64, 8, rbuf), 8);
    idle_poll_sums(&polls1, &hits1);
    kprintf("  64 reads: %llu idle polls, %llu caught their interrupt\n",
            (unsigned long long)(polls1 - polls0), (unsigned long long)(hits1 - hits0));
    char v[8];
    if (cmdline_get(kernel_boot_info()->cmdline, "idlepoll", v, sizeof(v)) > 0 && v[0] == '0') {
        KT_ASSERT_EQ(polls1, polls0);
        return;
    }
    KT_ASSERT(hits1 - hits0 >= 8);
}

/* A thread reading a scratch disk through /dev, and a second one using the file
 * system meanwhile: the VFS lock must not be held across the disk waits. */
static volatile bool reader_done;
static volatile int reader_result;

static void dev_reader(void *arg)
{
    const char *path = arg;
    struct vfs_ctx *ctx = kernel_vfs_ctx();
    int fd = vfs_open(ctx, path, VFS_O_RDONLY, 0);
    long r = fd;
    for (int round = 0; fd >= 0 && round < 16 && r >= 0; round++)
        r = vfs_pread(ctx, fd, rbuf, KT_VBLK_MIB, (uint64_t)round * KT_VBLK_MIB);
    if (fd >= 0)
        vfs_close(ctx, fd);
    reader_result = r < 0 ? (int)r : 0;
    reader_done = true;
}

KTEST(virtio_blk_vfs_lock_not_held_across_disk_waits)
{
    struct block_device *d = next_vd(NULL);
    KT_ASSERT(d != NULL);
    static char path[32];
    ksnprintf(path, sizeof(path), "/dev/%s", d->name);
    struct vfs_ctx *ctx = kernel_vfs_ctx();
    struct vfs_stat st;
    KT_ASSERT_EQ(vfs_stat(ctx, "/dev", &st), 0);
    const struct kernel_io_stats *io = kernel_io_stats();
    reader_done = false;
    reader_result = 1;
    struct thread *t = thread_create("dev-reader", dev_reader, (void *)path);
    KT_ASSERT(t != NULL);
    /* Count file-system calls that began and ended inside one disk wait (no
     * wait ended meanwhile): impossible if the reader held the VFS lock. */
    uint64_t inside = 0, calls = 0;
    while (!reader_done) {
        uint64_t begun = io->waits, ended = io->waits_done;
        if (begun == ended) {
            thread_yield();
            continue;
        }
        KT_ASSERT_EQ(vfs_stat(ctx, "/dev", &st), 0);
        calls++;
        if (io->waits_done == ended)
            inside++;
    }
    KT_ASSERT_EQ(thread_join(t, NULL), 0);
    KT_ASSERT_EQ(reader_result, 0);
    kprintf("  %llu of %llu calls made during disk waits completed inside one\n",
            (unsigned long long)inside, (unsigned long long)calls);
    KT_ASSERT(inside > 0);
}

/* Asynchronous requests on the real device: many in flight, each completing on
 * its own (done() runs in the completion interrupt or in a polling waiter). */
#define KT_ASYNC_N 12
static struct block_request kt_rq[KT_ASYNC_N];
static volatile int kt_order[KT_ASYNC_N];
static volatile int kt_ndone;

static void kt_record(struct block_request *r)
{
    int k = __atomic_fetch_add(&kt_ndone, 1, __ATOMIC_RELAXED);
    if (k < KT_ASYNC_N)
        kt_order[k] = (int)(intptr_t)r->ctx;
}

KTEST(virtio_blk_async_requests_complete_in_any_order)
{
    int devs = 0, reordered = 0;
    for (struct block_device *d = next_vd(NULL); d; d = next_vd(d), devs++) {
        uint32_t bs = d->block_size;
        KT_ASSERT(d->max_request * bs >= 65536);
        /* Sizes from one block to 64 KiB, far apart on the disk. */
        uint64_t base = KT_VBLK_FIRST + 4096;
        size_t off[KT_ASYNC_N];
        size_t at = 0;
        for (int i = 0; i < KT_ASYNC_N; i++) {
            uint32_t count = i % 3 == 0 ? 65536 / bs : i % 3 == 1 ? 1 : 8;
            off[i] = at;
            kt_rq[i] = (struct block_request){ .op = BLOCK_OP_WRITE,
                                               .lba = base + (uint64_t)i * 256,
                                               .count = count,
                                               .buf = wbuf + at,
                                               .ctx = (void *)(intptr_t)i };
            fill(wbuf + at, (size_t)count * bs, (uint64_t)i + 500);
            at += (size_t)count * bs;
        }
        /* Write them all at once, then wait in reverse order of submission. */
        for (int i = 0; i < KT_ASYNC_N; i++)
            KT_ASSERT_EQ(block_submit(d, &kt_rq[i]), 0);
        for (int i = KT_ASYNC_N - 1; i >= 0; i--)
            KT_ASSERT_EQ(block_wait(d, &kt_rq[i]), (int)kt_rq[i].count);
        /* Read them back with callbacks, all in flight together. */
        kt_ndone = 0;
        memset(rbuf, 0, at);
        for (int i = 0; i < KT_ASYNC_N; i++) {
            kt_rq[i].op = BLOCK_OP_READ;
            kt_rq[i].buf = rbuf + off[i];
            kt_rq[i].done = kt_record;
            KT_ASSERT_EQ(block_submit(d, &kt_rq[i]), 0);
        }
        for (int i = KT_ASYNC_N - 1; i >= 0; i--)
            KT_ASSERT_EQ(block_wait(d, &kt_rq[i]), (int)kt_rq[i].count);
        KT_ASSERT_EQ(kt_ndone, KT_ASYNC_N);
        KT_ASSERT(memcmp(wbuf, rbuf, at) == 0);
        int seen[KT_ASYNC_N] = { 0 }, inversions = 0;
        for (int k = 0; k < KT_ASYNC_N; k++) {
            seen[kt_order[k]]++;
            if (k && kt_order[k] < kt_order[k - 1])
                inversions++;
        }
        for (int i = 0; i < KT_ASYNC_N; i++)
            KT_ASSERT_EQ(seen[i], 1); /* each completed exactly once */
        kprintf("  %s: %d requests in flight, completion order:", d->name, KT_ASYNC_N);
        for (int k = 0; k < KT_ASYNC_N; k++)
            kprintf(" %d", kt_order[k]);
        kprintf(" (%d inversions)\n", inversions);
        reordered += inversions > 0;
        struct virtio_blk *vb = d->ctx;
        KT_ASSERT_EQ(vb->vq.num_free, vb->vq.size);
    }
    KT_ASSERT(devs > 0);
    /* QEMU finishes a batch of requests newest first: the driver really saw
     * completions out of submission order. */
    KT_ASSERT(reordered > 0);
}

/* Completion interrupts arrive by the way the command line asks for: MSI-X when
 * the device offers it (both QEMU transports do), the legacy line with nomsix
 * (tests/integration/test_virtio_irq.py boots that way). */
KTEST(virtio_blk_interrupts_arrive)
{
    bool nomsix = cmdline_has(kernel_boot_info()->cmdline, "nomsix");
    int n = 0;
    for (struct block_device *d = next_vd(NULL); d; d = next_vd(d), n++) {
        struct virtio_blk *vb = d->ctx;
        struct pci_msix m;
        bool offered = pci_msix_probe(vb->vdev.pci, &m) == 0;
        if (nomsix || !offered) {
            KT_ASSERT(vb->msix_vector < 0);
            KT_ASSERT(vb->irq_attached);
        } else {
            KT_ASSERT(vb->msix_vector >= APIC_VECTOR_BASE);
        }
        uint64_t irqs0 = vb->interrupts;
        uint64_t vec0 = vb->msix_vector >= 0 ? apic_vector_count(vb->msix_vector) : 0;
        uint64_t line0 = vb->irq_attached ? vb->irq.count : 0;
        for (int i = 0; i < 16; i++)
            KT_ASSERT_EQ(block_read(d, (uint64_t)i * 64, 64, rbuf), 64);
        KT_ASSERT(vb->interrupts > irqs0);
        if (vb->msix_vector >= 0)
            KT_ASSERT(apic_vector_count(vb->msix_vector) > vec0);
        else
            KT_ASSERT(vb->irq.count > line0);
        kprintf("  %s: %llu completion interrupts by %s\n", d->name,
                (unsigned long long)(vb->interrupts - irqs0),
                vb->msix_vector >= 0 ? "MSI-X" : "INTx");
    }
    KT_ASSERT(n > 0);
}

/* The kernel's page tables as the DMA translation (what a zero-copy driver
 * would use on a caller's buffer). */
static int kt_translate(void *ctx, uintptr_t va, uint64_t *phys)
{
    (void)ctx;
    return mm_pt_translate(mm_kernel_aspace(), va, phys, NULL);
}

KTEST(dma_sg_list_of_a_buffer_crossing_pages)
{
    /* A heap buffer, 100 bytes into a page, over four page boundaries. */
    size_t len = 4 * 4096 + 200;
    uint8_t *mem = kmalloc(len + 4096 + 100);
    KT_ASSERT(mem != NULL);
    uint8_t *buf = (uint8_t *)(((uintptr_t)mem + 4095) & ~(uintptr_t)4095) + 100;
    struct dma_seg segs[16];
    int n = dma_sg_build(kt_translate, NULL, buf, len, 65536, segs, 16);
    KT_ASSERT(n >= 1 && n <= 5);
    size_t pos = 0;
    for (int k = 0; k < n; k++) {
        /* Each segment is where the page tables put its first and last byte,
         * and every page boundary inside it is physically contiguous. */
        for (size_t b = 0; b < segs[k].len; b = (b + 4096) & ~(size_t)4095) {
            uint64_t pa;
            KT_ASSERT_EQ(kt_translate(NULL, (uintptr_t)buf + pos + b, &pa), 0);
            KT_ASSERT_EQ(pa, segs[k].phys + b);
        }
        uint64_t last;
        KT_ASSERT_EQ(kt_translate(NULL, (uintptr_t)buf + pos + segs[k].len - 1, &last), 0);
        KT_ASSERT_EQ(last, segs[k].phys + segs[k].len - 1);
        pos += segs[k].len;
    }
    KT_ASSERT_EQ(pos, len);
    /* The device's segment limit splits further. */
    int m = dma_sg_build(kt_translate, NULL, buf, len, 1024, segs, 16);
    KT_ASSERT_EQ(m, -E2BIG); /* 17+ pieces of at most 1 KiB */
    struct dma_seg many[32];
    m = dma_sg_build(kt_translate, NULL, buf, len, 1024, many, 32);
    KT_ASSERT(m >= 17);
    for (int k = 0; k < m; k++)
        KT_ASSERT(many[k].len <= 1024);
    /* Memory that is not mapped cannot be used for DMA. */
    KT_ASSERT_EQ(dma_sg_build(kt_translate, NULL, (void *)0x1000, 512, 65536, segs, 16), -EFAULT);
    kprintf("  %zu bytes at page offset 100: %d segment(s), %d of at most 1 KiB\n", len, n, m);
    kfree(mem);
}
