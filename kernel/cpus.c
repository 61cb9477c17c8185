/*
 * cpus.c - find the CPUs and interrupt controllers at boot, and switch to the
 * local APIC and I/O APIC (kernel/cpus.h).
 *
 * The ACPI tables sit in memory the firmware reserved, outside the direct map
 * of usable RAM, so each table is mapped on its own while it is parsed and
 * unmapped right after: the parser copies what it needs. The APIC register
 * windows stay mapped (uncached MMIO) for good.
 */
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/layout.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/timer.h>
#include <arch/pic.h>
#include <k/errno.h>
#include <k/klog.h>
#include <kernel/cpus.h>
#include <mm/kmap.h>
#include <mm/mm.h>
#include <stdint.h>

#define MAX_MAPS 32

struct maps {
    volatile void *va[MAX_MAPS];
    uint64_t size[MAX_MAPS];
    int n;
};

/* Filled at boot by the boot CPU, before any other CPU starts; read only after. */
static struct acpi_madt madt;
static bool have_madt;

static const void *map_phys(void *ctx, uint64_t pa, size_t len)
{
    struct maps *m = ctx;
    if (m->n == MAX_MAPS || len == 0)
        return NULL;
    volatile void *va;
    if (mm_mmio_map(mm_kernel_aspace(), mm_kernel_vregion(), pa, len, &va) < 0)
        return NULL;
    m->va[m->n] = va;
    m->size[m->n++] = len;
    return (const void *)va;
}

int kernel_cpus_discover(const struct boot_info *bi)
{
    if (!bi->rsdp_len) {
        klogf(KLOG_INFO, "cpu", "no ACPI tables: one CPU, 8259 PICs\n");
        return -ENOENT;
    }
    struct maps maps = { .n = 0 };
    int r = acpi_read_madt(bi->rsdp, bi->rsdp_len, map_phys, &maps, &madt);
    for (int i = 0; i < maps.n; i++)
        mm_mmio_unmap(mm_kernel_aspace(), mm_kernel_vregion(), maps.va[i], maps.size[i]);
    if (r < 0) {
        klogf(KLOG_WARNING, "cpu", "no usable MADT (%s): one CPU, 8259 PICs\n", k_strerror(r));
        return r;
    }
    have_madt = true;
    uint32_t enabled = 0;
    for (uint32_t i = 0; i < madt.ncpus; i++)
        enabled += madt.cpus[i].enabled;
    klogf(KLOG_INFO, "cpu",
          "ACPI MADT: %u CPU%s (%u enabled), local APIC at %#llx, %u I/O APIC%s%s\n",
          madt.ncpus + madt.cpus_dropped, madt.ncpus + madt.cpus_dropped == 1 ? "" : "s", enabled,
          (unsigned long long)madt.lapic_addr, madt.nioapics, madt.nioapics == 1 ? "" : "s",
          madt.has_8259 ? ", 8259 PICs too" : "");
    /* The details go to the log (dmesg), not to the console. */
    for (uint32_t i = 0; i < madt.ncpus; i++)
        klogf(KLOG_DEBUG, "cpu", "  CPU %u: APIC id %u%s\n", madt.cpus[i].acpi_uid,
              madt.cpus[i].apic_id, madt.cpus[i].enabled ? "" : " (can be brought online)");
    for (uint32_t i = 0; i < madt.nioapics; i++)
        klogf(KLOG_DEBUG, "cpu", "  I/O APIC %u at %#x, GSI %u+\n", madt.ioapics[i].id,
              madt.ioapics[i].addr, madt.ioapics[i].gsi_base);
    for (uint32_t i = 0; i < madt.noverrides; i++)
        klogf(KLOG_DEBUG, "cpu", "  ISA IRQ %u -> GSI %u%s%s\n", madt.overrides[i].isa_irq,
              madt.overrides[i].gsi, madt.overrides[i].level ? " level" : "",
              madt.overrides[i].active_low ? " active-low" : "");
    if (madt.cpus_dropped || madt.truncated)
        klogf(KLOG_WARNING, "cpu", "MADT: %u CPUs beyond %u ignored%s\n", madt.cpus_dropped,
              ACPI_MAX_CPUS, madt.truncated ? "; a malformed entry ended the table" : "");
    return 0;
}

const struct acpi_madt *kernel_cpus_madt(void)
{
    return have_madt ? &madt : NULL;
}

static volatile void *map_window(uint64_t pa, size_t len)
{
    volatile void *va;
    return mm_mmio_map(mm_kernel_aspace(), mm_kernel_vregion(), pa, len, &va) < 0 ? NULL : va;
}

int kernel_cpus_apic_init(void)
{
    if (!have_madt || madt.nioapics == 0)
        return -ENODEV;
    uint64_t base = rdmsr(APIC_BASE_MSR);
    if (!(base & (1u << 11))) /* globally disabled by the firmware */
        return -ENODEV;
    volatile void *lapic = map_window(base & ~0xfffull, APIC_WINDOW_SIZE);
    if (!lapic)
        return -ENOMEM;
    ioapic_reset();
    int added = 0;
    for (uint32_t i = 0; i < madt.nioapics; i++) {
        volatile void *w = map_window(madt.ioapics[i].addr, IOAPIC_WINDOW_SIZE);
        int pins = w ? ioapic_add(&ioapic_mmio_io, (void *)w, madt.ioapics[i].gsi_base) : -ENOMEM;
        if (pins < 0)
            klogf(KLOG_WARNING, "cpu", "I/O APIC %u at %#x unusable: %s\n", madt.ioapics[i].id,
                  madt.ioapics[i].addr, k_strerror(pins));
        else
            klogf(KLOG_DEBUG, "cpu", "I/O APIC %u: %d inputs from GSI %u\n", madt.ioapics[i].id,
                  pins, madt.ioapics[i].gsi_base);
        added += pins > 0;
    }
    if (!added) {
        mm_mmio_unmap(mm_kernel_aspace(), mm_kernel_vregion(), lapic, APIC_WINDOW_SIZE);
        return -ENODEV;
    }
    uint64_t f = cpu_irq_save();
    apic_init(lapic);
    apic_local_setup(false);
    ioapic_set_routing(&madt, apic_id());
    pic_disable(); /* after pic_init() remapped them: a stray PIC vector is not an exception */
    irq_set_chip(&ioapic_irq_chip);
    cpu_irq_restore(f);
    return 0;
}

#define AP_STACK_SIZE       (16 * 1024)
#define AP_START_TIMEOUT_MS 2000 /* generous: an emulator on a loaded host is slow */

/* One AP's stacks: the one it starts and idles on, and its three IST stacks,
 * each above a guard page. */
static int ap_stacks(struct arch_cpu *c)
{
    struct mm_kstack s;
    int err = mm_kstack_alloc(mm_kernel_aspace(), mm_kernel_vregion(), AP_STACK_SIZE, &s);
    if (err)
        return err;
    c->stack_top = s.top;
    for (int i = 0; i < 3; i++) {
        err = mm_kstack_alloc(mm_kernel_aspace(), mm_kernel_vregion(), KERNEL_IST_STACK_SIZE, &s);
        if (err)
            return err;
        c->ist_top[i] = s.top;
    }
    return 0;
}

unsigned kernel_cpus_start_aps(const struct boot_info *bi)
{
    uint32_t self = apic_id();
    arch_cpus[0].apic_id = self;
    if (!have_madt || irq_get_chip() != &ioapic_irq_chip) {
        klogf(KLOG_DEBUG, "smp", "1 CPU online (%s)\n",
              have_madt ? "noapic: application processors not started" : "no MADT");
        return 1;
    }
    unsigned aps = 0;
    for (uint32_t i = 0; i < madt.ncpus; i++)
        aps += madt.cpus[i].enabled && madt.cpus[i].apic_id != self;
    if (aps == 0) {
        klogf(KLOG_DEBUG, "smp", "1 CPU online\n");
        return 1;
    }
    uint32_t page;
    struct smp_params *p = NULL;
    if (smp_trampoline_page(bi, &page) == 0)
        p = smp_trampoline_install((void *)(uintptr_t)(KERNEL_VMA + page), page, read_cr3());
    if (!p) {
        klogf(KLOG_WARNING, "smp", "no page below 1 MiB for the trampoline: 1 CPU online\n");
        return 1;
    }
    klogf(KLOG_DEBUG, "smp", "trampoline at %#x\n", page);
    unsigned next = 1;
    for (uint32_t i = 0; i < madt.ncpus; i++) {
        const struct acpi_cpu *m = &madt.cpus[i];
        if (!m->enabled || m->apic_id == self || m->apic_id > 0xff)
            continue;
        if (next == ARCH_MAX_CPUS) {
            klogf(KLOG_WARNING, "smp", "APIC id %u and beyond stay offline (at most %u CPUs)\n",
                  m->apic_id, ARCH_MAX_CPUS);
            break;
        }
        struct arch_cpu *c = &arch_cpus[next];
        c->index = next;
        c->apic_id = m->apic_id;
        int err = ap_stacks(c);
        if (err) {
            klogf(KLOG_WARNING, "smp", "no stacks for APIC id %u: %s\n", m->apic_id,
                  k_strerror(err));
            break;
        }
        p->stack = c->stack_top;
        p->cpu = (uint64_t)(uintptr_t)c;
        uint64_t t0 = timer_now_ns();
        err = smp_start_ap(m->apic_id, page, &c->online, AP_START_TIMEOUT_MS);
        if (err) {
            /* It may still come up late and read the block: leave it alone. */
            klogf(KLOG_WARNING, "smp", "CPU with APIC id %u did not start: %s\n", m->apic_id,
                  k_strerror(err));
            break;
        }
        klogf(KLOG_DEBUG, "smp", "CPU %u (APIC id %u) online in %llu us\n", next, m->apic_id,
              (unsigned long long)((timer_now_ns() - t0) / 1000));
        next++;
    }
    /* One CPU is the news only when more were expected: the UEFI screen has
     * no line to spare for it. */
    klogf(next > 1 ? KLOG_INFO : KLOG_DEBUG, "smp", "%u CPU%s online\n", next,
          next == 1 ? "" : "s");
    return next;
}
