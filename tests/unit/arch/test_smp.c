/*
 * test_smp.c - the host-testable parts of AP start-up (arch/smp.h): the
 * trampoline parameter block byte by byte at the offsets the assembly reads,
 * the choice of the trampoline's page, the start-up IPI, and the list of
 * online CPUs (arch/percpu.h).
 */
#include "cpu_mock.h"
#include <arch/apic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <check.h>
#include <k/errno.h>
#include <string.h>

Suite *smp_suite(void);

static uint64_t ld(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

START_TEST(test_params_layout)
{
    uint8_t raw[SMP_PARAMS_SIZE];
    memset(raw, 0xaa, sizeof(raw));
    struct smp_params *p = (struct smp_params *)raw;
    smp_params_init(p, 0x8000, 0x40, 0x80, 0x104000, 1, 0x123456789000ull, 0xffffffff80123456ull);
    ck_assert_uint_eq(ld(raw + SMP_P_GDTR, 2), 31);
    ck_assert_uint_eq(ld(raw + SMP_P_GDTR + 2, 4), 0x8000 + SMP_PARAMS_OFF + SMP_P_GDT);
    ck_assert_uint_eq(ld(raw + SMP_P_PM32, 4), 0x8040);
    ck_assert_uint_eq(ld(raw + SMP_P_PM32 + 4, 2), SMP_SEL_CODE32);
    ck_assert_uint_eq(ld(raw + SMP_P_LM64, 4), 0x8080);
    ck_assert_uint_eq(ld(raw + SMP_P_LM64 + 4, 2), SMP_SEL_CODE64);
    ck_assert_uint_eq(ld(raw + SMP_P_BOOT_CR3, 4), 0x104000);
    ck_assert_uint_eq(ld(raw + SMP_P_EFER, 4), (1u << 8) | (1u << 11)); /* LME, NXE */
    ck_assert_uint_eq(ld(raw + SMP_P_KERNEL_CR3, 8), 0x123456789000ull);
    ck_assert_uint_eq(ld(raw + SMP_P_STACK, 8), 0);
    ck_assert_uint_eq(ld(raw + SMP_P_ENTRY, 8), 0xffffffff80123456ull);
    ck_assert_uint_eq(ld(raw + SMP_P_CPU, 8), 0);
    ck_assert_uint_eq(ld(raw + SMP_P_GDT, 8), 0);
    /* code32: base 0, limit 4 GiB, present, DPL 0, execute/read, 32-bit */
    ck_assert_uint_eq(ld(raw + SMP_P_GDT + SMP_SEL_CODE32, 8), 0x00cf9a000000ffffull);
    ck_assert_uint_eq(ld(raw + SMP_P_GDT + SMP_SEL_DATA, 8), 0x00cf92000000ffffull);
    ck_assert_uint_eq(ld(raw + SMP_P_GDT + SMP_SEL_CODE64, 8) >> 52 & 0xf, 0xa); /* G, L */
    smp_params_init(p, 0x8000, 0x40, 0x80, 0x104000, 0, 0, 0);
    ck_assert_uint_eq(ld(raw + SMP_P_EFER, 4), 1u << 8); /* no NX on this CPU */
}
END_TEST

static struct boot_info bi;

static void add_range(uint64_t base, uint64_t len, uint32_t type)
{
    bi.mmap[bi.mmap_count++] = (struct boot_mmap_entry){ base, len, type };
}

START_TEST(test_trampoline_page)
{
    uint32_t page;
    memset(&bi, 0, sizeof(bi));
    ck_assert_int_eq(smp_trampoline_page(&bi, &page), -ENOMEM); /* no map: nothing known */
    add_range(0, 0x9fc00, MB2_MEM_AVAILABLE);
    add_range(0x9fc00, 0x400, MB2_MEM_RESERVED);
    add_range(0x100000, 0x7f00000, MB2_MEM_AVAILABLE);
    ck_assert_int_eq(smp_trampoline_page(&bi, &page), 0);
    ck_assert_uint_eq(page, 0x1000); /* page 0 (the real-mode IVT) is never used */
    /* The loader's block and a module in low memory are stepped over. */
    bi.info_phys = 0x1800;
    bi.info_size = 0x100;
    bi.modules[0] = (struct boot_module){ .start = 0x2000, .end = 0x3001 };
    bi.module_count = 1;
    ck_assert_int_eq(smp_trampoline_page(&bi, &page), 0);
    ck_assert_uint_eq(page, 0x4000);
    /* A page that straddles a reserved range is not RAM. */
    memset(&bi, 0, sizeof(bi));
    add_range(0, 0x1800, MB2_MEM_AVAILABLE);
    add_range(0x1800, 0x800, MB2_MEM_RESERVED);
    add_range(0x2000, 0x1000, MB2_MEM_AVAILABLE);
    ck_assert_int_eq(smp_trampoline_page(&bi, &page), 0);
    ck_assert_uint_eq(page, 0x2000);
    /* Nothing free below 1 MiB (a page split over two RAM entries counts too). */
    memset(&bi, 0, sizeof(bi));
    add_range(0x800, 0x800, MB2_MEM_AVAILABLE);
    add_range(0x1000, 0x800, MB2_MEM_AVAILABLE);
    add_range(0x100000, 0x100000, MB2_MEM_AVAILABLE);
    ck_assert_int_eq(smp_trampoline_page(&bi, &page), -ENOMEM);
}
END_TEST

START_TEST(test_sipi)
{
    ck_assert_uint_eq(smp_sipi_icr(0x8000), APIC_ICR_STARTUP | 0x08);
    ck_assert_uint_eq(smp_sipi_icr(0x9f000), APIC_ICR_STARTUP | 0x9f);
}
END_TEST

START_TEST(test_online_list)
{
    memset(arch_cpus, 0, sizeof(arch_cpus));
    uint32_t ids[4];
    arch_cpus[0].apic_id = 7;
    ck_assert_uint_eq(arch_cpus_online(ids, 4), 1); /* the boot CPU, always */
    ck_assert_uint_eq(ids[0], 7);
    arch_cpus[1].apic_id = 1;
    arch_cpus[1].online = 1;
    arch_cpus[2].apic_id = 2; /* started, not online */
    arch_cpus[3].apic_id = 3;
    arch_cpus[3].online = 1;
    arch_cpus[ARCH_MAX_CPUS - 1].apic_id = 15;
    arch_cpus[ARCH_MAX_CPUS - 1].online = 1;
    ck_assert_uint_eq(arch_cpus_online(NULL, 0), 4);
    ck_assert_uint_eq(arch_cpus_online(ids, 3), 4); /* counted past the room */
    ck_assert_uint_eq(ids[0], 7);
    ck_assert_uint_eq(ids[1], 1);
    ck_assert_uint_eq(ids[2], 3);
    memset(arch_cpus, 0, sizeof(arch_cpus));
}
END_TEST

Suite *smp_suite(void)
{
    Suite *s = suite_create("smp");
    TCase *tc = tcase_create("smp");
    tcase_add_test(tc, test_params_layout);
    tcase_add_test(tc, test_trampoline_page);
    tcase_add_test(tc, test_sipi);
    tcase_add_test(tc, test_online_list);
    suite_add_tcase(s, tc);
    return s;
}
