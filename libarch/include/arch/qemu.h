/**
 * @file arch/qemu.h
 * @brief Leave QEMU with an exit status, through its isa-debug-exit device.
 *
 * QEMU runs with `-device isa-debug-exit,iobase=0xf4,iosize=0x04`. Writing value
 * v to port 0xf4 ends QEMU with status (v << 1) | 1, so status 0 is impossible;
 * the test drivers treat QEMU_EXIT_SUCCESS's status (33) as success and anything
 * else (including a timeout or a triple-fault reset) as failure.
 */
#ifndef ARCH_QEMU_H
#define ARCH_QEMU_H

#include <stdint.h>

#define QEMU_EXIT_PORT    0xf4 /**< isa-debug-exit I/O port. */
#define QEMU_EXIT_SUCCESS 0x10 /**< QEMU exits with status 33. */
#define QEMU_EXIT_FAILURE 0x11 /**< QEMU exits with status 35. */

/**
 * @brief Ask QEMU to exit. On a machine without the device, halts instead.
 * @param code QEMU_EXIT_SUCCESS or QEMU_EXIT_FAILURE
 */
__attribute__((noreturn)) void qemu_exit(uint32_t code);

#endif
