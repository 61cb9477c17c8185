/*
 * smp_params.c - the pure parts of AP start-up (arch/smp.h): choosing the
 * trampoline page, filling its parameter block, encoding the start-up IPI.
 * Built for the host too, where the tests check the block byte by byte
 * against the offsets the assembly uses.
 */
#include <arch/apic.h>
#include <arch/smp.h>
#include <k/errno.h>
#include <stddef.h>

_Static_assert(offsetof(struct smp_params, gdt_limit) == SMP_P_GDTR, "GDTR");
_Static_assert(offsetof(struct smp_params, pm32_off) == SMP_P_PM32, "PM32");
_Static_assert(offsetof(struct smp_params, lm64_off) == SMP_P_LM64, "LM64");
_Static_assert(offsetof(struct smp_params, boot_cr3) == SMP_P_BOOT_CR3, "BOOT_CR3");
_Static_assert(offsetof(struct smp_params, efer) == SMP_P_EFER, "EFER");
_Static_assert(offsetof(struct smp_params, kernel_cr3) == SMP_P_KERNEL_CR3, "KERNEL_CR3");
_Static_assert(offsetof(struct smp_params, stack) == SMP_P_STACK, "STACK");
_Static_assert(offsetof(struct smp_params, entry) == SMP_P_ENTRY, "ENTRY");
_Static_assert(offsetof(struct smp_params, cpu) == SMP_P_CPU, "CPU");
_Static_assert(offsetof(struct smp_params, gdt) == SMP_P_GDT, "GDT");
_Static_assert(sizeof(struct smp_params) == SMP_PARAMS_SIZE, "size");
_Static_assert(SMP_PARAMS_OFF + SMP_PARAMS_SIZE <= 4096, "the block fits the page");

#define PAGE      4096u
#define LOW_LIMIT 0x100000u
#define EFER_LME  (1u << 8)
#define EFER_NXE  (1u << 11)

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static int usable(const struct boot_info *bi, uint32_t page)
{
    int ram = 0;
    for (uint32_t i = 0; i < bi->mmap_count; i++) {
        const struct boot_mmap_entry *e = &bi->mmap[i];
        if (!overlaps(page, PAGE, e->base, e->length))
            continue;
        if (e->type != MB2_MEM_AVAILABLE)
            return 0; /* any overlap with a reserved range rules it out */
        ram |= e->base <= page && page + PAGE <= e->base + e->length;
    }
    if (!ram || overlaps(page, PAGE, bi->info_phys, bi->info_size))
        return 0;
    for (uint32_t i = 0; i < bi->module_count; i++)
        if (overlaps(page, PAGE, bi->modules[i].start, bi->modules[i].end - bi->modules[i].start))
            return 0;
    return 1;
}

int smp_trampoline_page(const struct boot_info *bi, uint32_t *phys)
{
    for (uint32_t page = PAGE; page < LOW_LIMIT; page += PAGE) {
        if (usable(bi, page)) {
            *phys = page;
            return 0;
        }
    }
    return -ENOMEM;
}

void smp_params_init(struct smp_params *p, uint32_t page, uint32_t pm32_off, uint32_t lm64_off,
                     uint32_t boot_cr3, int nx, uint64_t kernel_cr3, uint64_t entry)
{
    p->gdt_limit = sizeof(p->gdt) - 1;
    p->gdt_base = page + SMP_PARAMS_OFF + SMP_P_GDT;
    p->pad0 = p->pad1 = p->pad2 = 0;
    p->pm32_off = page + pm32_off;
    p->pm32_sel = SMP_SEL_CODE32;
    p->lm64_off = page + lm64_off;
    p->lm64_sel = SMP_SEL_CODE64;
    p->boot_cr3 = boot_cr3;
    p->efer = EFER_LME | (nx ? EFER_NXE : 0);
    p->kernel_cr3 = kernel_cr3;
    p->stack = 0;
    p->entry = entry;
    p->cpu = 0;
    p->gdt[0] = 0;
    p->gdt[1] = 0x00cf9a000000ffffull; /* 32-bit code, flat */
    p->gdt[2] = 0x00cf92000000ffffull; /* data, flat */
    p->gdt[3] = 0x00af9a000000ffffull; /* 64-bit code */
}

uint32_t smp_sipi_icr(uint32_t page)
{
    return APIC_ICR_STARTUP | ((page >> 12) & 0xff);
}
