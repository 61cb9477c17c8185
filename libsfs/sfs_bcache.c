/*
 * sfs_bcache.c - block layer: a write-back LRU cache of file-system blocks.
 *
 * Replacement is LRU with lazy promotion: a hit moves the buffer to the head
 * of the list unless it got there within the last nbufs/4 lookups.
 *
 * Interface: sfs_bget() returns a pinned buffer (read from the device unless
 * SFS_BGET_NOREAD), sfs_bdirty() marks it modified, sfs_bput() unpins it.
 * Dirty buffers reach the device when evicted or by sfs_bflush_all(); with
 * the device's optional write_start/write_wait, sfs_bflush_all() puts them
 * all in flight together and waits once.
 *
 * Memory: one caller-provided region holds the block data, the buffer headers
 * and the hash buckets (sfs_bcache_mem_size()). Nothing is allocated here.
 *
 * Streaming: sfs_bread_through_run()/sfs_bwrite_through_run() move runs of
 * whole blocks between the caller's memory and the device without caching
 * them, one device request per uncached stretch (a cached copy is used or
 * updated if there is one), so large sequential I/O costs one copy.
 *
 * Journal: on a journaled volume a buffer marked with sfs_bdirty() joins the
 * running transaction (SFS_BUF_TXN) and is written only to its journal slot
 * until the commit (sfs_journal.c); sfs_bdirty_data() marks file data, which
 * goes home as usual. A miss on a block of the running transaction that was
 * evicted reads it back from its slot.
 *
 * Errors: a failed device read leaves no valid buffer behind; a failed
 * write-back leaves the buffer dirty and cached, so cached state is never lost
 * or corrupted by an I/O error - the caller just sees SFS_EIO.
 */
#include "sfs_priv.h"

static uint32_t hash_size(uint32_t nbufs)
{
    uint32_t h = 1;
    while (h < nbufs)
        h <<= 1;
    return h;
}

/* Blocks in the list of blocks freed by the running transaction (and in its
 * hash): one per 32 cache buffers, as a bigger cache runs bigger transactions
 * (a tree removal frees many blocks, and a full list forces a commit), a
 * power of two from 1 to 16, and few enough for u16 "index + 1" values. */
static uint32_t freed_blocks(uint32_t block_size, uint32_t nbufs)
{
    uint32_t k = 1;
    while (k < 16 && k * 2 <= nbufs / 32 && (uint64_t)k * 2 * block_size / 4 < 65535)
        k *= 2;
    return k;
}

size_t sfs_bcache_mem_size(uint32_t block_size, uint32_t nbufs)
{
    /* + the journal's blocks: descriptor, scratch, the hash of the logged
     * blocks, and the freed-block list and its hash (K blocks each). */
    uint32_t k = freed_blocks(block_size, nbufs);
    return (size_t)(nbufs + 3 + 2 * k) * block_size + (size_t)nbufs * sizeof(struct sfs_buf) +
           (size_t)hash_size(nbufs) * sizeof(struct sfs_buf *) + 2 * sizeof(void *);
}

void sfs_bcache_init(struct sfs *fs, void *mem, uint32_t nbufs)
{
    uint8_t *data = mem;
    fs->jdesc = data + (size_t)nbufs * fs->block_size;
    fs->jscratch = fs->jdesc + fs->block_size;
    uint32_t k = freed_blocks(fs->block_size, nbufs);
    fs->jfreed = (uint32_t *)(fs->jscratch + fs->block_size);
    fs->jfreed_max = k * fs->block_size / 4;
    fs->jhash = (uint16_t *)(fs->jscratch + (1 + (size_t)k) * fs->block_size);
    memset(fs->jdesc, 0, fs->block_size);
    fs->jfhash = fs->jhash + fs->block_size / 2;
    fs->jfmask = k * fs->block_size / 2 - 1;
    memset(fs->jhash, 0, (1 + (size_t)k) * fs->block_size);
    uintptr_t p = (uintptr_t)(data + (size_t)(nbufs + 3 + 2 * k) * fs->block_size);
    p = (p + sizeof(void *) - 1) & ~(uintptr_t)(sizeof(void *) - 1);
    fs->bufs = (struct sfs_buf *)p;
    fs->hash = (struct sfs_buf **)(fs->bufs + nbufs);
    fs->nbufs = nbufs;
    fs->hash_mask = hash_size(nbufs) - 1;
    memset(fs->hash, 0, (fs->hash_mask + 1) * sizeof(*fs->hash));
    fs->lru_head = fs->lru_tail = NULL;
    for (uint32_t i = 0; i < nbufs; i++) {
        struct sfs_buf *b = &fs->bufs[i];
        memset(b, 0, sizeof(*b));
        b->data = data + (size_t)i * fs->block_size;
        /* Append at the tail: all start unused. */
        b->prev = fs->lru_tail;
        if (fs->lru_tail)
            fs->lru_tail->next = b;
        else
            fs->lru_head = b;
        fs->lru_tail = b;
    }
}

/* One device request for @count blocks from @blk. */
static int dev_read_run(struct sfs *fs, uint32_t blk, uint32_t count, void *data)
{
    fs->stat_reads += count;
    int r = fs->dev.read(fs->dev.ctx, (uint64_t)blk * fs->sec_per_block, count * fs->sec_per_block,
                         data);
    if (r < 0) {
        sfs_log(fs, "device read failed", blk, (uint64_t)(int64_t)r);
        return SFS_EIO;
    }
    return 0;
}

/* One device request writing @count blocks from @blk. */
static int dev_write_run(struct sfs *fs, uint32_t blk, uint32_t count, const void *data)
{
    fs->stat_writes += count;
    int r = fs->dev.write(fs->dev.ctx, (uint64_t)blk * fs->sec_per_block, count * fs->sec_per_block,
                          data);
    if (r < 0) {
        sfs_log(fs, "device write failed", blk, (uint64_t)(int64_t)r);
        return SFS_EIO;
    }
    return 0;
}

int sfs_dev_read(struct sfs *fs, uint32_t blk, void *buf)
{
    return dev_read_run(fs, blk, 1, buf);
}

int sfs_dev_write(struct sfs *fs, uint32_t blk, const void *buf)
{
    return dev_write_run(fs, blk, 1, buf);
}

static void lru_unlink(struct sfs *fs, struct sfs_buf *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        fs->lru_head = b->next;
    if (b->next)
        b->next->prev = b->prev;
    else
        fs->lru_tail = b->prev;
    b->prev = b->next = NULL;
}

static void lru_push_head(struct sfs *fs, struct sfs_buf *b)
{
    b->prev = NULL;
    b->next = fs->lru_head;
    if (fs->lru_head)
        fs->lru_head->prev = b;
    else
        fs->lru_tail = b;
    fs->lru_head = b;
}

static void lru_push_tail(struct sfs *fs, struct sfs_buf *b)
{
    b->next = NULL;
    b->prev = fs->lru_tail;
    if (fs->lru_tail)
        fs->lru_tail->next = b;
    else
        fs->lru_head = b;
    fs->lru_tail = b;
}

static struct sfs_buf *hash_find(struct sfs *fs, uint32_t blk)
{
    for (struct sfs_buf *b = fs->hash[blk & fs->hash_mask]; b; b = b->hnext)
        if (b->blk == blk)
            return b;
    return NULL;
}

static void hash_remove(struct sfs *fs, struct sfs_buf *b)
{
    struct sfs_buf **pp = &fs->hash[b->blk & fs->hash_mask];
    while (*pp && *pp != b)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = b->hnext;
    b->hnext = NULL;
}

/* Pick a buffer to reuse: a clean one among the few least recently used,
 * else write back the least recently used dirty one. Looking only a short way
 * up the list keeps a miss O(1) when most of the cache is dirty. */
#define VICTIM_SCAN 16

static int find_victim(struct sfs *fs, struct sfs_buf **out)
{
    struct sfs_buf *dirty = NULL;
    uint32_t seen = 0;
    for (struct sfs_buf *b = fs->lru_tail; b; b = b->prev) {
        if (b->refs)
            continue;
        if (!(b->flags & SFS_BUF_DIRTY)) {
            *out = b;
            return 0;
        }
        if (!dirty)
            dirty = b;
        if (++seen >= VICTIM_SCAN)
            break;
    }
    if (!dirty) {
        sfs_log(fs, "block cache exhausted: every buffer pinned", fs->nbufs, 0);
        return SFS_ENOMEM;
    }
    if (fs->jaborted) { /* half-done changes are never written */
        dirty->flags &= ~(SFS_BUF_DIRTY | SFS_BUF_TXN);
        *out = dirty;
        return 0;
    }
    /* A block of the running transaction goes to its journal slot only. */
    uint32_t where = (dirty->flags & SFS_BUF_TXN) ? sfs_txn_slot_blk(fs, dirty->slot) : dirty->blk;
    int r = sfs_dev_write(fs, where, dirty->data);
    if (r < 0)
        return r;
    dirty->flags &= ~SFS_BUF_DIRTY;
    *out = dirty;
    return 0;
}

struct sfs_buf *sfs_bcache_find(struct sfs *fs, uint32_t blk)
{
    return hash_find(fs, blk);
}

bool sfs_bcache_dirty(struct sfs *fs)
{
    for (uint32_t i = 0; i < fs->nbufs; i++)
        if ((fs->bufs[i].flags & (SFS_BUF_VALID | SFS_BUF_DIRTY)) ==
            (SFS_BUF_VALID | SFS_BUF_DIRTY))
            return true;
    return false;
}

int sfs_bget(struct sfs *fs, uint32_t blk, int mode, struct sfs_buf **out)
{
    if (blk >= fs->total_blocks)
        return sfs_corrupt(fs, "block number out of range", blk, fs->total_blocks);
    fs->stat_lookups++;
    uint64_t tick = ++fs->cache_tick;
    struct sfs_buf *b = hash_find(fs, blk);
    if (b) {
        /* A buffer moved to the head within the last nbufs/4 lookups is still
         * in the most recent quarter: leave it, sparing the list update (and
         * its cache misses) on the hottest blocks. */
        b->refs++;
        if (tick - b->stamp >= fs->nbufs / 4) {
            lru_unlink(fs, b);
            lru_push_head(fs, b);
            b->stamp = tick;
        }
        *out = b;
        return 0;
    }
    int r = find_victim(fs, &b);
    if (r < 0)
        return r;
    if (b->flags & SFS_BUF_VALID)
        hash_remove(fs, b);
    b->flags = 0;
    uint32_t slot, from = blk;
    bool logged = fs->jcount && sfs_txn_find(fs, blk, &slot);
    if (logged)
        from = sfs_txn_slot_blk(fs, slot); /* evicted from the running transaction */
    if (mode == SFS_BGET_READ) {
        r = sfs_dev_read(fs, from, b->data);
        if (r < 0) {
            lru_unlink(fs, b);
            lru_push_tail(fs, b);
            return r;
        }
    }
    b->blk = blk;
    b->flags = SFS_BUF_VALID | (logged ? SFS_BUF_TXN : 0);
    b->slot = logged ? slot : 0;
    b->refs = 1;
    b->stamp = tick;
    b->hnext = fs->hash[blk & fs->hash_mask];
    fs->hash[blk & fs->hash_mask] = b;
    lru_unlink(fs, b);
    lru_push_head(fs, b);
    *out = b;
    return 0;
}

int sfs_bget_zero(struct sfs *fs, uint32_t blk, struct sfs_buf **out)
{
    int r = sfs_bget(fs, blk, SFS_BGET_NOREAD, out);
    if (r < 0)
        return r;
    memset((*out)->data, 0, fs->block_size);
    sfs_bdirty(fs, *out);
    return 0;
}

void sfs_bdirty(struct sfs *fs, struct sfs_buf *b)
{
    b->flags |= SFS_BUF_DIRTY;
    fs->op_dirtied++;
    if (fs->jcap && !(b->flags & SFS_BUF_TXN))
        sfs_txn_add(fs, b);
}

void sfs_bdirty_data(struct sfs *fs, struct sfs_buf *b)
{
    b->flags |= SFS_BUF_DIRTY;
    fs->op_dirtied++;
}

void sfs_bput(struct sfs *fs, struct sfs_buf *b)
{
    (void)fs;
    if (b && b->refs)
        b->refs--;
}

void sfs_bforget(struct sfs *fs, uint32_t blk)
{
    struct sfs_buf *b = hash_find(fs, blk);
    uint32_t slot;
    if (b && (b->flags & SFS_BUF_TXN))
        sfs_txn_revoke(fs, b->slot); /* freed: its logged copy must not be replayed */
    else if (!b && fs->jcount && sfs_txn_find(fs, blk, &slot))
        sfs_txn_revoke(fs, slot);
    if (b && b->refs) {
        b->flags &= ~(SFS_BUF_TXN | SFS_BUF_DIRTY);
        return;
    }
    if (!b)
        return;
    hash_remove(fs, b);
    b->flags = 0;
    lru_unlink(fs, b);
    lru_push_tail(fs, b);
}

/* A cached block, or one of the running transaction that was evicted
 * (pinned through sfs_bget() from its journal slot; *pinned says so). */
static struct sfs_buf *run_block(struct sfs *fs, uint32_t blk, int mode, bool *pinned, int *err)
{
    struct sfs_buf *b = hash_find(fs, blk);
    uint32_t slot;
    *pinned = false;
    if (b || !fs->jcount || !sfs_txn_find(fs, blk, &slot))
        return b;
    *err = sfs_bget(fs, blk, mode, &b);
    *pinned = *err == 0;
    return *err == 0 ? b : NULL;
}

/* dev_read_run() with the lock let go around the device's work, if the port
 * allows (sfs_config::io_unlock). The volume is not touched meanwhile. */
static int dev_read_run_unlocked(struct sfs *fs, uint32_t blk, uint32_t count, void *data)
{
    if (!fs->cfg.io_unlock || !fs->cfg.io_lock || !fs->cfg.io_unlock(fs->cfg.hook_ctx))
        return dev_read_run(fs, blk, count, data);
    int r = fs->dev.read(fs->dev.ctx, (uint64_t)blk * fs->sec_per_block, count * fs->sec_per_block,
                         data);
    fs->cfg.io_lock(fs->cfg.hook_ctx);
    fs->stat_reads += count;
    fs->stat_unlocked_reads++;
    if (r < 0) {
        sfs_log(fs, "device read failed", blk, (uint64_t)(int64_t)r);
        return SFS_EIO;
    }
    return fs->mounted ? 0 : SFS_EIO;
}

int sfs_bread_through_run(struct sfs *fs, uint32_t blk, uint32_t count, void *data, bool may_unlock)
{
    uint8_t *dst = data;
    uint32_t start = 0; /* first block of the uncached stretch not yet read */
    for (uint32_t i = 0; i <= count; i++) {
        bool pinned = false;
        int err = 0;
        struct sfs_buf *b = i < count ? run_block(fs, blk + i, SFS_BGET_READ, &pinned, &err) : NULL;
        if (err < 0)
            return err;
        if (i < count && !b)
            continue;
        /* The cached copy may be newer than the disk: read around it. */
        if (i > start) {
            uint8_t *to = dst + (size_t)start * fs->block_size;
            /* Unlocked only when no buffer of ours is pinned meanwhile. */
            int r = may_unlock && !pinned ? dev_read_run_unlocked(fs, blk + start, i - start, to)
                                          : dev_read_run(fs, blk + start, i - start, to);
            if (r < 0) {
                if (pinned)
                    sfs_bput(fs, b);
                return r;
            }
            /* The lock may have gone and come back: look for the block again. */
            if (b && !pinned)
                b = i < count ? run_block(fs, blk + i, SFS_BGET_READ, &pinned, &err) : NULL;
            if (err < 0)
                return err;
            if (i < count && !b) {
                start = i; /* it left the cache meanwhile: read it with the next stretch */
                continue;
            }
        }
        if (b)
            memcpy(dst + (size_t)i * fs->block_size, b->data, fs->block_size);
        if (pinned)
            sfs_bput(fs, b);
        start = i + 1;
    }
    return 0;
}

int sfs_bwrite_through_run(struct sfs *fs, uint32_t blk, uint32_t count, const void *data)
{
    const uint8_t *src = data;
    uint32_t start = 0;
    for (uint32_t i = 0; i <= count; i++) {
        bool pinned = false;
        int err = 0;
        struct sfs_buf *b =
            i < count ? run_block(fs, blk + i, SFS_BGET_NOREAD, &pinned, &err) : NULL;
        if (err < 0)
            return err;
        if (i < count && !b)
            continue;
        if (i > start) {
            int r = dev_write_run(fs, blk + start, i - start, src + (size_t)start * fs->block_size);
            if (r < 0) {
                if (pinned)
                    sfs_bput(fs, b);
                return r;
            }
        }
        if (b) { /* keep the cached copy current: it is what later reads see */
            memcpy(b->data, src + (size_t)i * fs->block_size, fs->block_size);
            sfs_bdirty_data(fs, b);
        }
        if (pinned)
            sfs_bput(fs, b);
        start = i + 1;
    }
    return 0;
}

/* sfs_bflush_all() with the device's asynchronous writes: every dirty buffer
 * in flight at once, then one wait. Only if all of them made it are they
 * clean; otherwise all stay dirty (writing a block twice is harmless). */
static int flush_batched(struct sfs *fs)
{
    int err = 0;
    for (uint32_t i = 0; i < fs->nbufs; i++) {
        struct sfs_buf *b = &fs->bufs[i];
        if ((b->flags & (SFS_BUF_VALID | SFS_BUF_DIRTY)) != (SFS_BUF_VALID | SFS_BUF_DIRTY))
            continue;
        fs->stat_writes++;
        if (fs->dev.write_start(fs->dev.async_ctx, (uint64_t)b->blk * fs->sec_per_block,
                                fs->sec_per_block, b->data) < 0)
            err = SFS_EIO;
    }
    if (fs->dev.write_wait(fs->dev.async_ctx) < 0)
        err = SFS_EIO;
    if (err) {
        sfs_log(fs, "batched write-back failed", 0, 0);
        return err;
    }
    for (uint32_t i = 0; i < fs->nbufs; i++)
        if (fs->bufs[i].flags & SFS_BUF_VALID)
            fs->bufs[i].flags &= ~SFS_BUF_DIRTY;
    return 0;
}

int sfs_bflush_all(struct sfs *fs)
{
    if (fs->jaborted)
        return SFS_EIO;
    if (fs->dev.write_start && fs->dev.write_wait)
        return flush_batched(fs);
    int err = 0;
    for (uint32_t i = 0; i < fs->nbufs; i++) {
        struct sfs_buf *b = &fs->bufs[i];
        if ((b->flags & (SFS_BUF_VALID | SFS_BUF_DIRTY)) != (SFS_BUF_VALID | SFS_BUF_DIRTY))
            continue;
        int r = sfs_dev_write(fs, b->blk, b->data);
        if (r < 0)
            err = r;
        else
            b->flags &= ~SFS_BUF_DIRTY;
    }
    return err;
}
