/*
 * sfs_super.c - volume layer: format, mount, unmount, sync, statfs.
 *
 * The superblock is decoded into struct sfs at mount after checking every
 * field (magic, checksum, version, features, geometry, layout, counts); the
 * free counters live in struct sfs and are written back by sfs_sync() and
 * sfs_unmount(). While mounted the on-disk state says SFS_STATE_DIRTY.
 *
 * Memory: the block cache comes from the config's buffer or alloc hook
 * (sfs_mem_size() bytes); nothing else is allocated.
 */
#include "sfs_priv.h"

size_t sfs_mem_size(uint32_t block_size, uint32_t cache_blocks)
{
    if (!cache_blocks)
        cache_blocks = SFS_DEFAULT_CACHE_BLOCKS;
    return sfs_bcache_mem_size(block_size, cache_blocks);
}

static bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

static int mem_setup(struct sfs *fs)
{
    uint32_t n = fs->cfg.cache_blocks ? fs->cfg.cache_blocks : SFS_DEFAULT_CACHE_BLOCKS;
    if (n < SFS_MIN_CACHE_BLOCKS)
        return SFS_EINVAL;
    void *mem;
    if (fs->cfg.buffer) {
        while (n >= SFS_MIN_CACHE_BLOCKS &&
               sfs_bcache_mem_size(fs->block_size, n) > fs->cfg.buffer_size)
            n--;
        if (n < SFS_MIN_CACHE_BLOCKS)
            return SFS_ENOMEM;
        mem = fs->cfg.buffer;
    } else {
        if (!fs->cfg.alloc || !fs->cfg.free)
            return SFS_EINVAL;
        mem = fs->cfg.alloc(fs->cfg.hook_ctx, sfs_bcache_mem_size(fs->block_size, n));
        if (!mem)
            return SFS_ENOMEM;
        fs->mem = mem;
    }
    sfs_bcache_init(fs, mem, n);
    return 0;
}

static void mem_release(struct sfs *fs)
{
    if (fs->mem)
        fs->cfg.free(fs->cfg.hook_ctx, fs->mem);
    fs->mem = NULL;
    fs->bufs = NULL;
    fs->nbufs = 0;
}

static int check_dev(const struct sfs_blockdev *dev)
{
    if (!dev || !dev->read || !dev->write || !is_pow2(dev->sector_size) || dev->sector_size < 512 ||
        dev->sector_size > SFS_MAX_BLOCK_SIZE)
        return SFS_EINVAL;
    return 0;
}

static void encode_super(const struct sfs *fs, uint8_t *p, uint32_t state)
{
    memset(p, 0, SFS_SB_SIZE);
    sfs_st32(p + SFS_SB_MAGIC, SFS_MAGIC);
    sfs_st32(p + SFS_SB_VERSION, SFS_FORMAT_VERSION);
    sfs_st32(p + SFS_SB_BLOCK_SIZE, fs->block_size);
    sfs_st32(p + SFS_SB_TOTAL_BLOCKS, fs->total_blocks);
    sfs_st32(p + SFS_SB_INODE_COUNT, fs->inode_count);
    sfs_st32(p + SFS_SB_IBITMAP_START, fs->ibitmap_start);
    sfs_st32(p + SFS_SB_IBITMAP_BLOCKS, fs->ibitmap_blocks);
    sfs_st32(p + SFS_SB_DBITMAP_START, fs->dbitmap_start);
    sfs_st32(p + SFS_SB_DBITMAP_BLOCKS, fs->dbitmap_blocks);
    sfs_st32(p + SFS_SB_ITABLE_START, fs->itable_start);
    sfs_st32(p + SFS_SB_ITABLE_BLOCKS, fs->itable_blocks);
    sfs_st32(p + SFS_SB_JOURNAL_START, fs->journal_start);
    sfs_st32(p + SFS_SB_JOURNAL_BLOCKS, fs->journal_blocks);
    sfs_st32(p + SFS_SB_DATA_START, fs->data_start);
    sfs_st32(p + SFS_SB_FREE_BLOCKS, fs->free_blocks);
    sfs_st32(p + SFS_SB_FREE_INODES, fs->free_inodes);
    sfs_st32(p + SFS_SB_FEAT_COMPAT, fs->feat_compat);
    sfs_st32(p + SFS_SB_FEAT_INCOMPAT, fs->feat_incompat);
    sfs_st32(p + SFS_SB_ORPHAN_HEAD, fs->orphan_head);
    sfs_st32(p + SFS_SB_ROOT_INO, SFS_ROOT_INO);
    sfs_st32(p + SFS_SB_STATE, state);
    sfs_st64(p + SFS_SB_MKFS_TIME, fs->mkfs_time);
    sfs_st64(p + SFS_SB_WRITE_TIME, sfs_now((struct sfs *)fs));
    memcpy(p + SFS_SB_LABEL, fs->label, SFS_SB_LABEL_LEN);
    sfs_st32(p + SFS_SB_CHECKSUM, sfs_crc32(0, p, SFS_SB_CHECKSUM));
}

/* Compute the layout that follows from the geometry; used by format and mount.
 * Sums are 64-bit: false if the regions do not fit the volume. */
static bool layout(struct sfs *fs)
{
    uint64_t bpb = (uint64_t)fs->block_size * 8;
    uint64_t ib = div_up(fs->inode_count, bpb), db = div_up(fs->total_blocks, bpb);
    uint64_t it = div_up((uint64_t)fs->inode_count * SFS_INODE_SIZE, fs->block_size);
    uint64_t data = 1 + ib + db + it + (uint64_t)fs->journal_blocks;
    if (data >= fs->total_blocks)
        return false;
    fs->ibitmap_start = 1;
    fs->ibitmap_blocks = (uint32_t)ib;
    fs->dbitmap_start = 1 + (uint32_t)ib;
    fs->dbitmap_blocks = (uint32_t)db;
    fs->itable_start = fs->dbitmap_start + (uint32_t)db;
    fs->itable_blocks = (uint32_t)it;
    fs->journal_start = fs->itable_start + (uint32_t)it;
    fs->data_start = (uint32_t)data;
    return true;
}

static int decode_super(struct sfs *fs, const uint8_t *p)
{
    if (sfs_ld32(p + SFS_SB_MAGIC) != SFS_MAGIC)
        return SFS_EMEDIUMTYPE;
    if (sfs_ld32(p + SFS_SB_CHECKSUM) != sfs_crc32(0, p, SFS_SB_CHECKSUM))
        return sfs_corrupt(fs, "superblock checksum mismatch", 0, 0);
    uint32_t ver = sfs_ld32(p + SFS_SB_VERSION);
    if (ver > SFS_FORMAT_VERSION) {
        sfs_log(fs, "format version newer than this library", ver, SFS_FORMAT_VERSION);
        return SFS_ENOTSUP;
    }
    if (ver == 0)
        return sfs_corrupt(fs, "superblock: bad format version", ver, 0);
    if ((sfs_ld32(p + SFS_SB_FEAT_INCOMPAT) & ~SFS_FEAT_INCOMPAT_KNOWN) ||
        (sfs_ld32(p + SFS_SB_FEAT_RO_COMPAT) & ~SFS_FEAT_RO_COMPAT_KNOWN)) {
        sfs_log(fs, "unknown incompatible feature", sfs_ld32(p + SFS_SB_FEAT_INCOMPAT),
                sfs_ld32(p + SFS_SB_FEAT_RO_COMPAT));
        return SFS_ENOTSUP;
    }
    uint32_t bs = sfs_ld32(p + SFS_SB_BLOCK_SIZE);
    if (!is_pow2(bs) || bs < SFS_MIN_BLOCK_SIZE || bs > SFS_MAX_BLOCK_SIZE ||
        bs < fs->dev.sector_size)
        return sfs_corrupt(fs, "superblock: bad block size", bs, 0);
    fs->block_size = bs;
    fs->sec_per_block = bs / fs->dev.sector_size;
    fs->total_blocks = sfs_ld32(p + SFS_SB_TOTAL_BLOCKS);
    fs->inode_count = sfs_ld32(p + SFS_SB_INODE_COUNT);
    fs->journal_blocks = sfs_ld32(p + SFS_SB_JOURNAL_BLOCKS);
    if (fs->total_blocks < SFS_MIN_BLOCKS ||
        (uint64_t)fs->total_blocks * fs->sec_per_block > fs->dev.sector_count)
        return sfs_corrupt(fs, "superblock: volume larger than the device", fs->total_blocks, 0);
    if (fs->inode_count < 2 || fs->journal_blocks >= fs->total_blocks)
        return sfs_corrupt(fs, "superblock: bad inode or journal count", fs->inode_count,
                           fs->journal_blocks);
    if (!layout(fs))
        return sfs_corrupt(fs, "superblock: regions larger than the volume", fs->total_blocks, 0);
    uint32_t want[][2] = {
        { SFS_SB_IBITMAP_START, fs->ibitmap_start }, { SFS_SB_IBITMAP_BLOCKS, fs->ibitmap_blocks },
        { SFS_SB_DBITMAP_START, fs->dbitmap_start }, { SFS_SB_DBITMAP_BLOCKS, fs->dbitmap_blocks },
        { SFS_SB_ITABLE_START, fs->itable_start },   { SFS_SB_ITABLE_BLOCKS, fs->itable_blocks },
        { SFS_SB_JOURNAL_START, fs->journal_start }, { SFS_SB_DATA_START, fs->data_start },
        { SFS_SB_ROOT_INO, SFS_ROOT_INO },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        if (sfs_ld32(p + want[i][0]) != want[i][1])
            return sfs_corrupt(fs, "superblock: inconsistent layout field", want[i][0],
                               sfs_ld32(p + want[i][0]));
    if (fs->itable_blocks == 0)
        return sfs_corrupt(fs, "superblock: no room for data", fs->data_start, 0);
    fs->free_blocks = sfs_ld32(p + SFS_SB_FREE_BLOCKS);
    fs->free_inodes = sfs_ld32(p + SFS_SB_FREE_INODES);
    if (fs->free_blocks > fs->total_blocks - fs->data_start ||
        fs->free_inodes > fs->inode_count - 2)
        return sfs_corrupt(fs, "superblock: free counts out of range", fs->free_blocks,
                           fs->free_inodes);
    uint32_t state = sfs_ld32(p + SFS_SB_STATE);
    if (state != SFS_STATE_CLEAN && state != SFS_STATE_DIRTY)
        return sfs_corrupt(fs, "superblock: bad state", state, 0);
    fs->was_dirty = state == SFS_STATE_DIRTY;
    fs->feat_compat = sfs_ld32(p + SFS_SB_FEAT_COMPAT);
    fs->feat_incompat = sfs_ld32(p + SFS_SB_FEAT_INCOMPAT);
    fs->orphan_head = sfs_ld32(p + SFS_SB_ORPHAN_HEAD);
    if ((fs->feat_incompat & SFS_FEAT_INCOMPAT_JOURNAL) && fs->journal_blocks < SFS_J_MIN_BLOCKS)
        return sfs_corrupt(fs, "superblock: journal too small", fs->journal_blocks, 0);
    if (fs->orphan_head >= fs->inode_count)
        return sfs_corrupt(fs, "superblock: bad orphan list head", fs->orphan_head, 0);
    fs->mkfs_time = sfs_ld64(p + SFS_SB_MKFS_TIME);
    memcpy(fs->label, p + SFS_SB_LABEL, SFS_SB_LABEL_LEN);
    return 0;
}

int sfs_super_write(struct sfs *fs, uint32_t state)
{
    struct sfs_buf *b;
    int r = sfs_bget(fs, 0, SFS_BGET_READ, &b);
    if (r < 0)
        return r;
    encode_super(fs, b->data, state);
    sfs_bdirty(fs, b);
    sfs_bput(fs, b);
    fs->sb_dirty = 0;
    return 0;
}

static int dev_flush(struct sfs *fs)
{
    if (fs->dev.flush && fs->dev.flush(fs->dev.ctx) < 0)
        return SFS_EIO;
    return 0;
}

/* Zero the metadata region and mark what is in use. */
static int format_meta(struct sfs *fs)
{
    uint32_t bpb = fs->block_size * 8;
    for (uint32_t blk = 1; blk < fs->journal_start; blk++) {
        struct sfs_buf *b;
        int r = sfs_bget_zero(fs, blk, &b);
        if (r < 0)
            return r;
        if (blk == fs->ibitmap_start)
            b->data[0] = 1; /* inode 0 is reserved */
        if (blk >= fs->dbitmap_start && blk < fs->dbitmap_start + fs->dbitmap_blocks) {
            uint64_t first = (uint64_t)(blk - fs->dbitmap_start) * bpb;
            for (uint64_t bit = first; bit < first + bpb && bit < fs->data_start; bit++)
                b->data[(bit - first) / 8] |= (uint8_t)(1u << (bit % 8));
        }
        sfs_bput(fs, b);
    }
    struct sfs_buf *b;
    int r = sfs_bget_zero(fs, 0, &b);
    if (r < 0)
        return r;
    sfs_bput(fs, b);
    return 0;
}

int sfs_format(struct sfs *fs, const struct sfs_blockdev *dev, const struct sfs_config *cfg,
               const struct sfs_format_opts *opts)
{
    static const struct sfs_format_opts defaults;
    if (!fs || !cfg || check_dev(dev) < 0)
        return SFS_EINVAL;
    if (!opts)
        opts = &defaults;
    memset(fs, 0, sizeof(*fs));
    fs->dev = *dev;
    fs->cfg = *cfg;
    fs->cfg.lock = fs->cfg.unlock = NULL;
    uint32_t bs = opts->block_size ? opts->block_size : SFS_DEFAULT_BLOCK_SIZE;
    if (!is_pow2(bs) || bs < SFS_MIN_BLOCK_SIZE || bs > SFS_MAX_BLOCK_SIZE || bs < dev->sector_size)
        return SFS_EINVAL;
    fs->block_size = bs;
    fs->sec_per_block = bs / dev->sector_size;
    uint64_t dev_blocks = dev->sector_count / fs->sec_per_block;
    uint64_t total = opts->block_count ? opts->block_count : dev_blocks;
    if (total > dev_blocks || total < SFS_MIN_BLOCKS)
        return SFS_EINVAL;
    if (total > UINT32_MAX)
        total = UINT32_MAX;
    fs->total_blocks = (uint32_t)total;
    uint64_t ic = opts->inode_count;
    if (!ic)
        ic = total * bs / 16384;
    if (ic < 16)
        ic = 16;
    uint64_t ipb = bs / SFS_INODE_SIZE;
    ic = div_up(ic, ipb) * ipb;
    if (ic > 0xFFFFFFFFull - ipb)
        return SFS_EINVAL;
    fs->inode_count = (uint32_t)ic;
    if (opts->journal_blocks == UINT32_MAX)
        fs->journal_blocks = 0;
    else if (opts->journal_blocks)
        fs->journal_blocks = opts->journal_blocks;
    else /* total / 16, 64..1024 blocks, at most a quarter of the volume */
        fs->journal_blocks = (uint32_t)(total / 16 < 64     ? (total / 4 < 64 ? total / 4 : 64)
                                        : total / 16 > 1024 ? 1024
                                                            : total / 16);
    if (fs->journal_blocks >= total)
        return SFS_EINVAL;
    if (fs->journal_blocks >= 32) /* smaller: too small to hold one call's changes */
        fs->feat_incompat |= SFS_FEAT_INCOMPAT_JOURNAL;
    if (!(opts->flags & SFS_FORMAT_NO_POSIX))
        fs->feat_incompat |= SFS_FEAT_INCOMPAT_POSIX;
    if (!layout(fs) || (uint64_t)fs->data_start + 8 > total)
        return SFS_EINVAL;
    fs->free_blocks = fs->total_blocks - fs->data_start;
    fs->free_inodes = fs->inode_count - 1;
    fs->mkfs_time = sfs_now(fs);
    memcpy(fs->label, opts->label, SFS_SB_LABEL_LEN);
    int r = mem_setup(fs);
    if (r < 0)
        return r;
    r = format_meta(fs);
    struct sfs_inode root;
    if (r == 0)
        r = sfs_inode_new(fs, SFS_S_IFDIR | 0755, &root);
    if (r == 0 && root.ino != SFS_ROOT_INO)
        r = SFS_ECORRUPT;
    if (r == 0) {
        root.nlink = 2;
        r = sfs_dir_init(fs, &root, SFS_ROOT_INO);
    }
    if (r == 0)
        r = sfs_super_write(fs, SFS_STATE_CLEAN);
    if (r == 0)
        r = sfs_bflush_all(fs);
    if (r == 0 && (fs->feat_incompat & SFS_FEAT_INCOMPAT_JOURNAL))
        r = sfs_journal_format(fs);
    if (r == 0)
        r = dev_flush(fs);
    mem_release(fs);
    return r;
}

int sfs_mount(struct sfs *fs, const struct sfs_blockdev *dev, const struct sfs_config *cfg)
{
    if (!fs || !cfg || check_dev(dev) < 0)
        return SFS_EINVAL;
    memset(fs, 0, sizeof(*fs));
    fs->dev = *dev;
    fs->cfg = *cfg;
    if (dev->sector_count == 0)
        return SFS_EMEDIUMTYPE;
    /* Read sector 0 into the cache memory (or a temporary allocation). */
    uint8_t *sec;
    if (cfg->buffer) {
        if (cfg->buffer_size < dev->sector_size)
            return SFS_ENOMEM;
        sec = cfg->buffer;
    } else {
        if (!cfg->alloc || !cfg->free)
            return SFS_EINVAL;
        sec = cfg->alloc(cfg->hook_ctx, dev->sector_size);
        if (!sec)
            return SFS_ENOMEM;
    }
    int r = dev->read(dev->ctx, 0, 1, sec) < 0 ? SFS_EIO : 0;
    if (r == 0)
        r = decode_super(fs, sec);
    if (!cfg->buffer)
        cfg->free(cfg->hook_ctx, sec);
    if (r < 0)
        return r;
    r = mem_setup(fs);
    if (r < 0)
        return r;
    fs->rdonly = (cfg->mount_flags & SFS_MOUNT_RDONLY) != 0;
    bool journaled = fs->feat_incompat & SFS_FEAT_INCOMPAT_JOURNAL;
    if (journaled) {
        /* Not cleanly unmounted: replay the committed transaction, if any. */
        r = sfs_journal_mount(fs);
        if (r == 1) {
            r = sfs_dev_read(fs, 0, fs->jscratch);
            if (r == 0)
                r = decode_super(fs, fs->jscratch);
        }
    } else if (fs->was_dirty) {
        sfs_log(fs, "volume was not cleanly unmounted and has no journal: run fsck", 0, 0);
    }
    struct sfs_inode root;
    if (r == 0)
        r = sfs_inode_read(fs, SFS_ROOT_INO, &root);
    if (r == 0 && !sfs_is_dir(&root))
        r = sfs_corrupt(fs, "root inode is not a directory", root.mode, 0);
    /* Mark the volume in use on disk now (directly, not journaled), so a
     * crash leaves it marked. */
    if (r == 0 && !fs->rdonly) {
        uint32_t cap = fs->jcap;
        fs->jcap = 0;
        r = sfs_super_write(fs, SFS_STATE_DIRTY);
        if (r == 0)
            r = sfs_bflush_all(fs);
        if (r == 0)
            r = dev_flush(fs);
        fs->jcap = cap;
    }
    fs->balloc_hint = fs->data_start;
    fs->ialloc_hint = 1;
    /* Inodes left half freed or half truncated by a crash. */
    if (r == 0 && !fs->rdonly && journaled && fs->orphan_head)
        r = sfs_orphan_recover(fs);
    if (r < 0) {
        mem_release(fs);
        return r;
    }
    fs->mounted = 1;
    return 0;
}

int sfs_sync_locked(struct sfs *fs)
{
    if (fs->rdonly)
        return 0;
    if (fs->jcap) {
        int c = sfs_txn_commit(fs);
        return c < 0 ? c : dev_flush(fs);
    }
    int r = sfs_super_write(fs, SFS_STATE_DIRTY);
    int f = sfs_bflush_all(fs);
    int d = dev_flush(fs);
    return r < 0 ? r : f < 0 ? f : d;
}

int sfs_sync(struct sfs *fs)
{
    SFS_CALL(fs, SFS_OP_SYNC, sfs_sync_locked(fs));
}

static void lock(struct sfs *fs)
{
    if (fs->cfg.lock)
        fs->cfg.lock(fs->cfg.hook_ctx);
}

static void unlock(struct sfs *fs)
{
    if (fs->cfg.unlock)
        fs->cfg.unlock(fs->cfg.hook_ctx);
}

int64_t sfs_enter(struct sfs *fs, int op)
{
    if (!fs)
        return SFS_EINVAL;
    lock(fs);
    if (!fs->mounted)
        return SFS_EINVAL;
    if (op == SFS_OP_WRITE && fs->rdonly)
        return SFS_EROFS;
    if (fs->jaborted && op != SFS_OP_RELEASE)
        return SFS_EIO;
    if (op == SFS_OP_WRITE)
        return sfs_txn_begin(fs);
    if (op == SFS_OP_RELEASE)
        (void)sfs_txn_begin(fs); /* a handle can always be dropped */
    return 0;
}

int64_t sfs_leave(struct sfs *fs, int op, int64_t r)
{
    if (!fs)
        return r;
    if ((op == SFS_OP_WRITE || op == SFS_OP_RELEASE) && fs->mounted)
        sfs_txn_end(fs, r);
    unlock(fs);
    return r;
}

/* Forget an open handle; free its inode if it was the last reference. */
int sfs_file_release(struct sfs *fs, struct sfs_file *f)
{
    struct sfs_file **pp = &fs->open_files;
    while (*pp && *pp != f)
        pp = &(*pp)->next;
    if (!*pp)
        return SFS_EBADF;
    *pp = f->next;
    f->magic = 0;
    f->next = NULL;
    if (sfs_inode_is_open(fs, f->ino) || fs->jaborted || fs->rdonly)
        return 0;
    struct sfs_inode ip;
    int r = sfs_inode_read_raw(fs, f->ino, &ip);
    if (r < 0)
        return r;
    if (ip.nlink == 0 && ip.mode != 0)
        return sfs_inode_destroy(fs, &ip);
    return 0;
}

static int unmount_locked(struct sfs *fs)
{
    int err = 0;
    while (fs->open_files) {
        int r = sfs_file_release(fs, fs->open_files);
        if (r < 0)
            err = r;
    }
    bool write = !fs->rdonly && !fs->jaborted;
    if (fs->jaborted)
        err = SFS_EIO; /* nothing is written: the last commit stands */
    if (write && fs->jcap) {
        int r = sfs_txn_commit(fs);
        if (r < 0) /* not clean: the next mount replays what did commit */
            err = r, write = false;
        fs->jcap = 0; /* the clean flag goes straight home */
    }
    if (write) {
        int r = sfs_super_write(fs, SFS_STATE_CLEAN);
        if (r < 0)
            err = r;
        r = sfs_bflush_all(fs);
        if (r < 0)
            err = r;
        r = dev_flush(fs);
        if (r < 0)
            err = r;
    }
    mem_release(fs);
    fs->mounted = 0;
    return err;
}

int sfs_unmount(struct sfs *fs)
{
    SFS_CALL(fs, SFS_OP_RELEASE, unmount_locked(fs));
}

static int statfs_locked(struct sfs *fs, struct sfs_statfs *st)
{
    if (!st)
        return SFS_EINVAL;
    memset(st, 0, sizeof(*st));
    st->block_size = fs->block_size;
    st->format_version = SFS_FORMAT_VERSION;
    st->total_blocks = fs->total_blocks;
    st->free_blocks = fs->free_blocks + fs->jfreed_count;
    st->data_blocks = fs->total_blocks - fs->data_start;
    st->total_inodes = fs->inode_count - 1;
    st->free_inodes = fs->free_inodes;
    st->name_max = SFS_NAME_MAX;
    st->journal_blocks = fs->journal_blocks;
    st->feat_incompat = fs->feat_incompat;
    st->symlink_max = sfs_symlink_max(fs);
    memcpy(st->label, fs->label, SFS_SB_LABEL_LEN);
    st->label[SFS_SB_LABEL_LEN] = 0;
    return 0;
}

int sfs_statfs(struct sfs *fs, struct sfs_statfs *st)
{
    SFS_CALL(fs, SFS_OP_READ, statfs_locked(fs, st));
}
