/*
 * sfs_repair.c - repair layer: make a mounted volume pass sfs_check() (fsck -y).
 *
 * Runs sfs_check() first and writes nothing to a clean volume. Otherwise:
 *   1. inodes and blocks. An inode is in use if its bitmap bit is set, or if
 *      it has a valid type and a link count (a lost bitmap bit). One in use
 *      with an invalid type, or a symlink of bad length, is cleared. Every
 *      block pointer is kept only if it is in the data region, within the
 *      size (directories: the slot array and the index), and not owned
 *      already: the first owner in inode order, then logical-block order,
 *      keeps a block claimed twice and later owners lose the pointer (a hole;
 *      an indirect block's whole subtree). An indirect block left with no
 *      pointer goes too. Block counts, sizes out of range and stale orphan
 *      links are fixed.
 *   2. both bitmaps and the free counts are rewritten from pass 1, before
 *      anything is allocated.
 *   3. directories, in inode order. One whose structure is broken (geometry,
 *      a hole in the slot array, bad slots, ".", "..", free list, count or
 *      index) is rebuilt from its slot array: bad and duplicate names drop,
 *      the free list, count and index are made anew. Then each entry: one
 *      naming a free inode, the root, or a directory already named elsewhere
 *      is dropped; a wrong type is set right. This settles each directory's
 *      one parent and the names of every inode.
 *   4. every directory the root cannot reach (a parentless chain or a cycle)
 *      is named "#<ino>" in /lost+found, created if missing.
 *   5. "..", link counts; an unnamed file is named in /lost+found if it holds
 *      data and freed if it is empty.
 *
 * Errors: SFS_EIO and SFS_ENOMEM end the repair (on a journaled volume the
 * journal then keeps the last committed state); anything else that stops one
 * fix is counted as left uncorrected and the repair goes on.
 *
 * Journal: every change is an ordinary logged change; a transaction is
 * committed whenever it fills (sfs_txn_need()), always between two steps, so
 * a crash leaves a volume that mounts and that the next repair finishes.
 *
 * Memory: sfs_repair_work_size() bytes from the caller or the alloc hook
 * (five per-inode arrays and a claimed-block bitmap).
 *
 * Files: this one holds the driver (sfs_repair(), sfs_repair_work_size()),
 * pass 1 and pass 2, the block-level passes; sfs_repair_dir.c holds passes 3
 * to 5, the namespace passes; sfs_repair_priv.h the state they share.
 */
#include "sfs_repair_priv.h"

size_t sfs_repair_work_size(const struct sfs *fs)
{
    size_t need = (size_t)fs->inode_count * 14 + fs->total_blocks / 8 + 16;
    size_t chk = sfs_check_work_size(fs);
    return need > chk ? need : chk;
}

static bool is_claimed(const struct rep *rp, uint32_t blk)
{
    return rp->claimed[blk / 8] & (1u << (blk % 8));
}

/* ---- pass 1: inodes and block maps ---- */

static bool range_allowed(const struct rep *rp, uint64_t base)
{
    if (base < rp->limit)
        return true;
    return base >= SFS_DIDX_BASE && base - SFS_DIDX_BASE < rp->idx_limit;
}

/* Keep, clear or descend into *ptr, the subtree for @span logical blocks from @base. */
static int walk(struct rep *rp, struct sfs_inode *ip, uint32_t *ptr, int level, uint64_t base,
                uint64_t span)
{
    struct sfs *fs = rp->fs;
    uint32_t blk = *ptr;
    int code = 0;
    if (!sfs_blk_valid(fs, blk))
        code = SFS_CHK_BAD_PTR;
    else if (is_claimed(rp, blk))
        code = SFS_CHK_DUP_BLOCK;
    else if (!range_allowed(rp, base) && (level == 0 || !rp->idx_limit || base >= SFS_DIDX_BASE ||
                                          base + span <= SFS_DIDX_BASE))
        code = SFS_CHK_SIZE; /* a subtree wholly outside what the inode may map */
    if (code) {
        fixed(rp, code, ip->ino, blk, base);
        *ptr = 0;
        rp->changed = true;
        return 0;
    }
    rp->claimed[blk / 8] |= (uint8_t)(1u << (blk % 8));
    if (level == 0) {
        rp->nblocks++;
        if (base + 1 > rp->top)
            rp->top = base + 1;
        return 0;
    }
    uint32_t p = fs->block_size / 4;
    uint64_t cspan = span / p;
    struct sfs_buf *b;
    int r = sfs_bget(fs, blk, SFS_BGET_READ, &b);
    if (r < 0)
        return r;
    bool any = false;
    for (uint32_t i = 0; i < p; i++) {
        uint32_t c = sfs_ld32(b->data + 4 * i), c0 = c;
        if (!c)
            continue;
        r = walk(rp, ip, &c, level - 1, base + i * cspan, cspan);
        if (r < 0)
            break;
        if (c != c0) {
            r = need(rp, 4); /* a commit here leaves only holes and leaks behind */
            if (r < 0)
                break;
            sfs_st32(b->data + 4 * i, c);
            sfs_bdirty(fs, b);
        }
        any |= c != 0;
    }
    sfs_bput(fs, b);
    if (r < 0)
        return r;
    if (!any) { /* nothing left under it: drop the indirect block too */
        rp->claimed[blk / 8] &= (uint8_t) ~(1u << (blk % 8));
        *ptr = 0;
        rp->changed = true;
        return 0;
    }
    rp->nblocks++;
    return 0;
}

static int walk_inode(struct rep *rp, struct sfs_inode *ip)
{
    uint64_t p = rp->fs->block_size / 4, base = SFS_NDIRECT, span = p;
    rp->nblocks = 0;
    rp->top = 0;
    for (int i = 0; i < SFS_NDIRECT; i++) {
        int r = ip->direct[i] ? walk(rp, ip, &ip->direct[i], 0, (uint64_t)i, 1) : 0;
        if (r < 0)
            return r;
    }
    for (int level = 1; level <= 3; level++) {
        int r = ip->ind[level - 1] ? walk(rp, ip, &ip->ind[level - 1], level, base, span) : 0;
        if (r < 0)
            return r;
        base += span;
        span *= p;
    }
    return 0;
}

/* Does special inode @ip have a block pointer (past the rdev's two words)? */
static bool special_has_ptrs(const struct sfs_inode *ip)
{
    for (int i = 2; i < SFS_NDIRECT; i++)
        if (ip->direct[i])
            return true;
    return ip->ind[0] || ip->ind[1] || ip->ind[2];
}

static int pass1_inode(struct rep *rp, uint32_t ino)
{
    struct sfs *fs = rp->fs;
    int marked;
    int r = sfs_bitmap_test(fs, fs->ibitmap_start, ino, &marked);
    struct sfs_inode ip;
    if (r == 0)
        r = sfs_inode_read_raw(fs, ino, &ip);
    if (r < 0)
        return r;
    uint32_t t = ip.mode & SFS_S_IFMT;
    bool special = sfs_is_special(&ip);
    bool valid =
        t == SFS_S_IFREG || t == SFS_S_IFDIR || t == SFS_S_IFLNK || (special && sfs_has_posix(fs));
    if (!marked && !(valid && ip.nlink))
        return 0; /* free */
    r = need(rp, 8);
    if (r < 0)
        return r;
    if (!valid || (t == SFS_S_IFLNK && (ip.size == 0 || ip.size > sfs_symlink_max(fs)))) {
        fixed(rp, SFS_CHK_BAD_INODE, ino, ip.mode, ip.size);
        memset(&ip, 0, sizeof(ip));
        ip.ino = ino;
        return sfs_inode_write(fs, &ip); /* free: pass 2 clears its bit */
    }
    rp->st[ino] = (uint8_t)sfs_mode_to_dt(ip.mode);
    rp->changed = false;
    if (special && (ip.size || ip.blocks || special_has_ptrs(&ip))) {
        /* A FIFO, device or socket owns nothing: drop what it claims (pass 2
         * frees the blocks no inode claims). */
        fixed(rp, SFS_CHK_BAD_INODE, ino, ip.mode, ip.size);
        ip.size = 0;
        ip.blocks = 0;
        memset(ip.direct, 0, sizeof(ip.direct));
        memset(ip.ind, 0, sizeof(ip.ind));
        rp->changed = true;
    }
    if (ip.bad_time) { /* the write stores the clamped times */
        fixed(rp, SFS_CHK_BAD_INODE, ino, ip.mode, 0);
        rp->changed = true;
    }
    if (ip.orphan_next) {
        fixed(rp, SFS_CHK_ORPHAN, ino, ip.orphan_next, 0);
        ip.orphan_next = 0;
        rp->changed = true;
    }
    uint64_t bs = fs->block_size, max = sfs_max_lblocks(fs);
    bool size_bad = ip.size > max * bs;
    rp->idx_limit = 0;
    if (t == SFS_S_IFDIR) {
        uint32_t spb = sfs_dir_slots_per_block(fs);
        uint64_t sb = ((uint64_t)ip.dir_slots + spb - 1) / spb;
        rp->limit = sb < SFS_DIDX_BASE ? sb : SFS_DIDX_BASE;
        rp->idx_limit = ip.dir_icap / (bs / SFS_DIDX_SIZE);
    } else {
        rp->limit = size_bad ? max : (ip.size + bs - 1) / bs;
    }
    r = walk_inode(rp, &ip);
    if (r < 0)
        return r;
    if (size_bad && t != SFS_S_IFDIR) {
        fixed(rp, SFS_CHK_BAD_INODE, ino, ip.mode, ip.size);
        ip.size = rp->top * bs;
        rp->changed = true;
    }
    if (ip.blocks != rp->nblocks) {
        fixed(rp, SFS_CHK_BLOCK_COUNT, ino, ip.blocks, rp->nblocks);
        ip.blocks = rp->nblocks;
        rp->changed = true;
    }
    if (!rp->changed)
        return 0;
    if (t == SFS_S_IFDIR)
        rp->st[ino] |= ST_DIRTY;
    return sfs_inode_write(fs, &ip);
}

/* ---- pass 2: bitmaps and free counts ---- */

static int rewrite_bitmap(struct rep *rp, bool blocks, uint32_t *nfree)
{
    struct sfs *fs = rp->fs;
    uint32_t bpb = fs->block_size * 8;
    uint32_t nbits = blocks ? fs->total_blocks : fs->inode_count;
    uint32_t start = blocks ? fs->dbitmap_start : fs->ibitmap_start;
    uint32_t nblk = blocks ? fs->dbitmap_blocks : fs->ibitmap_blocks;
    *nfree = 0;
    for (uint32_t k = 0; k < nblk; k++) {
        int r = need(rp, 2);
        struct sfs_buf *b;
        if (r == 0)
            r = sfs_bget(fs, start + k, SFS_BGET_READ, &b);
        if (r < 0)
            return r;
        bool dirty = false;
        for (uint32_t j = 0; j < fs->block_size; j++) {
            uint8_t want = 0;
            for (uint32_t bit = 0; bit < 8; bit++) {
                uint64_t i = (uint64_t)k * bpb + j * 8 + bit;
                bool used;
                if (i >= nbits)
                    continue;
                if (blocks)
                    used = i < fs->data_start || is_claimed(rp, (uint32_t)i);
                else
                    used = i == 0 || rp->st[i];
                if (used)
                    want |= (uint8_t)(1u << bit);
                else if (!blocks || i >= fs->data_start)
                    ++*nfree;
            }
            uint8_t have = b->data[j];
            if (have == want)
                continue;
            for (uint32_t bit = 0; bit < 8; bit++) {
                uint32_t m = 1u << bit, i = k * bpb + j * 8 + bit;
                if ((have & m) == (want & m) || i >= nbits)
                    continue;
                if (!blocks)
                    fixed(rp, SFS_CHK_IBITMAP, i, (want & m) != 0, 0);
                else if (i < fs->data_start)
                    fixed(rp, SFS_CHK_META_FREE, 0, i, 0);
                else
                    fixed(rp, (want & m) ? SFS_CHK_BLOCK_FREE : SFS_CHK_BLOCK_LEAK, 0, i, 0);
            }
            b->data[j] = want;
            dirty = true;
        }
        if (dirty)
            sfs_bdirty(fs, b);
        sfs_bput(fs, b);
    }
    return 0;
}

static int pass2(struct rep *rp)
{
    struct sfs *fs = rp->fs;
    uint32_t fb, fi;
    int r = rewrite_bitmap(rp, true, &fb);
    if (r == 0)
        r = rewrite_bitmap(rp, false, &fi);
    if (r < 0)
        return r;
    if (fb != fs->free_blocks)
        fixed(rp, SFS_CHK_FREE_BLOCKS, 0, fs->free_blocks, fb);
    if (fi != fs->free_inodes)
        fixed(rp, SFS_CHK_FREE_INODES, 0, fs->free_inodes, fi);
    fs->free_blocks = fb;
    fs->free_inodes = fi;
    fs->balloc_hint = fs->data_start;
    fs->ialloc_hint = 1;
    fs->sb_dirty = 1;
    return sfs_super_write(fs, SFS_STATE_DIRTY);
}

static int run_repair(struct rep *rp)
{
    struct sfs *fs = rp->fs;
    uint32_t n = fs->inode_count;
    /* Start from a committed state: no deferred frees while bitmaps are rebuilt. */
    int r = sfs_txn_commit(fs);
    if (r == 0 && fs->orphan_head) {
        fixed(rp, SFS_CHK_ORPHAN, fs->orphan_head, 0, 0);
        fs->orphan_head = 0;
        r = sfs_super_write(fs, SFS_STATE_DIRTY);
    }
    for (uint32_t b = 0; b < fs->data_start; b++)
        rp->claimed[b / 8] |= (uint8_t)(1u << (b % 8));
    for (uint32_t ino = 1; ino < n && r == 0; ino++)
        r = pass1_inode(rp, ino);
    if (r == 0 && !(rp->st[SFS_ROOT_INO] & ST_TYPE))
        r = SFS_ECORRUPT; /* mount checked it: cannot happen */
    if (r == 0)
        r = sfs_txn_commit(fs);
    if (r == 0)
        r = pass2(rp);
    for (uint32_t ino = 1; ino < n && r == 0; ino++)
        if ((rp->st[ino] & ST_TYPE) == ST_DIR)
            r = sfs_repair_pass3_dir(rp, ino);
    for (uint32_t ino = 1; ino < n && r == 0; ino++)
        if ((rp->st[ino] & ST_TYPE) == ST_DIR)
            r = sfs_repair_pass4_resolve(rp, ino);
    for (uint32_t ino = 1; ino < n && r == 0; ino++)
        if (rp->st[ino])
            r = sfs_repair_pass5_inode(rp, ino);
    return r < 0 ? r : sfs_sync_locked(fs);
}

static int repair_locked(struct sfs *fs, void *work, size_t work_size, sfs_check_report_fn report,
                         void *ctx, struct sfs_repair_result *res)
{
    if (fs->open_files)
        return SFS_EBUSY;
    size_t need_bytes = sfs_repair_work_size(fs);
    void *mem = work;
    if (!mem) {
        if (!fs->cfg.alloc || !fs->cfg.free)
            return SFS_EINVAL;
        mem = fs->cfg.alloc(fs->cfg.hook_ctx, need_bytes);
        if (!mem)
            return SFS_ENOMEM;
    } else if (work_size < need_bytes) {
        return SFS_ENOMEM;
    }
    struct rep rp = { .fs = fs, .report = report, .ctx = ctx };
    /* Nothing to do on a clean volume: nothing is written. */
    long problems = sfs_check_locked(fs, mem, need_bytes, NULL, NULL);
    int r = problems < 0 ? (int)problems : 0;
    if (problems > 0) {
        memset(mem, 0, need_bytes);
        uint32_t n = fs->inode_count;
        rp.parent = mem;
        rp.refs = rp.parent + n;
        rp.subdirs = rp.refs + n;
        rp.st = (uint8_t *)(rp.subdirs + n);
        rp.reach = rp.st + n;
        rp.claimed = rp.reach + n;
        r = run_repair(&rp);
    }
    if (!work)
        fs->cfg.free(fs->cfg.hook_ctx, mem);
    if (res)
        *res = rp.res;
    return r;
}

int sfs_repair(struct sfs *fs, void *work, size_t work_size, sfs_check_report_fn report, void *ctx,
               struct sfs_repair_result *res)
{
    if (res)
        *res = (struct sfs_repair_result){ 0, 0 };
    SFS_CALL(fs, SFS_OP_WRITE, repair_locked(fs, work, work_size, report, ctx, res));
}
