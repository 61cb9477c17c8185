/*
 * sfs_priv.h - libsfs internals shared by its layers.
 *
 * Layers, lowest first (one source file each):
 *   sfs_util.c   byte-wise little-endian access, CRC-32, name hash, errors, log
 *   sfs_bcache.c write-back LRU block cache over the block device
 *   sfs_alloc.c  inode and block bitmaps
 *   sfs_inode.c  inodes, block maps (direct/indirect), data read/write, truncate
 *   sfs_dir.c    directories: slot array + linear-probing hash index
 *   sfs_walk.c   the generic path walker (public, callback based)
 *   sfs_path.c   path resolution over directory inodes, with the walker
 *   sfs_super.c  format, mount, unmount, sync, statfs
 *   sfs_ops.c    namespace operations (create, mkdir, unlink, rename, ...)
 *   sfs_file.c   file and directory handles
 *   sfs_attr.c   attribute changes (chmod, chown, truncate, utimensat)
 *   sfs_check.c  consistency checker
 *   sfs_repair.c repairs (fsck -y), over the layers above (passes 3-5 in
 *                sfs_repair_dir.c, shared state in sfs_repair_priv.h)
 *
 * Internal functions assume the caller holds the volume lock (public entry
 * points take it, through SFS_CALL()) and return 0 or a negative SFS_E* code.
 */
#ifndef SFS_PRIV_H
#define SFS_PRIV_H

#include <sfs/sfs.h>
#include <sfs/sfs_check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- byte-wise little-endian access ---- */
static inline uint16_t sfs_ld16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t sfs_ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t sfs_ld64(const uint8_t *p)
{
    return (uint64_t)sfs_ld32(p) | ((uint64_t)sfs_ld32(p + 4) << 32);
}
static inline void sfs_st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void sfs_st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void sfs_st64(uint8_t *p, uint64_t v)
{
    sfs_st32(p, (uint32_t)v);
    sfs_st32(p + 4, (uint32_t)(v >> 32));
}

/* ---- sfs_util.c ---- */
uint32_t sfs_name_hash(const char *name, size_t len);
void sfs_log(struct sfs *fs, const char *msg, uint64_t a, uint64_t b);
/* Log a corrupt structure and return SFS_ECORRUPT. */
int sfs_corrupt(struct sfs *fs, const char *msg, uint64_t a, uint64_t b);
uint64_t sfs_now(struct sfs *fs);
/* A timestamp: signed seconds since the epoch and nanoseconds. */
struct sfs_ts {
    int64_t sec;
    uint32_t nsec;
};
/* Now, as inode times hold it on this volume (whole seconds without
 * SFS_FEAT_INCOMPAT_POSIX; always within the packed range). */
struct sfs_ts sfs_now_ts(struct sfs *fs);
/* Clamp @t into what this volume's inodes can hold. */
struct sfs_ts sfs_ts_fit(const struct sfs *fs, struct sfs_ts t);
/* Does the volume have the POSIX inode feature? */
static inline bool sfs_has_posix(const struct sfs *fs)
{
    return (fs->feat_incompat & SFS_FEAT_INCOMPAT_POSIX) != 0;
}
/* Longest symbolic-link target this volume holds. */
static inline uint32_t sfs_symlink_max(const struct sfs *fs)
{
    return sfs_has_posix(fs) ? SFS_SYMLINK_MAX_POSIX : SFS_SYMLINK_MAX_V1;
}
/* strnlen(), which the host need not provide. */
size_t sfs_strnlen(const char *s, size_t max);

/* ---- sfs_bcache.c ---- */
struct sfs_buf {
    uint32_t blk;                /* block number, valid when SFS_BUF_VALID */
    uint32_t refs;               /* pins; a pinned buffer is never evicted */
    uint32_t flags;              /* SFS_BUF_* */
    uint64_t stamp;              /* fs->cache_tick when last moved to the LRU head */
    uint32_t slot;               /* SFS_BUF_TXN: its journal slot */
    uint8_t *data;               /* block_size bytes */
    struct sfs_buf *prev, *next; /* LRU list */
    struct sfs_buf *hnext;       /* hash chain */
};
#define SFS_BUF_VALID 0x1u
#define SFS_BUF_DIRTY 0x2u
#define SFS_BUF_TXN   0x4u /* logged by the running transaction */

#define SFS_BGET_READ   0 /* read the block from the device if not cached */
#define SFS_BGET_NOREAD 1 /* caller overwrites the whole block: skip the read */

size_t sfs_bcache_mem_size(uint32_t block_size, uint32_t nbufs);
void sfs_bcache_init(struct sfs *fs, void *mem, uint32_t nbufs);
int sfs_bget(struct sfs *fs, uint32_t blk, int mode, struct sfs_buf **out);
/* As sfs_bget(SFS_BGET_NOREAD) and zero the block, marked dirty. */
int sfs_bget_zero(struct sfs *fs, uint32_t blk, struct sfs_buf **out);
/* Mark metadata modified (journaled volumes: it joins the running transaction). */
void sfs_bdirty(struct sfs *fs, struct sfs_buf *b);
/* Mark regular-file data modified (never journaled: written home before commit). */
void sfs_bdirty_data(struct sfs *fs, struct sfs_buf *b);
struct sfs_buf *sfs_bcache_find(struct sfs *fs, uint32_t blk);
bool sfs_bcache_dirty(struct sfs *fs);
void sfs_bput(struct sfs *fs, struct sfs_buf *b);
/* Drop a cached block without writing it (the block was freed). */
void sfs_bforget(struct sfs *fs, uint32_t blk);
int sfs_bflush_all(struct sfs *fs);
/* Read @count consecutive blocks into @data: cached blocks from the cache
 * (they may be newer), each uncached stretch with one device request, with
 * the lock let go around it if @may_unlock and the port allows
 * (sfs_config::io_unlock; the caller checks fs->free_gen afterwards). */
int sfs_bread_through_run(struct sfs *fs, uint32_t blk, uint32_t count, void *data,
                          bool may_unlock);
/* Write @count consecutive blocks from @data: cached blocks into the cache
 * (marked dirty), each uncached stretch with one device request. */
int sfs_bwrite_through_run(struct sfs *fs, uint32_t blk, uint32_t count, const void *data);
/* Most blocks one streaming device request may cover. */
#define SFS_RUN_MAX 256u
/* Raw device access in whole file-system blocks (used before the cache exists). */
int sfs_dev_read(struct sfs *fs, uint32_t blk, void *buf);
int sfs_dev_write(struct sfs *fs, uint32_t blk, const void *buf);

/* ---- sfs_alloc.c ---- */
int sfs_balloc(struct sfs *fs, uint32_t *out);
int sfs_bfree(struct sfs *fs, uint32_t blk);
int sfs_ialloc(struct sfs *fs, uint32_t *out);
int sfs_ifree(struct sfs *fs, uint32_t ino);
/* Test one bit of a bitmap region; *out = 0/1. */
int sfs_bitmap_test(struct sfs *fs, uint32_t start, uint32_t bit, int *out);
int sfs_bitmap_set(struct sfs *fs, uint32_t start, uint32_t bit, int val);

/* ---- sfs_inode.c ---- */
struct sfs_inode {
    uint32_t ino;
    uint32_t mode;
    uint32_t nlink;
    uint32_t uid, gid;
    uint32_t blocks;
    uint64_t size;
    struct sfs_ts atime, mtime, ctime;
    uint64_t rdev; /* character and block devices (then direct[0..1] are unused) */
    bool bad_time; /* decoded a packed time with nanoseconds over 999999999 (clamped) */
    uint32_t direct[SFS_NDIRECT];
    uint32_t ind[3];
    uint32_t dir_slots, dir_free, dir_count, dir_icap;
    uint32_t orphan_next; /* journaled volumes: next orphan, SFS_ORPHAN_END, or 0 */
};

static inline bool sfs_is_dir(const struct sfs_inode *ip)
{
    return (ip->mode & SFS_S_IFMT) == SFS_S_IFDIR;
}
static inline bool sfs_is_reg(const struct sfs_inode *ip)
{
    return (ip->mode & SFS_S_IFMT) == SFS_S_IFREG;
}
static inline bool sfs_is_lnk(const struct sfs_inode *ip)
{
    return (ip->mode & SFS_S_IFMT) == SFS_S_IFLNK;
}
/* FIFO, character or block device, or socket: no data, maybe an rdev. */
static inline bool sfs_is_special(const struct sfs_inode *ip)
{
    uint32_t t = ip->mode & SFS_S_IFMT;
    return t == SFS_S_IFIFO || t == SFS_S_IFCHR || t == SFS_S_IFBLK || t == SFS_S_IFSOCK;
}
static inline bool sfs_blk_valid(const struct sfs *fs, uint32_t blk)
{
    return blk >= fs->data_start && blk < fs->total_blocks;
}

void sfs_inode_encode(const struct sfs *fs, const struct sfs_inode *ip, uint8_t *p);
/* Set the times named by SFS_TOUCH_* bits to now. */
#define SFS_TOUCH_A 0x1
#define SFS_TOUCH_M 0x2
#define SFS_TOUCH_C 0x4
void sfs_inode_touch(struct sfs *fs, struct sfs_inode *ip, int which);
/* Read inode @ino; it must be in use (mode of a known type), else SFS_ECORRUPT. */
int sfs_inode_read(struct sfs *fs, uint32_t ino, struct sfs_inode *ip);
/* Read without validating the type (checker). */
int sfs_inode_read_raw(struct sfs *fs, uint32_t ino, struct sfs_inode *ip);
int sfs_inode_write(struct sfs *fs, const struct sfs_inode *ip);
/* Pin the inode-table block holding @ino (so a later store cannot fail). */
int sfs_inode_pin(struct sfs *fs, uint32_t ino, struct sfs_buf **b, uint32_t *off);
int sfs_inode_new(struct sfs *fs, uint32_t mode, struct sfs_inode *ip);
/* Free blocks and inode: caller has checked nlink == 0 and no open handle. */
int sfs_inode_destroy(struct sfs *fs, struct sfs_inode *ip);
/* Blocks addressable by one inode. */
uint64_t sfs_max_lblocks(const struct sfs *fs);
/* Map logical block -> physical (0: hole). SFS_MAP_ALLOC fills holes with zeroed
 * blocks. (SFS_MAP_RAW, used inside sfs_inode.c only, leaves a new data block
 * unzeroed and uncached: its caller writes all of it.) */
#define SFS_MAP_LOOKUP 0
#define SFS_MAP_ALLOC  1
#define SFS_MAP_RAW    2
int sfs_bmap(struct sfs *fs, struct sfs_inode *ip, uint64_t lblk, int mode, uint32_t *out);
/* Free mapped blocks in [lo, hi) and indirect blocks left empty. */
int sfs_free_range(struct sfs *fs, struct sfs_inode *ip, uint64_t lo, uint64_t hi);
long sfs_inode_pread(struct sfs *fs, struct sfs_inode *ip, void *buf, size_t len, uint64_t off);
long sfs_inode_pwrite(struct sfs *fs, struct sfs_inode *ip, const void *buf, size_t len,
                      uint64_t off);
int sfs_inode_truncate(struct sfs *fs, struct sfs_inode *ip, uint64_t size);
/* Is this inode open through some handle? */
bool sfs_inode_is_open(const struct sfs *fs, uint32_t ino);
/* Drop one link (already removed from its directory); free when unreferenced. */
int sfs_inode_unref(struct sfs *fs, struct sfs_inode *ip);

/* ---- sfs_dir.c ---- */
struct sfs_dslot {
    uint32_t ino;
    uint32_t type;
    uint32_t name_len;
    char name[SFS_NAME_MAX + 1];
};
uint32_t sfs_dir_slots_per_block(const struct sfs *fs);
uint32_t sfs_mode_to_dt(uint32_t mode);
int sfs_dir_init(struct sfs *fs, struct sfs_inode *dp, uint32_t parent);
int sfs_dir_lookup(struct sfs *fs, struct sfs_inode *dp, const char *name, size_t len,
                   uint32_t *ino, uint32_t *slot);
/* Before changing anything, make journal room for an add to @dp (index rebuild). */
int sfs_dir_reserve(struct sfs *fs, const struct sfs_inode *dp);
int sfs_dir_add(struct sfs *fs, struct sfs_inode *dp, const char *name, size_t len, uint32_t ino,
                uint32_t type);
int sfs_dir_remove(struct sfs *fs, struct sfs_inode *dp, const char *name, size_t len);
int sfs_dir_set_ino(struct sfs *fs, struct sfs_inode *dp, uint32_t slot, uint32_t ino,
                    uint32_t type);
/* Read slot @slot; ent->ino == 0 for a free slot. Validates names. */
int sfs_dir_read_slot(struct sfs *fs, struct sfs_inode *dp, uint32_t slot, struct sfs_dslot *ent);
/* Repair: write slot @slot as given (@ino 0: a free slot linking to @next_free),
 * and add an index entry for a slot, without the checks sfs_dir_add() makes. */
int sfs_dir_slot_write(struct sfs *fs, struct sfs_inode *dp, uint32_t slot, uint32_t ino,
                       uint32_t type, const char *name, size_t len, uint32_t next_free);
int sfs_dir_index_insert(struct sfs *fs, struct sfs_inode *dp, const char *name, size_t len,
                         uint32_t slot);
/* Index entry @i: *hash, *slot1 (slot + 1, 0 = empty). */
int sfs_dir_index_get(struct sfs *fs, struct sfs_inode *dp, uint32_t i, uint32_t *hash,
                      uint32_t *slot1);

/* ---- sfs_path.c ---- */
#define SFS_RES_FOLLOW 0x1 /* follow a final symlink */
#define SFS_RES_PARENT 0x2 /* stop at the parent of the last component */
struct sfs_res {
    uint32_t ino;      /* the object (SFS_RES_PARENT: the parent directory) */
    uint32_t name_len; /* SFS_RES_PARENT: the last component (may exceed SFS_NAME_MAX: then
                        * only its first SFS_NAME_MAX bytes are in name) */
    char name[SFS_NAME_MAX + 1];
    bool trailing_slash; /* path ended in '/' */
    bool root;           /* SFS_RES_PARENT: the path had no last name ("/"); name is "." */
};
/* Resolve @path; a relative path starts at directory @dir. */
int sfs_resolve(struct sfs *fs, uint32_t dir, const char *path, int flags, struct sfs_res *res);

/* Resolve @path (following symlinks) to a directory and read its inode:
 * SFS_ENOTDIR if it is something else. */
int sfs_resolve_dir(struct sfs *fs, uint32_t dir, const char *path, struct sfs_inode *ip);
bool sfs_is_dot_name(const char *name, size_t len);

/* ---- sfs_journal.c ---- */
void sfs_txn_add(struct sfs *fs, struct sfs_buf *b);
bool sfs_txn_find(struct sfs *fs, uint32_t blk, uint32_t *slot);
uint32_t sfs_txn_slot_blk(const struct sfs *fs, uint32_t slot);
void sfs_txn_revoke(struct sfs *fs, uint32_t slot);
/* Was @blk freed in the running transaction (not yet reusable)? */
bool sfs_txn_freed(const struct sfs *fs, uint32_t blk);
/* Defer freeing @blk to the commit; false: free it now. */
bool sfs_txn_defer_free(struct sfs *fs, uint32_t blk);
int sfs_txn_commit(struct sfs *fs);
int sfs_txn_begin(struct sfs *fs);
/* Before a call changes anything: make room for @blocks logged blocks and
 * @frees deferred frees, committing what is there if needed. */
int sfs_txn_need(struct sfs *fs, uint64_t blocks, uint64_t frees);
void sfs_txn_end(struct sfs *fs, int64_t r);
/* Inside a long operation on @ip: commit if the transaction is filling up
 * (storing @ip, on the orphan list so a crash finishes the operation). */
int sfs_txn_breakpoint(struct sfs *fs, struct sfs_inode *ip);
int sfs_journal_format(struct sfs *fs);
/* Replay at mount: 1 replayed, 0 nothing to do, or SFS_E*. */
int sfs_journal_mount(struct sfs *fs);
int sfs_orphan_add(struct sfs *fs, struct sfs_inode *ip);
int sfs_orphan_del(struct sfs *fs, struct sfs_inode *ip);
int sfs_orphan_recover(struct sfs *fs);

/* ---- sfs_super.c ---- */
int sfs_super_write(struct sfs *fs, uint32_t state);
/* Unlink a handle from the open list; free an unreferenced inode. */
int sfs_file_release(struct sfs *fs, struct sfs_file *f);

/* Write everything back and flush the device (sfs_sync() under the lock). */
int sfs_sync_locked(struct sfs *fs);

/* ---- sfs_check.c ---- */
/* sfs_check() under the lock (sfs_repair() runs it first). */
long sfs_check_locked(struct sfs *fs, void *work, size_t work_size, sfs_check_report_fn report,
                      void *ctx);

/* ---- sfs_ops.c ---- */
/* Create @name in @dir with @mode (type included); a symlink gets @target. */
int sfs_create_in(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
                  const char *target, uint32_t *ino);
/* Create @name in @dir as @mk says (its type already checked for the volume). */
int sfs_make_in(struct sfs *fs, uint32_t dir, const char *name, size_t len,
                const struct sfs_make *mk, uint32_t *ino);
int sfs_readdir_ino(struct sfs *fs, uint32_t dir, uint64_t *cookie, struct sfs_dirent *ent);
void sfs_fill_stat(const struct sfs *fs, const struct sfs_inode *ip, struct sfs_stat *st);

/* ---- public entry points ---- */
#define SFS_OP_READ    0 /* reads only: allowed on a read-only volume */
#define SFS_OP_WRITE   1 /* changes the volume: SFS_EROFS on a read-only one */
#define SFS_OP_SYNC    2 /* writes back: a no-op on a read-only volume */
#define SFS_OP_RELEASE 3 /* drops a handle: always allowed on a mounted volume */
/* Take the lock and check, under it, that the call may run: 0 or SFS_E*. */
int64_t sfs_enter(struct sfs *fs, int op);
/* Finish the call that sfs_enter() began with result @r; drop the lock. */
int64_t sfs_leave(struct sfs *fs, int op, int64_t r);

/*
 * The one way a public call runs: every public entry point is
 *     SFS_CALL(fs, SFS_OP_..., do_the_work(fs, ...));
 * so the lock, the mounted/read-only checks and the transaction are in one
 * place (sfs_enter()/sfs_leave()). @expr runs only when sfs_enter() allowed it.
 */
#define SFS_CALL(fs, op, expr)                                                                     \
    do {                                                                                           \
        struct sfs *call_fs_ = (fs);                                                               \
        int64_t call_r_ = sfs_enter(call_fs_, (op));                                               \
        if (call_r_ == 0)                                                                          \
            call_r_ = (expr);                                                                      \
        return sfs_leave(call_fs_, (op), call_r_);                                                 \
    } while (0)

#endif
