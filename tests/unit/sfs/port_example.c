/* ramdisk_port.c - a complete libsfs port: a RAM block device. */
#include <sfs/sfs.h>
#include <string.h>

int ramdisk_demo(void);

#define SECTOR  512
#define SECTORS 2048 /* 1 MiB */

static unsigned char disk[SECTORS * SECTOR];
static unsigned char cache[64 * 1024]; /* >= sfs_mem_size(block size, cache blocks) */

static int ram_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    memcpy(buf, (unsigned char *)ctx + sector * SECTOR, (size_t)count * SECTOR);
    return 0;
}

static int ram_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    memcpy((unsigned char *)ctx + sector * SECTOR, buf, (size_t)count * SECTOR);
    return 0;
}

int ramdisk_demo(void)
{
    static const struct sfs_blockdev dev = {
        .read = ram_read,
        .write = ram_write,
        .ctx = disk,
        .sector_size = SECTOR,
        .sector_count = SECTORS,
    };
    struct sfs_config cfg = { .cache_blocks = 8, .buffer = cache, .buffer_size = sizeof(cache) };
    struct sfs_format_opts opts = { .block_size = 1024 };
    struct sfs fs;
    struct sfs_file f;
    int r = sfs_format(&fs, &dev, &cfg, &opts);
    if (r == 0)
        r = sfs_mount(&fs, &dev, &cfg);
    if (r < 0)
        return r;
    r = sfs_open(&fs, &f, "/hello.txt", SFS_O_WRONLY | SFS_O_CREAT, 0644);
    if (r == 0) {
        sfs_write(&fs, &f, "hello\n", 6);
        sfs_close(&fs, &f);
    }
    return sfs_unmount(&fs);
}
