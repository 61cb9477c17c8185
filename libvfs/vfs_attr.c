/*
 * vfs_attr.c - attributes and special nodes (vfs/vfs_attr.h): chmod, chown,
 * utimensat and mknod by path and by descriptor, and where opening a special
 * node leads (a named FIFO's pipe, a device node's devfs device).
 *
 * Layer: beside the calls by path (vfs_path.c) and on descriptors
 * (vfs_file.c); over the file systems' setattr and mknod ops. Every rule of
 * vfs/vfs_attr.h (ownership, the set-ID bits, NOW and OMIT, ctime, read-only
 * mounts) is applied here once, in setattr_locked(), so a file system's op
 * only stores what it is given.
 *
 * Named FIFOs: the first open makes a pipe through the provider
 * (vfs_set_fifo_ops) and hangs it on the node (vnode.fifo, one reference);
 * every open file of the node holds another. When the last such file closes,
 * the node lets go of the pipe (vfs_special_put_locked), so what was left in
 * it is discarded as POSIX says.
 *
 * Locking: the namespace lock, as everywhere in the VFS; a FIFO's wait for
 * its other end runs without it (vfs_file.c).
 */
#include <k/errno.h>
#include <string.h>
#include <vfs/devfs.h>
#include <vfs/vfs_attr.h>

#include "vfs_priv.h"

#define S_ISUID 04000
#define S_ISGID 02000
#define S_IXGRP 00010

static const struct vfs_fifo_ops *fifo_ops;

void vfs_set_fifo_ops(const struct vfs_fifo_ops *ops)
{
    fifo_ops = ops;
}

/* A time to set: valid nanoseconds, or one of the two markers. */
static bool time_ok(const struct vfs_time *t)
{
    return t->nsec < 1000000000u || t->nsec == VFS_NSEC_NOW || t->nsec == VFS_NSEC_OMIT;
}

/* Apply @a to @vn after the rules of vfs/vfs_attr.h: @a->mask says what the
 * caller asks; times may still be NOW or OMIT here. Lock held. */
static int setattr_locked(struct vnode *vn, struct vfs_attr *a)
{
    if ((a->mask & VFS_ATTR_ATIME) && a->atime.nsec == VFS_NSEC_OMIT)
        a->mask &= ~(uint32_t)VFS_ATTR_ATIME;
    if ((a->mask & VFS_ATTR_MTIME) && a->mtime.nsec == VFS_NSEC_OMIT)
        a->mask &= ~(uint32_t)VFS_ATTR_MTIME;
    bool chown = (a->mask & (VFS_ATTR_UID | VFS_ATTR_GID)) != 0;
    if (!a->mask)
        return 0; /* utimensat with both times omitted: nothing changes, not even ctime */
    int err = vfs_check_writable(vn);
    if (err)
        return err;
    if (!vn->ops->setattr)
        return -EPERM;
    struct vfs_time now = vfs_now_time();
    if ((a->mask & VFS_ATTR_ATIME) && a->atime.nsec == VFS_NSEC_NOW)
        a->atime = now;
    if ((a->mask & VFS_ATTR_MTIME) && a->mtime.nsec == VFS_NSEC_NOW)
        a->mtime = now;
    a->ctime = now;
    a->mode &= 07777;
    if (chown && vn->type != VFS_TYPE_DIR) {
        /* Linux drops set-user-ID always and set-group-ID when it means
         * "run as the group" (group execute set), root or not. */
        struct vfs_stat st;
        err = vfs_getattr_locked(vn, &st);
        if (err)
            return err;
        uint32_t mode = st.mode & 07777;
        if (mode & S_ISUID)
            mode &= ~(uint32_t)S_ISUID;
        if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
            mode &= ~(uint32_t)S_ISGID;
        if (mode != (st.mode & 07777)) {
            a->mode = mode;
            a->mask |= VFS_ATTR_MODE;
        }
    }
    return vn->ops->setattr(vn, a);
}

/* Resolve @path and apply @a to it. */
static int setattr_path(struct vfs_ctx *ctx, const char *path, bool follow, struct vfs_attr *a)
{
    vfs_lock();
    struct vnode *vn;
    int err = vfs_walk(ctx, path, follow, &vn);
    if (!err) {
        /* Linux keeps no modes on symlinks: fchmodat(AT_SYMLINK_NOFOLLOW) is EOPNOTSUPP (=
         * ENOTSUP). */
        if ((a->mask & VFS_ATTR_MODE) && vn->type == VFS_TYPE_SYMLINK)
            err = -ENOTSUP;
        else
            err = setattr_locked(vn, a);
        vnode_put(vn);
    }
    vfs_unlock();
    return err;
}

/* Apply @a to what descriptor @fd has open (the named node of a special file). */
static int setattr_fd(struct vfs_ctx *ctx, int fd, struct vfs_attr *a)
{
    vfs_lock();
    struct vfs_file *f = fd >= 0 && fd < VFS_FD_MAX ? ctx->fds[fd] : NULL;
    int err = f ? setattr_locked(f->node ? f->node : f->vn, a) : -EBADF;
    vfs_unlock();
    return err;
}

int vfs_chmod(struct vfs_ctx *ctx, const char *path, bool follow, uint32_t mode)
{
    struct vfs_attr a = { .mask = VFS_ATTR_MODE, .mode = mode };
    return setattr_path(ctx, path, follow, &a);
}

int vfs_fchmod(struct vfs_ctx *ctx, int fd, uint32_t mode)
{
    struct vfs_attr a = { .mask = VFS_ATTR_MODE, .mode = mode };
    return setattr_fd(ctx, fd, &a);
}

/* The attributes of a chown: a kept id is no change, but the set-ID rules
 * and ctime apply all the same (as on Linux), hence an empty UID|GID ask is
 * still made: uid and gid then hold the current values. */
static void chown_attr(struct vfs_attr *a, uint32_t uid, uint32_t gid)
{
    memset(a, 0, sizeof(*a));
    a->mask = (uid != VFS_ID_KEEP ? VFS_ATTR_UID : 0) | (gid != VFS_ID_KEEP ? VFS_ATTR_GID : 0);
    a->uid = uid;
    a->gid = gid;
}

/* chown with both ids kept still touches ctime and the set-ID bits: ask for
 * the owner to be set to what it is. Lock held. */
static int chown_locked(struct vnode *vn, struct vfs_attr *a)
{
    if (!a->mask) {
        struct vfs_stat st;
        int err = vfs_getattr_locked(vn, &st);
        if (err)
            return err;
        a->mask = VFS_ATTR_UID;
        a->uid = st.uid;
    }
    return setattr_locked(vn, a);
}

int vfs_chown(struct vfs_ctx *ctx, const char *path, bool follow, uint32_t uid, uint32_t gid)
{
    struct vfs_attr a;
    chown_attr(&a, uid, gid);
    vfs_lock();
    struct vnode *vn;
    int err = vfs_walk(ctx, path, follow, &vn);
    if (!err) {
        err = chown_locked(vn, &a);
        vnode_put(vn);
    }
    vfs_unlock();
    return err;
}

int vfs_fchown(struct vfs_ctx *ctx, int fd, uint32_t uid, uint32_t gid)
{
    struct vfs_attr a;
    chown_attr(&a, uid, gid);
    vfs_lock();
    struct vfs_file *f = fd >= 0 && fd < VFS_FD_MAX ? ctx->fds[fd] : NULL;
    int err = f ? chown_locked(f->node ? f->node : f->vn, &a) : -EBADF;
    vfs_unlock();
    return err;
}

static int times_attr(struct vfs_attr *a, const struct vfs_time times[2])
{
    if (!time_ok(&times[0]) || !time_ok(&times[1]))
        return -EINVAL;
    *a = (struct vfs_attr){ .mask = VFS_ATTR_ATIME | VFS_ATTR_MTIME,
                            .atime = times[0],
                            .mtime = times[1] };
    return 0;
}

int vfs_utimens(struct vfs_ctx *ctx, const char *path, bool follow, const struct vfs_time times[2])
{
    struct vfs_attr a;
    int err = times_attr(&a, times);
    return err ? err : setattr_path(ctx, path, follow, &a);
}

int vfs_futimens(struct vfs_ctx *ctx, int fd, const struct vfs_time times[2])
{
    struct vfs_attr a;
    int err = times_attr(&a, times);
    return err ? err : setattr_fd(ctx, fd, &a);
}

struct mknod_args {
    uint32_t type, mode;
    uint64_t rdev;
};

static int do_mknod(struct vnode *dir, const char *name, void *arg)
{
    const struct mknod_args *m = arg;
    if (m->type == VFS_TYPE_FILE) {
        if (!dir->ops->create)
            return -EPERM;
        struct vnode *vn = NULL;
        int err = dir->ops->create(dir, name, m->mode, &vn);
        vnode_put(vn);
        return err;
    }
    if (!dir->ops->mknod)
        return -EPERM;
    bool dev = m->type == VFS_TYPE_CHARDEV || m->type == VFS_TYPE_BLOCKDEV;
    return dir->ops->mknod(dir, name, m->type, m->mode, dev ? m->rdev : 0);
}

int vfs_mknod(struct vfs_ctx *ctx, const char *path, uint32_t type, uint32_t mode, uint64_t rdev)
{
    switch (type) {
    case VFS_TYPE_FILE:
    case VFS_TYPE_FIFO:
    case VFS_TYPE_CHARDEV:
    case VFS_TYPE_BLOCKDEV:
    case VFS_TYPE_SOCKET:
        break;
    default:
        return -EINVAL;
    }
    struct mknod_args m = { .type = type, .mode = mode & 07777, .rdev = rdev };
    return vfs_in_parent(ctx, path, do_mknod, &m);
}

/* ---- opening special nodes ---- */

bool vfs_is_special(const struct vnode *vn)
{
    bool special = vn->type == VFS_TYPE_FIFO || vn->type == VFS_TYPE_CHARDEV ||
                   vn->type == VFS_TYPE_BLOCKDEV || vn->type == VFS_TYPE_SOCKET;
    return special && !vn->ops->read && !vn->ops->write;
}

int vfs_special_get_locked(struct vnode *node, struct vnode **io)
{
    struct vfs_stat st;
    int err;
    switch (node->type) {
    case VFS_TYPE_FIFO:
        if (!fifo_ops)
            return -ENXIO;
        if (!node->fifo) {
            err = fifo_ops->create(&node->fifo);
            if (err) {
                node->fifo = NULL;
                return err;
            }
        }
        *io = vnode_get(node->fifo);
        return 0;
    case VFS_TYPE_CHARDEV:
    case VFS_TYPE_BLOCKDEV:
        if (node->mnt->flags & VFS_MNT_NODEV)
            return -EACCES; /* as Linux: device nodes are inert on a nodev mount */
        err = vfs_getattr_locked(node, &st);
        return err ? err : devfs_rdev_vnode(node->type, st.rdev, io);
    default:
        return -ENXIO; /* a socket is reached with connect(2), not open(2) */
    }
}

void vfs_special_put_locked(struct vnode *node, struct vnode *io)
{
    vnode_put(io);
    /* The node's own reference is the last: nobody has the FIFO open. */
    if (node->fifo && node->fifo == io && io->refs == 1) {
        node->fifo = NULL;
        vnode_put(io);
    }
}

int vfs_special_wait(struct vnode *node, struct vnode *io, void *handle, int flags)
{
    if (node->type != VFS_TYPE_FIFO || !fifo_ops || !fifo_ops->wait)
        return 0;
    return fifo_ops->wait(io, handle, flags);
}
