/**
 * @file dev/block.h
 * @brief The block-device interface: what file systems, devfs and tests use.
 *
 * A `struct block_device` is an ops table plus geometry and a context pointer.
 * Every operation returns the number of blocks processed (>= 0) or a negative
 * error; a transfer either completes fully or fails (the buffer contents are then
 * unspecified). The wrappers block_read(), block_write() and block_flush() check
 * the common contract once, so drivers see only valid requests:
 *
 * | condition                           | result     |
 * |-------------------------------------|------------|
 * | count == 0                          | 0          |
 * | NULL buffer, count > INT_MAX        | -EINVAL    |
 * | lba + count > block_count           | -ENXIO     |
 * | write to a read-only device         | -EROFS     |
 * | device error                        | -EIO       |
 * | device refused the request          | -ENOSYS    |
 * | no completion within the time bound | -ETIMEDOUT |
 *
 * Devices may be registered by name (blockdev_register()) so others find them
 * with blockdev_find("vda"). The registry does not own the devices.
 *
 * Locking: the registry is changed only at boot or probe time (not from
 * interrupts). Drivers lock their own state; the ops may be called from any
 * thread, never from interrupt context.
 */
#ifndef DEV_BLOCK_H
#define DEV_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct block_device;

/** @brief What a block driver implements (called only with validated arguments). */
struct block_ops {
    /**
     * @brief Read blocks.
     * @param dev   the device
     * @param lba   first block
     * @param count blocks (> 0, in range)
     * @param buf   count * block_size bytes
     * @return count, or a negative error
     */
    int (*read)(struct block_device *dev, uint64_t lba, uint32_t count, void *buf);
    /**
     * @brief Write blocks.
     * @param dev   the device
     * @param lba   first block
     * @param count blocks (> 0, in range)
     * @param buf   count * block_size bytes
     * @return count, or a negative error
     */
    int (*write)(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf);
    /**
     * @brief Make completed writes durable (NULL: nothing to do).
     * @param dev the device
     * @return 0 or a negative error
     */
    int (*flush)(struct block_device *dev);
};

/** @brief A block device. */
struct block_device {
    const struct block_ops *ops; /**< The driver. */
    void *ctx;                   /**< The driver's instance. */
    char name[16];               /**< "vda", "ram0", ... */
    uint32_t block_size;         /**< Bytes per block (a power of two, >= 512). */
    uint64_t block_count;        /**< Blocks on the device. */
    bool read_only;              /**< Writes fail with -EROFS. */
    struct block_device *next;   /**< Registry link. */
};

/**
 * @brief Read @p count blocks from @p lba into @p buf.
 * @param dev   the device
 * @param lba   first block
 * @param count blocks
 * @param buf   count * block_size bytes
 * @return count, or -EINVAL / -ENXIO / -EIO / -ETIMEDOUT / ...
 */
int block_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf);

/**
 * @brief Write @p count blocks from @p buf at @p lba.
 * @param dev   the device
 * @param lba   first block
 * @param count blocks
 * @param buf   count * block_size bytes
 * @return count, or -EINVAL / -ENXIO / -EROFS / -EIO / -ETIMEDOUT / ...
 */
int block_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf);

/**
 * @brief Flush the device's write cache.
 * @param dev the device
 * @return 0 or a negative error
 */
int block_flush(struct block_device *dev);

/**
 * @brief Make a device findable by its name.
 * @param dev the device (name set; must stay alive while registered)
 * @return 0, -EINVAL (no name or ops) or -EEXIST (name taken)
 */
int blockdev_register(struct block_device *dev);

/**
 * @brief Remove a device from the registry.
 * @param dev the device
 * @return 0 or -ENOENT
 */
int blockdev_unregister(struct block_device *dev);

/**
 * @brief Find a registered device.
 * @param name e.g. "vda"
 * @return the device, or NULL
 */
struct block_device *blockdev_find(const char *name);

/**
 * @brief Iterate over registered devices.
 * @param prev NULL for the first
 * @return the next device, or NULL at the end
 */
struct block_device *blockdev_next(struct block_device *prev);

/**
 * @brief One line per registered device, for the shell's `lsblk`:
 * "vda 131072 x 512 B (64 MiB)" plus " ro" for read-only devices.
 * @param buf  output, NUL-terminated when @p size > 0
 * @param size its size
 * @return the length the whole listing needs (like snprintf)
 */
size_t blockdev_describe(char *buf, size_t size);

/**
 * @brief Pick the next free name "<prefix><letter>" ("vda", "vdb", ...).
 * @param prefix e.g. "vd"
 * @param out    buffer for the name
 * @param size   its size
 * @return 0, or -ENOSPC when all 26 are taken or the buffer is too small
 */
int blockdev_make_name(const char *prefix, char *out, size_t size);

#endif
