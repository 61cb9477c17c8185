/*
 * gdt.c - build and load each CPU's GDT and TSS (arch/gdt.h, arch/percpu.h).
 * Kernel only; the descriptor encoders are in descriptor.c so host tests can
 * check them.
 *
 * Every CPU has its own GDT and TSS in its per-CPU block: the TSS holds the
 * CPU's ring-0 stack and IST stacks, and a TSS descriptor is marked busy by
 * LTR, so two CPUs cannot share one. The boot CPU's IST stacks live in boot.S,
 * next to the boot stack, each above a guard page that the boot page tables
 * leave unmapped; an application processor's come from smp.c.
 */
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/layout.h>
#include <arch/percpu.h>

#define MSR_GS_BASE 0xc0000101u

struct gdtr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

struct arch_cpu *arch_cpu_this(void)
{
    struct arch_cpu *c;
    __asm__ volatile("movq %%gs:16, %0" : "=r"(c));
    return c;
}

void arch_cpu_load_tables(struct arch_cpu *c, uint64_t rsp0)
{
    const uint8_t code = GDT_ACCESS_PRESENT | GDT_ACCESS_SEGMENT | GDT_ACCESS_CODE | GDT_ACCESS_RW;
    const uint8_t data = GDT_ACCESS_PRESENT | GDT_ACCESS_SEGMENT | GDT_ACCESS_RW;
    const uint8_t flags64 = GDT_FLAG_GRANULARITY | GDT_FLAG_LONG;
    const uint8_t flags32 = GDT_FLAG_GRANULARITY | GDT_FLAG_SIZE32;
    uint64_t *gdt = c->gdt;

    c->self = c;
    gdt[0] = 0;
    gdt[GDT_KERNEL_CS >> 3] = gdt_encode_segment(0, 0xfffff, code, flags64);
    gdt[GDT_KERNEL_DS >> 3] = gdt_encode_segment(0, 0xfffff, data, flags32);
    gdt[GDT_USER_DS >> 3] = gdt_encode_segment(0, 0xfffff, data | GDT_ACCESS_DPL3, flags32);
    gdt[GDT_USER_CS >> 3] = gdt_encode_segment(0, 0xfffff, code | GDT_ACCESS_DPL3, flags64);

    c->tss.ist[IST_DOUBLE_FAULT - 1] = c->ist_top[0];
    c->tss.ist[IST_NMI - 1] = c->ist_top[1];
    c->tss.ist[IST_MACHINE_CHECK - 1] = c->ist_top[2];
    c->tss.rsp[0] = rsp0;
    c->kernel_rsp = rsp0;
    c->tss.iomap_base = sizeof(struct tss); /* no I/O permission bitmap */
    gdt_encode_tss((uint64_t)(uintptr_t)&c->tss, sizeof(c->tss) - 1, &gdt[GDT_TSS >> 3]);

    struct gdtr r = { sizeof(c->gdt) - 1, (uint64_t)(uintptr_t)gdt };
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
    /* A null selector in GS clears GS.base: the per-CPU block comes back. */
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
    __asm__ volatile("ltr %0" : : "r"((uint16_t)GDT_TSS));
}

void gdt_init(void)
{
    struct arch_cpu *c = &arch_cpus[0];
    c->ist_top[0] = (uint64_t)(uintptr_t)ist_double_fault_top;
    c->ist_top[1] = (uint64_t)(uintptr_t)ist_nmi_top;
    c->ist_top[2] = (uint64_t)(uintptr_t)ist_machine_check_top;
    c->online = 1;
    arch_cpu_load_tables(c, (uint64_t)(uintptr_t)boot_stack_top);
}

void gdt_set_kernel_stack(uint64_t rsp0)
{
    arch_cpu_this()->tss.rsp[0] = rsp0;
}

const struct tss *gdt_tss(void)
{
    return &arch_cpu_this()->tss;
}
