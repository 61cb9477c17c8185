/*
 * virtio_blk_io.c - virtio-blk requests: asynchronous submission and
 * completion, and the synchronous block ops built on them (dev/virtio_blk.h).
 *
 * Layer: the request half of the virtio-blk driver (virtio_blk.c brings the
 * device up and down). Interface: the block_ops `submit` and `wait` behind
 * block_submit()/block_wait(), `read`/`write`/`flush` behind block_read() and
 * friends, and virtio_blk_poll() (also called by virtio_blk_irq()).
 *
 * A request takes one slot (a header, a status byte and a bounce buffer in DMA
 * memory) and one descriptor chain: header, data segments, status. Completion,
 * by whoever collects the used ring first (the interrupt handler or a waiter
 * polling), copies read data out, frees the slot and completes the request, then
 * calls the wake hook so sleeping waiters re-check. Completions come in any
 * order; each request has its own result.
 *
 * Data goes in place when the request brings its own segment list (rq->sg:
 * block_sg_pieces() cuts it to the device's segment size), or when the
 * platform translates the caller's buffer (dma_sg_build(): one descriptor per
 * physically contiguous piece); otherwise
 * through the slot's bounce buffer, copied in on submission (writes) or out on
 * completion (reads).
 *
 * Slot life: FREE -> BUSY (submitted) -> COMPLETING (taken off the used ring by
 * one collector, which alone then touches it) -> FREE. A request whose wait timed
 * out leaves its slot ABANDONED: the slot forgets the request (which completes
 * with -ETIMEDOUT) and returns to FREE only when the device hands the chain back,
 * so the device never writes into memory that was reused. An in-place request
 * cannot be left with the device that way (the memory is the caller's), so its
 * timeout resets the device and fails every request (kill_device).
 *
 * Synchronous transfers split into requests of at most max_req_bytes, keep up
 * to VIRTIO_BLK_SLOTS of them in flight and refill as they complete: block_read()
 * is a batch of block_submit()s and waits.
 *
 * Locking: vb->lock (interrupt-safe) protects the virtqueue and slot states; it
 * is never held while copying data, calling done() callbacks or waiting.
 */
#include <k/errno.h>
#include <dev/virtio_blk.h>
#include <string.h>

#define VBLK_STATUS_UNSET 0xff
/* Segments of a translated buffer of ours (at most max_req_bytes). */
#define VBLK_TRANSLATE_SEGS 32

/* A free slot, now BUSY. Caller holds vb->lock. */
static struct virtio_blk_slot *claim_slot(struct virtio_blk *vb)
{
    for (int i = 0; i < vb->nslots; i++) {
        struct virtio_blk_slot *s = &vb->slots[i];
        if (s->state == VBLK_SLOT_FREE) {
            s->state = VBLK_SLOT_BUSY;
            return s;
        }
    }
    return NULL;
}

static unsigned segments(const struct virtio_blk *vb, uint32_t bytes)
{
    if (!bytes)
        return 0;
    return vb->size_max ? (bytes + vb->size_max - 1) / vb->size_max : 1;
}

static uint32_t request_bytes(const struct virtio_blk *vb, const struct block_request *rq)
{
    return rq->op == BLOCK_OP_FLUSH ? 0 : rq->count * vb->blk_size;
}

/* Chain a claimed, filled slot into the queue. Caller holds vb->lock. */
static int queue_slot(struct virtio_blk *vb, struct virtio_blk_slot *s, bool dev_writes)
{
    struct virtq_buf *bufs = vb->chain; /* ours while we hold the lock */
    unsigned n = 0;
    bufs[n++] = (struct virtq_buf){ s->hdr_phys, sizeof(*s->hdr) };
    for (uint32_t off = 0; !s->direct && off < s->bytes;) {
        uint32_t len = s->bytes - off;
        if (vb->size_max && len > vb->size_max)
            len = vb->size_max;
        bufs[n++] = (struct virtq_buf){ s->data_phys + off, len };
        off += len;
    }
    for (unsigned k = 0; s->direct && k < s->nsg; k++)
        bufs[n++] = (struct virtq_buf){ s->sg[k].phys, s->sg[k].len };
    unsigned data = n - 1;
    bufs[n++] = (struct virtq_buf){ s->status_phys, 1 };
    unsigned out = dev_writes ? 1 : 1 + data;
    return virtqueue_add(&vb->vq, bufs, out, n - out, s);
}

/* Queue one validated request; ring the doorbell if @kick. 0, -EAGAIN (no free
 * slot or descriptors) or an error from the queue. */
static int submit_one(struct virtio_blk *vb, struct block_request *rq, bool kick)
{
    uint32_t bytes = request_bytes(vb, rq);
    if (__atomic_load_n(&vb->dead, __ATOMIC_ACQUIRE))
        return -EIO;
    /* In place if the platform can say where the buffer is and it fits the
     * device's segments; otherwise through the slot's bounce buffer. */
    struct dma_seg sg[VBLK_TRANSLATE_SEGS];
    int nsg = 0;
    if (bytes && rq->sg) {
        /* The caller's segment list (block_submit() checked it fits): counted
         * now, laid out in the slot once we have one. */
        nsg = block_sg_pieces(rq, bytes, vb->size_max, NULL, vb->seg_max);
        if (nsg <= 0)
            return -EINVAL;
    } else if (bytes && vb->translate) {
        /* A buffer of ours is at most max_req_bytes: a few pages. */
        nsg = dma_sg_build(vb->translate, vb->translate_ctx, rq->buf, bytes,
                           vb->size_max ? vb->size_max : UINT32_MAX, sg,
                           vb->seg_max < VBLK_TRANSLATE_SEGS ? vb->seg_max : VBLK_TRANSLATE_SEGS);
    }
    bool direct = nsg > 0;
    unsigned need = (direct ? (unsigned)nsg : segments(vb, bytes)) + 2;
    uint64_t fl = spin_lock_irqsave(&vb->lock);
    struct virtio_blk_slot *s = NULL;
    if (vb->vq.num_free >= need)
        s = claim_slot(vb);
    spin_unlock_irqrestore(&vb->lock, fl);
    if (!s)
        return -EAGAIN;
    s->direct = direct;
    s->nsg = (uint16_t)(direct ? nsg : 0);
    if (direct && rq->sg)
        block_sg_pieces(rq, bytes, vb->size_max, s->sg, vb->seg_max);
    else
        for (int k = 0; k < s->nsg; k++)
            s->sg[k] = sg[k];
    /* The slot is ours now: fill it without holding the lock. */
    s->hdr->type = rq->op == BLOCK_OP_READ    ? VIRTIO_BLK_T_IN
                   : rq->op == BLOCK_OP_WRITE ? VIRTIO_BLK_T_OUT
                                              : VIRTIO_BLK_T_FLUSH;
    s->hdr->reserved = 0;
    s->hdr->sector = rq->op == BLOCK_OP_FLUSH ? 0 : rq->lba * (vb->blk_size / VIRTIO_BLK_SECTOR);
    *s->status = VBLK_STATUS_UNSET;
    s->bytes = bytes;
    s->rq = rq;
    rq->drv = s;
    if (rq->op == BLOCK_OP_WRITE && !direct)
        memcpy(s->data, rq->buf, bytes);
    fl = spin_lock_irqsave(&vb->lock);
    int err = queue_slot(vb, s, rq->op == BLOCK_OP_READ);
    if (err) {
        s->rq = NULL;
        s->state = VBLK_SLOT_FREE;
    } else {
        vb->requests++;
        if (bytes)
            direct ? vb->direct++ : vb->bounced++;
        if (kick)
            virtqueue_kick(&vb->vq);
    }
    spin_unlock_irqrestore(&vb->lock, fl);
    return err;
}

static int vblk_submit(struct block_device *dev, struct block_request *rq)
{
    struct virtio_blk *vb = dev->ctx;
    if (rq->op == BLOCK_OP_FLUSH && !virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_FLUSH)) {
        block_complete(rq, 0); /* no volatile write cache to flush */
        return 0;
    }
    if (!rq->sg && request_bytes(vb, rq) > vb->max_req_bytes)
        return -EINVAL;
    return submit_one(vb, rq, true);
}

/* Finish a slot taken off the used ring (state COMPLETING: ours alone). */
static void finish(struct virtio_blk *vb, struct virtio_blk_slot *s)
{
    uint8_t st = *s->status;
    int result = st == VIRTIO_BLK_S_OK ? 0 : st == VIRTIO_BLK_S_UNSUPP ? -ENOSYS : -EIO;
    struct block_request *rq = s->rq;
    if (!result && rq->op == BLOCK_OP_READ && !s->direct)
        memcpy(rq->buf, s->data, s->bytes);
    uint64_t fl = spin_lock_irqsave(&vb->lock);
    if (result)
        vb->errors++;
    s->rq = NULL;
    s->state = VBLK_SLOT_FREE;
    spin_unlock_irqrestore(&vb->lock, fl);
    block_complete(rq, result ? result : (int)(rq->op == BLOCK_OP_FLUSH ? 0 : rq->count));
}

int virtio_blk_poll(struct virtio_blk *vb)
{
    int n = 0;
    for (;;) {
        uint64_t fl = spin_lock_irqsave(&vb->lock);
        struct virtio_blk_slot *s = virtqueue_get_used(&vb->vq, NULL);
        if (!s) {
            spin_unlock_irqrestore(&vb->lock, fl);
            break;
        }
        bool ours = s->state == VBLK_SLOT_BUSY;
        if (ours) {
            s->state = VBLK_SLOT_COMPLETING;
        } else if (s->state == VBLK_SLOT_ABANDONED) {
            s->state = VBLK_SLOT_FREE; /* its waiter gave up; the memory is ours again */
            vb->late++;
        }
        spin_unlock_irqrestore(&vb->lock, fl);
        if (ours) {
            finish(vb, s);
            n++;
        }
    }
    if (n && vb->wake)
        vb->wake(vb->wake_ctx);
    return n;
}

static void count_timeout(struct virtio_blk *vb)
{
    uint64_t fl = spin_lock_irqsave(&vb->lock);
    vb->timeouts++;
    spin_unlock_irqrestore(&vb->lock, fl);
}

static bool request_done(void *arg)
{
    return block_request_done(arg);
}

/* The device lost a request whose data is in the caller's memory: stop the
 * device (a reset ends all its DMA), then fail everything it still held. */
static void kill_device(struct virtio_blk *vb)
{
    virtio_reset(&vb->vdev);
    __atomic_store_n(&vb->dead, true, __ATOMIC_RELEASE);
    for (int i = 0; i < vb->nslots; i++) {
        struct virtio_blk_slot *s = &vb->slots[i];
        uint64_t fl = spin_lock_irqsave(&vb->lock);
        struct block_request *rq = s->state == VBLK_SLOT_BUSY ? s->rq : NULL;
        if (s->state == VBLK_SLOT_BUSY || s->state == VBLK_SLOT_ABANDONED) {
            s->state = VBLK_SLOT_FREE;
            s->rq = NULL;
        }
        spin_unlock_irqrestore(&vb->lock, fl);
        if (rq)
            block_complete(rq, -EIO);
    }
}

/* Give up on a request that has not completed (its wait timed out). */
static void abandon(struct virtio_blk *vb, struct block_request *rq)
{
    uint64_t fl = spin_lock_irqsave(&vb->lock);
    struct virtio_blk_slot *s = rq->drv;
    bool mine = s && s->rq == rq && s->state == VBLK_SLOT_BUSY;
    bool direct = mine && s->direct;
    if (mine) {
        s->state = VBLK_SLOT_ABANDONED;
        s->rq = NULL;
    }
    spin_unlock_irqrestore(&vb->lock, fl);
    if (mine) {
        block_complete(rq, -ETIMEDOUT);
        if (direct)
            kill_device(vb);
        return;
    }
    /* A collector took it off the used ring and is finishing it right now:
     * that takes a copy and a callback, never a device wait. */
    while (!block_request_done(rq))
        vb->wait(vb->wait_ctx, request_done, rq, vb->timeout_ms);
}

/* Wait condition for one request: done, after polling the used ring once (the
 * fallback when no interrupt comes). */
static bool request_progress(void *arg)
{
    struct block_request *rq = arg;
    if (block_request_done(rq))
        return true;
    virtio_blk_poll(((struct virtio_blk_slot *)rq->drv)->owner);
    return block_request_done(rq);
}

static void vblk_wait(struct block_device *dev, struct block_request *rq)
{
    struct virtio_blk *vb = dev->ctx;
    if (block_request_done(rq))
        return;
    if (vb->wait(vb->wait_ctx, request_progress, rq, vb->timeout_ms) != 0) {
        count_timeout(vb);
        abandon(vb, rq);
    }
}

/* Wait condition for room: a free slot and descriptors for a small request. */
static bool room_progress(void *arg)
{
    struct virtio_blk *vb = arg;
    for (int pass = 0; pass < 2; pass++) {
        if (__atomic_load_n(&vb->dead, __ATOMIC_ACQUIRE))
            return true; /* submit() now fails at once */
        if (__atomic_load_n(&vb->vq.num_free, __ATOMIC_RELAXED) >= 3)
            for (int i = 0; i < vb->nslots; i++)
                if (__atomic_load_n(&vb->slots[i].state, __ATOMIC_ACQUIRE) == VBLK_SLOT_FREE)
                    return true;
        if (pass == 0)
            virtio_blk_poll(vb);
    }
    return false;
}

static void vblk_wait_room(struct block_device *dev)
{
    struct virtio_blk *vb = dev->ctx;
    if (vb->wait(vb->wait_ctx, room_progress, vb, vb->timeout_ms) != 0)
        count_timeout(vb);
}

/* ---- Synchronous transfers: batches of requests ---- */

struct vblk_batch {
    struct virtio_blk *vb;
    enum block_op op;
    uint64_t lba;  /* of the next request */
    uint8_t *buf;  /* where the next request's data goes or comes from */
    uint32_t left; /* blocks not yet submitted (flush: 1 request) */
    uint32_t per;  /* most blocks per request */
    int inflight;
    int err;
    struct block_request rq[VIRTIO_BLK_SLOTS];
    bool busy[VIRTIO_BLK_SLOTS];
};

/* Could the next request be queued now (a free slot and enough descriptors)? */
static bool can_submit(const struct vblk_batch *b)
{
    const struct virtio_blk *vb = b->vb;
    uint32_t n = b->op == BLOCK_OP_FLUSH ? 0 : (b->left < b->per ? b->left : b->per);
    if (__atomic_load_n(&vb->vq.num_free, __ATOMIC_RELAXED) < segments(vb, n * vb->blk_size) + 2)
        return false;
    for (int i = 0; i < vb->nslots; i++)
        if (__atomic_load_n(&vb->slots[i].state, __ATOMIC_ACQUIRE) == VBLK_SLOT_FREE)
            return true;
    return false;
}

static bool batch_has_done(const struct vblk_batch *b)
{
    for (int i = 0; i < VIRTIO_BLK_SLOTS; i++)
        if (b->busy[i] && block_request_done(&b->rq[i]))
            return true;
    return false;
}

/* The wait condition: one of our requests finished or, if we have none in
 * flight (other requests hold the slots or descriptors), we can submit again. */
static bool batch_progress(void *arg)
{
    struct vblk_batch *b = arg;
    for (int pass = 0; pass < 2; pass++) {
        if (batch_has_done(b) || (b->inflight == 0 && can_submit(b)))
            return true;
        if (pass == 0)
            virtio_blk_poll(b->vb);
    }
    return false;
}

/* Submit as many of the remaining requests as there is room for. */
static void batch_fill(struct vblk_batch *b)
{
    bool added = false;
    for (int i = 0; i < VIRTIO_BLK_SLOTS && b->left && !b->err; i++) {
        if (b->busy[i])
            continue;
        struct block_request *rq = &b->rq[i];
        uint32_t n = b->left < b->per ? b->left : b->per;
        *rq = (struct block_request){ .op = b->op, .lba = b->lba, .count = n, .buf = b->buf };
        int err = submit_one(b->vb, rq, false);
        if (err == -EAGAIN)
            break;
        if (err) {
            b->err = err;
            break;
        }
        added = true;
        b->busy[i] = true;
        b->inflight++;
        if (b->op == BLOCK_OP_FLUSH) {
            b->left = 0;
            break;
        }
        b->left -= n;
        b->lba += n;
        b->buf += (size_t)n * b->vb->blk_size;
    }
    if (added) {
        uint64_t fl = spin_lock_irqsave(&b->vb->lock);
        virtqueue_kick(&b->vb->vq);
        spin_unlock_irqrestore(&b->vb->lock, fl);
    }
}

/* Retire completed requests; the first error fails the transfer. */
static void batch_collect(struct vblk_batch *b)
{
    for (int i = 0; i < VIRTIO_BLK_SLOTS; i++) {
        if (!b->busy[i] || !block_request_done(&b->rq[i]))
            continue;
        if (b->rq[i].result < 0 && !b->err)
            b->err = b->rq[i].result;
        b->busy[i] = false;
        b->inflight--;
    }
}

static int run_batch(struct vblk_batch *b)
{
    struct virtio_blk *vb = b->vb;
    for (;;) {
        batch_fill(b);
        /* Nothing of ours in flight and nothing could be queued means others
         * hold every slot: the wait below ends when one is freed. */
        if (b->inflight == 0 && (b->left == 0 || b->err))
            break;
        if (vb->wait(vb->wait_ctx, batch_progress, b, vb->timeout_ms) != 0) {
            count_timeout(vb);
            for (int i = 0; i < VIRTIO_BLK_SLOTS; i++)
                if (b->busy[i] && !block_request_done(&b->rq[i]))
                    abandon(vb, &b->rq[i]);
            return -ETIMEDOUT;
        }
        batch_collect(b);
    }
    return b->err;
}

static int vblk_rw(struct block_device *dev, enum block_op op, uint64_t lba, uint32_t count,
                   uint8_t *buf)
{
    struct virtio_blk *vb = dev->ctx;
    if (lba > dev->block_count || count > dev->block_count - lba)
        return -ENXIO;
    if (op == BLOCK_OP_WRITE && dev->read_only)
        return -EROFS;
    if (count == 0)
        return 0;
    struct vblk_batch b = {
        .vb = vb,
        .op = op,
        .lba = lba,
        .buf = buf,
        .left = count,
        .per = vb->max_req_bytes / vb->blk_size,
    };
    int err = run_batch(&b);
    return err ? err : (int)count;
}

static int vblk_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
    return vblk_rw(dev, BLOCK_OP_READ, lba, count, buf);
}

static int vblk_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
    /* Writes only read the buffer (submit_one copies it into the slot). */
    return vblk_rw(dev, BLOCK_OP_WRITE, lba, count, (uint8_t *)(uintptr_t)buf);
}

static int vblk_flush(struct block_device *dev)
{
    struct virtio_blk *vb = dev->ctx;
    if (!virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_FLUSH))
        return 0; /* no volatile write cache to flush */
    struct vblk_batch b = { .vb = vb, .op = BLOCK_OP_FLUSH, .left = 1, .per = 1 };
    return run_batch(&b);
}

const struct block_ops virtio_blk_ops = {
    .read = vblk_read,
    .write = vblk_write,
    .flush = vblk_flush,
    .submit = vblk_submit,
    .wait = vblk_wait,
    .wait_room = vblk_wait_room,
};
