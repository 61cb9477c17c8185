/*
 * sfs_inode.c - inode layer: the inode table, block maps and file data.
 *
 * An inode maps logical blocks through 12 direct pointers and single, double
 * and triple indirect blocks (block_size / 4 pointers each). A zero pointer is
 * a hole: it reads as zeros and owns no block. Bytes past the size in the
 * last block are always zero (truncate zeroes them), so growing a file never
 * exposes stale data.
 *
 * Interface: callers load an inode into a struct sfs_inode, change it through
 * these functions (which may allocate or free blocks and update ->blocks,
 * ->size and times), then store it with sfs_inode_write(). Every pointer read
 * from disk is range-checked; a bad one yields SFS_ECORRUPT.
 */
#include "sfs_priv.h"

/* A time field: packed (seconds << 30 | nanoseconds) on POSIX volumes.
 * Nanoseconds past 999999999 are corruption: clamped, and *bad set. */
static struct sfs_ts time_decode(const struct sfs *fs, const uint8_t *p, bool *bad)
{
    uint64_t v = sfs_ld64(p);
    struct sfs_ts t = { (int64_t)v, 0 };
    if (sfs_has_posix(fs)) {
        uint64_t sec = v >> SFS_TIME_NSEC_BITS;
        if (sec & (1ull << 33)) /* sign-extend the 34-bit seconds */
            sec |= ~((1ull << 34) - 1);
        t.sec = (int64_t)sec;
        t.nsec = (uint32_t)(v & ((1u << SFS_TIME_NSEC_BITS) - 1));
        if (t.nsec > 999999999u) {
            t.nsec = 999999999u;
            *bad = true;
        }
    }
    return t;
}

static void time_encode(const struct sfs *fs, uint8_t *p, struct sfs_ts t)
{
    t = sfs_ts_fit(fs, t);
    if (!sfs_has_posix(fs)) {
        sfs_st64(p, (uint64_t)t.sec);
        return;
    }
    uint64_t sec = (uint64_t)t.sec & ((1ull << 34) - 1);
    sfs_st64(p, (sec << SFS_TIME_NSEC_BITS) | (t.nsec > 999999999u ? 999999999u : t.nsec));
}

static void inode_decode(const struct sfs *fs, struct sfs_inode *ip, const uint8_t *p)
{
    ip->mode = sfs_ld16(p + SFS_I_MODE);
    ip->nlink = sfs_ld16(p + SFS_I_NLINK);
    ip->uid = sfs_ld32(p + SFS_I_UID);
    ip->gid = sfs_ld32(p + SFS_I_GID);
    ip->blocks = sfs_ld32(p + SFS_I_BLOCKS);
    ip->size = sfs_ld64(p + SFS_I_SIZE);
    ip->bad_time = false;
    ip->atime = time_decode(fs, p + SFS_I_ATIME, &ip->bad_time);
    ip->mtime = time_decode(fs, p + SFS_I_MTIME, &ip->bad_time);
    ip->ctime = time_decode(fs, p + SFS_I_CTIME, &ip->bad_time);
    for (int i = 0; i < SFS_NDIRECT; i++)
        ip->direct[i] = sfs_ld32(p + SFS_I_DIRECT + 4 * i);
    /* A special inode keeps its device number where the pointers would be
     * (FIFOs and sockets store 0; a reader ignores what is there). */
    ip->rdev = 0;
    if (sfs_is_special(ip) && sfs_has_posix(fs)) {
        uint32_t t = ip->mode & SFS_S_IFMT;
        if (t == SFS_S_IFCHR || t == SFS_S_IFBLK)
            ip->rdev = sfs_ld64(p + SFS_I_RDEV);
        ip->direct[0] = ip->direct[1] = 0;
    }
    for (int i = 0; i < 3; i++)
        ip->ind[i] = sfs_ld32(p + SFS_I_IND1 + 4 * i);
    ip->dir_slots = sfs_ld32(p + SFS_I_DIR_SLOTS);
    ip->dir_free = sfs_ld32(p + SFS_I_DIR_FREE);
    ip->dir_count = sfs_ld32(p + SFS_I_DIR_COUNT);
    ip->dir_icap = sfs_ld32(p + SFS_I_DIR_ICAP);
    ip->orphan_next = sfs_ld32(p + SFS_I_ORPHAN_NEXT);
}

void sfs_inode_encode(const struct sfs *fs, const struct sfs_inode *ip, uint8_t *p)
{
    memset(p, 0, SFS_INODE_SIZE);
    sfs_st16(p + SFS_I_MODE, (uint16_t)ip->mode);
    sfs_st16(p + SFS_I_NLINK, (uint16_t)ip->nlink);
    sfs_st32(p + SFS_I_UID, ip->uid);
    sfs_st32(p + SFS_I_GID, ip->gid);
    sfs_st32(p + SFS_I_BLOCKS, ip->blocks);
    sfs_st64(p + SFS_I_SIZE, ip->size);
    time_encode(fs, p + SFS_I_ATIME, ip->atime);
    time_encode(fs, p + SFS_I_MTIME, ip->mtime);
    time_encode(fs, p + SFS_I_CTIME, ip->ctime);
    for (int i = 0; i < SFS_NDIRECT; i++)
        sfs_st32(p + SFS_I_DIRECT + 4 * i, ip->direct[i]);
    if (sfs_is_special(ip))
        sfs_st64(p + SFS_I_RDEV, ip->rdev);
    for (int i = 0; i < 3; i++)
        sfs_st32(p + SFS_I_IND1 + 4 * i, ip->ind[i]);
    sfs_st32(p + SFS_I_DIR_SLOTS, ip->dir_slots);
    sfs_st32(p + SFS_I_DIR_FREE, ip->dir_free);
    sfs_st32(p + SFS_I_DIR_COUNT, ip->dir_count);
    sfs_st32(p + SFS_I_DIR_ICAP, ip->dir_icap);
    sfs_st32(p + SFS_I_ORPHAN_NEXT, ip->orphan_next);
}

uint64_t sfs_max_lblocks(const struct sfs *fs)
{
    uint64_t p = fs->block_size / 4;
    return SFS_NDIRECT + p + p * p + p * p * p;
}

int sfs_inode_pin(struct sfs *fs, uint32_t ino, struct sfs_buf **b, uint32_t *off)
{
    if (ino == 0 || ino >= fs->inode_count)
        return sfs_corrupt(fs, "inode number out of range", ino, fs->inode_count);
    uint32_t ipb = fs->block_size / SFS_INODE_SIZE;
    *off = (ino % ipb) * SFS_INODE_SIZE;
    return sfs_bget(fs, fs->itable_start + ino / ipb, SFS_BGET_READ, b);
}

int sfs_inode_read_raw(struct sfs *fs, uint32_t ino, struct sfs_inode *ip)
{
    struct sfs_buf *b;
    uint32_t off;
    int r = sfs_inode_pin(fs, ino, &b, &off);
    if (r < 0)
        return r;
    inode_decode(fs, ip, b->data + off);
    sfs_bput(fs, b);
    ip->ino = ino;
    return 0;
}

int sfs_inode_read(struct sfs *fs, uint32_t ino, struct sfs_inode *ip)
{
    int r = sfs_inode_read_raw(fs, ino, ip);
    if (r < 0)
        return r;
    uint32_t t = ip->mode & SFS_S_IFMT;
    bool special = sfs_is_special(ip);
    if (t != SFS_S_IFREG && t != SFS_S_IFDIR && t != SFS_S_IFLNK && !(special && sfs_has_posix(fs)))
        return sfs_corrupt(fs, "inode has an invalid type", ino, ip->mode);
    if (ip->size > sfs_max_lblocks(fs) * fs->block_size)
        return sfs_corrupt(fs, "inode size out of range", ino, ip->size);
    if (t == SFS_S_IFLNK && ip->size > sfs_symlink_max(fs))
        return sfs_corrupt(fs, "symlink too long", ino, ip->size);
    if (special) {
        bool owns = ip->size || ip->blocks || ip->ind[0] || ip->ind[1] || ip->ind[2];
        for (int i = 2; i < SFS_NDIRECT; i++)
            owns = owns || ip->direct[i];
        if (owns)
            return sfs_corrupt(fs, "special inode owns data", ino, ip->size);
    }
    if (ip->blocks > fs->total_blocks - fs->data_start)
        return sfs_corrupt(fs, "inode block count out of range", ino, ip->blocks);
    if (t == SFS_S_IFDIR) {
        /* Bound every directory loop by what the inode really owns. */
        uint32_t epb = fs->block_size / SFS_DIDX_SIZE;
        uint32_t spb = sfs_dir_slots_per_block(fs);
        uint64_t slot_blocks = ((uint64_t)ip->dir_slots + spb - 1) / spb;
        uint64_t icap_max = 8ull * ip->dir_slots > epb ? 8ull * ip->dir_slots : epb;
        if (ip->dir_icap < epb || (ip->dir_icap & (ip->dir_icap - 1)) || ip->dir_icap > icap_max ||
            slot_blocks > ip->blocks || ip->size != slot_blocks * fs->block_size ||
            ip->dir_free > ip->dir_slots || ip->dir_count > ip->dir_slots ||
            ip->dir_count >= ip->dir_icap)
            return sfs_corrupt(fs, "directory inode has bad geometry", ino, ip->dir_slots);
    }
    return 0;
}

int sfs_inode_write(struct sfs *fs, const struct sfs_inode *ip)
{
    struct sfs_buf *b;
    uint32_t off;
    int r = sfs_inode_pin(fs, ip->ino, &b, &off);
    if (r < 0)
        return r;
    sfs_inode_encode(fs, ip, b->data + off);
    sfs_bdirty(fs, b);
    sfs_bput(fs, b);
    return 0;
}

int sfs_inode_new(struct sfs *fs, uint32_t mode, struct sfs_inode *ip)
{
    uint32_t ino;
    int r = sfs_ialloc(fs, &ino);
    if (r < 0)
        return r;
    memset(ip, 0, sizeof(*ip));
    ip->ino = ino;
    ip->mode = mode;
    ip->atime = ip->mtime = ip->ctime = sfs_now_ts(fs);
    r = sfs_inode_write(fs, ip);
    if (r < 0)
        sfs_ifree(fs, ino);
    return r;
}

void sfs_inode_touch(struct sfs *fs, struct sfs_inode *ip, int which)
{
    struct sfs_ts now = sfs_now_ts(fs);
    if (which & SFS_TOUCH_A)
        ip->atime = now;
    if (which & SFS_TOUCH_M)
        ip->mtime = now;
    if (which & SFS_TOUCH_C)
        ip->ctime = now;
}

bool sfs_inode_is_open(const struct sfs *fs, uint32_t ino)
{
    for (const struct sfs_file *f = fs->open_files; f; f = f->next)
        if (f->ino == ino)
            return true;
    return false;
}

int sfs_inode_destroy(struct sfs *fs, struct sfs_inode *ip)
{
    fs->long_ip = ip; /* may commit part way: the orphan list finishes it */
    int r = sfs_free_range(fs, ip, 0, UINT64_MAX);
    fs->long_ip = NULL;
    if (r == 0)
        r = sfs_orphan_del(fs, ip);
    if (r < 0) {
        sfs_inode_write(fs, ip);
        return r;
    }
    uint32_t ino = ip->ino;
    memset(ip, 0, sizeof(*ip));
    ip->ino = ino;
    r = sfs_inode_write(fs, ip);
    if (r < 0)
        return r;
    return sfs_ifree(fs, ino);
}

int sfs_inode_unref(struct sfs *fs, struct sfs_inode *ip)
{
    if (sfs_is_dir(ip))
        ip->nlink = 0;
    else if (ip->nlink > 0)
        ip->nlink--;
    sfs_inode_touch(fs, ip, SFS_TOUCH_C);
    if (ip->nlink > 0)
        return sfs_inode_write(fs, ip);
    if (!sfs_inode_is_open(fs, ip->ino))
        return sfs_inode_destroy(fs, ip);
    /* Still open: the last close frees it, or after a crash the orphan list
     * does. A removed directory loses its entries now so an open walk ends. */
    int o = sfs_orphan_add(fs, ip);
    if (o < 0)
        return o;
    if (sfs_is_dir(ip)) {
        int r = sfs_free_range(fs, ip, 0, UINT64_MAX);
        ip->dir_slots = ip->dir_count = ip->dir_free = 0;
        ip->dir_icap = fs->block_size / SFS_DIDX_SIZE;
        ip->size = 0;
        int w = sfs_inode_write(fs, ip);
        return r < 0 ? r : w;
    }
    return sfs_inode_write(fs, ip);
}

/* Allocate a block for inode @ip: zeroed through the cache unless @raw. A
 * @leaf of a regular file is data (not journaled). */
static int new_block(struct sfs *fs, struct sfs_inode *ip, bool raw, bool leaf, uint32_t *out)
{
    uint32_t blk;
    int r = sfs_balloc(fs, &blk);
    if (r < 0)
        return r;
    if (!raw) {
        struct sfs_buf *b;
        r = sfs_bget(fs, blk, SFS_BGET_NOREAD, &b);
        if (r < 0) {
            sfs_bfree(fs, blk);
            return r;
        }
        memset(b->data, 0, fs->block_size);
        if (leaf && sfs_is_reg(ip))
            sfs_bdirty_data(fs, b);
        else
            sfs_bdirty(fs, b);
        sfs_bput(fs, b);
    }
    ip->blocks++;
    *out = blk;
    return 0;
}

/* Walk @level indirect levels under *root to entry @idx. */
static int map_level(struct sfs *fs, struct sfs_inode *ip, uint32_t *root, int level, uint64_t idx,
                     int mode, uint32_t *out, bool *fresh)
{
    uint64_t p = fs->block_size / 4;
    uint32_t blk = *root;
    int r;
    if (!blk) {
        if (mode == SFS_MAP_LOOKUP) {
            *out = 0;
            return 0;
        }
        r = new_block(fs, ip, level == 0 && mode == SFS_MAP_RAW, level == 0, &blk);
        if (r < 0)
            return r;
        *root = blk;
        *fresh = level == 0;
    } else if (!sfs_blk_valid(fs, blk)) {
        return sfs_corrupt(fs, "bad block pointer in inode", ip->ino, blk);
    }
    for (int l = level; l > 0; l--) {
        uint64_t div = 1;
        for (int k = 1; k < l; k++)
            div *= p;
        uint32_t i = (uint32_t)((idx / div) % p);
        struct sfs_buf *b;
        r = sfs_bget(fs, blk, SFS_BGET_READ, &b);
        if (r < 0)
            return r;
        uint32_t child = sfs_ld32(b->data + 4 * i);
        if (!child) {
            if (mode == SFS_MAP_LOOKUP) {
                sfs_bput(fs, b);
                *out = 0;
                return 0;
            }
            r = new_block(fs, ip, l == 1 && mode == SFS_MAP_RAW, l == 1, &child);
            if (r < 0) {
                sfs_bput(fs, b);
                return r;
            }
            sfs_st32(b->data + 4 * i, child);
            sfs_bdirty(fs, b);
            *fresh = l == 1;
        } else if (!sfs_blk_valid(fs, child)) {
            sfs_bput(fs, b);
            return sfs_corrupt(fs, "bad block pointer in indirect block", ip->ino, child);
        }
        sfs_bput(fs, b);
        blk = child;
    }
    *out = blk;
    return 0;
}

static int bmap_ex(struct sfs *fs, struct sfs_inode *ip, uint64_t lblk, int mode, uint32_t *out,
                   bool *fresh)
{
    uint64_t p = fs->block_size / 4;
    *fresh = false;
    if (lblk < SFS_NDIRECT)
        return map_level(fs, ip, &ip->direct[lblk], 0, 0, mode, out, fresh);
    lblk -= SFS_NDIRECT;
    uint64_t span = p;
    for (int level = 1; level <= 3; level++) {
        if (lblk < span)
            return map_level(fs, ip, &ip->ind[level - 1], level, lblk, mode, out, fresh);
        lblk -= span;
        span *= p;
    }
    return SFS_EFBIG;
}

int sfs_bmap(struct sfs *fs, struct sfs_inode *ip, uint64_t lblk, int mode, uint32_t *out)
{
    bool fresh;
    return bmap_ex(fs, ip, lblk, mode, out, &fresh);
}

static int release_block(struct sfs *fs, struct sfs_inode *ip, uint32_t *ptr)
{
    int r = sfs_bfree(fs, *ptr);
    if (r < 0)
        return r;
    *ptr = 0;
    if (ip->blocks)
        ip->blocks--;
    return 0;
}

/* Free entries [lo, hi) of the subtree under *ptr, which spans p^level blocks. */
static int free_tree(struct sfs *fs, struct sfs_inode *ip, uint32_t *ptr, int level, uint64_t lo,
                     uint64_t hi)
{
    uint32_t blk = *ptr;
    if (!blk)
        return 0;
    if (!sfs_blk_valid(fs, blk))
        return sfs_corrupt(fs, "bad block pointer in inode", ip->ino, blk);
    if (level == 0)
        return release_block(fs, ip, ptr);
    uint64_t p = fs->block_size / 4, cspan = 1;
    for (int k = 1; k < level; k++)
        cspan *= p;
    if (hi > cspan * p)
        hi = cspan * p;
    struct sfs_buf *b;
    int r = sfs_bget(fs, blk, SFS_BGET_READ, &b);
    if (r < 0)
        return r;
    for (uint64_t i = lo / cspan; i < p && i * cspan < hi; i++) {
        uint32_t c = sfs_ld32(b->data + 4 * i), c0 = c;
        if (!c)
            continue;
        uint64_t clo = lo > i * cspan ? lo - i * cspan : 0;
        uint64_t chi = hi - i * cspan < cspan ? hi - i * cspan : cspan;
        r = free_tree(fs, ip, &c, level - 1, clo, chi);
        if (c != c0) {
            sfs_st32(b->data + 4 * i, c);
            sfs_bdirty(fs, b);
        }
        /* Consistent here (the pointer is cleared): a long free may commit. */
        if (r == 0 && fs->long_ip == ip)
            r = sfs_txn_breakpoint(fs, ip);
        if (r < 0) {
            sfs_bput(fs, b);
            return r;
        }
    }
    bool empty = true;
    for (uint32_t i = 0; i < p && empty; i++)
        empty = sfs_ld32(b->data + 4 * i) == 0;
    sfs_bput(fs, b);
    return empty ? release_block(fs, ip, ptr) : 0;
}

int sfs_free_range(struct sfs *fs, struct sfs_inode *ip, uint64_t lo, uint64_t hi)
{
    int r;
    for (uint64_t i = lo; i < SFS_NDIRECT && i < hi; i++) {
        r = free_tree(fs, ip, &ip->direct[i], 0, 0, 1);
        if (r == 0 && fs->long_ip == ip)
            r = sfs_txn_breakpoint(fs, ip);
        if (r < 0)
            return r;
    }
    uint64_t p = fs->block_size / 4, base = SFS_NDIRECT, span = p;
    for (int level = 1; level <= 3; level++) {
        if (hi > base && lo < base + span) {
            uint64_t l = lo > base ? lo - base : 0;
            uint64_t h = hi - base < span ? hi - base : span;
            r = free_tree(fs, ip, &ip->ind[level - 1], level, l, h);
            if (r < 0)
                return r;
        }
        base += span;
        span *= p;
    }
    return 0;
}

/* Requests spanning this many blocks stream whole blocks past the cache. */
#define SFS_STREAM_BLOCKS 16

long sfs_inode_pread(struct sfs *fs, struct sfs_inode *ip, void *buf, size_t len, uint64_t off)
{
    if (off >= ip->size)
        return 0;
    if (len > ip->size - off)
        len = (size_t)(ip->size - off);
    if (len > (size_t)INT32_MAX)
        len = INT32_MAX;
    uint8_t *dst = buf;
    size_t done = 0;
    uint32_t bs = fs->block_size;
    bool stream = len >= (size_t)SFS_STREAM_BLOCKS * bs;
    bool may_unlock = true; /* until a block is freed under an unlocked read */
    while (done < len) {
        uint64_t pos = off + done;
        uint32_t boff = (uint32_t)(pos % bs);
        size_t n = bs - boff < len - done ? bs - boff : len - done;
        uint32_t pblk;
        int r = sfs_bmap(fs, ip, pos / bs, SFS_MAP_LOOKUP, &pblk);
        if (r == 0 && !pblk) {
            memset(dst + done, 0, n);
        } else if (r == 0 && stream && n == bs) {
            /* Extend to the physically contiguous blocks that follow, so a
             * large read becomes a few large device requests. */
            uint32_t count = 1;
            uint64_t lblk = pos / bs;
            while (count < SFS_RUN_MAX && done + (size_t)(count + 1) * bs <= len) {
                uint32_t next;
                if (sfs_bmap(fs, ip, lblk + count, SFS_MAP_LOOKUP, &next) != 0 ||
                    next != pblk + count)
                    break;
                count++;
            }
            uint64_t gen = fs->free_gen;
            r = sfs_bread_through_run(fs, pblk, count, dst + done, may_unlock);
            if (r == 0 && fs->free_gen != gen) {
                /* A block was freed while the lock was let go: these may
                 * not be the file's blocks any more. Take the inode as it
                 * is now and read this piece again, locked throughout. */
                may_unlock = false;
                r = sfs_inode_read(fs, ip->ino, ip);
                if (r < 0)
                    return done ? (long)done : r;
                if (off + done >= ip->size)
                    return (long)done;
                if (len > ip->size - off)
                    len = (size_t)(ip->size - off);
                continue;
            }
            n = (size_t)count * bs;
        } else if (r == 0) {
            struct sfs_buf *b;
            r = sfs_bget(fs, pblk, SFS_BGET_READ, &b);
            if (r == 0) {
                memcpy(dst + done, b->data + boff, n);
                sfs_bput(fs, b);
            }
        }
        if (r < 0)
            return done ? (long)done : r;
        done += n;
    }
    return (long)done;
}

/*
 * Write @count whole blocks from logical block @lblk: map them all first (new
 * ones unzeroed), then write each physically contiguous stretch with one
 * device request. On failure *@written says how many leading blocks made it;
 * every new block after those is unmapped again, so no stale block stays in
 * the file.
 */
static int write_blocks(struct sfs *fs, struct sfs_inode *ip, const uint8_t *src, uint64_t lblk,
                        uint32_t count, uint32_t *written)
{
    uint32_t pblk[SFS_RUN_MAX];
    bool fresh[SFS_RUN_MAX];
    uint32_t mapped = 0;
    int err = 0;
    *written = 0;
    while (mapped < count) {
        err = bmap_ex(fs, ip, lblk + mapped, SFS_MAP_RAW, &pblk[mapped], &fresh[mapped]);
        if (err < 0)
            break;
        mapped++;
    }
    uint32_t i = 0;
    int werr = 0;
    while (i < mapped) {
        uint32_t n = 1;
        while (i + n < mapped && pblk[i + n] == pblk[i] + n)
            n++;
        werr = sfs_bwrite_through_run(fs, pblk[i], n, src + (size_t)i * fs->block_size);
        if (werr < 0)
            break;
        i += n;
    }
    *written = i;
    for (uint32_t k = i; k < mapped; k++)
        if (fresh[k])
            sfs_free_range(fs, ip, lblk + k, lblk + k + 1);
    return werr < 0 ? werr : err;
}

long sfs_inode_pwrite(struct sfs *fs, struct sfs_inode *ip, const void *buf, size_t len,
                      uint64_t off)
{
    uint64_t max = sfs_max_lblocks(fs) * fs->block_size;
    if (off >= max && len > 0)
        return SFS_EFBIG;
    if (len > max - off)
        len = (size_t)(max - off);
    if (len > (size_t)INT32_MAX)
        len = INT32_MAX;
    const uint8_t *src = buf;
    size_t done = 0;
    uint32_t bs = fs->block_size;
    bool stream = len >= (size_t)SFS_STREAM_BLOCKS * bs;
    int err = 0;
    while (done < len) {
        uint64_t pos = off + done;
        uint32_t boff = (uint32_t)(pos % bs);
        size_t n = bs - boff < len - done ? bs - boff : len - done;
        bool full = n == bs, fresh;
        uint32_t pblk;
        if (full && stream) {
            /* Whole blocks: map a run of them and write it in few requests. */
            size_t whole = (len - done) / bs;
            uint32_t count = whole > SFS_RUN_MAX ? SFS_RUN_MAX : (uint32_t)whole;
            uint32_t written;
            err = write_blocks(fs, ip, src + done, pos / bs, count, &written);
            done += (size_t)written * bs;
            if (err < 0)
                break;
            continue;
        }
        /* A block written whole needs no zeroing and no read. */
        err = bmap_ex(fs, ip, pos / bs, full ? SFS_MAP_RAW : SFS_MAP_ALLOC, &pblk, &fresh);
        if (err < 0)
            break;
        struct sfs_buf *b;
        err = sfs_bget(fs, pblk, full ? SFS_BGET_NOREAD : SFS_BGET_READ, &b);
        if (err == 0) {
            memcpy(b->data + boff, src + done, n);
            if (sfs_is_reg(ip))
                sfs_bdirty_data(fs, b);
            else
                sfs_bdirty(fs, b);
            sfs_bput(fs, b);
        }
        if (err < 0) {
            /* Never leave a new, unwritten (stale) block mapped. */
            if (fresh)
                sfs_free_range(fs, ip, pos / bs, pos / bs + 1);
            break;
        }
        done += n;
    }
    if (done) {
        if (off + done > ip->size)
            ip->size = off + done;
        sfs_inode_touch(fs, ip, SFS_TOUCH_M | SFS_TOUCH_C);
        return (long)done;
    }
    return err;
}

int sfs_inode_truncate(struct sfs *fs, struct sfs_inode *ip, uint64_t size)
{
    uint32_t bs = fs->block_size;
    if (size > sfs_max_lblocks(fs) * bs)
        return SFS_EFBIG;
    uint64_t old = ip->size;
    ip->size = size;
    if (size != old) /* as Linux's truncate(2); ftruncate and O_TRUNC touch anyway */
        sfs_inode_touch(fs, ip, SFS_TOUCH_M | SFS_TOUCH_C);
    if (size >= old)
        return 0;
    /* The size first: a commit part way through (a long truncate) leaves a
     * file of the new size with blocks past it, which the orphan list frees. */
    if (size % bs) {
        uint32_t pblk;
        int r = sfs_bmap(fs, ip, size / bs, SFS_MAP_LOOKUP, &pblk);
        if (r < 0)
            return r;
        if (pblk) {
            struct sfs_buf *b;
            r = sfs_bget(fs, pblk, SFS_BGET_READ, &b);
            if (r < 0)
                return r;
            memset(b->data + size % bs, 0, bs - size % bs);
            sfs_bdirty(fs, b); /* journaled, so the zeroing is atomic with the size */
            sfs_bput(fs, b);
        }
    }
    fs->long_ip = ip;
    int r = sfs_free_range(fs, ip, (size + bs - 1) / bs, UINT64_MAX);
    fs->long_ip = NULL;
    if (r == 0)
        r = sfs_orphan_del(fs, ip);
    return r;
}
