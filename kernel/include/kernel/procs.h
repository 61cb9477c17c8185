/**
 * @file kernel/procs.h
 * @brief Wire libproc into the kernel: ring 3, the process table, and the
 * kernel shell's way of running a program by its path.
 */
#ifndef KERNEL_PROCS_H
#define KERNEL_PROCS_H

/**
 * @brief Set up ring 3 (arch_user_init) and libproc. Call after the scheduler
 * (the switch hook is already in its config) and before the shell starts.
 * @return 0 or a negative errno
 */
int kernel_procs_init(void);

/**
 * @brief Start process 1 and wait for it: the program named by `init=` on
 * the kernel command line, else the first of /sbin/init, /etc/init,
 * /bin/init and /bin/sh that exists (Linux's order), with /dev/console as its
 * standard I/O. Init never exits; if it does, or nothing can be started, the
 * console says why and the machine powers off after syncing its disks.
 * @param cmdline the kernel command line
 */
__attribute__((noreturn)) void kernel_run_init(const char *cmdline);

#endif
