/*
 * ioapic.c - the I/O APIC driver and its irq_chip (arch/ioapic.h).
 *
 * Layer: a controller under the IRQ layer (irq.c), beside the PICs (pic.c).
 * The routing of an ISA line is computed once, at ioapic_set_routing(), from
 * the MADT's overrides; unmasking writes the whole entry (destination first,
 * then the low dword with the mask bit clear, so the input is never live with
 * a half-written entry), masking sets the mask bit only.
 */
#include <arch/apic.h>
#include <arch/ioapic.h>
#include <arch/trap.h>
#include <k/errno.h>
#include <stddef.h>

struct ioapic {
    const struct ioapic_io *io;
    void *ctx;
    uint32_t gsi_base;
    uint32_t pins;
};

static struct ioapic chips[IOAPIC_MAX];
static unsigned nchips;
static struct ioapic_route routes[IRQ_LINES];
static bool routed[IRQ_LINES];
static uint8_t dest_apic;

static uint32_t mmio_read(void *ctx, uint32_t reg)
{
    volatile uint32_t *w = ctx;
    w[0] = reg;
    return w[4];
}

static void mmio_write(void *ctx, uint32_t reg, uint32_t val)
{
    volatile uint32_t *w = ctx;
    w[0] = reg;
    w[4] = val;
}

const struct ioapic_io ioapic_mmio_io = { .read = mmio_read, .write = mmio_write };

uint64_t ioapic_redir_encode(uint8_t vector, uint8_t dest, bool level, bool active_low, bool masked)
{
    uint64_t e = vector; /* delivery mode 000 (fixed), destination mode 0 (physical) */
    if (active_low)
        e |= IOAPIC_RED_LOW;
    if (level)
        e |= IOAPIC_RED_LEVEL;
    if (masked)
        e |= IOAPIC_RED_MASKED;
    return e | (uint64_t)dest << 56;
}

int ioapic_isa_route(const struct acpi_madt *m, int irq, struct ioapic_route *out)
{
    if (irq < 0 || irq >= IRQ_LINES)
        return -EINVAL;
    for (uint32_t i = 0; i < m->noverrides; i++) {
        const struct acpi_irq_override *o = &m->overrides[i];
        if (o->isa_irq == irq) {
            *out = (struct ioapic_route){ o->gsi, o->level, o->active_low };
            return 0;
        }
    }
    /* No override: the identity, unless another IRQ was moved onto this GSI. */
    for (uint32_t i = 0; i < m->noverrides; i++)
        if (m->overrides[i].gsi == (uint32_t)irq)
            return -ENOENT;
    *out = (struct ioapic_route){ (uint32_t)irq, false, false };
    return 0;
}

void ioapic_reset(void)
{
    nchips = 0;
    for (int i = 0; i < IRQ_LINES; i++)
        routed[i] = false;
}

static void write_entry(const struct ioapic *c, uint32_t pin, uint64_t e)
{
    c->io->write(c->ctx, IOAPIC_REG_REDIR + 2 * pin + 1, (uint32_t)(e >> 32));
    c->io->write(c->ctx, IOAPIC_REG_REDIR + 2 * pin, (uint32_t)e);
}

int ioapic_add(const struct ioapic_io *io, void *ctx, uint32_t gsi_base)
{
    if (!io)
        return -EINVAL;
    if (nchips == IOAPIC_MAX)
        return -ENOSPC;
    struct ioapic *c = &chips[nchips++];
    c->io = io;
    c->ctx = ctx;
    c->gsi_base = gsi_base;
    c->pins = ((io->read(ctx, IOAPIC_REG_VERSION) >> 16) & 0xff) + 1;
    for (uint32_t pin = 0; pin < c->pins; pin++)
        write_entry(c, pin, ioapic_redir_encode(0xff, 0, false, false, true));
    return (int)c->pins;
}

void ioapic_set_routing(const struct acpi_madt *m, uint32_t dest)
{
    dest_apic = (uint8_t)dest;
    for (int irq = 0; irq < IRQ_LINES; irq++)
        routed[irq] = ioapic_isa_route(m, irq, &routes[irq]) == 0;
}

/* The I/O APIC and input that carry @p gsi, or NULL. */
static const struct ioapic *find(uint32_t gsi, uint32_t *pin)
{
    for (unsigned i = 0; i < nchips; i++) {
        if (gsi >= chips[i].gsi_base && gsi - chips[i].gsi_base < chips[i].pins) {
            *pin = gsi - chips[i].gsi_base;
            return &chips[i];
        }
    }
    return NULL;
}

int ioapic_read_entry(uint32_t gsi, uint64_t *out)
{
    uint32_t pin;
    const struct ioapic *c = find(gsi, &pin);
    if (!c)
        return -ENOENT;
    uint64_t lo = c->io->read(c->ctx, IOAPIC_REG_REDIR + 2 * pin);
    uint64_t hi = c->io->read(c->ctx, IOAPIC_REG_REDIR + 2 * pin + 1);
    *out = hi << 32 | lo;
    return 0;
}

static int chip_unmask(int irq)
{
    uint32_t pin;
    const struct ioapic *c = routed[irq] ? find(routes[irq].gsi, &pin) : NULL;
    if (!c)
        return -ENOENT;
    const struct ioapic_route *r = &routes[irq];
    write_entry(c, pin,
                ioapic_redir_encode((uint8_t)(TRAP_IRQ_BASE + irq), dest_apic, r->level,
                                    r->active_low, false));
    return 0;
}

static void chip_mask(int irq)
{
    uint32_t pin;
    const struct ioapic *c = routed[irq] ? find(routes[irq].gsi, &pin) : NULL;
    if (!c)
        return;
    uint32_t reg = IOAPIC_REG_REDIR + 2 * pin;
    c->io->write(c->ctx, reg, c->io->read(c->ctx, reg) | IOAPIC_RED_MASKED);
}

static void chip_eoi(int irq)
{
    (void)irq;
    apic_eoi(); /* the local APIC forwards it to the I/O APIC for level inputs */
}

const struct irq_chip ioapic_irq_chip = {
    .name = "I/O APIC",
    .unmask = chip_unmask,
    .mask = chip_mask,
    .eoi = chip_eoi,
    .spurious = NULL,
};
