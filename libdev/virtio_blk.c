/*
 * virtio_blk.c - virtio-blk driver behind struct block_device (dev/virtio_blk.h):
 * bringing a device up and down, its interrupt, and the PCI driver.
 *
 * Layer: a virtio driver on the virtio-pci transport and a split virtqueue;
 * below the block interface. Interface: virtio_blk_init/shutdown,
 * virtio_blk_attach_irq, virtio_blk_irq and the PCI driver
 * (virtio_blk_driver_init). Requests, asynchronous and synchronous, and
 * completion collection are in virtio_blk_io.c.
 *
 * Locking: vb->lock (interrupt-safe) protects the virtqueue and slot states;
 * set-up and shutdown run before the device is shared.
 */
#include <arch/apic.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <dev/virtio_blk.h>
#include <string.h>

#define VBLK_FEATURES                                                                              \
    (1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_RO |      \
     1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH)
#define VBLK_SLOT_STRIDE   32 /* header (16) + status (1), per slot in the header page */
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
        s->owner = vb;
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
    vb->msix_vector = -1;
    vb->intx_only = o.intx_only;
    vb->env = env;
    vb->translate = env->translate;
    vb->translate_ctx = env->translate_ctx;
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
    vb->bdev.max_request = vb->max_req_bytes / vb->blk_size;
    vb->bdev.max_segs = (uint16_t)vb->seg_max;
    vb->bdev.max_seg_bytes = vb->size_max;
    virtio_driver_ok(vd);
    return 0;
fail:
    virtio_fail(vd);
    virtio_reset(vd);
    free_slots(vb);
    virtqueue_destroy(&vb->vq);
    return err;
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

/* An MSI-X vector is ours alone: no ISR to read (and none to clear). */
static void msix_handler(void *ctx, struct trap_frame *tf)
{
    (void)tf;
    struct virtio_blk *vb = ctx;
    vb->interrupts++;
    virtio_blk_poll(vb);
}

static int attach_msix(struct virtio_blk *vb)
{
    struct pci_device *pci = vb->vdev.pci;
    if (vb->intx_only || !apic_ready())
        return -ENODEV;
    int err = pci_msix_probe(pci, &vb->msix);
    if (err)
        return err;
    const struct pci_bar *bar = &pci->bars[vb->msix.bar];
    void *va = vb->env->map_mmio ? vb->env->map_mmio(vb->env->map_ctx, bar->base, bar->size) : NULL;
    if (!va)
        return -ENOMEM;
    vb->msix.table = (volatile uint8_t *)va + vb->msix.offset;
    vb->msix.mmio = &vb->vdev.mmio;
    int vec = apic_vector_alloc(msix_handler, vb);
    if (vec < 0)
        return vec;
    uint64_t addr;
    uint32_t data;
    apic_msi_message(vec, &addr, &data);
    pci_msix_set_entry(&vb->msix, 0, addr, data, false);
    pci_enable(pci, PCI_CMD_MEMORY);
    pci_msix_enable(pci, &vb->msix, true);
    virtio_msix_mode(&vb->vdev, true);
    err = virtio_set_queue_vector(&vb->vdev, 0, 0);
    if (err) {
        pci_msix_enable(pci, &vb->msix, false);
        virtio_msix_mode(&vb->vdev, false);
        apic_vector_free(vec);
        return err;
    }
    vb->msix_vector = vec;
    return 0;
}

int virtio_blk_attach_irq(struct virtio_blk *vb)
{
    const struct pci_device *pci = vb->vdev.pci;
    if (attach_msix(vb) == 0) {
        vb->poller.use_hlt = true;
        return 0;
    }
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
    if (vb->msix_vector >= 0) {
        pci_msix_enable(vb->vdev.pci, &vb->msix, false);
        apic_vector_free(vb->msix_vector);
    }
    vb->msix_vector = -1;
    vb->poller.use_hlt = false;
    free_slots(vb);
    virtqueue_destroy(&vb->vq);
    vb->bdev.ops = NULL;
}

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
    char irq[24];
    if (vb->msix_vector >= 0)
        ksnprintf(irq, sizeof(irq), "MSI-X vector %d", vb->msix_vector);
    else
        ksnprintf(irq, sizeof(irq), "irq %d", vb->irq_attached ? vb->irq.irq : -1);
    kprintf("virtio-blk: %s at %s (%s): %llu sectors of %u bytes%s%s, queue %u, %s\n", name,
            dev->name, vb->vdev.modern ? "modern" : "legacy",
            (unsigned long long)vb->bdev.block_count, vb->blk_size,
            vb->bdev.read_only ? ", read-only" : "",
            virtio_has_feature(&vb->vdev, VIRTIO_BLK_F_FLUSH) ? ", flush" : "", vb->vq.size, irq);
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
