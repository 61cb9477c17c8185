/*
 * gdt.c - build and load the GDT and TSS (arch/gdt.h). Kernel only; the
 * descriptor encoders are in descriptor.c so host tests can check them.
 *
 * The IST stacks live in boot.S, next to the boot stack, each above a guard page
 * that the boot page tables leave unmapped.
 */
#include <arch/gdt.h>
#include <arch/layout.h>

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));

struct gdtr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

void gdt_init(void)
{
    const uint8_t code = GDT_ACCESS_PRESENT | GDT_ACCESS_SEGMENT | GDT_ACCESS_CODE | GDT_ACCESS_RW;
    const uint8_t data = GDT_ACCESS_PRESENT | GDT_ACCESS_SEGMENT | GDT_ACCESS_RW;
    const uint8_t flags64 = GDT_FLAG_GRANULARITY | GDT_FLAG_LONG;
    const uint8_t flags32 = GDT_FLAG_GRANULARITY | GDT_FLAG_SIZE32;

    gdt[0] = 0;
    gdt[GDT_KERNEL_CS >> 3] = gdt_encode_segment(0, 0xfffff, code, flags64);
    gdt[GDT_KERNEL_DS >> 3] = gdt_encode_segment(0, 0xfffff, data, flags32);
    gdt[GDT_USER_DS >> 3] = gdt_encode_segment(0, 0xfffff, data | GDT_ACCESS_DPL3, flags32);
    gdt[GDT_USER_CS >> 3] = gdt_encode_segment(0, 0xfffff, code | GDT_ACCESS_DPL3, flags64);

    tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)(uintptr_t)ist_double_fault_top;
    tss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)ist_nmi_top;
    tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)(uintptr_t)ist_machine_check_top;
    tss.rsp[0] = (uint64_t)(uintptr_t)boot_stack_top;
    tss.iomap_base = sizeof(struct tss); /* no I/O permission bitmap */
    gdt_encode_tss((uint64_t)(uintptr_t)&tss, sizeof(tss) - 1, &gdt[GDT_TSS >> 3]);

    struct gdtr r = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
    __asm__ volatile("lgdt %0" : : "m"(r) : "memory");
    /* Reload CS with a far return, then the data segments, then the task register. */
    __asm__ volatile("pushq %0\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:"
                     :
                     : "i"(GDT_KERNEL_CS)
                     : "rax", "memory");
    __asm__ volatile("mov %0, %%ds\n\t"
                     "mov %0, %%es\n\t"
                     "mov %0, %%ss\n\t"
                     "mov %1, %%fs\n\t"
                     "mov %1, %%gs"
                     :
                     : "r"((uint16_t)GDT_KERNEL_DS), "r"((uint16_t)0));
    __asm__ volatile("ltr %0" : : "r"((uint16_t)GDT_TSS));
}

void gdt_set_kernel_stack(uint64_t rsp0)
{
    tss.rsp[0] = rsp0;
}

const struct tss *gdt_tss(void)
{
    return &tss;
}
