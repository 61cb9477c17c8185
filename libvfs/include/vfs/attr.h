/**
 * @file vfs/attr.h
 * @brief The types of file attributes that the VFS, its file systems and the
 * system calls share: times with nanoseconds, device numbers, and what a
 * setattr changes (`struct vfs_attr`). The calls that change attributes are in
 * vfs/vfs_attr.h.
 */
#ifndef VFS_ATTR_H
#define VFS_ATTR_H

#include <stdint.h>

/** @brief A time: seconds since the epoch and nanoseconds (Linux's struct timespec). */
struct vfs_time {
    int64_t sec;   /**< Seconds since 1970-01-01 UTC (negative before). */
    uint32_t nsec; /**< Nanoseconds, 0..999999999 (or VFS_NSEC_NOW / VFS_NSEC_OMIT in a
                        time to set). */
};

#define VFS_NSEC_NOW  ((1u << 30) - 1) /**< vfs_time.nsec of a time to set: now (UTIME_NOW). */
#define VFS_NSEC_OMIT ((1u << 30) - 2) /**< vfs_time.nsec of a time to set: keep (UTIME_OMIT). */

/**
 * @name Device numbers (vfs_stat.rdev, vfs_mknod)
 * Linux's encoding of a dev_t, so st_rdev passes straight to user space.
 */
/** @{ */
/** @brief A device number from its major and minor numbers. */
#define VFS_MKDEV(ma, mi)                                                                          \
    ((((uint64_t)(ma)&0xfffff000u) << 32) | (((uint64_t)(ma)&0xfffu) << 8) |                       \
     (((uint64_t)(mi)&0xffffff00u) << 12) | ((uint64_t)(mi)&0xffu))
/** @brief The major number of device number @p d. */
#define VFS_MAJOR(d) ((uint32_t)((((d) >> 32) & 0xfffff000u) | (((d) >> 8) & 0xfffu)))
/** @brief The minor number of device number @p d. */
#define VFS_MINOR(d) ((uint32_t)((((d) >> 12) & 0xffffff00u) | ((d)&0xffu)))
/** @} */

/** @name vfs_attr.mask: what a setattr changes */
/** @{ */
#define VFS_ATTR_MODE  0x01 /**< mode (permission bits). */
#define VFS_ATTR_UID   0x02 /**< uid. */
#define VFS_ATTR_GID   0x04 /**< gid. */
#define VFS_ATTR_ATIME 0x08 /**< atime. */
#define VFS_ATTR_MTIME 0x10 /**< mtime. */
/** @} */

/**
 * @brief Attributes to change (the setattr vnode op). The VFS has resolved
 * every rule before the op sees it: times are concrete (never VFS_NSEC_NOW or
 * VFS_NSEC_OMIT), mode holds permission bits only, and ctime is the time of
 * the change, which the file system records as the node's ctime.
 */
struct vfs_attr {
    uint32_t mask;         /**< VFS_ATTR_* bits: the fields to change. */
    uint32_t mode;         /**< New permission bits (07777). */
    uint32_t uid;          /**< New owner. */
    uint32_t gid;          /**< New group. */
    struct vfs_time atime; /**< New access time. */
    struct vfs_time mtime; /**< New modification time. */
    struct vfs_time ctime; /**< The change time to record (now). */
};

#endif
