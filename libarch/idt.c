/*
 * idt.c - fill and load the IDT (arch/idt.h). Kernel only.
 */
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/trap.h>

extern const uint64_t isr_stub_table[IDT_VECTORS]; /* isr.S */

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
