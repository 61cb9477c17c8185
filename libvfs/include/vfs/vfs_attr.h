/**
 * @file vfs/vfs_attr.h
 * @brief Calls that change attributes (chmod, chown, utimensat), make special
 * nodes (mknod), and open them (named FIFOs, device nodes).
 *
 * Credentials: Kestrel has one user, root (uid 0, gid 0), so every process may
 * change every file's mode, owner and times; the rules POSIX and Linux apply
 * to root are applied here, in the VFS, for every file system alike:
 * - chown of a non-directory clears the set-user-ID bit, and the set-group-ID
 *   bit when group execute is set (Linux does this even for root, and even
 *   when the owner does not change);
 * - every change sets ctime to now; times set to VFS_NSEC_NOW are now, those
 *   set to VFS_NSEC_OMIT are kept, and setting both to OMIT changes nothing;
 * - a read-only mount refuses with -EROFS; a file system without a setattr op
 *   with -EPERM.
 *
 * Special nodes keep no data of their own. Opening one redirects the open file
 * to what does its I/O (vfs_file.node keeps the named node for fstat and
 * friends): a FIFO to a pipe made by the provider given to
 * vfs_set_fifo_ops() and shared by everyone who has it open; a character or
 * block device node to the devfs device with its device number (devfs.h);
 * a socket node is -ENXIO.
 *
 * Locking: each call takes the namespace lock (vfs/vfs.h); a FIFO's open waits
 * for its other end without it. The FIFO provider is set once at boot
 * (vfs_set_fifo_ops()) and only read afterwards.
 */
#ifndef VFS_VFS_ATTR_H
#define VFS_VFS_ATTR_H

#include <vfs/vfs.h>

#define VFS_ID_KEEP 0xffffffffu /**< vfs_chown(): leave this id as it is ((uid_t)-1). */

/**
 * @brief Change permission bits (chmod(2), fchmodat(2)).
 * @param ctx    context
 * @param path   path
 * @param follow follow a final symlink (false: the link itself, which Linux
 *               refuses with -ENOTSUP (EOPNOTSUPP))
 * @param mode   new bits; only 07777 is kept
 * @return 0, -EROFS, -EPERM (the file system keeps no modes), -ENOTSUP (EOPNOTSUPP), or
 *         the walk's error
 */
int vfs_chmod(struct vfs_ctx *ctx, const char *path, bool follow, uint32_t mode);

/**
 * @brief vfs_chmod() on an open descriptor (fchmod(2)).
 * @param ctx context @param fd descriptor @param mode new bits
 * @return 0, -EBADF, or as vfs_chmod()
 */
int vfs_fchmod(struct vfs_ctx *ctx, int fd, uint32_t mode);

/**
 * @brief Change owner and group (chown(2), lchown(2), fchownat(2)).
 * @param ctx    context
 * @param path   path
 * @param follow follow a final symlink (false: change the link itself)
 * @param uid    new owner, or VFS_ID_KEEP
 * @param gid    new group, or VFS_ID_KEEP
 * @return 0, -EROFS, -EPERM, or the walk's error
 */
int vfs_chown(struct vfs_ctx *ctx, const char *path, bool follow, uint32_t uid, uint32_t gid);

/**
 * @brief vfs_chown() on an open descriptor (fchown(2)).
 * @param ctx context @param fd descriptor @param uid new owner @param gid new group
 * @return 0, -EBADF, or as vfs_chown()
 */
int vfs_fchown(struct vfs_ctx *ctx, int fd, uint32_t uid, uint32_t gid);

/**
 * @brief Set access and modification times (utimensat(2)).
 * @param ctx    context
 * @param path   path
 * @param follow follow a final symlink (false: the link's own times)
 * @param times  access time, then modification time; each nsec may be
 *               VFS_NSEC_NOW or VFS_NSEC_OMIT
 * @return 0, -EINVAL for a nsec out of range, -EROFS, -EPERM, or the walk's
 *         error
 */
int vfs_utimens(struct vfs_ctx *ctx, const char *path, bool follow, const struct vfs_time times[2]);

/**
 * @brief vfs_utimens() on an open descriptor (futimens(3)).
 * @param ctx context @param fd descriptor @param times as vfs_utimens()
 * @return 0, -EBADF, or as vfs_utimens()
 */
int vfs_futimens(struct vfs_ctx *ctx, int fd, const struct vfs_time times[2]);

/**
 * @brief Make a node (mknod(2)): a FIFO, a device or socket node, or (with
 * VFS_TYPE_FILE) an empty regular file.
 * @param ctx  context
 * @param path the new name
 * @param type VFS_TYPE_FILE, _FIFO, _CHARDEV, _BLOCKDEV or _SOCKET
 * @param mode permission bits (the caller has applied its umask)
 * @param rdev device number (VFS_MKDEV) for _CHARDEV and _BLOCKDEV; ignored
 *             otherwise
 * @return 0, -EEXIST, -EINVAL for another type, -EPERM when the file system
 *         cannot make such nodes, -EROFS, or the walk's error
 */
int vfs_mknod(struct vfs_ctx *ctx, const char *path, uint32_t type, uint32_t mode, uint64_t rdev);

/** @brief What makes the pipes behind named FIFOs (the process layer's pipes). */
struct vfs_fifo_ops {
    /**
     * @brief Make a pipe: a stream vnode (one reference) whose open op counts
     * readers (VFS_O_RDONLY), writers (VFS_O_WRONLY) or both (VFS_O_RDWR), and
     * fails an open for writing with VFS_O_NONBLOCK by -ENXIO while nobody
     * reads. Called with the VFS lock held.
     */
    int (*create)(struct vnode **out);
    /**
     * @brief Called without the VFS lock after @p pipe was opened as
     * @p handle with @p flags: wait until the other end has been opened
     * (a reader waits for a writer and a writer for a reader; VFS_O_RDWR and
     * VFS_O_NONBLOCK never wait).
     * @return 0, or -EINTR when a signal came first
     */
    int (*wait)(struct vnode *pipe, void *handle, int flags);
};

/**
 * @brief Name the provider of pipes for named FIFOs. Without one, opening a
 * FIFO node fails with -ENXIO.
 * @param ops the provider (must outlive its use), or NULL for none
 */
void vfs_set_fifo_ops(const struct vfs_fifo_ops *ops);

#endif
