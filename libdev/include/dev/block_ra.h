/**
 * @file dev/block_ra.h
 * @brief Sequential read-ahead for a block device, below every reader of it
 * (the raw device node and the file systems on it alike).
 *
 * Attached to a device with block_ra_attach(), it watches block_read(): a
 * read that starts where the previous one ended is sequential, and each one
 * makes the window (how far ahead of the reader data is kept coming) grow,
 * doubling from four times the read's size up to every slot's worth; any
 * other read starts over. The window is filled with asynchronous requests
 * (block_submit()), one slot of at most the device's max_request blocks each,
 * so the device reads ahead while the reader works on what it has. Reads
 * served from a slot wait for its request if it is still in flight and copy
 * from it; what no slot holds is read from the device as before.
 *
 * Coherence: every write that goes through the block interface
 * (block_write(), block_submit(), block_rw_sg()) marks the slots it overlaps
 * stale, in flight or not; a stale slot is never read from again.
 *
 * Memory: the caller's, @p mem in block_ra_attach(), cut into
 * BLOCK_RA_SLOTS slots; it must stay until block_ra_detach().
 *
 * Locking: an interrupt-safe spinlock ("block-ra") guards the slots, the
 * stream state and the counters; it is never held while waiting or copying (a
 * slot being copied from is pinned by a count of users and is not reused
 * meanwhile). Read-ahead requests are submitted with it held (block_submit()
 * never waits), so the lock order is "block-ra", then the driver's lock
 * ("virtio-blk"); the driver never calls back into the read-ahead under its
 * own. `dev->ra` is set and cleared at set-up, before and after the device is
 * shared.
 */
#ifndef DEV_BLOCK_RA_H
#define DEV_BLOCK_RA_H

#include <arch/spinlock.h>
#include <dev/block.h>

#define BLOCK_RA_SLOTS 8 /**< Requests read ahead at most, per device. */

/** @brief One read-ahead request and its data. */
struct block_ra_slot {
    struct block_request rq; /**< The request (rq.lba, rq.count: what it holds). */
    uint8_t *data;           /**< slot_blocks blocks of the caller's memory. */
    bool used;               /**< Submitted (in flight or done); false: empty. */
    bool stale;              /**< A write overlapped it: never read from it. */
    unsigned users;          /**< Readers copying from it (it is not reused meanwhile). */
};

/** @brief The read-ahead state of one device. */
struct block_ra {
    struct spinlock lock;                      /**< Guards everything below. */
    struct block_ra_slot slot[BLOCK_RA_SLOTS]; /**< The slots. */
    uint32_t slot_blocks;                      /**< Blocks per slot. */
    uint64_t next;                             /**< Where a sequential read would start. */
    uint32_t window;                           /**< Blocks kept coming ahead (0: not sequential). */
    uint32_t max_window;                       /**< Largest window: all the slots. */
    uint64_t hits;                             /**< Blocks served from slots. */
    uint64_t misses;                           /**< Blocks read from the device on demand. */
    uint64_t prefetches;                       /**< Read-ahead requests submitted. */
    uint32_t peak_window;                      /**< Largest window reached. */
};

/**
 * @brief Start reading ahead on @p dev.
 * @param dev   the device (must take asynchronous requests to be worth it;
 *              one without a queue reads ahead synchronously)
 * @param ra    the state (caller-owned, zeroed here)
 * @param mem   memory for the slots (caller-owned)
 * @param bytes its size: at least BLOCK_RA_SLOTS blocks; each slot gets an
 *              equal share, whole blocks, at most the device's max_request
 * @return 0, or -EINVAL (NULL, too little memory, already attached)
 */
int block_ra_attach(struct block_device *dev, struct block_ra *ra, void *mem, size_t bytes);

/**
 * @brief Stop reading ahead: wait for the slots' requests, then forget them.
 * @param dev the device
 */
void block_ra_detach(struct block_device *dev);

/**
 * @brief For blockdev.c: serve a checked read through the read-ahead.
 * @param dev   the device (dev->ra set)
 * @param lba   first block
 * @param count blocks (> 0, in range)
 * @param buf   count * block_size bytes
 * @return count, or a negative error
 */
int block_ra_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf);

/**
 * @brief For blockdev.c: blocks [lba, lba + count) are being written; slots
 * holding any of them become stale.
 * @param dev   the device (dev->ra set)
 * @param lba   first block
 * @param count blocks
 */
void block_ra_invalidate(struct block_device *dev, uint64_t lba, uint32_t count);

#endif
