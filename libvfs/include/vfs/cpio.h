/**
 * @file vfs/cpio.h
 * @brief Read a cpio `newc` archive (the initrd) and unpack it into the VFS.
 *
 * Two layers:
 * - **Parser** (vfs_cpio_next): a pure walk over the archive in memory, one
 *   entry at a time. Every size and offset is checked against the archive's
 *   length before it is used, so a malformed archive gives -EINVAL and a
 *   reason, never a read out of bounds. Checked: the magic "070701", the 13
 *   hex fields, the name size (at least 2, NUL-terminated, no NUL inside), the
 *   4-byte padding after the name and after the data, the data size, the
 *   "TRAILER!!!" entry at the end, and the names: relative, no "." or ".."
 *   component (a leading "./" is dropped), no empty component, at most
 *   VFS_PATH_MAX - 1 bytes.
 * - **Unpacker** (vfs_cpio_unpack): validates the whole archive first (so a
 *   malformed one changes nothing), then creates its regular files,
 *   directories and symbolic links below a directory, with their permission
 *   bits. Missing parent directories are created (0755). Other types (devices,
 *   pipes) are skipped with a report. Hard links are not recognised: each name
 *   becomes its own file with the data stored under it.
 *
 * Memory: the archive is the caller's and must stay readable during the call;
 * entries point into it. Nothing is allocated but what the VFS calls allocate.
 * Locking: the unpacker uses the ordinary VFS calls (each takes the namespace
 * lock); the parser touches no shared state.
 */
#ifndef VFS_CPIO_H
#define VFS_CPIO_H

#include <stddef.h>
#include <stdint.h>
#include <vfs/vfs.h>

#define VFS_CPIO_HEADER_SIZE 110 /**< Bytes of a newc header before the name. */

/** @brief A position in an archive (fill with vfs_cpio_begin()). */
struct vfs_cpio_iter {
    const uint8_t *data; /**< The archive. */
    size_t len;          /**< Its length. */
    size_t off;          /**< Offset of the next header. */
    int done;            /**< The trailer was reached. */
    const char *error;   /**< Why the archive is malformed (static text), or NULL. */
    size_t error_off;    /**< Offset of the header where the error was found. */
};

/** @brief One archive entry; its pointers point into the archive. */
struct vfs_cpio_entry {
    const char *name; /**< Path, NUL-terminated, leading "./" dropped ("" for "."). */
    uint32_t mode;    /**< Type (S_IFMT bits) and permissions, as stored. */
    uint32_t type;    /**< VFS_TYPE_FILE, _DIR, _SYMLINK, or 0 for other types. */
    const void *data; /**< File contents or symlink target (not NUL-terminated). */
    size_t size;      /**< Bytes at @ref data. */
    uint32_t mtime;   /**< Modification time as stored. */
};

/**
 * @brief Start walking an archive.
 * @param it   filled in
 * @param data the archive
 * @param len  its length in bytes
 */
void vfs_cpio_begin(struct vfs_cpio_iter *it, const void *data, size_t len);

/**
 * @brief The next entry.
 * @param it  the walk
 * @param out filled in when 1 is returned
 * @return 1 with an entry, 0 at the trailer, -EINVAL for a malformed archive
 *         (it->error says why; later calls return the same error)
 */
int vfs_cpio_next(struct vfs_cpio_iter *it, struct vfs_cpio_entry *out);

/**
 * @brief Check a whole archive without unpacking it.
 * @param data  the archive
 * @param len   its length
 * @param why   set to the reason when it is malformed (static text; may be NULL)
 * @return the number of entries (not counting the trailer), or -EINVAL
 */
long vfs_cpio_check(const void *data, size_t len, const char **why);

/** @brief What vfs_cpio_unpack() made. */
struct vfs_cpio_stats {
    uint32_t files;    /**< Regular files written. */
    uint32_t dirs;     /**< Directories made (or found existing). */
    uint32_t symlinks; /**< Symbolic links made. */
    uint32_t skipped;  /**< Entries left out (unsupported type or an error). */
};

/**
 * @brief Unpack an archive (or one top-level directory of it) below @p dest.
 * @param ctx    context for the paths
 * @param dest   an existing directory (absolute, or relative to @p ctx)
 * @param subdir NULL for every entry; else only the entries below the
 *               top-level directory of this name, with it stripped ("bin":
 *               "bin/ls" becomes @p dest/ls; "bin" itself is skipped)
 * @param data   the archive
 * @param len    its length
 * @param stats  filled in (may be NULL)
 * @param report called with a message for each entry that could not be made
 *               and for a malformed archive (may be NULL)
 * @param rctx   passed to @p report
 * @return 0 (entries that could not be made, e.g. a path too long with
 *         @p dest in front, are reported and counted as skipped; the rest are
 *         still made), or -EINVAL for a malformed archive (then nothing is made)
 */
int vfs_cpio_unpack(struct vfs_ctx *ctx, const char *dest, const char *subdir, const void *data,
                    size_t len, struct vfs_cpio_stats *stats,
                    void (*report)(void *rctx, const char *msg), void *rctx);

#endif
