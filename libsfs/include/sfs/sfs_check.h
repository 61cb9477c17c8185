/**
 * @file sfs_check.h
 * @brief libsfs consistency checker (fsck), shared by fsck.sfs and kernels.
 *
 * sfs_check() walks a mounted volume read-only and reports every broken
 * invariant through a callback, as a structured problem (code + numbers) so
 * callers format messages their own way (sfs_check_describe() gives text).
 * It does not repair anything: sfs_repair() does, on a read-write mount.
 *
 * Locking: as every call of sfs.h: sfs_check() and sfs_repair() hold the
 * volume's lock (its hooks) for their whole run, report callbacks included, so
 * a callback must not call into the same volume; the work memory is the
 * caller's and private to the call.
 */
#ifndef SFS_SFS_CHECK_H
#define SFS_SFS_CHECK_H

#include <sfs/sfs.h>

/** @brief Kinds of problem sfs_check() reports. */
enum sfs_check_code {
    SFS_CHK_FREE_BLOCKS = 1, /**< superblock free-block count (a) differs from bitmap (b) */
    SFS_CHK_FREE_INODES,     /**< superblock free-inode count (a) differs from bitmap (b) */
    SFS_CHK_META_FREE,       /**< metadata block (a) is free in the data bitmap */
    SFS_CHK_BAD_INODE,       /**< inode has an invalid type (a = mode) */
    SFS_CHK_BAD_PTR,         /**< inode has a block pointer (a) outside the data region */
    SFS_CHK_DUP_BLOCK,       /**< block (a) is owned twice */
    SFS_CHK_BLOCK_FREE,      /**< block (a) is in use but free in the bitmap */
    SFS_CHK_BLOCK_LEAK,      /**< block (a) is marked used but nothing owns it */
    SFS_CHK_INODE_FREE,      /**< inode is referenced but free in the bitmap / mode 0 */
    SFS_CHK_INODE_LEAK,      /**< inode is marked used but not referenced */
    SFS_CHK_NLINK,           /**< link count (a) differs from references found (b) */
    SFS_CHK_DOT,             /**< directory's "." entry is missing or wrong (a = its inode) */
    SFS_CHK_DOTDOT,          /**< directory's ".." (a) is not its parent (b) */
    SFS_CHK_DIRENT,          /**< bad entry in directory slot (a): name, type or inode */
    SFS_CHK_INDEX,           /**< directory index disagrees with its entries (a = slot) */
    SFS_CHK_SIZE,            /**< block (a) mapped past the size (b) */
    SFS_CHK_BLOCK_COUNT,     /**< inode block count (a) differs from blocks found (b) */
    SFS_CHK_DIR_LINKS,       /**< directory has (a) names, expected exactly one */
    SFS_CHK_UNREACHABLE,     /**< directory cannot be reached from the root */
    SFS_CHK_DIR_COUNT,       /**< directory entry count (a) differs from live slots (b) */
    SFS_CHK_IO,              /**< the block (a) could not be read (error b) */
    SFS_CHK_JOURNAL,         /**< the journal holds a committed transaction (seq a) to replay */
    /* Codes only sfs_repair() reports (sfs_check() finds these as the codes above). */
    SFS_CHK_IBITMAP,    /**< repair: inode-bitmap bit of an inode (a = 1 in use) was wrong */
    SFS_CHK_ORPHAN,     /**< repair: stale orphan-list link (a) cleared */
    SFS_CHK_RECONNECT,  /**< repair: unreferenced inode named in /lost+found (a = that directory) */
    SFS_CHK_FREED,      /**< repair: unreferenced empty inode freed */
    SFS_CHK_DIR_REBUILT /**< repair: directory rebuilt from its slot array (a = live entries) */
};

/** @brief One problem found by sfs_check(). */
struct sfs_check_problem {
    int code;     /**< enum sfs_check_code */
    uint32_t ino; /**< inode concerned (0: none) */
    uint64_t a;   /**< first number (see the code) */
    uint64_t b;   /**< second number (see the code) */
};

/**
 * @brief Callback receiving each problem.
 * @param ctx The @p ctx given to sfs_check().
 * @param p The problem (valid during the call only).
 */
typedef void (*sfs_check_report_fn)(void *ctx, const struct sfs_check_problem *p);

/**
 * @brief Working memory sfs_check() needs for a volume.
 * @param fs Mounted volume.
 * @return bytes
 */
size_t sfs_check_work_size(const struct sfs *fs);

/**
 * @brief Check every invariant of a mounted volume.
 *
 * Call sfs_sync() first if the volume has been modified (the checker reads
 * through the cache, so it is not required for correctness).
 * @param fs Mounted volume.
 * @param work sfs_check_work_size() bytes, or NULL to use the config's alloc hook.
 * @param work_size Bytes at @p work.
 * @param report Called once per problem (may be NULL).
 * @param ctx Passed to @p report.
 * @return number of problems (0: clean) or SFS_ENOMEM, SFS_EINVAL
 */
long sfs_check(struct sfs *fs, void *work, size_t work_size, sfs_check_report_fn report, void *ctx);

/** @brief What sfs_repair() did. */
struct sfs_repair_result {
    uint32_t fixed; /**< repairs made (each also reported through the callback) */
    uint32_t left;  /**< problems seen but left uncorrected (no room, no /lost+found, ...) */
};

/**
 * @brief Working memory sfs_repair() needs for a volume (at least sfs_check_work_size()).
 * @param fs Mounted volume.
 * @return bytes
 */
size_t sfs_repair_work_size(const struct sfs *fs);

/**
 * @brief Repair a volume so that sfs_check() finds nothing (fsck -y).
 *
 * Call right after a read-write mount (which replays the journal and finishes
 * orphans), with no handle open. Rules (docs/sfs-format.md, "Repair"): the
 * bitmaps and free counts are rebuilt from what inodes own; an inode in use
 * with an invalid type is cleared; a block pointer outside the data region,
 * past the size, or to a block an earlier inode (by number, then logical
 * block) already owns is cleared; a directory whose structure is broken is
 * rebuilt from its slot array; entries naming free inodes, the root, or a
 * directory that already has a name are dropped; ".." and link counts are
 * set from the tree; unreachable directories and unreferenced files that
 * hold data are named "#<ino>" in /lost+found (created if missing), empty
 * ones are freed. On a journaled volume every change goes through the
 * journal, in transactions that each leave a volume the next repair can
 * finish: a crash during repair is safe. A volume that sfs_check() finds
 * clean is not written.
 * @param fs Volume mounted read-write.
 * @param work sfs_repair_work_size() bytes, or NULL to use the config's alloc hook.
 * @param work_size Bytes at @p work.
 * @param report Called once per repair (may be NULL); the code names what was wrong.
 * @param ctx Passed to @p report.
 * @param res Filled in with the counts (may be NULL).
 * @return 0, or SFS_EROFS, SFS_EBUSY (handles open), SFS_EIO, SFS_ENOMEM, SFS_EINVAL
 */
int sfs_repair(struct sfs *fs, void *work, size_t work_size, sfs_check_report_fn report, void *ctx,
               struct sfs_repair_result *res);

/**
 * @brief Text for a problem code.
 * @param code enum sfs_check_code value.
 * @return a static string
 */
const char *sfs_check_describe(int code);

#endif
