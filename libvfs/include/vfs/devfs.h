/**
 * @file vfs/devfs.h
 * @brief /dev: `console`, `tty`, `null`, `zero`, `random`, `urandom`, and every
 * registered block device (`vda`, `ram0`, ...) as a file whose bytes are the
 * device's.
 *
 * Block devices are read and written at any byte offset and length (partial
 * blocks are read, patched and written back). `console` and `tty` are the
 * terminal (dev/tty.h) once devfs_set_tty() has named one: reads go through
 * its line discipline and may sleep. Before that they write to every console
 * and read whatever input is waiting (never blocking: 0 bytes when none).
 * `random` and `urandom` read the generator given to devfs_set_random()
 * (-ENXIO without one); writes to them are accepted and dropped.
 *
 * Locking: lookups, readdir and getattr run under the VFS lock. A block
 * device's read, write and rw_pages, and the terminal's read and write, run
 * without it (vfs/vfs.h): they touch only the device (the block layer and the
 * tty lock themselves) and memory from vfs_alloc(). A partial block is read,
 * patched and written back with no lock, so two writers of bytes of the same
 * block at once may lose one's bytes. devfs_set_tty() and devfs_set_random()
 * are called once at boot; the registry of block devices is dev/block.h's.
 */
#ifndef VFS_DEVFS_H
#define VFS_DEVFS_H

#include <vfs/vfs.h>

/**
 * @brief Major number of devfs's block devices: the n-th registered device
 * (from 0) is (254, n). The character devices have Linux's numbers: `null`
 * 1:3, `zero` 1:5, `random` 1:8, `urandom` 1:9, `tty` 5:0, `console` 5:1.
 */
#define DEVFS_BLOCK_MAJOR 254

/**
 * @brief The devfs vnode of device number @p rdev, for a device node on
 * another file system being opened. Uses the first devfs mount. VFS lock held.
 * @param type VFS_TYPE_CHARDEV or VFS_TYPE_BLOCKDEV
 * @param rdev the device number (VFS_MKDEV)
 * @param out  the vnode, with one reference
 * @return 0, or -ENXIO when no such device exists or devfs is not mounted
 */
int devfs_rdev_vnode(uint32_t type, uint64_t rdev, struct vnode **out);

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
struct tty;

/**
 * @brief The terminal behind `/dev/console` and `/dev/tty` (for every devfs
 * mount; vnodes looked up before the call keep what they had).
 * @param t the terminal, or NULL for the console registry; must outlive its use
 */
void devfs_set_tty(struct tty *t);

/**
 * @brief The generator behind `/dev/random` and `/dev/urandom`.
 * @param fill fills @p n bytes at @p buf, or NULL for none
 */
void devfs_set_random(void (*fill)(void *buf, size_t n));

/**
 * @brief The terminal an open devfs vnode is (`console` or `tty` with a
 * terminal set), for ioctl.
 * @param vn any vnode
 * @return the terminal, or NULL when @p vn is not one
 */
struct tty *devfs_tty(const struct vnode *vn);

/**
 * @brief Whether @p vn is `/dev/tty` (the caller's controlling terminal,
 * which a process without one may not open) rather than `/dev/console`.
 * @param vn any vnode
 * @return true for the `tty` node of a terminal
 */
bool devfs_is_dev_tty(const struct vnode *vn);

#endif
