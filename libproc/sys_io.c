/*
 * sys_io.c - system calls on descriptors: read, write and their vector and
 * positional forms, open, close, lseek, dup, fcntl, fsync, ftruncate and
 * pipes (syscall.c has the table and the rules every call follows; ioctl is
 * in sys_tty.c).
 */
#include "sys_priv.h"

#include <arch/cpu.h>
#include <k/errno.h>
#include <mm/heap.h>
#include <string.h>

/* ---- files ---- */

/* Close-on-exec is kept per descriptor, in a bit of p->cloexec. */
static void set_cloexec(struct proc *p, int fd, bool on)
{
    if (fd < 0 || fd >= 64)
        return;
    if (on)
        p->cloexec |= 1ull << fd;
    else
        p->cloexec &= ~(1ull << fd);
}

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

int64_t proc_sys_read(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t n, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    int bg = proc_tty_read_check(p, (int)fd);
    if (bg)
        return bg;
    int64_t direct = proc_direct_io(p, (int)fd, ubuf, n, false, false, 0);
    if (direct == -ENOTBLK)
        direct = proc_inplace_io(p, (int)fd, ubuf, n, false, false, 0);
    if (direct != -ENOTBLK)
        return direct;
    size_t size = bounce_size(n);
    char *buf = kmalloc(size);
    if (!buf)
        return -ENOMEM;
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
             * offset only by what reached the caller (a stream has no
             * offset: the seek then fails with -ESPIPE and changes nothing). */
            vfs_lseek(&p->files, (int)fd, -(int64_t)r, VFS_SEEK_CUR);
            done = done ? done : -EFAULT;
            break;
        }
        done += r;
        /* Only a request larger than the bounce buffer loops, and only on
         * files that can't block: asking a pipe again could wait although
         * data was already read. */
        if ((size_t)r < want || (uint64_t)done >= n || is_stream(p, (int)fd))
            break;
    } while (true);
    kfree(buf);
    return done;
}

/* /dev/null (char 1:3) takes every write without reading it, as on Linux:
 * no copy of what is about to be thrown away. */
static bool is_dev_null(struct proc *p, int fd)
{
    struct vfs_stat st;
    return vfs_fstat(&p->files, fd, &st) == 0 && st.type == VFS_TYPE_CHARDEV &&
           st.rdev == VFS_MKDEV(1, 3);
}

static int64_t write_common(struct proc *p, int fd, uint64_t ubuf, uint64_t n, bool at,
                            uint64_t off)
{
    if (n && is_dev_null(p, fd) && (p->files.fds[fd]->flags & VFS_O_ACCMODE) != VFS_O_RDONLY)
        return (int64_t)(n < 0x7ffff000u ? n : 0x7ffff000u); /* Linux's MAX_RW_COUNT */
    int64_t direct = proc_direct_io(p, fd, ubuf, n, true, at, off);
    if (direct == -ENOTBLK)
        direct = proc_inplace_io(p, fd, ubuf, n, true, at, off);
    if (direct != -ENOTBLK)
        return direct;
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

int64_t proc_sys_write(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t n, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return write_common(p, (int)fd, ubuf, n, false, 0);
}

int64_t proc_sys_pwrite64(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t n, uint64_t off,
                          uint64_t a4, uint64_t a5)
{
    if ((int64_t)off < 0)
        return -EINVAL;
    return write_common(p, (int)fd, ubuf, n, true, off);
}

int64_t proc_sys_pread64(struct proc *p, uint64_t fd, uint64_t ubuf, uint64_t n, uint64_t off,
                         uint64_t a4, uint64_t a5)
{
    if ((int64_t)off < 0)
        return -EINVAL;
    int64_t direct = proc_direct_io(p, (int)fd, ubuf, n, false, true, off);
    if (direct == -ENOTBLK)
        direct = proc_inplace_io(p, (int)fd, ubuf, n, false, true, off);
    if (direct != -ENOTBLK)
        return direct;
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
        int64_t r = writing ? proc_sys_write(p, fd, iov[0], iov[1], 0, 0, 0)
                            : proc_sys_read(p, fd, iov[0], iov[1], 0, 0, 0);
        if (r < 0)
            return total ? total : r;
        total += r;
        if ((uint64_t)r < iov[1])
            break;
    }
    return total;
}

int64_t proc_sys_readv(struct proc *p, uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return vector_io(p, fd, iov, cnt, false);
}

int64_t proc_sys_writev(struct proc *p, uint64_t fd, uint64_t iov, uint64_t cnt, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return vector_io(p, fd, iov, cnt, true);
}

static int64_t open_path(struct proc *p, int dirfd, const char *path, uint64_t flags, uint64_t mode)
{
    int vflags = (int)(flags & (VFS_O_ACCMODE | VFS_O_CREAT | VFS_O_EXCL | VFS_O_TRUNC |
                                VFS_O_APPEND | VFS_O_DIRECTORY | VFS_O_NOFOLLOW |
                                VFS_O_NONBLOCK | /* NONBLOCK: for opening FIFOs */
                                VFS_O_DIRECT));
    int fd = vfs_openat(&p->files, dirfd, path, vflags, (uint32_t)mode & ~p->umask & 07777);
    fd = proc_tty_opened(p, fd); /* /dev/tty needs a controlling terminal */
    if (fd >= 0)
        set_cloexec(p, fd, flags & O_CLOEXEC);
    return fd;
}

int64_t proc_sys_openat(struct proc *p, uint64_t dirfd, uint64_t upath, uint64_t flags,
                        uint64_t mode, uint64_t a4, uint64_t a5)
{
    PATHBUF(path);
    int64_t r = proc_user_path(p, upath, path);
    if (!r)
        r = open_path(p, (int)dirfd, path, flags, mode);
    kfree(path);
    return r;
}

int64_t proc_sys_open(struct proc *p, uint64_t upath, uint64_t flags, uint64_t mode, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    return proc_sys_openat(p, (uint64_t)AT_FDCWD, upath, flags, mode, 0, 0);
}

int64_t proc_sys_close(struct proc *p, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    int r = vfs_close(&p->files, (int)fd);
    if (r == 0)
        set_cloexec(p, (int)fd, false);
    return r;
}

int64_t proc_sys_lseek(struct proc *p, uint64_t fd, uint64_t off, uint64_t whence, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    if (whence > 2)
        return -EINVAL;
    return vfs_lseek(&p->files, (int)fd, (int64_t)off, (int)whence);
}

int64_t proc_sys_dup(struct proc *p, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3,
                     uint64_t a4, uint64_t a5)
{
    int r = vfs_dup(&p->files, (int)fd);
    if (r >= 0)
        set_cloexec(p, r, false);
    return r;
}

int64_t proc_sys_dup3(struct proc *p, uint64_t fd, uint64_t nfd, uint64_t flags, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    if ((flags & ~(uint64_t)O_CLOEXEC) || fd == nfd)
        return -EINVAL;
    int r = vfs_dup2(&p->files, (int)fd, (int)nfd);
    if (r >= 0)
        set_cloexec(p, r, flags & O_CLOEXEC);
    return r;
}

int64_t proc_sys_dup2(struct proc *p, uint64_t fd, uint64_t nfd, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    if (fd == nfd) { /* valid descriptor: returns it; else -EBADF */
        struct vfs_stat st;
        int r = vfs_fstat(&p->files, (int)fd, &st);
        return r ? r : (int64_t)fd;
    }
    return proc_sys_dup3(p, fd, nfd, 0, 0, 0, 0);
}

int64_t proc_sys_fcntl(struct proc *p, uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    if (fd >= VFS_FD_MAX)
        return -EBADF; /* before the (int) below could make a huge one look valid */
    struct vfs_stat st;
    int r = vfs_fstat(&p->files, (int)fd, &st);
    if (r)
        return r;
    switch (cmd) {
    case 0:      /* F_DUPFD */
    case 1030: { /* F_DUPFD_CLOEXEC */
        int nfd = -EMFILE;
        for (int i = (int)(arg < VFS_FD_MAX ? arg : VFS_FD_MAX); i < VFS_FD_MAX; i++) {
            if (!p->files.fds[i]) {
                nfd = vfs_dup2(&p->files, (int)fd, i);
                break;
            }
        }
        if (nfd >= 0)
            set_cloexec(p, nfd, cmd == 1030);
        return arg >= VFS_FD_MAX ? -EINVAL : nfd;
    }
    case 1: /* F_GETFD */
        return fd < 64 && (p->cloexec >> fd) & 1 ? FD_CLOEXEC : 0;
    case 2: /* F_SETFD */
        set_cloexec(p, (int)fd, arg & FD_CLOEXEC);
        return 0;
    case 3: /* F_GETFL */
        return p->files.fds[fd]->flags & (VFS_O_ACCMODE | VFS_O_APPEND | VFS_O_DIRECT);
    case 4: /* F_SETFL: O_APPEND and O_DIRECT are the flags that may change */
        return vfs_setfl(&p->files, (int)fd, VFS_O_APPEND | VFS_O_DIRECT, (int)arg);
    default:
        return -EINVAL;
    }
}

int64_t proc_sys_fsync(struct proc *p, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    return vfs_fsync(&p->files, (int)fd);
}

int64_t proc_sys_ftruncate(struct proc *p, uint64_t fd, uint64_t len, uint64_t a2, uint64_t a3,
                           uint64_t a4, uint64_t a5)
{
    if ((int64_t)len < 0)
        return -EINVAL;
    return vfs_ftruncate(&p->files, (int)fd, len);
}

/* One path argument, one VFS call. */
int64_t proc_sys_pipe2(struct proc *p, uint64_t ufds, uint64_t flags, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
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
    for (int i = 0; i < 2; i++)
        set_cloexec(p, fds[i], flags & O_CLOEXEC);
    return 0;
}

int64_t proc_sys_pipe(struct proc *p, uint64_t ufds, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    return proc_sys_pipe2(p, ufds, 0, 0, 0, 0, 0);
}
