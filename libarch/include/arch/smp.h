/**
 * @file arch/smp.h
 * @brief Starting the application processors: the real-mode trampoline, its
 * parameter block, and INIT-SIPI-SIPI.
 *
 * An application processor (AP) wakes from a start-up IPI in real mode at
 * CS:IP = (page << 8):0, so its first code must sit in a page below 1 MiB.
 * The trampoline (smp_trampoline.S) is copied there; it loads a small GDT of
 * its own, enters protected mode, turns on PAE and long mode with the boot
 * page tables of boot.S (which map that page at its own address and the
 * kernel at KERNEL_VMA, and whose top table lies below 4 GiB, as a 32-bit
 * MOV to CR3 needs), and jumps to smp_ap_entry64 in the kernel. That switches
 * to the kernel's own page tables and the AP's stack and calls the kernel's
 * AP entry with its per-CPU block (arch/percpu.h).
 *
 * Everything the trampoline needs is in its parameter block, at
 * SMP_PARAMS_OFF in the page, whose layout (SMP_P_* offsets) is shared with
 * the assembly. The boot CPU fills it, starts one AP, and waits until that AP
 * says it is online before reusing the block for the next.
 *
 * Locking: only the boot CPU starts APs, one at a time.
 */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#define SMP_PARAMS_OFF   0xf00 /**< Parameter block's offset in the trampoline page. */
#define SMP_P_GDTR       0x00  /**< 16-bit limit, 32-bit base of the trampoline's GDT. */
#define SMP_P_PM32       0x08  /**< Far pointer (offset32, selector) to the 32-bit code. */
#define SMP_P_LM64       0x10  /**< Far pointer (offset32, selector) to the 64-bit code. */
#define SMP_P_BOOT_CR3   0x18  /**< Boot page tables' top (physical, below 4 GiB). */
#define SMP_P_EFER       0x1c  /**< EFER bits to set: LME, and NXE if the boot CPU has it. */
#define SMP_P_KERNEL_CR3 0x20  /**< The kernel's page tables (CR3 value). */
#define SMP_P_STACK      0x28  /**< Top of the AP's stack (kernel virtual). */
#define SMP_P_ENTRY      0x30  /**< smp_ap_entry64 (kernel virtual). */
#define SMP_P_CPU        0x38  /**< The AP's struct arch_cpu (argument to the entry). */
#define SMP_P_GDT        0x40  /**< The trampoline's GDT: null, code32, data, code64. */
#define SMP_PARAMS_SIZE  0x60  /**< Bytes of the block. */
#define SMP_SEL_CODE32   0x08  /**< Trampoline GDT: 32-bit code. */
#define SMP_SEL_DATA     0x10  /**< Trampoline GDT: flat data. */
#define SMP_SEL_CODE64   0x18  /**< Trampoline GDT: 64-bit code. */

#ifndef __ASSEMBLER__
#include <arch/multiboot2.h>
#include <stdint.h>

/** @brief The trampoline's parameter block (byte layout = the SMP_P_* offsets). */
struct smp_params {
    uint16_t gdt_limit;  /**< SMP_P_GDTR: GDT limit. */
    uint32_t gdt_base;   /**< GDT physical address. */
    uint16_t pad0;       /**< (alignment) */
    uint32_t pm32_off;   /**< SMP_P_PM32: 32-bit code, physical. */
    uint16_t pm32_sel;   /**< SMP_SEL_CODE32. */
    uint16_t pad1;       /**< (alignment) */
    uint32_t lm64_off;   /**< SMP_P_LM64: 64-bit code, physical. */
    uint16_t lm64_sel;   /**< SMP_SEL_CODE64. */
    uint16_t pad2;       /**< (alignment) */
    uint32_t boot_cr3;   /**< SMP_P_BOOT_CR3. */
    uint32_t efer;       /**< SMP_P_EFER. */
    uint64_t kernel_cr3; /**< SMP_P_KERNEL_CR3. */
    uint64_t stack;      /**< SMP_P_STACK. */
    uint64_t entry;      /**< SMP_P_ENTRY. */
    uint64_t cpu;        /**< SMP_P_CPU. */
    uint64_t gdt[4];     /**< SMP_P_GDT. */
} __attribute__((packed));

/**
 * @brief Choose the trampoline's page: the lowest page from 4 KiB up to
 * 1 MiB that the memory map says is RAM and that holds neither the loader's
 * information block nor a module (the kernel hands out no memory below
 * 1 MiB, so nothing else can be there).
 * @param bi   the boot information
 * @param phys out: the page's physical address
 * @return 0, or -ENOMEM when no page qualifies
 */
int smp_trampoline_page(const struct boot_info *bi, uint32_t *phys);

/**
 * @brief Fill the parameter block for a trampoline at physical @p page (the
 * parts that do not change from one AP to the next).
 * @param p          the block
 * @param page       the trampoline page's physical address
 * @param pm32_off   offset of the 32-bit code in the trampoline
 * @param lm64_off   offset of the 64-bit code in the trampoline
 * @param boot_cr3   boot page tables (physical)
 * @param nx         set EFER.NXE too
 * @param kernel_cr3 the kernel's CR3
 * @param entry      the kernel-side 64-bit entry
 */
void smp_params_init(struct smp_params *p, uint32_t page, uint32_t pm32_off, uint32_t lm64_off,
                     uint32_t boot_cr3, int nx, uint64_t kernel_cr3, uint64_t entry);

/**
 * @brief The ICR low dword of a start-up IPI for a trampoline at @p page.
 * @param page page-aligned physical address below 1 MiB
 * @return the command (APIC_ICR_STARTUP | page number)
 */
uint32_t smp_sipi_icr(uint32_t page);

/**
 * @brief Start one AP: INIT, 10 ms, start-up IPI, and a second one if the AP
 * is not online 1 ms later; then wait up to @p timeout_ms for it.
 * Kernel only. The parameter block must be filled for this AP.
 * @param apic_id    the AP's local APIC id
 * @param page       the trampoline page (physical)
 * @param online     the flag the AP sets when it is up
 * @param timeout_ms how long to wait in all
 * @return 0, -ETIMEDOUT (it never said so), or apic_send_ipi()'s error
 */
int smp_start_ap(uint32_t apic_id, uint32_t page, volatile uint32_t *online, uint32_t timeout_ms);

/**
 * @brief Install the trampoline at @p dst (the page's kernel mapping) and
 * return its block. Kernel only.
 * @param dst   where the page is mapped
 * @param page  its physical address
 * @param kernel_cr3 the kernel's CR3
 * @return the parameter block in the page
 */
struct smp_params *smp_trampoline_install(void *dst, uint32_t page, uint64_t kernel_cr3);

/**
 * @brief Where an AP's C code starts (smp.c), called by smp_ap_entry64 on
 * the AP's stack with the kernel's page tables, interrupts off. It loads the
 * AP's GDT, TSS and GS base, the IDT, the boot CPU's CR0/CR4 features and
 * system-call MSRs, enables its local APIC, says it is online, and idles.
 * @param cpu the AP's per-CPU block (as SMP_P_CPU said)
 */
__attribute__((noreturn)) void smp_ap_main(void *cpu);

/**
 * @brief What an AP runs once it is online (with interrupts off), instead of
 * idling: the kernel's entry into scheduling. Set before the APs start.
 * Kernel only.
 * @param fn the entry; it does not return
 */
void smp_set_ap_entry(void (*fn)(void));

/**
 * @brief Send the test IPI (APIC_IPI_VECTOR) to a CPU; its handler counts it
 * in that CPU's arch_cpu::ipis. Kernel only.
 * @param apic_id the target's local APIC id
 * @return 0 or apic_send_ipi()'s error
 */
int smp_send_test_ipi(uint32_t apic_id);

#endif
#endif
