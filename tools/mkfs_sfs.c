/*
 * mkfs_sfs.c - mkfs.sfs: create or format an SFS image, optionally copying a
 * host directory tree into it (like mke2fs -d).
 *
 * Every argument is validated before the image is touched; if mkfs.sfs
 * created the image and then fails, it removes it again. A mounted file
 * system is refused (sfs_image_check_unmounted()). IMAGE may be a block
 * device, which keeps its size: the same source builds for the host
 * (build/bin/mkfs.sfs) and for Kestrel (/sbin/mkfs.sfs, also installed as
 * /sbin/mkfs, e.g. "mkfs /dev/vdb"); "-t sfs" is accepted as mkfs(8)
 * passes it.
 */
#include "sfs_image.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: mkfs.sfs [-t sfs] IMAGE [--size SIZE] [--block-size BYTES] [--inodes N]\n"
            "                [--journal BLOCKS] [--label NAME] [--root DIR]\n"
            "Create (or reformat) an SFS image or device; a mounted one is refused.\n"
            "  --size SIZE        image size, e.g. 64M (required if IMAGE does not exist;\n"
            "                     an existing image is resized; not for a device)\n"
            "  --block-size B     file-system block size, a power of two 1024..65536 (4096)\n"
            "  --inodes N         number of inodes (default: one per 16 KiB)\n"
            "  --journal N        blocks of the write-ahead journal (0: none)\n"
            "  --label NAME       volume label (up to 16 bytes)\n"
            "  --root DIR         copy the host directory tree DIR into the new file system\n");
}

static int copy_file(struct sfs *fs, const char *host, const char *dst, mode_t mode)
{
    int fd = open(host, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "mkfs.sfs: %s: %s\n", host, strerror(errno));
        return -1;
    }
    struct sfs_file f;
    int r = sfs_open(fs, &f, dst, SFS_O_WRONLY | SFS_O_CREAT | SFS_O_EXCL, mode & 07777);
    if (r < 0) {
        fprintf(stderr, "mkfs.sfs: %s: %s\n", dst, sfs_strerror(r));
        close(fd);
        return -1;
    }
    static char buf[1 << 16];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        long w = sfs_write(fs, &f, buf, (size_t)n);
        if (w != n) {
            fprintf(stderr, "mkfs.sfs: %s: %s\n", dst, sfs_strerror(w < 0 ? (int)w : SFS_ENOSPC));
            n = -1;
            break;
        }
    }
    if (n < 0 && errno)
        fprintf(stderr, "mkfs.sfs: %s: %s\n", host, strerror(errno));
    sfs_close(fs, &f);
    close(fd);
    return n < 0 ? -1 : 0;
}

static int copy_tree(struct sfs *fs, const char *host, const char *dst)
{
    DIR *d = opendir(host);
    if (!d) {
        fprintf(stderr, "mkfs.sfs: %s: %s\n", host, strerror(errno));
        return -1;
    }
    int err = 0;
    struct dirent *e;
    while (!err && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char hp[PATH_MAX], dp[SFS_PATH_MAX];
        if ((size_t)snprintf(hp, sizeof(hp), "%s/%s", host, e->d_name) >= sizeof(hp) ||
            (size_t)snprintf(dp, sizeof(dp), "%s/%s", strcmp(dst, "/") ? dst : "", e->d_name) >=
                sizeof(dp)) {
            fprintf(stderr, "mkfs.sfs: %s/%s: path too long\n", host, e->d_name);
            err = -1;
            break;
        }
        struct stat st;
        if (lstat(hp, &st) < 0) {
            fprintf(stderr, "mkfs.sfs: %s: %s\n", hp, strerror(errno));
            err = -1;
        } else if (S_ISDIR(st.st_mode)) {
            int r = sfs_mkdir(fs, dp, st.st_mode & 07777);
            if (r < 0) {
                fprintf(stderr, "mkfs.sfs: %s: %s\n", dp, sfs_strerror(r));
                err = -1;
            } else {
                err = copy_tree(fs, hp, dp);
            }
        } else if (S_ISREG(st.st_mode)) {
            err = copy_file(fs, hp, dp, st.st_mode);
        } else if (S_ISLNK(st.st_mode)) {
            char target[SFS_PATH_MAX];
            ssize_t n = readlink(hp, target, sizeof(target) - 1);
            int r = n < 0 ? SFS_EIO : (target[n] = 0, sfs_symlink(fs, target, dp));
            if (r < 0) {
                fprintf(stderr, "mkfs.sfs: %s: %s\n", dp, sfs_strerror(r));
                err = -1;
            }
        } else {
            fprintf(stderr, "mkfs.sfs: %s: skipped (not a file, directory or symlink)\n", hp);
        }
    }
    closedir(d);
    return err;
}

static bool parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (!sfs_parse_size(s, &v) || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *root = NULL;
    uint64_t size = 0;
    struct sfs_format_opts o;
    memset(&o, 0, sizeof(o));
    bool journal_set = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--size") && v) {
            ok = sfs_parse_size(v, &size) && size > 0;
            i++;
        } else if (!strcmp(a, "--block-size") && v) {
            ok = parse_u32(v, &o.block_size) && o.block_size >= SFS_MIN_BLOCK_SIZE &&
                 o.block_size <= SFS_MAX_BLOCK_SIZE && !(o.block_size & (o.block_size - 1));
            i++;
        } else if (!strcmp(a, "--inodes") && v) {
            ok = parse_u32(v, &o.inode_count) && o.inode_count > 0;
            i++;
        } else if (!strcmp(a, "--journal") && v) {
            ok = parse_u32(v, &o.journal_blocks);
            journal_set = true;
            i++;
        } else if (!strcmp(a, "--label") && v) {
            ok = strlen(v) <= SFS_SB_LABEL_LEN;
            if (ok)
                memcpy(o.label, v, strlen(v));
            i++;
        } else if (!strcmp(a, "--root") && v) {
            root = v;
            i++;
        } else if (!strcmp(a, "-t") && v) {
            if (strcmp(v, "sfs")) {
                fprintf(stderr, "mkfs.sfs: %s: unsupported file-system type (only sfs)\n", v);
                return 2;
            }
            i++;
        } else if (a[0] != '-' && !path) {
            path = a;
        } else {
            fprintf(stderr, "mkfs.sfs: bad argument '%s'\n", a);
            usage(stderr);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "mkfs.sfs: bad value for %s: '%s'\n", a, v);
            return 2;
        }
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    if (journal_set && o.journal_blocks == 0)
        o.journal_blocks = UINT32_MAX;
    struct stat st;
    if (root && (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "mkfs.sfs: --root %s: not a directory\n", root);
        return 2;
    }
    bool exists = stat(path, &st) == 0;
    if (!exists && !size) {
        fprintf(stderr, "mkfs.sfs: %s does not exist: give --size\n", path);
        return 2;
    }
    if (exists && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        fprintf(stderr, "mkfs.sfs: %s: not a regular file or block device\n", path);
        return 2;
    }
    bool device = exists && S_ISBLK(st.st_mode);
    if (device && size) {
        fprintf(stderr, "mkfs.sfs: %s: a device keeps its size: no --size\n", path);
        return 2;
    }
    if (exists && sfs_image_check_unmounted("mkfs.sfs", path))
        return 1;
    if (device) {
        /* st_size is 0 for a device on Linux: ask the device itself. */
        int fd = open(path, O_RDONLY);
        off_t end = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
        if (fd >= 0)
            close(fd);
        if (end < 0) {
            fprintf(stderr, "mkfs.sfs: %s: %s\n", path, strerror(errno));
            return 1;
        }
        st.st_size = end;
    }
    uint64_t final = size ? size : (uint64_t)st.st_size;
    uint32_t bs = o.block_size ? o.block_size : SFS_DEFAULT_BLOCK_SIZE;
    if (final / bs < SFS_MIN_BLOCKS) {
        fprintf(stderr, "mkfs.sfs: %s: too small (%llu bytes; at least %u blocks)\n", path,
                (unsigned long long) final, SFS_MIN_BLOCKS);
        return 2;
    }
    if (!exists) {
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
        if (fd < 0) {
            fprintf(stderr, "mkfs.sfs: %s: %s\n", path, strerror(errno));
            return 1;
        }
        close(fd);
    }
    int status = 1;
    struct sfs_image img;
    int r = 0;
    if (size && truncate(path, (off_t)size) < 0)
        r = -errno;
    if (r == 0)
        r = sfs_image_open(&img, path);
    if (r < 0) {
        fprintf(stderr, "mkfs.sfs: %s: %s\n", path, strerror(-r));
        goto out;
    }
    struct sfs fs;
    r = sfs_format(&fs, &img.dev, &img.cfg, &o);
    if (r < 0) {
        fprintf(stderr, "mkfs.sfs: %s: cannot format: %s\n", path, sfs_strerror(r));
        sfs_image_close(&img);
        goto out;
    }
    status = 0;
    if (root) {
        r = sfs_mount(&fs, &img.dev, &img.cfg);
        if (r < 0) {
            fprintf(stderr, "mkfs.sfs: %s: %s\n", path, sfs_strerror(r));
            status = 1;
        } else {
            if (copy_tree(&fs, root, "/") < 0)
                status = 1;
            if (sfs_unmount(&fs) < 0)
                status = 1;
        }
    }
    sfs_image_close(&img);
    if (status == 0) {
        struct sfs_image chk;
        struct sfs fs2;
        if (sfs_image_mount(&chk, &fs2, "mkfs.sfs", path) == 0) {
            struct sfs_statfs sf;
            sfs_statfs(&fs2, &sf);
            printf("%s: %llu blocks of %u bytes, %llu inodes, %llu blocks free, journal %u\n", path,
                   (unsigned long long)sf.total_blocks, sf.block_size,
                   (unsigned long long)sf.total_inodes, (unsigned long long)sf.free_blocks,
                   sf.journal_blocks);
            sfs_unmount(&fs2);
            sfs_image_close(&chk);
        }
    }
out:
    if (status && !exists)
        unlink(path);
    return status;
}
