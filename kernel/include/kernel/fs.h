/**
 * @file kernel/fs.h
 * @brief The kernel's file-system tree: the VFS set up with libmm and a
 * sleeping mutex, and what is mounted at boot.
 *
 * At boot: the first virtio disk (vda) is mounted at `/` with SFS. A disk whose
 * first MiB is all zeros is formatted first (with a message); any other disk
 * that fails to mount is never formatted automatically: the reason is printed
 * and `/` is a ramfs instead (the shell's `fsck` and `mkfs` can then help).
 * Without a disk `/` is a ramfs too. `/dev` (devfs) and `/tmp` (ramfs) are
 * mounted on top.
 *
 * Then the initrd: the multiboot2 module named "initrd" (else the first
 * module), a cpio newc archive (vfs/cpio.h). It is checked whole first; a
 * malformed one prints `initrd: malformed archive: <reason>` and nothing of it
 * is mounted. Otherwise each top-level directory (bin, sbin, etc, ...) is
 * unpacked into its own ramfs mounted at `/<name>` over the root (the
 * directory is made on the root if missing), so the system programs are those
 * of the booted image and the disk's own `/bin` is hidden, never changed.
 * Without a module: `initrd: none (no system programs in /bin)`.
 */
#ifndef KERNEL_FS_H
#define KERNEL_FS_H

#include <vfs/vfs.h>

/**
 * @brief Set up the VFS and mount the boot tree. Call after the scheduler and
 * the devices are up.
 * @return 0 or a negative error (the tree may then be incomplete)
 */
int kernel_fs_init(void);

/** @brief The kernel's own VFS context (root and cwd "/"). @return it */
struct vfs_ctx *kernel_vfs_ctx(void);

/**
 * @brief Sync every file system, then unmount them all (shutdown and reboot).
 * @return 0 or the first error
 */
int kernel_fs_shutdown(void);

/**
 * @brief Why the disk did not become the root (for the shell's messages).
 * @return 0 if it did, or the mount error
 */
int kernel_fs_root_error(void);

#endif
