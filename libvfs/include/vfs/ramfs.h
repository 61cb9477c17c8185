/**
 * @file vfs/ramfs.h
 * @brief A file system in memory: files, directories, symbolic links and hard
 * links, lost at reboot. Mounted as the root when there is no disk, and at /tmp.
 *
 * Locking: every op runs under the VFS's namespace lock, which guards a
 * mount's nodes, their data and its byte and node counts; ramfs has no stream
 * ops, so the VFS never drops the lock around its I/O.
 */
#ifndef VFS_RAMFS_H
#define VFS_RAMFS_H

#include <vfs/vfs.h>

/** Default capacity of one ramfs (file data), when mounted without options. */
#define RAMFS_DEFAULT_MAX (32ull << 20)

/** @brief Mount options: pass a pointer to this as the mount source (or NULL). */
struct ramfs_options {
    uint64_t max_bytes; /**< Most bytes of file data (-ENOSPC beyond). */
    uint64_t max_nodes; /**< Most files, directories and links (0: no limit). */
};

/** @brief The "ramfs" type, to register with vfs_register_fs(). */
extern const struct vfs_fs_type ramfs_type;

#endif
