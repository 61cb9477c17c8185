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

/* Keep the old contents of a write until the next flush. */
static void remember(struct sfs_ramdev *rd, uint64_t sector, uint32_t count)
{
    size_t bytes = (size_t)count * rd->sector_size;
    if (rd->undo_len + bytes > rd->undo_cap) {
        rd->undo_cap = (rd->undo_len + bytes) * 2;
        rd->undo = realloc(rd->undo, rd->undo_cap);
    }
    if (rd->undo_n + 2 > rd->undo_ncap) {
        rd->undo_ncap = (rd->undo_n + 2) * 2;
        rd->undo_sec = realloc(rd->undo_sec, rd->undo_ncap * sizeof(uint64_t));
    }
    memcpy(rd->undo + rd->undo_len, rd->data + sector * rd->sector_size, bytes);
    rd->undo_len += bytes;
    rd->undo_sec[rd->undo_n++] = sector;
    rd->undo_sec[rd->undo_n++] = count;
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
    uint32_t land = count;
    if (rd->power_cut_after == 0 && !rd->cut) {
        rd->cut = true;
        land = rd->tear ? count / 2 : 0; /* a torn write: its first sectors only */
    } else if (rd->cut) {
        return 0;
    }
    if (rd->power_cut_after > 0)
        rd->power_cut_after--;
    if (land && rd->volatile_cache)
        remember(rd, sector, land);
    memcpy(rd->data + sector * rd->sector_size, buf, (size_t)land * rd->sector_size);
    return 0;
}

static int rd_flush(void *ctx)
{
    struct sfs_ramdev *rd = ctx;
    rd->flushes++;
    if (!rd->cut) {
        rd->undo_len = 0;
        rd->undo_n = 0;
    }
    return 0;
}

void sfs_ramdev_power_off(struct sfs_ramdev *rd)
{
    while (rd->undo_n) {
        uint64_t count = rd->undo_sec[--rd->undo_n];
        uint64_t sector = rd->undo_sec[--rd->undo_n];
        size_t bytes = (size_t)count * rd->sector_size;
        rd->undo_len -= bytes;
        memcpy(rd->data + sector * rd->sector_size, rd->undo + rd->undo_len, bytes);
    }
    rd->undo_len = 0;
    sfs_ramdev_heal(rd);
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
    free(rd->undo);
    free(rd->undo_sec);
    rd->data = rd->undo = NULL;
    rd->undo_sec = NULL;
}
