/*
 * acpi.c - RSDP, root table and MADT parsing (arch/acpi.h).
 *
 * Layouts are the ACPI specification's (5.2.5 RSDP, 5.2.6 system description
 * table header, 5.2.7/5.2.8 RSDT/XSDT, 5.2.12 MADT). Tables need not be
 * aligned, so every field is read byte by byte, little endian.
 */
#include <arch/acpi.h>
#include <k/errno.h>
#include <string.h>

#define SDT_HEADER 36u /* signature, length, revision, checksum, OEM ids ... */
#define MADT_FIXED 44u /* header + local APIC address + flags */

enum {
    MADT_LAPIC = 0,
    MADT_IOAPIC = 1,
    MADT_OVERRIDE = 2,
    MADT_LAPIC_NMI = 4,
    MADT_LAPIC_ADDR = 5,
    MADT_X2APIC = 9,
    MADT_X2APIC_NMI = 10,
};

static uint32_t ld16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t ld32(const uint8_t *p)
{
    return ld16(p) | ld16(p + 2) << 16;
}

static uint64_t ld64(const uint8_t *p)
{
    return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static bool sums_to_zero(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + p[i]);
    return sum == 0;
}

int acpi_rsdp_root(const void *rsdp, size_t len, uint64_t *root, bool *xsdt)
{
    const uint8_t *p = rsdp;
    if (!p || len < 20 || memcmp(p, "RSD PTR ", 8) != 0 || !sums_to_zero(p, 20))
        return -EINVAL;
    /* Revision 2+ adds a length, the XSDT and an extended checksum. */
    if (p[15] >= 2 && len >= 36) {
        uint32_t xlen = ld32(p + 20);
        if (xlen < 36 || xlen > len || !sums_to_zero(p, xlen))
            return -EINVAL;
        uint64_t x = ld64(p + 24);
        if (x) {
            *root = x;
            *xsdt = true;
            return 0;
        }
    }
    *root = ld32(p + 16);
    *xsdt = false;
    return *root ? 0 : -EINVAL;
}

/* Map a whole table after reading its length from the header; NULL if the
 * signature, length or checksum is wrong. */
static const uint8_t *map_table(uint64_t pa, const char *sig, acpi_map_fn map, void *ctx,
                                size_t *len)
{
    const uint8_t *h = map(ctx, pa, SDT_HEADER);
    if (!h || (sig && memcmp(h, sig, 4) != 0))
        return NULL;
    uint32_t n = ld32(h + 4);
    if (n < SDT_HEADER)
        return NULL;
    const uint8_t *t = map(ctx, pa, n);
    if (!t || !sums_to_zero(t, n))
        return NULL;
    *len = n;
    return t;
}

const void *acpi_find_table(uint64_t root, bool xsdt, const char *sig, acpi_map_fn map, void *ctx,
                            size_t *len)
{
    size_t rlen;
    const uint8_t *r = map_table(root, xsdt ? "XSDT" : "RSDT", map, ctx, &rlen);
    if (!r)
        return NULL;
    size_t esz = xsdt ? 8 : 4;
    for (size_t off = SDT_HEADER; off + esz <= rlen; off += esz) {
        uint64_t pa = xsdt ? ld64(r + off) : ld32(r + off);
        if (!pa)
            continue;
        const uint8_t *t = map_table(pa, sig, map, ctx, len);
        if (t)
            return t;
    }
    return NULL;
}

static void add_cpu(struct acpi_madt *m, uint32_t apic_id, uint32_t uid, uint32_t flags)
{
    /* Neither enabled nor online capable: the firmware says it can't be used. */
    if (!(flags & 3))
        return;
    if (m->ncpus == ACPI_MAX_CPUS) {
        m->cpus_dropped++;
        return;
    }
    struct acpi_cpu *c = &m->cpus[m->ncpus++];
    c->apic_id = apic_id;
    c->acpi_uid = uid;
    c->enabled = flags & 1;
    c->online_capable = (flags & 2) != 0;
}

static void add_nmi(struct acpi_madt *m, uint32_t uid, uint32_t flags, uint8_t lint)
{
    if (m->nnmis == ACPI_MAX_NMIS)
        return;
    struct acpi_lapic_nmi *n = &m->nmis[m->nnmis++];
    n->acpi_uid = uid;
    n->lint = lint;
    n->active_low = (flags & 3) == 3;
    n->level = ((flags >> 2) & 3) == 3;
}

/* One MADT entry of @p len bytes (already bounds-checked); false if it is too
 * short for its type. */
static bool madt_entry(struct acpi_madt *m, const uint8_t *e, uint8_t len)
{
    switch (e[0]) {
    case MADT_LAPIC:
        if (len < 8)
            return false;
        add_cpu(m, e[3], e[2], ld32(e + 4));
        break;
    case MADT_X2APIC:
        if (len < 16)
            return false;
        add_cpu(m, ld32(e + 4), ld32(e + 12), ld32(e + 8));
        break;
    case MADT_IOAPIC:
        if (len < 12)
            return false;
        if (m->nioapics < ACPI_MAX_IOAPICS) {
            struct acpi_ioapic *io = &m->ioapics[m->nioapics++];
            io->id = e[2];
            io->addr = ld32(e + 4);
            io->gsi_base = ld32(e + 8);
        }
        break;
    case MADT_OVERRIDE:
        if (len < 10)
            return false;
        if (e[2] == 0 && m->noverrides < ACPI_MAX_OVERRIDES) { /* bus 0: ISA */
            struct acpi_irq_override *o = &m->overrides[m->noverrides++];
            uint32_t flags = ld16(e + 8);
            o->isa_irq = e[3];
            o->gsi = ld32(e + 4);
            o->active_low = (flags & 3) == 3;
            o->level = ((flags >> 2) & 3) == 3;
        }
        break;
    case MADT_LAPIC_NMI:
        if (len < 6)
            return false;
        add_nmi(m, e[2] == 0xFF ? ACPI_UID_ALL : e[2], ld16(e + 3), e[5]);
        break;
    case MADT_X2APIC_NMI:
        if (len < 12)
            return false;
        add_nmi(m, ld32(e + 4), ld16(e + 2), e[8]);
        break;
    case MADT_LAPIC_ADDR:
        if (len < 12)
            return false;
        m->lapic_addr = ld64(e + 4);
        break;
    default:
        m->skipped++;
        break;
    }
    return true;
}

int acpi_parse_madt(const void *madt, size_t len, struct acpi_madt *out)
{
    const uint8_t *t = madt;
    memset(out, 0, sizeof(*out));
    if (!t || len < MADT_FIXED)
        return -EINVAL;
    out->lapic_addr = ld32(t + 36);
    out->has_8259 = ld32(t + 40) & 1;
    size_t off = MADT_FIXED;
    while (off + 2 <= len) {
        uint8_t elen = t[off + 1];
        if (elen < 2 || off + elen > len || !madt_entry(out, t + off, elen)) {
            out->truncated = true;
            break;
        }
        off += elen;
    }
    if (off != len && !out->truncated)
        out->truncated = true; /* one stray byte at the end */
    return 0;
}

int acpi_read_madt(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
                   struct acpi_madt *out)
{
    uint64_t root;
    bool xsdt;
    memset(out, 0, sizeof(*out));
    int r = acpi_rsdp_root(rsdp, rsdp_len, &root, &xsdt);
    if (r < 0)
        return r;
    size_t len;
    const void *madt = acpi_find_table(root, xsdt, "APIC", map, ctx, &len);
    if (!madt)
        return -ENOENT;
    return acpi_parse_madt(madt, len, out);
}
