/*
 * blockdev_sg.c - transfers whose memory is a list of physical segments
 * (dev/block.h: block_sg_pieces, block_rw_sg).
 *
 * Layer: the block interface, above drivers that read and write memory in
 * place (max_segs > 0). A caller that has pinned someone's pages (a user
 * buffer for O_DIRECT, say) describes them as segments; block_rw_sg() cuts the
 * list into requests the device takes and keeps up to BLOCK_SG_INFLIGHT of
 * them in flight, refilling as the oldest completes. No byte is copied.
 *
 * A request is a window of the caller's list: (first entry, bytes to skip in
 * it, length). Its pieces are the list's entries cut to max_seg_bytes, the
 * same way block_sg_pieces() lays them out for the driver, so the count
 * checked here is the count the driver builds. Each request holds whole
 * blocks; a list whose pieces cut a block too finely for one request fails
 * with -EINVAL rather than being bounced.
 *
 * Memory: none allocated; the requests live on the caller's stack. Bounds:
 * every loop is bounded by the list's length and the transfer's size.
 * Locking: none; every state is the call's own, and the driver locks its queue.
 */
#include <k/errno.h>
#include <dev/block.h>
#include <dev/block_ra.h>

int block_sg_pieces(const struct block_request *rq, uint32_t bytes, uint32_t max_piece,
                    struct dma_seg *out, unsigned max_out)
{
    unsigned n = 0;
    uint32_t skip = rq->sg_skip;
    for (unsigned i = 0; bytes > 0; i++) {
        if (i >= rq->nsg || rq->sg[i].len == 0)
            return -EINVAL;
        if (skip >= rq->sg[i].len) {
            skip -= rq->sg[i].len;
            continue;
        }
        uint64_t phys = rq->sg[i].phys + skip;
        uint32_t left = rq->sg[i].len - skip;
        skip = 0;
        while (left > 0 && bytes > 0) {
            uint32_t take = left < bytes ? left : bytes;
            if (max_piece && take > max_piece)
                take = max_piece;
            if (n == max_out)
                return -E2BIG;
            if (out)
                out[n] = (struct dma_seg){ .phys = phys, .len = take };
            n++;
            phys += take;
            left -= take;
            bytes -= take;
        }
    }
    return (int)n;
}

/* Times in a row the device may have no room while we have nothing in flight. */
#define BLOCK_SG_STALLS 64

/* Where the next request starts: an entry of the list and bytes into it. */
struct sg_cursor {
    unsigned idx;
    uint32_t skip;
};

/* The bytes the request starting at @c may cover: whole pieces until the
 * device's piece count, the request cap or @p want, rounded down to blocks. */
static uint32_t window(const struct block_device *dev, const struct dma_seg *sg, unsigned nsg,
                       struct sg_cursor c, uint32_t want)
{
    uint32_t cap = want < BLOCK_SG_MAX_BYTES ? want : BLOCK_SG_MAX_BYTES;
    uint32_t bytes = 0;
    unsigned pieces = 0;
    uint32_t skip = c.skip;
    for (unsigned i = c.idx; i < nsg && bytes < cap && pieces < dev->max_segs; i++) {
        uint32_t left = sg[i].len - skip;
        skip = 0;
        while (left > 0 && bytes < cap && pieces < dev->max_segs) {
            uint32_t take = left;
            if (dev->max_seg_bytes && take > dev->max_seg_bytes)
                take = dev->max_seg_bytes;
            if (take > cap - bytes)
                take = cap - bytes;
            bytes += take;
            left -= take;
            pieces++;
        }
    }
    return bytes - bytes % dev->block_size;
}

static void advance(const struct dma_seg *sg, struct sg_cursor *c, uint32_t bytes)
{
    while (bytes > 0) {
        uint32_t left = sg[c->idx].len - c->skip;
        if (bytes < left) {
            c->skip += bytes;
            return;
        }
        bytes -= left;
        c->idx++;
        c->skip = 0;
    }
}

int block_rw_sg(struct block_device *dev, enum block_op op, uint64_t lba, uint32_t count,
                const struct dma_seg *sg, unsigned nsg)
{
    if (!dev || !dev->ops || !sg || (op != BLOCK_OP_READ && op != BLOCK_OP_WRITE))
        return -EINVAL;
    if (!dev->max_segs || !dev->ops->submit)
        return -ENOTBLK;
    if (lba > dev->block_count || count > dev->block_count - lba)
        return -ENXIO;
    if (op == BLOCK_OP_WRITE && dev->read_only)
        return -EROFS;
    uint64_t total = 0;
    for (unsigned i = 0; i < nsg; i++) {
        if (sg[i].len == 0)
            return -EINVAL;
        total += sg[i].len;
    }
    uint64_t left = (uint64_t)count * dev->block_size;
    if (count > 0x7fffffffu || total < left)
        return -EINVAL;

    uint64_t first = lba;
    struct block_request rq[BLOCK_SG_INFLIGHT];
    unsigned head = 0, inflight = 0; /* oldest in flight, and how many */
    struct sg_cursor cur = { 0, 0 };
    int err = 0;
    unsigned stalls = 0;
    while (left > 0 || inflight > 0) {
        /* Fill: as many requests as fit, until the device says no room. */
        while (left > 0 && !err && inflight < BLOCK_SG_INFLIGHT) {
            uint32_t want = left > BLOCK_SG_MAX_BYTES ? BLOCK_SG_MAX_BYTES : (uint32_t)left;
            uint32_t bytes = window(dev, sg, nsg, cur, want);
            if (bytes == 0) {
                err = -EINVAL; /* one block needs more pieces than a request holds */
                break;
            }
            struct block_request *r = &rq[(head + inflight) % BLOCK_SG_INFLIGHT];
            *r = (struct block_request){ .op = op,
                                         .lba = lba,
                                         .count = bytes / dev->block_size,
                                         .sg = &sg[cur.idx],
                                         .nsg = (uint16_t)(nsg - cur.idx > 0xffff ? 0xffff
                                                                                  : nsg - cur.idx),
                                         .sg_skip = cur.skip };
            int e = block_submit(dev, r);
            if (e == -EAGAIN && inflight == 0) {
                /* Others hold the device's room: wait for some, then retry
                 * (bounded: each wait_room() is itself bounded in time). */
                if (++stalls > BLOCK_SG_STALLS) {
                    err = -ETIMEDOUT;
                    break;
                }
                if (dev->ops->wait_room)
                    dev->ops->wait_room(dev);
                continue;
            }
            stalls = 0;
            if (e == -EAGAIN)
                break;
            if (e) {
                err = e;
                break;
            }
            inflight++;
            lba += r->count;
            left -= bytes;
            advance(sg, &cur, bytes);
        }
        if (inflight == 0)
            break;
        int r = block_wait(dev, &rq[head]);
        if (r < 0 && !err)
            err = r;
        head = (head + 1) % BLOCK_SG_INFLIGHT;
        inflight--;
    }
    if (op == BLOCK_OP_WRITE && dev->ra)
        block_ra_invalidate(dev, first, count); /* read ahead while it ran */
    return err ? err : (int)count;
}
