/*
 * bench_fs.c - in-kernel benchmarks of the storage path: a 32 MiB file written
 * and read through the VFS (the path the shell's commands take: VFS, SFS,
 * block cache, virtio-blk), against the raw virtio-blk rate on the same disk.
 * Needs the root on SFS (tests/bench/kernel_bench.py attaches a fresh image).
 */
#include <arch/cpu.h>
#include <k/kprintf.h>
#include <dev/block.h>
#include <kernel/fs.h>
#include <kernel/kbench.h>
#include <mm/heap.h>
#include <vfs/vfs.h>

#define FILE_MIB 32
#define CHUNK    (1u << 20)

static uint64_t mib_per_s(uint64_t bytes, uint64_t cycles)
{
    uint64_t ns = kbench_cycles_to_ns(cycles);
    return ns ? bytes * 1000000000ull / ns / (1u << 20) : 0;
}

KBENCH(storage_32mib)
{
    struct vfs_ctx *ctx = kernel_vfs_ctx();
    struct block_device *disk = blockdev_find("vda");
    struct vfs_statfs st;
    if (!disk || vfs_statfs(ctx, "/", &st) != 0 || st.type[0] != 's') {
        kprintf("kbench: storage_32mib skipped: / is not SFS on a virtio disk\n");
        return;
    }
    uint8_t *buf = kmalloc(CHUNK);
    if (!buf)
        return;
    for (uint32_t i = 0; i < CHUNK; i++)
        buf[i] = (uint8_t)(i * 31 + 7);

    /* raw: sequential 1 MiB reads straight from the device */
    uint32_t per = CHUNK / disk->block_size;
    uint64_t c0 = rdtsc();
    for (uint32_t m = 0; m < FILE_MIB; m++)
        block_read(disk, (uint64_t)m * per, per, buf);
    uint64_t raw = rdtsc() - c0;

    int fd = vfs_open(ctx, "/bench-32mib", VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, 0644);
    c0 = rdtsc();
    for (uint32_t m = 0; m < FILE_MIB && fd >= 0; m++)
        vfs_write(ctx, fd, buf, CHUNK);
    vfs_fsync(ctx, fd);
    uint64_t wr = rdtsc() - c0;
    vfs_close(ctx, fd);

    fd = vfs_open(ctx, "/bench-32mib", VFS_O_RDONLY, 0);
    c0 = rdtsc();
    for (uint32_t m = 0; m < FILE_MIB && fd >= 0; m++)
        vfs_read(ctx, fd, buf, CHUNK);
    uint64_t rd = rdtsc() - c0;
    vfs_close(ctx, fd);
    vfs_unlink(ctx, "/bench-32mib");
    kfree(buf);

    uint64_t bytes = (uint64_t)FILE_MIB << 20;
    kbench_report("raw_virtio_read_1MiB_requests", mib_per_s(bytes, raw), "MiB/s");
    kbench_report("vfs_sfs_write_32MiB_file", mib_per_s(bytes, wr), "MiB/s");
    kbench_report("vfs_sfs_read_32MiB_file", mib_per_s(bytes, rd), "MiB/s");
}
