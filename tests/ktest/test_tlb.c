/*
 * test_tlb.c - kernel TLB shootdowns (arch/bkl.h): a kernel page unmapped on
 * the boot CPU faults on every other CPU at once, even on one that runs
 * outside the big kernel lock and so never catches up by taking it.
 *
 * Each AP reads the page first, from a lockless IPI handler of this test's
 * own, so its TLB holds the translation (a global one: CR3 loads keep it).
 * The boot CPU then unmaps the page, keeping its frame and contents, and asks
 * each AP to read it again, still from the lockless handler: every read must
 * fault (arch_probe_read() survives the fault). Without the shootdown the APs
 * read the old frame through their stale entries. With one CPU only the boot
 * CPU's own reads are checked.
 */
#include <arch/apic.h>
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/timer.h>
#include <arch/trap.h>
#include <k/errno.h>
#include <kernel/ktest.h>
#include <mm/frame.h>
#include <mm/kmap.h>
#include <mm/mm.h>
#include <mm/phys.h>
#include <mm/vm.h>

#define PROBE_VECTOR 0xe0 /* this test's own IPI: read `target` on the CPU that takes it */
#define MAGIC        0x5eed7e57c0ffee11ull

static const volatile void *target;
static volatile int result[ARCH_MAX_CPUS];
static volatile uint64_t seen[ARCH_MAX_CPUS];
static volatile uint32_t answered[ARCH_MAX_CPUS];

static void on_probe(struct trap_frame *tf)
{
    (void)tf;
    uint32_t me = cpu_index();
    uint64_t v = 0;
    result[me] = arch_probe_read(target, &v);
    seen[me] = v;
    __atomic_store_n(&answered[me], 1, __ATOMIC_RELEASE);
    apic_eoi();
}

/* Have CPU @p c read the target from its probe handler; its result, or
 * -ETIMEDOUT if it never answered. */
static int probe_on(unsigned c)
{
    answered[c] = 0;
    result[c] = 1;
    if (apic_send_ipi(arch_cpus[c].apic_id, PROBE_VECTOR) < 0)
        return -EIO;
    uint64_t end = timer_now_ns() + 2000000000ull; /* generous, for a loaded emulator */
    while (!__atomic_load_n(&answered[c], __ATOMIC_ACQUIRE) && timer_now_ns() < end)
        cpu_pause();
    return answered[c] ? result[c] : -ETIMEDOUT;
}

KTEST(tlb_kernel_unmap_faults_on_every_cpu)
{
    unsigned n = arch_cpus_online(NULL, 0);
    struct mm_aspace *kas = mm_kernel_aspace();
    uint64_t pa;
    KT_ASSERT_EQ(mm_frame_alloc(mm_kernel_frames(), &pa), 0);
    *(volatile uint64_t *)mm_phys_to_virt(pa) = MAGIC;
    volatile void *va;
    KT_ASSERT_EQ(mm_mmio_map(kas, mm_kernel_vregion(), pa, 4096, &va), 0);
    uint64_t flags;
    KT_ASSERT_EQ(mm_pt_translate(kas, (uintptr_t)va, NULL, &flags), 0);
    target = va;
    trap_handler_fn old = trap_set_handler(PROBE_VECTOR, on_probe);
    trap_set_lockless(PROBE_VECTOR);

    /* Every CPU reads the page: the translation is in each one's TLB. */
    uint64_t v = 0;
    KT_ASSERT_EQ(arch_probe_read(va, &v), 0);
    KT_ASSERT_EQ(v, MAGIC);
    for (unsigned c = 1; c < n; c++) {
        KT_ASSERT_EQ(probe_on(c), 0);
        KT_ASSERT_EQ(seen[c], MAGIC);
    }

    struct arch_bkl_stats before, after;
    arch_bkl_get_stats(&before);
    uint64_t old_pa;
    KT_ASSERT_EQ(mm_pt_unmap(kas, (uintptr_t)va, &old_pa), 0);
    arch_bkl_get_stats(&after);
    KT_ASSERT_EQ(old_pa, pa);

    /* Now it faults everywhere, though the frame still holds MAGIC. */
    KT_ASSERT_EQ(arch_probe_read(va, &v), -EFAULT);
    unsigned stale = 0;
    for (unsigned c = 1; c < n; c++) {
        int r = probe_on(c);
        KT_ASSERT(r != -ETIMEDOUT && r != -EIO);
        if (r == 0)
            stale++;
    }
    trap_set_handler(PROBE_VECTOR, old);
    KT_ASSERT_EQ(mm_pt_map(kas, (uintptr_t)va, pa, flags & MM_PTE_FLAGS), 0);
    KT_ASSERT_EQ(mm_mmio_unmap(kas, mm_kernel_vregion(), va, 4096), 0);
    KT_ASSERT_EQ(mm_frame_free(mm_kernel_frames(), pa), 0);
    KT_ASSERT_EQ(stale, 0); /* no CPU read the old frame after the unmap */
    KT_ASSERT(after.shootdowns - before.shootdowns >= n - 1); /* an IPI to each other CPU */
}
