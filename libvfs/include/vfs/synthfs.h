/**
 * @file vfs/synthfs.h
 * @brief Synthetic file trees: files whose bytes are generated when they are
 * opened, directories whose entries come from a table and a callback, and
 * symbolic links whose targets are computed (the machinery under /proc).
 *
 * A tree is one array of @ref synthfs_entry, the index of an entry being its
 * identity (entry 0 is the root). An entry is a file (its @c show callback
 * writes the contents into a @ref synthfs_buf), a symlink (@c link writes the
 * target) or a directory: its fixed children are listed by index in @c kids,
 * and it may also have children made on the fly by @c next and @c lookup
 * (the processes of /proc, the descriptors of /proc/PID/fd).
 *
 * Every node carries a 64-bit argument: a fixed child inherits its parent's,
 * a dynamic child gets the one its callback returns (a pid, a pid and a
 * descriptor). Callbacks receive it with the tree's context pointer. A node's
 * inode number is made of (argument, entry), so two lookups of one node give
 * vnodes that the VFS sees as the same; the argument must stay below 2^53.
 *
 * Contents are generated once per open, into memory owned by the open file, so
 * a reader sees one consistent snapshot however small its reads are (as Linux's
 * seq_file gives). Sizes read 0 in stat, as in Linux's /proc.
 *
 * The file system is read-only: create, write, mkdir and the rest fail with
 * -EPERM or -EACCES (opening for writing). Callbacks run with the VFS's
 * namespace lock held, so they must not call the VFS's locking entry points
 * (vfs_for_each_mount_locked() is the one to use).
 *
 * A concrete file system (procfs) defines its own `struct vfs_fs_type` whose
 * mount op calls synthfs_mount() with its tree and whose unmount is
 * synthfs_unmount().
 */
#ifndef VFS_SYNTHFS_H
#define VFS_SYNTHFS_H

#include <stddef.h>
#include <stdint.h>
#include <vfs/vfs.h>

#define SYNTHFS_FILE_MAX     (1u << 20) /**< Largest generated file (bytes). */
#define SYNTHFS_ENTRIES_MAX  1024       /**< Most entries in one tree. */
#define SYNTHFS_DYN_NAME_MAX 32         /**< Longest dynamic name, with the NUL. */

/** @brief A growing text buffer that a callback writes a file's bytes into. */
struct synthfs_buf {
    char *data; /**< The bytes (vfs_alloc'd; NULL while empty). */
    size_t len; /**< Bytes written. */
    size_t cap; /**< Bytes allocated. */
    int err;    /**< First error (-ENOMEM, -EFBIG past SYNTHFS_FILE_MAX), else 0. */
};

/**
 * @brief Append formatted text (kvformat() conversions).
 * @param b   the buffer
 * @param fmt the format, then its arguments
 * @return @p b's error so far (0 when all was kept)
 */
int synthfs_printf(struct synthfs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * @brief Append bytes (NULs included).
 * @param b the buffer
 * @param p the bytes
 * @param n how many
 * @return @p b's error so far
 */
int synthfs_write(struct synthfs_buf *b, const void *p, size_t n);

/** @brief Free a buffer's memory and empty it. @param b the buffer */
void synthfs_buf_free(struct synthfs_buf *b);

/** @brief A child made on the fly by a directory's callbacks. */
struct synthfs_child {
    char name[SYNTHFS_DYN_NAME_MAX]; /**< Its name (NUL-terminated). */
    uint16_t entry;                  /**< Index of its entry in the tree. */
    uint64_t arg;                    /**< Its argument (below 2^53). */
};

/** @brief One node of a tree (see the file comment). */
struct synthfs_entry {
    const char *name; /**< Name in its parent (fixed children; unused for dynamic ones). */
    uint32_t type;    /**< VFS_TYPE_FILE, VFS_TYPE_DIR or VFS_TYPE_SYMLINK. */
    uint32_t mode;    /**< Permission bits shown by stat. */
    /** @brief Files: write the contents. @return 0 or a negative error (open fails with it) */
    int (*show)(void *ctx, uint64_t arg, struct synthfs_buf *out);
    /** @brief Symlinks: write the target. @return 0 or a negative error */
    int (*link)(void *ctx, uint64_t arg, struct synthfs_buf *out);
    const uint16_t *kids; /**< Directories: indexes of the fixed children. */
    uint16_t nkids;       /**< How many. */
    /**
     * @brief Directories (may be NULL): the dynamic child at or after *@p cookie
     * (0 first), advancing *@p cookie past it.
     * @return 1 with a child, 0 at the end, or a negative error
     */
    int (*next)(void *ctx, uint64_t arg, uint64_t *cookie, struct synthfs_child *out);
    /**
     * @brief Directories (NULL when @c next is): the dynamic child named @p name.
     * @return 0, -ENOENT, or another negative error
     */
    int (*lookup)(void *ctx, uint64_t arg, const char *name, struct synthfs_child *out);
};

/** @brief A tree and the context its callbacks get (caller-owned; must outlive the mount). */
struct synthfs_tree {
    const struct synthfs_entry *entries; /**< The entries; [0] is the root directory. */
    uint16_t count;                      /**< How many (at most SYNTHFS_ENTRIES_MAX). */
    void *ctx;                           /**< Passed to every callback. */
};

/**
 * @brief Check a tree: every entry has the callback its type needs, every
 * child index is in range, the root is a directory.
 * @param tree the tree
 * @return 0 or -EINVAL
 */
int synthfs_check(const struct synthfs_tree *tree);

/**
 * @brief Mount op body: check @p tree and make its root vnode.
 * @param mnt  the mount being made (its priv becomes @p tree)
 * @param tree the tree
 * @param root filled with the root vnode (one reference)
 * @return 0, -EINVAL for a bad tree, -ENOMEM
 */
int synthfs_mount(struct vfs_mount *mnt, const struct synthfs_tree *tree, struct vnode **root);

/** @brief Unmount op (nothing to free: the tree is the caller's). @param mnt the mount @return 0 */
int synthfs_unmount(struct vfs_mount *mnt);

/**
 * @brief The inode number of node (@p entry, @p arg), as stat shows it.
 * @param entry index in the tree
 * @param arg   the node's argument
 * @return the number
 */
uint64_t synthfs_ino(uint16_t entry, uint64_t arg);

#endif
