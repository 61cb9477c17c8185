/*
 * test_acpi.c - RSDP, RSDT/XSDT and MADT parsing against tables built in a
 * buffer that stands for physical memory: QEMU-like tables, ACPI 1.0 and 2.0
 * roots, bad checksums, short and overlong entries, too many CPUs, tables out
 * of reach.
 */
#include <arch/acpi.h>
#include <check.h>
#include <k/errno.h>
#include <string.h>

Suite *acpi_suite(void);

#define MEM_SIZE 0x4000u

static uint8_t mem[MEM_SIZE];

static const void *map_mem(void *ctx, uint64_t pa, size_t len)
{
    (void)ctx;
    if (pa >= MEM_SIZE || len > MEM_SIZE - pa)
        return NULL;
    return mem + pa;
}

static void st16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void st32(uint8_t *p, uint32_t v)
{
    st16(p, v & 0xffff);
    st16(p + 2, v >> 16);
}

static void st64(uint8_t *p, uint64_t v)
{
    st32(p, (uint32_t)v);
    st32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t checksum(const uint8_t *p, size_t len, size_t at)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        if (i != at)
            sum = (uint8_t)(sum + p[i]);
    return (uint8_t)-sum;
}

/* A table at @pa: header with @sig and @len, checksummed over @body. */
static void table(uint32_t pa, const char *sig, const uint8_t *body, size_t blen)
{
    uint8_t *t = mem + pa;
    memset(t, 0, 36);
    memcpy(t, sig, 4);
    st32(t + 4, (uint32_t)(36 + blen));
    t[8] = 1;
    memcpy(t + 10, "KESTRL", 6);
    memcpy(t + 36, body, blen);
    t[9] = checksum(t, 36 + blen, 9);
}

static size_t rsdp_v1(uint8_t *p, uint32_t rsdt)
{
    memset(p, 0, 20);
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, "KESTRL", 6);
    st32(p + 16, rsdt);
    p[8] = checksum(p, 20, 8);
    return 20;
}

static size_t rsdp_v2(uint8_t *p, uint32_t rsdt, uint64_t xsdt)
{
    memset(p, 0, 36);
    memcpy(p, "RSD PTR ", 8);
    p[15] = 2;
    st32(p + 16, rsdt);
    st32(p + 20, 36);
    st64(p + 24, xsdt);
    p[8] = checksum(p, 20, 8);
    p[32] = checksum(p, 36, 32);
    return 36;
}

/* MADT entries, appended by the helpers below. */
static uint8_t body[2048];
static size_t blen;

static void madt_begin(uint32_t lapic, uint32_t flags)
{
    memset(body, 0, sizeof(body));
    st32(body, lapic);
    st32(body + 4, flags);
    blen = 8;
}

static uint8_t *entry(uint8_t type, uint8_t len)
{
    uint8_t *e = body + blen;
    e[0] = type;
    e[1] = len;
    blen += len;
    return e;
}

static void lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
    uint8_t *e = entry(0, 8);
    e[2] = uid;
    e[3] = id;
    st32(e + 4, flags);
}

/* The tables QEMU's q35/i440fx give with -smp 2: two CPUs, one I/O APIC,
 * IRQ 0 on GSI 2 and the PCI interrupts level triggered, active high. */
static void qemu_madt(void)
{
    madt_begin(0xFEE00000u, 1);
    lapic(0, 0, 1);
    lapic(1, 1, 1);
    uint8_t *io = entry(1, 12);
    io[2] = 0;
    st32(io + 4, 0xFEC00000u);
    st32(io + 8, 0);
    static const struct {
        uint8_t irq;
        uint32_t gsi;
        uint16_t flags;
    } ovr[] = { { 0, 2, 0 }, { 5, 5, 0xd }, { 9, 9, 0xd }, { 10, 10, 0xd }, { 11, 11, 0xd } };
    for (size_t i = 0; i < sizeof(ovr) / sizeof(ovr[0]); i++) {
        uint8_t *o = entry(2, 10);
        o[2] = 0;
        o[3] = ovr[i].irq;
        st32(o + 4, ovr[i].gsi);
        st16(o + 8, ovr[i].flags);
    }
    uint8_t *nmi = entry(4, 6);
    nmi[2] = 0xff;
    st16(nmi + 3, 0);
    nmi[5] = 1;
}

START_TEST(qemu_tables_through_the_rsdt)
{
    memset(mem, 0, sizeof(mem));
    qemu_madt();
    table(0x1200, "APIC", body, blen);
    table(0x1100, "FACP", (const uint8_t *)"\0\0\0\0", 4);
    uint8_t r[8];
    st32(r, 0x1100);
    st32(r + 4, 0x1200);
    table(0x1000, "RSDT", r, 8);
    uint8_t rsdp[20];
    struct acpi_madt m;
    ck_assert_int_eq(acpi_read_madt(rsdp, rsdp_v1(rsdp, 0x1000), map_mem, NULL, &m), 0);
    ck_assert_uint_eq(m.lapic_addr, 0xFEE00000u);
    ck_assert(m.has_8259);
    ck_assert_uint_eq(m.ncpus, 2);
    ck_assert_uint_eq(m.cpus[1].apic_id, 1);
    ck_assert(m.cpus[1].enabled);
    ck_assert_uint_eq(m.nioapics, 1);
    ck_assert_uint_eq(m.ioapics[0].addr, 0xFEC00000u);
    ck_assert_uint_eq(m.noverrides, 5);
    ck_assert_uint_eq(m.overrides[0].isa_irq, 0);
    ck_assert_uint_eq(m.overrides[0].gsi, 2);
    ck_assert(!m.overrides[0].level && !m.overrides[0].active_low);
    ck_assert(m.overrides[2].level && !m.overrides[2].active_low);
    ck_assert_uint_eq(m.nnmis, 1);
    ck_assert_uint_eq(m.nmis[0].acpi_uid, ACPI_UID_ALL);
    ck_assert_uint_eq(m.nmis[0].lint, 1);
    ck_assert(!m.truncated);
    ck_assert_uint_eq(m.skipped, 0);
}
END_TEST

START_TEST(xsdt_preferred_over_rsdt)
{
    memset(mem, 0, sizeof(mem));
    madt_begin(0xFEE00000u, 0);
    lapic(0, 0, 1);
    table(0x1800, "APIC", body, blen); /* the RSDT's: one CPU */
    qemu_madt();
    table(0x2000, "APIC", body, blen); /* the XSDT's: two */
    uint8_t r[8];
    st32(r, 0x1800);
    table(0x1000, "RSDT", r, 4);
    st64(r, 0x2000);
    table(0x1400, "XSDT", r, 8);
    uint8_t rsdp[36];
    struct acpi_madt m;
    ck_assert_int_eq(acpi_read_madt(rsdp, rsdp_v2(rsdp, 0x1000, 0x1400), map_mem, NULL, &m), 0);
    ck_assert_uint_eq(m.ncpus, 2);
    /* A 2.0 RSDP with no XSDT falls back to the RSDT. */
    ck_assert_int_eq(acpi_read_madt(rsdp, rsdp_v2(rsdp, 0x1000, 0), map_mem, NULL, &m), 0);
    ck_assert_uint_eq(m.ncpus, 1);
    ck_assert(!m.has_8259);
}
END_TEST

START_TEST(bad_rsdp_refused)
{
    uint8_t rsdp[36];
    uint64_t root;
    bool x;
    ck_assert_int_eq(acpi_rsdp_root(NULL, 0, &root, &x), -EINVAL);
    rsdp_v1(rsdp, 0x1000);
    ck_assert_int_eq(acpi_rsdp_root(rsdp, 19, &root, &x), -EINVAL);
    rsdp[8] ^= 1; /* checksum */
    ck_assert_int_eq(acpi_rsdp_root(rsdp, 20, &root, &x), -EINVAL);
    rsdp_v1(rsdp, 0x1000);
    rsdp[0] = 'X';
    ck_assert_int_eq(acpi_rsdp_root(rsdp, 20, &root, &x), -EINVAL);
    rsdp_v1(rsdp, 0);
    ck_assert_int_eq(acpi_rsdp_root(rsdp, 20, &root, &x), -EINVAL); /* no root at all */
    rsdp_v2(rsdp, 0x1000, 0x1400);
    rsdp[32] ^= 1; /* extended checksum */
    ck_assert_int_eq(acpi_rsdp_root(rsdp, 36, &root, &x), -EINVAL);
    rsdp_v2(rsdp, 0x1000, 0x1400);
    ck_assert_int_eq(acpi_rsdp_root(rsdp, 36, &root, &x), 0);
    ck_assert(x);
    ck_assert_uint_eq(root, 0x1400);
    st32(rsdp + 20, 64); /* longer than what we were given */
    rsdp[32] = 0;
    rsdp[32] = checksum(rsdp, 36, 32);
    ck_assert_int_eq(acpi_rsdp_root(rsdp, 36, &root, &x), -EINVAL);
    struct acpi_madt m;
    rsdp_v1(rsdp, 0x1000);
    rsdp[8] ^= 1;
    ck_assert_int_eq(acpi_read_madt(rsdp, 20, map_mem, NULL, &m), -EINVAL);
}
END_TEST

START_TEST(broken_tables_skipped)
{
    memset(mem, 0, sizeof(mem));
    qemu_madt();
    table(0x1200, "APIC", body, blen);
    mem[0x1200 + 40] ^= 1; /* a bad checksum: skipped */
    madt_begin(0xFEE00000u, 1);
    lapic(0, 3, 1);
    table(0x1800, "APIC", body, blen); /* a good copy after it */
    table(0x1c00, "SSDT", (const uint8_t *)"", 0);
    st32(mem + 0x1c00 + 4, 20); /* shorter than a header */
    mem[0x1c00 + 9] = 0;
    mem[0x1c00 + 9] = checksum(mem + 0x1c00, 20, 9);
    uint8_t r[16];
    st32(r, 0);          /* a null entry */
    st32(r + 4, 0x1c00); /* the short table */
    st32(r + 8, 0x1200);
    st32(r + 12, 0x1800);
    table(0x1000, "RSDT", r, 16);
    uint8_t rsdp[20];
    struct acpi_madt m;
    ck_assert_int_eq(acpi_read_madt(rsdp, rsdp_v1(rsdp, 0x1000), map_mem, NULL, &m), 0);
    ck_assert_uint_eq(m.ncpus, 1);
    ck_assert_uint_eq(m.cpus[0].apic_id, 3);
    /* No good MADT at all, a root out of reach, a root that is no RSDT. */
    st32(r + 12, 0x1c00);
    table(0x1000, "RSDT", r, 16);
    ck_assert_int_eq(acpi_read_madt(rsdp, 20, map_mem, NULL, &m), -ENOENT);
    ck_assert_int_eq(acpi_read_madt(rsdp, rsdp_v1(rsdp, MEM_SIZE - 8), map_mem, NULL, &m), -ENOENT);
    ck_assert_int_eq(acpi_read_madt(rsdp, rsdp_v1(rsdp, 0x1800), map_mem, NULL, &m), -ENOENT);
    /* A table whose length runs past what can be mapped. */
    st32(r, 0x3ff0);
    table(0x1000, "RSDT", r, 4);
    memcpy(mem + 0x3ff0, "APIC", 4);
    ck_assert_int_eq(acpi_read_madt(rsdp, rsdp_v1(rsdp, 0x1000), map_mem, NULL, &m), -ENOENT);
    size_t len;
    ck_assert_ptr_null(acpi_find_table(0x1000, false, "FACP", map_mem, NULL, &len));
}
END_TEST

START_TEST(entries_checked_and_skipped)
{
    struct acpi_madt m;
    ck_assert_int_eq(acpi_parse_madt(body, 43, &m), -EINVAL);
    ck_assert_int_eq(acpi_parse_madt(NULL, 64, &m), -EINVAL);
    uint8_t t[512];
    /* Unknown types skipped by length; x2APIC CPUs and NMIs; the address
     * override; a CPU the firmware marks unusable is left out. */
    madt_begin(0xFEE00000u, 0);
    entry(0x7f, 5);
    lapic(0, 0, 0); /* unusable */
    lapic(1, 1, 2); /* online capable */
    uint8_t *x = entry(9, 16);
    st32(x + 4, 300);
    st32(x + 8, 1);
    st32(x + 12, 7);
    uint8_t *xn = entry(10, 12);
    st16(xn + 2, 0xf);
    st32(xn + 4, 7);
    xn[8] = 0;
    uint8_t *a = entry(5, 12);
    st64(a + 4, 0xFEE10000ull);
    uint8_t *isa = entry(2, 10);
    isa[2] = 1; /* not ISA: ignored */
    memcpy(t, "APIC", 4);
    memcpy(t + 36, body, blen);
    ck_assert_int_eq(acpi_parse_madt(t, 36 + blen, &m), 0);
    ck_assert_uint_eq(m.skipped, 1);
    ck_assert_uint_eq(m.ncpus, 2);
    ck_assert(!m.cpus[0].enabled && m.cpus[0].online_capable);
    ck_assert_uint_eq(m.cpus[1].apic_id, 300);
    ck_assert_uint_eq(m.cpus[1].acpi_uid, 7);
    ck_assert_uint_eq(m.nnmis, 1);
    ck_assert(m.nmis[0].active_low && m.nmis[0].level);
    ck_assert_uint_eq(m.lapic_addr, 0xFEE10000ull);
    ck_assert_uint_eq(m.noverrides, 0);
    ck_assert(!m.truncated);
    /* A zero-length entry ends the walk (it would never advance). */
    madt_begin(0xFEE00000u, 0);
    lapic(0, 0, 1);
    entry(0, 2)[1] = 0;
    lapic(1, 1, 1);
    memcpy(t + 36, body, blen);
    ck_assert_int_eq(acpi_parse_madt(t, 36 + blen, &m), 0);
    ck_assert(m.truncated);
    ck_assert_uint_eq(m.ncpus, 1);
    /* Entries too short for their type, or running past the table. */
    static const uint8_t kinds[][2] = { { 0, 6 }, { 1, 8 },  { 2, 8 }, { 4, 5 },
                                        { 5, 8 }, { 9, 12 }, { 10, 8 } };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        madt_begin(0xFEE00000u, 0);
        entry(kinds[i][0], kinds[i][1]);
        memcpy(t + 36, body, blen);
        ck_assert_int_eq(acpi_parse_madt(t, 36 + blen, &m), 0);
        ck_assert_msg(m.truncated, "type %u length %u", kinds[i][0], kinds[i][1]);
    }
    madt_begin(0xFEE00000u, 0);
    lapic(0, 0, 1);
    memcpy(t + 36, body, blen);
    ck_assert_int_eq(acpi_parse_madt(t, 36 + blen - 1, &m), 0); /* cut inside the entry */
    ck_assert(m.truncated);
    ck_assert_uint_eq(m.ncpus, 0);
    ck_assert_int_eq(acpi_parse_madt(t, 36 + blen + 1, &m), 0); /* one stray byte */
    ck_assert(m.truncated);
    ck_assert_uint_eq(m.ncpus, 1);
}
END_TEST

START_TEST(limits_counted)
{
    madt_begin(0xFEE00000u, 0);
    for (int i = 0; i < ACPI_MAX_CPUS + 3; i++)
        lapic((uint8_t)i, (uint8_t)i, 1);
    for (int i = 0; i < ACPI_MAX_IOAPICS + 1; i++)
        entry(1, 12)[2] = (uint8_t)i;
    for (int i = 0; i < ACPI_MAX_OVERRIDES + 1; i++)
        entry(2, 10)[3] = (uint8_t)i;
    for (int i = 0; i < ACPI_MAX_NMIS + 1; i++)
        entry(4, 6)[5] = 1;
    static uint8_t t[2048];
    memcpy(t, "APIC", 4);
    memcpy(t + 36, body, blen);
    struct acpi_madt m;
    ck_assert_int_eq(acpi_parse_madt(t, 36 + blen, &m), 0);
    ck_assert_uint_eq(m.ncpus, ACPI_MAX_CPUS);
    ck_assert_uint_eq(m.cpus_dropped, 3);
    ck_assert_uint_eq(m.nioapics, ACPI_MAX_IOAPICS);
    ck_assert_uint_eq(m.noverrides, ACPI_MAX_OVERRIDES);
    ck_assert_uint_eq(m.nnmis, ACPI_MAX_NMIS);
    ck_assert(!m.truncated);
}
END_TEST

Suite *acpi_suite(void)
{
    Suite *s = suite_create("acpi");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, qemu_tables_through_the_rsdt);
    tcase_add_test(tc, xsdt_preferred_over_rsdt);
    tcase_add_test(tc, bad_rsdp_refused);
    tcase_add_test(tc, broken_tables_skipped);
    tcase_add_test(tc, entries_checked_and_skipped);
    tcase_add_test(tc, limits_counted);
    suite_add_tcase(s, tc);
    return s;
}
