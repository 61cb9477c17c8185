/*
 * sfs_image.c - image-file block device for mkfs.sfs, fsck.sfs and sfs:
 * libsfs reads and writes 512-byte sectors with pread()/pwrite(); flush is
 * fsync(). Memory for the cache comes from malloc through the config's
 * alloc hook. Plain POSIX and Linux interfaces, so the same file builds for
 * the host (glibc) and for Kestrel (static musl, mk/userbin.mk), where the
 * "image" is a device such as /dev/vda. Also the check that refuses a
 * mounted file system.
 */
#include "sfs_image.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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

/* Linux's struct loop_info64 (linux/loop.h, a stable ABI), declared here
 * because musl's headers do not include the kernel's. */
struct loop_info64_abi {
    uint64_t lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
    uint32_t lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
    uint8_t lo_file_name[64], lo_crypt_name[64], lo_encrypt_key[32];
    uint64_t lo_init[2];
};
#define LOOP_GET_STATUS64_ABI 0x4C05

/* Whether the mount source SRC is the file or device TARGET: the same file
 * (device and inode: another name for it), the same device number (st_rdev,
 * when the system gives one; Kestrel's device nodes have none), or a loop
 * device backed by the image file TARGET. */
static bool same_source(const char *src, const struct stat *target)
{
    struct stat st;
    if (src[0] != '/' || stat(src, &st) != 0)
        return false;
    if (st.st_dev == target->st_dev && st.st_ino == target->st_ino)
        return true;
    if (S_ISBLK(target->st_mode))
        return S_ISBLK(st.st_mode) && st.st_rdev && st.st_rdev == target->st_rdev;
    if (!S_ISREG(target->st_mode) || !S_ISBLK(st.st_mode))
        return false;
    /* A loop device: compare the file behind it. */
    int fd = open(src, O_RDONLY);
    if (fd < 0)
        return false;
    struct loop_info64_abi info;
    int r = ioctl(fd, LOOP_GET_STATUS64_ABI, &info);
    close(fd);
    return r == 0 && info.lo_device == (uint64_t)target->st_dev &&
           info.lo_inode == (uint64_t)target->st_ino;
}

/* Decode the octal escapes of a /proc/mounts field in place (\040 is a space). */
static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

int sfs_image_check_unmounted(const char *prog, const char *path)
{
    struct stat target;
    if (stat(path, &target) != 0 || (!S_ISREG(target.st_mode) && !S_ISBLK(target.st_mode)))
        return 0;
    const char *table = getenv("SFS_MOUNTS");
    FILE *f = fopen(table ? table : "/proc/mounts", "r");
    if (!f)
        return 0;
    char line[4096];
    int mounted = 0;
    while (!mounted && fgets(line, sizeof(line), f)) {
        char src[1024], dir[1024];
        if (sscanf(line, "%1023s %1023s", src, dir) != 2)
            continue;
        unescape(src);
        unescape(dir);
        if (same_source(src, &target)) {
            fprintf(stderr, "%s: %s is mounted on %s; unmount it first\n", prog, path, dir);
            mounted = 1;
        }
    }
    fclose(f);
    return mounted;
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
