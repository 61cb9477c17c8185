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
 */
#include <sfs/sfs_check.h>
#include "sfs_priv.h"

/* st[]: per inode. */
#define ST_REG   1u
#define ST_DIR   2u
#define ST_LNK   3u
#define ST_TYPE  3u
#define ST_DIRTY 4u /* a directory whose block map pass 1 changed */

struct rep {
    struct sfs *fs;
    sfs_check_report_fn report;
    void *ctx;
    struct sfs_repair_result res;
    uint32_t *parent;  /* directory holding each directory's name */
    uint32_t *refs;    /* names of each inode (not . or ..) */
    uint32_t *subdirs; /* subdirectory names in each directory */
    uint8_t *st;
    uint8_t *reach; /* pass 4: 0 unknown, 1 reachable, 2 given up, 3 being walked */
    uint8_t *claimed;
    /* pass 1, the current inode */
    uint32_t nblocks;
    uint64_t limit, idx_limit, top;
    bool changed;
    uint32_t lf; /* /lost+found, 0 until found or made */
};

size_t sfs_repair_work_size(const struct sfs *fs)
{
    size_t need = (size_t)fs->inode_count * 14 + fs->total_blocks / 8 + 16;
    size_t chk = sfs_check_work_size(fs);
    return need > chk ? need : chk;
}

static void fixed(struct rep *rp, int code, uint32_t ino, uint64_t a, uint64_t b)
{
    struct sfs_check_problem p = { code, ino, a, b };
    rp->res.fixed++;
    if (rp->report)
        rp->report(rp->ctx, &p);
}

/* A failure that stops one fix: count it and go on, unless the device or
 * memory failed. */
static int soft(struct rep *rp, int r)
{
    if (r >= 0)
        return 0;
    if (r == SFS_EIO || r == SFS_ENOMEM)
        return r;
    rp->res.left++;
    return 0;
}

/* Room in the running transaction for a step of @blocks blocks. */
static int need(struct rep *rp, uint64_t blocks)
{
    uint64_t cap = rp->fs->jcap / 2;
    if (blocks > cap)
        blocks = cap;
    return sfs_txn_need(rp->fs, blocks, blocks);
}

static bool is_claimed(const struct rep *rp, uint32_t blk)
{
    return rp->claimed[blk / 8] & (1u << (blk % 8));
}

static uint32_t st_dt(uint8_t st)
{
    switch (st & ST_TYPE) {
    case ST_DIR:
        return SFS_DT_DIR;
    case ST_LNK:
        return SFS_DT_LNK;
    default:
        return SFS_DT_REG;
    }
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
    bool valid = t == SFS_S_IFREG || t == SFS_S_IFDIR || t == SFS_S_IFLNK;
    if (!marked && !(valid && ip.nlink))
        return 0; /* free */
    r = need(rp, 8);
    if (r < 0)
        return r;
    if (!valid || (t == SFS_S_IFLNK && (ip.size == 0 || ip.size > SFS_SYMLINK_MAX))) {
        fixed(rp, SFS_CHK_BAD_INODE, ino, ip.mode, ip.size);
        memset(&ip, 0, sizeof(ip));
        ip.ino = ino;
        return sfs_inode_write(fs, &ip); /* free: pass 2 clears its bit */
    }
    rp->st[ino] = t == SFS_S_IFDIR ? ST_DIR : t == SFS_S_IFLNK ? ST_LNK : ST_REG;
    rp->changed = false;
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

/* ---- pass 3: directories ---- */

static bool is_dot(const struct sfs_dslot *e)
{
    return e->name_len == 1 && e->name[0] == '.';
}

static bool is_dotdot(const struct sfs_dslot *e)
{
    return e->name_len == 2 && e->name[0] == '.' && e->name[1] == '.';
}

/* Is @dp's structure sound (what check_dir() in sfs_check.c verifies)? */
static int dir_sound(struct rep *rp, struct sfs_inode *dp, bool *ok)
{
    struct sfs *fs = rp->fs;
    struct sfs_inode chk;
    uint32_t spb = sfs_dir_slots_per_block(fs);
    *ok = false;
    int r = sfs_inode_read(fs, dp->ino, &chk);
    if (r == SFS_ECORRUPT || (rp->st[dp->ino] & ST_DIRTY) || dp->dir_slots < 2)
        return 0;
    if (r < 0)
        return r;
    for (uint32_t l = 0; l < (dp->dir_slots + spb - 1) / spb; l++) {
        uint32_t pblk;
        r = sfs_bmap(fs, dp, l, SFS_MAP_LOOKUP, &pblk);
        if (r < 0 || !pblk)
            return r == SFS_ECORRUPT ? 0 : r;
    }
    uint32_t live = 0, entries = 0;
    bool room = false;
    for (uint32_t i = 0; i < dp->dir_icap; i++) {
        uint32_t h, s1;
        struct sfs_dslot e;
        r = sfs_dir_index_get(fs, dp, i, &h, &s1);
        if (r == 0 && !s1) {
            room = true;
            continue;
        }
        if (r == 0)
            r = sfs_dir_read_slot(fs, dp, s1 - 1, &e);
        if (r < 0)
            return r == SFS_ECORRUPT ? 0 : r;
        if (!e.ino || sfs_name_hash(e.name, e.name_len) != h)
            return 0;
        entries++;
    }
    if (!room)
        return 0;
    for (uint32_t s = 0; s < dp->dir_slots; s++) {
        struct sfs_dslot e;
        r = sfs_dir_read_slot(fs, dp, s, &e);
        if (r < 0)
            return r == SFS_ECORRUPT ? 0 : r;
        if (!e.ino) {
            if (s < 2)
                return 0;
            continue;
        }
        live++;
        if (s == 0   ? !is_dot(&e) || e.ino != dp->ino
            : s == 1 ? !is_dotdot(&e)
                     : is_dot(&e) || is_dotdot(&e))
            return 0;
        uint32_t found, fslot;
        r = sfs_dir_lookup(fs, dp, e.name, e.name_len, &found, &fslot);
        if (r < 0 || fslot != s)
            return r == SFS_ECORRUPT || r == SFS_ENOENT || r == 0 ? 0 : r;
    }
    if (live != dp->dir_count || entries != live)
        return 0;
    uint32_t f = dp->dir_free, steps = 0;
    while (f) {
        struct sfs_dslot e;
        if (f > dp->dir_slots || steps++ > dp->dir_slots)
            return 0;
        r = sfs_dir_read_slot(fs, dp, f - 1, &e);
        if (r < 0 || e.ino)
            return r == SFS_ECORRUPT || r == 0 ? 0 : r;
        f = e.type; /* the next free link */
    }
    *ok = true;
    return 0;
}

static uint32_t index_cap(const struct sfs *fs, uint32_t slots)
{
    uint64_t cap = fs->block_size / SFS_DIDX_SIZE;
    while (cap <= 2ull * slots)
        cap <<= 1;
    return (uint32_t)cap;
}

/* Rebuild @dp's structure from its slot array. */
static int dir_rebuild(struct rep *rp, struct sfs_inode *dp)
{
    struct sfs *fs = rp->fs;
    uint32_t spb = sfs_dir_slots_per_block(fs);
    uint64_t bound = ((uint64_t)dp->dir_slots + spb - 1) / spb, nsb = 0;
    if (bound > SFS_DIDX_BASE)
        bound = SFS_DIDX_BASE;
    int r;
    for (uint64_t l = bound; l > 0 && !nsb; l--) {
        uint32_t pblk;
        r = sfs_bmap(fs, dp, l - 1, SFS_MAP_LOOKUP, &pblk);
        if (r < 0)
            return r;
        if (pblk)
            nsb = l;
    }
    if (!nsb)
        nsb = 1;
    uint32_t slots = bound == nsb && dp->dir_slots >= 2 ? dp->dir_slots : (uint32_t)nsb * spb;
    /* Fill holes in the slot array (zeroed blocks are free slots). */
    for (uint64_t l = 0; l < nsb; l++) {
        uint32_t pblk;
        r = need(rp, 8);
        if (r == 0)
            r = sfs_bmap(fs, dp, l, SFS_MAP_ALLOC, &pblk);
        if (r < 0)
            return r;
    }
    /* A new index, big enough for every slot: it is never rebuilt below. */
    r = need(rp, 64);
    if (r == 0)
        r = sfs_free_range(fs, dp, SFS_DIDX_BASE, UINT64_MAX);
    if (r < 0)
        return r;
    struct sfs_dslot dd;
    r = sfs_dir_read_slot(fs, dp, 1, &dd);
    uint32_t up = r == 0 && dd.ino && (rp->st[dd.ino] & ST_TYPE) == ST_DIR ? dd.ino : SFS_ROOT_INO;
    if (r < 0 && r != SFS_ECORRUPT && r != SFS_EINVAL)
        return r;
    dp->dir_slots = slots;
    dp->dir_icap = index_cap(fs, slots);
    dp->size = nsb * fs->block_size;
    uint32_t live = 2;
    r = sfs_dir_slot_write(fs, dp, 0, dp->ino, SFS_DT_DIR, ".", 1, 0);
    if (r == 0)
        r = sfs_dir_slot_write(fs, dp, 1, up, SFS_DT_DIR, "..", 2, 0);
    if (r == 0)
        r = sfs_dir_index_insert(fs, dp, ".", 1, 0);
    if (r == 0)
        r = sfs_dir_index_insert(fs, dp, "..", 2, 1);
    for (uint32_t s = 2; s < slots && r == 0; s++) {
        struct sfs_dslot e;
        r = need(rp, 8);
        if (r == 0)
            r = sfs_inode_write(fs, dp);
        if (r == 0)
            r = sfs_dir_read_slot(fs, dp, s, &e);
        uint32_t found;
        bool drop = r == SFS_ECORRUPT;
        if (r == 0 && e.ino) {
            drop = is_dot(&e) || is_dotdot(&e) ||
                   sfs_dir_lookup(fs, dp, e.name, e.name_len, &found, NULL) != SFS_ENOENT;
        }
        if (r < 0 && r != SFS_ECORRUPT)
            return r;
        r = 0;
        if (drop) {
            fixed(rp, SFS_CHK_DIRENT, dp->ino, s, 0);
            r = sfs_dir_slot_write(fs, dp, s, 0, 0, NULL, 0, 0);
        } else if (e.ino) {
            r = sfs_dir_slot_write(fs, dp, s, e.ino, e.type, e.name, e.name_len, 0);
            if (r == 0)
                r = sfs_dir_index_insert(fs, dp, e.name, e.name_len, s);
            live++;
        }
    }
    /* The free list, lowest slot first. */
    uint32_t head = 0;
    for (uint32_t s = slots; s > 2 && r == 0; s--) {
        struct sfs_dslot e;
        r = need(rp, 4);
        if (r == 0)
            r = sfs_dir_read_slot(fs, dp, s - 1, &e);
        if (r == 0 && !e.ino) {
            r = sfs_dir_slot_write(fs, dp, s - 1, 0, 0, NULL, 0, head);
            head = s;
        }
    }
    dp->dir_free = head;
    dp->dir_count = live;
    fixed(rp, SFS_CHK_DIR_REBUILT, dp->ino, live, slots);
    int w = sfs_inode_write(fs, dp);
    return r < 0 ? r : w;
}

/* Drop the entry of @dp in slot @s (named in @e). */
static int drop_entry(struct rep *rp, struct sfs_inode *dp, const struct sfs_dslot *e)
{
    int r = need(rp, 16);
    return r < 0 ? r : sfs_dir_remove(rp->fs, dp, e->name, e->name_len);
}

/* Settle each entry of a sound directory; count names and parents. */
static int dir_entries(struct rep *rp, struct sfs_inode *dp)
{
    struct sfs *fs = rp->fs;
    for (uint32_t s = 2; s < dp->dir_slots; s++) {
        struct sfs_dslot e;
        int r = sfs_dir_read_slot(fs, dp, s, &e);
        if (r < 0) {
            if ((r = soft(rp, r)) < 0)
                return r;
            continue;
        }
        if (!e.ino)
            continue;
        uint32_t t = e.ino;
        uint8_t ts = rp->st[t] & ST_TYPE;
        if (!ts || t == SFS_ROOT_INO || (ts == ST_DIR && rp->parent[t])) {
            fixed(rp, !ts ? SFS_CHK_INODE_FREE : SFS_CHK_DIR_LINKS, t, dp->ino, s);
            if ((r = soft(rp, drop_entry(rp, dp, &e))) < 0)
                return r;
            continue;
        }
        if (e.type != st_dt(ts)) {
            fixed(rp, SFS_CHK_DIRENT, dp->ino, s, e.type);
            r = need(rp, 4);
            if (r == 0)
                r = sfs_dir_set_ino(fs, dp, s, t, st_dt(ts));
            if ((r = soft(rp, r)) < 0)
                return r;
        }
        if (ts == ST_DIR) {
            rp->parent[t] = dp->ino;
            rp->subdirs[dp->ino]++;
        }
        rp->refs[t]++;
    }
    return 0;
}

static int pass3_dir(struct rep *rp, uint32_t ino)
{
    struct sfs_inode dp;
    int r = sfs_inode_read_raw(rp->fs, ino, &dp);
    bool ok = false;
    if (r == 0)
        r = dir_sound(rp, &dp, &ok);
    if (r == 0 && !ok)
        r = dir_rebuild(rp, &dp);
    if (r == 0)
        r = dir_entries(rp, &dp);
    return soft(rp, r);
}

/* ---- passes 4 and 5: reconnection, "..", link counts ---- */

static const char lf_name[] = "lost+found";

/* Find or make /lost+found; 0 if there is none to be had. */
static uint32_t lost_found(struct rep *rp)
{
    struct sfs *fs = rp->fs;
    if (rp->lf)
        return rp->lf;
    struct sfs_inode root;
    uint32_t ino;
    if (sfs_inode_read(fs, SFS_ROOT_INO, &root) < 0)
        return 0;
    int r = sfs_dir_lookup(fs, &root, lf_name, sizeof(lf_name) - 1, &ino, NULL);
    if (r == 0) {
        if ((rp->st[ino] & ST_TYPE) != ST_DIR || rp->parent[ino] != SFS_ROOT_INO)
            return 0;
    } else if (r != SFS_ENOENT || need(rp, 64) < 0 ||
               sfs_create_in(fs, SFS_ROOT_INO, lf_name, sizeof(lf_name) - 1, SFS_S_IFDIR | 0700,
                             NULL, &ino) < 0) {
        return 0;
    } else {
        rp->st[ino] = ST_DIR;
        rp->parent[ino] = SFS_ROOT_INO;
        rp->subdirs[SFS_ROOT_INO]++;
    }
    rp->reach[ino] = 1;
    rp->lf = ino;
    return ino;
}

/* Name @ino "#<ino>" (or "#<ino>.<n>") in /lost+found. */
static int reconnect(struct rep *rp, uint32_t ino)
{
    struct sfs *fs = rp->fs;
    uint32_t lf = lost_found(rp);
    if (!lf)
        return SFS_ENOENT;
    struct sfs_inode d;
    int r = sfs_inode_read(fs, lf, &d);
    if (r < 0)
        return r;
    char name[32];
    for (uint32_t n = 0;; n++) {
        char tmp[24];
        size_t len = 0, t = 0;
        name[len++] = '#';
        for (uint32_t v = ino; v || !t; v /= 10)
            tmp[t++] = (char)('0' + v % 10);
        while (t)
            name[len++] = tmp[--t];
        if (n) {
            name[len++] = '.';
            for (uint32_t v = n; v; v /= 10)
                tmp[t++] = (char)('0' + v % 10);
            while (t)
                name[len++] = tmp[--t];
        }
        uint32_t other;
        r = sfs_dir_lookup(fs, &d, name, len, &other, NULL);
        if (r == SFS_ENOENT) {
            r = need(rp, 64);
            if (r == 0)
                r = sfs_dir_reserve(fs, &d);
            if (r == 0)
                r = sfs_dir_add(fs, &d, name, len, ino, st_dt(rp->st[ino]));
            break;
        }
        if (r < 0)
            break;
    }
    if (r == 0)
        fixed(rp, SFS_CHK_RECONNECT, ino, lf, 0);
    return r;
}

/* Remove the name of directory @ino from @dir (breaking a cycle). */
static int unlink_from(struct rep *rp, uint32_t dir, uint32_t ino)
{
    struct sfs_inode dp;
    int r = sfs_inode_read(rp->fs, dir, &dp);
    for (uint32_t s = 2; r == 0 && s < dp.dir_slots; s++) {
        struct sfs_dslot e;
        r = sfs_dir_read_slot(rp->fs, &dp, s, &e);
        if (r == 0 && e.ino == ino)
            return drop_entry(rp, &dp, &e);
    }
    return r < 0 ? r : SFS_ENOENT;
}

static void settle(struct rep *rp, uint32_t from, uint8_t verdict)
{
    for (uint32_t x = from, n = 0; x && rp->reach[x] == 3 && n++ < rp->fs->inode_count;
         x = rp->parent[x])
        rp->reach[x] = verdict;
}

/* Make directory @d reachable from the root. */
static int resolve(struct rep *rp, uint32_t d)
{
    uint32_t x = d;
    rp->reach[SFS_ROOT_INO] = 1;
    while (rp->reach[x] == 0) {
        rp->reach[x] = 3;
        if (!rp->parent[x])
            break;
        x = rp->parent[x];
    }
    if (rp->reach[x] == 1 || rp->reach[x] == 2) {
        settle(rp, d, rp->reach[x]);
        return 0;
    }
    /* x heads a parentless chain, or sits on a cycle: cut it loose, then name
     * it in /lost+found. */
    uint32_t old = rp->parent[x];
    fixed(rp, SFS_CHK_UNREACHABLE, x, old, 0);
    int r = 0;
    if (old) {
        r = unlink_from(rp, old, x);
        if (r == 0) {
            rp->subdirs[old]--;
            rp->parent[x] = 0;
        }
    }
    if (r == 0)
        r = reconnect(rp, x);
    if (r == 0) {
        rp->parent[x] = rp->lf;
        rp->subdirs[rp->lf]++;
    }
    uint8_t verdict = r == 0 ? 1 : 2;
    if (r != 0) {
        rp->reach[x] = 2;
        old = rp->parent[x];
    }
    settle(rp, d, verdict);
    settle(rp, old, verdict); /* the rest of a cycle hangs from x */
    return soft(rp, r);
}

static int pass5_inode(struct rep *rp, uint32_t ino)
{
    struct sfs *fs = rp->fs;
    struct sfs_inode ip;
    int r = need(rp, 64);
    if (r == 0)
        r = sfs_inode_read(fs, ino, &ip);
    if (r < 0)
        return soft(rp, r);
    if ((rp->st[ino] & ST_TYPE) == ST_DIR) {
        uint32_t up = ino == SFS_ROOT_INO ? ino : rp->parent[ino];
        struct sfs_dslot e;
        r = sfs_dir_read_slot(fs, &ip, 1, &e);
        if (r == 0 && up && e.ino != up) {
            fixed(rp, SFS_CHK_DOTDOT, ino, e.ino, up);
            r = sfs_dir_set_ino(fs, &ip, 1, up, SFS_DT_DIR);
        }
        uint64_t want = 2ull + rp->subdirs[ino];
        if (r == 0 && want > SFS_LINK_MAX)
            r = SFS_EMLINK;
        if (r == 0 && ip.nlink != want) {
            fixed(rp, SFS_CHK_NLINK, ino, ip.nlink, want);
            ip.nlink = (uint32_t)want;
            r = sfs_inode_write(fs, &ip);
        }
        return soft(rp, r);
    }
    if (rp->refs[ino] == 0) {
        if (ip.size == 0 && ip.blocks == 0) {
            fixed(rp, SFS_CHK_FREED, ino, ip.nlink, 0);
            rp->st[ino] = 0;
            ip.nlink = 0;
            return soft(rp, sfs_inode_destroy(fs, &ip));
        }
        r = reconnect(rp, ino);
        if (r < 0)
            return soft(rp, r);
        rp->refs[ino] = 1;
    }
    if (rp->refs[ino] > SFS_LINK_MAX)
        return soft(rp, SFS_EMLINK);
    if (ip.nlink != rp->refs[ino]) {
        fixed(rp, SFS_CHK_NLINK, ino, ip.nlink, rp->refs[ino]);
        ip.nlink = rp->refs[ino];
        r = sfs_inode_write(fs, &ip);
    }
    return soft(rp, r);
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
            r = pass3_dir(rp, ino);
    for (uint32_t ino = 1; ino < n && r == 0; ino++)
        if ((rp->st[ino] & ST_TYPE) == ST_DIR)
            r = resolve(rp, ino);
    for (uint32_t ino = 1; ino < n && r == 0; ino++)
        if (rp->st[ino])
            r = pass5_inode(rp, ino);
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
