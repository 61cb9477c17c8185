/*
 * vfs_priv.h - what the VFS's own files share (not public).
 */
#ifndef VFS_PRIV_H
#define VFS_PRIV_H

#include <k/errno.h>
#include <vfs/vfs.h>

/* The namespace lock (config hooks). */
void vfs_lock(void);
void vfs_unlock(void);

/* Reads of regular files may let the namespace lock go while their device
 * works (a file system's io_unlock hook calls vfs_io_unlock()). Each read sets
 * whether its own may, with the lock held, before calling the file system:
 * only the lock holder reads or writes the setting, and a read that may not
 * keeps the lock throughout, so no other read can change it under it. */
void vfs_io_allow_unlock(bool ok);
/* Release the lock if the running read allows it; true if released (take it
 * back with vfs_lock()). Lock held. */
bool vfs_io_unlock(void);

/* Same node? (Transient vnodes of one inode compare equal.) */
bool vnode_same(const struct vnode *a, const struct vnode *b);

/* Replace a mount point by the root of what is mounted on it (consumes @vn). */
struct vnode *vfs_cross_down(struct vnode *vn);

/* Resolve @path to a vnode (one reference). Lock held. */
int vfs_walk(struct vfs_ctx *ctx, const char *path, bool follow, struct vnode **out);

/* Resolve all but the last component: the directory (one reference) and the
 * last name (NUL-terminated, <= VFS_NAME_MAX). Fails with -EEXIST for "/" and
 * -EINVAL when the last component is "." or "..". Lock held. */
int vfs_walk_parent(struct vfs_ctx *ctx, const char *path, struct vnode **dir, char *name);

/* Attributes of a vnode (type and dev filled in by the VFS). Lock held. */
int vfs_getattr_locked(struct vnode *vn, struct vfs_stat *st);

/* Statistics of mount @m (vfs_statfs and vfs_fstatfs). Lock held. */
int vfs_statfs_locked(struct vfs_mount *m, struct vfs_statfs *st);

/* Resolve the parent of @path, check it is writable, then run @fn on
 * (dir, name) with the lock held (vfs_path.c). */
int vfs_in_parent(struct vfs_ctx *ctx, const char *path,
                  int (*fn)(struct vnode *dir, const char *name, void *arg), void *arg);

/* A FIFO, device or socket node whose file system does no I/O for it: opening
 * it goes elsewhere (vfs_attr.c). */
bool vfs_is_special(const struct vnode *vn);

/* The vnode that does special node @node's I/O, with a reference: its FIFO's
 * pipe (made on first use) or its devfs device; -ENXIO, -EACCES. Lock held. */
int vfs_special_get_locked(struct vnode *node, struct vnode **io);

/* Drop what vfs_special_get_locked() gave; the last open of a FIFO lets go of
 * its pipe. Lock held. */
void vfs_special_put_locked(struct vnode *node, struct vnode *io);

/* After opening @io (as @handle, with @flags) for @node: a FIFO waits for its
 * other end. Lock NOT held. 0 or -EINTR. */
int vfs_special_wait(struct vnode *node, struct vnode *io, void *handle, int flags);

/* -EROFS when @vn's file system is mounted read-only, else 0. */
static inline int vfs_check_writable(const struct vnode *vn)
{
    return (vn->mnt->flags & VFS_MNT_RDONLY) ? -EROFS : 0;
}

#endif
