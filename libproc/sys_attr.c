/*
 * sys_attr.c - system calls that change attributes or make nodes: chmod,
 * fchmod, fchmodat, fchmodat2, chown, fchown, lchown, fchownat, mknod,
 * mknodat, and the times (utime, utimes, futimesat, utimensat), with Linux
 * x86-64's numbers, arguments and errors (syscall.c has the table).
 *
 * Credentials: every process is root (uid 0, gid 0; getuid(2)), so no
 * ownership test fails; the rules that bind root too (the set-ID bits dropped
 * by chown, ctime, read-only mounts) are the VFS's (vfs/vfs_attr.h).
 *
 * Modes: chmod keeps the 07777 bits and ignores the rest, as Linux does;
 * mknod takes its file type from S_IFMT (0 or S_IFREG: a regular file; a
 * directory is -EPERM; anything else -EINVAL) and the umask applies to it.
 * A device number is Linux's 32-bit encoding, the same as VFS_MKDEV's for
 * every number that fits in it.
 */
#include "sys_priv.h"

#include <k/errno.h>
#include <mm/heap.h>
#include <string.h>
#include <vfs/vfs_attr.h>

#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000

/* What to do to one file, by (dirfd, path) or by descriptor. */
enum attr_op { OP_CHMOD, OP_CHOWN, OP_TIMES };

struct attr_args {
    enum attr_op op;
    uint32_t mode, uid, gid;
    struct vfs_time t[2];
};

static int on_fd(struct proc *p, int fd, const struct attr_args *a)
{
    switch (a->op) {
    case OP_CHMOD:
        return vfs_fchmod(&p->files, fd, a->mode);
    case OP_CHOWN:
        return vfs_fchown(&p->files, fd, a->uid, a->gid);
    default:
        return vfs_futimens(&p->files, fd, a->t);
    }
}

static int on_path(struct vfs_ctx *ctx, const char *path, bool follow, const struct attr_args *a)
{
    switch (a->op) {
    case OP_CHMOD:
        return vfs_chmod(ctx, path, follow, a->mode);
    case OP_CHOWN:
        return vfs_chown(ctx, path, follow, a->uid, a->gid);
    default:
        return vfs_utimens(ctx, path, follow, a->t);
    }
}

/* Apply @a to (dirfd, path): a final symlink itself with AT_SYMLINK_NOFOLLOW;
 * with AT_EMPTY_PATH and an empty path, descriptor @dirfd itself (AT_FDCWD:
 * the working directory). @flags are checked by the caller. */
static int64_t attr_at(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t flags,
                       const struct attr_args *a)
{
    PATHBUF(path);
    long n = uvm_strncpy_in(&p->vm, path, upath, VFS_PATH_MAX);
    int64_t r = n < 0 ? n : 0;
    if (!r && n == 0) {
        if (!(flags & AT_EMPTY_PATH))
            r = -ENOENT;
        else if ((int)dirfd == AT_FDCWD)
            r = on_path(&p->files, ".", true, a);
        else
            r = on_fd(p, (int)dirfd, a);
    } else if (!r) {
        struct vfs_ctx *at;
        r = vfs_at_begin(&p->files, (int)dirfd, path, &at);
        if (!r) {
            r = on_path(at, path, !(flags & AT_SYMLINK_NOFOLLOW), a);
            vfs_at_end(&p->files, at);
        }
    }
    kfree(path);
    return r;
}

/* ---- chmod ---- */

int64_t proc_sys_fchmodat2(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t mode,
                           uint64_t flags, uint64_t a4, uint64_t a5)
{
    if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct attr_args a = { .op = OP_CHMOD, .mode = (uint32_t)mode & 07777 };
    return attr_at(p, (int64_t)dirfd, upath, flags, &a);
}

int64_t proc_sys_fchmodat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t mode,
                          uint64_t a3, uint64_t a4, uint64_t a5)
{
    return proc_sys_fchmodat2(p, dirfd, upath, mode, 0, 0, 0); /* no flags argument */
}

int64_t proc_sys_chmod(struct proc *p, uint64_t upath, uint64_t mode, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return proc_sys_fchmodat2(p, (uint64_t)AT_FDCWD, upath, mode, 0, 0, 0);
}

int64_t proc_sys_fchmod(struct proc *p, uint64_t fd, uint64_t mode, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return vfs_fchmod(&p->files, (int)fd, (uint32_t)mode & 07777);
}

/* ---- chown ---- */

int64_t proc_sys_fchownat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t uid,
                          uint64_t gid, uint64_t flags, uint64_t a5)
{
    if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct attr_args a = { .op = OP_CHOWN, .uid = (uint32_t)uid, .gid = (uint32_t)gid };
    return attr_at(p, (int64_t)dirfd, upath, flags, &a);
}

int64_t proc_sys_chown(struct proc *p, uint64_t upath, uint64_t uid, uint64_t gid, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return proc_sys_fchownat(p, (uint64_t)AT_FDCWD, upath, uid, gid, 0, 0);
}

int64_t proc_sys_lchown(struct proc *p, uint64_t upath, uint64_t uid, uint64_t gid, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return proc_sys_fchownat(p, (uint64_t)AT_FDCWD, upath, uid, gid, AT_SYMLINK_NOFOLLOW, 0);
}

int64_t proc_sys_fchown(struct proc *p, uint64_t fd, uint64_t uid, uint64_t gid, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return vfs_fchown(&p->files, (int)fd, (uint32_t)uid, (uint32_t)gid);
}

/* ---- mknod ---- */

int64_t proc_sys_mknodat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t mode,
                         uint64_t dev, uint64_t a4, uint64_t a5)
{
    uint32_t type;
    switch ((uint32_t)mode & S_IFMT) {
    case 0:
    case S_IFREG:
        type = VFS_TYPE_FILE;
        break;
    case S_IFIFO:
        type = VFS_TYPE_FIFO;
        break;
    case S_IFCHR:
        type = VFS_TYPE_CHARDEV;
        break;
    case S_IFBLK:
        type = VFS_TYPE_BLOCKDEV;
        break;
    case S_IFSOCK:
        type = VFS_TYPE_SOCKET;
        break;
    case S_IFDIR:
        return -EPERM; /* mkdir(2) makes directories */
    default:
        return -EINVAL;
    }
    PATHBUF(path);
    struct vfs_ctx *at;
    int64_t r = proc_at_path(p, (int64_t)dirfd, upath, path, &at);
    if (!r) {
        r = vfs_mknod(at, path, type, (uint32_t)mode & ~p->umask & 07777, (uint32_t)dev);
        vfs_at_end(&p->files, at);
    }
    kfree(path);
    return r;
}

int64_t proc_sys_mknod(struct proc *p, uint64_t upath, uint64_t mode, uint64_t dev, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return proc_sys_mknodat(p, (uint64_t)AT_FDCWD, upath, mode, dev, 0, 0);
}

/* ---- file times ---- */

#define UTIME_NOW  ((1l << 30) - 1l) /* tv_nsec: the current time */
#define UTIME_OMIT ((1l << 30) - 2l) /* tv_nsec: leave this time alone */
_Static_assert(UTIME_NOW == VFS_NSEC_NOW && UTIME_OMIT == VFS_NSEC_OMIT,
               "the markers pass straight to the VFS");

/* Set the times of (dirfd, path), or of descriptor @p dirfd itself when the
 * path is NULL (utimensat's form of futimens) or empty with AT_EMPTY_PATH. */
static int64_t set_times(struct proc *p, int64_t dirfd, uint64_t upath, const struct vfs_time t[2],
                         uint64_t flags)
{
    struct attr_args a = { .op = OP_TIMES, .t = { t[0], t[1] } };
    if (upath == 0 && flags)
        return -EINVAL; /* Linux: no flags on the descriptor form */
    if (upath == 0)
        return (int)dirfd == AT_FDCWD ? -EFAULT : on_fd(p, (int)dirfd, &a);
    return attr_at(p, dirfd, upath, flags, &a);
}

/* Two times from user space, as struct timespec (@p usec false) or struct
 * timeval pairs. A NULL pointer means "now" for both. */
static int64_t user_times(struct proc *p, uint64_t utimes, bool usec, struct vfs_time t[2])
{
    t[0] = t[1] = (struct vfs_time){ .nsec = VFS_NSEC_NOW };
    if (!utimes)
        return 0;
    int64_t v[4];
    if (uvm_copy_in(&p->vm, v, utimes, sizeof(v)))
        return -EFAULT;
    for (int i = 0; i < 2; i++) {
        int64_t sec = v[2 * i], frac = v[2 * i + 1];
        if (!usec && (frac == UTIME_NOW || frac == UTIME_OMIT))
            t[i].nsec = (uint32_t)frac;
        else if (frac < 0 || frac >= (usec ? 1000000 : 1000000000))
            return -EINVAL;
        else
            t[i] = (struct vfs_time){ .sec = sec, .nsec = (uint32_t)(usec ? frac * 1000 : frac) };
    }
    return 0;
}

int64_t proc_sys_utimensat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t utimes,
                           uint64_t flags, uint64_t a4, uint64_t a5)
{
    if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct vfs_time t[2];
    int64_t r = user_times(p, utimes, false, t);
    return r ? r : set_times(p, (int64_t)dirfd, upath, t, flags);
}

int64_t proc_sys_futimesat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t utimes,
                           uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vfs_time t[2];
    int64_t r = user_times(p, utimes, true, t);
    return r ? r : set_times(p, (int64_t)dirfd, upath, t, 0);
}

/* A NULL path where only a path will do: 1 is never a readable user address,
 * so the copy fails with -EFAULT as Linux does. */
#define NONNULL(u) ((u) ? (u) : 1)

int64_t proc_sys_utimes(struct proc *p, uint64_t upath, uint64_t utimes, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return proc_sys_futimesat(p, (uint64_t)AT_FDCWD, NONNULL(upath), utimes, 0, 0, 0);
}

int64_t proc_sys_utime(struct proc *p, uint64_t upath, uint64_t ubuf, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    struct vfs_time t[2] = { { .nsec = VFS_NSEC_NOW }, { .nsec = VFS_NSEC_NOW } };
    if (ubuf) {
        int64_t v[2]; /* struct utimbuf: actime, modtime */
        if (uvm_copy_in(&p->vm, v, ubuf, sizeof(v)))
            return -EFAULT;
        t[0] = (struct vfs_time){ .sec = v[0] };
        t[1] = (struct vfs_time){ .sec = v[1] };
    }
    return set_times(p, AT_FDCWD, NONNULL(upath), t, 0);
}
