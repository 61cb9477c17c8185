/*
 * sfs_image.c - image-file block device for the host tools: libsfs reads and
 * writes 512-byte sectors with pread()/pwrite(); flush is fsync(). Memory for
 * the cache comes from malloc through the config's alloc hook.
 */
#include "sfs_image.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SECTOR 512u

static int img_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    struct sfs_image *img = ctx;
    size_t len = (size_t)count * SECTOR, done = 0;
    while (done < len) {
        ssize_t n = pread(img->fd, (char *)buf + done, len - done, (off_t)(sector * SECTOR + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0) { /* past the end of a sparse image: zeros */
            memset((char *)buf + done, 0, len - done);
            break;
        }
        done += (size_t)n;
    }
    return 0;
}

static int img_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    struct sfs_image *img = ctx;
    size_t len = (size_t)count * SECTOR, done = 0;
    while (done < len) {
        ssize_t n =
            pwrite(img->fd, (const char *)buf + done, len - done, (off_t)(sector * SECTOR + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        done += (size_t)n;
    }
    return 0;
}

static int img_flush(void *ctx)
{
    struct sfs_image *img = ctx;
    return fsync(img->fd) < 0 ? -errno : 0;
}

static void *img_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}

static void img_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static uint64_t img_clock(void *ctx)
{
    (void)ctx;
    return (uint64_t)time(NULL);
}

int sfs_image_open(struct sfs_image *img, const char *path)
{
    memset(img, 0, sizeof(*img));
    img->fd = open(path, O_RDWR);
    if (img->fd < 0)
        return -errno;
    struct stat st;
    if (fstat(img->fd, &st) < 0) {
        int e = -errno;
        close(img->fd);
        return e;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        close(img->fd);
        return -EINVAL;
    }
    off_t size = st.st_size;
    if (S_ISBLK(st.st_mode))
        size = lseek(img->fd, 0, SEEK_END);
    img->dev.read = img_read;
    img->dev.write = img_write;
    img->dev.flush = img_flush;
    img->dev.ctx = img;
    img->dev.sector_size = SECTOR;
    img->dev.sector_count = (uint64_t)size / SECTOR;
    img->cfg.cache_blocks = 256;
    img->cfg.alloc = img_alloc;
    img->cfg.free = img_free;
    img->cfg.clock = img_clock;
    return 0;
}

void sfs_image_close(struct sfs_image *img)
{
    if (img->fd >= 0)
        close(img->fd);
    img->fd = -1;
}

int sfs_image_mount(struct sfs_image *img, struct sfs *fs, const char *prog, const char *path)
{
    return sfs_image_mount_flags(img, fs, prog, path, 0);
}

int sfs_image_mount_flags(struct sfs_image *img, struct sfs *fs, const char *prog,
                          const char *path, uint32_t flags)
{
    int r = sfs_image_open(img, path);
    if (r < 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(-r));
        return 1;
    }
    img->cfg.mount_flags = flags;
    r = sfs_mount(fs, &img->dev, &img->cfg);
    if (r < 0) {
        fprintf(stderr, "%s: %s: cannot mount: %s\n", prog, path, sfs_strerror(r));
        sfs_image_close(img);
        return 1;
    }
    return 0;
}

bool sfs_parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return false;
    uint64_t mul = 1;
    switch (*end) {
    case 0:
        break;
    case 'k':
    case 'K':
        mul = 1ull << 10;
        end++;
        break;
    case 'm':
    case 'M':
        mul = 1ull << 20;
        end++;
        break;
    case 'g':
    case 'G':
        mul = 1ull << 30;
        end++;
        break;
    default:
        return false;
    }
    if (*end || (v && mul > UINT64_MAX / v))
        return false;
    *out = v * mul;
    return true;
}
