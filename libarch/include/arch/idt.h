/**
 * @file arch/idt.h
 * @brief The interrupt descriptor table.
 *
 * All 256 vectors point at assembly stubs (isr.S) that save the full register
 * state as a `struct trap_frame` and call trap_dispatch() (arch/trap.h). Vectors
 * for which the CPU pushes an error code (8, 10-14, 17, 21, 29, 30) and those for
 * which it does not are both normalised to the same frame layout.
 */
#ifndef ARCH_IDT_H
#define ARCH_IDT_H

#include <stdint.h>

#define IDT_VECTORS 256 /**< Entries in the table. */

/** @name Gate type/attribute bytes */
/** @{ */
#define IDT_GATE_INTERRUPT 0x8e /**< Present, DPL 0, 64-bit interrupt gate (IF cleared). */
#define IDT_GATE_TRAP      0x8f /**< Present, DPL 0, 64-bit trap gate (IF kept). */
#define IDT_GATE_USER      0x60 /**< OR in: callable from ring 3 (int 0x80, int3). */
/** @} */

/** @brief One 16-byte IDT entry. */
struct idt_gate {
    uint16_t offset_low;  /**< Handler bits 0..15. */
    uint16_t selector;    /**< Code segment selector. */
    uint8_t ist;          /**< IST slot (0: no stack switch). */
    uint8_t type_attr;    /**< Type and attributes (IDT_GATE_*). */
    uint16_t offset_mid;  /**< Handler bits 16..31. */
    uint32_t offset_high; /**< Handler bits 32..63. */
    uint32_t reserved;    /**< Zero. */
} __attribute__((packed));

/**
 * @brief Encode an IDT gate.
 * @param handler   address of the entry stub
 * @param selector  code segment (GDT_KERNEL_CS)
 * @param ist       IST slot 0..7
 * @param type_attr IDT_GATE_INTERRUPT or IDT_GATE_TRAP, optionally | IDT_GATE_USER
 * @param out       the gate
 */
void idt_encode_gate(uint64_t handler, uint16_t selector, uint8_t ist, uint8_t type_attr,
                     struct idt_gate *out);

/**
 * @brief Fill the IDT (double fault, NMI and machine check on their IST stacks;
 * breakpoint callable from ring 3) and load it. Call after gdt_init().
 */
void idt_init(void);

/** @brief Load the IDT idt_init() built on this CPU (every CPU shares it). */
void idt_load(void);

/**
 * @brief The gate currently installed for a vector (for tests).
 * @param vector 0..255
 * @return the gate
 */
const struct idt_gate *idt_gate(int vector);

#endif
