/*
 * sfs_dir.c - directory layer.
 *
 * A directory inode holds two things in one sparse block map:
 *   - a slot array from logical block 0: fixed 264-byte entries (inode,
 *     name length, type, name), block_size / 264 per block, never straddling
 *     a block. Slots never move, so readdir walks them by index and an entry
 *     present for the whole walk is returned exactly once. Freed slots form a
 *     linked free list (head in the inode) and are reused first.
 *   - a hash index from logical block SFS_DIDX_BASE: an open-addressing table
 *     (linear probing) of dir_icap 8-byte entries {FNV-1a hash, slot + 1}.
 *     It is kept at most half full and rebuilt at twice the size when it
 *     would pass that, so lookup, insert and remove cost O(1) block reads
 *     whatever the directory size. Removal uses backward-shift deletion, so
 *     there are no tombstones.
 *
 * Interface: sfs_dir_init/lookup/add/remove/set_ino/read_slot. Each function
 * that changes the directory also writes its inode.
 */
#include "sfs_priv.h"

uint32_t sfs_dir_slots_per_block(const struct sfs *fs)
{
    return fs->block_size / SFS_DIRENT_SIZE;
}

uint32_t sfs_mode_to_dt(uint32_t mode)
{
    switch (mode & SFS_S_IFMT) {
    case SFS_S_IFDIR:
        return SFS_DT_DIR;
    case SFS_S_IFLNK:
        return SFS_DT_LNK;
    case SFS_S_IFIFO:
        return SFS_DT_FIFO;
    case SFS_S_IFCHR:
        return SFS_DT_CHR;
    case SFS_S_IFBLK:
        return SFS_DT_BLK;
    case SFS_S_IFSOCK:
        return SFS_DT_SOCK;
    default:
        return SFS_DT_REG;
    }
}

static int slot_get(struct sfs *fs, struct sfs_inode *dp, uint32_t slot, struct sfs_buf **b,
                    uint32_t *off)
{
    uint32_t spb = sfs_dir_slots_per_block(fs);
    uint32_t pblk;
    int r = sfs_bmap(fs, dp, slot / spb, SFS_MAP_LOOKUP, &pblk);
    if (r < 0)
        return r;
    if (!pblk)
        return sfs_corrupt(fs, "directory slot block is a hole", dp->ino, slot);
    *off = (slot % spb) * SFS_DIRENT_SIZE;
    return sfs_bget(fs, pblk, SFS_BGET_READ, b);
}

int sfs_dir_read_slot(struct sfs *fs, struct sfs_inode *dp, uint32_t slot, struct sfs_dslot *ent)
{
    if (slot >= dp->dir_slots)
        return SFS_EINVAL;
    struct sfs_buf *b;
    uint32_t off;
    int r = slot_get(fs, dp, slot, &b, &off);
    if (r < 0)
        return r;
    const uint8_t *p = b->data + off;
    ent->ino = sfs_ld32(p + SFS_DE_INO);
    ent->name_len = ent->type = 0;
    ent->name[0] = 0;
    if (ent->ino) {
        ent->name_len = p[SFS_DE_NAME_LEN];
        ent->type = p[SFS_DE_TYPE];
        memcpy(ent->name, p + SFS_DE_NAME, ent->name_len);
        ent->name[ent->name_len] = 0;
    } else {
        ent->type = sfs_ld32(p + SFS_DE_NEXTFREE); /* free-list link, for the caller */
    }
    sfs_bput(fs, b);
    if (!ent->ino)
        return 0;
    bool special = ent->type >= SFS_DT_CHR && ent->type <= SFS_DT_SOCK && sfs_has_posix(fs);
    bool bad =
        ent->ino >= fs->inode_count || ent->name_len == 0 ||
        (ent->type != SFS_DT_REG && ent->type != SFS_DT_DIR && ent->type != SFS_DT_LNK && !special);
    for (uint32_t i = 0; i < ent->name_len && !bad; i++)
        bad = ent->name[i] == '/' || ent->name[i] == 0;
    if (bad)
        return sfs_corrupt(fs, "bad directory entry", dp->ino, slot);
    return 0;
}

static int slot_write(struct sfs *fs, struct sfs_inode *dp, uint32_t slot, uint32_t ino,
                      uint32_t type, const char *name, size_t len, uint32_t next_free)
{
    struct sfs_buf *b;
    uint32_t off;
    int r = slot_get(fs, dp, slot, &b, &off);
    if (r < 0)
        return r;
    uint8_t *p = b->data + off;
    memset(p, 0, SFS_DIRENT_SIZE);
    sfs_st32(p + SFS_DE_INO, ino);
    if (ino) {
        p[SFS_DE_NAME_LEN] = (uint8_t)len;
        p[SFS_DE_TYPE] = (uint8_t)type;
        memcpy(p + SFS_DE_NAME, name, len);
    } else {
        sfs_st32(p + SFS_DE_NEXTFREE, next_free);
    }
    sfs_bdirty(fs, b);
    sfs_bput(fs, b);
    return 0;
}

int sfs_dir_slot_write(struct sfs *fs, struct sfs_inode *dp, uint32_t slot, uint32_t ino,
                       uint32_t type, const char *name, size_t len, uint32_t next_free)
{
    return slot_write(fs, dp, slot, ino, type, name, len, next_free);
}

/* The last index block mapped by a probe loop: consecutive probes nearly
 * always stay in one block, so the block map is walked once per loop. */
struct idx_memo {
    uint64_t lblk;
    uint32_t pblk;
    bool valid;
};

static int index_get(struct sfs *fs, struct sfs_inode *dp, uint32_t i, uint32_t *hash,
                     uint32_t *slot1, struct idx_memo *m)
{
    uint32_t epb = fs->block_size / SFS_DIDX_SIZE;
    uint64_t lblk = SFS_DIDX_BASE + i / epb;
    uint32_t pblk;
    if (m && m->valid && m->lblk == lblk) {
        pblk = m->pblk;
    } else {
        int r = sfs_bmap(fs, dp, lblk, SFS_MAP_LOOKUP, &pblk);
        if (r < 0)
            return r;
        if (m)
            *m = (struct idx_memo){ lblk, pblk, true };
    }
    if (!pblk) {
        *hash = *slot1 = 0;
        return 0;
    }
    struct sfs_buf *b;
    int r = sfs_bget(fs, pblk, SFS_BGET_READ, &b);
    if (r < 0)
        return r;
    *hash = sfs_ld32(b->data + (i % epb) * SFS_DIDX_SIZE);
    *slot1 = sfs_ld32(b->data + (i % epb) * SFS_DIDX_SIZE + 4);
    sfs_bput(fs, b);
    if (*slot1 > dp->dir_slots)
        return sfs_corrupt(fs, "directory index points past the slots", dp->ino, *slot1);
    return 0;
}

int sfs_dir_index_get(struct sfs *fs, struct sfs_inode *dp, uint32_t i, uint32_t *hash,
                      uint32_t *slot1)
{
    return index_get(fs, dp, i, hash, slot1, NULL);
}

static int index_put(struct sfs *fs, struct sfs_inode *dp, uint32_t i, uint32_t hash,
                     uint32_t slot1)
{
    uint32_t epb = fs->block_size / SFS_DIDX_SIZE;
    uint32_t pblk;
    int r =
        sfs_bmap(fs, dp, SFS_DIDX_BASE + i / epb, slot1 ? SFS_MAP_ALLOC : SFS_MAP_LOOKUP, &pblk);
    if (r < 0 || !pblk)
        return r; /* clearing an entry in a hole: nothing to do */
    struct sfs_buf *b;
    r = sfs_bget(fs, pblk, SFS_BGET_READ, &b);
    if (r < 0)
        return r;
    sfs_st32(b->data + (i % epb) * SFS_DIDX_SIZE, hash);
    sfs_st32(b->data + (i % epb) * SFS_DIDX_SIZE + 4, slot1);
    sfs_bdirty(fs, b);
    sfs_bput(fs, b);
    return 0;
}

static int index_insert(struct sfs *fs, struct sfs_inode *dp, uint32_t hash, uint32_t slot1)
{
    uint32_t mask = dp->dir_icap - 1;
    uint32_t i = hash & mask;
    struct idx_memo m = { 0, 0, false };
    for (uint32_t n = 0; n < dp->dir_icap; n++, i = (i + 1) & mask) {
        uint32_t h, s;
        int r = index_get(fs, dp, i, &h, &s, &m);
        if (r < 0)
            return r;
        if (!s)
            return index_put(fs, dp, i, hash, slot1);
    }
    return sfs_corrupt(fs, "directory index is full", dp->ino, dp->dir_icap);
}

int sfs_dir_index_insert(struct sfs *fs, struct sfs_inode *dp, const char *name, size_t len,
                         uint32_t slot)
{
    return index_insert(fs, dp, sfs_name_hash(name, len), slot + 1);
}

/* Find @name: its inode, slot and index position. */
static int dir_find(struct sfs *fs, struct sfs_inode *dp, const char *name, size_t len,
                    uint32_t *ino, uint32_t *slot, uint32_t *pos)
{
    uint32_t hash = sfs_name_hash(name, len);
    uint32_t mask = dp->dir_icap - 1;
    uint32_t i = hash & mask;
    struct idx_memo m = { 0, 0, false };
    for (uint32_t n = 0; n < dp->dir_icap; n++, i = (i + 1) & mask) {
        uint32_t h, s;
        int r = index_get(fs, dp, i, &h, &s, &m);
        if (r < 0)
            return r;
        if (!s)
            return SFS_ENOENT;
        if (h != hash)
            continue;
        struct sfs_dslot ent;
        r = sfs_dir_read_slot(fs, dp, s - 1, &ent);
        if (r < 0)
            return r;
        if (!ent.ino)
            return sfs_corrupt(fs, "directory index points at a free slot", dp->ino, s - 1);
        if (ent.name_len == len && memcmp(ent.name, name, len) == 0) {
            *ino = ent.ino;
            *slot = s - 1;
            *pos = i;
            return 0;
        }
    }
    return SFS_ENOENT;
}

int sfs_dir_lookup(struct sfs *fs, struct sfs_inode *dp, const char *name, size_t len,
                   uint32_t *ino, uint32_t *slot)
{
    uint32_t s, pos;
    if (!slot)
        slot = &s;
    return dir_find(fs, dp, name, len, ino, slot, &pos);
}

/* Rebuild the index with @cap entries from the slot array. */
static int index_rebuild(struct sfs *fs, struct sfs_inode *dp, uint32_t cap)
{
    uint32_t epb = fs->block_size / SFS_DIDX_SIZE;
    uint64_t nblocks = cap / epb;
    if (SFS_DIDX_BASE + nblocks > sfs_max_lblocks(fs))
        return SFS_ENOSPC;
    /* Refuse up front rather than fail half way with a broken index. */
    uint64_t need = nblocks + nblocks / (fs->block_size / 4) + 3;
    if (need > fs->free_blocks + (uint64_t)dp->dir_icap / epb)
        return SFS_ENOSPC;
    int r = sfs_free_range(fs, dp, SFS_DIDX_BASE, UINT64_MAX);
    if (r < 0)
        return r;
    dp->dir_icap = cap;
    for (uint32_t s = 0; s < dp->dir_slots; s++) {
        struct sfs_dslot ent;
        r = sfs_dir_read_slot(fs, dp, s, &ent);
        if (r < 0)
            return r;
        if (ent.ino) {
            r = index_insert(fs, dp, sfs_name_hash(ent.name, ent.name_len), s + 1);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

/* Store @dp into its pinned inode-table block and release it. */
static void store_inode(struct sfs *fs, struct sfs_inode *dp, struct sfs_buf *ib, uint32_t ioff)
{
    sfs_inode_encode(fs, dp, ib->data + ioff);
    sfs_bdirty(fs, ib);
    sfs_bput(fs, ib);
}

int sfs_dir_reserve(struct sfs *fs, const struct sfs_inode *dp)
{
    if (!fs->jcap || (uint64_t)(dp->dir_count + 1) * 2 <= dp->dir_icap)
        return 0;
    /* The next add rebuilds the index at twice the size, in one transaction. */
    uint32_t epb = fs->block_size / SFS_DIDX_SIZE;
    uint64_t blocks = (uint64_t)dp->dir_icap * 2 / epb;
    uint64_t need = blocks + blocks / (fs->block_size / 4) + blocks / (8ull * fs->block_size) + 16;
    return sfs_txn_need(fs, need, dp->dir_icap / epb + 4);
}

int sfs_dir_add(struct sfs *fs, struct sfs_inode *dp, const char *name, size_t len, uint32_t ino,
                uint32_t type)
{
    int r;
    if (len == 0 || len > SFS_NAME_MAX)
        return len ? SFS_ENAMETOOLONG : SFS_EINVAL;
    if ((uint64_t)(dp->dir_count + 1) * 2 > dp->dir_icap) {
        if (dp->dir_icap >= 0x80000000u)
            return SFS_ENOSPC;
        r = index_rebuild(fs, dp, dp->dir_icap * 2);
        if (r < 0) {
            sfs_inode_write(fs, dp);
            return r;
        }
    }
    /* Pin the inode and the slot's block before changing anything, so an I/O
     * error cannot leave the index, the slot and the inode disagreeing. */
    struct sfs_buf *ib, *sb = NULL;
    uint32_t ioff, soff = 0;
    r = sfs_inode_pin(fs, dp->ino, &ib, &ioff);
    if (r < 0)
        return r;
    uint32_t spb = sfs_dir_slots_per_block(fs);
    uint32_t slot, next_free = 0;
    bool fresh_block = false;
    if (dp->dir_free) {
        struct sfs_dslot ent;
        slot = dp->dir_free - 1;
        r = sfs_dir_read_slot(fs, dp, slot, &ent);
        next_free = ent.type;
        if (r == 0 && (ent.ino || next_free > dp->dir_slots))
            r = sfs_corrupt(fs, "directory free list is broken", dp->ino, slot);
    } else {
        slot = dp->dir_slots;
        r = (uint64_t)slot + 1 > (uint64_t)SFS_DIDX_BASE * spb ? SFS_ENOSPC : 0;
        if (r == 0 && slot % spb == 0) {
            uint32_t pblk;
            r = sfs_bmap(fs, dp, slot / spb, SFS_MAP_ALLOC, &pblk);
            fresh_block = r == 0;
        }
    }
    if (r == 0) {
        uint32_t pblk;
        r = sfs_bmap(fs, dp, slot / spb, SFS_MAP_LOOKUP, &pblk);
        if (r == 0)
            r = pblk ? sfs_bget(fs, pblk, SFS_BGET_READ, &sb) : SFS_ECORRUPT;
        soff = (slot % spb) * SFS_DIRENT_SIZE;
    }
    if (r == 0) {
        r = index_insert(fs, dp, sfs_name_hash(name, len), slot + 1);
        if (r < 0)
            sfs_bput(fs, sb);
    }
    if (r < 0) {
        if (fresh_block)
            sfs_free_range(fs, dp, slot / spb, slot / spb + 1);
        store_inode(fs, dp, ib, ioff); /* block counts may have changed */
        return r;
    }
    uint8_t *p = sb->data + soff;
    memset(p, 0, SFS_DIRENT_SIZE);
    sfs_st32(p + SFS_DE_INO, ino);
    p[SFS_DE_NAME_LEN] = (uint8_t)len;
    p[SFS_DE_TYPE] = (uint8_t)type;
    memcpy(p + SFS_DE_NAME, name, len);
    sfs_bdirty(fs, sb);
    sfs_bput(fs, sb);
    if (dp->dir_free)
        dp->dir_free = next_free;
    else
        dp->dir_slots++;
    dp->dir_count++;
    dp->size = (uint64_t)((dp->dir_slots + spb - 1) / spb) * fs->block_size;
    sfs_inode_touch(fs, dp, SFS_TOUCH_M | SFS_TOUCH_C);
    store_inode(fs, dp, ib, ioff);
    return 0;
}

int sfs_dir_remove(struct sfs *fs, struct sfs_inode *dp, const char *name, size_t len)
{
    uint32_t ino, slot, i;
    int r = dir_find(fs, dp, name, len, &ino, &slot, &i);
    if (r < 0)
        return r;
    struct sfs_buf *ib, *sb;
    uint32_t ioff, soff;
    r = sfs_inode_pin(fs, dp->ino, &ib, &ioff);
    if (r < 0)
        return r;
    r = slot_get(fs, dp, slot, &sb, &soff);
    if (r < 0) {
        sfs_bput(fs, ib);
        return r;
    }
    /* Backward-shift deletion: pull later entries of the probe run into the hole. */
    uint32_t mask = dp->dir_icap - 1, j = i;
    struct idx_memo m = { 0, 0, false };
    for (uint32_t n = 0; n < dp->dir_icap && r == 0; n++) {
        uint32_t hj, sj;
        j = (j + 1) & mask;
        r = index_get(fs, dp, j, &hj, &sj, &m);
        if (r < 0 || !sj)
            break;
        uint32_t k = hj & mask;
        bool movable = (j > i) ? (k <= i || k > j) : (k <= i && k > j);
        if (movable) {
            r = index_put(fs, dp, i, hj, sj);
            i = j;
        }
    }
    if (r == 0)
        r = index_put(fs, dp, i, 0, 0);
    if (r < 0) {
        sfs_bput(fs, sb);
        sfs_bput(fs, ib);
        return r;
    }
    uint8_t *p = sb->data + soff;
    memset(p, 0, SFS_DIRENT_SIZE);
    sfs_st32(p + SFS_DE_NEXTFREE, dp->dir_free);
    sfs_bdirty(fs, sb);
    sfs_bput(fs, sb);
    dp->dir_free = slot + 1;
    dp->dir_count--;
    sfs_inode_touch(fs, dp, SFS_TOUCH_M | SFS_TOUCH_C);
    store_inode(fs, dp, ib, ioff);
    return 0;
}

int sfs_dir_set_ino(struct sfs *fs, struct sfs_inode *dp, uint32_t slot, uint32_t ino,
                    uint32_t type)
{
    struct sfs_dslot ent;
    int r = sfs_dir_read_slot(fs, dp, slot, &ent);
    if (r < 0)
        return r;
    if (!ent.ino)
        return SFS_EINVAL;
    r = slot_write(fs, dp, slot, ino, type, ent.name, ent.name_len, 0);
    if (r < 0)
        return r;
    sfs_inode_touch(fs, dp, SFS_TOUCH_M | SFS_TOUCH_C);
    return sfs_inode_write(fs, dp);
}

int sfs_dir_init(struct sfs *fs, struct sfs_inode *dp, uint32_t parent)
{
    dp->dir_icap = fs->block_size / SFS_DIDX_SIZE;
    dp->dir_slots = dp->dir_free = dp->dir_count = 0;
    int r = sfs_dir_add(fs, dp, ".", 1, dp->ino, SFS_DT_DIR);
    if (r < 0)
        return r;
    return sfs_dir_add(fs, dp, "..", 2, parent, SFS_DT_DIR);
}
