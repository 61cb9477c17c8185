/**
 * @file dev/ramdisk.h
 * @brief A block device backed by memory (RAM disk, and a test double).
 *
 * The caller owns the storage. Faults can be injected the way littlefs's
 * emulated device does: fail reads or writes after N successful calls, or on one
 * bad block. Counters record every call.
 *
 * Locking: none; callers serialise (host tests use it from one thread; the
 * kernel builds no RAM disk). Its ops never sleep, so under the kernel's big
 * kernel lock (arch/bkl.h) calls would not overlap either.
 */
#ifndef DEV_RAMDISK_H
#define DEV_RAMDISK_H

#include <dev/block.h>
#include <stdint.h>

/** @brief A RAM-backed block device. */
struct ramdisk {
    struct block_device bdev; /**< The interface (ctx points back here). */
    uint8_t *mem;             /**< block_size * block_count bytes, caller-owned. */
    long fail_reads_after;    /**< -1: never; else this many reads succeed, then -EIO. */
    long fail_writes_after;   /**< -1: never; same for writes. */
    int64_t bad_block;        /**< -1: none; transfers touching it fail with -EIO. */
    uint64_t reads;           /**< Read calls that reached the device. */
    uint64_t writes;          /**< Write calls that reached the device. */
    uint64_t flushes;         /**< Flush calls. */
};

/**
 * @brief Set up a RAM disk over caller-owned memory (contents left as they are).
 * @param rd          the disk (caller-owned)
 * @param name        its name ("ram0")
 * @param mem         block_size * block_count bytes
 * @param block_size  bytes per block (a power of two, >= 512)
 * @param block_count blocks
 * @return 0 or -EINVAL
 */
int ramdisk_init(struct ramdisk *rd, const char *name, void *mem, uint32_t block_size,
                 uint64_t block_count);

#endif
