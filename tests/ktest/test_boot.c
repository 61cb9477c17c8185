/*
 * test_boot.c - in-kernel checks of what boot.S and kmain() set up.
 */
#include <arch/cpu.h>
#include <arch/layout.h>
#include <arch/multiboot2.h>
#include <kernel/boot.h>
#include <kernel/cpus.h>
#include <kernel/ktest.h>
#include <mm/phys.h>

#define PTE_P    0x1ull
#define PTE_W    0x2ull
#define PTE_PS   0x80ull
#define PTE_ADDR 0x000ffffffffff000ull

/* Walk the live page tables (reachable through the direct map). */
static uint64_t lookup_pte(uintptr_t va, int *level_out)
{
    uint64_t table = read_cr3() & PTE_ADDR;
    for (int level = 4; level >= 1; level--) {
        int idx = (va >> (12 + 9 * (level - 1))) & 511;
        uint64_t e = ((volatile uint64_t *)mm_phys_to_virt(table))[idx];
        *level_out = level;
        if (!(e & PTE_P) || level == 1 || (e & PTE_PS))
            return e;
        table = e & PTE_ADDR;
    }
    return 0;
}

KTEST(boot_long_mode_and_nx_enabled)
{
    uint64_t efer = rdmsr(0xc0000080);
    KT_ASSERT(efer & (1u << 8));  /* LME */
    KT_ASSERT(efer & (1u << 10)); /* LMA: long mode is active */
    KT_ASSERT(efer & (1u << 11)); /* NXE (every CPU QEMU emulates has NX) */
    KT_ASSERT(read_cr0() & (1u << 31));
    KT_ASSERT(read_cr0() & (1u << 16)); /* WP */
    KT_ASSERT(read_cr4() & (1u << 5));  /* PAE */
}

KTEST(boot_kernel_is_in_higher_half)
{
    KT_ASSERT((uintptr_t)_text_start >= KERNEL_VMA);
    KT_ASSERT((uintptr_t)&lookup_pte >= KERNEL_VMA);
    KT_ASSERT((uintptr_t)_kernel_phys_start == 0x100000);
    int level;
    uint64_t e = lookup_pte((uintptr_t)_text_start, &level);
    KT_ASSERT(e & PTE_P);
    KT_ASSERT_EQ(level, 1);
    KT_ASSERT_EQ(e & PTE_ADDR, kernel_image_phys(_text_start));
}

KTEST(boot_stack_guard_page_is_unmapped)
{
    int level;
    uint64_t guard = lookup_pte((uintptr_t)boot_stack_guard, &level);
    KT_ASSERT_EQ(level, 1);
    KT_ASSERT(!(guard & PTE_P));
    uint64_t above = lookup_pte((uintptr_t)boot_stack_guard + 4096, &level);
    KT_ASSERT(above & PTE_P);
    /* We are running on that stack, just below its top. */
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    KT_ASSERT(sp > (uintptr_t)boot_stack_guard + 4096 && sp < (uintptr_t)boot_stack_top);
}

KTEST(boot_info_was_parsed)
{
    const struct boot_info *bi = kernel_boot_info();
    KT_ASSERT(bi->mmap_count > 0);
    KT_ASSERT(boot_info_mem_available(bi) >= 64ull << 20); /* QEMU gets >= 64 MiB */
    KT_ASSERT(bi->loader[0] != '\0');                      /* GRUB names itself */
    KT_ASSERT(bi->info_size >= 16);
    /* The kernel's own range must lie in available RAM. */
    uint64_t lo = (uintptr_t)_kernel_phys_start, hi = kernel_image_phys(_kernel_end);
    int inside = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++)
        if (bi->mmap[i].type == MB2_MEM_AVAILABLE && bi->mmap[i].base <= lo &&
            bi->mmap[i].base + bi->mmap[i].length >= hi)
            inside = 1;
    KT_ASSERT(inside);
}

KTEST(boot_madt_lists_this_cpu)
{
    /* QEMU gives ACPI tables under SeaBIOS and OVMF alike. */
    const struct acpi_madt *m = kernel_cpus_madt();
    KT_ASSERT(m != NULL);
    uint32_t id[4];
    cpu_cpuid(1, 0, id);
    uint32_t apic_id = id[1] >> 24;
    int found = 0;
    for (uint32_t i = 0; i < m->ncpus; i++)
        found += m->cpus[i].apic_id == apic_id && m->cpus[i].enabled;
    KT_ASSERT_EQ(found, 1);
    /* The local APIC where IA32_APIC_BASE says, and an I/O APIC for GSI 0. */
    KT_ASSERT_EQ(m->lapic_addr, rdmsr(0x1b) & ~0xfffull & 0xffffffffffull);
    KT_ASSERT(m->nioapics >= 1);
    KT_ASSERT_EQ(m->ioapics[0].gsi_base, 0);
    KT_ASSERT(!m->truncated);
}
