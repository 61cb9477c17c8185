/*
 * vfs_file.c - open files and descriptors (vfs/vfs.h).
 *
 * A descriptor indexes the context's table; the `struct vfs_file` it points to
 * holds the vnode, the file system's per-open handle and the offset, and may be
 * shared by descriptors (vfs_dup). The vnode's mount counts open files, so an
 * unmount while they are open fails with -EBUSY. vfs_openat resolves in a
 * temporary context (vfs_path.c) and puts the descriptor in the caller's table.
 *
 * Locking: the VFS lock is held throughout, except across the I/O of stream
 * vnodes (terminals, pipes), of devfs block devices (a disk wait can be long;
 * the driver locks its own state) and a FIFO's wait for its other end, which
 * hold an extra file reference, and while a file system lets it go for a disk
 * wait inside a read (vfs_io_unlock(): SFS's reads of file data), also with an
 * extra reference. Either way the lock stays held when another descriptor
 * shares the file's offset, so that transfers through one open file stay
 * atomic with each other, and for a write of part of a device block (devfs
 * reads, patches and writes the block back).
 * Direct I/O (vfs_rw_pages(): O_DIRECT files whose vnode has rw_pages) moves
 * data in place to or from pages the caller has pinned, under the same rules.
 */
#include <dev/block.h>
#include <k/errno.h>
#include <string.h>
#include <vfs/devfs.h>
#include <vfs/vfs.h>

#include "vfs_priv.h"

static int alloc_fd(struct vfs_ctx *ctx)
{
    for (int fd = 0; fd < VFS_FD_MAX; fd++)
        if (!ctx->fds[fd])
            return fd;
    return -EMFILE;
}

static struct vfs_file *get_file(struct vfs_ctx *ctx, int fd)
{
    if (fd < 0 || fd >= VFS_FD_MAX)
        return NULL;
    return ctx->fds[fd];
}

/* Find or create the final component; returns the vnode with a reference. */
static int open_vnode(struct vfs_ctx *ctx, const char *path, int flags, uint32_t mode,
                      struct vnode **out)
{
    bool follow = !(flags & VFS_O_NOFOLLOW);
    if (!(flags & VFS_O_CREAT))
        return vfs_walk(ctx, path, follow, out);

    struct vnode *dir;
    char name[VFS_NAME_MAX + 1];
    int err = vfs_walk_parent(ctx, path, &dir, name);
    if (err == -EEXIST || err == -EINVAL) /* "/" or "x/.": an existing directory */
        return (flags & VFS_O_EXCL) ? -EEXIST : -EISDIR;
    if (err)
        return err;
    struct vnode *vn = NULL;
    err = dir->ops->lookup ? dir->ops->lookup(dir, name, &vn) : -ENOTDIR;
    if (err == 0) {
        if (flags & VFS_O_EXCL) {
            vnode_put(vn);
            err = -EEXIST;
        } else if (vn->type == VFS_TYPE_SYMLINK && follow) {
            vnode_put(vn);
            vn = NULL;
            err = vfs_walk(ctx, path, true, &vn); /* follow it (may create nothing) */
        } else {
            vn = vfs_cross_down(vn);
        }
    } else if (err == -ENOENT) {
        err = vfs_check_writable(dir);
        if (!err)
            err = dir->ops->create ? dir->ops->create(dir, name, mode, &vn) : -EPERM;
    }
    vnode_put(dir);
    if (!err)
        *out = vn;
    return err;
}

/* Writing to a file, directory or symlink changes its file system; writing
 * to a device or a pipe does not (Linux allows it on a read-only mount). */
static int check_write_open(struct vnode *vn, int flags)
{
    bool writes = (flags & VFS_O_ACCMODE) != VFS_O_RDONLY || (flags & VFS_O_TRUNC);
    bool changes_fs =
        vn->type == VFS_TYPE_FILE || vn->type == VFS_TYPE_DIR || vn->type == VFS_TYPE_SYMLINK;
    return writes && changes_fs ? vfs_check_writable(vn) : 0;
}

/* The absolute path @path names in @at, in memory of its own, for listings;
 * NULL when it is not known (relative to a directory descriptor, whose path
 * the temporary context does not know) or memory is short. */
static char *path_copy(const struct vfs_ctx *at, const char *path)
{
    if (path[0] != '/' && at->cwd_path[0] != '/')
        return NULL;
    char *abs = vfs_alloc(VFS_PATH_MAX);
    char *copy = NULL;
    if (abs && vfs_abs_path(at, path, abs, VFS_PATH_MAX) == 0) {
        size_t n = strlen(abs) + 1;
        copy = vfs_alloc(n);
        if (copy)
            memcpy(copy, abs, n);
    }
    vfs_free(abs);
    return copy;
}

static void file_put(struct vfs_file *f);

/* Open @path, resolved in @at, as a descriptor of @ctx (the same context
 * unless it comes from vfs_at_begin). */
static int open_in(struct vfs_ctx *ctx, struct vfs_ctx *at, const char *path, int flags,
                   uint32_t mode)
{
    int acc = flags & VFS_O_ACCMODE;
    if (acc == VFS_O_ACCMODE)
        return -EINVAL;
    vfs_lock();
    int fd = alloc_fd(ctx);
    struct vnode *vn = NULL, *node = NULL;
    struct vfs_file *f = NULL;
    int err = fd < 0 ? fd : open_vnode(at, path, flags, mode, &vn);
    if (err)
        goto out;
    if (vn->type == VFS_TYPE_DIR && (acc != VFS_O_RDONLY || (flags & VFS_O_TRUNC))) {
        err = -EISDIR;
        goto out;
    }
    if (vn->type != VFS_TYPE_DIR && (flags & VFS_O_DIRECTORY)) {
        err = -ENOTDIR;
        goto out;
    }
    if (vn->type == VFS_TYPE_SYMLINK) {
        err = -ELOOP; /* O_NOFOLLOW on a symlink */
        goto out;
    }
    if ((err = check_write_open(vn, flags)) != 0)
        goto out;
    if (vfs_is_special(vn)) {
        /* The file does its I/O on the pipe or device; the name's node stays
         * for fstat and friends. */
        node = vn;
        vn = NULL;
        if ((err = vfs_special_get_locked(node, &vn)) != 0)
            goto out;
    }
    f = vfs_alloc(sizeof(*f));
    if (!f) {
        err = -ENOMEM;
        goto out;
    }
    *f = (struct vfs_file){ .vn = vn, .node = node, .flags = flags, .refs = 1 };
    if (vn->ops->open && (err = vn->ops->open(vn, flags, &f->handle)) != 0)
        goto out;
    if ((flags & VFS_O_TRUNC) && acc != VFS_O_RDONLY && vn->type == VFS_TYPE_FILE) {
        err = vn->ops->truncate ? vn->ops->truncate(vn, 0) : -EINVAL;
        if (err) {
            if (vn->ops->close)
                vn->ops->close(vn, f->handle);
            goto out;
        }
    }
    vn->mnt->busy++;
    if (node)
        node->mnt->busy++;
    if (acc != VFS_O_RDONLY)
        vn->mnt->writers++;
    f->path = path_copy(at, path);
    ctx->fds[fd] = f;
    if (node) {
        /* A FIFO waits for its other end, without the lock; the extra
         * reference keeps the file while it does. */
        f->refs++;
        vfs_unlock();
        err = vfs_special_wait(node, vn, f->handle, flags);
        vfs_lock();
        file_put(f);
        if (err && ctx->fds[fd] == f) {
            ctx->fds[fd] = NULL;
            file_put(f);
        }
        vfs_unlock();
        return err ? err : fd;
    }
    vfs_unlock();
    return fd;
out:
    vfs_free(f);
    if (node)
        vfs_special_put_locked(node, vn);
    else
        vnode_put(vn);
    vnode_put(node);
    vfs_unlock();
    return err;
}

int vfs_open(struct vfs_ctx *ctx, const char *path, int flags, uint32_t mode)
{
    return open_in(ctx, ctx, path, flags, mode);
}

int vfs_openat(struct vfs_ctx *ctx, int dirfd, const char *path, int flags, uint32_t mode)
{
    struct vfs_ctx *at;
    int err = vfs_at_begin(ctx, dirfd, path, &at);
    if (err)
        return err;
    int fd = open_in(ctx, at, path, flags, mode);
    vfs_at_end(ctx, at);
    return fd;
}

static void file_put(struct vfs_file *f)
{
    if (--f->refs > 0)
        return;
    if (f->vn->ops->close)
        f->vn->ops->close(f->vn, f->handle);
    f->vn->mnt->busy--;
    if ((f->flags & VFS_O_ACCMODE) != VFS_O_RDONLY)
        f->vn->mnt->writers--;
    if (f->node) {
        f->node->mnt->busy--;
        vfs_special_put_locked(f->node, f->vn);
        vnode_put(f->node);
    } else {
        vnode_put(f->vn);
    }
    vfs_free(f->path);
    vfs_free(f);
}

int vfs_setfl(struct vfs_ctx *ctx, int fd, int mask, int flags)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    if (f)
        f->flags = (f->flags & ~mask) | (flags & mask);
    vfs_unlock();
    return f ? 0 : -EBADF;
}

int vfs_close(struct vfs_ctx *ctx, int fd)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    if (f) {
        ctx->fds[fd] = NULL;
        file_put(f);
    }
    vfs_unlock();
    return f ? 0 : -EBADF;
}

int vfs_dup(struct vfs_ctx *ctx, int fd)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    int nfd = f ? alloc_fd(ctx) : -EBADF;
    if (nfd >= 0) {
        f->refs++;
        ctx->fds[nfd] = f;
    }
    vfs_unlock();
    return nfd;
}

struct vfs_mount *vfs_anon_mount(void)
{
    /* Pipes live here; fstatfs() on one reports Linux's pipefs. */
    static const struct vfs_fs_type pipefs = { .name = "pipefs", .magic = 0x50495045 };
    static struct vfs_mount anon = { .type = &pipefs };
    return &anon;
}

int vfs_open_vnode(struct vfs_ctx *ctx, struct vnode *vn, int flags)
{
    flags &= VFS_O_ACCMODE;
    vfs_lock();
    int fd = alloc_fd(ctx);
    struct vfs_file *f = fd >= 0 ? vfs_alloc(sizeof(*f)) : NULL;
    int err = fd < 0 ? fd : f ? 0 : -ENOMEM;
    if (!err) {
        *f = (struct vfs_file){ .vn = vnode_get(vn), .flags = flags, .refs = 1 };
        if (vn->ops->open && (err = vn->ops->open(vn, flags, &f->handle)) != 0)
            vnode_put(vn);
    }
    if (err) {
        vfs_free(f);
    } else {
        vn->mnt->busy++;
        if (flags != VFS_O_RDONLY)
            vn->mnt->writers++;
        ctx->fds[fd] = f;
    }
    vfs_unlock();
    return err ? err : fd;
}

/* A stream vnode's read or write, called without the VFS lock (held on entry
 * and on return): the extra reference keeps the open file alive meanwhile. */
static long stream_io(struct vfs_file *f, void *rbuf, const void *wbuf, size_t n)
{
    f->refs++;
    vfs_unlock();
    long r = wbuf ? f->vn->ops->write(f->vn, f->handle, 0, wbuf, n)
                  : f->vn->ops->read(f->vn, f->handle, 0, rbuf, n);
    vfs_lock();
    file_put(f);
    return r;
}

/* May a block device's transfer run without the VFS lock? Not if its offset
 * (@advance) is shared with another descriptor (reads and writes through one
 * open file stay atomic with each other), nor for a write of part of a block,
 * which devfs reads, patches and writes back (two at once would lose one's
 * bytes). */
static bool blockdev_unlocked(const struct vfs_file *f, bool advance, bool write, uint64_t off,
                              size_t n)
{
    uint32_t bs = devfs_block_device(f->vn)->block_size;
    return (!advance || f->refs == 1) && (!write || (off % bs == 0 && n % bs == 0));
}

/* A block device's read or write at @off, also without the VFS lock (held on
 * entry and on return) where blockdev_unlocked() allows: the driver locks its
 * own state and a disk wait may be long, so other threads keep using the file
 * system meanwhile. The extra reference keeps the open file alive; with
 * @advance the offset moves on. */
static long blockdev_io(struct vfs_file *f, void *rbuf, const void *wbuf, size_t n, uint64_t off,
                        bool advance)
{
    bool unlocked = blockdev_unlocked(f, advance, wbuf != NULL, off, n);
    f->refs++;
    if (unlocked)
        vfs_unlock();
    long r = wbuf ? f->vn->ops->write(f->vn, f->handle, off, wbuf, n)
                  : f->vn->ops->read(f->vn, f->handle, off, rbuf, n);
    if (unlocked)
        vfs_lock();
    if (advance && r > 0)
        f->off = off + (uint64_t)r;
    file_put(f);
    return r;
}

int vfs_dup2(struct vfs_ctx *ctx, int fd, int newfd)
{
    if (newfd < 0 || newfd >= VFS_FD_MAX)
        return -EBADF;
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    int r = f ? newfd : -EBADF;
    if (f && fd != newfd) {
        struct vfs_file *old = ctx->fds[newfd];
        f->refs++;
        ctx->fds[newfd] = f;
        if (old)
            file_put(old);
    }
    vfs_unlock();
    return r;
}

void vfs_ctx_copy_fds(struct vfs_ctx *dst, const struct vfs_ctx *src)
{
    vfs_lock();
    for (int fd = 0; fd < VFS_FD_MAX; fd++) {
        struct vfs_file *f = src->fds[fd];
        if (f && !dst->fds[fd]) {
            f->refs++;
            dst->fds[fd] = f;
        }
    }
    vfs_unlock();
}

static long do_read(struct vfs_file *f, void *buf, size_t n, uint64_t off)
{
    if ((f->flags & VFS_O_ACCMODE) == VFS_O_WRONLY)
        return -EBADF;
    if (f->vn->type == VFS_TYPE_DIR)
        return -EISDIR;
    if (!f->vn->ops->read)
        return -EINVAL;
    return f->vn->ops->read(f->vn, f->handle, off, buf, n);
}

long vfs_read(struct vfs_ctx *ctx, int fd, void *buf, size_t n)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    long r;
    if (f && f->vn->ops->stream && f->vn->ops->read && (f->flags & VFS_O_ACCMODE) != VFS_O_WRONLY) {
        r = stream_io(f, buf, NULL, n);
    } else if (f && devfs_block_device(f->vn) && (f->flags & VFS_O_ACCMODE) != VFS_O_WRONLY) {
        r = blockdev_io(f, buf, NULL, n, f->off, true);
    } else if (f) {
        /* The file system may let the lock go during a disk wait (SFS does):
         * the extra reference keeps the open file alive meanwhile. Only if
         * no other descriptor shares the offset, so that reads through one
         * open file stay atomic with each other. */
        f->refs++;
        vfs_io_allow_unlock(f->refs == 2);
        r = do_read(f, buf, n, f->off);
        vfs_io_allow_unlock(false);
        if (r > 0)
            f->off += (uint64_t)r;
        file_put(f);
    } else {
        r = -EBADF;
    }
    vfs_unlock();
    return r;
}

long vfs_pread(struct vfs_ctx *ctx, int fd, void *buf, size_t n, uint64_t off)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    long r;
    if (f && devfs_block_device(f->vn) && (f->flags & VFS_O_ACCMODE) != VFS_O_WRONLY)
        r = blockdev_io(f, buf, NULL, n, off, false);
    else if (!f || f->vn->ops->stream)
        r = !f ? -EBADF : -ESPIPE;
    else {
        f->refs++; /* as in vfs_read(); no offset to keep, so always allowed */
        vfs_io_allow_unlock(true);
        r = do_read(f, buf, n, off);
        vfs_io_allow_unlock(false);
        file_put(f);
    }
    vfs_unlock();
    return r;
}

long vfs_write(struct vfs_ctx *ctx, int fd, const void *buf, size_t n)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    long r;
    if (!f) {
        r = -EBADF;
    } else if ((f->flags & VFS_O_ACCMODE) == VFS_O_RDONLY) {
        r = -EBADF;
    } else if (!f->vn->ops->write) {
        r = -EINVAL;
    } else if (f->vn->ops->stream) {
        r = stream_io(f, NULL, buf, n);
    } else if (devfs_block_device(f->vn)) {
        r = blockdev_io(f, NULL, buf, n, f->off, true);
    } else {
        if (f->flags & VFS_O_APPEND) {
            struct vfs_stat st;
            r = vfs_getattr_locked(f->vn, &st);
            if (r == 0)
                f->off = st.size;
        } else {
            r = 0;
        }
        if (r == 0)
            r = f->vn->ops->write(f->vn, f->handle, f->off, buf, n);
        if (r > 0)
            f->off += (uint64_t)r;
    }
    vfs_unlock();
    return r;
}

long vfs_pwrite(struct vfs_ctx *ctx, int fd, const void *buf, size_t n, uint64_t off)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    long r;
    if (!f || (f->flags & VFS_O_ACCMODE) == VFS_O_RDONLY)
        r = -EBADF;
    else if (f->vn->ops->stream)
        r = -ESPIPE;
    else if (f->vn->type == VFS_TYPE_DIR)
        r = -EISDIR;
    else if (!f->vn->ops->write)
        r = -EINVAL;
    else if (devfs_block_device(f->vn))
        r = blockdev_io(f, NULL, buf, n, off, false);
    else
        r = f->vn->ops->write(f->vn, f->handle, off, buf, n);
    vfs_unlock();
    return r;
}

int64_t vfs_lseek(struct vfs_ctx *ctx, int fd, int64_t off, int whence)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    int64_t r;
    if (!f) {
        r = -EBADF;
    } else if (f->vn->ops->stream) {
        r = -ESPIPE;
    } else if (f->vn->type == VFS_TYPE_DIR) {
        r = off == 0 && whence == VFS_SEEK_SET ? 0 : -EINVAL; /* rewind only */
        if (r == 0)
            f->off = 0;
    } else {
        int64_t base = 0;
        r = 0;
        if (whence == VFS_SEEK_CUR) {
            base = (int64_t)f->off;
        } else if (whence == VFS_SEEK_END) {
            struct vfs_stat st;
            r = vfs_getattr_locked(f->vn, &st);
            base = (int64_t)st.size;
        } else if (whence != VFS_SEEK_SET) {
            r = -EINVAL;
        }
        if (r == 0) {
            if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
                r = -EINVAL;
            else
                r = (int64_t)(f->off = (uint64_t)(base + off));
        }
    }
    vfs_unlock();
    return r;
}

int vfs_fstat(struct vfs_ctx *ctx, int fd, struct vfs_stat *st)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    int r = f ? vfs_getattr_locked(f->node ? f->node : f->vn, st) : -EBADF;
    vfs_unlock();
    return r;
}

int vfs_ftruncate(struct vfs_ctx *ctx, int fd, uint64_t size)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    int r;
    if (!f || (f->flags & VFS_O_ACCMODE) == VFS_O_RDONLY)
        r = f ? -EINVAL : -EBADF;
    else if (f->vn->type == VFS_TYPE_DIR)
        r = -EISDIR;
    else
        r = f->vn->ops->truncate ? f->vn->ops->truncate(f->vn, size) : -EINVAL;
    vfs_unlock();
    return r;
}

int vfs_fsync(struct vfs_ctx *ctx, int fd)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    int r = !f ? -EBADF : f->vn->ops->fsync ? f->vn->ops->fsync(f->vn, f->handle) : 0;
    vfs_unlock();
    return r;
}

int vfs_readdir(struct vfs_ctx *ctx, int fd, struct vfs_dirent *out)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    int r;
    if (!f)
        r = -EBADF;
    else if (f->vn->type != VFS_TYPE_DIR)
        r = -ENOTDIR;
    else if (!f->vn->ops->readdir)
        r = -EINVAL;
    else
        r = f->vn->ops->readdir(f->vn, f->handle, &f->off, out);
    vfs_unlock();
    return r;
}

int vfs_syncfs(struct vfs_ctx *ctx, int fd)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    struct vfs_mount *m = f ? (f->node ? f->node : f->vn)->mnt : NULL;
    int r = !f ? -EBADF : (m->type && m->type->sync) ? m->type->sync(m) : 0;
    vfs_unlock();
    return r;
}

int vfs_fstatfs(struct vfs_ctx *ctx, int fd, struct vfs_statfs *st)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    int r = f ? vfs_statfs_locked((f->node ? f->node : f->vn)->mnt, st) : -EBADF;
    vfs_unlock();
    return r;
}

/* ---- Direct I/O: transfers in place, to or from pinned pages ---- */

uint32_t vfs_direct_align(struct vfs_ctx *ctx, int fd)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    struct vfs_stat st;
    uint32_t a = 0;
    if (f && (f->flags & VFS_O_DIRECT) && f->vn->ops->rw_pages &&
        vfs_getattr_locked(f->vn, &st) == 0 && st.blksize > 0)
        a = st.blksize;
    vfs_unlock();
    return a;
}

long vfs_rw_pages(struct vfs_ctx *ctx, int fd, const struct vfs_pages *pg, bool write, bool at,
                  uint64_t off)
{
    vfs_lock();
    struct vfs_file *f = get_file(ctx, fd);
    long r;
    int mode = f ? f->flags & VFS_O_ACCMODE : 0;
    if (!f || mode == (write ? VFS_O_RDONLY : VFS_O_WRONLY)) {
        r = -EBADF;
    } else if (!(f->flags & VFS_O_DIRECT) || !f->vn->ops->rw_pages ||
               (write && (f->flags & VFS_O_APPEND))) {
        r = -ENOTBLK;
    } else {
        uint64_t pos = at ? off : f->off;
        bool unlocked =
            devfs_block_device(f->vn) != NULL && blockdev_unlocked(f, !at, write, pos, pg->len);
        /* As blockdev_io(): a disk wait without the VFS lock, the open file
         * kept alive by an extra reference. */
        f->refs++;
        if (unlocked)
            vfs_unlock();
        r = f->vn->ops->rw_pages(f->vn, f->handle, pos, pg, write);
        if (unlocked)
            vfs_lock();
        if (!at && r > 0)
            f->off = pos + (uint64_t)r;
        file_put(f);
    }
    vfs_unlock();
    return r;
}
