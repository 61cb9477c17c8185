/*
 * sfs_check.c - checker layer: verify every on-disk invariant (fsck).
 *
 * Passes:
 *   1. metadata blocks [0, data_start) are claimed and marked used;
 *   2. every inode marked in the inode bitmap: valid type, block pointers in
 *      range and owned once, nothing mapped past the size, block count right;
 *      directories: "." and "..", entry names and types, entry count, the
 *      free-slot list and the hash index (every live slot found by lookup,
 *      every index entry pointing at a live slot with the right hash);
 *   3. link counts, single parent per directory, ".." agreeing with it,
 *      every directory reachable from the root, no unreferenced inode;
 *   4. block and inode bitmaps against what was found, and the free counts.
 *
 * Bounded: every pass is linear in the image. A directory whose blocks are
 * owned twice is not walked again; an index with no empty entry is reported
 * and not probed (a probe would scan all of it); reachability is settled once
 * per directory (a per-inode state), so chains and cycles cost O(inodes).
 *
 * Memory: sfs_check_work_size() bytes from the caller or the alloc hook:
 * a claimed-block bitmap and five small per-inode arrays. Read-only.
 */
#include <sfs/sfs_check.h>
#include "sfs_priv.h"

struct chk {
    struct sfs *fs;
    sfs_check_report_fn report;
    void *ctx;
    long problems;
    uint8_t *claimed;  /* bit per block */
    uint16_t *refs;    /* names referring to each inode (not . or ..) */
    uint16_t *subdirs; /* subdirectory entries in each directory */
    uint32_t *parent;  /* directory holding each directory's name */
    uint32_t *dotdot;  /* each directory's ".." */
    uint8_t *iused;    /* bit per inode marked in the inode bitmap */
    uint8_t *reach;    /* per inode: 0 unknown, 1 reachable, 2 not, 3 being walked */
    uint32_t nblocks;  /* blocks found for the current inode */
    uint32_t dups;     /* blocks owned twice found for the current inode */
    bool no_probe;     /* the current directory's index cannot be probed */
};

static void problem(struct chk *c, int code, uint32_t ino, uint64_t a, uint64_t b)
{
    struct sfs_check_problem p = { code, ino, a, b };
    c->problems++;
    if (c->report)
        c->report(c->ctx, &p);
}

size_t sfs_check_work_size(const struct sfs *fs)
{
    return (size_t)fs->inode_count * 13 + fs->inode_count / 8 + 8 + fs->total_blocks / 8 + 8;
}

static void claim(struct chk *c, uint32_t blk)
{
    c->claimed[blk / 8] |= (uint8_t)(1u << (blk % 8));
}

static bool lblk_allowed(struct chk *c, const struct sfs_inode *ip, uint64_t lblk)
{
    struct sfs *fs = c->fs;
    if (ip->orphan_next)
        return true; /* a truncation the orphan list finishes at mount */
    if (!sfs_is_dir(ip))
        return lblk < (ip->size + fs->block_size - 1) / fs->block_size;
    uint32_t spb = sfs_dir_slots_per_block(fs);
    if (lblk < SFS_DIDX_BASE)
        return lblk < (ip->dir_slots + spb - 1) / spb;
    return lblk - SFS_DIDX_BASE < ip->dir_icap / (fs->block_size / SFS_DIDX_SIZE);
}

/* Walk the subtree under @blk (spanning p^level logical blocks from @base). */
static void walk(struct chk *c, const struct sfs_inode *ip, uint32_t blk, int level, uint64_t base)
{
    struct sfs *fs = c->fs;
    if (!sfs_blk_valid(fs, blk)) {
        problem(c, SFS_CHK_BAD_PTR, ip->ino, blk, 0);
        return;
    }
    c->nblocks++;
    if (c->claimed[blk / 8] & (1u << (blk % 8))) {
        /* Owned twice: report, and do not walk a subtree already walked. */
        problem(c, SFS_CHK_DUP_BLOCK, ip->ino, blk, 0);
        c->dups++;
        return;
    }
    claim(c, blk);
    if (level == 0) {
        if (!lblk_allowed(c, ip, base))
            problem(c, SFS_CHK_SIZE, ip->ino, base, ip->size);
        return;
    }
    uint64_t p = fs->block_size / 4, span = 1;
    for (int k = 1; k < level; k++)
        span *= p;
    struct sfs_buf *b;
    int r = sfs_bget(fs, blk, SFS_BGET_READ, &b);
    if (r < 0) {
        problem(c, SFS_CHK_IO, ip->ino, blk, (uint64_t)(int64_t)r);
        return;
    }
    for (uint64_t i = 0; i < p; i++) {
        uint32_t child = sfs_ld32(b->data + 4 * i);
        if (child)
            walk(c, ip, child, level - 1, base + i * span);
    }
    sfs_bput(fs, b);
}

static void check_blocks(struct chk *c, const struct sfs_inode *ip)
{
    uint64_t p = c->fs->block_size / 4, base = SFS_NDIRECT, span = p;
    c->nblocks = 0;
    c->dups = 0;
    for (int i = 0; i < SFS_NDIRECT; i++)
        if (ip->direct[i])
            walk(c, ip, ip->direct[i], 0, (uint64_t)i);
    for (int level = 1; level <= 3; level++) {
        if (ip->ind[level - 1])
            walk(c, ip, ip->ind[level - 1], level, base);
        base += span;
        span *= p;
    }
    if (c->nblocks != ip->blocks)
        problem(c, SFS_CHK_BLOCK_COUNT, ip->ino, ip->blocks, c->nblocks);
}

static void check_entry(struct chk *c, struct sfs_inode *dp, uint32_t slot,
                        const struct sfs_dslot *e)
{
    struct sfs *fs = c->fs;
    bool dot = e->name_len == 1 && e->name[0] == '.';
    bool dotdot = e->name_len == 2 && e->name[0] == '.' && e->name[1] == '.';
    if (dot) {
        if (slot != 0 || e->ino != dp->ino)
            problem(c, SFS_CHK_DOT, dp->ino, e->ino, slot);
        return;
    }
    if (dotdot) {
        if (slot != 1)
            problem(c, SFS_CHK_DIRENT, dp->ino, slot, 0);
        c->dotdot[dp->ino] = e->ino;
        return;
    }
    int used = 0;
    struct sfs_inode t;
    if (sfs_bitmap_test(fs, fs->ibitmap_start, e->ino, &used) < 0 || !used ||
        sfs_inode_read(fs, e->ino, &t) < 0) {
        problem(c, SFS_CHK_INODE_FREE, e->ino, dp->ino, slot);
        return;
    }
    if (sfs_mode_to_dt(t.mode) != e->type)
        problem(c, SFS_CHK_DIRENT, dp->ino, slot, e->type);
    if (c->refs[e->ino] < UINT16_MAX)
        c->refs[e->ino]++;
    if (sfs_is_dir(&t)) {
        if (c->subdirs[dp->ino] < UINT16_MAX)
            c->subdirs[dp->ino]++;
        c->parent[e->ino] = dp->ino;
    }
    uint32_t found, fslot;
    if (!c->no_probe &&
        (sfs_dir_lookup(fs, dp, e->name, e->name_len, &found, &fslot) < 0 || fslot != slot))
        problem(c, SFS_CHK_INDEX, dp->ino, slot, 0);
}

/* Does the index have an empty entry? Without one a probe never stops early. */
static bool index_has_room(struct chk *c, struct sfs_inode *dp)
{
    for (uint32_t i = 0; i < dp->dir_icap; i++) {
        uint32_t h, s1;
        if (sfs_dir_index_get(c->fs, dp, i, &h, &s1) < 0 || !s1)
            return true;
    }
    return false;
}

static void check_dir(struct chk *c, struct sfs_inode *dp)
{
    struct sfs *fs = c->fs;
    uint32_t live = 0;
    c->no_probe = !index_has_room(c, dp);
    if (c->no_probe)
        problem(c, SFS_CHK_INDEX, dp->ino, dp->dir_icap, 3);
    bool has_dot = false, has_dotdot = false;
    for (uint32_t s = 0; s < dp->dir_slots; s++) {
        struct sfs_dslot e;
        int r = sfs_dir_read_slot(fs, dp, s, &e);
        if (r < 0) {
            problem(c, SFS_CHK_DIRENT, dp->ino, s, (uint64_t)(int64_t)r);
            continue;
        }
        if (!e.ino)
            continue;
        live++;
        has_dot |= e.name_len == 1 && e.name[0] == '.';
        has_dotdot |= e.name_len == 2 && e.name[0] == '.' && e.name[1] == '.';
        check_entry(c, dp, s, &e);
    }
    if (!has_dot)
        problem(c, SFS_CHK_DOT, dp->ino, 0, 0);
    if (!has_dotdot)
        problem(c, SFS_CHK_DOTDOT, dp->ino, 0, 0);
    if (live != dp->dir_count)
        problem(c, SFS_CHK_DIR_COUNT, dp->ino, dp->dir_count, live);
    /* Free list: every link is a free slot, no cycle. */
    uint32_t f = dp->dir_free, steps = 0;
    while (f && steps++ <= dp->dir_slots) {
        struct sfs_dslot e;
        if (f > dp->dir_slots || sfs_dir_read_slot(fs, dp, f - 1, &e) < 0 || e.ino) {
            problem(c, SFS_CHK_DIRENT, dp->ino, f - 1, 0);
            break;
        }
        f = e.type; /* next free link */
    }
    if (f && steps > dp->dir_slots)
        problem(c, SFS_CHK_DIRENT, dp->ino, f - 1, 1);
    /* Index: every entry names a live slot with the right hash. */
    uint32_t entries = 0;
    for (uint32_t i = 0; i < dp->dir_icap; i++) {
        uint32_t h, s1;
        if (sfs_dir_index_get(fs, dp, i, &h, &s1) < 0) {
            problem(c, SFS_CHK_INDEX, dp->ino, i, 1);
            continue;
        }
        if (!s1)
            continue;
        entries++;
        struct sfs_dslot e;
        if (sfs_dir_read_slot(fs, dp, s1 - 1, &e) < 0 || !e.ino ||
            sfs_name_hash(e.name, e.name_len) != h)
            problem(c, SFS_CHK_INDEX, dp->ino, s1 - 1, 2);
    }
    if (entries != live)
        problem(c, SFS_CHK_INDEX, dp->ino, entries, live);
}

static void check_links(struct chk *c, uint32_t ino, const struct sfs_inode *ip)
{
    struct sfs *fs = c->fs;
    if (ip->nlink == 0 && c->refs[ino] == 0 && (sfs_inode_is_open(fs, ino) || ip->orphan_next))
        return; /* unlinked but still open (or orphaned): freed by its last close or at mount */
    if (!sfs_is_dir(ip)) {
        if (c->refs[ino] == 0)
            problem(c, SFS_CHK_INODE_LEAK, ino, ip->nlink, 0);
        else if (ip->nlink != c->refs[ino])
            problem(c, SFS_CHK_NLINK, ino, ip->nlink, c->refs[ino]);
        return;
    }
    if (ip->nlink != 2u + c->subdirs[ino])
        problem(c, SFS_CHK_NLINK, ino, ip->nlink, 2u + c->subdirs[ino]);
    if (ino == SFS_ROOT_INO) {
        if (c->refs[ino])
            problem(c, SFS_CHK_DIR_LINKS, ino, c->refs[ino], 0);
        if (c->dotdot[ino] && c->dotdot[ino] != SFS_ROOT_INO)
            problem(c, SFS_CHK_DOTDOT, ino, c->dotdot[ino], SFS_ROOT_INO);
        return;
    }
    if (c->refs[ino] != 1) {
        problem(c, c->refs[ino] ? SFS_CHK_DIR_LINKS : SFS_CHK_INODE_LEAK, ino, c->refs[ino], 0);
        if (!c->refs[ino])
            return;
    }
    if (c->dotdot[ino] && c->dotdot[ino] != c->parent[ino])
        problem(c, SFS_CHK_DOTDOT, ino, c->dotdot[ino], c->parent[ino]);
    /* Walk up until a settled directory, then settle the whole path. */
    uint32_t d = ino, n = 0;
    while (d != SFS_ROOT_INO && d != 0 && c->reach[d] == 0 && n++ < fs->inode_count) {
        c->reach[d] = 3;
        d = c->parent[d];
    }
    uint8_t verdict = d == SFS_ROOT_INO || (d && c->reach[d] == 1) ? 1 : 2;
    for (uint32_t e = ino, m = 0; e && c->reach[e] == 3 && m++ < fs->inode_count; e = c->parent[e])
        c->reach[e] = verdict;
    if (verdict != 1)
        problem(c, SFS_CHK_UNREACHABLE, ino, 0, 0);
}

static void check_bitmaps(struct chk *c, const uint8_t *iused)
{
    struct sfs *fs = c->fs;
    uint32_t free_blocks = 0, free_inodes = 0;
    uint32_t bpb = fs->block_size * 8;
    struct sfs_buf *bm = NULL;
    for (uint32_t b = 0; b < fs->total_blocks; b++) {
        /* One bitmap block at a time, not one lookup per bit. */
        if (b % bpb == 0) {
            sfs_bput(fs, bm);
            if (sfs_bget(fs, fs->dbitmap_start + b / bpb, SFS_BGET_READ, &bm) < 0) {
                problem(c, SFS_CHK_IO, 0, fs->dbitmap_start + b / bpb, 0);
                return;
            }
        }
        int used = (bm->data[(b % bpb) / 8] >> (b % 8)) & 1;
        if (used && fs->jfreed_count && sfs_txn_freed(fs, b))
            used = 0; /* freed by the running transaction: clear at its commit */
        bool claimed = c->claimed[b / 8] & (1u << (b % 8));
        if (b < fs->data_start) {
            if (!used)
                problem(c, SFS_CHK_META_FREE, 0, b, 0);
            continue;
        }
        if (!used)
            free_blocks++;
        if (claimed && !used)
            problem(c, SFS_CHK_BLOCK_FREE, 0, b, 0);
        else if (!claimed && used)
            problem(c, SFS_CHK_BLOCK_LEAK, 0, b, 0);
    }
    sfs_bput(fs, bm);
    for (uint32_t i = 1; i < fs->inode_count; i++)
        if (!(iused[i / 8] & (1u << (i % 8))))
            free_inodes++;
    if (free_blocks != fs->free_blocks + fs->jfreed_count)
        problem(c, SFS_CHK_FREE_BLOCKS, 0, fs->free_blocks + fs->jfreed_count, free_blocks);
    if (free_inodes != fs->free_inodes)
        problem(c, SFS_CHK_FREE_INODES, 0, fs->free_inodes, free_inodes);
}

static long run_check(struct chk *c)
{
    struct sfs *fs = c->fs;
    if (fs->needs_recovery)
        problem(c, SFS_CHK_JOURNAL, 0, fs->jseq, 0);
    for (uint32_t b = 0; b < fs->data_start; b++)
        c->claimed[b / 8] |= (uint8_t)(1u << (b % 8));
    /* Pass 2: every inode marked in use. */
    uint8_t *iused = c->iused;
    for (uint32_t ino = 1; ino < fs->inode_count; ino++) {
        int used;
        if (sfs_bitmap_test(fs, fs->ibitmap_start, ino, &used) < 0) {
            problem(c, SFS_CHK_IO, ino, fs->ibitmap_start, 0);
            return c->problems;
        }
        if (!used)
            continue;
        iused[ino / 8] |= (uint8_t)(1u << (ino % 8));
        struct sfs_inode ip;
        int r = sfs_inode_read(fs, ino, &ip);
        if (r == SFS_ECORRUPT) {
            problem(c, SFS_CHK_BAD_INODE, ino, ip.mode, 0);
            continue;
        }
        if (r < 0) { /* ip is not filled in: report the block that failed */
            uint32_t ipb = fs->block_size / SFS_INODE_SIZE;
            problem(c, SFS_CHK_IO, ino, fs->itable_start + ino / ipb, (uint64_t)(int64_t)r);
            continue;
        }
        if (ip.bad_time) /* nanoseconds out of range: read back clamped */
            problem(c, SFS_CHK_BAD_INODE, ino, ip.mode, 0);
        check_blocks(c, &ip);
        /* A directory sharing blocks with another was (or will be) walked there. */
        if (sfs_is_dir(&ip) && ip.nlink && !c->dups)
            check_dir(c, &ip);
    }
    /* Pass 3: links and reachability. */
    for (uint32_t ino = 1; ino < fs->inode_count; ino++) {
        if (!(iused[ino / 8] & (1u << (ino % 8))))
            continue;
        struct sfs_inode ip;
        if (sfs_inode_read(fs, ino, &ip) < 0)
            continue;
        check_links(c, ino, &ip);
    }
    check_bitmaps(c, iused);
    return c->problems;
}

long sfs_check_locked(struct sfs *fs, void *work, size_t work_size, sfs_check_report_fn report,
                      void *ctx)
{
    size_t need = sfs_check_work_size(fs);
    void *mem = work;
    if (!mem) {
        if (!fs->cfg.alloc || !fs->cfg.free)
            return SFS_EINVAL;
        mem = fs->cfg.alloc(fs->cfg.hook_ctx, need);
        if (!mem)
            return SFS_ENOMEM;
    } else if (work_size < need) {
        return SFS_ENOMEM;
    }
    memset(mem, 0, need);
    struct chk c = { .fs = fs, .report = report, .ctx = ctx };
    uint8_t *m = mem;
    /* Widest arrays first so every array stays aligned. */
    c.parent = (uint32_t *)m;
    c.dotdot = c.parent + fs->inode_count;
    c.refs = (uint16_t *)(c.dotdot + fs->inode_count);
    c.subdirs = c.refs + fs->inode_count;
    c.reach = (uint8_t *)(c.subdirs + fs->inode_count);
    c.iused = c.reach + fs->inode_count;
    c.claimed = c.iused + fs->inode_count / 8 + 8;
    long n = run_check(&c);
    if (!work)
        fs->cfg.free(fs->cfg.hook_ctx, mem);
    return n;
}

long sfs_check(struct sfs *fs, void *work, size_t work_size, sfs_check_report_fn report, void *ctx)
{
    SFS_CALL(fs, SFS_OP_READ, sfs_check_locked(fs, work, work_size, report, ctx));
}

const char *sfs_check_describe(int code)
{
    switch (code) {
    case SFS_CHK_FREE_BLOCKS:
        return "superblock free-block count is wrong";
    case SFS_CHK_FREE_INODES:
        return "superblock free-inode count is wrong";
    case SFS_CHK_META_FREE:
        return "metadata block is free in the data bitmap";
    case SFS_CHK_BAD_INODE:
        return "inode in use has an invalid type or fields";
    case SFS_CHK_BAD_PTR:
        return "block pointer outside the data region";
    case SFS_CHK_DUP_BLOCK:
        return "block owned twice";
    case SFS_CHK_BLOCK_FREE:
        return "block in use but free in the bitmap";
    case SFS_CHK_BLOCK_LEAK:
        return "block marked used but owned by nothing";
    case SFS_CHK_INODE_FREE:
        return "directory entry names a free or invalid inode";
    case SFS_CHK_INODE_LEAK:
        return "inode in use but not referenced by any directory";
    case SFS_CHK_NLINK:
        return "link count is wrong";
    case SFS_CHK_DOT:
        return "directory \".\" entry missing or wrong";
    case SFS_CHK_DOTDOT:
        return "directory \"..\" entry missing or not its parent";
    case SFS_CHK_DIRENT:
        return "bad directory entry or free-slot list";
    case SFS_CHK_INDEX:
        return "directory index inconsistent with entries";
    case SFS_CHK_SIZE:
        return "block mapped past the file size";
    case SFS_CHK_BLOCK_COUNT:
        return "inode block count is wrong";
    case SFS_CHK_DIR_LINKS:
        return "directory has more than one name";
    case SFS_CHK_UNREACHABLE:
        return "directory not reachable from the root";
    case SFS_CHK_DIR_COUNT:
        return "directory entry count is wrong";
    case SFS_CHK_IO:
        return "read error";
    case SFS_CHK_JOURNAL:
        return "journal holds a transaction to replay (mount read-write or fsck -y)";
    case SFS_CHK_IBITMAP:
        return "inode-bitmap bit is wrong";
    case SFS_CHK_ORPHAN:
        return "stale orphan-list link";
    case SFS_CHK_RECONNECT:
        return "unreferenced inode reconnected to /lost+found";
    case SFS_CHK_FREED:
        return "unreferenced empty inode freed";
    case SFS_CHK_DIR_REBUILT:
        return "directory rebuilt from its slot array";
    default:
        return "unknown problem";
    }
}
