/*
 * fsdiff_sfs.c - the libsfs back end of the differential test: a volume on
 * a RAM device (tests/mocks/sfs_ramdev.c), driven through libsfs's path API
 * (sfs_mkdir(), sfs_rename(), sfs_setattr(), ...).
 *
 * Where a system call is more than one libsfs call, this file does what a
 * VFS does on top of libsfs, and no more: open() of a directory read-only
 * succeeds (sfs_open() opens files only), write() on such a handle is EBADF,
 * chown() clears set-user-ID as Linux's VFS does (SFS_SET_KILL_SUID),
 * UTIME_NOW/UTIME_OMIT map onto SFS_SET_*_NOW and an unset bit, and
 * utimensat() with both times UTIME_OMIT succeeds without a lookup. The clock is
 * the host's CLOCK_REALTIME with nanoseconds.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fsdiff.h"
#include "sfs_ramdev.h"
#include <sfs/sfs_check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct sfsb {
    struct sfs_ramdev rd;
    struct sfs fs;
    struct sfs_config cfg;
};

static void *b_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void b_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static uint64_t b_clock_ns(void *ctx)
{
    (void)ctx;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fill_stat(struct fsd_result *res, const struct sfs_stat *s)
{
    res->has_stat = true;
    res->st = (struct fsd_stat){
        .mode = s->mode,
        .nlink = s->nlink,
        .uid = s->uid,
        .gid = s->gid,
        .size = s->size,
        .rdev = s->rdev,
        .atime = s->atime,
        .mtime = s->mtime,
        .ctime = s->ctime,
        .atime_nsec = s->atime_nsec,
        .mtime_nsec = s->mtime_nsec,
        .ctime_nsec = s->ctime_nsec,
    };
}

/* Linux's d_type for an SFS_DT_* value. */
static int linux_dt(uint32_t t)
{
    static const int map[8] = { 0, 8, 4, 2, 6, 1, 12, 10 };
    return t < 8 ? map[t] : 0;
}

static bool is_special(struct sfs *fs, const char *path)
{
    struct sfs_stat st;
    if (sfs_stat(fs, path, &st) < 0)
        return false;
    uint32_t t = st.mode & SFS_S_IFMT;
    return t != SFS_S_IFREG && t != SFS_S_IFDIR;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void b_readdir(struct sfs *fs, const char *path, struct fsd_result *res)
{
    struct sfs_dir d;
    int r = sfs_dir_open(fs, &d, path);
    if (r < 0) {
        res->ret = r;
        return;
    }
    char *names[4096];
    size_t n = 0;
    struct sfs_dirent e;
    while (n < 4096 && sfs_dir_read(fs, &d, &e) == 1) {
        if (!strcmp(e.name, ".") || !strcmp(e.name, ".."))
            continue;
        char *line = malloc(e.name_len + 8);
        sprintf(line, "%s %d\n", e.name, linux_dt(e.type));
        names[n++] = line;
    }
    sfs_dir_close(fs, &d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        if (res->len + l <= FSD_OUT) {
            memcpy(res->out + res->len, names[i], l);
            res->len += (uint32_t)l;
        }
        free(names[i]);
    }
    res->ret = (int)n;
}

/* open(): a directory opened read-only is a handle that cannot write. */
static void b_write(struct sfs *fs, const struct fsd_op *op, struct fsd_result *res)
{
    if (is_special(fs, op->a)) {
        res->ret = FSD_SKIPPED;
        return;
    }
    struct sfs_file f;
    struct sfs_stat st;
    int r = sfs_open(fs, &f, op->a, op->flags, op->mode);
    if (r == SFS_EISDIR && (op->flags & 3) == 0 && !(op->flags & (FSD_O_CREAT | FSD_O_TRUNC)) &&
        sfs_stat(fs, op->a, &st) == 0) {
        res->ret = 0;
        if (op->len)
            res->ret2 = -EBADF;
        fill_stat(res, &st);
        return;
    }
    res->ret = r;
    if (r < 0)
        return;
    if (op->len) {
        long n = (op->flags & FSD_O_APPEND) ? sfs_write(fs, &f, op->data, op->len)
                                            : sfs_pwrite(fs, &f, op->data, op->len, op->off);
        res->ret2 = (int)n;
    }
    if (sfs_fstat(fs, &f, &st) == 0)
        fill_stat(res, &st);
    sfs_close(fs, &f);
}

static void b_read(struct sfs *fs, const struct fsd_op *op, struct fsd_result *res)
{
    if (is_special(fs, op->a)) {
        res->ret = FSD_SKIPPED;
        return;
    }
    struct sfs_file f;
    struct sfs_stat st;
    int r = sfs_open(fs, &f, op->a, 0, 0);
    if (r == SFS_EISDIR && sfs_stat(fs, op->a, &st) == 0) {
        res->ret = 0;
        res->ret2 = -EISDIR;
        return;
    }
    res->ret = r;
    if (r < 0)
        return;
    long n = sfs_read(fs, &f, res->out, FSD_OUT);
    res->ret2 = (int)n;
    res->len = n > 0 ? (uint32_t)n : 0;
    sfs_close(fs, &f);
}

static void b_utimens(struct sfs *fs, const struct fsd_op *op, struct fsd_result *res)
{
    struct sfs_setattr sa = { .atime_sec = op->atime,
                              .atime_nsec = op->atime_nsec,
                              .mtime_sec = op->mtime,
                              .mtime_nsec = op->mtime_nsec };
    if (op->atime_nsec == FSD_NOW)
        sa.valid |= SFS_SET_ATIME_NOW;
    else if (op->atime_nsec != FSD_OMIT)
        sa.valid |= SFS_SET_ATIME;
    if (op->mtime_nsec == FSD_NOW)
        sa.valid |= SFS_SET_MTIME_NOW;
    else if (op->mtime_nsec != FSD_OMIT)
        sa.valid |= SFS_SET_MTIME;
    /* Linux's utimensat() returns at once when both are UTIME_OMIT, before
     * it looks at the path: that is the VFS's doing, so it is here too. */
    res->ret = sa.valid ? sfs_setattr(fs, op->a, !op->nofollow, &sa) : 0;
}

static void b_run(void *ctx, const struct fsd_op *op, struct fsd_result *res)
{
    struct sfsb *b = ctx;
    struct sfs *fs = &b->fs;
    struct sfs_stat st;
    switch (op->kind) {
    case FSD_MKDIR:
        res->ret = sfs_mkdir(fs, op->a, op->mode);
        break;
    case FSD_RMDIR:
        res->ret = sfs_rmdir(fs, op->a);
        break;
    case FSD_UNLINK:
        res->ret = sfs_unlink(fs, op->a);
        break;
    case FSD_RENAME:
        /* renameat2()'s flags are only generated between host directories. */
        res->ret = op->flags ? -EINVAL : sfs_rename(fs, op->a, op->b);
        break;
    case FSD_LINK:
        res->ret = sfs_link(fs, op->a, op->b);
        break;
    case FSD_SYMLINK:
        res->ret = sfs_symlink(fs, op->a, op->b);
        break;
    case FSD_MKNOD:
        res->ret = sfs_mknod(fs, op->a, op->mode, op->rdev);
        break;
    case FSD_WRITE:
        b_write(fs, op, res);
        break;
    case FSD_READ:
        b_read(fs, op, res);
        break;
    case FSD_TRUNCATE:
        if (!op->flags) {
            res->ret = sfs_truncate(fs, op->a, op->size);
        } else if (is_special(fs, op->a)) {
            res->ret = FSD_SKIPPED;
        } else {
            struct sfs_file f;
            res->ret = sfs_open(fs, &f, op->a, FSD_O_WRONLY, 0);
            if (res->ret == 0) {
                res->ret = sfs_ftruncate(fs, &f, op->size);
                sfs_close(fs, &f);
            }
        }
        break;
    case FSD_CHMOD: {
        struct sfs_setattr sa = { .valid = SFS_SET_MODE, .mode = op->mode };
        res->ret = sfs_setattr(fs, op->a, 1, &sa);
        break;
    }
    case FSD_CHOWN: {
        struct sfs_setattr sa = { .valid = SFS_SET_KILL_SUID, .uid = op->uid, .gid = op->gid };
        if (op->uid != UINT32_MAX)
            sa.valid |= SFS_SET_UID;
        if (op->gid != UINT32_MAX)
            sa.valid |= SFS_SET_GID;
        res->ret = sfs_setattr(fs, op->a, !op->nofollow, &sa);
        break;
    }
    case FSD_UTIMENS:
        b_utimens(fs, op, res);
        break;
    case FSD_STAT:
    case FSD_LSTAT:
        res->ret = op->kind == FSD_STAT ? sfs_stat(fs, op->a, &st) : sfs_lstat(fs, op->a, &st);
        if (res->ret == 0)
            fill_stat(res, &st);
        break;
    case FSD_READLINK: {
        long n = sfs_readlink(fs, op->a, res->out, FSD_OUT);
        res->ret = (int)n;
        res->len = n > 0 ? (uint32_t)n : 0;
        break;
    }
    case FSD_READDIR:
        b_readdir(fs, op->a, res);
        break;
    default:
        res->ret = -EINVAL;
    }
}

static void b_close(void *ctx)
{
    struct sfsb *b = ctx;
    long problems = sfs_check(&b->fs, NULL, 0, NULL, NULL);
    if (problems != 0)
        fprintf(stderr, "fsdiff: libsfs volume does not check clean: %ld\n", problems);
    if (sfs_unmount(&b->fs) < 0)
        fprintf(stderr, "fsdiff: libsfs unmount failed\n");
    sfs_ramdev_free(&b->rd);
    free(b);
    if (problems != 0)
        exit(1);
}

int fsd_sfs_open(struct fsd_backend *be, uint64_t bytes)
{
    struct sfsb *b = calloc(1, sizeof(*b));
    sfs_ramdev_init(&b->rd, bytes, 512);
    b->cfg = (struct sfs_config){
        .cache_blocks = 64, .alloc = b_alloc, .free = b_free, .clock_ns = b_clock_ns
    };
    struct sfs_format_opts o = { .block_size = 1024 };
    int r = sfs_format(&b->fs, &b->rd.dev, &b->cfg, &o);
    if (r == 0)
        r = sfs_mount(&b->fs, &b->rd.dev, &b->cfg);
    if (r < 0) {
        fprintf(stderr, "fsdiff: libsfs: %s\n", sfs_strerror(r));
        sfs_ramdev_free(&b->rd);
        free(b);
        return -1;
    }
    *be = (struct fsd_backend){ .name = "libsfs", .ctx = b, .run = b_run, .close = b_close };
    return 0;
}
