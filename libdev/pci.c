/*
 * pci.c - PCI configuration access, enumeration, BARs and capabilities (dev/pci.h).
 *
 * Layer: lowest layer of the PCI bus, directly on port I/O (mechanism #1, ports
 * 0xCF8/0xCFC). Interface: pci_config_*, pci_read/write*, pci_probe_function,
 * pci_enumerate, pci_size_bars, pci_bar_decode, pci_cap_next/find, pci_enable.
 * Locking: pci_lock (interrupt-safe) covers each address/data pair;
 * enumeration (and its `scan_state`) runs at boot, from one thread; BAR sizing
 * before a driver uses the function (or, for a function no driver binds, at
 * its first listing, which /proc serialises under the VFS lock).
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <arch/spinlock.h>
#include <dev/pci.h>
#include <string.h>

static struct spinlock pci_lock = SPINLOCK_INIT("pci");

static uint32_t cfg_addr(uint8_t b, uint8_t s, uint8_t f, uint8_t off)
{
    return 0x80000000u | (uint32_t)b << 16 | (uint32_t)(s & 31) << 11 | (uint32_t)(f & 7) << 8 |
           (off & 0xfc);
}

uint8_t pci_config_read8(uint8_t b, uint8_t s, uint8_t f, uint8_t off)
{
    uint64_t fl = spin_lock_irqsave(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, cfg_addr(b, s, f, off));
    uint8_t v = inb((uint16_t)(PCI_CONFIG_DATA + (off & 3)));
    spin_unlock_irqrestore(&pci_lock, fl);
    return v;
}

uint16_t pci_config_read16(uint8_t b, uint8_t s, uint8_t f, uint8_t off)
{
    uint64_t fl = spin_lock_irqsave(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, cfg_addr(b, s, f, off));
    uint16_t v = inw((uint16_t)(PCI_CONFIG_DATA + (off & 2)));
    spin_unlock_irqrestore(&pci_lock, fl);
    return v;
}

uint32_t pci_config_read32(uint8_t b, uint8_t s, uint8_t f, uint8_t off)
{
    uint64_t fl = spin_lock_irqsave(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, cfg_addr(b, s, f, off));
    uint32_t v = inl(PCI_CONFIG_DATA);
    spin_unlock_irqrestore(&pci_lock, fl);
    return v;
}

void pci_config_write8(uint8_t b, uint8_t s, uint8_t f, uint8_t off, uint8_t v)
{
    uint64_t fl = spin_lock_irqsave(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, cfg_addr(b, s, f, off));
    outb((uint16_t)(PCI_CONFIG_DATA + (off & 3)), v);
    spin_unlock_irqrestore(&pci_lock, fl);
}

void pci_config_write16(uint8_t b, uint8_t s, uint8_t f, uint8_t off, uint16_t v)
{
    uint64_t fl = spin_lock_irqsave(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, cfg_addr(b, s, f, off));
    outw((uint16_t)(PCI_CONFIG_DATA + (off & 2)), v);
    spin_unlock_irqrestore(&pci_lock, fl);
}

void pci_config_write32(uint8_t b, uint8_t s, uint8_t f, uint8_t off, uint32_t v)
{
    uint64_t fl = spin_lock_irqsave(&pci_lock);
    outl(PCI_CONFIG_ADDRESS, cfg_addr(b, s, f, off));
    outl(PCI_CONFIG_DATA, v);
    spin_unlock_irqrestore(&pci_lock, fl);
}

uint8_t pci_read8(const struct pci_device *d, uint8_t off)
{
    return pci_config_read8(d->bus, d->slot, d->func, off);
}

uint16_t pci_read16(const struct pci_device *d, uint8_t off)
{
    return pci_config_read16(d->bus, d->slot, d->func, off);
}

uint32_t pci_read32(const struct pci_device *d, uint8_t off)
{
    return pci_config_read32(d->bus, d->slot, d->func, off);
}

void pci_write8(const struct pci_device *d, uint8_t off, uint8_t v)
{
    pci_config_write8(d->bus, d->slot, d->func, off, v);
}

void pci_write16(const struct pci_device *d, uint8_t off, uint16_t v)
{
    pci_config_write16(d->bus, d->slot, d->func, off, v);
}

void pci_write32(const struct pci_device *d, uint8_t off, uint32_t v)
{
    pci_config_write32(d->bus, d->slot, d->func, off, v);
}

/* Lowest set bit of the writable address bits: the decoded size. */
static uint64_t size_from_mask(uint64_t mask)
{
    return mask & (~mask + 1);
}

/* Sizing writes all ones to a BAR: the device must not decode that address
 * meanwhile. Decoding goes off once per device, not per BAR: under QEMU each
 * change of the command register's decode bits remaps the device's regions,
 * which costs about a millisecond of emulation (docs/benchmarks.md, "Boot time"). */
static uint16_t decode_off(const struct pci_device *d)
{
    uint16_t cmd = pci_read16(d, PCI_COMMAND);
    if (cmd & (PCI_CMD_IO | PCI_CMD_MEMORY))
        pci_write16(d, PCI_COMMAND, cmd & (uint16_t) ~(PCI_CMD_IO | PCI_CMD_MEMORY));
    return cmd;
}

static void decode_restore(const struct pci_device *d, uint16_t cmd)
{
    if (cmd & (PCI_CMD_IO | PCI_CMD_MEMORY))
        pci_write16(d, PCI_COMMAND, cmd);
}

/* pci_bar_decode with the device's decoding already off. */
static int bar_decode(const struct pci_device *d, int index, struct pci_bar *bar)
{
    memset(bar, 0, sizeof(*bar));
    uint8_t off = (uint8_t)(PCI_BAR0 + 4 * index);
    uint32_t orig = pci_read32(d, off);
    pci_write32(d, off, 0xffffffffu);
    uint32_t probe = pci_read32(d, off);
    pci_write32(d, off, orig);
    int used = 1;
    if (orig & 1) {
        uint64_t mask = probe & ~3u & 0xffffu;
        if (mask) {
            bar->type = PCI_BAR_IO;
            bar->base = orig & ~3u & 0xffffu;
            bar->size = size_from_mask(mask);
        }
    } else {
        uint32_t kind = (orig >> 1) & 3;
        uint64_t mask = probe & ~0xfu;
        uint64_t base = orig & ~0xfu;
        if (kind == 2 && index + 1 < PCI_MAX_BARS) {
            uint32_t orig_hi = pci_read32(d, (uint8_t)(off + 4));
            pci_write32(d, (uint8_t)(off + 4), 0xffffffffu);
            uint32_t probe_hi = pci_read32(d, (uint8_t)(off + 4));
            pci_write32(d, (uint8_t)(off + 4), orig_hi);
            mask |= (uint64_t)probe_hi << 32;
            base |= (uint64_t)orig_hi << 32;
            used = 2;
            bar->type = PCI_BAR_MEM64;
        } else if (kind == 0) {
            bar->type = PCI_BAR_MEM32;
        }
        if (bar->type != PCI_BAR_NONE && mask) {
            bar->base = base;
            bar->size = size_from_mask(mask);
            bar->prefetchable = (orig & 8) != 0;
        } else {
            bar->type = PCI_BAR_NONE;
        }
    }
    return used;
}

int pci_bar_decode(const struct pci_device *d, int index, struct pci_bar *bar)
{
    if (index < 0 || index >= PCI_MAX_BARS)
        return -EINVAL;
    uint16_t cmd = decode_off(d);
    int used = bar_decode(d, index, bar);
    decode_restore(d, cmd);
    return used;
}

void pci_size_bars(struct pci_device *d)
{
    if (d->bars_sized)
        return;
    int nbars = d->header_type == 0 ? PCI_MAX_BARS : d->header_type == PCI_HEADER_BRIDGE ? 2 : 0;
    if (nbars) {
        uint16_t cmd = decode_off(d);
        for (int i = 0; i < nbars;)
            i += bar_decode(d, i, &d->bars[i]);
        decode_restore(d, cmd);
    }
    d->bars_sized = true;
}

int pci_probe_function(struct pci_device *d, uint8_t bus, uint8_t slot, uint8_t func)
{
    int err = pci_probe_function_lazy(d, bus, slot, func);
    if (!err)
        pci_size_bars(d);
    return err;
}

int pci_probe_function_lazy(struct pci_device *d, uint8_t bus, uint8_t slot, uint8_t func)
{
    memset(d, 0, sizeof(*d));
    d->bus = bus;
    d->slot = slot;
    d->func = func;
    d->vendor_id = pci_read16(d, PCI_VENDOR_ID);
    if (d->vendor_id == 0xffff)
        return -ENODEV;
    d->device_id = pci_read16(d, PCI_DEVICE_ID);
    d->revision = pci_read8(d, PCI_REVISION);
    d->prog_if = pci_read8(d, PCI_PROG_IF);
    d->subclass = pci_read8(d, PCI_SUBCLASS);
    d->class_code = pci_read8(d, PCI_CLASS);
    uint8_t ht = pci_read8(d, PCI_HEADER_TYPE);
    d->header_type = ht & 0x7f;
    d->multifunction = (ht & PCI_HEADER_MULTIFN) != 0;
    d->irq_line = pci_read8(d, PCI_INTERRUPT_LINE);
    d->irq_pin = pci_read8(d, PCI_INTERRUPT_PIN);
    ksnprintf(d->dev.name, sizeof(d->dev.name), "0000:%02x:%02x.%x", bus, slot, func);

    if (d->header_type == 0) {
        d->subsys_vendor = pci_read16(d, PCI_SUBSYS_VENDOR);
        d->subsys_id = pci_read16(d, PCI_SUBSYS_ID);
    } else if (d->header_type == PCI_HEADER_BRIDGE) {
        d->secondary_bus = pci_read8(d, PCI_SECONDARY_BUS);
    }
    return 0;
}

/* Enumeration state: a breadth-first queue of buses, so bridges need no recursion. */
struct pci_scan {
    struct pci_device *out;
    size_t max, count;
    uint8_t queue[PCI_MAX_BUSES];
    unsigned head, tail;
    uint8_t seen[PCI_MAX_BUSES / 8];
    bool follow_bridges;
    bool lazy_bars;
    struct pci_device tmp;
};

static void queue_bus(struct pci_scan *sc, uint8_t bus)
{
    if (sc->seen[bus / 8] & (1u << (bus % 8)))
        return;
    sc->seen[bus / 8] |= (uint8_t)(1u << (bus % 8));
    sc->queue[sc->tail++ % PCI_MAX_BUSES] = bus;
}

static void found(struct pci_scan *sc, uint8_t bus, uint8_t slot, uint8_t func)
{
    struct pci_device *d = sc->count < sc->max ? &sc->out[sc->count] : &sc->tmp;
    if (sc->lazy_bars ? pci_probe_function_lazy(d, bus, slot, func)
                      : pci_probe_function(d, bus, slot, func))
        return;
    sc->count++;
    if (sc->follow_bridges && d->header_type == PCI_HEADER_BRIDGE &&
        d->class_code == PCI_CLASS_BRIDGE && d->subclass == PCI_SUBCLASS_P2P &&
        d->secondary_bus != 0)
        queue_bus(sc, d->secondary_bus);
}

static void scan_bus(struct pci_scan *sc, uint8_t bus)
{
    for (uint8_t slot = 0; slot < 32; slot++) {
        if (pci_config_read16(bus, slot, 0, PCI_VENDOR_ID) == 0xffff)
            continue;
        found(sc, bus, slot, 0);
        if (!(pci_config_read8(bus, slot, 0, PCI_HEADER_TYPE) & PCI_HEADER_MULTIFN))
            continue;
        for (uint8_t func = 1; func < 8; func++)
            if (pci_config_read16(bus, slot, func, PCI_VENDOR_ID) != 0xffff)
                found(sc, bus, slot, func);
    }
}

/* The scan state is large (it holds a pci_device); keep it off the kernel stack. */
static struct pci_scan scan_state;

int pci_enumerate(struct pci_device *out, size_t max, unsigned flags)
{
    if (!out && max)
        return -EINVAL;
    struct pci_scan *sc = &scan_state;
    memset(sc, 0, sizeof(*sc));
    sc->out = out;
    sc->max = max;
    sc->lazy_bars = (flags & PCI_SCAN_LAZY_BARS) != 0;
    if (flags & PCI_SCAN_ALL_BUSES) {
        for (unsigned bus = 0; bus < PCI_MAX_BUSES; bus++)
            scan_bus(sc, (uint8_t)bus);
        return (int)sc->count;
    }
    sc->follow_bridges = true;
    /* A multi-function host bridge at 00:00.0 means one root bus per function. */
    if (pci_config_read16(0, 0, 0, PCI_VENDOR_ID) != 0xffff &&
        (pci_config_read8(0, 0, 0, PCI_HEADER_TYPE) & PCI_HEADER_MULTIFN)) {
        for (uint8_t f = 0; f < 8; f++)
            if (pci_config_read16(0, 0, f, PCI_VENDOR_ID) != 0xffff)
                queue_bus(sc, f);
    } else {
        queue_bus(sc, 0);
    }
    while (sc->head != sc->tail)
        scan_bus(sc, sc->queue[sc->head++ % PCI_MAX_BUSES]);
    return (int)sc->count;
}

uint8_t pci_cap_next(const struct pci_device *d, uint8_t prev)
{
    if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
        return 0;
    uint8_t ptr = prev ? pci_read8(d, (uint8_t)(prev + 1)) : pci_read8(d, PCI_CAP_PTR);
    ptr &= 0xfc;
    return ptr >= 0x40 ? ptr : 0;
}

uint8_t pci_cap_find(const struct pci_device *d, uint8_t id, uint8_t start)
{
    uint8_t off = pci_cap_next(d, start);
    for (int n = 0; off && n < PCI_CAP_MAX; n++) {
        if (pci_read8(d, off) == id)
            return off;
        off = pci_cap_next(d, off);
    }
    return 0;
}

void pci_enable(const struct pci_device *d, uint16_t bits)
{
    uint16_t cmd = pci_read16(d, PCI_COMMAND);
    cmd |= bits & (PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_BUS_MASTER);
    cmd &= (uint16_t)~PCI_CMD_INTX_DISABLE;
    pci_write16(d, PCI_COMMAND, cmd);
}

int pci_msix_probe(const struct pci_device *d, struct pci_msix *m)
{
    *m = (struct pci_msix){ 0 };
    uint8_t cap = pci_cap_find(d, PCI_CAP_ID_MSIX, 0);
    if (!cap)
        return -ENOENT;
    uint16_t ctrl = pci_read16(d, (uint8_t)(cap + PCI_MSIX_CTRL));
    uint32_t table = pci_read32(d, (uint8_t)(cap + PCI_MSIX_TABLE));
    uint8_t bar = table & 7;
    uint16_t size = (uint16_t)((ctrl & 0x7ff) + 1);
    uint32_t offset = table & ~7u;
    if (bar >= PCI_MAX_BARS ||
        (d->bars[bar].type != PCI_BAR_MEM32 && d->bars[bar].type != PCI_BAR_MEM64) ||
        (uint64_t)offset + (uint64_t)size * PCI_MSIX_ENTRY_SIZE > d->bars[bar].size)
        return -ENODEV;
    *m = (struct pci_msix){ .cap = cap, .size = size, .bar = bar, .offset = offset };
    return 0;
}

int pci_msix_set_entry(const struct pci_msix *m, unsigned entry, uint64_t addr, uint32_t data,
                       bool masked)
{
    if (!m->table || entry >= m->size)
        return -EINVAL;
    volatile uint8_t *e = m->table + (size_t)entry * PCI_MSIX_ENTRY_SIZE;
    mmio_write32(m->mmio, e + 12, 1); /* masked while it changes */
    mmio_write32(m->mmio, e, (uint32_t)addr);
    mmio_write32(m->mmio, e + 4, (uint32_t)(addr >> 32));
    mmio_write32(m->mmio, e + 8, data);
    mmio_write32(m->mmio, e + 12, masked ? 1 : 0);
    return 0;
}

void pci_msix_enable(const struct pci_device *d, const struct pci_msix *m, bool on)
{
    uint8_t off = (uint8_t)(m->cap + PCI_MSIX_CTRL);
    uint16_t ctrl = pci_read16(d, off);
    ctrl = on ? (uint16_t)((ctrl | PCI_MSIX_ENABLE) & ~PCI_MSIX_MASKALL)
              : (uint16_t)(ctrl & ~PCI_MSIX_ENABLE);
    pci_write16(d, off, ctrl);
}
