/*
 * test_smp.c - in-kernel tests of AP start-up: every enabled CPU the MADT
 * lists is online (in APIC mode), each on its own GDT, TSS, IST stacks and
 * per-CPU block, and each takes an IPI through its own local APIC and counts
 * it in its own block (reached through its GS base). Pass with any -smp.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/timer.h>
#include <kernel/cpus.h>
#include <kernel/ktest.h>

static unsigned expected_cpus(void)
{
    const struct acpi_madt *m = kernel_cpus_madt();
    if (!m || irq_get_chip() != &ioapic_irq_chip)
        return 1; /* noapic: the APs are not started */
    unsigned n = 0;
    for (uint32_t i = 0; i < m->ncpus; i++)
        n += m->cpus[i].enabled;
    return n < ARCH_MAX_CPUS ? n : ARCH_MAX_CPUS;
}

KTEST(smp_every_cpu_is_online)
{
    uint32_t ids[ARCH_MAX_CPUS];
    unsigned n = arch_cpus_online(ids, ARCH_MAX_CPUS);
    KT_ASSERT_EQ(n, expected_cpus());
    KT_ASSERT_EQ(cpu_index(), 0); /* tests run on the boot CPU */
    KT_ASSERT_EQ(ids[0], apic_id());
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = 0; j < i; j++)
            KT_ASSERT(ids[i] != ids[j]);
}

KTEST(smp_each_cpu_has_its_own_tables)
{
    unsigned n = arch_cpus_online(NULL, 0);
    KT_ASSERT(arch_cpu_this() == &arch_cpus[0]);
    for (unsigned i = 1; i < n; i++) {
        const struct arch_cpu *c = &arch_cpus[i];
        KT_ASSERT(c->self == c);
        KT_ASSERT_EQ(c->index, i);
        KT_ASSERT(c->stack_top != 0);
        for (int k = 0; k < 3; k++) {
            KT_ASSERT(c->ist_top[k] != 0);
            KT_ASSERT(c->tss.ist[k] == c->ist_top[k]);
            KT_ASSERT(c->ist_top[k] != arch_cpus[0].ist_top[k]);
        }
        /* Its TSS descriptor names its own TSS, and LTR marked it busy (type 0xb). */
        uint64_t lo = c->gdt[GDT_TSS >> 3], hi = c->gdt[(GDT_TSS >> 3) + 1];
        uint64_t base = (lo >> 16 & 0xffffff) | (lo >> 56 & 0xff) << 24 | hi << 32;
        KT_ASSERT_EQ(base, (uint64_t)(uintptr_t)&c->tss);
        KT_ASSERT_EQ(lo >> 40 & 0xf, 0xb);
    }
}

KTEST(smp_each_ap_takes_an_ipi)
{
    unsigned n = arch_cpus_online(NULL, 0);
    for (unsigned i = 1; i < n; i++) {
        struct arch_cpu *c = &arch_cpus[i];
        uint64_t before = c->ipis, others = 0;
        for (unsigned j = 0; j < n; j++)
            others += j != i ? arch_cpus[j].ipis : 0;
        KT_ASSERT_EQ(smp_send_test_ipi(c->apic_id), 0);
        uint64_t end = timer_now_ns() + 2000000000ull; /* generous, for a loaded emulator */
        while (c->ipis == before && timer_now_ns() < end)
            cpu_pause();
        KT_ASSERT_EQ(c->ipis, before + 1);
        uint64_t after = 0;
        for (unsigned j = 0; j < n; j++)
            after += j != i ? arch_cpus[j].ipis : 0;
        KT_ASSERT_EQ(after, others); /* counted by that CPU, in its own block */
    }
}
