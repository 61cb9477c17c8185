/*
 * blockdev_ra.c - sequential read-ahead below block_read() (dev/block_ra.h).
 *
 * Layer: the block interface, between its synchronous read wrapper and the
 * driver. Interface: block_ra_attach/detach; blockdev.c calls block_ra_read()
 * for every checked read and block_ra_invalidate() for every write.
 *
 * A read of a slot's size or more goes straight to the device (it is a
 * large request already, moved in place), unless it continues the stream
 * and is at most a quarter of the largest window; only the blocks that
 * slots already hold (a stream whose reads grew) come from those slots. Any other first updates
 * the stream: one that starts where the last one ended
 * grows the window (4x the read, then doubling, up to all the slots), any
 * other read closes it. With a window open, the blocks right after the read
 * that no slot covers yet, up to a window's worth, get read-ahead requests
 * into free slots: empty ones, or finished ones that lie behind the reader or
 * went stale. They are submitted before the read itself is served, so the
 * device works on them while this read waits or copies. The read is then
 * served piece by piece: from a slot that holds the block (waiting for it if
 * still in flight, copying out), otherwise straight from the device, up to
 * the next slot that does.
 *
 * A slot's request that failed, or that a write overlapped, makes it stale:
 * its blocks are read from the device instead. Bounds: every loop runs over
 * the BLOCK_RA_SLOTS slots or the blocks of one read.
 */
#include <k/errno.h>
#include <dev/block_ra.h>
#include <string.h>

int block_ra_attach(struct block_device *dev, struct block_ra *ra, void *mem, size_t bytes)
{
    if (!dev || !dev->ops || !ra || !mem || dev->ra || !dev->block_size)
        return -EINVAL;
    size_t per = bytes / BLOCK_RA_SLOTS / dev->block_size;
    if (dev->max_request && per > dev->max_request)
        per = dev->max_request;
    if (per == 0 || per > 0xffffu)
        return -EINVAL;
    memset(ra, 0, sizeof(*ra));
    spin_init(&ra->lock, "block-ra");
    for (int i = 0; i < BLOCK_RA_SLOTS; i++)
        ra->slot[i].data = (uint8_t *)mem + (size_t)i * per * dev->block_size;
    ra->slot_blocks = (uint32_t)per;
    ra->max_window = (uint32_t)per * BLOCK_RA_SLOTS;
    dev->ra = ra;
    return 0;
}

void block_ra_detach(struct block_device *dev)
{
    struct block_ra *ra = dev ? dev->ra : NULL;
    if (!ra)
        return;
    for (int i = 0; i < BLOCK_RA_SLOTS; i++)
        if (ra->slot[i].used)
            block_wait(dev, &ra->slot[i].rq);
    dev->ra = NULL;
}

static uint64_t slot_end(const struct block_ra_slot *s)
{
    return s->rq.lba + s->rq.count;
}

/* The live slot holding block @lba, or NULL. Caller holds the lock. */
static struct block_ra_slot *holding(struct block_ra *ra, uint64_t lba)
{
    for (int i = 0; i < BLOCK_RA_SLOTS; i++) {
        struct block_ra_slot *s = &ra->slot[i];
        if (s->used && !s->stale && lba >= s->rq.lba && lba < slot_end(s))
            return s;
    }
    return NULL;
}

/* Does a live slot hold any block of [lba, end)? Caller holds the lock. */
static bool overlapping(struct block_ra *ra, uint64_t lba, uint64_t end)
{
    for (int i = 0; i < BLOCK_RA_SLOTS; i++) {
        struct block_ra_slot *s = &ra->slot[i];
        if (s->used && !s->stale && s->rq.lba < end && slot_end(s) > lba)
            return true;
    }
    return false;
}

/* A slot that may take a new request: empty, or finished, unused, and either
 * stale or wholly behind block @keep. Caller holds the lock. */
static struct block_ra_slot *free_slot(struct block_ra *ra, uint64_t keep)
{
    for (int i = 0; i < BLOCK_RA_SLOTS; i++)
        if (!ra->slot[i].used)
            return &ra->slot[i];
    for (int i = 0; i < BLOCK_RA_SLOTS; i++) {
        struct block_ra_slot *s = &ra->slot[i];
        if (!s->users && block_request_done(&s->rq) && (s->stale || slot_end(s) <= keep))
            return s;
    }
    return NULL;
}

/* Follow the stream and keep a window's worth of requests ahead of the read
 * [lba, end). Caller holds the lock (submission does not wait). */
static void read_ahead(struct block_device *dev, struct block_ra *ra, uint64_t lba, uint64_t end)
{
    uint32_t count = (uint32_t)(end - lba);
    if (lba != ra->next) {
        ra->window = 0;
    } else if (ra->window) {
        ra->window = ra->window > ra->max_window / 2 ? ra->max_window : ra->window * 2;
    } else {
        ra->window = count > ra->max_window / 4 ? ra->max_window : count * 4;
    }
    ra->next = end;
    if (!ra->window || !dev->ops->submit)
        return;
    if (ra->window > ra->peak_window)
        ra->peak_window = ra->window;
    uint64_t at = end; /* the first block no slot covers */
    for (int i = 0; i < BLOCK_RA_SLOTS; i++) {
        struct block_ra_slot *s = holding(ra, at);
        if (!s)
            break;
        at = slot_end(s);
    }
    while (at < end + ra->window && at < dev->block_count) {
        struct block_ra_slot *s = free_slot(ra, lba);
        if (!s)
            return;
        uint64_t left = dev->block_count - at;
        uint32_t n = left < ra->slot_blocks ? (uint32_t)left : ra->slot_blocks;
        s->rq =
            (struct block_request){ .op = BLOCK_OP_READ, .lba = at, .count = n, .buf = s->data };
        if (block_submit(dev, &s->rq) != 0) {
            s->used = false; /* the device is full (or failing): read on demand */
            return;
        }
        s->used = true;
        s->stale = false;
        ra->prefetches++;
        block_note_readahead(dev, n);
        at += n;
    }
}

int block_ra_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
    struct block_ra *ra = dev->ra;
    uint32_t bs = dev->block_size;
    uint64_t end = lba + count, pos = lba;
    uint8_t *out = buf;
    uint64_t fl = spin_lock_irqsave(&ra->lock);
    if (count >= ra->slot_blocks && (lba != ra->next || count > ra->max_window / 4)) {
        /* A read as large as a slot is one device request already, in place
         * and in flight with its neighbours: reading ahead would only add a
         * copy. It ends the stream. One that continues the stream and fits
         * the window four times over is read ahead all the same (a file
         * system's 64 KiB reads, one after the other): the copy out of a slot
         * costs less than a device round trip the reader waits for. */
        ra->window = 0;
        ra->next = end;
        if (!overlapping(ra, lba, end)) {
            ra->misses += count;
            spin_unlock_irqrestore(&ra->lock, fl);
            block_note_read(dev, count);
            return dev->ops->read(dev, lba, count, buf);
        }
        /* Blocks already read ahead (the stream grew its reads): take them
         * from their slots below rather than read them twice. */
    } else {
        read_ahead(dev, ra, lba, end);
    }
    spin_unlock_irqrestore(&ra->lock, fl);
    while (pos < end) {
        fl = spin_lock_irqsave(&ra->lock);
        struct block_ra_slot *s = holding(ra, pos);
        uint64_t upto = end; /* without a slot: read up to the next one that starts */
        if (s) {
            s->users++;
        } else {
            for (int i = 0; i < BLOCK_RA_SLOTS; i++) {
                struct block_ra_slot *t = &ra->slot[i];
                if (t->used && !t->stale && t->rq.lba > pos && t->rq.lba < upto)
                    upto = t->rq.lba;
            }
        }
        spin_unlock_irqrestore(&ra->lock, fl);
        if (!s) {
            block_note_read(dev, (uint32_t)(upto - pos));
            int r = dev->ops->read(dev, pos, (uint32_t)(upto - pos), out);
            if (r < 0)
                return r;
            fl = spin_lock_irqsave(&ra->lock);
            ra->misses += upto - pos;
            spin_unlock_irqrestore(&ra->lock, fl);
            out += (size_t)(upto - pos) * bs;
            pos = upto;
            continue;
        }
        int r = block_wait(dev, &s->rq);
        uint64_t n = (slot_end(s) < end ? slot_end(s) : end) - pos;
        fl = spin_lock_irqsave(&ra->lock);
        bool ok = r >= 0 && !s->stale;
        if (!ok)
            s->stale = true; /* read these blocks from the device instead */
        spin_unlock_irqrestore(&ra->lock, fl);
        if (ok)
            memcpy(out, s->data + (size_t)(pos - s->rq.lba) * bs, (size_t)n * bs);
        fl = spin_lock_irqsave(&ra->lock);
        s->users--;
        if (ok)
            ra->hits += n;
        spin_unlock_irqrestore(&ra->lock, fl);
        if (ok) {
            out += (size_t)n * bs;
            pos += n;
        }
    }
    return (int)count;
}

void block_ra_invalidate(struct block_device *dev, uint64_t lba, uint32_t count)
{
    struct block_ra *ra = dev->ra;
    uint64_t fl = spin_lock_irqsave(&ra->lock);
    for (int i = 0; i < BLOCK_RA_SLOTS; i++) {
        struct block_ra_slot *s = &ra->slot[i];
        if (s->used && lba < slot_end(s) && s->rq.lba < lba + count)
            s->stale = true;
    }
    spin_unlock_irqrestore(&ra->lock, fl);
}
