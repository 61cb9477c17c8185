/**
 * @file vfs/devfs.h
 * @brief /dev: `console`, `null`, `zero`, and every registered block device
 * (`vda`, `ram0`, ...) as a file whose bytes are the device's.
 *
 * Block devices are read and written at any byte offset and length (partial
 * blocks are read, patched and written back). `console` writes to every console
 * and reads whatever input is waiting (never blocks: 0 bytes when none).
 */
#ifndef VFS_DEVFS_H
#define VFS_DEVFS_H

#include <vfs/vfs.h>

/** @brief The "devfs" type, to register with vfs_register_fs(). */
extern const struct vfs_fs_type devfs_type;

struct block_device;

/**
 * @brief The block device a devfs vnode stands for (mount(2) of a device path).
 * @param vn any vnode
 * @return the device, or NULL when @p vn is not a block device of devfs
 */
struct block_device *devfs_block_device(const struct vnode *vn);

/**
 * @brief Resolve @p path (following symlinks) to a block device of devfs.
 * @param ctx  context
 * @param path a path such as "/dev/vda"
 * @param out  the device (devices live as long as the system)
 * @return 0, -ENOTBLK when it names something else, or the walk's error
 */
int devfs_resolve_block(struct vfs_ctx *ctx, const char *path, struct block_device **out);

#endif
