/*
 * sys_names.c - system calls on names: stat and access, mkdir, rmdir, unlink,
 * rename, link, symlink, readlink, chdir, getcwd, getdents64, truncate and
 * umask, with the *at forms; and the helpers for user paths and struct stat
 * that the other sys_*.c files share (syscall.c has the table; sys_attr.c
 * the calls that change attributes: chmod, chown, utimensat, mknod).
 */
#include "sys_priv.h"

#include <arch/cpu.h>
#include <k/errno.h>
#include <mm/heap.h>
#include <string.h>

int proc_user_path(struct proc *p, uint64_t u, char *out)
{
    long n = uvm_strncpy_in(&p->vm, out, u, VFS_PATH_MAX);
    if (n < 0)
        return (int)n;
    return n == 0 ? -ENOENT : 0;
}

/* Copy in the path of an *at call and pick the context it resolves in
 * (vfs_at_begin): the process's own for absolute paths and AT_FDCWD, else a
 * temporary one whose working directory is directory descriptor @dirfd
 * (-EBADF, -ENOTDIR). On success, give *@at back with vfs_at_end(). */
int proc_at_path(struct proc *p, int64_t dirfd, uint64_t upath, char *out, struct vfs_ctx **at)
{
    int err = proc_user_path(p, upath, out);
    return err ? err : vfs_at_begin(&p->files, (int)dirfd, out, at);
}

struct linux_stat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    int64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
    int64_t unused[3];
};

static uint32_t type_bits(uint32_t type)
{
    switch (type) {
    case VFS_TYPE_DIR:
        return 0040000;
    case VFS_TYPE_SYMLINK:
        return 0120000;
    case VFS_TYPE_CHARDEV:
        return 0020000;
    case VFS_TYPE_BLOCKDEV:
        return 0060000;
    case VFS_TYPE_FIFO:
        return 0010000;
    case VFS_TYPE_SOCKET:
        return 0140000;
    default:
        return 0100000;
    }
}

int proc_put_stat(struct proc *p, uint64_t ubuf, const struct vfs_stat *st)
{
    struct linux_stat ls = { 0 };
    ls.dev = st->dev;
    ls.ino = st->ino;
    ls.nlink = st->nlink;
    ls.mode = type_bits(st->type) | (st->mode & 07777);
    ls.uid = st->uid;
    ls.gid = st->gid;
    ls.rdev = st->rdev;
    ls.size = (int64_t)st->size;
    ls.blksize = st->blksize ? st->blksize : 4096;
    ls.blocks = (int64_t)st->blocks;
    ls.atime = st->atime.sec;
    ls.atime_ns = st->atime.nsec;
    ls.mtime = st->mtime.sec;
    ls.mtime_ns = st->mtime.nsec;
    ls.ctime = st->ctime.sec;
    ls.ctime_ns = st->ctime.nsec;
    return uvm_copy_out(&p->vm, ubuf, &ls, sizeof(ls));
}

int64_t proc_sys_fstat(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    struct vfs_stat st;
    int r = vfs_fstat(&p->files, (int)fd, &st);
    return r ? r : proc_put_stat(p, ubuf, &st);
}

/* Attributes for newfstatat and faccessat2: of (dirfd, path), of a final
 * symlink itself with AT_SYMLINK_NOFOLLOW, or with AT_EMPTY_PATH and an empty
 * path of the descriptor itself, whatever it is (AT_FDCWD: the working
 * directory). */
static int64_t at_stat(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t flags,
                       struct vfs_stat *st)
{
    PATHBUF(path);
    long n = uvm_strncpy_in(&p->vm, path, upath, VFS_PATH_MAX);
    int64_t r = n < 0 ? n : 0;
    if (!r && n == 0) {
        if (!(flags & AT_EMPTY_PATH))
            r = -ENOENT;
        else if ((int)dirfd == AT_FDCWD)
            r = vfs_stat(&p->files, ".", st);
        else
            r = vfs_fstat(&p->files, (int)dirfd, st);
    } else if (!r) {
        struct vfs_ctx *at;
        r = vfs_at_begin(&p->files, (int)dirfd, path, &at);
        if (!r) {
            r = (flags & AT_SYMLINK_NOFOLLOW) ? vfs_lstat(at, path, st) : vfs_stat(at, path, st);
            vfs_at_end(&p->files, at);
        }
    }
    kfree(path);
    return r;
}

int64_t proc_sys_newfstatat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t ubuf,
                            uint64_t flags, uint64_t a4, uint64_t a5)
{
    if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct vfs_stat st;
    int64_t r = at_stat(p, (int64_t)dirfd, upath, flags, &st);
    return r ? r : proc_put_stat(p, ubuf, &st);
}

int64_t proc_sys_stat(struct proc *p, uint64_t upath, uint64_t ubuf, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    return proc_sys_newfstatat(p, (uint64_t)AT_FDCWD, upath, ubuf, 0, 0, 0);
}

int64_t proc_sys_lstat(struct proc *p, uint64_t upath, uint64_t ubuf, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return proc_sys_newfstatat(p, (uint64_t)AT_FDCWD, upath, ubuf, AT_SYMLINK_NOFOLLOW, 0, 0);
}

int64_t proc_sys_faccessat2(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t mode,
                            uint64_t flags, uint64_t a4, uint64_t a5)
{
    if ((mode & ~7ull) || (flags & ~(uint64_t)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
        return -EINVAL;
    struct vfs_stat st;
    return at_stat(p, (int64_t)dirfd, upath, flags, &st); /* one user, root: existence decides */
}

int64_t proc_sys_faccessat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t mode,
                           uint64_t a3, uint64_t a4, uint64_t a5)
{
    return proc_sys_faccessat2(p, dirfd, upath, mode, 0, 0, 0);
}

int64_t proc_sys_access(struct proc *p, uint64_t upath, uint64_t mode, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return proc_sys_faccessat2(p, (uint64_t)AT_FDCWD, upath, mode, 0, 0, 0);
}

enum path_op { OP_TRUNCATE, OP_CHDIR, OP_MKDIR, OP_RMDIR, OP_UNLINK };

static int64_t path_call(struct proc *p, int64_t dirfd, uint64_t upath, enum path_op op,
                         uint64_t arg)
{
    PATHBUF(path);
    struct vfs_ctx *at;
    int64_t r = proc_at_path(p, dirfd, upath, path, &at);
    if (!r) {
        switch (op) {
        case OP_TRUNCATE:
            r = (int64_t)arg < 0 ? -EINVAL : vfs_truncate(at, path, arg);
            break;
        case OP_CHDIR:
            r = vfs_chdir(at, path); /* only with AT_FDCWD: at is the process's own */
            break;
        case OP_MKDIR:
            r = vfs_mkdir(at, path, (uint32_t)arg & ~p->umask & 07777);
            break;
        case OP_RMDIR:
            r = vfs_rmdir(at, path);
            break;
        case OP_UNLINK:
            r = vfs_unlink(at, path);
            break;
        }
        vfs_at_end(&p->files, at);
    }
    kfree(path);
    return r;
}

int64_t proc_sys_truncate(struct proc *p, uint64_t u, uint64_t len, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_TRUNCATE, len);
}

int64_t proc_sys_chdir(struct proc *p, uint64_t u, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_CHDIR, 0);
}

int64_t proc_sys_fchdir(struct proc *p, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return vfs_fchdir(&p->files, (int)fd);
}

int64_t proc_sys_mkdir(struct proc *p, uint64_t u, uint64_t mode, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_MKDIR, mode);
}

int64_t proc_sys_mkdirat(struct proc *p, uint64_t dirfd, uint64_t u, uint64_t mode, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return path_call(p, (int64_t)dirfd, u, OP_MKDIR, mode);
}

int64_t proc_sys_rmdir(struct proc *p, uint64_t u, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_RMDIR, 0);
}

int64_t proc_sys_unlink(struct proc *p, uint64_t u, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_UNLINK, 0);
}

int64_t proc_sys_unlinkat(struct proc *p, uint64_t dirfd, uint64_t u, uint64_t flags, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    if (flags & ~(uint64_t)AT_REMOVEDIR)
        return -EINVAL;
    return path_call(p, (int64_t)dirfd, u, (flags & AT_REMOVEDIR) ? OP_RMDIR : OP_UNLINK, 0);
}

/* Two path arguments, each with its own base: renameat2, linkat, symlinkat
 * (whose first path is the link's contents, never resolved: d1 unused).
 * @flags are checked by the caller. */
enum path2_op { OP_RENAME, OP_LINK, OP_SYMLINK };

static int64_t path2_call(struct proc *p, int64_t d1, uint64_t u1, int64_t d2, uint64_t u2,
                          enum path2_op op, uint64_t flags)
{
    char *a = kmalloc(VFS_PATH_MAX), *b = kmalloc(VFS_PATH_MAX);
    int64_t r = (a && b) ? 0 : -ENOMEM;
    if (!r)
        r = proc_user_path(p, u1, a);
    if (!r)
        r = proc_user_path(p, u2, b);
    struct vfs_ctx *at;
    if (!r) {
        switch (op) {
        case OP_RENAME:
            r = vfs_renameat(&p->files, (int)d1, a, (int)d2, b,
                             (flags & RENAME_NOREPLACE) ? VFS_RENAME_NOREPLACE : 0);
            break;
        case OP_LINK:
            r = vfs_linkat(&p->files, (int)d1, a, (int)d2, b, (flags & AT_SYMLINK_FOLLOW) != 0);
            break;
        case OP_SYMLINK:
            r = vfs_at_begin(&p->files, (int)d2, b, &at);
            if (!r) {
                r = vfs_symlink(at, a, b);
                vfs_at_end(&p->files, at);
            }
            break;
        }
    }
    kfree(a);
    kfree(b);
    return r;
}

int64_t proc_sys_renameat2(struct proc *p, uint64_t d1, uint64_t u1, uint64_t d2, uint64_t u2,
                           uint64_t flags, uint64_t a5)
{
    if (flags & ~(uint64_t)RENAME_NOREPLACE)
        return -EINVAL; /* RENAME_EXCHANGE and RENAME_WHITEOUT: not supported */
    return path2_call(p, (int64_t)d1, u1, (int64_t)d2, u2, OP_RENAME, flags);
}

int64_t proc_sys_renameat(struct proc *p, uint64_t d1, uint64_t u1, uint64_t d2, uint64_t u2,
                          uint64_t a4, uint64_t a5)
{
    return proc_sys_renameat2(p, d1, u1, d2, u2, 0, 0);
}

int64_t proc_sys_rename(struct proc *p, uint64_t u1, uint64_t u2, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return proc_sys_renameat2(p, (uint64_t)AT_FDCWD, u1, (uint64_t)AT_FDCWD, u2, 0, 0);
}

int64_t proc_sys_linkat(struct proc *p, uint64_t d1, uint64_t u1, uint64_t d2, uint64_t u2,
                        uint64_t flags, uint64_t a5)
{
    if (flags & ~(uint64_t)AT_SYMLINK_FOLLOW)
        return -EINVAL; /* AT_EMPTY_PATH: not supported */
    return path2_call(p, (int64_t)d1, u1, (int64_t)d2, u2, OP_LINK, flags);
}

int64_t proc_sys_link(struct proc *p, uint64_t u1, uint64_t u2, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    return proc_sys_linkat(p, (uint64_t)AT_FDCWD, u1, (uint64_t)AT_FDCWD, u2, 0, 0);
}

int64_t proc_sys_symlinkat(struct proc *p, uint64_t u1, uint64_t d2, uint64_t u2, uint64_t a3,
                           uint64_t a4, uint64_t a5)
{
    return path2_call(p, AT_FDCWD, u1, (int64_t)d2, u2, OP_SYMLINK, 0);
}

int64_t proc_sys_symlink(struct proc *p, uint64_t u1, uint64_t u2, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return proc_sys_symlinkat(p, u1, (uint64_t)AT_FDCWD, u2, 0, 0, 0);
}

int64_t proc_sys_readlinkat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t ubuf,
                            uint64_t size, uint64_t a4, uint64_t a5)
{
    if ((int64_t)size <= 0)
        return -EINVAL;
    PATHBUF(path);
    char *out = kmalloc(VFS_PATH_MAX);
    struct vfs_ctx *at;
    int64_t r = out ? proc_at_path(p, (int64_t)dirfd, upath, path, &at) : -ENOMEM;
    if (!r) {
        r = vfs_readlink(at, path, out, VFS_PATH_MAX);
        vfs_at_end(&p->files, at);
        if (r > (int64_t)size)
            r = (int64_t)size;
        if (r > 0 && uvm_copy_out(&p->vm, ubuf, out, (size_t)r))
            r = -EFAULT;
    }
    kfree(out);
    kfree(path);
    return r;
}

int64_t proc_sys_readlink(struct proc *p, uint64_t upath, uint64_t ubuf, uint64_t size, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    return proc_sys_readlinkat(p, (uint64_t)AT_FDCWD, upath, ubuf, size, 0, 0);
}

int64_t proc_sys_getcwd(struct proc *p, uint64_t ubuf, uint64_t size, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    const char *cwd = vfs_getcwd(&p->files);
    size_t n = strlen(cwd) + 1;
    if (size < n)
        return -ERANGE;
    return uvm_copy_out(&p->vm, ubuf, cwd, n) ? -EFAULT : (int64_t)n;
}

int64_t proc_sys_getdents64(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t size, uint64_t a3,
                            uint64_t a4, uint64_t a5)
{
    enum { MAXREC = 8 + 8 + 2 + 1 + VFS_NAME_MAX + 1 + 7 };
    uint8_t rec[MAXREC];
    if (size < MAXREC)
        return -EINVAL;
    struct vfs_dirent de;
    uint64_t used = 0;
    while (size - used >= MAXREC) {
        int r = vfs_readdir(&p->files, (int)fd, &de);
        if (r < 0)
            return used ? (int64_t)used : r;
        if (r == 0)
            break;
        size_t nlen = strlen(de.name);
        uint16_t reclen = (uint16_t)((8 + 8 + 2 + 1 + nlen + 1 + 7) & ~7u);
        memset(rec, 0, reclen);
        memcpy(rec, &de.ino, 8);
        int64_t off = (int64_t)(used + reclen);
        memcpy(rec + 8, &off, 8);
        memcpy(rec + 16, &reclen, 2);
        static const uint8_t dt[] = { 0, 8, 4, 10, 2, 6, 1, 12 };
        rec[18] = de.type < sizeof(dt) ? dt[de.type] : 0;
        memcpy(rec + 19, de.name, nlen);
        if (uvm_copy_out(&p->vm, ubuf + used, rec, reclen))
            return -EFAULT;
        used += reclen;
    }
    return (int64_t)used;
}

int64_t proc_sys_umask(struct proc *p, uint64_t mask, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    uint32_t old = p->umask;
    p->umask = (uint32_t)mask & 0777;
    return old;
}
