/*
 * pci_mock.c - simulated PCI configuration space (pci_mock.h).
 */
#include "pci_mock.h"
#include <string.h>

void pci_mock_init(struct pci_mock *m)
{
    memset(m, 0, sizeof(*m));
}

void pci_mock_install(struct pci_mock *m, port_device_fn next, void *next_ctx)
{
    m->next = next;
    m->next_ctx = next_ctx;
    cpu_mock_set_device(pci_mock_io, m);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

struct pci_mock_fn *pci_mock_add(struct pci_mock *m, uint8_t bus, uint8_t slot, uint8_t func,
                                 uint16_t vendor, uint16_t device, uint8_t cls, uint8_t sub,
                                 uint8_t header_type)
{
    for (int i = 0; i < PCI_MOCK_FNS; i++) {
        struct pci_mock_fn *f = &m->fns[i];
        if (f->present)
            continue;
        f->present = true;
        f->bus = bus;
        f->slot = slot;
        f->func = func;
        put16(&f->cfg[0], vendor);
        put16(&f->cfg[2], device);
        f->cfg[0x0b] = cls;
        f->cfg[0x0a] = sub;
        f->cfg[0x0e] = header_type;
        f->wmask[0x04] = 0xff; /* command */
        f->wmask[0x05] = 0x07;
        f->wmask[0x3c] = 0xff; /* interrupt line */
        f->next_cap = 0x40;
        return f;
    }
    return NULL;
}

void pci_mock_set_bar(struct pci_mock_fn *f, int index, int type, bool prefetch, uint64_t base,
                      uint64_t size)
{
    uint8_t *p = &f->cfg[0x10 + 4 * index];
    uint8_t *w = &f->wmask[0x10 + 4 * index];
    uint64_t mask = ~(size - 1);
    if (type == PCI_MOCK_IO) {
        put32(p, (uint32_t)base | 1);
        put32(w, (uint32_t)mask & 0xfffcu);
        return;
    }
    uint32_t bits = (type == PCI_MOCK_MEM64 ? 4u : 0u) | (prefetch ? 8u : 0u);
    put32(p, ((uint32_t)base & ~0xfu) | bits);
    put32(w, (uint32_t)mask & ~0xfu);
    if (type == PCI_MOCK_MEM64) {
        put32(p + 4, (uint32_t)(base >> 32));
        put32(w + 4, (uint32_t)(mask >> 32));
    }
}

uint8_t pci_mock_add_cap(struct pci_mock_fn *f, uint8_t id, const uint8_t *body, uint8_t len)
{
    uint8_t off = f->next_cap;
    f->cfg[off] = id;
    f->cfg[off + 1] = 0;
    memcpy(&f->cfg[off + 2], body, len);
    if (f->last_cap)
        f->cfg[f->last_cap + 1] = off;
    else
        f->cfg[0x34] = off;
    f->cfg[0x06] |= 0x10;
    f->last_cap = off;
    f->next_cap = (uint8_t)((off + 2 + len + 3) & ~3);
    return off;
}

void pci_mock_set_bridge(struct pci_mock_fn *f, uint8_t secondary, uint8_t subordinate)
{
    f->cfg[0x18] = f->bus;
    f->cfg[0x19] = secondary;
    f->cfg[0x1a] = subordinate;
}

void pci_mock_set_irq(struct pci_mock_fn *f, uint8_t line, uint8_t pin)
{
    f->cfg[0x3c] = line;
    f->cfg[0x3d] = pin;
}

static struct pci_mock_fn *lookup(struct pci_mock *m, uint32_t addr)
{
    uint8_t bus = (uint8_t)(addr >> 16), slot = (addr >> 11) & 31, func = (addr >> 8) & 7;
    for (int i = 0; i < PCI_MOCK_FNS; i++) {
        struct pci_mock_fn *f = &m->fns[i];
        if (f->present && f->bus == bus && f->slot == slot && f->func == func)
            return f;
    }
    return NULL;
}

uint32_t pci_mock_io(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    struct pci_mock *m = ctx;
    if (port == 0xcf8 && width == 4) {
        if (write)
            m->addr = val;
        return m->addr;
    }
    if (port < 0xcfc || port > 0xcff) {
        if (m->next)
            return m->next(m->next_ctx, port, width, write, val);
        return 0xffffffffu;
    }
    struct pci_mock_fn *f = (m->addr & 0x80000000u) ? lookup(m, m->addr) : NULL;
    unsigned off = (m->addr & 0xfc) + (port - 0xcfc);
    if (write) {
        m->cfg_writes++;
        if (f && off <= PCI_MOCK_COMMAND && off + (unsigned)width > PCI_MOCK_COMMAND)
            m->cmd_writes++;
        if (f && off >= 0x10 && off < 0x28 && width == 4 && val == 0xffffffffu &&
            (f->cfg[PCI_MOCK_COMMAND] & 3))
            m->sized_while_decoding++;
        for (int i = 0; f && i < width && off + i < 256; i++) {
            uint8_t w = f->wmask[off + i];
            f->cfg[off + i] = (uint8_t)((f->cfg[off + i] & ~w) | ((val >> (8 * i)) & w));
        }
        return 0;
    }
    m->cfg_reads++;
    if (!f)
        return 0xffffffffu;
    uint32_t v = 0;
    for (int i = 0; i < width && off + i < 256; i++)
        v |= (uint32_t)f->cfg[off + i] << (8 * i);
    return v;
}
