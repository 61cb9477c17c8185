/*
 * idt.c - fill and load the IDT (arch/idt.h), and arch_probe_read(), the
 * one kernel load allowed to page-fault (arch/trap.h). Kernel only.
 */
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/trap.h>

extern const uint64_t isr_stub_table[IDT_VECTORS]; /* isr.S */

/*
 * int arch_probe_read(const volatile void *va, uint64_t *out): one 64-bit
 * load. If it page-faults, trap_dispatch() resumes at the fixup (registered
 * by idt_init()), which returns -EFAULT (-14) with *out untouched.
 */
__asm__(".text\n"
        ".globl arch_probe_read\n"
        ".type arch_probe_read, @function\n"
        "arch_probe_read:\n"
        "probe_insn:\n"
        "    movq (%rdi), %rax\n"
        "    movq %rax, (%rsi)\n"
        "    xorl %eax, %eax\n"
        "    ret\n"
        "probe_fixup:\n"
        "    movl $-14, %eax\n"
        "    ret\n"
        ".size arch_probe_read, . - arch_probe_read\n");
extern const char probe_insn[], probe_fixup[];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(16)));

void idt_init(void)
{
    for (int v = 0; v < IDT_VECTORS; v++) {
        uint8_t ist = 0;
        uint8_t type = IDT_GATE_INTERRUPT;
        if (v == TRAP_DOUBLE_FAULT)
            ist = IST_DOUBLE_FAULT;
        else if (v == TRAP_NMI)
            ist = IST_NMI;
        else if (v == TRAP_MACHINE_CHECK)
            ist = IST_MACHINE_CHECK;
        else if (v == TRAP_BREAKPOINT || v == 0x80)
            type |= IDT_GATE_USER; /* int3 and int 0x80 may be used from ring 3 */
        idt_encode_gate(isr_stub_table[v], GDT_KERNEL_CS, ist, type, &idt[v]);
    }
    trap_set_probe_fixup((uintptr_t)probe_insn, (uintptr_t)probe_fixup);
    idt_load();
}

void idt_load(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(idtr));
}

const struct idt_gate *idt_gate(int vector)
{
    return &idt[vector & 0xff];
}
