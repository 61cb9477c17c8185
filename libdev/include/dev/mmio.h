/**
 * @file dev/mmio.h
 * @brief Memory-mapped register access, with a seam for simulated devices.
 *
 * Drivers never dereference a register pointer themselves: they call
 * mmio_read32() and friends with a `struct mmio_bus`. With ops == NULL (the
 * kernel) these are single volatile loads and stores. A host test installs ops
 * that perform the access on host memory *and* let a device model react (a write
 * to a "queue select" register changes what the next reads return), which plain
 * memory cannot do.
 *
 * Locking: none; the accessors keep no state. The driver that owns the device
 * serialises accesses that must go together.
 */
#ifndef DEV_MMIO_H
#define DEV_MMIO_H

#include <stdint.h>

/** @brief Register accessors for a simulated device (tests). */
struct mmio_ops {
    /**
     * @brief Read a register.
     * @param ctx   the model
     * @param addr  the register's CPU address
     * @param width 1, 2 or 4 bytes
     * @return the value
     */
    uint32_t (*read)(void *ctx, volatile void *addr, int width);
    /**
     * @brief Write a register.
     * @param ctx   the model
     * @param addr  the register's CPU address
     * @param width 1, 2 or 4 bytes
     * @param val   the value
     */
    void (*write)(void *ctx, volatile void *addr, int width, uint32_t val);
};

/** @brief How a driver reaches its registers: direct (ops NULL) or through a model. */
struct mmio_bus {
    const struct mmio_ops *ops; /**< NULL: plain volatile accesses. */
    void *ctx;                  /**< Passed to the ops. */
};

/** @brief Read an 8-bit register. @param b bus @param a address @return value */
uint8_t mmio_read8(const struct mmio_bus *b, volatile void *a);
/** @brief Read a 16-bit register. @param b bus @param a address @return value */
uint16_t mmio_read16(const struct mmio_bus *b, volatile void *a);
/** @brief Read a 32-bit register. @param b bus @param a address @return value */
uint32_t mmio_read32(const struct mmio_bus *b, volatile void *a);
/** @brief Write an 8-bit register. @param b bus @param a address @param v value */
void mmio_write8(const struct mmio_bus *b, volatile void *a, uint8_t v);
/** @brief Write a 16-bit register. @param b bus @param a address @param v value */
void mmio_write16(const struct mmio_bus *b, volatile void *a, uint16_t v);
/** @brief Write a 32-bit register. @param b bus @param a address @param v value */
void mmio_write32(const struct mmio_bus *b, volatile void *a, uint32_t v);
/**
 * @brief Write a 64-bit register as two 32-bit halves, low first (as virtio allows).
 * @param b bus
 * @param a address
 * @param v value
 */
void mmio_write64(const struct mmio_bus *b, volatile void *a, uint64_t v);

#endif
