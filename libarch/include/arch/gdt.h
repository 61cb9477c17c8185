/**
 * @file arch/gdt.h
 * @brief Global descriptor table and task-state segment.
 *
 * The GDT holds the kernel and user code/data segments (the user ones are ready
 * for ring 3) and the TSS. The TSS gives the stack used on entry from ring 3
 * (`rsp0`) and the Interrupt Stack Table: the double-fault, NMI and machine-check
 * handlers run on their own IST stacks, each with an unmapped guard page below
 * it, so they work even when the kernel stack is gone.
 *
 * Selector order follows what SYSCALL/SYSRET will need later: user data sits
 * right below user code.
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CS 0x08 /**< Kernel 64-bit code. */
#define GDT_KERNEL_DS 0x10 /**< Kernel data. */
#define GDT_USER_DS   0x1b /**< User data (index 3, RPL 3). */
#define GDT_USER_CS   0x23 /**< User 64-bit code (index 4, RPL 3). */
#define GDT_TSS       0x28 /**< TSS (two slots: 5 and 6). */
#define GDT_ENTRIES   7    /**< Slots in the table. */

#define IST_DOUBLE_FAULT  1 /**< IST slot of the double-fault handler. */
#define IST_NMI           2 /**< IST slot of the NMI handler. */
#define IST_MACHINE_CHECK 3 /**< IST slot of the machine-check handler. */

/** @name Access byte bits of a segment descriptor */
/** @{ */
#define GDT_ACCESS_PRESENT 0x80 /**< Present. */
#define GDT_ACCESS_DPL3    0x60 /**< Descriptor privilege level 3. */
#define GDT_ACCESS_SEGMENT 0x10 /**< Code/data (not a system descriptor). */
#define GDT_ACCESS_CODE    0x08 /**< Executable. */
#define GDT_ACCESS_RW      0x02 /**< Readable code / writable data. */
#define GDT_ACCESS_TSS     0x09 /**< System type: available 64-bit TSS. */
/** @} */

/** @name Flags nibble of a segment descriptor */
/** @{ */
#define GDT_FLAG_GRANULARITY 0x8 /**< Limit counts 4 KiB units. */
#define GDT_FLAG_SIZE32      0x4 /**< 32-bit default operand size. */
#define GDT_FLAG_LONG        0x2 /**< 64-bit code segment. */
/** @} */

/** @brief The 64-bit task-state segment (Intel SDM vol. 3, 8.7). */
struct tss {
    uint32_t reserved0;  /**< Reserved. */
    uint64_t rsp[3];     /**< Stack for entry to rings 0-2. */
    uint64_t reserved1;  /**< Reserved. */
    uint64_t ist[7];     /**< Interrupt Stack Table, IST1..IST7. */
    uint64_t reserved2;  /**< Reserved. */
    uint16_t reserved3;  /**< Reserved. */
    uint16_t iomap_base; /**< Offset of the I/O bitmap (none: sizeof(struct tss)). */
} __attribute__((packed));

/**
 * @brief Encode a code or data segment descriptor.
 * @param base   segment base (ignored by the CPU in 64-bit mode)
 * @param limit  20-bit limit
 * @param access access byte (GDT_ACCESS_*)
 * @param flags  flags nibble (GDT_FLAG_*)
 * @return the 8-byte descriptor
 */
uint64_t gdt_encode_segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags);

/**
 * @brief Encode a 64-bit TSS descriptor, which takes two GDT slots.
 * @param base  address of the TSS
 * @param limit its size minus one
 * @param out   the two 8-byte halves (low slot first)
 */
void gdt_encode_tss(uint64_t base, uint32_t limit, uint64_t out[2]);

/**
 * @brief Build the boot CPU's GDT and TSS (with the IST stacks) in its per-CPU
 * block (arch/percpu.h), load them, and reload every segment register. Call
 * once, early, on the boot CPU.
 */
void gdt_init(void);

/**
 * @brief Set the stack this CPU switches to on an interrupt from ring 3.
 * @param rsp0 top of the current thread's kernel stack
 */
void gdt_set_kernel_stack(uint64_t rsp0);

/** @brief This CPU's TSS (for tests and diagnostics). @return the TSS */
const struct tss *gdt_tss(void);

#endif
