/**
 * @file vfs/sfs_vfs.h
 * @brief The SFS file system (libsfs) under the VFS: type "sfs", mounted from a
 * `struct block_device` (dev/block.h).
 *
 * A vnode is an inode: there is one vnode per inode per mount, and it holds
 * the inode (sfs_iget) until its last reference goes, so it keeps naming the
 * same file whatever happens to the names (a working directory inside a
 * renamed directory, a descriptor on a file renamed over or unlinked). An
 * inode unlinked while held lives on libsfs's orphan list and is freed by the
 * last put, or by the next mount after a crash.
 *
 * Locking: the vnode ops run under the VFS lock; sfs_vfs_format() and
 * sfs_vfs_check() take the VFS lock themselves (call them without it), so
 * neither races a mount or a file operation. A device is mounted at most once.
 * libsfs gets no lock hooks: the VFS lock is what serialises each volume, and
 * it is held across the volume's disk waits, except the device reads of a
 * read's streamed runs (libsfs's io_unlock hook: vfs_io_unlock()). sfs_vfs_blank()
 * only reads the device, without the VFS lock.
 */
#ifndef VFS_SFS_VFS_H
#define VFS_SFS_VFS_H

#include <dev/block.h>
#include <vfs/vfs.h>

struct sfs;

/** @brief The "sfs" type, to register with vfs_register_fs(); the source is a block device. */
extern const struct vfs_fs_type sfs_vfs_type;

/**
 * @brief Format a block device with SFS (default geometry: 4 KiB blocks),
 * unless it is mounted: the check and the format are one step under the VFS lock.
 * @param dev the device
 * @return 0, -EBUSY if it is mounted, -ENODEV (NULL), or a negative error
 */
int sfs_vfs_format(struct block_device *dev);

/**
 * @brief The libsfs volume behind a mount of type "sfs" (for statistics). Use
 * it only under the VFS lock (e.g. in a vfs_for_each_mount() callback).
 * @param mnt a mount of type sfs
 * @return the volume, or NULL for another type
 */
struct sfs *sfs_vfs_volume(struct vfs_mount *mnt);

/**
 * @brief Memory the volume's block cache takes (Buffers in /proc/meminfo).
 * @param mnt any mount
 * @return bytes, or 0 for a mount of another type
 */
size_t sfs_vfs_cache_bytes(struct vfs_mount *mnt);

/**
 * @brief The block device behind a mount of type "sfs".
 * @param mnt a mount
 * @return the device, or NULL for another type
 */
struct block_device *sfs_vfs_device(struct vfs_mount *mnt);

/**
 * @brief Is the device blank (its first MiB all zeros)? Such a disk may be
 * formatted automatically; anything else never is.
 * @param dev the device
 * @return 1 if blank, 0 if not, or a negative error from reading it
 */
int sfs_vfs_blank(struct block_device *dev);

/**
 * @brief Check the SFS volume on @p dev (fsck), under the VFS lock from start
 * to end: if @p dev is mounted, its live volume (synced first; never a second
 * mount of a mounted device), else @p dev mounted just for the check, so that
 * nothing can mount or format it meanwhile. Nothing is repaired.
 *
 * @p report runs after the lock is dropped (it may write to a file): it gets
 * the first 64 problems, then one "... and N more" line.
 * @param dev     the device
 * @param report  called with one line of text per problem (may be NULL)
 * @param ctx     passed to @p report
 * @return the number of problems (0: clean), or a negative error (-ENODEV for
 *         NULL, -ENOMEM; the volume does not mount: -EMEDIUMTYPE, -EUCLEAN,
 *         -ENOTSUP, -EIO)
 */
long sfs_vfs_check(struct block_device *dev, void (*report)(void *ctx, const char *line),
                   void *ctx);

#endif
