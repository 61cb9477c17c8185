/*
 * sfs_ramdev.c - RAM block device with fault injection for libsfs tests.
 */
#include "sfs_ramdev.h"
#include <stdlib.h>
#include <string.h>

static bool touches_bad(struct sfs_ramdev *rd, uint64_t sector, uint32_t count)
{
    return rd->bad_sector >= 0 && (uint64_t)rd->bad_sector >= sector &&
           (uint64_t)rd->bad_sector < sector + count;
}

static int rd_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    struct sfs_ramdev *rd = ctx;
    if (sector + count > rd->sectors || sector + count < sector)
        return -1;
    if (rd->fail_reads_after == 0 || touches_bad(rd, sector, count))
        return -5;
    if (rd->fail_reads_after > 0)
        rd->fail_reads_after--;
    rd->reads++;
    memcpy(buf, rd->data + sector * rd->sector_size, (size_t)count * rd->sector_size);
    return 0;
}

static int rd_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    struct sfs_ramdev *rd = ctx;
    if (sector + count > rd->sectors || sector + count < sector)
        return -1;
    if (rd->fail_writes_after == 0 || touches_bad(rd, sector, count))
        return -5;
    if (rd->fail_writes_after > 0)
        rd->fail_writes_after--;
    rd->writes++;
    if (rd->power_cut_after == 0)
        rd->cut = true;
    if (rd->cut)
        return 0;
    if (rd->power_cut_after > 0)
        rd->power_cut_after--;
    memcpy(rd->data + sector * rd->sector_size, buf, (size_t)count * rd->sector_size);
    return 0;
}

static int rd_flush(void *ctx)
{
    struct sfs_ramdev *rd = ctx;
    rd->flushes++;
    return 0;
}

void sfs_ramdev_heal(struct sfs_ramdev *rd)
{
    rd->fail_reads_after = rd->fail_writes_after = rd->power_cut_after = -1;
    rd->bad_sector = -1;
    rd->cut = false;
}

void sfs_ramdev_init(struct sfs_ramdev *rd, uint64_t bytes, uint32_t sector_size)
{
    memset(rd, 0, sizeof(*rd));
    rd->sector_size = sector_size;
    rd->sectors = bytes / sector_size;
    rd->data = calloc(1, rd->sectors * sector_size);
    sfs_ramdev_heal(rd);
    rd->dev.read = rd_read;
    rd->dev.write = rd_write;
    rd->dev.flush = rd_flush;
    rd->dev.ctx = rd;
    rd->dev.sector_size = sector_size;
    rd->dev.sector_count = rd->sectors;
}

void sfs_ramdev_free(struct sfs_ramdev *rd)
{
    free(rd->data);
    rd->data = NULL;
}
