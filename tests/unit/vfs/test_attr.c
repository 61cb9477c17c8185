/*
 * test_attr.c - chmod, chown, utimens and mknod through the VFS on ramfs
 * (vfs/vfs_attr.h), and opening special nodes: named FIFOs through a FIFO
 * provider (a small non-blocking pipe here, standing in for libproc's),
 * device nodes through devfs, sockets refused.
 */
#include "vfs_test.h"
#include <k/errno.h>
#include <stdlib.h>
#include <string.h>
#include <vfs/devfs.h>
#include <vfs/vfs_attr.h>

Suite *attr_suite(void);

static void setup(void)
{
    vfs_fixture_setup();
}

static void teardown(void)
{
    vfs_set_fifo_ops(NULL);
    vfs_fixture_teardown();
}

static struct vfs_stat st_of(const char *path, bool follow)
{
    struct vfs_stat st;
    ck_assert_int_eq(follow ? vfs_stat(&ctx, path, &st) : vfs_lstat(&ctx, path, &st), 0);
    return st;
}

START_TEST(test_new_nodes_have_owner_and_times)
{
    fixture_ns = 123456789;
    ck_assert_int_eq(put_file("/f", "x"), 0);
    struct vfs_stat st = st_of("/f", true);
    ck_assert_uint_eq(st.uid, 0);
    ck_assert_uint_eq(st.gid, 0);
    ck_assert_uint_eq(st.rdev, 0);
    ck_assert_int_eq(st.mtime.sec, 1000);
    ck_assert_uint_eq(st.mtime.nsec, 123456789);
    ck_assert_uint_eq(st.atime.nsec, 123456789);
    ck_assert_uint_eq(st.ctime.nsec, 123456789);
    fixture_ns = 5;
    ck_assert_int_eq(put_file("/f", "yy"), 0); /* write: mtime and ctime */
    st = st_of("/f", true);
    ck_assert_uint_eq(st.mtime.nsec, 5);
    ck_assert_uint_eq(st.ctime.nsec, 5);
    ck_assert_uint_eq(st.atime.nsec, 123456789); /* reads and writes leave atime */
    fixture_ns = 6;
    ck_assert_int_eq(vfs_link(&ctx, "/f", "/g"), 0); /* a link changes ctime only */
    st = st_of("/f", true);
    ck_assert_uint_eq(st.ctime.nsec, 6);
    ck_assert_uint_eq(st.mtime.nsec, 5);
    ck_assert_uint_eq(st_of("/", true).mtime.nsec, 6); /* the directory changed */
}
END_TEST

START_TEST(test_chmod)
{
    ck_assert_int_eq(put_file("/f", "x"), 0);
    fixture_ns = 77;
    ck_assert_int_eq(vfs_chmod(&ctx, "/f", true, 0170751), 0); /* type bits ignored */
    struct vfs_stat st = st_of("/f", true);
    ck_assert_uint_eq(st.mode, 0751);
    ck_assert_uint_eq(st.type, VFS_TYPE_FILE);
    ck_assert_uint_eq(st.ctime.nsec, 77);
    ck_assert_uint_eq(st.mtime.nsec, 0); /* contents untouched */
    ck_assert_int_eq(vfs_chmod(&ctx, "/f", true, 07777), 0);
    ck_assert_uint_eq(st_of("/f", true).mode, 07777);
    ck_assert_int_eq(vfs_symlink(&ctx, "f", "/l"), 0);
    ck_assert_int_eq(vfs_chmod(&ctx, "/l", true, 0600), 0); /* through the link */
    ck_assert_uint_eq(st_of("/f", true).mode, 0600);
    ck_assert_int_eq(vfs_chmod(&ctx, "/l", false, 0600), -ENOTSUP);
    ck_assert_uint_eq(st_of("/l", false).mode, 0777);
    ck_assert_int_eq(vfs_chmod(&ctx, "/nope", true, 0600), -ENOENT);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/d", 0755), 0);
    ck_assert_int_eq(vfs_chmod(&ctx, "/d", true, 01777), 0);
    ck_assert_uint_eq(st_of("/d", true).mode, 01777);
    int fd = vfs_open(&ctx, "/f", VFS_O_RDONLY, 0); /* fchmod needs no write access */
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_fchmod(&ctx, fd, 0444), 0);
    ck_assert_uint_eq(st_of("/f", true).mode, 0444);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(vfs_fchmod(&ctx, fd, 0444), -EBADF);
    ck_assert_int_eq(vfs_fchmod(&ctx, -1, 0444), -EBADF);
}
END_TEST

START_TEST(test_chown_and_set_id_bits)
{
    ck_assert_int_eq(put_file("/f", "x"), 0);
    ck_assert_int_eq(vfs_chown(&ctx, "/f", true, 1000, 100), 0);
    struct vfs_stat st = st_of("/f", true);
    ck_assert_uint_eq(st.uid, 1000);
    ck_assert_uint_eq(st.gid, 100);
    ck_assert_int_eq(vfs_chown(&ctx, "/f", true, VFS_ID_KEEP, 7), 0);
    st = st_of("/f", true);
    ck_assert_uint_eq(st.uid, 1000);
    ck_assert_uint_eq(st.gid, 7);
    ck_assert_int_eq(vfs_chown(&ctx, "/f", true, 8, VFS_ID_KEEP), 0);
    ck_assert_uint_eq(st_of("/f", true).gid, 7);
    /* Set-user-ID goes; set-group-ID only with group execute (else it is a
     * locking mark); both even when no id changes. */
    ck_assert_int_eq(vfs_chmod(&ctx, "/f", true, 06755), 0);
    fixture_ns = 9;
    ck_assert_int_eq(vfs_chown(&ctx, "/f", true, VFS_ID_KEEP, VFS_ID_KEEP), 0);
    st = st_of("/f", true);
    ck_assert_uint_eq(st.mode, 0755);
    ck_assert_uint_eq(st.ctime.nsec, 9);
    ck_assert_uint_eq(st.uid, 8);
    ck_assert_int_eq(vfs_chmod(&ctx, "/f", true, 06745), 0);
    ck_assert_int_eq(vfs_chown(&ctx, "/f", true, 1, 1), 0);
    ck_assert_uint_eq(st_of("/f", true).mode, 02745);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/d", 0755), 0); /* directories keep them */
    ck_assert_int_eq(vfs_chmod(&ctx, "/d", true, 06755), 0);
    ck_assert_int_eq(vfs_chown(&ctx, "/d", true, 1, 1), 0);
    ck_assert_uint_eq(st_of("/d", true).mode, 06755);
    /* lchown: the link itself. */
    ck_assert_int_eq(vfs_symlink(&ctx, "f", "/l"), 0);
    ck_assert_int_eq(vfs_chown(&ctx, "/l", false, 55, 66), 0);
    ck_assert_uint_eq(st_of("/l", false).uid, 55);
    ck_assert_uint_eq(st_of("/l", true).uid, 1);
    int fd = vfs_open(&ctx, "/f", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_fchown(&ctx, fd, 3, 4), 0);
    ck_assert_uint_eq(st_of("/f", true).gid, 4);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(vfs_fchown(&ctx, fd, 3, 4), -EBADF);
    ck_assert_int_eq(vfs_chown(&ctx, "/nope", true, 1, 1), -ENOENT);
}
END_TEST

static int utimens_ns(const char *path, int64_t as, uint32_t an, int64_t ms, uint32_t mn)
{
    struct vfs_time t[2] = { { as, an }, { ms, mn } };
    return vfs_utimens(&ctx, path, true, t);
}

START_TEST(test_utimens_nanoseconds)
{
    ck_assert_int_eq(put_file("/f", "x"), 0);
    fixture_ns = 11;
    ck_assert_int_eq(utimens_ns("/f", 5, 999999999, -3, 1), 0); /* before 1970 too */
    struct vfs_stat st = st_of("/f", true);
    ck_assert_int_eq(st.atime.sec, 5);
    ck_assert_uint_eq(st.atime.nsec, 999999999);
    ck_assert_int_eq(st.mtime.sec, -3);
    ck_assert_uint_eq(st.mtime.nsec, 1);
    ck_assert_uint_eq(st.ctime.nsec, 11);
    fixture_ns = 12;
    ck_assert_int_eq(utimens_ns("/f", 0, VFS_NSEC_OMIT, 0, VFS_NSEC_NOW), 0);
    st = st_of("/f", true);
    ck_assert_int_eq(st.atime.sec, 5);
    ck_assert_int_eq(st.mtime.sec, 1000);
    ck_assert_uint_eq(st.mtime.nsec, 12);
    fixture_ns = 13; /* both omitted: nothing changes, not even ctime */
    ck_assert_int_eq(utimens_ns("/f", 0, VFS_NSEC_OMIT, 0, VFS_NSEC_OMIT), 0);
    ck_assert_uint_eq(st_of("/f", true).ctime.nsec, 12);
    ck_assert_int_eq(utimens_ns("/f", 0, 1000000000, 0, 0), -EINVAL);
    ck_assert_int_eq(utimens_ns("/f", 0, 0, 0, VFS_NSEC_NOW + 1), -EINVAL);
    ck_assert_int_eq(utimens_ns("/nope", 0, 0, 0, 0), -ENOENT);
    int fd = vfs_open(&ctx, "/f", VFS_O_RDONLY, 0);
    struct vfs_time t[2] = { { 1, 2 }, { 3, 4 } };
    ck_assert_int_eq(vfs_futimens(&ctx, fd, t), 0);
    ck_assert_uint_eq(st_of("/f", true).mtime.nsec, 4);
    t[0].nsec = 2000000000u;
    ck_assert_int_eq(vfs_futimens(&ctx, fd, t), -EINVAL);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(vfs_futimens(&ctx, fd, t), -EINVAL); /* the times are checked first */
    t[0].nsec = 2;
    ck_assert_int_eq(vfs_futimens(&ctx, fd, t), -EBADF);
}
END_TEST

START_TEST(test_mknod)
{
    ck_assert_int_eq(vfs_mknod(&ctx, "/p", VFS_TYPE_FIFO, 0640, 99), 0);
    struct vfs_stat st = st_of("/p", true);
    ck_assert_uint_eq(st.type, VFS_TYPE_FIFO);
    ck_assert_uint_eq(st.mode, 0640);
    ck_assert_uint_eq(st.rdev, 0); /* only devices keep a number */
    ck_assert_int_eq(vfs_mknod(&ctx, "/null", VFS_TYPE_CHARDEV, 0666, VFS_MKDEV(1, 3)), 0);
    st = st_of("/null", true);
    ck_assert_uint_eq(st.type, VFS_TYPE_CHARDEV);
    ck_assert_uint_eq(VFS_MAJOR(st.rdev), 1);
    ck_assert_uint_eq(VFS_MINOR(st.rdev), 3);
    ck_assert_int_eq(vfs_mknod(&ctx, "/b", VFS_TYPE_BLOCKDEV, 0600, VFS_MKDEV(4096, 300000)), 0);
    st = st_of("/b", true);
    ck_assert_uint_eq(VFS_MAJOR(st.rdev), 4096); /* both halves of Linux's encoding */
    ck_assert_uint_eq(VFS_MINOR(st.rdev), 300000);
    ck_assert_int_eq(vfs_mknod(&ctx, "/s", VFS_TYPE_SOCKET, 0755, 0), 0);
    ck_assert_uint_eq(st_of("/s", true).type, VFS_TYPE_SOCKET);
    ck_assert_int_eq(vfs_mknod(&ctx, "/r", VFS_TYPE_FILE, 0600, 0), 0);
    st = st_of("/r", true);
    ck_assert_uint_eq(st.type, VFS_TYPE_FILE);
    ck_assert_uint_eq(st.size, 0);
    ck_assert_int_eq(vfs_mknod(&ctx, "/p", VFS_TYPE_FIFO, 0640, 0), -EEXIST);
    ck_assert_int_eq(vfs_mknod(&ctx, "/r", VFS_TYPE_FILE, 0640, 0), -EEXIST);
    ck_assert_int_eq(vfs_mknod(&ctx, "/x", VFS_TYPE_DIR, 0640, 0), -EINVAL);
    ck_assert_int_eq(vfs_mknod(&ctx, "/x", 99, 0640, 0), -EINVAL);
    ck_assert_int_eq(vfs_mknod(&ctx, "/no/x", VFS_TYPE_FIFO, 0640, 0), -ENOENT);
    ck_assert_int_eq(vfs_mknod(&ctx, "/", VFS_TYPE_FIFO, 0640, 0), -EEXIST);
    /* Attributes of special nodes change like any other's. */
    ck_assert_int_eq(vfs_chmod(&ctx, "/p", true, 0600), 0);
    ck_assert_int_eq(vfs_chown(&ctx, "/null", true, 5, 5), 0);
    ck_assert_uint_eq(st_of("/p", true).mode, 0600);
    ck_assert_uint_eq(st_of("/null", true).uid, 5);
    /* readdir reports their types; unlink removes them. */
    int fd = vfs_open(&ctx, "/", VFS_O_RDONLY, 0);
    struct vfs_dirent de;
    int seen = 0;
    while (vfs_readdir(&ctx, fd, &de) == 1)
        if (strcmp(de.name, "s") == 0 && de.type == VFS_TYPE_SOCKET)
            seen++;
    ck_assert_int_eq(seen, 1);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(vfs_unlink(&ctx, "/p"), 0);
    ck_assert_int_eq(vfs_unlink(&ctx, "/s"), 0);
}
END_TEST

START_TEST(test_devfs_numbers)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/dev", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/dev", "devfs", NULL), 0);
    static const struct {
        const char *path;
        uint32_t major, minor;
    } want[] = { { "/dev/null", 1, 3 },    { "/dev/zero", 1, 5 }, { "/dev/random", 1, 8 },
                 { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },  { "/dev/console", 5, 1 } };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct vfs_stat st = st_of(want[i].path, true);
        ck_assert_uint_eq(VFS_MAJOR(st.rdev), want[i].major);
        ck_assert_uint_eq(VFS_MINOR(st.rdev), want[i].minor);
    }
    ck_assert_uint_eq(st_of("/dev", true).rdev, 0);
}
END_TEST

START_TEST(test_device_nodes_open_devfs)
{
    ck_assert_int_eq(vfs_mknod(&ctx, "/z", VFS_TYPE_CHARDEV, 0666, VFS_MKDEV(1, 5)), 0);
    ck_assert_int_eq(vfs_open(&ctx, "/z", VFS_O_RDONLY, 0), -ENXIO); /* no devfs yet */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/dev", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/dev", "devfs", NULL), 0);
    int fd = vfs_open(&ctx, "/z", VFS_O_RDWR, 0);
    ck_assert_int_ge(fd, 0);
    char buf[4] = "abc";
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, 4), 4); /* /dev/zero's bytes */
    ck_assert_int_eq(buf[0] | buf[1] | buf[2] | buf[3], 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "xy", 2), 2);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0); /* the node, not devfs's */
    ck_assert_uint_eq(st.dev, st_of("/", true).dev);
    ck_assert_uint_eq(st.type, VFS_TYPE_CHARDEV);
    ck_assert_int_eq(vfs_fchmod(&ctx, fd, 0600), 0);
    ck_assert_uint_eq(st_of("/z", true).mode, 0600);
    ck_assert_int_eq(vfs_umount(&ctx, "/dev"), -EBUSY); /* devfs is in use */
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(vfs_mknod(&ctx, "/bad", VFS_TYPE_CHARDEV, 0666, VFS_MKDEV(99, 99)), 0);
    ck_assert_int_eq(vfs_open(&ctx, "/bad", VFS_O_RDONLY, 0), -ENXIO);
    ck_assert_int_eq(vfs_mknod(&ctx, "/bb", VFS_TYPE_BLOCKDEV, 0666, VFS_MKDEV(1, 5)), 0);
    ck_assert_int_eq(vfs_open(&ctx, "/bb", VFS_O_RDONLY, 0), -ENXIO); /* not a block device */
    ck_assert_int_eq(vfs_mknod(&ctx, "/bd", VFS_TYPE_BLOCKDEV, 0666, VFS_MKDEV(254, 7)), 0);
    ck_assert_int_eq(vfs_open(&ctx, "/bd", VFS_O_RDONLY, 0), -ENXIO); /* no such disk */
    ck_assert_int_eq(vfs_mknod(&ctx, "/s", VFS_TYPE_SOCKET, 0666, 0), 0);
    ck_assert_int_eq(vfs_open(&ctx, "/s", VFS_O_RDONLY, 0), -ENXIO);
    /* A nodev mount makes device nodes inert. */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/m", 0755), 0);
    struct vfs_mount_options o = { .flags = VFS_MNT_NODEV };
    ck_assert_int_eq(vfs_mount_opts(&ctx, "/m", "ramfs", NULL, &o), 0);
    ck_assert_int_eq(vfs_mknod(&ctx, "/m/z", VFS_TYPE_CHARDEV, 0666, VFS_MKDEV(1, 5)), 0);
    ck_assert_int_eq(vfs_open(&ctx, "/m/z", VFS_O_RDONLY, 0), -EACCES);
}
END_TEST

/* ---- a FIFO provider: a one-buffer pipe that never blocks ---- */

struct tpipe {
    char buf[64];
    size_t len;
    int readers, writers;
};

static int pipes_live, waits, wait_result;

#define T_READ  ((void *)1)
#define T_WRITE ((void *)2)
#define T_BOTH  ((void *)3)

static int tp_open(struct vnode *vn, int flags, void **handle)
{
    struct tpipe *p = vn->priv;
    int acc = flags & VFS_O_ACCMODE;
    if (acc == VFS_O_WRONLY && (flags & VFS_O_NONBLOCK) && !p->readers)
        return -ENXIO;
    p->readers += acc != VFS_O_WRONLY;
    p->writers += acc != VFS_O_RDONLY;
    *handle = acc == VFS_O_RDONLY ? T_READ : acc == VFS_O_WRONLY ? T_WRITE : T_BOTH;
    return 0;
}

static int tp_close(struct vnode *vn, void *handle)
{
    struct tpipe *p = vn->priv;
    p->readers -= handle != T_WRITE;
    p->writers -= handle != T_READ;
    return 0;
}

static long tp_read(struct vnode *vn, void *handle, uint64_t off, void *buf, size_t n)
{
    (void)handle;
    (void)off;
    struct tpipe *p = vn->priv;
    size_t k = n < p->len ? n : p->len;
    memcpy(buf, p->buf, k);
    memmove(p->buf, p->buf + k, p->len - k);
    p->len -= k;
    return (long)k;
}

static long tp_write(struct vnode *vn, void *handle, uint64_t off, const void *buf, size_t n)
{
    (void)handle;
    (void)off;
    struct tpipe *p = vn->priv;
    if (n > sizeof(p->buf) - p->len)
        n = sizeof(p->buf) - p->len;
    memcpy(p->buf + p->len, buf, n);
    p->len += n;
    return (long)n;
}

static void tp_release(struct vnode *vn)
{
    free(vn->priv);
    pipes_live--;
}

static const struct vnode_ops tp_ops = {
    .open = tp_open,
    .close = tp_close,
    .read = tp_read,
    .write = tp_write,
    .release = tp_release,
    .stream = true,
};

static int tp_create(struct vnode **out)
{
    ck_assert_int_eq(vfs_fixture_lock_depth(), 1); /* with the lock held */
    struct tpipe *p = calloc(1, sizeof(*p));
    *out = vnode_new(vfs_anon_mount(), &tp_ops, VFS_TYPE_FIFO, 1, p);
    pipes_live++;
    return 0;
}

static int tp_wait(struct vnode *pipe, void *handle, int flags)
{
    (void)pipe;
    (void)handle;
    (void)flags;
    ck_assert_int_eq(vfs_fixture_lock_depth(), 0); /* never with the lock */
    waits++;
    return wait_result;
}

static const struct vfs_fifo_ops tp_fifo = { .create = tp_create, .wait = tp_wait };

START_TEST(test_fifo_shares_one_pipe)
{
    pipes_live = waits = wait_result = 0;
    ck_assert_int_eq(vfs_mknod(&ctx, "/p", VFS_TYPE_FIFO, 0644, 0), 0);
    ck_assert_int_eq(vfs_open(&ctx, "/p", VFS_O_RDONLY, 0), -ENXIO); /* no provider */
    vfs_set_fifo_ops(&tp_fifo);
    int r = vfs_open(&ctx, "/p", VFS_O_RDONLY, 0);
    ck_assert_int_ge(r, 0);
    int w = vfs_open(&ctx, "/p", VFS_O_WRONLY | VFS_O_TRUNC, 0); /* TRUNC means nothing */
    ck_assert_int_ge(w, 0);
    ck_assert_int_eq(pipes_live, 1);
    ck_assert_int_eq(waits, 2);
    ck_assert_int_eq(vfs_write(&ctx, w, "hello", 5), 5);
    char buf[8];
    ck_assert_int_eq(vfs_read(&ctx, r, buf, sizeof(buf)), 5);
    ck_assert_mem_eq(buf, "hello", 5);
    ck_assert_int_eq(vfs_lseek(&ctx, r, 0, VFS_SEEK_SET), -ESPIPE);
    ck_assert_int_eq(vfs_pwrite(&ctx, w, "x", 1, 0), -ESPIPE);
    struct vfs_stat st, nst;
    ck_assert_int_eq(vfs_fstat(&ctx, r, &st), 0); /* the node's attributes */
    nst = st_of("/p", true);
    ck_assert_uint_eq(st.ino, nst.ino);
    ck_assert_uint_eq(st.dev, nst.dev);
    ck_assert_uint_eq(st.mode, 0644);
    struct vfs_time t[2] = { { 1, 1 }, { 2, 2 } };
    ck_assert_int_eq(vfs_futimens(&ctx, w, t), 0);
    ck_assert_int_eq(st_of("/p", true).mtime.sec, 2);
    ck_assert_int_eq(vfs_fchown(&ctx, w, 9, 9), 0);
    ck_assert_uint_eq(st_of("/p", true).uid, 9);
    struct vfs_statfs sf;
    ck_assert_int_eq(vfs_fstatfs(&ctx, r, &sf), 0);
    ck_assert_uint_eq(sf.mount_id, nst.dev);
    ck_assert_int_eq(vfs_syncfs(&ctx, r), 0);
    /* The data stays in the pipe while any file has it open, and goes with
     * the last one: a new open starts empty. */
    ck_assert_int_eq(vfs_write(&ctx, w, "left", 4), 4);
    int d = vfs_dup(&ctx, w);
    ck_assert_int_eq(vfs_close(&ctx, w), 0);
    ck_assert_int_eq(vfs_close(&ctx, r), 0);
    ck_assert_int_eq(pipes_live, 1);
    ck_assert_int_eq(vfs_close(&ctx, d), 0);
    ck_assert_int_eq(pipes_live, 0);
    r = vfs_open(&ctx, "/p", VFS_O_RDWR, 0);
    ck_assert_int_ge(r, 0);
    ck_assert_int_eq(vfs_read(&ctx, r, buf, sizeof(buf)), 0);
    /* Unlinked while open: still works, and goes with its last file. */
    ck_assert_int_eq(vfs_unlink(&ctx, "/p"), 0);
    ck_assert_int_eq(vfs_write(&ctx, r, "z", 1), 1);
    ck_assert_int_eq(vfs_read(&ctx, r, buf, 1), 1);
    ck_assert_int_eq(vfs_close(&ctx, r), 0);
    ck_assert_int_eq(pipes_live, 0);
}
END_TEST

START_TEST(test_fifo_open_errors)
{
    pipes_live = waits = wait_result = 0;
    vfs_set_fifo_ops(&tp_fifo);
    ck_assert_int_eq(vfs_mknod(&ctx, "/p", VFS_TYPE_FIFO, 0644, 0), 0);
    /* A writer that would not wait, with nobody reading: -ENXIO, nothing kept. */
    ck_assert_int_eq(vfs_open(&ctx, "/p", VFS_O_WRONLY | VFS_O_NONBLOCK, 0), -ENXIO);
    ck_assert_int_eq(pipes_live, 0);
    /* An interrupted wait gives the descriptor back. */
    wait_result = -EINTR;
    ck_assert_int_eq(vfs_open(&ctx, "/p", VFS_O_RDONLY, 0), -EINTR);
    ck_assert_int_eq(pipes_live, 0);
    for (int fd = 0; fd < VFS_FD_MAX; fd++)
        ck_assert_ptr_null(ctx.fds[fd]);
    wait_result = 0;
    ck_assert_int_eq(vfs_open(&ctx, "/p", VFS_O_RDONLY | VFS_O_DIRECTORY, 0), -ENOTDIR);
    ck_assert_int_eq(pipes_live, 0);
    /* Read-only mount: a FIFO still opens for writing (no data lands there). */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/m", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/m", "ramfs", NULL), 0);
    ck_assert_int_eq(vfs_mknod(&ctx, "/m/q", VFS_TYPE_FIFO, 0644, 0), 0);
    ck_assert_int_eq(vfs_remount(&ctx, "/m", VFS_MNT_RDONLY), 0);
    int fd = vfs_open(&ctx, "/m/q", VFS_O_RDWR, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_umount(&ctx, "/m"), -EBUSY); /* the node's mount is in use */
    ck_assert_int_eq(vfs_fchmod(&ctx, fd, 0600), -EROFS);
    ck_assert_int_eq(vfs_chmod(&ctx, "/m/q", true, 0600), -EROFS);
    ck_assert_int_eq(vfs_chown(&ctx, "/m/q", true, 1, 1), -EROFS);
    ck_assert_int_eq(vfs_mknod(&ctx, "/m/r", VFS_TYPE_FIFO, 0644, 0), -EROFS);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(vfs_umount(&ctx, "/m"), 0);
}
END_TEST

/* A file system without setattr or mknod (devfs): -EPERM. */
START_TEST(test_no_setattr_is_eperm)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/dev", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/dev", "devfs", NULL), 0);
    ck_assert_int_eq(vfs_chmod(&ctx, "/dev/null", true, 0600), -EPERM);
    ck_assert_int_eq(vfs_chown(&ctx, "/dev/null", true, 1, 1), -EPERM);
    ck_assert_int_eq(utimes_s("/dev/null", true, T_NOW, T_NOW), -EPERM);
    ck_assert_int_eq(vfs_mknod(&ctx, "/dev/p", VFS_TYPE_FIFO, 0600, 0), -EPERM);
    ck_assert_int_eq(vfs_mknod(&ctx, "/dev/f", VFS_TYPE_FILE, 0600, 0), -EPERM);
}
END_TEST

Suite *attr_suite(void)
{
    Suite *s = suite_create("attr");
    TCase *tc = tcase_create("attr");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_new_nodes_have_owner_and_times);
    tcase_add_test(tc, test_chmod);
    tcase_add_test(tc, test_chown_and_set_id_bits);
    tcase_add_test(tc, test_utimens_nanoseconds);
    tcase_add_test(tc, test_mknod);
    tcase_add_test(tc, test_devfs_numbers);
    tcase_add_test(tc, test_device_nodes_open_devfs);
    tcase_add_test(tc, test_fifo_shares_one_pipe);
    tcase_add_test(tc, test_fifo_open_errors);
    tcase_add_test(tc, test_no_setattr_is_eperm);
    suite_add_tcase(s, tc);
    return s;
}
