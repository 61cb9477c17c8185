/*
 * percpu.c - the per-CPU blocks, who is online, and the idle poll
 * (arch/percpu.h). Built for the host too; the GS side (arch_cpu_this,
 * arch_cpu_load_tables) is in gdt.c.
 */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <stddef.h>

struct arch_cpu arch_cpus[ARCH_MAX_CPUS];

unsigned arch_cpus_online(uint32_t *apic_ids, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ARCH_MAX_CPUS; i++) {
        /* The boot CPU runs this: it is online whether or not it said so. */
        if (i > 0 && !__atomic_load_n(&arch_cpus[i].online, __ATOMIC_ACQUIRE))
            continue;
        if (apic_ids && n < max)
            apic_ids[n] = arch_cpus[i].apic_id;
        n++;
    }
    return n;
}

bool arch_idle_poll(uint64_t tsc_ticks)
{
    volatile uint64_t *taken = &arch_cpus[cpu_index()].interrupts;
    uint64_t seen = *taken, start = rdtsc();
    cpu_sti();
    while (*taken == seen && rdtsc() - start < tsc_ticks)
        cpu_pause();
    cpu_cli();
    return *taken != seen;
}
