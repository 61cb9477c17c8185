/*
 * virtio_pci.c - the virtio-pci transport, modern and legacy (dev/virtio.h).
 *
 * Layer: between PCI (configuration space, BARs) and virtio drivers.
 * Interface: virtio_pci_attach, virtio_reset/get_status/add_status/fail,
 * virtio_negotiate, virtio_queue_setup, virtio_driver_ok, virtio_isr_read,
 * virtio_config_read*.
 *
 * Modern registers live in memory BARs found through vendor capabilities and are
 * reached with mmio_*() (so tests can simulate them); legacy registers are I/O
 * ports at BAR 0. Locking: the owning driver serialises; virtio_isr_read() is a
 * single register read, safe in interrupt context.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <dev/virtio.h>
#include <string.h>

#define RESET_POLLS   1000000
#define CFG_GEN_TRIES 16

/* One vendor capability as read from configuration space. */
struct vcap {
    uint8_t type, bar;
    uint32_t offset, length, mult;
};

static volatile uint8_t *map_region(struct virtio_device *vd, const struct virtio_env *env,
                                    void *mapped[PCI_MAX_BARS], const struct vcap *c,
                                    uint32_t min_len)
{
    const struct pci_bar *bar = &vd->pci->bars[c->bar];
    if (bar->type != PCI_BAR_MEM32 && bar->type != PCI_BAR_MEM64)
        return NULL;
    if (c->length < min_len || (uint64_t)c->offset + c->length > bar->size)
        return NULL;
    if (!mapped[c->bar])
        mapped[c->bar] = env->map_mmio ? env->map_mmio(env->map_ctx, bar->base, bar->size) : NULL;
    if (!mapped[c->bar])
        return NULL;
    return (volatile uint8_t *)mapped[c->bar] + c->offset;
}

/* Look for the modern capabilities; true if the device can be driven that way. */
static bool find_modern(struct virtio_device *vd, const struct virtio_env *env)
{
    struct pci_device *pci = vd->pci;
    struct vcap caps[5] = { { 0 } };
    bool have[5] = { false };
    uint8_t off = 0;
    for (int n = 0; n < PCI_CAP_MAX; n++) {
        off = pci_cap_find(pci, PCI_CAP_ID_VENDOR, off);
        if (!off)
            break;
        uint8_t len = pci_read8(pci, (uint8_t)(off + 2));
        struct vcap c = {
            .type = pci_read8(pci, (uint8_t)(off + 3)),
            .bar = pci_read8(pci, (uint8_t)(off + 4)),
            .offset = pci_read32(pci, (uint8_t)(off + 8)),
            .length = pci_read32(pci, (uint8_t)(off + 12)),
        };
        if (len < 16 || c.bar >= PCI_MAX_BARS || c.type < 1 || c.type > 4 || have[c.type])
            continue;
        if (c.type == VIRTIO_PCI_CAP_NOTIFY) {
            if (len < 20)
                continue;
            c.mult = pci_read32(pci, (uint8_t)(off + 16));
        }
        caps[c.type] = c;
        have[c.type] = true;
    }
    if (!have[VIRTIO_PCI_CAP_COMMON] || !have[VIRTIO_PCI_CAP_NOTIFY] || !have[VIRTIO_PCI_CAP_ISR])
        return false;
    void *mapped[PCI_MAX_BARS] = { 0 };
    vd->common = map_region(vd, env, mapped, &caps[VIRTIO_PCI_CAP_COMMON], VIRTIO_COMMON_SIZE);
    vd->notify = map_region(vd, env, mapped, &caps[VIRTIO_PCI_CAP_NOTIFY], 2);
    vd->isr = map_region(vd, env, mapped, &caps[VIRTIO_PCI_CAP_ISR], 1);
    if (have[VIRTIO_PCI_CAP_DEVICE])
        vd->devcfg = map_region(vd, env, mapped, &caps[VIRTIO_PCI_CAP_DEVICE], 1);
    if (!vd->common || !vd->notify || !vd->isr)
        return false;
    vd->notify_mult = caps[VIRTIO_PCI_CAP_NOTIFY].mult;
    vd->notify_len = caps[VIRTIO_PCI_CAP_NOTIFY].length;
    vd->devcfg_len = vd->devcfg ? caps[VIRTIO_PCI_CAP_DEVICE].length : 0;
    return true;
}

int virtio_pci_attach(struct virtio_device *vd, struct pci_device *pci,
                      const struct virtio_env *env)
{
    memset(vd, 0, sizeof(*vd));
    vd->pci = pci;
    vd->mmio = env->mmio;
    if (pci->vendor_id != VIRTIO_PCI_VENDOR)
        return -ENODEV;
    if (find_modern(vd, env)) {
        vd->modern = true;
        pci_enable(pci, PCI_CMD_MEMORY | PCI_CMD_BUS_MASTER);
    } else if (pci->device_id < VIRTIO_PCI_MODERN_BASE && pci->bars[0].type == PCI_BAR_IO &&
               pci->bars[0].size >= VIRTIO_LEGACY_CONFIG) {
        memset(vd, 0, sizeof(*vd));
        vd->pci = pci;
        vd->mmio = env->mmio;
        vd->io_base = (uint16_t)pci->bars[0].base;
        vd->legacy_cfg = VIRTIO_LEGACY_CONFIG;
        pci_enable(pci, PCI_CMD_IO | PCI_CMD_BUS_MASTER);
    } else {
        return -ENODEV;
    }
    virtio_reset(vd);
    return 0;
}

static volatile uint8_t *creg(struct virtio_device *vd, unsigned off)
{
    return vd->common + off;
}

uint8_t virtio_get_status(struct virtio_device *vd)
{
    if (vd->modern)
        return mmio_read8(&vd->mmio, creg(vd, VIRTIO_COMMON_STATUS));
    return inb((uint16_t)(vd->io_base + VIRTIO_LEGACY_STATUS));
}

static void set_status(struct virtio_device *vd, uint8_t s)
{
    if (vd->modern)
        mmio_write8(&vd->mmio, creg(vd, VIRTIO_COMMON_STATUS), s);
    else
        outb((uint16_t)(vd->io_base + VIRTIO_LEGACY_STATUS), s);
}

void virtio_add_status(struct virtio_device *vd, uint8_t bits)
{
    set_status(vd, (uint8_t)(virtio_get_status(vd) | bits));
}

void virtio_reset(struct virtio_device *vd)
{
    set_status(vd, 0);
    /* A modern device finishes resetting when status reads back 0. */
    for (int i = 0; vd->modern && i < RESET_POLLS && virtio_get_status(vd) != 0; i++)
        cpu_pause();
}

void virtio_fail(struct virtio_device *vd)
{
    virtio_add_status(vd, VIRTIO_STATUS_FAILED);
}

void virtio_driver_ok(struct virtio_device *vd)
{
    virtio_add_status(vd, VIRTIO_STATUS_DRIVER_OK);
}

int virtio_negotiate(struct virtio_device *vd, uint64_t supported)
{
    virtio_reset(vd);
    virtio_add_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
    virtio_add_status(vd, VIRTIO_STATUS_DRIVER);
    uint64_t dev, want;
    if (vd->modern) {
        mmio_write32(&vd->mmio, creg(vd, VIRTIO_COMMON_DFSELECT), 0);
        dev = mmio_read32(&vd->mmio, creg(vd, VIRTIO_COMMON_DF));
        mmio_write32(&vd->mmio, creg(vd, VIRTIO_COMMON_DFSELECT), 1);
        dev |= (uint64_t)mmio_read32(&vd->mmio, creg(vd, VIRTIO_COMMON_DF)) << 32;
        want = supported | 1ull << VIRTIO_F_VERSION_1;
    } else {
        dev = inl((uint16_t)(vd->io_base + VIRTIO_LEGACY_HOST_FEATURES));
        want = supported & 0xffffffffu;
    }
    vd->device_features = dev;
    if (vd->modern && !(dev & 1ull << VIRTIO_F_VERSION_1))
        goto fail;
    vd->features = dev & want;
    if (vd->modern) {
        mmio_write32(&vd->mmio, creg(vd, VIRTIO_COMMON_GFSELECT), 0);
        mmio_write32(&vd->mmio, creg(vd, VIRTIO_COMMON_GF), (uint32_t)vd->features);
        mmio_write32(&vd->mmio, creg(vd, VIRTIO_COMMON_GFSELECT), 1);
        mmio_write32(&vd->mmio, creg(vd, VIRTIO_COMMON_GF), (uint32_t)(vd->features >> 32));
        virtio_add_status(vd, VIRTIO_STATUS_FEATURES_OK);
        if (!(virtio_get_status(vd) & VIRTIO_STATUS_FEATURES_OK))
            goto fail;
    } else {
        outl((uint16_t)(vd->io_base + VIRTIO_LEGACY_GUEST_FEATURES), (uint32_t)vd->features);
    }
    return 0;
fail:
    vd->features = 0;
    virtio_fail(vd);
    return -ENODEV;
}

static void notify_modern(struct virtqueue *vq)
{
    struct virtio_device *vd = vq->notify_ctx;
    mmio_write16(&vd->mmio, vq->notify_addr, vq->index);
}

static void notify_legacy(struct virtqueue *vq)
{
    struct virtio_device *vd = vq->notify_ctx;
    outw((uint16_t)(vd->io_base + VIRTIO_LEGACY_QUEUE_NOTIFY), vq->index);
}

static uint16_t pow2_floor(uint16_t v)
{
    uint16_t p = 1;
    while (p <= v / 2)
        p = (uint16_t)(p * 2);
    return p;
}

static int setup_modern(struct virtio_device *vd, struct virtqueue *vq, uint16_t index,
                        uint16_t max_size, struct dma_pool *pool)
{
    const struct mmio_bus *b = &vd->mmio;
    mmio_write16(b, creg(vd, VIRTIO_COMMON_Q_SELECT), index);
    uint16_t qmax = mmio_read16(b, creg(vd, VIRTIO_COMMON_Q_SIZE));
    if (qmax == 0)
        return -ENOENT;
    if (max_size > VIRTQ_MAX_SIZE)
        max_size = VIRTQ_MAX_SIZE;
    uint16_t size = pow2_floor(qmax < max_size ? qmax : max_size);
    uint32_t noff = mmio_read16(b, creg(vd, VIRTIO_COMMON_Q_NOFF));
    if ((uint64_t)noff * vd->notify_mult + 2 > vd->notify_len)
        return -ENODEV;
    int err = virtqueue_init(vq, index, size, pool);
    if (err)
        return err;
    mmio_write16(b, creg(vd, VIRTIO_COMMON_Q_SIZE), size);
    mmio_write64(b, creg(vd, VIRTIO_COMMON_Q_DESC), vq->desc_phys);
    mmio_write64(b, creg(vd, VIRTIO_COMMON_Q_DRIVER), vq->avail_phys);
    mmio_write64(b, creg(vd, VIRTIO_COMMON_Q_DEVICE), vq->used_phys);
    /* No MSI-X: interrupts arrive on the legacy INTx line. */
    mmio_write16(b, creg(vd, VIRTIO_COMMON_Q_MSIX), 0xffff);
    mmio_write16(b, creg(vd, VIRTIO_COMMON_Q_ENABLE), 1);
    vq->notify_addr = vd->notify + noff * vd->notify_mult;
    vq->notify = notify_modern;
    vq->notify_ctx = vd;
    return 0;
}

static int setup_legacy(struct virtio_device *vd, struct virtqueue *vq, uint16_t index,
                        struct dma_pool *pool)
{
    outw((uint16_t)(vd->io_base + VIRTIO_LEGACY_QUEUE_SELECT), index);
    uint16_t qsize = inw((uint16_t)(vd->io_base + VIRTIO_LEGACY_QUEUE_SIZE));
    if (qsize == 0)
        return -ENOENT;
    /* A legacy device dictates the size; we can only accept it or give up. */
    if (qsize > VIRTQ_MAX_SIZE || (qsize & (qsize - 1)))
        return -EINVAL;
    int err = virtqueue_init(vq, index, qsize, pool);
    if (err)
        return err;
    if ((vq->desc_phys >> 12) > 0xffffffffu) {
        virtqueue_destroy(vq);
        return -ERANGE;
    }
    outl((uint16_t)(vd->io_base + VIRTIO_LEGACY_QUEUE_PFN), (uint32_t)(vq->desc_phys >> 12));
    vq->notify = notify_legacy;
    vq->notify_ctx = vd;
    return 0;
}

int virtio_queue_setup(struct virtio_device *vd, struct virtqueue *vq, uint16_t index,
                       uint16_t max_size, struct dma_pool *pool)
{
    if (max_size == 0)
        return -EINVAL;
    if (vd->modern)
        return setup_modern(vd, vq, index, max_size, pool);
    return setup_legacy(vd, vq, index, pool);
}

void virtio_msix_mode(struct virtio_device *vd, bool on)
{
    if (!vd->modern)
        vd->legacy_cfg = on ? VIRTIO_LEGACY_CONFIG_MSIX : VIRTIO_LEGACY_CONFIG;
}

int virtio_set_queue_vector(struct virtio_device *vd, uint16_t queue, uint16_t vector)
{
    uint16_t got;
    if (vd->modern) {
        mmio_write16(&vd->mmio, creg(vd, VIRTIO_COMMON_Q_SELECT), queue);
        mmio_write16(&vd->mmio, creg(vd, VIRTIO_COMMON_Q_MSIX), vector);
        got = mmio_read16(&vd->mmio, creg(vd, VIRTIO_COMMON_Q_MSIX));
    } else {
        outw((uint16_t)(vd->io_base + VIRTIO_LEGACY_QUEUE_SELECT), queue);
        outw((uint16_t)(vd->io_base + VIRTIO_LEGACY_MSIX_QUEUE), vector);
        got = inw((uint16_t)(vd->io_base + VIRTIO_LEGACY_MSIX_QUEUE));
    }
    return got == vector ? 0 : -EIO;
}

uint8_t virtio_isr_read(struct virtio_device *vd)
{
    if (vd->modern)
        return mmio_read8(&vd->mmio, vd->isr);
    return inb((uint16_t)(vd->io_base + VIRTIO_LEGACY_ISR));
}

static bool cfg_ok(struct virtio_device *vd, uint32_t off, uint32_t width)
{
    if (vd->modern)
        return vd->devcfg && (uint64_t)off + width <= vd->devcfg_len;
    return (uint64_t)off + width + vd->legacy_cfg <= vd->pci->bars[0].size;
}

uint8_t virtio_config_read8(struct virtio_device *vd, uint32_t off)
{
    if (!cfg_ok(vd, off, 1))
        return 0;
    if (vd->modern)
        return mmio_read8(&vd->mmio, vd->devcfg + off);
    return inb((uint16_t)(vd->io_base + vd->legacy_cfg + off));
}

uint16_t virtio_config_read16(struct virtio_device *vd, uint32_t off)
{
    if (!cfg_ok(vd, off, 2))
        return 0;
    if (vd->modern)
        return mmio_read16(&vd->mmio, vd->devcfg + off);
    return inw((uint16_t)(vd->io_base + vd->legacy_cfg + off));
}

uint32_t virtio_config_read32(struct virtio_device *vd, uint32_t off)
{
    if (!cfg_ok(vd, off, 4))
        return 0;
    if (vd->modern)
        return mmio_read32(&vd->mmio, vd->devcfg + off);
    return inl((uint16_t)(vd->io_base + vd->legacy_cfg + off));
}

uint64_t virtio_config_read64(struct virtio_device *vd, uint32_t off)
{
    uint64_t v = 0;
    for (int i = 0; i < CFG_GEN_TRIES; i++) {
        uint8_t gen = vd->modern ? mmio_read8(&vd->mmio, creg(vd, VIRTIO_COMMON_CFGGEN)) : 0;
        v = virtio_config_read32(vd, off) | (uint64_t)virtio_config_read32(vd, off + 4) << 32;
        if (vd->modern) {
            if (mmio_read8(&vd->mmio, creg(vd, VIRTIO_COMMON_CFGGEN)) == gen)
                break;
        } else if ((virtio_config_read32(vd, off + 4)) == (uint32_t)(v >> 32)) {
            break; /* legacy has no generation: the high half did not move */
        }
    }
    return v;
}
