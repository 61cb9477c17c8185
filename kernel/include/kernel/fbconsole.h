/**
 * @file kernel/fbconsole.h
 * @brief The framebuffer console's wiring: map the loader's framebuffer, start
 * a dev/fbcon.h console on it, and register it with the console registry.
 */
#ifndef KERNEL_FBCONSOLE_H
#define KERNEL_FBCONSOLE_H

#include <arch/multiboot2.h>
#include <k/console.h>

/**
 * @brief Start the framebuffer console if the loader gave a direct-colour
 * linear framebuffer. The kernel log so far is replayed onto it, so the boot
 * messages printed before memory management was up appear on the screen too.
 * Call once, after mm_init(), before interrupts are enabled.
 * @param bi  the boot information
 * @param ops set to the console's driver on success (what the terminal writes to)
 * @param ctx set to its context on success
 * @return 0 when the console is registered; -ENODEV when there is no
 *         framebuffer or it is VGA text mode; -ENOTSUP for a palette-indexed
 *         one; -EINVAL, -ENOMEM or -ENOSPC when it could not be set up (logged)
 */
int kernel_fbcon_init(const struct boot_info *bi, const struct console_ops **ops, void **ctx);

#endif
