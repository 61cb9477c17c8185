/*
 * syscall.c - the system-call table: Linux x86-64 numbers and semantics
 * (proc/proc.h). Arguments arrive in RDI RSI RDX R10 R8 R9 of the frame and
 * the result goes back in RAX, a negative errno on failure.
 *
 * Rules every call follows:
 * - A user pointer is never dereferenced: data crosses with uvm_copy_in/out
 *   and uvm_strncpy_in, so a bad pointer is -EFAULT, never a kernel fault.
 * - Lengths are bounded before any allocation; I/O moves through a one-page
 *   bounce buffer on the kernel stack's side (kmalloc'd once per call).
 * - A number that is not in the table returns -ENOSYS, logged once per number.
 * docs/processes.md lists the table.
 */
#include "proc_priv.h"

#include <arch/cpu.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <mm/heap.h>
#include <proc/uvm.h>
#include <string.h>

#define IOBUF 4096
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EMPTY_PATH 0x1000
#define AT_EACCESS 0x200 /* faccessat2 (shares AT_REMOVEDIR's bit) */
#define AT_SYMLINK_FOLLOW 0x400
#define RENAME_NOREPLACE 1
_Static_assert(AT_FDCWD == VFS_AT_FDCWD, "descriptors pass straight to the VFS's *at calls");
#define O_CLOEXEC 0x80000
#define FD_CLOEXEC 1

typedef int64_t (*sys_fn)(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5);

/* ---- helpers ---- */

static int user_path(struct proc *p, uint64_t u, char *out)
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
static int at_path(struct proc *p, int64_t dirfd, uint64_t upath, char *out, struct vfs_ctx **at)
{
    int err = user_path(p, upath, out);
    return err ? err : vfs_at_begin(&p->files, (int)dirfd, out, at);
}

#define PATHBUF(name)                                                                              \
    char *name = kmalloc(VFS_PATH_MAX);                                                            \
    if (!name)                                                                                     \
        return -ENOMEM;

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
    default:
        return 0100000;
    }
}

static int put_stat(struct proc *p, uint64_t ubuf, const struct vfs_stat *st)
{
    struct linux_stat ls = { 0 };
    ls.dev = st->dev;
    ls.ino = st->ino;
    ls.nlink = st->nlink;
    ls.mode = type_bits(st->type) | (st->mode & 07777);
    ls.size = (int64_t)st->size;
    ls.blksize = st->blksize ? st->blksize : 4096;
    ls.blocks = (int64_t)st->blocks;
    ls.atime = ls.mtime = ls.ctime = (int64_t)st->mtime;
    return uvm_copy_out(&p->vm, ubuf, &ls, sizeof(ls));
}

/* ---- files ---- */

/* The bounce buffer for one call: up to 64 KiB, so large requests reach the
 * file system's multi-block paths. */
static size_t bounce_size(uint64_t n)
{
    return n < IOBUF ? IOBUF : n > 16 * IOBUF ? 16 * IOBUF : (size_t)n;
}

/* Pipes and terminals return what they have: after the first piece, asking
 * again could block although data was already read. */
static bool is_stream(struct proc *p, int fd)
{
    struct vfs_stat st;
    return vfs_fstat(&p->files, fd, &st) == 0 &&
           (st.type == VFS_TYPE_FIFO || st.type == VFS_TYPE_CHARDEV);
}

static int64_t sys_read(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t n, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    size_t size = bounce_size(n);
    char *buf = kmalloc(size);
    if (!buf)
        return -ENOMEM;
    bool once = is_stream(p, (int)fd);
    int64_t done = 0;
    do {
        size_t want = n - (uint64_t)done < size ? (size_t)(n - (uint64_t)done) : size;
        long r = vfs_read(&p->files, (int)fd, buf, want);
        if (r < 0) {
            if (done == 0)
                done = r;
            break;
        }
        if (r > 0 && uvm_copy_out(&p->vm, ubuf + (uint64_t)done, buf, (size_t)r)) {
            /* Give back what could not be delivered, as Linux moves the
             * offset only by what reached the caller. */
            if (!once)
                vfs_lseek(&p->files, (int)fd, -(int64_t)r, VFS_SEEK_CUR);
            done = done ? done : -EFAULT;
            break;
        }
        done += r;
        if ((size_t)r < want || once)
            break;
    } while ((uint64_t)done < n);
    kfree(buf);
    return done;
}

static int64_t write_common(struct proc *p, int fd, uint64_t ubuf, uint64_t n, bool at,
                            uint64_t off)
{
    size_t size = bounce_size(n);
    char *buf = kmalloc(size);
    if (!buf)
        return -ENOMEM;
    int64_t done = 0;
    do {
        size_t want = n - (uint64_t)done < size ? (size_t)(n - (uint64_t)done) : size;
        if (uvm_copy_in(&p->vm, buf, ubuf + (uint64_t)done, want)) {
            done = done ? done : -EFAULT;
            break;
        }
        long r = at ? vfs_pwrite(&p->files, fd, buf, want, off + (uint64_t)done)
                    : vfs_write(&p->files, fd, buf, want);
        if (r < 0) {
            done = done ? done : r;
            break;
        }
        done += r;
        if ((size_t)r < want || proc_signal_pending(p))
            break; /* a signal cuts a long write short, as on a slow device */
    } while ((uint64_t)done < n);
    kfree(buf);
    return done;
}

static int64_t sys_write(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t n, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return write_common(p, (int)fd, ubuf, n, false, 0);
}

static int64_t sys_pwrite64(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t n, uint64_t off,
                            uint64_t a4, uint64_t a5)
{
    if ((int64_t)off < 0)
        return -EINVAL;
    return write_common(p, (int)fd, ubuf, n, true, off);
}

static int64_t sys_pread64(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t n, uint64_t off,
                           uint64_t a4, uint64_t a5)
{
    if ((int64_t)off < 0)
        return -EINVAL;
    char *buf = kmalloc(IOBUF);
    if (!buf)
        return -ENOMEM;
    int64_t done = 0;
    while ((uint64_t)done < n) {
        size_t want = n - (uint64_t)done < IOBUF ? (size_t)(n - (uint64_t)done) : IOBUF;
        long r = vfs_pread(&p->files, (int)fd, buf, want, off + (uint64_t)done);
        if (r < 0) {
            done = done ? done : r;
            break;
        }
        if (r > 0 && uvm_copy_out(&p->vm, ubuf + (uint64_t)done, buf, (size_t)r)) {
            done = done ? done : -EFAULT;
            break;
        }
        done += r;
        if ((size_t)r < want)
            break;
    }
    kfree(buf);
    return done;
}

/* readv/writev: one call per iovec, stopping at the first short transfer. */
static int64_t vector_io(struct proc *p, uint64_t fd, uint64_t uiov, uint64_t cnt, bool writing)
{
    if (cnt > 1024)
        return -EINVAL;
    int64_t total = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        uint64_t iov[2];
        if (uvm_copy_in(&p->vm, iov, uiov + i * 16, sizeof(iov)))
            return total ? total : -EFAULT;
        if ((int64_t)iov[1] < 0)
            return -EINVAL;
        if (iov[1] == 0)
            continue;
        int64_t r = writing ? sys_write(p, fd, iov[0], iov[1], 0, 0, 0)
                            : sys_read(p, fd, iov[0], iov[1], 0, 0, 0);
        if (r < 0)
            return total ? total : r;
        total += r;
        if ((uint64_t)r < iov[1])
            break;
    }
    return total;
}

static int64_t sys_readv(struct proc *p, uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return vector_io(p, fd, iov, cnt, false);
}

static int64_t sys_writev(struct proc *p, uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    return vector_io(p, fd, iov, cnt, true);
}

static int64_t open_path(struct proc *p, int dirfd, const char *path, uint64_t flags,
                         uint64_t mode)
{
    int vflags = (int)(flags & (VFS_O_ACCMODE | VFS_O_CREAT | VFS_O_EXCL | VFS_O_TRUNC |
                                VFS_O_APPEND | VFS_O_DIRECTORY | VFS_O_NOFOLLOW));
    int fd = vfs_openat(&p->files, dirfd, path, vflags, (uint32_t)mode & ~p->umask & 07777);
    if (fd >= 0 && fd < 64) {
        if (flags & O_CLOEXEC)
            p->cloexec |= 1ull << fd;
        else
            p->cloexec &= ~(1ull << fd);
    }
    return fd;
}

static int64_t sys_openat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t flags,
                          uint64_t mode, uint64_t a4, uint64_t a5)
{
    PATHBUF(path);
    int64_t r = user_path(p, upath, path);
    if (!r)
        r = open_path(p, (int)dirfd, path, flags, mode);
    kfree(path);
    return r;
}

static int64_t sys_open(struct proc *p, uint64_t upath, uint64_t flags, uint64_t mode,
                        uint64_t a3, uint64_t a4, uint64_t a5)
{
    return sys_openat(p, (uint64_t)AT_FDCWD, upath, flags, mode, 0, 0);
}

static int64_t sys_close(struct proc *p, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    int r = vfs_close(&p->files, (int)fd);
    if (r == 0 && fd < 64)
        p->cloexec &= ~(1ull << fd);
    return r;
}

static int64_t sys_lseek(struct proc *p, uint64_t fd, uint64_t off, uint64_t whence, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    if (whence > 2)
        return -EINVAL;
    return vfs_lseek(&p->files, (int)fd, (int64_t)off, (int)whence);
}

static int64_t sys_fstat(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    struct vfs_stat st;
    int r = vfs_fstat(&p->files, (int)fd, &st);
    return r ? r : put_stat(p, ubuf, &st);
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

static int64_t sys_newfstatat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t ubuf,
                              uint64_t flags, uint64_t a4, uint64_t a5)
{
    if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct vfs_stat st;
    int64_t r = at_stat(p, (int64_t)dirfd, upath, flags, &st);
    return r ? r : put_stat(p, ubuf, &st);
}

static int64_t sys_stat(struct proc *p, uint64_t upath, uint64_t ubuf, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return sys_newfstatat(p, (uint64_t)AT_FDCWD, upath, ubuf, 0, 0, 0);
}

static int64_t sys_lstat(struct proc *p, uint64_t upath, uint64_t ubuf, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return sys_newfstatat(p, (uint64_t)AT_FDCWD, upath, ubuf, AT_SYMLINK_NOFOLLOW, 0, 0);
}

static int64_t sys_faccessat2(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t mode,
                              uint64_t flags, uint64_t a4, uint64_t a5)
{
    if ((mode & ~7ull) || (flags & ~(uint64_t)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
        return -EINVAL;
    struct vfs_stat st;
    return at_stat(p, (int64_t)dirfd, upath, flags, &st); /* one user, root: existence decides */
}

static int64_t sys_faccessat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t mode,
                             uint64_t a3, uint64_t a4, uint64_t a5)
{
    return sys_faccessat2(p, dirfd, upath, mode, 0, 0, 0);
}

static int64_t sys_access(struct proc *p, uint64_t upath, uint64_t mode, uint64_t a2,
                          uint64_t a3, uint64_t a4, uint64_t a5)
{
    return sys_faccessat2(p, (uint64_t)AT_FDCWD, upath, mode, 0, 0, 0);
}

struct linux_winsize {
    uint16_t rows, cols, xpixel, ypixel;
};

static int64_t sys_ioctl(struct proc *p, uint64_t fd, uint64_t req, uint64_t arg, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    struct vfs_stat st;
    int r = vfs_fstat(&p->files, (int)fd, &st);
    if (r)
        return r;
    if (st.type != VFS_TYPE_CHARDEV)
        return -ENOTTY;
    if (req == 0x5413) { /* TIOCGWINSZ: the console is the VGA text screen */
        struct linux_winsize ws = { 25, 80, 0, 0 };
        return uvm_copy_out(&p->vm, arg, &ws, sizeof(ws));
    }
    return -ENOTTY; /* termios arrives with the tty device */
}

static int64_t sys_dup(struct proc *p, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    int r = vfs_dup(&p->files, (int)fd);
    if (r >= 0 && r < 64)
        p->cloexec &= ~(1ull << r);
    return r;
}

static int64_t sys_dup3(struct proc *p, uint64_t fd, uint64_t nfd, uint64_t flags, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    if ((flags & ~(uint64_t)O_CLOEXEC) || fd == nfd)
        return -EINVAL;
    int r = vfs_dup2(&p->files, (int)fd, (int)nfd);
    if (r >= 0 && r < 64) {
        if (flags & O_CLOEXEC)
            p->cloexec |= 1ull << r;
        else
            p->cloexec &= ~(1ull << r);
    }
    return r;
}

static int64_t sys_dup2(struct proc *p, uint64_t fd, uint64_t nfd, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    if (fd == nfd) { /* valid descriptor: returns it; else -EBADF */
        struct vfs_stat st;
        int r = vfs_fstat(&p->files, (int)fd, &st);
        return r ? r : (int64_t)fd;
    }
    return sys_dup3(p, fd, nfd, 0, 0, 0, 0);
}

static int64_t sys_fcntl(struct proc *p, uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    struct vfs_stat st;
    int r = vfs_fstat(&p->files, (int)fd, &st);
    if (r)
        return r;
    switch (cmd) {
    case 0: /* F_DUPFD */
    case 1030: { /* F_DUPFD_CLOEXEC */
        int nfd = -EMFILE;
        for (int i = (int)(arg < VFS_FD_MAX ? arg : VFS_FD_MAX); i < VFS_FD_MAX; i++) {
            if (!p->files.fds[i]) {
                nfd = vfs_dup2(&p->files, (int)fd, i);
                break;
            }
        }
        if (nfd >= 0 && nfd < 64) {
            if (cmd == 1030)
                p->cloexec |= 1ull << nfd;
            else
                p->cloexec &= ~(1ull << nfd);
        }
        return arg >= VFS_FD_MAX ? -EINVAL : nfd;
    }
    case 1: /* F_GETFD */
        return fd < 64 && (p->cloexec >> fd) & 1 ? FD_CLOEXEC : 0;
    case 2: /* F_SETFD */
        if (fd < 64) {
            if (arg & FD_CLOEXEC)
                p->cloexec |= 1ull << fd;
            else
                p->cloexec &= ~(1ull << fd);
        }
        return 0;
    case 3: /* F_GETFL */
        return p->files.fds[fd]->flags & (VFS_O_ACCMODE | VFS_O_APPEND);
    case 4: /* F_SETFL: O_APPEND is the one flag that may change */
        p->files.fds[fd]->flags = (p->files.fds[fd]->flags & ~VFS_O_APPEND) |
                                  (int)(arg & VFS_O_APPEND);
        return 0;
    default:
        return -EINVAL;
    }
}

static int64_t sys_fsync(struct proc *p, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return vfs_fsync(&p->files, (int)fd);
}

static int64_t sys_ftruncate(struct proc *p, uint64_t fd, uint64_t len, uint64_t a2, uint64_t a3,
                             uint64_t a4, uint64_t a5)
{
    if ((int64_t)len < 0)
        return -EINVAL;
    return vfs_ftruncate(&p->files, (int)fd, len);
}

/* One path argument, one VFS call. */
enum path_op { OP_TRUNCATE, OP_CHDIR, OP_MKDIR, OP_RMDIR, OP_UNLINK };

static int64_t path_call(struct proc *p, int64_t dirfd, uint64_t upath, enum path_op op,
                         uint64_t arg)
{
    PATHBUF(path);
    struct vfs_ctx *at;
    int64_t r = at_path(p, dirfd, upath, path, &at);
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

static int64_t sys_truncate(struct proc *p, uint64_t u, uint64_t len, uint64_t a2, uint64_t a3,
                            uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_TRUNCATE, len);
}

static int64_t sys_chdir(struct proc *p, uint64_t u, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_CHDIR, 0);
}

static int64_t sys_fchdir(struct proc *p, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    return vfs_fchdir(&p->files, (int)fd);
}

static int64_t sys_mkdir(struct proc *p, uint64_t u, uint64_t mode, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_MKDIR, mode);
}

static int64_t sys_mkdirat(struct proc *p, uint64_t dirfd, uint64_t u, uint64_t mode,
                           uint64_t a3, uint64_t a4, uint64_t a5)
{
    return path_call(p, (int64_t)dirfd, u, OP_MKDIR, mode);
}

static int64_t sys_rmdir(struct proc *p, uint64_t u, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_RMDIR, 0);
}

static int64_t sys_unlink(struct proc *p, uint64_t u, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    return path_call(p, AT_FDCWD, u, OP_UNLINK, 0);
}

static int64_t sys_unlinkat(struct proc *p, uint64_t dirfd, uint64_t u, uint64_t flags,
                            uint64_t a3, uint64_t a4, uint64_t a5)
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
        r = user_path(p, u1, a);
    if (!r)
        r = user_path(p, u2, b);
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

static int64_t sys_renameat2(struct proc *p, uint64_t d1, uint64_t u1, uint64_t d2, uint64_t u2,
                             uint64_t flags, uint64_t a5)
{
    if (flags & ~(uint64_t)RENAME_NOREPLACE)
        return -EINVAL; /* RENAME_EXCHANGE and RENAME_WHITEOUT: not supported */
    return path2_call(p, (int64_t)d1, u1, (int64_t)d2, u2, OP_RENAME, flags);
}

static int64_t sys_renameat(struct proc *p, uint64_t d1, uint64_t u1, uint64_t d2, uint64_t u2,
                            uint64_t a4, uint64_t a5)
{
    return sys_renameat2(p, d1, u1, d2, u2, 0, 0);
}

static int64_t sys_rename(struct proc *p, uint64_t u1, uint64_t u2, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    return sys_renameat2(p, (uint64_t)AT_FDCWD, u1, (uint64_t)AT_FDCWD, u2, 0, 0);
}

static int64_t sys_linkat(struct proc *p, uint64_t d1, uint64_t u1, uint64_t d2, uint64_t u2,
                          uint64_t flags, uint64_t a5)
{
    if (flags & ~(uint64_t)AT_SYMLINK_FOLLOW)
        return -EINVAL; /* AT_EMPTY_PATH: not supported */
    return path2_call(p, (int64_t)d1, u1, (int64_t)d2, u2, OP_LINK, flags);
}

static int64_t sys_link(struct proc *p, uint64_t u1, uint64_t u2, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return sys_linkat(p, (uint64_t)AT_FDCWD, u1, (uint64_t)AT_FDCWD, u2, 0, 0);
}

static int64_t sys_symlinkat(struct proc *p, uint64_t u1, uint64_t d2, uint64_t u2, uint64_t a3,
                             uint64_t a4, uint64_t a5)
{
    return path2_call(p, AT_FDCWD, u1, (int64_t)d2, u2, OP_SYMLINK, 0);
}

static int64_t sys_symlink(struct proc *p, uint64_t u1, uint64_t u2, uint64_t a2, uint64_t a3,
                           uint64_t a4, uint64_t a5)
{
    return sys_symlinkat(p, u1, (uint64_t)AT_FDCWD, u2, 0, 0, 0);
}

static int64_t sys_readlinkat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t ubuf,
                              uint64_t size, uint64_t a4, uint64_t a5)
{
    if ((int64_t)size <= 0)
        return -EINVAL;
    PATHBUF(path);
    char *out = kmalloc(VFS_PATH_MAX);
    struct vfs_ctx *at;
    int64_t r = out ? at_path(p, (int64_t)dirfd, upath, path, &at) : -ENOMEM;
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

static int64_t sys_readlink(struct proc *p, uint64_t upath, uint64_t ubuf, uint64_t size,
                            uint64_t a3, uint64_t a4, uint64_t a5)
{
    return sys_readlinkat(p, (uint64_t)AT_FDCWD, upath, ubuf, size, 0, 0);
}

static int64_t sys_getcwd(struct proc *p, uint64_t ubuf, uint64_t size, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    const char *cwd = vfs_getcwd(&p->files);
    size_t n = strlen(cwd) + 1;
    if (size < n)
        return -ERANGE;
    return uvm_copy_out(&p->vm, ubuf, cwd, n) ? -EFAULT : (int64_t)n;
}

static int64_t sys_getdents64(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t size,
                              uint64_t a3, uint64_t a4, uint64_t a5)
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
        static const uint8_t dt[] = { 0, 8, 4, 10, 2, 6, 1 };
        rec[18] = de.type < sizeof(dt) ? dt[de.type] : 0;
        memcpy(rec + 19, de.name, nlen);
        if (uvm_copy_out(&p->vm, ubuf + used, rec, reclen))
            return -EFAULT;
        used += reclen;
    }
    return (int64_t)used;
}

static int64_t sys_umask(struct proc *p, uint64_t mask, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    uint32_t old = p->umask;
    p->umask = (uint32_t)mask & 0777;
    return old;
}

static int64_t sys_pipe2(struct proc *p, uint64_t ufds, uint64_t flags, uint64_t a2,
                         uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (flags & ~(uint64_t)O_CLOEXEC)
        return -EINVAL; /* O_NONBLOCK and O_DIRECT pipes: not yet */
    int fds[2];
    int r = proc_pipe(&p->files, fds);
    if (r)
        return r;
    int32_t out[2] = { fds[0], fds[1] };
    if (uvm_copy_out(&p->vm, ufds, out, sizeof(out))) {
        vfs_close(&p->files, fds[0]);
        vfs_close(&p->files, fds[1]);
        return -EFAULT;
    }
    for (int i = 0; i < 2; i++) {
        if (fds[i] < 64) {
            if (flags & O_CLOEXEC)
                p->cloexec |= 1ull << fds[i];
            else
                p->cloexec &= ~(1ull << fds[i]);
        }
    }
    return 0;
}

static int64_t sys_pipe(struct proc *p, uint64_t ufds, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return sys_pipe2(p, ufds, 0, 0, 0, 0, 0);
}

/* ---- memory ---- */

static int64_t sys_brk(struct proc *p, uint64_t addr, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return (int64_t)uvm_brk(&p->vm, addr);
}

static int64_t sys_mmap(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot,
                        uint64_t flags, uint64_t fd, uint64_t off)
{
    enum { MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20 };
    if (!(flags & MAP_ANONYMOUS))
        return -ENODEV; /* file mappings: not yet */
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) == 0 || len == 0 || (addr & 0xfff))
        return -EINVAL;
    if (prot & ~7ull)
        return -EINVAL;
    uint64_t out;
    int r = uvm_map(&p->vm, addr, len, (int)prot, (flags & MAP_FIXED) ? UVM_MAP_FIXED : 0, &out);
    return r ? r : (int64_t)out;
}

static int64_t sys_munmap(struct proc *p, uint64_t addr, uint64_t len, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    return uvm_unmap(&p->vm, addr, len);
}

static int64_t sys_mprotect(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot,
                            uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (prot & ~7ull)
        return -EINVAL;
    return uvm_protect(&p->vm, addr, len, (int)prot);
}

/* ---- processes ---- */

static int64_t sys_exit_group(struct proc *p, uint64_t code, uint64_t a1, uint64_t a2,
                              uint64_t a3, uint64_t a4, uint64_t a5)
{
    proc_exit(p, (int)((code & 0xff) << 8));
}

static int64_t sys_getpid(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    return p->pid;
}

static int64_t sys_getppid(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                           uint64_t a4, uint64_t a5)
{
    return p->parent ? p->parent->pid : 0;
}

static int64_t sys_getuid(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    return 0; /* one user: root */
}

static int64_t sys_set_tid_address(struct proc *p, uint64_t u, uint64_t a1, uint64_t a2,
                                   uint64_t a3, uint64_t a4, uint64_t a5)
{
    p->clear_tid = u;
    return p->pid;
}

/* Robust futex lists matter when a thread dies holding a lock that other
 * threads of the process wait on. Kestrel's processes have one thread, so the
 * list is only remembered (glibc registers one at start-up). */
static int64_t sys_set_robust_list(struct proc *p, uint64_t head, uint64_t len, uint64_t a2,
                                   uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (len != 24) /* sizeof(struct robust_list_head) */
        return -EINVAL;
    p->robust_list = head;
    return 0;
}

static int64_t sys_arch_prctl(struct proc *p, uint64_t code, uint64_t addr, uint64_t a2,
                              uint64_t a3, uint64_t a4, uint64_t a5)
{
    switch (code) {
    case 0x1002: /* ARCH_SET_FS */
        if (addr >= UVM_USER_TOP)
            return -EPERM;
        p->fs_base = addr;
        arch_set_user_fs(addr);
        return 0;
    case 0x1003: /* ARCH_GET_FS */
        return uvm_copy_out(&p->vm, addr, &p->fs_base, 8);
    default:
        return -EINVAL;
    }
}

static int64_t sys_fork(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    struct proc *c = proc_alloc(p, p->name);
    if (!c)
        return -EAGAIN;
    int err = uvm_fork(&c->vm, &p->vm);
    if (err) {
        proc_free(c);
        return err;
    }
    c->vm_live = true;
    vfs_ctx_init(&c->files, &p->files);
    vfs_ctx_copy_fds(&c->files, &p->files);
    c->cloexec = p->cloexec;
    c->umask = p->umask;
    c->sigmask = p->sigmask;
    memcpy(c->act, p->act, sizeof(c->act));
    c->fs_base = p->fs_base;
    arch_fpu_save(&c->fpu); /* the parent's registers are still in the CPU */
    c->start = *p->frame;
    c->start.rax = 0;
    int pid = c->pid;
    err = proc_start_thread(c);
    if (err) {
        vfs_ctx_release(&c->files);
        proc_free(c);
        return err;
    }
    return pid;
}

static int64_t sys_clone(struct proc *p, uint64_t flags, uint64_t stack, uint64_t a2,
                         uint64_t a3, uint64_t a4, uint64_t a5)
{
    /* Only fork-like clones: SIGCHLD as the exit signal, no sharing. */
    if ((flags & ~0xffull) != 0 || stack)
        return -EINVAL;
    return sys_fork(p, 0, 0, 0, 0, 0, 0);
}

static int64_t sys_execve(struct proc *p, uint64_t upath, uint64_t uargv, uint64_t uenvp,
                          uint64_t a3, uint64_t a4, uint64_t a5)
{
    PATHBUF(path);
    struct proc_args args = { 0 };
    int64_t r = user_path(p, upath, path);
    if (!r)
        r = proc_args_from_user(&args, &p->vm, uargv, uenvp);
    struct uvm *fresh = r ? NULL : kmalloc(sizeof(*fresh));
    if (!r && !fresh)
        r = -ENOMEM;
    struct trap_frame start;
    if (!r)
        r = proc_load(&p->files, path, &args, fresh, &start);
    if (r) {
        if (args.buf)
            proc_args_free(&args);
        kfree(fresh);
        kfree(path);
        return r;
    }
    /* Past the point of no return: the new image replaces the old. */
    uint64_t f = cpu_irq_save();
    mm_aspace_activate(uvm_aspace(fresh));
    cpu_irq_restore(f);
    uvm_destroy(&p->vm);
    p->vm = *fresh;
    kfree(fresh);
    mm_aspace_activate(uvm_aspace(&p->vm)); /* the struct moved: reload from its new home */
    for (int fd = 0; fd < 64; fd++)
        if ((p->cloexec >> fd) & 1)
            vfs_close(&p->files, fd);
    p->cloexec = 0;
    proc_signal_exec(p);
    p->fs_base = 0;
    arch_set_user_fs(0);
    arch_fpu_init_state(&p->fpu);
    arch_fpu_restore(&p->fpu);
    proc_set_name(p, path);
    proc_args_free(&args);
    kfree(path);
    *p->frame = start;
    return 0;
}

static int64_t sys_wait4(struct proc *p, uint64_t pid, uint64_t ustatus, uint64_t options,
                         uint64_t rusage, uint64_t a4, uint64_t a5)
{
    enum { WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8 };
    if (options & ~(uint64_t)(WNOHANG | WUNTRACED | WCONTINUED))
        return -EINVAL;
    int want = (int)pid;
    if (want < -1 || want == 0)
        want = -1; /* process groups arrive with job control: any child for now */
    int status = 0;
    int r = proc_wait_child(p, want, &status, options & WNOHANG);
    if (r > 0 && ustatus && uvm_copy_out(&p->vm, ustatus, &status, sizeof(status)))
        return -EFAULT;
    if (r > 0 && rusage) {
        uint8_t zero[144] = { 0 };
        if (uvm_copy_out(&p->vm, rusage, zero, sizeof(zero)))
            return -EFAULT;
    }
    return r;
}

static int64_t sys_kill(struct proc *p, uint64_t pid, uint64_t sig, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    if ((int64_t)pid <= 0)
        return (int64_t)pid == 0 ? proc_kill(p->pid, (int)sig) : -ESRCH;
    return proc_kill((int)pid, (int)sig);
}

/* One thread per process: a thread id is the process id. */
static int64_t sys_tgkill(struct proc *p, uint64_t tgid, uint64_t tid, uint64_t sig, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    if ((int64_t)tgid <= 0 || (int64_t)tid <= 0 || tgid != tid)
        return (int64_t)tgid <= 0 || (int64_t)tid <= 0 ? -EINVAL : -ESRCH;
    return proc_kill((int)tid, (int)sig);
}

static int64_t sys_tkill(struct proc *p, uint64_t tid, uint64_t sig, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    if ((int64_t)tid <= 0)
        return -EINVAL;
    return proc_kill((int)tid, (int)sig);
}

static int64_t sys_rt_sigprocmask(struct proc *p, uint64_t how, uint64_t uset, uint64_t uold,
                                  uint64_t size, uint64_t a4, uint64_t a5)
{
    if (size != 8)
        return -EINVAL;
    uint64_t set = 0;
    if (uold && uvm_copy_out(&p->vm, uold, &p->sigmask, 8))
        return -EFAULT;
    if (!uset)
        return 0;
    if (uvm_copy_in(&p->vm, &set, uset, 8))
        return -EFAULT;
    set &= ~((1ull << 8) | (1ull << 18)); /* SIGKILL and SIGSTOP can't be blocked */
    switch (how) {
    case 0:
        p->sigmask |= set;
        return 0;
    case 1:
        p->sigmask &= ~set;
        return 0;
    case 2:
        p->sigmask = set;
        return 0;
    default:
        return -EINVAL;
    }
}

static int64_t sys_rt_sigaction(struct proc *p, uint64_t sig, uint64_t uact, uint64_t uold,
                                uint64_t size, uint64_t a4, uint64_t a5)
{
    if (size != 8)
        return -EINVAL;
    struct proc_sigaction act, old;
    if (uact && uvm_copy_in(&p->vm, &act, uact, sizeof(act)))
        return -EFAULT;
    int64_t r = proc_sigaction(p, (int)sig, uact ? &act : NULL, &old);
    if (!r && uold && uvm_copy_out(&p->vm, uold, &old, sizeof(old)))
        return -EFAULT;
    return r;
}

static int64_t sys_rt_sigreturn(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2,
                                uint64_t a3, uint64_t a4, uint64_t a5)
{
    return proc_sigreturn(p, p->frame);
}

static int64_t sys_rt_sigpending(struct proc *p, uint64_t uset, uint64_t size, uint64_t a2,
                                 uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (size != 8)
        return -EINVAL;
    uint64_t set = p->pending & p->sigmask;
    return uvm_copy_out(&p->vm, uset, &set, sizeof(set));
}

struct linux_utsname {
    char f[6][65];
};

static int64_t sys_uname(struct proc *p, uint64_t ubuf, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    static const char *const v[6] = { "Kestrel", "kestrel", "0.1.0", "#1", "x86_64", "(none)" };
    struct linux_utsname u;
    memset(&u, 0, sizeof(u));
    for (int i = 0; i < 6; i++)
        memcpy(u.f[i], v[i], strlen(v[i]));
    return uvm_copy_out(&p->vm, ubuf, &u, sizeof(u));
}

static int64_t sys_sched_yield(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2,
                               uint64_t a3, uint64_t a4, uint64_t a5)
{
    thread_yield();
    return 0;
}

static int64_t sys_getrandom(struct proc *p, uint64_t ubuf, uint64_t len, uint64_t flags,
                             uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (flags & ~7ull)
        return -EINVAL;
    uint8_t chunk[256];
    uint64_t done = 0;
    while (done < len) {
        size_t n = len - done < sizeof(chunk) ? (size_t)(len - done) : sizeof(chunk);
        proc_cfg.random(chunk, n);
        if (uvm_copy_out(&p->vm, ubuf + done, chunk, n))
            return done ? (int64_t)done : -EFAULT;
        done += n;
    }
    return (int64_t)done;
}

struct timespec64 {
    int64_t sec, nsec;
};

static int64_t sys_clock_gettime(struct proc *p, uint64_t clk, uint64_t uts, uint64_t a2,
                                 uint64_t a3, uint64_t a4, uint64_t a5)
{
    uint64_t ns = proc_cfg.now_ns();
    struct timespec64 ts;
    switch (clk) {
    case 0: /* CLOCK_REALTIME */
        ts.sec = (int64_t)((proc_cfg.realtime_s ? proc_cfg.realtime_s() : 0) + ns / 1000000000u);
        break;
    case 1: /* CLOCK_MONOTONIC */
    case 4: /* CLOCK_MONOTONIC_RAW */
    case 7: /* CLOCK_BOOTTIME */
    case 2: /* CLOCK_PROCESS_CPUTIME_ID: approximated by time since boot */
    case 3: /* CLOCK_THREAD_CPUTIME_ID */
        ts.sec = (int64_t)(ns / 1000000000u);
        break;
    default:
        return -EINVAL;
    }
    ts.nsec = (int64_t)(ns % 1000000000u);
    return uvm_copy_out(&p->vm, uts, &ts, sizeof(ts));
}

static int64_t sys_gettimeofday(struct proc *p, uint64_t utv, uint64_t utz, uint64_t a2,
                                uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (!utv)
        return 0;
    uint64_t ns = proc_cfg.now_ns();
    int64_t tv[2] = {
        (int64_t)((proc_cfg.realtime_s ? proc_cfg.realtime_s() : 0) + ns / 1000000000u),
        (int64_t)(ns % 1000000000u / 1000u),
    };
    return uvm_copy_out(&p->vm, utv, tv, sizeof(tv));
}

static int64_t sys_nanosleep(struct proc *p, uint64_t ureq, uint64_t urem, uint64_t a2,
                             uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct timespec64 ts;
    if (uvm_copy_in(&p->vm, &ts, ureq, sizeof(ts)))
        return -EFAULT;
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return -EINVAL;
    uint64_t ms = (uint64_t)ts.sec * 1000u + (uint64_t)(ts.nsec + 999999) / 1000000u;
    while (ms > 0 && !proc_signal_pending(p)) {
        uint64_t step = ms < 100 ? ms : 100; /* notice a kill within 100 ms */
        thread_sleep_ms(step);
        ms -= step;
    }
    bool cut = proc_signal_pending(p) != 0;
    if (cut && urem) {
        struct timespec64 rem = { (int64_t)(ms / 1000), (int64_t)(ms % 1000) * 1000000 };
        uvm_copy_out(&p->vm, urem, &rem, sizeof(rem));
    }
    return cut ? -EINTR : 0;
}

static int64_t sys_clock_nanosleep(struct proc *p, uint64_t clk, uint64_t flags, uint64_t ureq,
                                   uint64_t urem, uint64_t a4, uint64_t a5)
{
    if (flags & 1) /* TIMER_ABSTIME */
        return -EINVAL;
    if (clk != 0 && clk != 1)
        return -EINVAL;
    return sys_nanosleep(p, ureq, urem, 0, 0, 0, 0);
}

static int64_t sys_prlimit64(struct proc *p, uint64_t pid, uint64_t res, uint64_t unew,
                             uint64_t uold, uint64_t a4, uint64_t a5)
{
    if (pid && (int)pid != p->pid)
        return -ESRCH;
    if (res > 15)
        return -EINVAL;
    if (unew)
        return -EPERM; /* limits are fixed */
    uint64_t lim[2] = { UINT64_MAX, UINT64_MAX };
    if (res == 3) /* RLIMIT_STACK */
        lim[0] = lim[1] = PROC_STACK_SIZE;
    else if (res == 7) /* RLIMIT_NOFILE */
        lim[0] = lim[1] = VFS_FD_MAX;
    return uold && uvm_copy_out(&p->vm, uold, lim, sizeof(lim)) ? -EFAULT : 0;
}

static int64_t sys_reboot(struct proc *p, uint64_t m1, uint64_t m2, uint64_t cmd, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    if ((uint32_t)m1 != 0xfee1deadu || ((uint32_t)m2 != 672274793u && (uint32_t)m2 != 85072278u &&
                                         (uint32_t)m2 != 369367448u && (uint32_t)m2 != 537993216u))
        return -EINVAL;
    if (!proc_cfg.reboot)
        return -EPERM;
    return proc_cfg.reboot((int)cmd);
}

/* ---- the table ---- */

static const sys_fn table[] = {
    [0] = sys_read,
    [1] = sys_write,
    [2] = sys_open,
    [3] = sys_close,
    [4] = sys_stat,
    [5] = sys_fstat,
    [6] = sys_lstat,
    [8] = sys_lseek,
    [9] = sys_mmap,
    [10] = sys_mprotect,
    [11] = sys_munmap,
    [12] = sys_brk,
    [13] = sys_rt_sigaction,
    [14] = sys_rt_sigprocmask,
    [15] = sys_rt_sigreturn,
    [16] = sys_ioctl,
    [17] = sys_pread64,
    [18] = sys_pwrite64,
    [19] = sys_readv,
    [20] = sys_writev,
    [21] = sys_access,
    [22] = sys_pipe,
    [24] = sys_sched_yield,
    [32] = sys_dup,
    [33] = sys_dup2,
    [35] = sys_nanosleep,
    [39] = sys_getpid,
    [56] = sys_clone,
    [57] = sys_fork,
    [58] = sys_fork, /* vfork: a fork (copy on write makes it cheap) */
    [59] = sys_execve,
    [60] = sys_exit_group, /* one thread per process: exit ends it */
    [61] = sys_wait4,
    [62] = sys_kill,
    [63] = sys_uname,
    [72] = sys_fcntl,
    [74] = sys_fsync,
    [76] = sys_truncate,
    [77] = sys_ftruncate,
    [79] = sys_getcwd,
    [80] = sys_chdir,
    [81] = sys_fchdir,
    [82] = sys_rename,
    [83] = sys_mkdir,
    [84] = sys_rmdir,
    [86] = sys_link,
    [87] = sys_unlink,
    [88] = sys_symlink,
    [89] = sys_readlink,
    [95] = sys_umask,
    [96] = sys_gettimeofday,
    [102] = sys_getuid,
    [104] = sys_getuid,
    [107] = sys_getuid,
    [108] = sys_getuid,
    [110] = sys_getppid,
    [127] = sys_rt_sigpending,
    [158] = sys_arch_prctl,
    [169] = sys_reboot,
    [186] = sys_getpid, /* gettid: one thread per process */
    [200] = sys_tkill,
    [217] = sys_getdents64,
    [218] = sys_set_tid_address,
    [228] = sys_clock_gettime,
    [230] = sys_clock_nanosleep,
    [231] = sys_exit_group,
    [234] = sys_tgkill,
    [257] = sys_openat,
    [273] = sys_set_robust_list,
    [258] = sys_mkdirat,
    [262] = sys_newfstatat,
    [263] = sys_unlinkat,
    [264] = sys_renameat,
    [265] = sys_linkat,
    [266] = sys_symlinkat,
    [267] = sys_readlinkat,
    [269] = sys_faccessat,
    [292] = sys_dup3,
    [293] = sys_pipe2,
    [302] = sys_prlimit64,
    [316] = sys_renameat2,
    [318] = sys_getrandom,
    [439] = sys_faccessat2,
};

#define NSYS (sizeof(table) / sizeof(table[0]))
static uint8_t warned[(NSYS + 64 + 7) / 8 + 64];

void proc_syscall(struct trap_frame *tf)
{
    struct proc *p = proc_current();
    uint64_t nr = tf->rax;
    if (!p) {
        tf->rax = (uint64_t)-ENOSYS;
        return;
    }
    p->frame = tf;
    int64_t r;
    if (nr < NSYS && table[nr]) {
        r = table[nr](p, tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
    } else {
        if (nr < sizeof(warned) * 8 && !(warned[nr / 8] & (1u << (nr % 8)))) {
            warned[nr / 8] |= (uint8_t)(1u << (nr % 8));
            kprintf("proc: %s (pid %d) used system call %llu, which Kestrel lacks: -ENOSYS\n",
                    p->name, p->pid, (unsigned long long)nr);
        }
        r = -ENOSYS;
    }
    if (nr != 59 || r != 0) /* a successful execve has rewritten the frame */
        tf->rax = (uint64_t)r;
    proc_deliver_signals(p, tf);
    p->frame = NULL;
}
