/**
 * @file sfs.h
 * @brief libsfs public API: a portable, freestanding SFS file-system library.
 *
 * A port includes this one file and gets the whole public API: the
 * declarations are grouped in sections (errors and flags, the port surface,
 * the volume, files and path calls, the path walker, directory handles), and
 * the inode API, included at the end, lives in sfs_inode.h to keep each
 * header near the house size. What a port may do without is apart: the
 * checker and repair in sfs_check.h, and the on-disk format, shared with the
 * tools, in sfs_disk.h.
 *
 * Port surface: a block device (struct sfs_blockdev: read/write/flush + ctx +
 * geometry) and a config (struct sfs_config: cache size, memory, optional
 * clock, lock and log hooks). The caller owns every object: struct sfs,
 * struct sfs_file and struct sfs_dir are declared here so they can live on
 * the stack or in a static; the library never allocates except through the
 * config's alloc hook. There is no global state: several volumes may be
 * mounted at once.
 *
 * Every function returns 0 (or a non-negative count) on success and a
 * negative SFS_E* code on failure. The codes have Linux errno values so a
 * kernel can pass them straight through.
 *
 * Identity: the library names files by inode number. The inode API
 * (sfs_iget(), sfs_lookup(), sfs_create_at(), sfs_rename_at(), sfs_open_ino(),
 * ...) works on (directory inode, name) pairs and on handles; the path calls
 * (sfs_open(), sfs_rename(), ...) are conveniences that resolve a path from
 * the root and then call the same code. There is no working directory in the
 * library: relative paths are resolved from a directory the caller names
 * (sfs_resolve_path()).
 *
 * Locking: if the config has lock/unlock hooks, every public call on a mounted
 * struct sfs holds the lock for its whole duration (the "is mounted" check
 * included), device I/O and the check's report callback too, so the hooks
 * must allow sleeping if the device sleeps (a mutex, not a spinlock), and a
 * callback must not call back into the volume. sfs_mount() and sfs_format()
 * take no lock (they install the hooks): nothing else may use that struct sfs,
 * or that device, until they return. The pure helpers (sfs_mem_size(),
 * sfs_strerror(), sfs_crc32(), and sfs_walk_path(), whose callbacks do their
 * own locking) touch no volume. Without hooks the caller serialises calls on one
 * struct sfs (the kernel: the VFS's namespace lock, vfs/sfs_vfs.h). Different
 * volumes never share state. A struct sfs must be zeroed or mounted before
 * any call. One exception, only if the port asks for it (io_unlock/io_lock):
 * a read of file data lets the lock go while the device reads whole blocks
 * that no cache buffer holds, so other calls run meanwhile (see io_unlock).
 */
#ifndef SFS_SFS_H
#define SFS_SFS_H

#include <stddef.h>
#include <stdint.h>
#include <sfs/sfs_disk.h>

/** @brief Software version of libsfs (not the on-disk format version). */
#define SFS_VERSION_STRING "1.0.0"

/* Error codes: negative Linux errno values. */
#define SFS_EPERM        (-1)   /**< Operation not permitted */
#define SFS_ENOENT       (-2)   /**< No such file or directory */
#define SFS_EIO          (-5)   /**< I/O error from the block device */
#define SFS_ENXIO        (-6)   /**< FIFO, device or socket: the port's drivers open it */
#define SFS_EBADF        (-9)   /**< Bad or closed handle, or wrong access mode */
#define SFS_ENOMEM       (-12)  /**< Not enough cache memory */
#define SFS_EBUSY        (-16)  /**< Resource busy (root, mounted volume) */
#define SFS_EEXIST       (-17)  /**< File exists */
#define SFS_ENOTDIR      (-20)  /**< Not a directory */
#define SFS_EISDIR       (-21)  /**< Is a directory */
#define SFS_EINVAL       (-22)  /**< Invalid argument */
#define SFS_EFBIG        (-27)  /**< File too large */
#define SFS_ENOSPC       (-28)  /**< No space (blocks or inodes) left */
#define SFS_EMLINK       (-31)  /**< Too many links */
#define SFS_ENAMETOOLONG (-36)  /**< Name or path too long */
#define SFS_ENOTEMPTY    (-39)  /**< Directory not empty */
#define SFS_EROFS        (-30)  /**< Volume mounted read-only */
#define SFS_ELOOP        (-40)  /**< Too many symbolic links */
#define SFS_ENOTSUP      (-95)  /**< Newer format version or unknown incompatible feature */
#define SFS_ECORRUPT     (-117) /**< Corrupt on-disk structure (Linux EUCLEAN) */
#define SFS_EMEDIUMTYPE  (-124) /**< Not an SFS volume (bad magic) */

/* Open flags (Linux values). */
#define SFS_O_RDONLY 0x0000 /**< Open for reading */
#define SFS_O_WRONLY 0x0001 /**< Open for writing */
#define SFS_O_RDWR   0x0002 /**< Open for reading and writing */
#define SFS_O_CREAT  0x0040 /**< Create the file if missing */
#define SFS_O_EXCL   0x0080 /**< With SFS_O_CREAT: fail if it exists */
#define SFS_O_TRUNC  0x0200 /**< Truncate to zero length */
#define SFS_O_APPEND 0x0400 /**< Every write appends */

/* Seek origins. */
#define SFS_SEEK_SET 0 /**< From the start */
#define SFS_SEEK_CUR 1 /**< From the current position */
#define SFS_SEEK_END 2 /**< From the end of the file */

/** @brief Longest path accepted, including the terminating NUL (Linux's PATH_MAX). */
#define SFS_PATH_MAX 4096
/**
 * @brief Longest symbolic-link target in bytes (SFS_SYMLINK_MAX_V1 on a volume
 * without SFS_FEAT_INCOMPAT_POSIX).
 */
#define SFS_SYMLINK_MAX (SFS_PATH_MAX - 1)
/** @brief Symbolic links followed in one path resolution before SFS_ELOOP. */
#define SFS_SYMLOOP_MAX 40
/** @brief Largest link count of an inode. */
#define SFS_LINK_MAX 65000
/** @brief Smallest usable cache, in blocks. */
#define SFS_MIN_CACHE_BLOCKS 8
/** @brief Cache size used when the config says 0. */
#define SFS_DEFAULT_CACHE_BLOCKS 32

/**
 * @brief A block device, in device sectors (typically 512 bytes).
 *
 * Each callback returns 0 on success or any negative value on failure; the
 * library reports every failure as SFS_EIO.
 */
struct sfs_blockdev {
    /** @brief Read @p count sectors starting at @p sector into @p buf. */
    int (*read)(void *ctx, uint64_t sector, uint32_t count, void *buf);
    /** @brief Write @p count sectors starting at @p sector from @p buf. */
    int (*write)(void *ctx, uint64_t sector, uint32_t count, const void *buf);
    /** @brief Make every completed write durable (may be NULL). */
    int (*flush)(void *ctx);
    void *ctx; /**< Passed to every callback. */
    /**
     * @brief Optional, with write_wait: start writing @p count sectors from
     * @p buf (unchanged until write_wait()), to complete in any order by the
     * next write_wait(). Write-back of many cached blocks uses it so they are
     * in flight together. NULL: every write is synchronous.
     */
    int (*write_start)(void *ctx, uint64_t sector, uint32_t count, const void *buf);
    /** @brief Wait for every write_start() so far: 0, or < 0 if any failed. */
    int (*write_wait)(void *ctx);
    void *async_ctx;       /**< Passed to write_start and write_wait. */
    uint32_t sector_size;  /**< Bytes per sector: a power of two, 512..65536. */
    uint64_t sector_count; /**< Sectors on the device. */
};

/**
 * @brief Mount/format configuration. Zero-initialise and set what you need.
 *
 * Memory: the library needs sfs_mem_size(block_size, cache_blocks) bytes.
 * Give it either @c buffer (owned by the caller, must outlive the mount) or
 * @c alloc/@c free hooks (called once at mount/format and once at unmount).
 */
struct sfs_config {
    uint32_t cache_blocks; /**< Block-cache size in blocks (0: SFS_DEFAULT_CACHE_BLOCKS). */
    void *buffer;          /**< Optional caller memory for the cache. */
    size_t buffer_size;    /**< Bytes at @c buffer. */
    /** @brief Optional allocator used when @c buffer is NULL. */
    void *(*alloc)(void *ctx, size_t size);
    /** @brief Releases memory from @c alloc. */
    void (*free)(void *ctx, void *ptr);
    /**
     * @brief Optional clock for timestamps (0 without it): seconds since the
     * Unix epoch when the port has a real-time clock, otherwise any monotonic
     * seconds count (e.g. seconds since boot).
     */
    uint64_t (*clock)(void *ctx);
    /** @brief Optional lock taken around every public call. */
    void (*lock)(void *ctx);
    /** @brief Releases the lock taken by @c lock. */
    void (*unlock)(void *ctx);
    /** @brief Optional log hook: a fixed message and two numbers (inode, block, ...). */
    void (*log)(void *ctx, const char *msg, uint64_t a, uint64_t b);
    void *hook_ctx;       /**< Passed to every hook above. */
    uint32_t mount_flags; /**< SFS_MOUNT_* flags for sfs_mount(). */
    /**
     * @brief Optional clock with nanoseconds, preferred to @c clock: nanoseconds
     * since the Unix epoch (or any monotonic count). Volumes without
     * SFS_FEAT_INCOMPAT_POSIX keep whole seconds only.
     */
    uint64_t (*clock_ns)(void *ctx);
    /**
     * @brief Optional: release the lock that serialises calls on this volume
     * (the @c lock hook's, or the caller's own) while the device reads file
     * data, and say so by returning true; false keeps it held. Called from
     * sfs_read()/sfs_pread() only, just before a device read of whole blocks
     * of a file that no cache buffer holds: nothing of the volume's state is
     * touched until @c io_lock takes the lock back. If any block was freed
     * meanwhile (the blocks read may no longer be the file's), the read
     * re-reads the inode and that part again with the lock held, so a
     * reader never returns another file's data. A read that overlaps a
     * concurrent write of the same blocks may see part of it, as on Linux.
     */
    int (*io_unlock)(void *ctx);
    /** @brief Take back the lock that @c io_unlock released. */
    void (*io_lock)(void *ctx);
};

/** @brief sfs_config::mount_flags: mount read-only; nothing is ever written to the device. */
#define SFS_MOUNT_RDONLY 0x1u

/** @brief Parameters of sfs_format(); zero fields take defaults. */
struct sfs_format_opts {
    uint32_t block_size;          /**< Block size (power of two, 1–64 KiB; 0: 4096). */
    uint32_t inode_count;         /**< Inodes (0: one per 16 KiB, at least 16). */
    uint32_t journal_blocks;      /**< Reserved journal blocks (UINT32_MAX: none; 0: default). */
    uint64_t block_count;         /**< Volume size in blocks (0: the whole device). */
    char label[SFS_SB_LABEL_LEN]; /**< Volume label (NUL padded). */
    uint32_t flags;               /**< SFS_FORMAT_* flags. */
};

/**
 * @brief sfs_format_opts::flags: leave SFS_FEAT_INCOMPAT_POSIX clear, making a
 * volume that readers from before the feature can mount (whole-second times,
 * no FIFO/device/socket inodes, symbolic-link targets up to SFS_SYMLINK_MAX_V1).
 */
#define SFS_FORMAT_NO_POSIX 0x1u

struct sfs_buf;
struct sfs_file;

/**
 * @brief A mounted volume. Caller-allocated; all members are private.
 */
struct sfs {
    struct sfs_blockdev dev;      /**< Copy of the device. */
    struct sfs_config cfg;        /**< Copy of the config. */
    uint32_t block_size;          /**< Bytes per block. */
    uint32_t sec_per_block;       /**< Device sectors per block. */
    uint32_t total_blocks;        /**< Blocks in the volume. */
    uint32_t inode_count;         /**< Inodes in the volume. */
    uint32_t ibitmap_start;       /**< First inode-bitmap block. */
    uint32_t ibitmap_blocks;      /**< Inode-bitmap blocks. */
    uint32_t dbitmap_start;       /**< First data-bitmap block. */
    uint32_t dbitmap_blocks;      /**< Data-bitmap blocks. */
    uint32_t itable_start;        /**< First inode-table block. */
    uint32_t itable_blocks;       /**< Inode-table blocks. */
    uint32_t journal_start;       /**< First journal block. */
    uint32_t journal_blocks;      /**< Journal blocks. */
    uint32_t data_start;          /**< First data block. */
    uint32_t free_blocks;         /**< Free blocks. */
    uint32_t free_inodes;         /**< Free inodes. */
    uint32_t feat_compat;         /**< Compatible features. */
    uint64_t mkfs_time;           /**< Format time. */
    char label[SFS_SB_LABEL_LEN]; /**< Volume label. */
    int sb_dirty;                 /**< Superblock needs writing. */
    int mounted;                  /**< sfs_mount() succeeded and no sfs_unmount() yet. */
    int rdonly;                   /**< Mounted read-only: nothing is written. */
    int was_dirty;                /**< Found not cleanly unmounted at mount. */
    int needs_recovery;           /**< Read-only mount of a journal with a transaction to replay. */
    uint32_t feat_incompat;       /**< Incompatible features. */
    uint32_t orphan_head;         /**< First orphan inode (journaled volumes; 0: none). */
    uint8_t *jdesc;               /**< Running transaction's descriptor block. */
    uint8_t *jscratch;            /**< One block of scratch for commit and checkpoint. */
    uint32_t *jfreed;             /**< Blocks freed in the running transaction. */
    uint16_t *jhash;              /**< Logged block -> slot + 1 (open addressing, 0: empty). */
    uint16_t *jfhash;             /**< Freed block -> @c jfreed index + 1 (likewise). */
    uint32_t jfreed_max;          /**< Capacity of @c jfreed. */
    uint32_t jfmask;              /**< Buckets in @c jfhash - 1 (a power of two - 1). */
    uint32_t jfreed_count;        /**< Entries in @c jfreed. */
    uint32_t jcap;                /**< Blocks one transaction may log (0: no journal). */
    uint32_t jcount;              /**< Blocks logged by the running transaction. */
    uint32_t jseq;                /**< Sequence number of the running transaction. */
    int jaborted;                 /**< An operation failed half way: nothing more is written. */
    int jckpt;                    /**< Committed but not yet written home. */
    uint32_t op_dirtied;          /**< Blocks the current call has changed. */
    void *long_ip;                /**< Inode whose long truncation may commit part way. */
    uint64_t stat_commits;        /**< Transactions committed (statistics). */
    uint32_t balloc_hint;         /**< Next block to try in the allocator. */
    uint32_t ialloc_hint;         /**< Next inode to try in the allocator. */
    struct sfs_buf *bufs;         /**< Cache buffer headers. */
    uint32_t nbufs;               /**< Cache buffers. */
    struct sfs_buf **hash;        /**< Cache hash buckets. */
    uint32_t hash_mask;           /**< Buckets - 1. */
    struct sfs_buf *lru_head;     /**< Most recently used buffer. */
    struct sfs_buf *lru_tail;     /**< Least recently used buffer. */
    uint64_t cache_tick;          /**< Cache lookups so far (the LRU clock). */
    void *mem;                    /**< Memory from the alloc hook (NULL if caller's buffer). */
    struct sfs_file *open_files;  /**< Open files and directories. */
    uint64_t stat_reads;          /**< Device block reads (statistics). */
    uint64_t stat_writes;         /**< Device block writes (statistics). */
    uint64_t stat_lookups;        /**< Cache lookups, hits and misses (statistics). */
    uint64_t free_gen;            /**< Blocks freed so far (reads done unlocked check it). */
    uint64_t stat_unlocked_reads; /**< Device reads done with the lock let go (statistics). */
};

/**
 * @brief A held inode: an open file, an open directory or a bare reference
 * from sfs_iget(). Caller-allocated; members are private. While any handle
 * on an inode is held, the inode stays alive even when its last name goes.
 */
struct sfs_file {
    struct sfs_file *next; /**< Next in the volume's open list. */
    uint64_t pos;          /**< File position (directories: next slot). */
    uint32_t ino;          /**< Inode. */
    uint32_t flags;        /**< SFS_O_* flags. */
    uint32_t is_dir;       /**< Kind: 0 file, 1 directory, 2 reference. */
    uint32_t magic;        /**< Non-zero while open. */
};

/** @brief Directory handle (same object as a file handle). */
#define sfs_dir sfs_file

/** @brief File status, as returned by sfs_stat() and sfs_fstat(). */
struct sfs_stat {
    uint32_t ino;        /**< Inode number. */
    uint32_t mode;       /**< Type and permission bits (SFS_S_IF*). */
    uint32_t nlink;      /**< Link count. */
    uint32_t uid;        /**< Owner. */
    uint32_t gid;        /**< Group. */
    uint32_t blksize;    /**< File-system block size. */
    uint64_t size;       /**< Size in bytes. */
    uint64_t blocks;     /**< Blocks owned (data and indirect), in file-system blocks. */
    int64_t atime;       /**< Access time, seconds since the epoch. */
    int64_t mtime;       /**< Modification time, seconds. */
    int64_t ctime;       /**< Change time (inode or data), seconds. */
    uint32_t atime_nsec; /**< Nanoseconds of @c atime (0..999999999). */
    uint32_t mtime_nsec; /**< Nanoseconds of @c mtime. */
    uint32_t ctime_nsec; /**< Nanoseconds of @c ctime. */
    uint64_t rdev;       /**< Device number of a character or block device (0 otherwise). */
};

/**
 * @brief Attribute changes for sfs_setattr_ino(): set the fields named in
 * @c valid (SFS_SET_* bits), ignore the rest.
 */
struct sfs_setattr {
    uint32_t valid;      /**< SFS_SET_* bits. */
    uint32_t mode;       /**< SFS_SET_MODE: permission bits (07777); the type is kept. */
    uint32_t uid;        /**< SFS_SET_UID: new owner. */
    uint32_t gid;        /**< SFS_SET_GID: new group. */
    uint64_t size;       /**< SFS_SET_SIZE: new size (regular files only). */
    int64_t atime_sec;   /**< SFS_SET_ATIME: access time, seconds since the epoch. */
    uint32_t atime_nsec; /**< SFS_SET_ATIME: nanoseconds (0..999999999). */
    int64_t mtime_sec;   /**< SFS_SET_MTIME: modification time, seconds. */
    uint32_t mtime_nsec; /**< SFS_SET_MTIME: nanoseconds. */
    int64_t ctime_sec;   /**< SFS_SET_CTIME: change time, seconds. */
    uint32_t ctime_nsec; /**< SFS_SET_CTIME: nanoseconds. */
};

#define SFS_SET_MODE      0x01 /**< Set the permission bits (07777) only; the type is unchanged. */
#define SFS_SET_UID       0x02 /**< Set the owner. */
#define SFS_SET_GID       0x04 /**< Set the group. */
#define SFS_SET_SIZE      0x08 /**< New size; a change makes mtime and ctime now. */
#define SFS_SET_ATIME     0x10 /**< Set the access time to atime_sec/atime_nsec. */
#define SFS_SET_MTIME     0x20 /**< Set the modification time to mtime_sec/mtime_nsec. */
#define SFS_SET_ATIME_NOW 0x40 /**< Set the access time to now (wins over SFS_SET_ATIME). */
#define SFS_SET_MTIME_NOW 0x80 /**< Set the modification time to now (wins over SFS_SET_MTIME). */
/** @brief Set the change time to ctime_sec/ctime_nsec instead of now (FUSE's FATTR_CTIME). */
#define SFS_SET_CTIME 0x100
/**
 * @brief On a non-directory, clear set-user-ID, and set-group-ID if group
 * execute is set (what chown(2) does to a file; applied after SFS_SET_MODE).
 */
#define SFS_SET_KILL_SUID 0x200

/**
 * @brief What sfs_make_at() creates: type, permissions, owner, and the
 * type's payload.
 *
 * Ownership of new inodes: the creating call says it. sfs_make_at() takes the
 * owner here (a kernel passes the caller's effective uid and gid, a FUSE
 * server the request's). The older calls (sfs_create_at(), sfs_mkdir_at(),
 * sfs_symlink_at(), sfs_mknod_at() and the path calls) create inodes owned by
 * uid 0, gid 0. In both cases, when the parent directory has SFS_S_ISGID the
 * new inode takes the directory's group instead, and a new directory also
 * gets SFS_S_ISGID (the BSD/Linux rule). Everything else (umask, permission
 * checks, dropping SFS_S_ISGID for a non-member) is the caller's policy.
 */
struct sfs_make {
    uint32_t mode;      /**< Type (SFS_S_IF*; 0 means SFS_S_IFREG) and permission bits (07777). */
    uint32_t uid;       /**< Owner. */
    uint32_t gid;       /**< Group (replaced by the directory's under SFS_S_ISGID). */
    uint64_t rdev;      /**< SFS_S_IFCHR/SFS_S_IFBLK: device number, stored as given. */
    const char *target; /**< SFS_S_IFLNK: link contents, NUL terminated. */
};

/** @brief Volume statistics, as returned by sfs_statfs(). */
struct sfs_statfs {
    uint32_t block_size;              /**< Bytes per block. */
    uint32_t format_version;          /**< On-disk format version. */
    uint64_t total_blocks;            /**< Blocks in the volume. */
    uint64_t free_blocks;             /**< Free blocks. */
    uint64_t data_blocks;             /**< Blocks usable for data. */
    uint64_t total_inodes;            /**< Inodes (excluding reserved inode 0). */
    uint64_t free_inodes;             /**< Free inodes. */
    uint32_t name_max;                /**< Longest name. */
    uint32_t journal_blocks;          /**< Reserved journal blocks. */
    char label[SFS_SB_LABEL_LEN + 1]; /**< Volume label, NUL terminated. */
    uint32_t feat_incompat;           /**< Incompatible features (SFS_FEAT_INCOMPAT_*). */
    uint32_t symlink_max;             /**< Longest symbolic-link target on this volume. */
};

/** @brief One directory entry, as returned by sfs_dir_read(). */
struct sfs_dirent {
    uint32_t ino;                /**< Inode number. */
    uint32_t type;               /**< SFS_DT_* (REG, DIR, LNK, FIFO, CHR, BLK, SOCK). */
    uint32_t name_len;           /**< Bytes in @c name. */
    char name[SFS_NAME_MAX + 1]; /**< NUL-terminated name. */
};

/**
 * @brief Bytes of memory a volume needs for its cache.
 * @param block_size File-system block size.
 * @param cache_blocks Cache size in blocks (0: default).
 * @return bytes to pass as sfs_config::buffer_size
 */
size_t sfs_mem_size(uint32_t block_size, uint32_t cache_blocks);

/**
 * @brief Create an empty file system on a device.
 * @param fs Workspace; left unmounted afterwards.
 * @param dev Block device.
 * @param cfg Configuration (memory, clock).
 * @param opts Format parameters, or NULL for defaults.
 * @return 0 or SFS_EINVAL, SFS_ENOMEM, SFS_EIO
 */
int sfs_format(struct sfs *fs, const struct sfs_blockdev *dev, const struct sfs_config *cfg,
               const struct sfs_format_opts *opts);

/**
 * @brief Mount a volume after validating every superblock field.
 * @param fs Caller-allocated volume object.
 * @param dev Block device (copied).
 * @param cfg Configuration (copied).
 * @return 0 or SFS_EMEDIUMTYPE (no SFS magic), SFS_ENOTSUP (newer format or
 *         unknown incompatible feature), SFS_ECORRUPT, SFS_EINVAL, SFS_ENOMEM, SFS_EIO
 */
int sfs_mount(struct sfs *fs, const struct sfs_blockdev *dev, const struct sfs_config *cfg);

/**
 * @brief Write everything back, mark the volume clean and release memory.
 *
 * Open handles are closed implicitly; files unlinked while open are freed.
 * @param fs Mounted volume.
 * @return 0 or SFS_EIO (the volume is unmounted either way)
 */
int sfs_unmount(struct sfs *fs);

/**
 * @brief Write all dirty blocks and the superblock, then flush the device.
 * @param fs Mounted volume.
 * @return 0 or SFS_EIO
 */
int sfs_sync(struct sfs *fs);

/**
 * @brief Volume statistics.
 * @param fs Mounted volume.
 * @param st Filled in.
 * @return 0 or SFS_EINVAL
 */
int sfs_statfs(struct sfs *fs, struct sfs_statfs *st);

/**
 * @brief Open (and optionally create) a regular file.
 * @param fs Mounted volume.
 * @param f Caller-allocated handle; valid until sfs_close().
 * @param path Path (symbolic links followed).
 * @param flags SFS_O_* flags.
 * @param mode Permission bits for a new file.
 * @return 0 or SFS_ENOENT, SFS_EEXIST, SFS_EISDIR, SFS_ENOTDIR, SFS_ENOSPC, SFS_EIO ...
 */
int sfs_open(struct sfs *fs, struct sfs_file *f, const char *path, int flags, uint32_t mode);

/**
 * @brief Close a file or directory handle.
 * @param fs Mounted volume.
 * @param f Open handle.
 * @return 0 or SFS_EBADF, SFS_EIO
 */
int sfs_close(struct sfs *fs, struct sfs_file *f);

/**
 * @brief Read from the file position.
 * @param fs Mounted volume.
 * @param f Handle open for reading.
 * @param buf Destination.
 * @param len Bytes wanted.
 * @return bytes read (0 at end of file) or SFS_EBADF, SFS_EIO, SFS_ECORRUPT
 */
long sfs_read(struct sfs *fs, struct sfs_file *f, void *buf, size_t len);

/**
 * @brief Write at the file position (at the end with SFS_O_APPEND).
 * @param fs Mounted volume.
 * @param f Handle open for writing.
 * @param buf Source.
 * @param len Bytes to write.
 * @return bytes written (short only when the disk fills) or SFS_ENOSPC, SFS_EFBIG, SFS_EIO ...
 */
long sfs_write(struct sfs *fs, struct sfs_file *f, const void *buf, size_t len);

/**
 * @brief Read at an offset without moving the file position.
 * @param fs Mounted volume.
 * @param f Handle open for reading.
 * @param buf Destination.
 * @param len Bytes wanted.
 * @param off Byte offset.
 * @return bytes read or a negative SFS_E* code
 */
long sfs_pread(struct sfs *fs, struct sfs_file *f, void *buf, size_t len, uint64_t off);

/**
 * @brief Write at an offset without moving the file position.
 * @param fs Mounted volume.
 * @param f Handle open for writing.
 * @param buf Source.
 * @param len Bytes to write.
 * @param off Byte offset (a gap past the end becomes a hole).
 * @return bytes written or a negative SFS_E* code
 */
long sfs_pwrite(struct sfs *fs, struct sfs_file *f, const void *buf, size_t len, uint64_t off);

/**
 * @brief Move the file position.
 * @param fs Mounted volume.
 * @param f Open handle.
 * @param off Offset relative to @p whence.
 * @param whence SFS_SEEK_SET, SFS_SEEK_CUR or SFS_SEEK_END.
 * @return the new position or SFS_EINVAL, SFS_EBADF
 */
int64_t sfs_seek(struct sfs *fs, struct sfs_file *f, int64_t off, int whence);

/**
 * @brief Current file position.
 * @param fs Mounted volume.
 * @param f Open handle.
 * @return the position or SFS_EBADF
 */
int64_t sfs_tell(struct sfs *fs, struct sfs_file *f);

/**
 * @brief Set a file's size: growing leaves a hole, shrinking frees blocks.
 * @param fs Mounted volume.
 * @param f Handle open for writing.
 * @param size New size in bytes.
 * @return 0 or SFS_EBADF, SFS_EFBIG, SFS_EIO
 */
int sfs_ftruncate(struct sfs *fs, struct sfs_file *f, uint64_t size);

/**
 * @brief Set the size of the file at @p path (truncate(2): the times change
 *        only if the size does; sfs_ftruncate() and SFS_O_TRUNC always set them).
 * @param fs Mounted volume.
 * @param path Path of a regular file.
 * @param size New size in bytes.
 * @return 0 or SFS_ENOENT, SFS_EISDIR, SFS_EFBIG, SFS_EIO ...
 */
int sfs_truncate(struct sfs *fs, const char *path, uint64_t size);

/**
 * @brief Write a file's dirty blocks and flush the device.
 *
 * This version writes back the whole cache (the cache does not track owners).
 * @param fs Mounted volume.
 * @param f Open handle.
 * @return 0 or SFS_EBADF, SFS_EIO
 */
int sfs_fsync(struct sfs *fs, struct sfs_file *f);

/**
 * @brief Status of an open file.
 * @param fs Mounted volume.
 * @param f Open handle.
 * @param st Filled in.
 * @return 0 or SFS_EBADF, SFS_EIO
 */
int sfs_fstat(struct sfs *fs, struct sfs_file *f, struct sfs_stat *st);

/**
 * @brief Status of a path (symbolic links followed).
 * @param fs Mounted volume.
 * @param path Path.
 * @param st Filled in.
 * @return 0 or SFS_ENOENT, SFS_ENOTDIR, SFS_ELOOP, SFS_EIO ...
 */
int sfs_stat(struct sfs *fs, const char *path, struct sfs_stat *st);

/**
 * @brief Status of a path without following a final symbolic link.
 * @param fs Mounted volume.
 * @param path Path.
 * @param st Filled in.
 * @return 0 or a negative SFS_E* code
 */
int sfs_lstat(struct sfs *fs, const char *path, struct sfs_stat *st);

/**
 * @brief Create an empty regular file.
 * @param fs Mounted volume.
 * @param path New path.
 * @param mode Permission bits.
 * @return 0 or SFS_EEXIST, SFS_ENOENT, SFS_ENOSPC ...
 */
int sfs_create(struct sfs *fs, const char *path, uint32_t mode);

/**
 * @brief Create a directory.
 * @param fs Mounted volume.
 * @param path New path.
 * @param mode Permission bits.
 * @return 0 or SFS_EEXIST, SFS_ENOENT, SFS_ENOSPC, SFS_EMLINK ...
 */
int sfs_mkdir(struct sfs *fs, const char *path, uint32_t mode);

/**
 * @brief Create a FIFO, device, socket or regular file (mknod(2)), owned by
 *        uid 0, gid 0.
 * @param fs Mounted volume.
 * @param path New path.
 * @param mode Type (as for sfs_mknod_at()) and permission bits.
 * @param rdev Device number for SFS_S_IFCHR/SFS_S_IFBLK.
 * @return 0 or SFS_EPERM, SFS_EINVAL, SFS_EEXIST, SFS_ENOENT, SFS_ENOSPC ...
 */
int sfs_mknod(struct sfs *fs, const char *path, uint32_t mode, uint64_t rdev);

/**
 * @brief Change the attributes of the inode at @p path, as sfs_setattr_ino().
 * @param fs Mounted volume.
 * @param path Path.
 * @param follow Non-zero to follow a final symbolic link (chmod, chown,
 *        utimensat); zero to change the link itself (lchown, AT_SYMLINK_NOFOLLOW).
 * @param sa Changes to make.
 * @return 0 or SFS_ENOENT, SFS_ENOTDIR, SFS_ELOOP, or what sfs_setattr_ino() returns
 */
int sfs_setattr(struct sfs *fs, const char *path, int follow, const struct sfs_setattr *sa);

/**
 * @brief Remove an empty directory.
 * @param fs Mounted volume.
 * @param path Directory.
 * @return 0 or SFS_ENOTEMPTY, SFS_ENOTDIR, SFS_EBUSY (root), SFS_EINVAL (".") ...
 */
int sfs_rmdir(struct sfs *fs, const char *path);

/**
 * @brief Remove a name; the inode is freed with its last link and last open handle.
 * @param fs Mounted volume.
 * @param path Non-directory.
 * @return 0 or SFS_ENOENT, SFS_EISDIR ...
 */
int sfs_unlink(struct sfs *fs, const char *path);

/**
 * @brief Rename with POSIX semantics (an existing target is replaced atomically
 *        with respect to other calls; a directory cannot move into itself).
 * @param fs Mounted volume.
 * @param from Existing path.
 * @param to New path.
 * @return 0 or SFS_ENOENT, SFS_EINVAL, SFS_EISDIR, SFS_ENOTDIR, SFS_ENOTEMPTY ...
 */
int sfs_rename(struct sfs *fs, const char *from, const char *to);

/**
 * @brief Create a hard link.
 * @param fs Mounted volume.
 * @param existing Existing non-directory.
 * @param newpath New name.
 * @return 0 or SFS_EEXIST, SFS_EPERM (directory), SFS_EMLINK ...
 */
int sfs_link(struct sfs *fs, const char *existing, const char *newpath);

/**
 * @brief Create a symbolic link.
 * @param fs Mounted volume.
 * @param target Link contents (1..SFS_SYMLINK_MAX bytes).
 * @param linkpath New name.
 * @return 0 or SFS_EEXIST, SFS_ENAMETOOLONG, SFS_ENOSPC ...
 */
int sfs_symlink(struct sfs *fs, const char *target, const char *linkpath);

/**
 * @brief Read a symbolic link's target.
 * @param fs Mounted volume.
 * @param path Link.
 * @param buf Destination (not NUL terminated unless room is left).
 * @param len Bytes at @p buf.
 * @return bytes placed or SFS_EINVAL (not a link), SFS_ENOENT ...
 */
long sfs_readlink(struct sfs *fs, const char *path, char *buf, size_t len);

/* ---- Generic path walker ---- */

/** @brief sfs_walk_ops::kind: not a directory nor a symbolic link. */
#define SFS_WALK_OTHER 0
/** @brief sfs_walk_ops::kind: a directory. */
#define SFS_WALK_DIR 1
/** @brief sfs_walk_ops::kind: a symbolic link. */
#define SFS_WALK_SYMLINK 2
/** @brief sfs_walk_path() flag: follow a symbolic link in the last component. */
#define SFS_WALK_FOLLOW 0x1
/** @brief sfs_walk_path() flag: stop at the parent of the last component. */
#define SFS_WALK_PARENT 0x2
/**
 * @brief sfs_walk_path() flag, with SFS_WALK_PARENT: return a last name
 * longer than @c name_max (@c name_len says how long) for the caller to
 * refuse with SFS_ENAMETOOLONG in its own order, as Linux does (it resolves
 * both paths of a rename before it looks at either last name).
 */
#define SFS_WALK_LONG_LAST 0x4

/**
 * @brief Callbacks of the generic path walker. Nodes are opaque 64-bit
 *        handles (an inode number, a vnode pointer, ...).
 */
struct sfs_walk_ops {
    /**
     * @brief Look up @p name (@p len bytes, never "."; ".." is passed on, so
     * the callee decides what the parent of a root or mount is) in directory
     * @p dir and return one reference to the result in *@p out.
     * @return 0 or a negative error (passed through)
     */
    int (*lookup)(void *ctx, uint64_t dir, const char *name, size_t len, uint64_t *out);
    /** @brief SFS_WALK_DIR, SFS_WALK_SYMLINK, SFS_WALK_OTHER or a negative error. */
    int (*kind)(void *ctx, uint64_t node);
    /**
     * @brief Place link @p node's target in @p buf (at most @p size bytes) and
     * return its full length (more than @p size: the walk fails with
     * SFS_ENAMETOOLONG) or a negative error.
     */
    long (*readlink)(void *ctx, uint64_t node, char *buf, size_t size);
    /** @brief Optional: take another reference to @p node and return it. */
    uint64_t (*get)(void *ctx, uint64_t node);
    /** @brief Optional: drop a reference from lookup() or get(). */
    void (*put)(void *ctx, uint64_t node);
};

/**
 * @brief One path walk: inputs set by the caller, results set by sfs_walk_path().
 *
 * Memory: @c buf is the caller's and holds the path still to walk; it must
 * stay untouched while @c name is used.
 */
struct sfs_walk {
    const struct sfs_walk_ops *ops; /**< Callbacks. */
    void *ctx;                      /**< Passed to every callback. */
    uint64_t root;                  /**< Where absolute paths and targets start. */
    uint64_t start;                 /**< Where relative paths start. */
    char *buf;                      /**< Work buffer, @c buf_size bytes. */
    size_t buf_size;                /**< Longest path or link target + 1 (else ENAMETOOLONG). */
    size_t name_max;                /**< Longest component (0: SFS_NAME_MAX). */
    int symloop_max;                /**< Links per walk (0 or over SFS_SYMLOOP_MAX: that). */
    uint64_t node;                  /**< Result: the node (one reference), or the parent. */
    const char *name;               /**< Result (SFS_WALK_PARENT): last name in @c buf, or NULL. */
    size_t name_len;                /**< Result: bytes in @c name. */
    int trailing_slash;             /**< Result: the path ended in '/'. */
};

/**
 * @brief Walk @p path: iterative, bounded, no allocation.
 *
 * Repeated slashes are skipped; "." stays; ".." goes through lookup(); a
 * symbolic link in the middle of the path (or at its end with
 * SFS_WALK_FOLLOW, or before a trailing slash) is walked in its place, from
 * @c root when the target is absolute, and then the rest of the path (as in
 * Linux, the path and the targets need not fit in @c buf together; each
 * must). A target ending in '/' makes its last name need a directory, as a
 * trailing slash in the path does. With SFS_WALK_PARENT the walk stops before the last component:
 * @c node is its directory and @c name/@c name_len the component (NULL/0 when
 * the path names a directory itself, e.g. "/" or "a/.."). A trailing slash
 * on a non-directory gives SFS_ENOTDIR.
 * @param w Inputs and results.
 * @param path NUL-terminated path.
 * @param flags SFS_WALK_FOLLOW, SFS_WALK_PARENT.
 * @return 0 or SFS_ENOENT (empty path or target), SFS_ENOTDIR, SFS_ELOOP,
 *         SFS_ENAMETOOLONG, SFS_EINVAL, or a callback's error
 */
int sfs_walk_path(struct sfs_walk *w, const char *path, int flags);

/**
 * @brief CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), chainable and
 *        identical to zlib's crc32(): start with @p crc = 0 and feed the
 *        previous result to continue. sfs_crc32(0, "123456789", 9) = 0xCBF43926.
 * @param crc CRC of the data so far (0 for none).
 * @param buf Bytes to add.
 * @param len Bytes at @p buf.
 * @return the CRC of the data so far followed by @p buf
 */
uint32_t sfs_crc32(uint32_t crc, const void *buf, size_t len);

/**
 * @brief Open a directory for reading.
 * @param fs Mounted volume.
 * @param d Caller-allocated handle.
 * @param path Directory.
 * @return 0 or SFS_ENOENT, SFS_ENOTDIR ...
 */
int sfs_dir_open(struct sfs *fs, struct sfs_dir *d, const char *path);

/**
 * @brief Next entry. Entries present for the whole walk are returned exactly
 *        once, even while others are added or removed.
 * @param fs Mounted volume.
 * @param d Open directory.
 * @param ent Filled in.
 * @return 1 with an entry, 0 at the end, or a negative SFS_E* code
 */
int sfs_dir_read(struct sfs *fs, struct sfs_dir *d, struct sfs_dirent *ent);

/**
 * @brief Restart a directory walk.
 * @param fs Mounted volume.
 * @param d Open directory.
 * @return 0 or SFS_EBADF
 */
int sfs_dir_rewind(struct sfs *fs, struct sfs_dir *d);

/**
 * @brief Close a directory handle.
 * @param fs Mounted volume.
 * @param d Open directory.
 * @return 0 or SFS_EBADF
 */
int sfs_dir_close(struct sfs *fs, struct sfs_dir *d);

/**
 * @brief Text for an SFS_E* code.
 * @param err Negative error code.
 * @return a static string
 */
const char *sfs_strerror(int err);

/* The inode API (uses the types above). */
#include <sfs/sfs_inode.h>

#endif
