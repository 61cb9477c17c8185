/*
 * percpu.c - the per-CPU blocks and who is online (arch/percpu.h). Built for
 * the host too; the GS side (arch_cpu_this, arch_cpu_load_tables) is in gdt.c.
 */
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
