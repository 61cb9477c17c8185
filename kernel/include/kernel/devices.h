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
 * @brief The PCI functions found at boot.
 * @param n set to their number
 * @return the array
 */
const struct pci_device *kernel_pci_devices(size_t *n);

/** @brief The PCI bus (devices and their bound drivers). @return it */
struct bus_type *kernel_pci_bus(void);

#endif
