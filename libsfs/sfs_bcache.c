/*
 * sfs_bcache.c - block layer: a write-back LRU cache of file-system blocks.
 *
 * Replacement is LRU with lazy promotion: a hit moves the buffer to the head
 * of the list unless it got there within the last nbufs/4 lookups.
 *
 * Interface: sfs_bget() returns a pinned buffer (read from the device unless
 * SFS_BGET_NOREAD), sfs_bdirty() marks it modified, sfs_bput() unpins it.
 * Dirty buffers reach the device when evicted or by sfs_bflush_all().
 *
 * Memory: one caller-provided region holds the block data, the buffer headers
 * and the hash buckets (sfs_bcache_mem_size()). Nothing is allocated here.
 *
 * Streaming: sfs_bread_through_run()/sfs_bwrite_through_run() move runs of
 * whole blocks between the caller's memory and the device without caching
 * them, one device request per uncached stretch (a cached copy is used or
 * updated if there is one), so large sequential I/O costs one copy.
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

size_t sfs_bcache_mem_size(uint32_t block_size, uint32_t nbufs)
{
    return (size_t)nbufs * block_size + (size_t)nbufs * sizeof(struct sfs_buf) +
           (size_t)hash_size(nbufs) * sizeof(struct sfs_buf *) + 2 * sizeof(void *);
}

void sfs_bcache_init(struct sfs *fs, void *mem, uint32_t nbufs)
{
    uint8_t *data = mem;
    uintptr_t p = (uintptr_t)(data + (size_t)nbufs * fs->block_size);
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
    int r = sfs_dev_write(fs, dirty->blk, dirty->data);
    if (r < 0)
        return r;
    dirty->flags &= ~SFS_BUF_DIRTY;
    *out = dirty;
    return 0;
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
    if (mode == SFS_BGET_READ) {
        r = sfs_dev_read(fs, blk, b->data);
        if (r < 0) {
            lru_unlink(fs, b);
            lru_push_tail(fs, b);
            return r;
        }
    }
    b->blk = blk;
    b->flags = SFS_BUF_VALID;
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
    (void)fs;
    b->flags |= SFS_BUF_DIRTY;
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
    if (!b || b->refs)
        return;
    hash_remove(fs, b);
    b->flags = 0;
    lru_unlink(fs, b);
    lru_push_tail(fs, b);
}

int sfs_bread_through_run(struct sfs *fs, uint32_t blk, uint32_t count, void *data)
{
    uint8_t *dst = data;
    uint32_t start = 0; /* first block of the uncached stretch not yet read */
    for (uint32_t i = 0; i <= count; i++) {
        struct sfs_buf *b = i < count ? hash_find(fs, blk + i) : NULL;
        if (i < count && !b)
            continue;
        /* The cached copy may be newer than the disk: read around it. */
        if (i > start) {
            int r = dev_read_run(fs, blk + start, i - start, dst + (size_t)start * fs->block_size);
            if (r < 0)
                return r;
        }
        if (b)
            memcpy(dst + (size_t)i * fs->block_size, b->data, fs->block_size);
        start = i + 1;
    }
    return 0;
}

int sfs_bwrite_through_run(struct sfs *fs, uint32_t blk, uint32_t count, const void *data)
{
    const uint8_t *src = data;
    uint32_t start = 0;
    for (uint32_t i = 0; i <= count; i++) {
        struct sfs_buf *b = i < count ? hash_find(fs, blk + i) : NULL;
        if (i < count && !b)
            continue;
        if (i > start) {
            int r = dev_write_run(fs, blk + start, i - start, src + (size_t)start * fs->block_size);
            if (r < 0)
                return r;
        }
        if (b) { /* keep the cached copy current: it is what later reads see */
            memcpy(b->data, src + (size_t)i * fs->block_size, fs->block_size);
            sfs_bdirty(fs, b);
        }
        start = i + 1;
    }
    return 0;
}

int sfs_bflush_all(struct sfs *fs)
{
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
