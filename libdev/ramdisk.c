/*
 * ramdisk.c - a block device in memory (dev/ramdisk.h).
 *
 * Layer: a block driver like virtio-blk, behind the same struct block_ops; the
 * tests' stand-in for a disk, with injectable faults. Locking: none.
 */
#include <k/errno.h>
#include <dev/ramdisk.h>
#include <string.h>

static bool touches_bad(const struct ramdisk *rd, uint64_t lba, uint32_t count)
{
    return rd->bad_block >= 0 && (uint64_t)rd->bad_block >= lba &&
           (uint64_t)rd->bad_block < lba + count;
}

/* Decrement a fault countdown; true when this call must fail. */
static bool countdown(long *after)
{
    if (*after < 0)
        return false;
    if (*after == 0)
        return true;
    (*after)--;
    return false;
}

static int ramdisk_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
    struct ramdisk *rd = dev->ctx;
    rd->reads++;
    if (countdown(&rd->fail_reads_after) || touches_bad(rd, lba, count))
        return -EIO;
    memcpy(buf, rd->mem + lba * dev->block_size, (size_t)count * dev->block_size);
    return (int)count;
}

static int ramdisk_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
    struct ramdisk *rd = dev->ctx;
    rd->writes++;
    if (countdown(&rd->fail_writes_after) || touches_bad(rd, lba, count))
        return -EIO;
    memcpy(rd->mem + lba * dev->block_size, buf, (size_t)count * dev->block_size);
    return (int)count;
}

static int ramdisk_flush(struct block_device *dev)
{
    struct ramdisk *rd = dev->ctx;
    rd->flushes++;
    return 0;
}

static const struct block_ops ramdisk_ops = {
    .read = ramdisk_read,
    .write = ramdisk_write,
    .flush = ramdisk_flush,
};

int ramdisk_init(struct ramdisk *rd, const char *name, void *mem, uint32_t block_size,
                 uint64_t block_count)
{
    if (!rd || !name || !mem || block_size < 512 || (block_size & (block_size - 1)) ||
        strlen(name) >= sizeof(rd->bdev.name))
        return -EINVAL;
    memset(rd, 0, sizeof(*rd));
    rd->mem = mem;
    rd->fail_reads_after = -1;
    rd->fail_writes_after = -1;
    rd->bad_block = -1;
    rd->bdev.ops = &ramdisk_ops;
    rd->bdev.ctx = rd;
    memcpy(rd->bdev.name, name, strlen(name) + 1);
    rd->bdev.block_size = block_size;
    rd->bdev.block_count = block_count;
    return 0;
}
