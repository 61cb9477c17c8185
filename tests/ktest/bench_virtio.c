/*
 * bench_virtio.c - in-kernel benchmark of the raw virtio-blk read path: the
 * whole of vda read sequentially with block_read() at 4 KiB, 64 KiB and 1 MiB
 * per call, one call at a time (the next starts when the previous returned),
 * into one kernel heap buffer. This is our half of issue 6's comparison with
 * Linux's driver (tests/bench/virtio_vs_linux.py boots both on the same image).
 *
 * Runs only on a disk whose sector 0 starts with VBENCH_MAGIC (the script
 * writes it; the rest of the image is zeros) and never writes to it. For each
 * size it reports the bytes read, the nanoseconds the loop took (rdtsc around
 * the loop, converted with the PIT-calibrated rate) and the rate:
 * `kbench: virtio_seq_read_4KiB_{bytes,ns,rate} ...`. It also reports the
 * kernel's memcpy() rate on 64 KiB pieces (`virtio_seq_read_memcpy_rate`): the
 * driver copies every byte read out of its 64 KiB bounce buffers, so that rate
 * bounds the read rate (under TCG, where `rep movsb` is emulated, it matters).
 * And the share of each pass the idle thread ran (`..._idle`, per mille of the
 * timer ticks): the waiting thread sleeps, so the CPU is free while the disk works.
 */
#include <arch/cpu.h>
#include <k/kprintf.h>
#include <dev/block.h>
#include <kernel/kbench.h>
#include <arch/timer.h>
#include <mm/heap.h>
#include <sched/thread.h>
#include <string.h>

/** Sector 0 of the benchmark image starts with these bytes. */
#define VBENCH_MAGIC   "KESTREL-VIRTIO-BENCH"
#define VBENCH_MAX_REQ (1u << 20)
#define VBENCH_LIMIT   (1ull << 30) /* read at most 1 GiB per size */

static const struct {
    uint32_t bytes;
    const char *tag;
} vbench_sizes[] = {
    { 4096, "4KiB" },
    { 65536, "64KiB" },
    { 1u << 20, "1MiB" },
};

static bool vbench_is_bench_disk(struct block_device *d, uint8_t *buf)
{
    if (d->block_size > VBENCH_MAX_REQ || block_read(d, 0, 1, buf) != 1)
        return false;
    return memcmp(buf, VBENCH_MAGIC, sizeof(VBENCH_MAGIC) - 1) == 0;
}

static void vbench_report(const char *tag, const char *what, uint64_t value, const char *unit)
{
    char name[64];
    ksnprintf(name, sizeof(name), "virtio_seq_read_%s_%s", tag, what);
    kbench_report(name, value, unit);
}

/* MiB/s of memcpy() in 64 KiB pieces between the halves of @buf (1 MiB). */
static uint64_t vbench_memcpy_rate(uint8_t *buf)
{
    const uint32_t piece = 64 * 1024, half = VBENCH_MAX_REQ / 2;
    const uint64_t total = 256ull << 20;
    uint64_t c0 = rdtsc();
    for (uint64_t done = 0; done < total; done += piece) {
        uint32_t off = (uint32_t)(done % half);
        memcpy(buf + off, buf + half + off, piece);
    }
    uint64_t ns = kbench_cycles_to_ns(rdtsc() - c0);
    return ns ? (total * 1000000000ull / ns) >> 20 : 0;
}

/* Timer ticks the idle thread has run so far (the CPU had nothing else to do:
 * with a sleeping waiter, that is time the disk was busy and we were not). */
static uint64_t vbench_idle_ticks(void)
{
    struct thread_info info[32];
    int n = sched_snapshot(info, 32);
    for (int i = 0; i < n && i < 32; i++)
        if (strcmp(info[i].name, "idle") == 0)
            return info[i].ticks;
    return 0;
}

/* Read [0, bytes) of @d in @req-byte calls; returns the TSC cycles taken, or 0
 * after printing the error if a read failed. */
static uint64_t vbench_pass(struct block_device *d, uint8_t *buf, uint32_t req, uint64_t bytes)
{
    uint32_t per = req / d->block_size;
    uint64_t calls = bytes / req;
    uint64_t c0 = rdtsc();
    for (uint64_t i = 0; i < calls; i++) {
        int r = block_read(d, i * per, per, buf);
        if (r != (int)per) {
            kprintf("kbench: virtio_blk_seq_read: read of %u bytes at lba %llu failed: %d\n", req,
                    (unsigned long long)(i * per), r);
            return 0;
        }
    }
    return rdtsc() - c0;
}

KBENCH(virtio_blk_seq_read)
{
    struct block_device *d = blockdev_find("vda");
    uint8_t *buf = kmalloc(VBENCH_MAX_REQ);
    if (!buf) {
        kprintf("kbench: virtio_blk_seq_read skipped: no memory for the buffer\n");
        return;
    }
    if (!d || !vbench_is_bench_disk(d, buf)) {
        kprintf("kbench: virtio_blk_seq_read skipped: vda is not a " VBENCH_MAGIC " image\n");
        kfree(buf);
        return;
    }
    uint64_t disk = d->block_count * d->block_size;
    if (disk > VBENCH_LIMIT)
        disk = VBENCH_LIMIT;
    for (size_t s = 0; s < sizeof(vbench_sizes) / sizeof(vbench_sizes[0]); s++) {
        uint32_t req = vbench_sizes[s].bytes;
        if (req < d->block_size || req % d->block_size)
            continue;
        uint64_t bytes = disk / req * req;
        uint64_t idle0 = vbench_idle_ticks(), ticks0 = timer_ticks();
        uint64_t cycles = bytes ? vbench_pass(d, buf, req, bytes) : 0;
        uint64_t idle = vbench_idle_ticks() - idle0, ticks = timer_ticks() - ticks0;
        uint64_t ns = kbench_cycles_to_ns(cycles);
        if (!ns)
            continue;
        /* Per mille of the pass the CPU idled while requests were in flight. */
        vbench_report(vbench_sizes[s].tag, "idle", ticks ? idle * 1000 / ticks : 0, "permille");
        vbench_report(vbench_sizes[s].tag, "bytes", bytes, "B");
        vbench_report(vbench_sizes[s].tag, "ns", ns, "ns");
        vbench_report(vbench_sizes[s].tag, "rate", bytes * 1000000000ull / ns >> 20, "MiB/s");
    }
    kbench_report("virtio_seq_read_memcpy_rate", vbench_memcpy_rate(buf), "MiB/s");
    kfree(buf);
}
