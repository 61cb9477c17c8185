/**
 * @file kernel/kshell.h
 * @brief The kernel shell: the shell library wired to the consoles, the VFS and
 * the kernel's own commands, running as the thread "shell".
 *
 * Kernel commands (besides the shell's built-ins and file commands):
 * `lspci devices mem ps uptime uname log ktest fsck mkfs shutdown reboot`.
 */
#ifndef KERNEL_KSHELL_H
#define KERNEL_KSHELL_H

/**
 * @brief Start the shell thread. It reads the console terminal (serial and
 * keyboard) in raw mode, sleeping between keystrokes.
 * @return 0 or a negative error
 */
int kshell_start(void);

#endif
