/*
 * fixture.c - the shared libvfs test fixture (vfs_test.h).
 */
#include "vfs_test.h"
#include <k/errno.h>
#include <stdlib.h>
#include <string.h>
#include <vfs/devfs.h>
#include <vfs/ramfs.h>

struct vfs_ctx ctx;
long live_allocs;
static int lock_depth;

int vfs_fixture_lock_depth(void)
{
    return lock_depth;
}

static void *t_alloc(size_t n)
{
    live_allocs++;
    return malloc(n);
}

static void t_free(void *p)
{
    live_allocs--;
    free(p);
}

static void t_lock(void *c)
{
    (void)c;
    ck_assert_int_eq(lock_depth, 0); /* the namespace lock is never taken twice */
    lock_depth++;
}

static void t_unlock(void *c)
{
    (void)c;
    lock_depth--;
}

static uint64_t t_now(void)
{
    return 1000;
}

uint32_t fixture_ns;

static uint64_t t_now_ns(void)
{
    return 1000ull * 1000000000ull + fixture_ns;
}

void vfs_fixture_setup(void)
{
    live_allocs = 0;
    struct vfs_config cfg = { .alloc = t_alloc,
                              .free = t_free,
                              .lock = t_lock,
                              .unlock = t_unlock,
                              .now = t_now,
                              .now_ns = t_now_ns };
    fixture_ns = 0;
    ck_assert_int_eq(vfs_init(&cfg), 0);
    ck_assert_int_eq(vfs_register_fs(&ramfs_type), 0);
    ck_assert_int_eq(vfs_register_fs(&devfs_type), 0);
    ck_assert_int_eq(vfs_mount_root(&ctx, "ramfs", NULL), 0);
}

void vfs_fixture_teardown(void)
{
    vfs_ctx_release(&ctx);
    ck_assert_int_eq(vfs_umount_all(), 0);
    ck_assert_int_eq(lock_depth, 0);
    ck_assert_int_eq(live_allocs, 0); /* every vnode, file, node and mount freed */
}

int put_file(const char *path, const char *text)
{
    int fd = vfs_open(&ctx, path, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, 0644);
    if (fd < 0)
        return fd;
    long n = vfs_write(&ctx, fd, text, strlen(text));
    vfs_close(&ctx, fd);
    return n < 0 ? (int)n : 0;
}

const char *get_file(const char *path, int *err)
{
    static char buf[8192];
    *err = 0;
    buf[0] = '\0';
    int fd = vfs_open(&ctx, path, VFS_O_RDONLY, 0);
    if (fd < 0) {
        *err = fd;
        return buf;
    }
    long n = vfs_read(&ctx, fd, buf, sizeof(buf) - 1);
    vfs_close(&ctx, fd);
    if (n < 0) {
        *err = (int)n;
        n = 0;
    }
    buf[n] = '\0';
    return buf;
}

static struct vfs_time one_time(int64_t t)
{
    if (t == T_NOW)
        return (struct vfs_time){ .nsec = VFS_NSEC_NOW };
    if (t == T_OMIT)
        return (struct vfs_time){ .nsec = VFS_NSEC_OMIT };
    return (struct vfs_time){ .sec = t };
}

int utimes_s(const char *path, bool follow, int64_t atime, int64_t mtime)
{
    struct vfs_time t[2] = { one_time(atime), one_time(mtime) };
    return vfs_utimens(&ctx, path, follow, t);
}

int futimes_s(int fd, int64_t atime, int64_t mtime)
{
    struct vfs_time t[2] = { one_time(atime), one_time(mtime) };
    return vfs_futimens(&ctx, fd, t);
}
