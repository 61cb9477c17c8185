/**
 * @file kernel/boot.h
 * @brief What the kernel learned at boot, for the subsystems that start later.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <arch/multiboot2.h>

/**
 * @brief The parsed multiboot2 information (valid for the kernel's lifetime).
 * @return the boot information kmain() parsed
 */
const struct boot_info *kernel_boot_info(void);

/**
 * @brief Print the boot summary (loader, command line, memory, kernel range).
 * @param bi the boot information
 */
void kernel_print_boot_summary(const struct boot_info *bi);

#endif
