/*
 * virtio_blk.c - virtio-blk driver behind struct block_device (dev/virtio_blk.h).
 *
 * Layer: a virtio driver on the virtio-pci transport and a split virtqueue;
 * below the block interface. Interface: virtio_blk_init/shutdown,
 * virtio_blk_attach_irq, virtio_blk_irq, virtio_blk_poll, virtio_blk_ops, and the
 * PCI driver (virtio_blk_driver_init).
 *
 * A transfer claims free slots, copies data into their bounce buffers, chains
 * header + data segments + status into the queue, kicks, then waits for *any* of
 * its slots to finish (completions come in any order) and refills. Completions
 * are collected by whoever gets there first: the interrupt handler or the
 * waiter's polling.
 *
 * Locking: vb->lock (interrupt-safe) protects the virtqueue and slot states. A
 * slot in state BUSY or DONE belongs to its owner transfer, which copies its
 * data without the lock; the lock is never held while waiting.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <dev/virtio_blk.h>
#include <string.h>

#define VBLK_FEATURES                                                                              \
    (1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_RO |      \
     1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH)
#define VBLK_SLOT_STRIDE   32 /* header (16) + status (1), per slot in the header page */
#define VBLK_STATUS_UNSET  0xff
#define VBLK_DEFAULT_QSIZE 256
#define VBLK_DEFAULT_WAIT  5000

static void free_slots(struct virtio_blk *vb)
{
    for (int i = 0; i < VIRTIO_BLK_SLOTS; i++) {
        struct virtio_blk_slot *s = &vb->slots[i];
        if (s->data)
            dma_free(vb->pool, s->data_phys, s->data, vb->slot_bytes);
        s->data = NULL;
    }
    if (vb->hdr_page)
        dma_free(vb->pool, vb->hdr_page_phys, vb->hdr_page, DMA_PAGE_SIZE);
    vb->hdr_page = NULL;
}

static int alloc_slots(struct virtio_blk *vb)
{
    int err = dma_alloc(vb->pool, DMA_PAGE_SIZE, &vb->hdr_page_phys, &vb->hdr_page);
    if (err)
        return err;
    for (int i = 0; i < vb->nslots; i++) {
        struct virtio_blk_slot *s = &vb->slots[i];
        s->hdr = (struct virtio_blk_req_hdr *)((uint8_t *)vb->hdr_page + i * VBLK_SLOT_STRIDE);
        s->hdr_phys = vb->hdr_page_phys + (uint64_t)i * VBLK_SLOT_STRIDE;
        s->status = (uint8_t *)s->hdr + sizeof(*s->hdr);
        s->status_phys = s->hdr_phys + sizeof(*s->hdr);
        void *data;
        err = dma_alloc(vb->pool, vb->slot_bytes, &s->data_phys, &data);
        if (err)
            return err;
        s->data = data;
    }
    return 0;
}

/* Read the geometry and limits the negotiated features make valid. */
static void read_config(struct virtio_blk *vb)
{
    struct virtio_device *vd = &vb->vdev;
    vb->capacity = virtio_config_read64(vd, VIRTIO_BLK_CFG_CAPACITY);
    vb->blk_size = VIRTIO_BLK_SECTOR;
    if (virtio_has_feature(vd, VIRTIO_BLK_F_BLK_SIZE)) {
        uint32_t bs = virtio_config_read32(vd, VIRTIO_BLK_CFG_BLK_SIZE);
        if (bs >= VIRTIO_BLK_SECTOR && bs <= 65536 && !(bs & (bs - 1)))
            vb->blk_size = bs;
    }
    vb->size_max = 0;
    if (virtio_has_feature(vd, VIRTIO_BLK_F_SIZE_MAX))
        vb->size_max = virtio_config_read32(vd, VIRTIO_BLK_CFG_SIZE_MAX);
    vb->seg_max = 1;
    if (virtio_has_feature(vd, VIRTIO_BLK_F_SEG_MAX))
        vb->seg_max = virtio_config_read32(vd, VIRTIO_BLK_CFG_SEG_MAX);
    if (vb->seg_max == 0)
        vb->seg_max = 1;
    if (vb->seg_max > VIRTIO_BLK_MAX_SEGS)
        vb->seg_max = VIRTIO_BLK_MAX_SEGS;
}

int virtio_blk_init(struct virtio_blk *vb, struct pci_device *pci, const struct virtio_env *env,
                    const struct virtio_blk_options *opt, const char *name)
{
    if (!vb || !pci || !env || !env->dma || !name || strlen(name) >= sizeof(vb->bdev.name))
        return -EINVAL;
    memset(vb, 0, sizeof(*vb));
    struct virtio_blk_options o = opt ? *opt : (struct virtio_blk_options){ 0 };
    vb->pool = env->dma;
    vb->slot_bytes = (uint32_t)dma_round(o.slot_bytes ? o.slot_bytes : VIRTIO_BLK_DEFAULT_SLOT);
    vb->nslots = o.slots && o.slots <= VIRTIO_BLK_SLOTS ? o.slots : VIRTIO_BLK_SLOTS;
    vb->timeout_ms = o.timeout_ms ? o.timeout_ms : VBLK_DEFAULT_WAIT;
    vb->wait = o.wait ? o.wait : dev_wait_poll;
    vb->wait_ctx = o.wait ? o.wait_ctx : &vb->poller;
    vb->wake = o.wake;
    vb->wake_ctx = o.wake_ctx;
    vb->irq.irq = -1;
    spin_init(&vb->lock, "virtio-blk");

    struct virtio_device *vd = &vb->vdev;
    int err = virtio_pci_attach(vd, pci, env);
    if (err)
        return err;
    err = virtio_negotiate(vd, VBLK_FEATURES);
    if (err)
        return err;
    read_config(vb);
    err = virtio_queue_setup(vd, &vb->vq, 0, o.queue_size ? o.queue_size : VBLK_DEFAULT_QSIZE,
                             vb->pool);
    if (err)
        goto fail;
    err = -ENODEV;
    if (vb->vq.size < 3)
        goto fail;
    /* Every request needs a header and a status descriptor besides its data. */
    if (vb->seg_max > vb->vq.size - 2u)
        vb->seg_max = vb->vq.size - 2u;
    uint64_t limit = vb->slot_bytes;
    if (vb->size_max && (uint64_t)vb->size_max * vb->seg_max < limit)
        limit = (uint64_t)vb->size_max * vb->seg_max;
    vb->max_req_bytes = (uint32_t)(limit & ~(uint64_t)(vb->blk_size - 1));
    if (vb->max_req_bytes == 0)
        goto fail;
    err = alloc_slots(vb);
    if (err)
        goto fail;

    vb->bdev.ops = &virtio_blk_ops;
    vb->bdev.ctx = vb;
    memcpy(vb->bdev.name, name, strlen(name) + 1);
    vb->bdev.block_size = vb->blk_size;
    vb->bdev.block_count = vb->capacity / (vb->blk_size / VIRTIO_BLK_SECTOR);
    vb->bdev.read_only = virtio_has_feature(vd, VIRTIO_BLK_F_RO);
    virtio_driver_ok(vd);
    return 0;
fail:
    virtio_fail(vd);
    virtio_reset(vd);
    free_slots(vb);
    virtqueue_destroy(&vb->vq);
    return err;
}

int virtio_blk_poll(struct virtio_blk *vb)
{
    int n = 0;
    uint64_t fl = spin_lock_irqsave(&vb->lock);
    struct virtio_blk_slot *s;
    while ((s = virtqueue_get_used(&vb->vq, NULL)) != NULL) {
        if (s->state == VBLK_SLOT_ABANDONED) {
            s->state = VBLK_SLOT_FREE; /* its transfer gave up; the memory is ours again */
            vb->late++;
            continue;
        }
        if (s->state != VBLK_SLOT_BUSY)
            continue;
        uint8_t st = *s->status;
        s->result = st == VIRTIO_BLK_S_OK ? 0 : st == VIRTIO_BLK_S_UNSUPP ? -ENOSYS : -EIO;
        if (s->result)
            vb->errors++;
        __atomic_store_n(&s->state, VBLK_SLOT_DONE, __ATOMIC_RELEASE);
        n++;
    }
    spin_unlock_irqrestore(&vb->lock, fl);
    if (n && vb->wake)
        vb->wake(vb->wake_ctx);
    return n;
}

uint8_t virtio_blk_irq(struct virtio_blk *vb)
{
    uint8_t isr = virtio_isr_read(&vb->vdev);
    if (isr & VIRTIO_ISR_QUEUE) {
        vb->interrupts++;
        virtio_blk_poll(vb);
    }
    return isr;
}

static void irq_handler(void *ctx)
{
    virtio_blk_irq(ctx);
}

int virtio_blk_attach_irq(struct virtio_blk *vb)
{
    const struct pci_device *pci = vb->vdev.pci;
    if (!pci->irq_pin || pci->irq_line == 0 || pci->irq_line >= 16)
        return -ENXIO;
    int err = dev_irq_attach(&vb->irq, pci->irq_line, irq_handler, vb);
    if (err)
        return err;
    vb->irq_attached = true;
    /* Completion now comes by interrupt: the default waiter may halt until it. */
    vb->poller.use_hlt = true;
    return 0;
}

void virtio_blk_shutdown(struct virtio_blk *vb)
{
    /* After the reset the device touches none of our memory, abandoned slots included. */
    virtio_reset(&vb->vdev);
    if (vb->irq_attached)
        dev_irq_detach(&vb->irq);
    vb->irq_attached = false;
    vb->poller.use_hlt = false;
    free_slots(vb);
    virtqueue_destroy(&vb->vq);
    vb->bdev.ops = NULL;
}

/* One transfer: a sequence of requests sharing an owner id. */
struct vblk_xfer {
    struct virtio_blk *vb;
    uint32_t owner;
    uint32_t type;
    uint64_t sector;     /* of the next request */
    uint8_t *rbuf;       /* reads: destination */
    const uint8_t *wbuf; /* writes: source */
    size_t total;        /* data bytes */
    size_t submitted;    /* data bytes queued */
    bool all_queued;
    int inflight;
    int err;
};

static struct virtio_blk_slot *claim_slot(struct virtio_blk *vb, uint32_t owner)
{
    for (int i = 0; i < vb->nslots; i++) {
        struct virtio_blk_slot *s = &vb->slots[i];
        if (s->state == VBLK_SLOT_FREE) {
            s->state = VBLK_SLOT_BUSY;
            s->owner = owner;
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

/* Chain a claimed, filled slot into the queue. Caller holds vb->lock. */
static int queue_slot(struct virtio_blk *vb, struct virtio_blk_slot *s, bool dev_writes)
{
    struct virtq_buf bufs[VIRTIO_BLK_MAX_SEGS + 2];
    unsigned n = 0;
    bufs[n++] = (struct virtq_buf){ s->hdr_phys, sizeof(*s->hdr) };
    for (uint32_t off = 0; off < s->bytes;) {
        uint32_t len = s->bytes - off;
        if (vb->size_max && len > vb->size_max)
            len = vb->size_max;
        bufs[n++] = (struct virtq_buf){ s->data_phys + off, len };
        off += len;
    }
    unsigned data = n - 1;
    bufs[n++] = (struct virtq_buf){ s->status_phys, 1 };
    unsigned out = dev_writes ? 1 : 1 + data;
    return virtqueue_add(&vb->vq, bufs, out, n - out, s);
}

/* Queue as many requests as slots and descriptors allow; returns how many. */
static int submit_more(struct vblk_xfer *x)
{
    struct virtio_blk *vb = x->vb;
    int added = 0;
    while (!x->all_queued && !x->err) {
        size_t n = x->total - x->submitted;
        if (n > vb->max_req_bytes)
            n = vb->max_req_bytes;
        uint64_t fl = spin_lock_irqsave(&vb->lock);
        struct virtio_blk_slot *s = NULL;
        if (vb->vq.num_free >= segments(vb, (uint32_t)n) + 2)
            s = claim_slot(vb, x->owner);
        spin_unlock_irqrestore(&vb->lock, fl);
        if (!s)
            break;
        /* The slot is ours now: fill it without holding the lock. */
        s->hdr->type = x->type;
        s->hdr->reserved = 0;
        s->hdr->sector = x->sector;
        *s->status = VBLK_STATUS_UNSET;
        s->bytes = (uint32_t)n;
        s->offset = x->submitted;
        s->result = 0;
        if (x->wbuf)
            memcpy(s->data, x->wbuf + x->submitted, n);
        fl = spin_lock_irqsave(&vb->lock);
        int err = queue_slot(vb, s, x->rbuf != NULL);
        if (err)
            s->state = VBLK_SLOT_FREE;
        else
            vb->requests++;
        spin_unlock_irqrestore(&vb->lock, fl);
        if (err) {
            x->err = err;
            break;
        }
        x->submitted += n;
        x->sector += n / VIRTIO_BLK_SECTOR;
        x->inflight++;
        added++;
        x->all_queued = x->submitted == x->total;
    }
    if (added) {
        uint64_t fl = spin_lock_irqsave(&vb->lock);
        virtqueue_kick(&vb->vq);
        spin_unlock_irqrestore(&vb->lock, fl);
    }
    return added;
}

static bool owner_has_done(struct virtio_blk *vb, uint32_t owner)
{
    for (int i = 0; i < vb->nslots; i++) {
        const struct virtio_blk_slot *s = &vb->slots[i];
        if (s->owner == owner && __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == VBLK_SLOT_DONE)
            return true;
    }
    return false;
}

/* Could submit_more() queue the next request now (a free slot and enough
 * descriptors)? */
static bool can_submit(const struct vblk_xfer *x)
{
    const struct virtio_blk *vb = x->vb;
    size_t n = x->total - x->submitted;
    if (n > vb->max_req_bytes)
        n = vb->max_req_bytes;
    if (__atomic_load_n(&vb->vq.num_free, __ATOMIC_RELAXED) < segments(vb, (uint32_t)n) + 2)
        return false;
    for (int i = 0; i < vb->nslots; i++)
        if (__atomic_load_n(&vb->slots[i].state, __ATOMIC_ACQUIRE) == VBLK_SLOT_FREE)
            return true;
    return false;
}

/* The wait condition: one of our requests finished or, if we have none in flight
 * (other transfers or abandoned requests hold the slots or descriptors), we can
 * submit again. Polls the used ring: the fallback when no interrupt comes. */
static bool xfer_progress(void *arg)
{
    struct vblk_xfer *x = arg;
    for (int pass = 0; pass < 2; pass++) {
        if (owner_has_done(x->vb, x->owner) || (x->inflight == 0 && can_submit(x)))
            return true;
        if (pass == 0)
            virtio_blk_poll(x->vb);
    }
    return false;
}

/* Collect finished slots of this transfer: copy read data out, record errors. */
static void collect(struct vblk_xfer *x)
{
    struct virtio_blk *vb = x->vb;
    for (int i = 0; i < vb->nslots; i++) {
        struct virtio_blk_slot *s = &vb->slots[i];
        if (s->owner != x->owner || __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != VBLK_SLOT_DONE)
            continue;
        if (s->result && !x->err)
            x->err = s->result;
        else if (!s->result && x->rbuf)
            memcpy(x->rbuf + s->offset, s->data, s->bytes);
        x->inflight--;
        uint64_t fl = spin_lock_irqsave(&vb->lock);
        s->state = VBLK_SLOT_FREE;
        spin_unlock_irqrestore(&vb->lock, fl);
    }
}

/* Give up on this transfer's outstanding requests (timeout). */
static void abandon(struct vblk_xfer *x)
{
    struct virtio_blk *vb = x->vb;
    uint64_t fl = spin_lock_irqsave(&vb->lock);
    for (int i = 0; i < vb->nslots; i++) {
        struct virtio_blk_slot *s = &vb->slots[i];
        if (s->owner == x->owner && s->state == VBLK_SLOT_BUSY)
            s->state = VBLK_SLOT_ABANDONED;
        else if (s->owner == x->owner && s->state == VBLK_SLOT_DONE)
            s->state = VBLK_SLOT_FREE;
    }
    vb->timeouts++;
    spin_unlock_irqrestore(&vb->lock, fl);
}

static int run_xfer(struct vblk_xfer *x)
{
    struct virtio_blk *vb = x->vb;
    uint64_t fl = spin_lock_irqsave(&vb->lock);
    x->owner = ++vb->next_owner;
    if (x->owner == 0) /* 0 marks never-used slots */
        x->owner = ++vb->next_owner;
    spin_unlock_irqrestore(&vb->lock, fl);
    for (;;) {
        submit_more(x);
        if (x->inflight == 0) {
            if (x->all_queued || x->err)
                break;
            /* Nothing of ours in flight and nothing could be queued: others hold
             * every slot; wait for any completion to free one. */
        }
        int err = vb->wait(vb->wait_ctx, xfer_progress, x, vb->timeout_ms);
        if (err) {
            abandon(x);
            return -ETIMEDOUT;
        }
        collect(x);
    }
    return x->err;
}

static int vblk_rw(struct block_device *dev, uint64_t lba, uint32_t count, uint8_t *rbuf,
                   const uint8_t *wbuf)
{
    struct virtio_blk *vb = dev->ctx;
    if (lba > dev->block_count || count > dev->block_count - lba)
        return -ENXIO;
    if (wbuf && dev->read_only)
        return -EROFS;
    if (count == 0)
        return 0;
    struct vblk_xfer x = {
        .vb = vb,
        .type = rbuf ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT,
        .sector = lba * (vb->blk_size / VIRTIO_BLK_SECTOR),
        .rbuf = rbuf,
        .wbuf = wbuf,
        .total = (size_t)count * vb->blk_size,
    };
    int err = run_xfer(&x);
    return err ? err : (int)count;
}

static int vblk_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
    return vblk_rw(dev, lba, count, buf, NULL);
}

static int vblk_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
    return vblk_rw(dev, lba, count, NULL, buf);
}

static int vblk_flush(struct block_device *dev)
{
    struct virtio_blk *vb = dev->ctx;
    if (!virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_FLUSH))
        return 0; /* no volatile write cache to flush */
    struct vblk_xfer x = { .vb = vb, .type = VIRTIO_BLK_T_FLUSH };
    return run_xfer(&x);
}

const struct block_ops virtio_blk_ops = {
    .read = vblk_read,
    .write = vblk_write,
    .flush = vblk_flush,
};

/* ---- The PCI driver ---- */

static const struct pci_device_id virtio_blk_ids[] = {
    { VIRTIO_PCI_VENDOR, VIRTIO_PCI_LEGACY_BLK, 0, 0, 0 },
    { VIRTIO_PCI_VENDOR, VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_BLOCK, 0, 0, 0 },
    { 0, 0, 0, 0, 0 },
};

static int virtio_blk_probe(struct device *dev, const void *id)
{
    (void)id;
    struct virtio_blk_driver *d =
        (struct virtio_blk_driver *)((char *)dev->driver - offsetof(struct virtio_blk_driver, drv));
    struct virtio_blk *vb = NULL;
    for (size_t i = 0; i < d->max && !vb; i++)
        if (!d->instances[i].bdev.ops)
            vb = &d->instances[i];
    if (!vb)
        return -ENOSPC;
    char name[16];
    int err = blockdev_make_name("vd", name, sizeof(name));
    if (err)
        return err;
    struct pci_device *pci = pci_from_device(dev);
    err = virtio_blk_init(vb, pci, d->env, &d->opt, name);
    if (err)
        return err;
    if (d->use_irq && virtio_blk_attach_irq(vb) != 0)
        kprintf("virtio-blk: %s: no usable interrupt line, polling\n", name);
    err = blockdev_register(&vb->bdev);
    if (err) {
        virtio_blk_shutdown(vb);
        return err;
    }
    dev->driver_data = vb;
    d->used++;
    kprintf("virtio-blk: %s at %s (%s): %llu sectors of %u bytes%s%s, queue %u, irq %d\n", name,
            dev->name, vb->vdev.modern ? "modern" : "legacy",
            (unsigned long long)vb->bdev.block_count, vb->blk_size,
            vb->bdev.read_only ? ", read-only" : "",
            virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_FLUSH) ? ", flush" : "", vb->vq.size,
            vb->irq_attached ? vb->irq.irq : -1);
    return 0;
}

static void virtio_blk_remove(struct device *dev)
{
    struct virtio_blk *vb = dev->driver_data;
    struct virtio_blk_driver *d =
        (struct virtio_blk_driver *)((char *)dev->driver - offsetof(struct virtio_blk_driver, drv));
    blockdev_unregister(&vb->bdev);
    virtio_blk_shutdown(vb);
    d->used--;
}

void virtio_blk_driver_init(struct virtio_blk_driver *d, struct virtio_blk *instances, size_t max,
                            const struct virtio_env *env, const struct virtio_blk_options *opt,
                            bool use_irq)
{
    memset(d, 0, sizeof(*d));
    memset(instances, 0, sizeof(*instances) * max);
    d->drv.name = "virtio-blk";
    d->drv.id_table = virtio_blk_ids;
    d->drv.probe = virtio_blk_probe;
    d->drv.remove = virtio_blk_remove;
    d->instances = instances;
    d->max = max;
    d->env = env;
    if (opt)
        d->opt = *opt;
    d->use_irq = use_irq;
}
