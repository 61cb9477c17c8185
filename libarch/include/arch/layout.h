/**
 * @file arch/layout.h
 * @brief Where the kernel lives: the higher-half base and the linker's symbols.
 *
 * GRUB loads the image at physical 1 MiB. The boot code maps physical
 * [0, KERNEL_BOOT_MAP_SIZE) at KERNEL_VMA with 4 KiB pages (leaving the boot
 * stack's guard page unmapped) and identity-maps the first GiB with 2 MiB pages.
 */
#ifndef ARCH_LAYOUT_H
#define ARCH_LAYOUT_H

/** Virtual address of physical 0 in the kernel's higher-half mapping. */
#define KERNEL_VMA 0xffffffff80000000

/** Physical memory mapped at KERNEL_VMA by the boot code (4 KiB pages). */
#define KERNEL_BOOT_MAP_SIZE (16 * 1024 * 1024)

/** Size of the boot (kmain) stack, above its unmapped guard page. */
#define KERNEL_BOOT_STACK_SIZE (32 * 1024)

/** Size of each interrupt stack (IST), above its unmapped guard page. */
#define KERNEL_IST_STACK_SIZE (16 * 1024)

#ifndef __ASSEMBLY__
#include <stdint.h>

/** @name Symbols from kernel/linker.ld (their addresses are what matter) */
/** @{ */
extern char _kernel_phys_start[];      /**< Physical start of the image (1 MiB). */
extern char _kernel_start[];           /**< Virtual start of the higher-half part. */
extern char _text_start[];             /**< Start of .text. */
extern char _text_end[];               /**< End of .text. */
extern char _rodata_start[];           /**< Start of .rodata. */
extern char _rodata_end[];             /**< End of .rodata. */
extern char _data_start[];             /**< Start of .data. */
extern char _bss_start[];              /**< Start of .bss. */
extern char _kernel_end[];             /**< Virtual end of the image. */
extern char boot_stack_guard[];        /**< The boot stack's unmapped guard page. */
extern char boot_stack_top[];          /**< Top of the boot stack. */
extern char ist_double_fault_guard[];  /**< Guard page below the double-fault stack. */
extern char ist_double_fault_top[];    /**< Top of the double-fault IST stack. */
extern char ist_nmi_guard[];           /**< Guard page below the NMI stack. */
extern char ist_nmi_top[];             /**< Top of the NMI IST stack. */
extern char ist_machine_check_guard[]; /**< Guard page below the machine-check stack. */
extern char ist_machine_check_top[];   /**< Top of the machine-check IST stack. */
/** @} */

/** Number of guard pages boot.S leaves unmapped (boot stack + 3 IST stacks). */
#define KERNEL_BOOT_GUARD_PAGES 4

/**
 * @brief Is @p va inside one of the kernel image's stack guard pages? The memory
 * manager keeps these unmapped when it remaps the kernel, and the double-fault
 * handler uses this to recognise a kernel stack overflow.
 * @param va a virtual address
 * @return nonzero if it lies in a boot or IST stack guard page
 */
int kernel_image_guard_page(uintptr_t va);

/**
 * @brief Physical address of a kernel-image virtual address.
 * @param va an address inside the higher-half kernel mapping
 * @return its physical address
 */
static inline uint64_t kernel_image_phys(const void *va)
{
    return (uint64_t)(uintptr_t)va - KERNEL_VMA;
}
#endif

#endif
