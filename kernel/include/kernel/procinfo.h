/**
 * @file kernel/procinfo.h
 * @brief What /proc needs from the kernel: the memory figures libproc cannot
 * see (heap, stacks, block caches, ramfs contents), the PCI functions found at
 * boot, and the thread that samples the load average.
 */
#ifndef KERNEL_PROCINFO_H
#define KERNEL_PROCINFO_H

/**
 * @brief Install the /proc hooks (procfs_init()) and start the load-average
 * sampler. Call after the scheduler, the devices and the VFS are up.
 * @return 0 or -ENOMEM (no sampler thread: the averages stay 0)
 */
int kernel_procinfo_init(void);

#endif
