/*
 * sfs_journal.c - journal layer: a write-ahead redo log of metadata blocks
 * (SFS_FEAT_INCOMPAT_JOURNAL; format in docs/sfs-format.md, "Journal").
 *
 * Transactions. Every changing public call runs inside the running
 * transaction (sfs_enter()/sfs_leave()); many calls share one (group commit).
 * A metadata block joins it the first time sfs_bdirty() marks it: it gets the
 * next slot of the in-memory descriptor block and the SFS_BUF_TXN flag, and
 * from then on it is never written to its home location before the
 * transaction commits. If the cache must evict it first, it is written to its
 * journal slot instead and read back from there (sfs_txn_find()).
 * Regular-file data is not logged (ordered mode): it is written home before
 * the commit block, so committed metadata never points at unwritten data.
 * Blocks freed in the running transaction are not reused before it commits
 * (sfs_txn_defer_free()), so an uncommitted write can never land in a block
 * the committed state still owns.
 *
 * Commit (sfs_txn_commit()): data home + logged blocks to their slots +
 * descriptor, flush; commit block, flush (the transaction is now durable);
 * every logged block home, flush; journal superblock with the next sequence
 * number, flush. Exactly one transaction is ever in the journal, so replay
 * (at mount) is: if the descriptor and commit at the journal's start carry
 * the sequence number the journal superblock expects and valid checksums,
 * copy the slots home.
 *
 * Errors. A failed commit leaves the transaction running; it is retried by
 * the next call or sync. A call that fails with SFS_EIO, SFS_ECORRUPT or
 * SFS_ENOMEM after changing blocks may have left them half done: the journal
 * is aborted (jaborted) and nothing is written again until the volume is
 * unmounted; the next mount sees the last committed state.
 *
 * Orphans. An inode with no names but still held, or one whose truncation
 * spans several transactions, sits on the orphan list (superblock head,
 * SFS_I_ORPHAN_NEXT links); a read-write mount finishes their truncation or
 * frees them.
 */
#include "sfs_priv.h"

static uint32_t slot_blk(const struct sfs *fs, uint32_t slot)
{
    return fs->journal_start + 2 + slot;
}

static uint32_t entry(const struct sfs *fs, uint32_t i)
{
    return sfs_ld32(fs->jdesc + SFS_J_ENTRIES + 4 * i);
}

/*
 * Two hashes answer "is this block in the running transaction?" without a
 * scan (every cache miss asks, and every free): jhash maps a logged block to
 * its slot, jfhash a block freed in the transaction to its jfreed index. Each
 * is u16 "index + 1" values (0: empty), linear probing, keyed by the entry the
 * index points at; twice as many buckets as entries keep them under half
 * full (jhash: one block; jfhash: as many blocks as the jfreed list). A revoked slot stays in
 * jhash (its entry matches no block any more). Commit empties both.
 */
static uint32_t jhash_mask(const struct sfs *fs)
{
    return fs->block_size / 2 - 1;
}

static uint32_t jhash_start(uint32_t blk, uint32_t mask)
{
    return (blk * 2654435761u >> 8) & mask;
}

static void jhash_put(uint16_t *table, uint32_t mask, uint32_t blk, uint32_t index)
{
    uint32_t h = jhash_start(blk, mask);
    while (table[h])
        h = (h + 1) & mask;
    table[h] = (uint16_t)(index + 1);
}

void sfs_txn_add(struct sfs *fs, struct sfs_buf *b)
{
    if (fs->jcount >= fs->jcap) {
        /* Never expected (calls reserve room first): refuse to go on. */
        sfs_log(fs, "journal transaction overflow: aborting", fs->jcount, b->blk);
        fs->jaborted = 1;
        return;
    }
    sfs_st32(fs->jdesc + SFS_J_ENTRIES + 4 * fs->jcount, b->blk);
    jhash_put(fs->jhash, jhash_mask(fs), b->blk, fs->jcount);
    b->slot = fs->jcount++;
    b->flags |= SFS_BUF_TXN;
}

bool sfs_txn_find(struct sfs *fs, uint32_t blk, uint32_t *slot)
{
    for (uint32_t h = jhash_start(blk, jhash_mask(fs)); fs->jhash[h]; h = (h + 1) & jhash_mask(fs))
        if (entry(fs, fs->jhash[h] - 1u) == blk) {
            *slot = fs->jhash[h] - 1u;
            return true;
        }
    return false;
}

uint32_t sfs_txn_slot_blk(const struct sfs *fs, uint32_t slot)
{
    return slot_blk(fs, slot);
}

void sfs_txn_revoke(struct sfs *fs, uint32_t slot)
{
    sfs_st32(fs->jdesc + SFS_J_ENTRIES + 4 * slot, SFS_J_REVOKED);
}

bool sfs_txn_freed(const struct sfs *fs, uint32_t blk)
{
    for (uint32_t h = jhash_start(blk, fs->jfmask); fs->jfhash[h]; h = (h + 1) & fs->jfmask) {
        uint32_t i = fs->jfhash[h] - 1u;
        if (i < fs->jfreed_count && fs->jfreed[i] == blk)
            return true;
    }
    return false;
}

bool sfs_txn_defer_free(struct sfs *fs, uint32_t blk)
{
    if (!fs->jcap || fs->jfreed_count >= fs->jfreed_max)
        return false;
    jhash_put(fs->jfhash, fs->jfmask, blk, fs->jfreed_count);
    fs->jfreed[fs->jfreed_count++] = blk;
    return true;
}

/* Clear the bitmap bits of the blocks freed in this transaction. */
static int apply_frees(struct sfs *fs)
{
    int r = 0;
    while (fs->jfreed_count) {
        uint32_t blk = fs->jfreed[fs->jfreed_count - 1];
        r = sfs_bitmap_set(fs, fs->dbitmap_start, blk, 0);
        if (r < 0)
            break;
        fs->jfreed_count--;
        fs->free_blocks++;
        if (blk < fs->balloc_hint)
            fs->balloc_hint = blk;
    }
    /* Rebuild jfhash from what is left (usually nothing), so entries gone
     * from the list never pile up in it. */
    memset(fs->jfhash, 0, ((size_t)fs->jfmask + 1) * sizeof(*fs->jfhash));
    for (uint32_t i = 0; i < fs->jfreed_count; i++)
        jhash_put(fs->jfhash, fs->jfmask, fs->jfreed[i], i);
    return r;
}

static int dev_flush(struct sfs *fs)
{
    if (fs->dev.flush && fs->dev.flush(fs->dev.ctx) < 0) {
        sfs_log(fs, "device flush failed", 0, 0);
        return SFS_EIO;
    }
    return 0;
}

/* A journal superblock or commit block: magic, seq, count, extra, CRC. */
static void put_header(uint8_t *p, uint32_t bs, uint32_t magic, uint32_t seq, uint32_t count,
                       uint32_t extra)
{
    memset(p, 0, bs);
    sfs_st32(p + SFS_J_MAGIC, magic);
    sfs_st32(p + SFS_J_SEQ, seq);
    sfs_st32(p + SFS_J_COUNT, count);
    sfs_st32(p + SFS_J_CRC_DESC, extra);
    sfs_st32(p + SFS_J_HDR_CRC, sfs_crc32(0, p, SFS_J_HDR_CRC));
}

static bool header_ok(const uint8_t *p, uint32_t magic)
{
    return sfs_ld32(p + SFS_J_MAGIC) == magic &&
           sfs_ld32(p + SFS_J_HDR_CRC) == sfs_crc32(0, p, SFS_J_HDR_CRC);
}

static uint32_t desc_crc(const struct sfs *fs, const uint8_t *d)
{
    return sfs_crc32(0, d, fs->block_size - 4);
}

static int write_jsb(struct sfs *fs, uint32_t seq)
{
    put_header(fs->jscratch, fs->block_size, SFS_JSB_MAGIC, seq, fs->journal_blocks, 0);
    int r = sfs_dev_write(fs, fs->journal_start, fs->jscratch);
    return r < 0 ? r : dev_flush(fs);
}

/* Write every dirty buffer: data home, logged blocks to their slots. */
static int write_out(struct sfs *fs)
{
    for (uint32_t i = 0; i < fs->nbufs; i++) {
        struct sfs_buf *b = &fs->bufs[i];
        if ((b->flags & (SFS_BUF_VALID | SFS_BUF_DIRTY)) != (SFS_BUF_VALID | SFS_BUF_DIRTY))
            continue;
        uint32_t where = (b->flags & SFS_BUF_TXN) ? slot_blk(fs, b->slot) : b->blk;
        int r = sfs_dev_write(fs, where, b->data);
        if (r < 0)
            return r;
        b->flags &= ~SFS_BUF_DIRTY;
    }
    return 0;
}

/* Copy every logged block home: from the cache, or from its slot. */
static int checkpoint(struct sfs *fs)
{
    for (uint32_t i = 0; i < fs->jcount; i++) {
        uint32_t home = entry(fs, i);
        if (home == SFS_J_REVOKED)
            continue;
        struct sfs_buf *b = sfs_bcache_find(fs, home);
        int r;
        if (b && (b->flags & SFS_BUF_TXN)) {
            r = sfs_dev_write(fs, home, b->data);
        } else {
            r = sfs_dev_read(fs, slot_blk(fs, i), fs->jscratch);
            if (r == 0)
                r = sfs_dev_write(fs, home, fs->jscratch);
        }
        if (r < 0)
            return r;
    }
    return dev_flush(fs);
}

static int commit(struct sfs *fs);

int sfs_txn_commit(struct sfs *fs)
{
    if (!fs->jcap || fs->rdonly)
        return 0;
    if (fs->jaborted)
        return SFS_EIO;
    /* The superblock and bitmap blocks a commit touches are not the call's
     * own changes: a failed commit leaves the call's state whole. */
    uint32_t dirtied = fs->op_dirtied;
    int r = commit(fs);
    fs->op_dirtied = dirtied;
    return r;
}

static int commit(struct sfs *fs)
{
    int r;
    if (!fs->jckpt) {
        if (fs->jcount == 0 && fs->jfreed_count == 0 && !sfs_bcache_dirty(fs))
            return 0;
        r = apply_frees(fs);
        if (r == 0)
            r = sfs_super_write(fs, SFS_STATE_DIRTY); /* counts and orphan head ride along */
        if (r == 0 && fs->jaborted)
            r = SFS_EIO;
        if (r == 0)
            r = write_out(fs);
        if (r < 0)
            return r;
        uint8_t *d = fs->jdesc;
        sfs_st32(d + SFS_J_MAGIC, SFS_JDESC_MAGIC);
        sfs_st32(d + SFS_J_SEQ, fs->jseq);
        sfs_st32(d + SFS_J_COUNT, fs->jcount);
        sfs_st32(d + SFS_J_CRC_DESC, 0);
        uint32_t dcrc = desc_crc(fs, d);
        sfs_st32(d + fs->block_size - 4, dcrc);
        r = sfs_dev_write(fs, fs->journal_start + 1, d);
        if (r == 0)
            r = dev_flush(fs);
        if (r < 0)
            return r;
        put_header(fs->jscratch, fs->block_size, SFS_JCOMMIT_MAGIC, fs->jseq, fs->jcount, dcrc);
        r = sfs_dev_write(fs, slot_blk(fs, fs->jcount), fs->jscratch);
        if (r == 0)
            r = dev_flush(fs);
        if (r < 0)
            return r;
        fs->jckpt = 1; /* durable: from here on only forward */
        fs->stat_commits++;
    }
    r = checkpoint(fs);
    if (r == 0)
        r = write_jsb(fs, fs->jseq + 1);
    if (r < 0)
        return r;
    for (uint32_t i = 0; i < fs->nbufs; i++)
        fs->bufs[i].flags &= ~SFS_BUF_TXN;
    memset(fs->jhash, 0, fs->block_size);
    fs->jseq++;
    fs->jcount = 0;
    fs->jckpt = 0;
    return 0;
}

/* Room a call may use before the next chance to commit. */
static uint32_t reserve(const struct sfs *fs)
{
    uint32_t r = fs->jcap / 2;
    return r > 64 ? 64 : r;
}

int sfs_txn_begin(struct sfs *fs)
{
    fs->op_dirtied = 0;
    if (!fs->jcap || fs->rdonly)
        return 0;
    if (fs->jaborted)
        return SFS_EIO;
    bool low_space = fs->jfreed_count && fs->free_blocks < 64;
    if (fs->jckpt || fs->jcount + reserve(fs) > fs->jcap ||
        fs->jfreed_count + fs->jfreed_max / 4 > fs->jfreed_max || low_space)
        return sfs_txn_commit(fs);
    return 0;
}

void sfs_txn_end(struct sfs *fs, int64_t r)
{
    if (!fs->jcap || fs->rdonly)
        return;
    if ((r == SFS_EIO || r == SFS_ECORRUPT || r == SFS_ENOMEM) && fs->op_dirtied) {
        if (!fs->jaborted)
            sfs_log(fs, "operation failed half way: journal aborted", (uint64_t)-r, 0);
        fs->jaborted = 1;
    }
    /* Commit a transaction that is filling up now, while this call's changes
     * are complete; a failure is retried by the next call. */
    if (!fs->jaborted && fs->jcount + reserve(fs) > fs->jcap)
        (void)sfs_txn_commit(fs);
}

int sfs_txn_need(struct sfs *fs, uint64_t blocks, uint64_t frees)
{
    if (!fs->jcap || fs->rdonly)
        return 0;
    if (blocks > fs->jcap)
        return SFS_ENOSPC; /* the journal is too small for this one change */
    if (fs->jcount + blocks > fs->jcap || fs->jfreed_count + frees > fs->jfreed_max)
        return sfs_txn_commit(fs);
    return 0;
}

int sfs_txn_breakpoint(struct sfs *fs, struct sfs_inode *ip)
{
    if (!fs->jcap || fs->jaborted)
        return 0;
    if (fs->jcount + reserve(fs) <= fs->jcap &&
        fs->jfreed_count + fs->jfreed_max / 4 <= fs->jfreed_max)
        return 0;
    /* Commit what is done so far; the orphan list finishes the job after a crash. */
    int r = ip->orphan_next ? 0 : sfs_orphan_add(fs, ip);
    if (r == 0)
        r = sfs_inode_write(fs, ip);
    return r < 0 ? r : sfs_txn_commit(fs);
}

/* ---- format and mount ---- */

int sfs_journal_format(struct sfs *fs)
{
    if (!fs->journal_blocks)
        return 0;
    fs->jscratch = fs->jdesc; /* no cache yet beyond the format's own */
    put_header(fs->jdesc, fs->block_size, SFS_JSB_MAGIC, 1, fs->journal_blocks, 0);
    int r = sfs_dev_write(fs, fs->journal_start, fs->jdesc);
    memset(fs->jdesc, 0, fs->block_size);
    if (r == 0)
        r = sfs_dev_write(fs, fs->journal_start + 1, fs->jdesc);
    return r;
}

/* Is the transaction at the journal's start complete, with sequence @seq? */
static int pending(struct sfs *fs, uint32_t seq, uint32_t *count)
{
    uint8_t *d = fs->jdesc;
    int r = sfs_dev_read(fs, fs->journal_start + 1, d);
    if (r < 0)
        return r;
    uint32_t n = sfs_ld32(d + SFS_J_COUNT);
    uint32_t dcrc = sfs_ld32(d + fs->block_size - 4);
    if (sfs_ld32(d + SFS_J_MAGIC) != SFS_JDESC_MAGIC || sfs_ld32(d + SFS_J_SEQ) != seq ||
        n > fs->jcap || dcrc != desc_crc(fs, d))
        return 0;
    r = sfs_dev_read(fs, slot_blk(fs, n), fs->jscratch);
    if (r < 0)
        return r;
    const uint8_t *c = fs->jscratch;
    if (!header_ok(c, SFS_JCOMMIT_MAGIC) || sfs_ld32(c + SFS_J_SEQ) != seq ||
        sfs_ld32(c + SFS_J_COUNT) != n || sfs_ld32(c + SFS_J_CRC_DESC) != dcrc)
        return 0;
    *count = n;
    return 1;
}

int sfs_journal_mount(struct sfs *fs)
{
    uint32_t cap = (fs->block_size - SFS_J_ENTRIES - 4) / 4;
    fs->jcap = fs->journal_blocks - 3 < cap ? fs->journal_blocks - 3 : cap;
    int r = sfs_dev_read(fs, fs->journal_start, fs->jscratch);
    if (r < 0)
        return r;
    if (!header_ok(fs->jscratch, SFS_JSB_MAGIC) ||
        sfs_ld32(fs->jscratch + SFS_J_COUNT) != fs->journal_blocks)
        return sfs_corrupt(fs, "journal superblock is bad", fs->journal_start, 0);
    fs->jseq = sfs_ld32(fs->jscratch + SFS_J_SEQ);
    uint32_t n = 0;
    r = fs->was_dirty ? pending(fs, fs->jseq, &n) : 0;
    if (r <= 0) {
        memset(fs->jdesc, 0, fs->block_size);
        return r;
    }
    if (fs->rdonly) {
        /* Nothing may be written: report it instead (sfs_check() does). */
        sfs_log(fs, "journal holds a transaction to replay (read-only mount)", fs->jseq, n);
        fs->needs_recovery = 1;
        memset(fs->jdesc, 0, fs->block_size);
        return 0;
    }
    for (uint32_t i = 0; i < n && r >= 0; i++) {
        uint32_t home = entry(fs, i);
        if (home == SFS_J_REVOKED)
            continue;
        if (home >= fs->total_blocks || (home >= fs->journal_start && home < fs->data_start))
            return sfs_corrupt(fs, "journal entry outside the volume", home, i);
        r = sfs_dev_read(fs, slot_blk(fs, i), fs->jscratch);
        if (r == 0)
            r = sfs_dev_write(fs, home, fs->jscratch);
    }
    if (r >= 0)
        r = dev_flush(fs);
    if (r >= 0)
        r = write_jsb(fs, ++fs->jseq);
    sfs_log(fs, "journal replayed", fs->jseq - 1, n);
    memset(fs->jdesc, 0, fs->block_size);
    return r < 0 ? r : 1;
}

/* ---- the orphan list ---- */

int sfs_orphan_add(struct sfs *fs, struct sfs_inode *ip)
{
    if (!fs->jcap || ip->orphan_next)
        return 0;
    ip->orphan_next = fs->orphan_head ? fs->orphan_head : SFS_ORPHAN_END;
    fs->orphan_head = ip->ino;
    int r = sfs_inode_write(fs, ip);
    return r < 0 ? r : sfs_super_write(fs, SFS_STATE_DIRTY);
}

int sfs_orphan_del(struct sfs *fs, struct sfs_inode *ip)
{
    if (!ip->orphan_next)
        return 0;
    uint32_t next = ip->orphan_next == SFS_ORPHAN_END ? 0 : ip->orphan_next;
    int r = 0;
    if (fs->orphan_head == ip->ino) {
        fs->orphan_head = next;
        r = sfs_super_write(fs, SFS_STATE_DIRTY);
    } else {
        uint32_t cur = fs->orphan_head;
        for (uint32_t n = 0; cur && cur != SFS_ORPHAN_END && n < fs->inode_count; n++) {
            struct sfs_inode p;
            r = sfs_inode_read_raw(fs, cur, &p);
            if (r < 0)
                return r;
            if (p.orphan_next == ip->ino) {
                p.orphan_next = next ? next : SFS_ORPHAN_END;
                r = sfs_inode_write(fs, &p);
                break;
            }
            cur = p.orphan_next;
        }
    }
    ip->orphan_next = 0;
    return r;
}

int sfs_orphan_recover(struct sfs *fs)
{
    uint32_t n = 0;
    while (fs->orphan_head && n++ < fs->inode_count) {
        struct sfs_inode ip;
        int r = sfs_inode_read(fs, fs->orphan_head, &ip);
        if (r < 0)
            return r;
        if (!ip.orphan_next) {
            fs->orphan_head = 0; /* a broken list: fsck will find the rest */
            return sfs_corrupt(fs, "orphan list names an inode not on it", ip.ino, 0);
        }
        if (ip.nlink == 0 && !sfs_inode_is_open(fs, ip.ino)) {
            r = sfs_inode_destroy(fs, &ip);
        } else {
            uint64_t bs = fs->block_size;
            r = sfs_free_range(fs, &ip, (ip.size + bs - 1) / bs, UINT64_MAX);
            if (r == 0)
                r = sfs_orphan_del(fs, &ip);
            if (r == 0)
                r = sfs_inode_write(fs, &ip);
        }
        if (r < 0)
            return r;
        sfs_log(fs, "orphan inode recovered", ip.ino, 0);
    }
    return sfs_txn_commit(fs);
}
