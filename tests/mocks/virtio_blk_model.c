/*
 * virtio_blk_model.c - simulated virtio-blk device (virtio_blk_model.h).
 */
#include "virtio_blk_model.h"
#include <dev/virtio.h>
#include <dev/virtio_blk.h>
#include <dev/virtqueue.h>
#include <stdlib.h>
#include <string.h>

#define CAP_COMMON  0x0000u
#define CAP_ISR     0x1000u
#define CAP_DEVICE  0x2000u
#define CAP_NOTIFY  0x3000u
#define NOTIFY_MULT 4u

void vblk_model_init(struct vblk_model *m, struct virtio_dma_arena *dma, bool modern, bool legacy)
{
    memset(m, 0, sizeof(*m));
    m->dma = dma;
    m->modern = modern;
    m->legacy = legacy;
    m->features = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
                  1ull << VIRTIO_BLK_F_FLUSH | 1ull << 24 /* NOTIFY_ON_EMPTY: not ours */;
    if (modern)
        m->features |= 1ull << VIRTIO_F_VERSION_1 | 1ull << 33 /* ACCESS_PLATFORM */;
    m->capacity = 2048;
    m->blk_size = 512;
    m->seg_max = 8;
    m->queue_max = 16;
    m->auto_complete = true;
    m->ioerr_sector = -1;
    m->bar_phys = VBLK_MODEL_BAR_PHYS;
    m->io_base = VBLK_MODEL_IO_BASE;
}

void vblk_model_free(struct vblk_model *m)
{
    free(m->disk);
    free(m->bar);
    m->disk = NULL;
    m->bar = NULL;
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void add_vcap(struct pci_mock_fn *f, uint8_t type, uint32_t off, uint32_t len)
{
    uint8_t body[18] = { 0 };
    bool notify = type == VIRTIO_PCI_CAP_NOTIFY;
    body[0] = notify ? 20 : 16; /* cap_len */
    body[1] = type;
    body[2] = 4; /* BAR 4 */
    put32(&body[6], off);
    put32(&body[10], len);
    if (notify)
        put32(&body[14], NOTIFY_MULT);
    pci_mock_add_cap(f, PCI_CAP_ID_VENDOR, body, notify ? 18 : 14);
}

struct pci_mock_fn *vblk_model_attach(struct vblk_model *m, struct pci_mock *pci, uint8_t bus,
                                      uint8_t slot)
{
    m->pci = pci;
    m->disk = calloc(m->capacity ? m->capacity : 1, VIRTIO_BLK_SECTOR);
    uint16_t devid = m->legacy ? VIRTIO_PCI_LEGACY_BLK : VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_BLOCK;
    struct pci_mock_fn *f =
        pci_mock_add(pci, bus, slot, 0, VIRTIO_PCI_VENDOR, devid, 0x01, 0x00, 0);
    m->fn = f;
    pci_mock_set_irq(f, 11, 1);
    if (m->legacy)
        pci_mock_set_bar(f, 0, PCI_MOCK_IO, false, m->io_base, 0x40);
    m->queue_vector = VIRTIO_MSI_NO_VECTOR;
    if (m->modern || m->msix) {
        m->bar = aligned_alloc(4096, VBLK_MODEL_BAR_SIZE);
        memset(m->bar, 0, VBLK_MODEL_BAR_SIZE);
        pci_mock_set_bar(f, 4, PCI_MOCK_MEM64, true, m->bar_phys, VBLK_MODEL_BAR_SIZE);
    }
    if (m->msix) {
        /* Two entries; table and pending bits in BAR 4; control's enable and
         * mask bits writable. */
        uint8_t msix[10] = { 1, 0 };
        uint32_t table = VBLK_MODEL_MSIX_TABLE | 4, pba = (VBLK_MODEL_MSIX_TABLE + 0x800) | 4;
        memcpy(msix + 2, &table, 4);
        memcpy(msix + 6, &pba, 4);
        m->msix_cap = pci_mock_add_cap(f, PCI_CAP_ID_MSIX, msix, sizeof(msix));
        f->wmask[m->msix_cap + 3] = 0xc0;
        for (int e = 0; e < 2; e++)
            m->bar[VBLK_MODEL_MSIX_TABLE + e * 16 + 12] = 1; /* masked at reset */
    }
    if (m->modern) {
        uint8_t msix[10] = { 0 };
        if (!m->msix)
            pci_mock_add_cap(f, 0x11, msix, sizeof(msix)); /* a broken MSI-X: ignored */
        add_vcap(f, VIRTIO_PCI_CAP_COMMON, CAP_COMMON, VIRTIO_COMMON_SIZE);
        add_vcap(f, VIRTIO_PCI_CAP_ISR, CAP_ISR, 1);
        add_vcap(f, VIRTIO_PCI_CAP_DEVICE, CAP_DEVICE, 0x40);
        add_vcap(f, VIRTIO_PCI_CAP_NOTIFY, CAP_NOTIFY, 0x1000);
    }
    return f;
}

static void reset(struct vblk_model *m)
{
    m->status = 0;
    m->isr = 0;
    m->dfsel = m->gfsel = 0;
    m->driver_features = 0;
    m->qsel = 0;
    m->qsize = m->queue_max;
    m->qenabled = false;
    m->desc = m->avail = m->used = 0;
    m->last_avail = m->used_idx = 0;
    m->queue_vector = VIRTIO_MSI_NO_VECTOR;
    m->npending = 0;
    m->resets++;
}

static void build_cfg(struct vblk_model *m)
{
    memset(m->cfgimg, 0, sizeof(m->cfgimg));
    memcpy(&m->cfgimg[0], &m->capacity, 8);
    put32(&m->cfgimg[8], m->size_max);
    put32(&m->cfgimg[12], m->seg_max);
    put32(&m->cfgimg[20], m->blk_size);
}

static void *guest(struct vblk_model *m, uint64_t phys, size_t len)
{
    void *p = virtio_dma_virt(m->dma, phys, len);
    if (!p)
        m->violations++;
    return p;
}

/* Take new chain heads from the available ring. */
static void fetch(struct vblk_model *m)
{
    if (!m->qenabled || !m->avail)
        return;
    struct virtq_avail *av = guest(m, m->avail, 4 + 2u * m->qsize);
    if (!av)
        return;
    uint16_t idx = __atomic_load_n(&av->idx, __ATOMIC_ACQUIRE);
    if ((uint16_t)(idx - m->last_avail) > m->qsize)
        m->violations++; /* the driver published more than the ring holds */
    while (m->last_avail != idx && m->npending < VBLK_MODEL_PENDING) {
        m->pending[m->npending++] = av->ring[m->last_avail % m->qsize];
        m->last_avail++;
    }
    if (m->npending > m->max_pending)
        m->max_pending = m->npending;
}

/* Perform one request and put it in the used ring. */
static bool msix_on(const struct vblk_model *m)
{
    return m->msix && (m->fn->cfg[m->msix_cap + 3] & 0x80);
}

/* With MSI-X on, a used buffer raises the queue's entry, unless it is masked. */
static void send_msi(struct vblk_model *m)
{
    if (!msix_on(m) || m->queue_vector >= 2 || (m->fn->cfg[m->msix_cap + 3] & 0x40))
        return;
    uint8_t *e = m->bar + VBLK_MODEL_MSIX_TABLE + m->queue_vector * 16;
    uint32_t lo, hi, data, ctl;
    memcpy(&lo, e, 4);
    memcpy(&hi, e + 4, 4);
    memcpy(&data, e + 8, 4);
    memcpy(&ctl, e + 12, 4);
    if (ctl & 1)
        return;
    m->msis++;
    if (m->msi)
        m->msi(m->msi_ctx, (uint64_t)hi << 32 | lo, data);
}

static void set_queue_vector(struct vblk_model *m, uint16_t v)
{
    if (m->qsel == 0)
        m->queue_vector =
            m->refuse_vector || (v >= 2 && v != VIRTIO_MSI_NO_VECTOR) ? VIRTIO_MSI_NO_VECTOR : v;
}

static void serve(struct vblk_model *m, uint16_t head)
{
    struct virtq_desc *table = guest(m, m->desc, 16u * m->qsize);
    struct virtq_used *used = guest(m, m->used, 4 + 8u * m->qsize);
    if (!table || !used)
        return;
    struct virtq_desc chain[VIRTQ_MAX_SIZE];
    unsigned n = 0;
    uint16_t i = head;
    for (;;) {
        if (i >= m->qsize || n >= m->qsize) {
            m->violations++;
            return;
        }
        chain[n++] = table[i];
        if (!(table[i].flags & VIRTQ_DESC_F_NEXT))
            break;
        i = table[i].next;
    }
    m->requests++;
    if (n < 2 || chain[0].len != sizeof(struct virtio_blk_req_hdr) ||
        (chain[0].flags & VIRTQ_DESC_F_WRITE) || !(chain[n - 1].flags & VIRTQ_DESC_F_WRITE) ||
        chain[n - 1].len < 1) {
        m->violations++;
        return;
    }
    struct virtio_blk_req_hdr *hdr = guest(m, chain[0].addr, sizeof(*hdr));
    uint8_t *status = guest(m, chain[n - 1].addr, 1);
    if (!hdr || !status)
        return;
    if (n - 2 > m->max_segs)
        m->max_segs = n - 2;
    if (m->seg_max && n - 2 > m->seg_max)
        m->violations++;
    uint8_t st = VIRTIO_BLK_S_OK;
    uint32_t written = 1;
    uint64_t total = 0;
    for (unsigned k = 1; k + 1 < n; k++) {
        total += chain[k].len;
        if (m->size_max && chain[k].len > m->size_max)
            m->violations++;
        bool dev_writes = chain[k].flags & VIRTQ_DESC_F_WRITE;
        if (dev_writes != (hdr->type == VIRTIO_BLK_T_IN))
            m->violations++;
    }
    if (hdr->type == VIRTIO_BLK_T_IN || hdr->type == VIRTIO_BLK_T_OUT) {
        bool in = hdr->type == VIRTIO_BLK_T_IN;
        in ? m->reads++ : m->writes++;
        if (total % VIRTIO_BLK_SECTOR)
            m->violations++;
        if (hdr->sector + total / VIRTIO_BLK_SECTOR > m->capacity) {
            st = VIRTIO_BLK_S_IOERR;
        } else if (m->ioerr_sector >= 0 && (uint64_t)m->ioerr_sector >= hdr->sector &&
                   (uint64_t)m->ioerr_sector < hdr->sector + total / VIRTIO_BLK_SECTOR) {
            st = VIRTIO_BLK_S_IOERR;
        } else {
            uint8_t *disk = m->disk + hdr->sector * VIRTIO_BLK_SECTOR;
            for (unsigned k = 1; k + 1 < n; k++) {
                uint8_t *p = guest(m, chain[k].addr, chain[k].len);
                if (!p)
                    return;
                if (in)
                    memcpy(p, disk, chain[k].len);
                else
                    memcpy(disk, p, chain[k].len);
                disk += chain[k].len;
            }
            if (in)
                written += (uint32_t)total;
        }
    } else if (hdr->type == VIRTIO_BLK_T_FLUSH) {
        m->flushes++;
        if (m->unsupp_flush || !(m->driver_features & 1ull << VIRTIO_BLK_F_FLUSH))
            st = VIRTIO_BLK_S_UNSUPP;
    } else {
        st = VIRTIO_BLK_S_UNSUPP;
    }
    if (!m->skip_status)
        *status = st;
    struct virtq_used_elem *e = &used->ring[m->used_idx % m->qsize];
    e->id = head;
    e->len = written;
    m->used_idx++;
    __atomic_store_n(&used->idx, m->used_idx, __ATOMIC_RELEASE);
    m->isr |= VIRTIO_ISR_QUEUE;
    m->interrupts++;
    send_msi(m);
}

unsigned vblk_model_complete(struct vblk_model *m, int max)
{
    fetch(m);
    unsigned done = 0;
    while (m->npending && (max < 0 || done < (unsigned)max)) {
        uint16_t head;
        if (m->reverse) {
            head = m->pending[--m->npending];
        } else {
            head = m->pending[0];
            memmove(m->pending, m->pending + 1, --m->npending * sizeof(m->pending[0]));
        }
        serve(m, head);
        done++;
    }
    return done;
}

unsigned vblk_model_complete_at(struct vblk_model *m, unsigned i)
{
    fetch(m);
    if (i >= m->npending)
        return 0;
    uint16_t head = m->pending[i];
    memmove(m->pending + i, m->pending + i + 1, (--m->npending - i) * sizeof(m->pending[0]));
    serve(m, head);
    return 1;
}

static void notified(struct vblk_model *m, uint32_t queue)
{
    m->notifies++;
    if (queue != 0)
        m->violations++;
    if (m->auto_complete)
        vblk_model_complete(m, -1);
}

static void set_status(struct vblk_model *m, uint8_t v)
{
    if (v == 0) {
        reset(m);
        return;
    }
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(m->status & VIRTIO_STATUS_FEATURES_OK)) {
        bool subset = (m->driver_features & ~m->features) == 0;
        if (m->refuse_features || !subset)
            v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
    }
    if ((v & VIRTIO_STATUS_DRIVER_OK) && m->no_notify && m->used) {
        struct virtq_used *u = guest(m, m->used, 4);
        if (u)
            u->flags = VIRTQ_USED_F_NO_NOTIFY;
    }
    m->status = v;
}

/* ---- legacy I/O BAR ---- */

uint32_t vblk_model_io(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    struct vblk_model *m = ctx;
    if (!m->legacy || port < m->io_base || port >= m->io_base + 0x40)
        return 0xffffffffu;
    unsigned off = port - m->io_base;
    unsigned cfg = msix_on(m) ? VIRTIO_LEGACY_CONFIG_MSIX : VIRTIO_LEGACY_CONFIG;
    if (cfg == VIRTIO_LEGACY_CONFIG_MSIX && off == VIRTIO_LEGACY_MSIX_QUEUE) {
        if (write)
            set_queue_vector(m, (uint16_t)val);
        return write ? 0 : (m->qsel == 0 ? m->queue_vector : VIRTIO_MSI_NO_VECTOR);
    }
    if (cfg == VIRTIO_LEGACY_CONFIG_MSIX && off == VIRTIO_LEGACY_MSIX_CONFIG)
        return write ? 0 : VIRTIO_MSI_NO_VECTOR;
    if (off >= cfg) {
        if (write)
            return 0;
        build_cfg(m);
        uint32_t v = 0;
        memcpy(&v, &m->cfgimg[off - cfg], (size_t)width);
        return v;
    }
    if (write) {
        switch (off) {
        case VIRTIO_LEGACY_GUEST_FEATURES:
            m->driver_features = val;
            break;
        case VIRTIO_LEGACY_QUEUE_PFN:
            if (m->qsel == 0) {
                m->desc = (uint64_t)val << 12;
                m->avail = m->desc + 16u * m->qsize;
                m->used = (m->avail + 6 + 2u * m->qsize + 4095) & ~4095ull;
                m->qenabled = val != 0;
            }
            break;
        case VIRTIO_LEGACY_QUEUE_SELECT:
            m->qsel = (uint16_t)val;
            break;
        case VIRTIO_LEGACY_QUEUE_NOTIFY:
            notified(m, val);
            break;
        case VIRTIO_LEGACY_STATUS:
            set_status(m, (uint8_t)val);
            break;
        default:
            m->violations++; /* read-only register */
        }
        return 0;
    }
    switch (off) {
    case VIRTIO_LEGACY_HOST_FEATURES:
        return (uint32_t)m->features;
    case VIRTIO_LEGACY_GUEST_FEATURES:
        return (uint32_t)m->driver_features;
    case VIRTIO_LEGACY_QUEUE_PFN:
        return m->qsel == 0 ? (uint32_t)(m->desc >> 12) : 0;
    case VIRTIO_LEGACY_QUEUE_SIZE:
        return m->qsel == 0 ? m->queue_max : 0;
    case VIRTIO_LEGACY_QUEUE_SELECT:
        return m->qsel;
    case VIRTIO_LEGACY_STATUS:
        return m->status;
    case VIRTIO_LEGACY_ISR: {
        uint8_t isr = m->isr;
        m->isr = 0;
        return isr;
    }
    }
    return 0;
}

/* ---- modern MMIO BAR ---- */

void *vblk_model_map(void *ctx, uint64_t phys, size_t size)
{
    struct vblk_model *m = ctx;
    if (!m->bar || phys != m->bar_phys || size > VBLK_MODEL_BAR_SIZE)
        return NULL;
    return m->bar;
}

/* Refresh the common configuration image from the model state. */
static void refresh_common(struct vblk_model *m)
{
    uint8_t *c = m->bar + CAP_COMMON;
    uint64_t df = m->dfsel == 0 ? (uint32_t)m->features : m->dfsel == 1 ? m->features >> 32 : 0;
    uint64_t gf = m->gfsel == 0   ? (uint32_t)m->driver_features
                  : m->gfsel == 1 ? m->driver_features >> 32
                                  : 0;
    put32(c + VIRTIO_COMMON_DFSELECT, m->dfsel);
    put32(c + VIRTIO_COMMON_DF, (uint32_t)df);
    put32(c + VIRTIO_COMMON_GFSELECT, m->gfsel);
    put32(c + VIRTIO_COMMON_GF, (uint32_t)gf);
    uint16_t numq = 1, qsize = m->qsel == 0 ? m->qsize : 0, noff = m->notify_off;
    uint16_t en = m->qsel == 0 && m->qenabled;
    memcpy(c + VIRTIO_COMMON_NUMQ, &numq, 2);
    c[VIRTIO_COMMON_STATUS] = m->status;
    c[VIRTIO_COMMON_CFGGEN] = m->cfg_gen;
    memcpy(c + VIRTIO_COMMON_Q_SELECT, &m->qsel, 2);
    memcpy(c + VIRTIO_COMMON_Q_SIZE, &qsize, 2);
    memcpy(c + VIRTIO_COMMON_Q_ENABLE, &en, 2);
    memcpy(c + VIRTIO_COMMON_Q_NOFF, &noff, 2);
    uint16_t qv = m->qsel == 0 ? m->queue_vector : VIRTIO_MSI_NO_VECTOR;
    memcpy(c + VIRTIO_COMMON_Q_MSIX, &qv, 2);
    if (m->qsel == 0) {
        memcpy(c + VIRTIO_COMMON_Q_DESC, &m->desc, 8);
        memcpy(c + VIRTIO_COMMON_Q_DRIVER, &m->avail, 8);
        memcpy(c + VIRTIO_COMMON_Q_DEVICE, &m->used, 8);
    }
}

static uint32_t model_read(void *ctx, volatile void *addr, int width)
{
    struct vblk_model *m = ctx;
    size_t off = (size_t)((uint8_t *)addr - m->bar);
    uint32_t v = 0;
    if (off >= CAP_ISR && off < CAP_ISR + 1) {
        v = m->isr;
        m->isr = 0;
        return v;
    }
    if (off < CAP_COMMON + VIRTIO_COMMON_SIZE)
        refresh_common(m);
    else if (off >= CAP_DEVICE && off < CAP_DEVICE + sizeof(m->cfgimg)) {
        build_cfg(m);
        memcpy(m->bar + CAP_DEVICE, m->cfgimg, sizeof(m->cfgimg));
    }
    memcpy(&v, m->bar + off, (size_t)width);
    return v;
}

static void model_write(void *ctx, volatile void *addr, int width, uint32_t val)
{
    struct vblk_model *m = ctx;
    size_t off = (size_t)((uint8_t *)addr - m->bar);
    if (off >= CAP_NOTIFY && off < CAP_NOTIFY + 0x1000) {
        if (width != 2 || off != CAP_NOTIFY + (size_t)m->notify_off * NOTIFY_MULT)
            m->violations++;
        notified(m, val);
        return;
    }
    if (m->msix && off >= VBLK_MODEL_MSIX_TABLE &&
        off + (size_t)width <= VBLK_MODEL_MSIX_TABLE + 32) {
        memcpy(m->bar + off, &val, (size_t)width); /* the MSI-X table */
        return;
    }
    if (off >= VIRTIO_COMMON_SIZE || !m->modern) {
        m->violations++; /* nothing else is writable */
        return;
    }
    refresh_common(m);
    memcpy(m->bar + off, &val, (size_t)width);
    uint8_t *c = m->bar;
    switch (off) {
    case VIRTIO_COMMON_DFSELECT:
        m->dfsel = val;
        break;
    case VIRTIO_COMMON_GFSELECT:
        m->gfsel = val;
        break;
    case VIRTIO_COMMON_GF:
        if (m->gfsel == 0)
            m->driver_features = (m->driver_features & ~0xffffffffull) | val;
        else if (m->gfsel == 1)
            m->driver_features = (m->driver_features & 0xffffffffull) | (uint64_t)val << 32;
        break;
    case VIRTIO_COMMON_STATUS:
        set_status(m, (uint8_t)val);
        break;
    case VIRTIO_COMMON_Q_SELECT:
        m->qsel = (uint16_t)val;
        break;
    case VIRTIO_COMMON_Q_SIZE:
        if (m->qsel == 0) {
            if (val > m->queue_max || (val & (val - 1)))
                m->violations++;
            m->qsize = (uint16_t)val;
        }
        break;
    case VIRTIO_COMMON_Q_ENABLE:
        if (m->qsel == 0)
            m->qenabled = val == 1;
        break;
    case VIRTIO_COMMON_Q_MSIX:
        set_queue_vector(m, (uint16_t)val);
        break;
    case VIRTIO_COMMON_MSIX:
        break;
    default:
        if (off >= VIRTIO_COMMON_Q_DESC && off < VIRTIO_COMMON_SIZE && m->qsel == 0) {
            memcpy(&m->desc, c + VIRTIO_COMMON_Q_DESC, 8);
            memcpy(&m->avail, c + VIRTIO_COMMON_Q_DRIVER, 8);
            memcpy(&m->used, c + VIRTIO_COMMON_Q_DEVICE, 8);
        } else {
            m->violations++;
        }
    }
}

const struct mmio_ops vblk_model_mmio_ops = { model_read, model_write };
