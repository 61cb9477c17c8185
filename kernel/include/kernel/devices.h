/**
 * @file kernel/devices.h
 * @brief Device bring-up: enumerate PCI, bind the virtio-blk driver (with DMA
 * and MMIO from libmm), and keep the lists for the shell's `lspci` and `devices`.
 */
#ifndef KERNEL_DEVICES_H
#define KERNEL_DEVICES_H

#include <dev/device.h>
#include <dev/pci.h>
#include <stddef.h>

/**
 * @brief Enumerate PCI and bind drivers (virtio-blk disks become vda, vdb, ...).
 * Call after mm_init() and interrupts_init().
 * @return the number of PCI functions found
 */
int kernel_devices_init(void);

/**
 * @brief The PCI functions found at boot, every BAR sized (the first call
 * sizes those of the functions no driver bound: boot leaves them unsized).
 * @param n set to their number
 * @return the array
 */
const struct pci_device *kernel_pci_devices(size_t *n);

/** @brief The PCI bus (devices and their bound drivers). @return it */
struct bus_type *kernel_pci_bus(void);

/** @brief How the drivers' sleeping waiter has been used. Counted under the big
 * kernel lock; read live without it (each field one word: a snapshot). */
struct kernel_io_stats {
    uint64_t sleeps;     /**< Times a thread went to sleep waiting for a device. */
    uint64_t wakeups;    /**< Completion interrupts that woke the sleepers. */
    uint64_t waits;      /**< Waits begun by threads (each may sleep several times). */
    uint64_t waits_done; /**< Waits ended (waits - waits_done are in progress). */
};

/** @brief The sleeping waiter's statistics. @return them (live) */
const struct kernel_io_stats *kernel_io_stats(void);

/**
 * @brief The timer tick's part: wake threads sleeping on a device, so each can
 * check its timeout (and a lost interrupt costs a tick, not a hang).
 * @param ticks the tick count
 */
void kernel_devices_tick(uint64_t ticks);

#endif
