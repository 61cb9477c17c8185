/*
 * descriptor.c - pure encoders for GDT segment/TSS descriptors and IDT gates
 * (arch/gdt.h, arch/idt.h), tested on the host against hand-computed values.
 */
#include <arch/gdt.h>
#include <arch/idt.h>

uint64_t gdt_encode_segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    uint64_t d = 0;
    d |= (uint64_t)(limit & 0xffff);
    d |= (uint64_t)(base & 0xffffff) << 16;
    d |= (uint64_t)access << 40;
    d |= (uint64_t)((limit >> 16) & 0xf) << 48;
    d |= (uint64_t)(flags & 0xf) << 52;
    d |= (uint64_t)((base >> 24) & 0xff) << 56;
    return d;
}

void gdt_encode_tss(uint64_t base, uint32_t limit, uint64_t out[2])
{
    out[0] = gdt_encode_segment((uint32_t)base, limit, GDT_ACCESS_PRESENT | GDT_ACCESS_TSS, 0);
    out[1] = base >> 32;
}

void idt_encode_gate(uint64_t handler, uint16_t selector, uint8_t ist, uint8_t type_attr,
                     struct idt_gate *out)
{
    out->offset_low = (uint16_t)handler;
    out->selector = selector;
    out->ist = ist & 7;
    out->type_attr = type_attr;
    out->offset_mid = (uint16_t)(handler >> 16);
    out->offset_high = (uint32_t)(handler >> 32);
    out->reserved = 0;
}
