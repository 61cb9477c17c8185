/**
 * @file vfs/vfs.h
 * @brief The virtual file system: vnodes, mounts, path walk, files and file
 * descriptors.
 *
 * Layers (top down):
 * - **Calls by path** (vfs_open, vfs_mkdir, vfs_stat, ...) taking a
 *   `struct vfs_ctx` (root, working directory, descriptor table): the shell has
 *   one now, processes will have theirs.
 * - **Path walk** from the root or the working directory, one component at a
 *   time through each directory's `lookup`, following symbolic links (at most
 *   VFS_SYMLINK_MAX per walk, else -ELOOP), entering mounted file systems at
 *   their mount points and leaving them again through `..`.
 * - **Vnodes**: a file system's in-memory node with an ops table
 *   (`struct vnode_ops`); reference counted; `release` tells the file system the
 *   last reference is gone.
 * - **File systems** register a `struct vfs_fs_type` and are mounted on a
 *   directory (vfs_mount) or as the root.
 *
 * Locking: one namespace-wide lock (the hooks in `struct vfs_config`; in the
 * kernel a sleeping mutex, so it is taken only in thread context and never
 * under a spinlock) serialises every call. It protects the mount list and every
 * `struct vfs_mount` field that changes (`busy`, `writers`, `flags`), vnode
 * reference counts and `fifo` (a new vnode that only its maker can reach yet
 * needs no lock), open files (`refs`, `off`, `flags`) and descriptor tables.
 * A context's table is changed only by the thread that owns it (one per
 * process), which may read its own table without the lock; anyone else reads
 * it under the lock (procfs). File-system ops run with it held, and may sleep
 * holding it (a disk wait), except where the VFS drops it around an op: the
 * read and write of stream vnodes (pipes, terminals), the read, write and
 * rw_pages of devfs block devices (a disk wait can be long; not when another
 * descriptor shares the offset, nor for a write of part of a block), the wait
 * of a FIFO's open for its other end, and, inside a file system's read, its
 * device wait if it asks (vfs_io_unlock() in vfs_priv.h: SFS, when no other
 * descriptor shares the offset). Across those the VFS holds an extra
 * reference to the open file, and the op touches no VFS state: only its own
 * object, which it locks itself (the pipe, the terminal, the block driver). The
 * file-system type table changes only at boot. Lock order: this lock, then a
 * file system's own locks, then the block layer's and drivers' spinlocks.
 *
 * Memory: vnodes, files and mount records come from the config's allocator.
 * Every call returns 0 (or a count) or a negative errno code (k/errno.h).
 */
#ifndef VFS_VFS_H
#define VFS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vfs/attr.h>

#define VFS_NAME_MAX    255  /**< Longest name of one component. */
#define VFS_PATH_MAX    4096 /**< Longest path. */
#define VFS_SYMLINK_MAX 40   /**< Symbolic links followed in one walk. */
#define VFS_FD_MAX      64   /**< Descriptors per context. */

/** @name Vnode types */
/** @{ */
#define VFS_TYPE_FILE     1 /**< Regular file. */
#define VFS_TYPE_DIR      2 /**< Directory. */
#define VFS_TYPE_SYMLINK  3 /**< Symbolic link. */
#define VFS_TYPE_CHARDEV  4 /**< Character device. */
#define VFS_TYPE_BLOCKDEV 5 /**< Block device. */
#define VFS_TYPE_FIFO     6 /**< Pipe (named or not). */
#define VFS_TYPE_SOCKET   7 /**< Socket node (made by mknod; opening it is -ENXIO). */
/** @} */

/** @name Open flags */
/** @{ */
#define VFS_O_RDONLY    0x0000  /**< Read only. */
#define VFS_O_WRONLY    0x0001  /**< Write only. */
#define VFS_O_RDWR      0x0002  /**< Read and write. */
#define VFS_O_ACCMODE   0x0003  /**< Mask of the access mode. */
#define VFS_O_CREAT     0x0040  /**< Create if missing. */
#define VFS_O_EXCL      0x0080  /**< With CREAT: fail if it exists. */
#define VFS_O_TRUNC     0x0200  /**< Truncate to 0 on open. */
#define VFS_O_APPEND    0x0400  /**< Every write goes to the end. */
#define VFS_O_DIRECTORY 0x10000 /**< Fail unless a directory. */
#define VFS_O_NOFOLLOW  0x20000 /**< Do not follow a final symlink. */
#define VFS_O_NONBLOCK  0x0800  /**< Opening a FIFO does not wait for the other end. */
#define VFS_O_DIRECT    0x4000  /**< Transfers may go in place (vfs_rw_pages()). */
/** @} */

/** @name lseek whence */
/** @{ */
#define VFS_SEEK_SET 0 /**< From the start. */
#define VFS_SEEK_CUR 1 /**< From the current offset. */
#define VFS_SEEK_END 2 /**< From the end. */
/** @} */

struct vnode;
struct vfs_pages;
struct vfs_mount;

/** @brief File attributes. */
struct vfs_stat {
    uint64_t ino;          /**< Inode number within its file system. */
    uint32_t type;         /**< VFS_TYPE_*. */
    uint32_t mode;         /**< Permission bits (07777: set-user-ID, set-group-ID, sticky, rwx). */
    uint32_t nlink;        /**< Links. */
    uint32_t blksize;      /**< Preferred I/O size. */
    uint32_t uid;          /**< Owner. */
    uint32_t gid;          /**< Group. */
    uint64_t rdev;         /**< Device number of a device node (VFS_MKDEV), else 0. */
    uint64_t size;         /**< Bytes (for devices: capacity). */
    uint64_t blocks;       /**< Storage used, in 512-byte units. */
    struct vfs_time atime; /**< Last access (0 if unknown). */
    struct vfs_time mtime; /**< Last change of the contents (0 if unknown). */
    struct vfs_time ctime; /**< Last change of the contents or attributes (0 if unknown). */
    uint32_t dev;          /**< Mount id. */
};

/** @brief One directory entry. */
struct vfs_dirent {
    uint64_t ino;                /**< Inode number. */
    uint32_t type;               /**< VFS_TYPE_* (0 if unknown). */
    char name[VFS_NAME_MAX + 1]; /**< NUL-terminated name. */
};

/** @name Mount flags (struct vfs_mount.flags; the bits of Linux's MS_*) */
/** @{ */
#define VFS_MNT_RDONLY 0x1 /**< Nothing on it may change: writes fail with -EROFS. */
#define VFS_MNT_NOSUID 0x2 /**< Recorded and shown (Kestrel has no set-uid bits). */
#define VFS_MNT_NODEV  0x4 /**< Recorded and shown. */
#define VFS_MNT_NOEXEC 0x8 /**< Recorded and shown. */
#define VFS_MNT_FLAGS  0xf /**< Every flag a mount may carry. */
/** @} */

#define VFS_MNT_SOURCE_MAX 64 /**< Longest source name kept for a mount, with the NUL. */

/** @brief File-system statistics. */
struct vfs_statfs {
    char type[16];        /**< File-system type name. */
    uint32_t block_size;  /**< Bytes per block. */
    uint64_t blocks;      /**< Total blocks. */
    uint64_t blocks_free; /**< Free blocks. */
    uint64_t files;       /**< Total inodes (0 if unlimited). */
    uint64_t files_free;  /**< Free inodes. */
    uint32_t magic;       /**< The type's magic number (vfs_fs_type.magic; Linux's f_type). */
    uint32_t name_max;    /**< Longest name (VFS_NAME_MAX unless the fs says less). */
    uint32_t flags;       /**< The mount's VFS_MNT_* flags. */
    uint32_t mount_id;    /**< The mount's id (vfs_stat.dev). */
};

/**
 * @brief What a file system implements for its vnodes. Any op may be NULL
 * (the VFS then returns -ENOTDIR, -EISDIR, -EPERM or -EINVAL as fits).
 * Names passed in are single components, never "." or "..", at most
 * VFS_NAME_MAX bytes, NUL-terminated. Returned vnodes carry one reference.
 */
struct vnode_ops {
    /** @brief Find @p name in directory @p dir (".." included). */
    int (*lookup)(struct vnode *dir, const char *name, struct vnode **out);
    /** @brief Create a regular file (-EEXIST if @p name exists). */
    int (*create)(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out);
    /** @brief Create a directory. */
    int (*mkdir)(struct vnode *dir, const char *name, uint32_t mode);
    /** @brief Remove an empty directory (-ENOTEMPTY otherwise). */
    int (*rmdir)(struct vnode *dir, const char *name);
    /** @brief Remove a non-directory name. */
    int (*unlink)(struct vnode *dir, const char *name);
    /** @brief Rename within one file system, replacing the target as POSIX does. */
    int (*rename)(struct vnode *odir, const char *oname, struct vnode *ndir, const char *nname);
    /** @brief Add a hard link @p name in @p dir to @p target. */
    int (*link)(struct vnode *dir, const char *name, struct vnode *target);
    /** @brief Create a symbolic link @p name holding @p target. */
    int (*symlink)(struct vnode *dir, const char *name, const char *target);
    /** @brief Read a symlink's target (not NUL-terminated); returns its length. */
    long (*readlink)(struct vnode *vn, char *buf, size_t size);
    /** @brief Prepare per-open state (may be NULL: no state needed). */
    int (*open)(struct vnode *vn, int flags, void **handle);
    /** @brief Drop per-open state. */
    int (*close)(struct vnode *vn, void *handle);
    /** @brief Read at @p off; returns bytes read (0 at end). */
    long (*read)(struct vnode *vn, void *handle, uint64_t off, void *buf, size_t n);
    /** @brief Write at @p off; returns bytes written. */
    long (*write)(struct vnode *vn, void *handle, uint64_t off, const void *buf, size_t n);
    /**
     * @brief Read (@p write false) or write @p pg->len bytes at @p off in
     * place, to or from the pages @p pg lists (vfs_rw_pages()); NULL: no
     * direct I/O. Returns bytes moved (short only at the end of the device),
     * -ENOTBLK if this request cannot go in place (unaligned), or an error.
     */
    long (*rw_pages)(struct vnode *vn, void *handle, uint64_t off, const struct vfs_pages *pg,
                     bool write);
    /** @brief Set the size. */
    int (*truncate)(struct vnode *vn, uint64_t size);
    /**
     * @brief Change the attributes in @p attr->mask, and set ctime to
     * @p attr->ctime (NULL: every change is -EPERM). The VFS checked the mount
     * is writable and applied the ownership rules first.
     */
    int (*setattr)(struct vnode *vn, const struct vfs_attr *attr);
    /**
     * @brief Make a special node @p name in @p dir: VFS_TYPE_FIFO,
     * VFS_TYPE_CHARDEV, VFS_TYPE_BLOCKDEV or VFS_TYPE_SOCKET, with permission
     * bits @p mode, owned by uid 0 and gid 0, and device number @p rdev (the
     * devices'; 0 for the others). NULL: -EPERM. Such a node keeps no data:
     * opening it goes where vfs_special_open() says, so its ops need no read
     * or write.
     */
    int (*mknod)(struct vnode *dir, const char *name, uint32_t type, uint32_t mode, uint64_t rdev);
    /** @brief Fill in attributes (the VFS fills dev). */
    int (*getattr)(struct vnode *vn, struct vfs_stat *st);
    /**
     * @brief Directory entry at position *@p cookie (0 first); advances *@p cookie.
     * Returns 1 with an entry, 0 at the end. Must stay correct when entries are
     * added or removed between calls (no entry returned twice or skipped if it
     * existed throughout).
     */
    int (*readdir)(struct vnode *dir, void *handle, uint64_t *cookie, struct vfs_dirent *out);
    /** @brief Write the file's data and metadata to stable storage. */
    int (*fsync)(struct vnode *vn, void *handle);
    /** @brief The last reference is gone. */
    void (*release)(struct vnode *vn);
    /**
     * @brief Stream vnodes (pipes, terminals): read and write may sleep, so
     * the VFS calls them without its lock, holding a reference to the open
     * file instead. They keep no offset and do their own locking.
     */
    bool stream;
};

/**
 * @brief Memory held in place for direct I/O: the pages of a buffer, by
 * physical address, which whoever pinned them keeps pinned until the call
 * returns (libproc's uvm_pin()).
 */
struct vfs_pages {
    const uint64_t *frames; /**< Physical address of each 4 KiB page, in order. */
    size_t nframes;         /**< Entries in frames. */
    uint32_t first;         /**< Offset of the first byte in frames[0]. */
    size_t len;             /**< Bytes (within the pages). */
};

/** @brief An in-memory node. */
struct vnode {
    const struct vnode_ops *ops; /**< The file system's operations. */
    struct vfs_mount *mnt;       /**< The mounted file system it belongs to. */
    uint32_t refs;               /**< References (vnode_put() drops one). */
    uint32_t type;               /**< VFS_TYPE_*. */
    uint64_t ino;                /**< Inode number (unique within the mount). */
    void *priv;                  /**< File-system private data. */
    struct vnode *fifo;          /**< A named FIFO's pipe while files have it open (one
                                      reference; the VFS's, NULL otherwise). */
};

/** @brief A file-system type ("ramfs", "devfs", "sfs"). */
struct vfs_fs_type {
    const char *name; /**< Type name. */
    /**
     * @brief Mount: fill in *@p root (one reference) and mnt->priv.
     * @p source is type specific (a struct block_device * for sfs; NULL for ramfs).
     */
    int (*mount)(struct vfs_mount *mnt, void *source, struct vnode **root);
    /** @brief Unmount (after the VFS dropped its root reference). */
    int (*unmount)(struct vfs_mount *mnt);
    /** @brief Statistics. May be NULL. */
    int (*statfs)(struct vfs_mount *mnt, struct vfs_statfs *st);
    /** @brief Write everything to stable storage. May be NULL. */
    int (*sync)(struct vfs_mount *mnt);
    /** @brief Magic number statfs reports (Linux's f_type: RAMFS_MAGIC, ...); 0 if none. */
    uint32_t magic;
    /** @brief Mounted from a block device (listed without "nodev" in /proc/filesystems). */
    bool requires_dev;
};

/** @brief A mounted file system. */
struct vfs_mount {
    const struct vfs_fs_type *type;  /**< Its type. */
    void *priv;                      /**< File-system private data. */
    struct vnode *root;              /**< Its root directory. */
    struct vnode *covered;           /**< The directory it is mounted on (NULL for /). */
    char path[VFS_PATH_MAX];         /**< Where it is mounted (for listings). */
    uint32_t id;                     /**< Unique id (vfs_stat.dev). */
    uint32_t busy;                   /**< Open files and working directories inside. */
    uint32_t flags;                  /**< VFS_MNT_* flags. */
    uint32_t writers;                /**< Files open for writing inside (vfs_remount). */
    char source[VFS_MNT_SOURCE_MAX]; /**< What is mounted, for listings ("/dev/vda", "proc"):
                                          the type's name unless the mount op or the caller
                                          sets it. */
    void *source_ptr;                /**< The source given to mount (a device may be mounted
                                          once only; NULL for none). */
    struct vfs_mount *next;          /**< Mount list link. */
};

/** @brief An open file. */
struct vfs_file {
    struct vnode *vn;   /**< What is open (one reference). */
    void *handle;       /**< The file system's per-open state. */
    uint64_t off;       /**< Current offset (a directory's readdir cookie). */
    int flags;          /**< VFS_O_* given to open. */
    uint32_t refs;      /**< Descriptors sharing it. */
    char *path;         /**< The absolute path it was opened by, for listings such as
                             /proc/PID/fd (vfs_alloc'd; NULL when opened without a name,
                             as pipes are, or when memory was short). */
    struct vnode *node; /**< A special node opened by name (a named FIFO, a device node
                             on ramfs or SFS; one reference): what fstat, fchmod, fchown
                             and futimens act on, while @p vn (its pipe, its devfs
                             device) does the I/O. NULL for every other file. */
};

/** @brief Root, working directory and descriptors of one user of the VFS. */
struct vfs_ctx {
    struct vnode *root;               /**< Root for absolute paths. */
    struct vnode *cwd;                /**< Working directory. */
    char cwd_path[VFS_PATH_MAX];      /**< Its absolute path, normalised. */
    struct vfs_file *fds[VFS_FD_MAX]; /**< Descriptor table. */
};

/** @brief Allocation and locking hooks for the VFS. */
struct vfs_config {
    void *(*alloc)(size_t size); /**< Allocate (NULL on failure). */
    void (*free)(void *p);       /**< Free. */
    void (*lock)(void *ctx);     /**< Take the namespace lock (may be NULL). */
    void (*unlock)(void *ctx);   /**< Release it (may be NULL). */
    void *lock_ctx;              /**< Passed to lock/unlock. */
    uint64_t (*now)(void);       /**< Seconds for timestamps (may be NULL). */
    uint64_t (*now_ns)(void);    /**< Nanoseconds since the epoch, for timestamps (may be
                                      NULL: now() seconds, whole). */
};

/**
 * @brief Set up the VFS (no file systems, nothing mounted).
 * @param cfg hooks (alloc and free are required)
 * @return 0 or -EINVAL
 */
int vfs_init(const struct vfs_config *cfg);

/** @brief Allocate with the VFS's allocator (for file systems). @param n bytes @return memory or
 * NULL */
void *vfs_alloc(size_t n);
/** @brief Free with the VFS's allocator. @param p what vfs_alloc() returned */
void vfs_free(void *p);
/** @brief Seconds from the config's clock (0 without one). @return the time */
uint64_t vfs_now(void);
/** @brief The config's clock with nanoseconds (now_ns, else now). @return the time */
struct vfs_time vfs_now_time(void);

/**
 * @brief Make a vnode with one reference.
 * @param mnt  its file system
 * @param ops  operations
 * @param type VFS_TYPE_*
 * @param ino  inode number
 * @param priv file-system data
 * @return the vnode, or NULL when memory ran out
 */
struct vnode *vnode_new(struct vfs_mount *mnt, const struct vnode_ops *ops, uint32_t type,
                        uint64_t ino, void *priv);
/** @brief Take a reference. @param vn the vnode @return @p vn */
struct vnode *vnode_get(struct vnode *vn);
/** @brief Drop a reference (releasing the vnode on the last). @param vn the vnode (may be NULL) */
void vnode_put(struct vnode *vn);

/**
 * @brief Register a file-system type (its struct must outlive the VFS).
 * @param type the type
 * @return 0, -EEXIST for a duplicate name, -ENOSPC when the table is full
 */
int vfs_register_fs(const struct vfs_fs_type *type);

/**
 * @brief Visit every registered file-system type, in registration order.
 * Takes no lock (the table only changes at boot).
 * @param fn  called with each type
 * @param arg passed through
 */
void vfs_for_each_fs_type(void (*fn)(const struct vfs_fs_type *type, void *arg), void *arg);

/**
 * @brief Mount the root file system and point @p ctx at it.
 * @param ctx    a context (its descriptors are cleared)
 * @param type   a registered type name
 * @param source type-specific source
 * @return 0, -ENODEV for an unknown type, -EBUSY if a root is mounted, or the
 *         file system's error
 */
int vfs_mount_root(struct vfs_ctx *ctx, const char *type, void *source);

/**
 * @brief Mount a file system on a directory.
 * @param ctx    for resolving @p path
 * @param path   an existing directory, not already a mount point
 * @param type   a registered type name
 * @param source type-specific source
 * @return 0 or -ENOENT, -ENOTDIR, -EBUSY, -ENODEV, -ENOMEM, or the fs's error
 */
int vfs_mount(struct vfs_ctx *ctx, const char *path, const char *type, void *source);

/** @brief How to mount (vfs_mount_opts()). */
struct vfs_mount_options {
    const char *source_name; /**< Shown in listings (NULL: the type's or fs's choice). */
    uint32_t flags;          /**< VFS_MNT_* flags. */
};

/**
 * @brief vfs_mount() with a source name and flags.
 * @param ctx    for resolving @p path
 * @param path   an existing directory, not already a mount point
 * @param type   a registered type name
 * @param source type-specific source; a non-NULL source already mounted is -EBUSY
 * @param opts   name and flags (NULL: none)
 * @return 0 or -ENOENT, -ENOTDIR, -EBUSY, -ENODEV, -ENOMEM, -EINVAL (unknown
 *         flags), or the fs's error
 */
int vfs_mount_opts(struct vfs_ctx *ctx, const char *path, const char *type, void *source,
                   const struct vfs_mount_options *opts);

/**
 * @brief Change the flags of the mount at @p path (Linux's MS_REMOUNT). Going
 * read-only syncs the file system first; it fails with -EBUSY while a file on
 * it is open for writing.
 * @param ctx   for resolving @p path
 * @param path  the mount point (or / for the root)
 * @param flags the new VFS_MNT_* flags
 * @return 0, -EINVAL if @p path is not a mount's root or the flags are unknown,
 *         -EBUSY, or a path error
 */
int vfs_remount(struct vfs_ctx *ctx, const char *path, uint32_t flags);

/**
 * @brief Unmount the file system mounted at @p path.
 * @param ctx  for resolving @p path
 * @param path the mount point
 * @return 0, -EINVAL if not a mount point, -EBUSY while files are open, a
 *         working directory is inside it, or something is mounted inside it
 */
int vfs_umount(struct vfs_ctx *ctx, const char *path);

/**
 * @brief Unmount everything, innermost first (shutdown). Open files are closed
 * forcibly by the caller beforehand.
 * @return 0 or the first error
 */
int vfs_umount_all(void);

/**
 * @brief Visit every mount, in mount order.
 * @param fn  called with each mount
 * @param arg passed through
 */
void vfs_for_each_mount(void (*fn)(struct vfs_mount *mnt, void *arg), void *arg);

/**
 * @brief vfs_for_each_mount() for callers that already hold the namespace lock
 * (a file system's op, such as /proc/mounts being generated).
 * @param fn  called with each mount
 * @param arg passed through
 */
void vfs_for_each_mount_locked(void (*fn)(struct vfs_mount *mnt, void *arg), void *arg);

/** @brief Sync every mounted file system. @return 0 or the first error */
int vfs_sync(void);

/**
 * @brief Sync the file system holding open file @p fd (Linux's syncfs).
 * @param ctx context
 * @param fd  any open descriptor
 * @return 0, -EBADF, or the file system's error
 */
int vfs_syncfs(struct vfs_ctx *ctx, int fd);

/**
 * @brief Statistics of the file system holding open file @p fd.
 * @param ctx context
 * @param fd  any open descriptor
 * @param st  filled in
 * @return 0, -EBADF, or the file system's error
 */
int vfs_fstatfs(struct vfs_ctx *ctx, int fd, struct vfs_statfs *st);

/**
 * @brief Statistics of the file system holding @p path.
 * @param ctx  context
 * @param path any path in it
 * @param st   filled in
 * @return 0 or a negative error
 */
int vfs_statfs(struct vfs_ctx *ctx, const char *path, struct vfs_statfs *st);

/**
 * @brief Set up a context whose root and working directory are @p from's
 * (or empty when @p from is NULL).
 * @param ctx  the new context
 * @param from context to copy root/cwd from, or NULL
 */
void vfs_ctx_init(struct vfs_ctx *ctx, const struct vfs_ctx *from);

/** @brief Close every descriptor and drop root and cwd. @param ctx the context */
void vfs_ctx_release(struct vfs_ctx *ctx);

/**
 * @brief Resolve a path to a vnode (for callers that need the node itself).
 * @param ctx    context
 * @param path   the path
 * @param follow follow a final symlink
 * @param out    the vnode, with a reference for the caller
 * @return 0 or a negative error
 */
int vfs_resolve(struct vfs_ctx *ctx, const char *path, bool follow, struct vnode **out);

/** @name Calls by path (each returns 0 or a negative error) */
/** @{ */
/** @brief Open (or create) a file. @param ctx context @param path path @param flags VFS_O_* @param
 * mode for creation @return a descriptor >= 0, or an error */
int vfs_open(struct vfs_ctx *ctx, const char *path, int flags, uint32_t mode);
/** @brief Attributes, following symlinks. @param ctx context @param path path @param st filled in
 * @return 0 or an error */
int vfs_stat(struct vfs_ctx *ctx, const char *path, struct vfs_stat *st);
/** @brief Attributes of a symlink itself. @param ctx context @param path path @param st filled in
 * @return 0 or an error */
int vfs_lstat(struct vfs_ctx *ctx, const char *path, struct vfs_stat *st);
/** @brief Make a directory. @param ctx context @param path path @param mode permissions @return 0
 * or an error */
int vfs_mkdir(struct vfs_ctx *ctx, const char *path, uint32_t mode);
/** @brief Remove an empty directory. @param ctx context @param path path @return 0 or an error */
int vfs_rmdir(struct vfs_ctx *ctx, const char *path);
/** @brief Remove a name. @param ctx context @param path path @return 0 or an error */
int vfs_unlink(struct vfs_ctx *ctx, const char *path);
/** @brief Rename. @param ctx context @param from old path @param to new path @return 0, -EXDEV
 * across file systems, or an error */
int vfs_rename(struct vfs_ctx *ctx, const char *from, const char *to);
/** @brief Hard link. @param ctx context @param existing target @param newpath new name @return 0 or
 * an error */
int vfs_link(struct vfs_ctx *ctx, const char *existing, const char *newpath);
/** @brief Symbolic link. @param ctx context @param target contents @param linkpath new name @return
 * 0 or an error */
int vfs_symlink(struct vfs_ctx *ctx, const char *target, const char *linkpath);
/** @brief Read a symlink (NUL-terminated). @param ctx context @param path path @param buf
 * destination @param size its size @return length or an error */
long vfs_readlink(struct vfs_ctx *ctx, const char *path, char *buf, size_t size);
/** @brief Set a file's size. @param ctx context @param path path @param size new size @return 0 or
 * an error */
int vfs_truncate(struct vfs_ctx *ctx, const char *path, uint64_t size);

/** @brief Change the working directory. @param ctx context @param path path @return 0 or an error
 */
int vfs_chdir(struct vfs_ctx *ctx, const char *path);
/** @brief The working directory's absolute path. @param ctx context @return the path */
const char *vfs_getcwd(const struct vfs_ctx *ctx);
/**
 * @brief The absolute, lexically normalised form of @p path ("." and ".."
 * folded, no symlink followed), relative paths taken from @p ctx's working
 * directory. Touches no file system and takes no lock.
 * @param ctx context @param path the path @param out destination @param size its size
 * @return 0, -ENAMETOOLONG, or -ENOMEM
 */
int vfs_abs_path(const struct vfs_ctx *ctx, const char *path, char *out, size_t size);
/** @} */

/**
 * @name Calls relative to a directory descriptor (the *at family)
 *
 * A relative path may be resolved from an open directory instead of the
 * working directory. The one mechanism is a temporary context (vfs_ctx_at):
 * the same root, the descriptor's directory as its working directory, and no
 * descriptors of its own; the ordinary calls by path then run on it, through
 * the one path walk. vfs_at_begin()/vfs_at_end() pick the caller's own context
 * when no temporary one is needed. vfs_openat, vfs_renameat and vfs_linkat
 * exist because their work cannot be expressed on one temporary context (the
 * new descriptor belongs to the caller's table; two bases).
 *
 * A temporary context does not know its directory's path: its cwd_path is ""
 * and vfs_getcwd() on it returns "". vfs_chdir() on it, with a relative path,
 * first finds the path by walking "..". Give relative paths to vfs_mount()
 * only through a context whose path is known.
 */
/** @{ */
#define VFS_AT_FDCWD         (-100) /**< As a base: the working directory (Linux's AT_FDCWD). */
#define VFS_RENAME_NOREPLACE 0x1    /**< vfs_renameat(): -EEXIST if the target exists. */

/**
 * @brief Make @p tmp a context that resolves relative paths from directory
 * descriptor @p dirfd of @p ctx. It shares @p ctx's root and holds a reference
 * to the directory (which keeps its file system mounted) but none of @p ctx's
 * descriptors: vfs_ctx_release(@p tmp) drops the references and closes only
 * descriptors opened through @p tmp, never @p ctx's. With VFS_AT_FDCWD it is a
 * copy of @p ctx's root and working directory, path included.
 * @param ctx   the caller's context
 * @param dirfd an open directory of @p ctx, or VFS_AT_FDCWD
 * @param tmp   filled in (caller's memory, about 4.7 KiB); on error it holds
 *              nothing, so releasing it is harmless
 * @return 0, -EBADF if @p dirfd is not open, -ENOTDIR if it is not a
 *         directory, -ENOENT if @p ctx has no root
 */
int vfs_ctx_at(struct vfs_ctx *ctx, int dirfd, struct vfs_ctx *tmp);

/**
 * @brief The context to resolve (@p dirfd, @p path) in: @p ctx itself when
 * @p path is absolute or empty (the descriptor is then ignored, as on Linux)
 * or @p dirfd is VFS_AT_FDCWD; else a temporary one from vfs_ctx_at() in
 * memory from the VFS allocator. Pair every success with vfs_at_end().
 * @param ctx   the caller's context
 * @param dirfd base descriptor or VFS_AT_FDCWD
 * @param path  the path that will be resolved
 * @param at    the context to use
 * @return 0, -ENOMEM, or vfs_ctx_at()'s error
 */
int vfs_at_begin(struct vfs_ctx *ctx, int dirfd, const char *path, struct vfs_ctx **at);

/**
 * @brief Release what vfs_at_begin() gave (nothing when it was @p ctx).
 * @param ctx the caller's context
 * @param at  what vfs_at_begin() returned
 */
void vfs_at_end(struct vfs_ctx *ctx, struct vfs_ctx *at);

/**
 * @brief vfs_open() with @p path relative to @p dirfd; the descriptor is
 * @p ctx's.
 * @param ctx context @param dirfd base (VFS_AT_FDCWD for the working directory)
 * @param path path @param flags VFS_O_* @param mode for creation
 * @return a descriptor >= 0, -EBADF or -ENOTDIR for a bad base, or vfs_open()'s error
 */
int vfs_openat(struct vfs_ctx *ctx, int dirfd, const char *path, int flags, uint32_t mode);

/**
 * @brief vfs_rename() with each path relative to its own base.
 * @param ctx    context
 * @param odirfd base of the old path
 * @param from   old path
 * @param ndirfd base of the new path
 * @param to     new path
 * @param flags 0 or VFS_RENAME_NOREPLACE (checked and done under the namespace
 *        lock, so nothing can appear in between)
 * @return 0, -EEXIST (NOREPLACE), -EINVAL for other flags, -EBADF, -ENOTDIR,
 *         or vfs_rename()'s error
 */
int vfs_renameat(struct vfs_ctx *ctx, int odirfd, const char *from, int ndirfd, const char *to,
                 unsigned flags);

/**
 * @brief vfs_link() with each path relative to its own base.
 * @param ctx      context
 * @param odirfd   base of the existing path
 * @param existing target
 * @param ndirfd   base of the new name
 * @param newpath  new name
 * @param follow follow @p existing if it is a symlink (Linux's AT_SYMLINK_FOLLOW;
 *        vfs_link() does not)
 * @return 0, -EBADF, -ENOTDIR, or vfs_link()'s error
 */
int vfs_linkat(struct vfs_ctx *ctx, int odirfd, const char *existing, int ndirfd,
               const char *newpath, bool follow);

/**
 * @brief Make the directory open as @p fd the working directory. Its path
 * (for vfs_getcwd) is found by walking "..": in each parent, the entry naming
 * the child, across mount points, up to the root; so it is the directory's
 * path now, even if it was renamed since it was opened.
 * @param ctx context @param fd an open directory
 * @return 0, -EBADF, -ENOTDIR, -ENOENT if the directory was removed (or lies
 *         outside the context's root), -ENAMETOOLONG, -ENOMEM
 */
int vfs_fchdir(struct vfs_ctx *ctx, int fd);
/** @} */

/** @name Calls on descriptors */
/** @{ */
/** @brief Read. @param ctx context @param fd descriptor @param buf destination @param n bytes
 * @return bytes read or an error */
long vfs_read(struct vfs_ctx *ctx, int fd, void *buf, size_t n);
/** @brief Write. @param ctx context @param fd descriptor @param buf source @param n bytes @return
 * bytes written or an error */
long vfs_write(struct vfs_ctx *ctx, int fd, const void *buf, size_t n);
/** @brief Read at an offset. @param ctx context @param fd descriptor @param buf destination @param
 * n bytes @param off offset @return bytes or an error */
long vfs_pread(struct vfs_ctx *ctx, int fd, void *buf, size_t n, uint64_t off);
/**
 * @brief Write at offset @p off without moving the descriptor's offset.
 * @param ctx context @param fd descriptor @param buf bytes @param n count @param off where
 * @return bytes written, or -EBADF, -EISDIR, -EINVAL, -ENOSPC, -EIO
 */
long vfs_pwrite(struct vfs_ctx *ctx, int fd, const void *buf, size_t n, uint64_t off);

/**
 * @brief How a user buffer must be aligned for vfs_rw_pages() on @p fd: the
 * block size of an O_DIRECT file whose vnode moves data in place.
 * @param ctx context
 * @param fd  descriptor
 * @return the alignment in bytes (address, length and offset), or 0 when the
 *         file takes no direct I/O (not open with VFS_O_DIRECT, no rw_pages)
 */
uint32_t vfs_direct_align(struct vfs_ctx *ctx, int fd);

/**
 * @brief Direct I/O: read into or write from pinned pages, in place, at the
 * file offset (moving it on, @p at false) or at @p off (@p at true). A block
 * device's transfer runs without the VFS lock, as its reads and writes do.
 * @param ctx   context
 * @param fd    descriptor (open with VFS_O_DIRECT, for reading or writing)
 * @param pg    the pages (kept pinned by the caller during the call)
 * @param write true: the pages' bytes go to the file
 * @param at    use @p off, not the file offset
 * @param off   the offset for @p at
 * @return bytes moved, -ENOTBLK when this transfer cannot go in place (the
 *         caller then copies as for any file), -EBADF, or the device's error
 */
long vfs_rw_pages(struct vfs_ctx *ctx, int fd, const struct vfs_pages *pg, bool write, bool at,
                  uint64_t off);
/** @brief Move the offset. @param ctx context @param fd descriptor @param off offset @param whence
 * VFS_SEEK_* @return new offset or an error */
int64_t vfs_lseek(struct vfs_ctx *ctx, int fd, int64_t off, int whence);
/** @brief Close. @param ctx context @param fd descriptor @return 0 or -EBADF */
int vfs_close(struct vfs_ctx *ctx, int fd);
/**
 * @brief Change status flags of @p fd's open file (F_SETFL), under the lock:
 * every descriptor sharing the open file sees the change.
 * @param ctx   context
 * @param fd    descriptor
 * @param mask  the VFS_O_* flags to change
 * @param flags their new values (bits outside @p mask are ignored)
 * @return 0 or -EBADF
 */
int vfs_setfl(struct vfs_ctx *ctx, int fd, int mask, int flags);
/** @brief Attributes. @param ctx context @param fd descriptor @param st filled in @return 0 or an
 * error */
int vfs_fstat(struct vfs_ctx *ctx, int fd, struct vfs_stat *st);
/** @brief Set the size. @param ctx context @param fd descriptor @param size new size @return 0 or
 * an error */
int vfs_ftruncate(struct vfs_ctx *ctx, int fd, uint64_t size);
/** @brief Flush to storage. @param ctx context @param fd descriptor @return 0 or an error */
int vfs_fsync(struct vfs_ctx *ctx, int fd);
/** @brief Next directory entry. @param ctx context @param fd a directory @param out the entry
 * @return 1, 0 at the end, or an error */
int vfs_readdir(struct vfs_ctx *ctx, int fd, struct vfs_dirent *out);
/** @brief Duplicate a descriptor. @param ctx context @param fd descriptor @return the new
 * descriptor or an error */
int vfs_dup(struct vfs_ctx *ctx, int fd);

/**
 * @brief A mount for vnodes that live on no file system (pipes): it has no
 * root and no path, and vfs_stat reports its id, 0, as the device.
 * @return the one anonymous mount
 */
struct vfs_mount *vfs_anon_mount(void);

/**
 * @brief Open an existing vnode as a new descriptor (pipes: the vnode exists
 * before any name does). Calls its open op with @p flags.
 * @param ctx   context
 * @param vn    the vnode; the descriptor takes its own reference
 * @param flags VFS_O_RDONLY, VFS_O_WRONLY or VFS_O_RDWR (others ignored)
 * @return the descriptor, or -EMFILE, -ENOMEM, or the open op's error
 */
int vfs_open_vnode(struct vfs_ctx *ctx, struct vnode *vn, int flags);

/**
 * @brief Make @p newfd refer to @p fd's open file, closing what @p newfd held
 * (dup2 semantics: nothing happens when they are equal and @p fd is open).
 * @param ctx   context
 * @param fd    an open descriptor
 * @param newfd the descriptor to (re)use, 0..VFS_FD_MAX-1
 * @return @p newfd, or -EBADF
 */
int vfs_dup2(struct vfs_ctx *ctx, int fd, int newfd);

/**
 * @brief Share every open descriptor of @p src into the same slot of @p dst
 * (fork: both then share each open file and its offset). Slots already in use
 * in @p dst are left alone.
 * @param dst the new context
 * @param src the one to copy from
 */
void vfs_ctx_copy_fds(struct vfs_ctx *dst, const struct vfs_ctx *src);
/** @} */

/**
 * @brief Name of a type for listings ("file", "dir", "symlink", ...).
 * @param type VFS_TYPE_*
 * @return a static string
 */
const char *vfs_type_name(uint32_t type);

#endif
