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
 * **Asynchronous requests.** block_submit() queues a `struct block_request` and
 * returns at once; the request completes later, in any order relative to others:
 * its `result` is set (the block count, or a negative error from the table),
 * `complete` becomes true, and its `done` callback (if any) runs. block_wait()
 * waits for one request. Many requests may be in flight, up to what the driver
 * has room for; beyond that block_submit() answers -EAGAIN (wait for one of yours
 * and submit again). Each request stands alone: an error fails only the requests
 * whose blocks it hits. Drivers without a queue complete the request inside
 * block_submit(). block_read() and friends are synchronous wrappers over the same
 * path where the driver has one.
 *
 * Devices may be registered by name (blockdev_register()) so others find them
 * with blockdev_find("vda"). The registry does not own the devices.
 *
 * Locking: the registry (`next`) is changed only at boot or probe time, in
 * thread context under the big kernel lock (arch/bkl.h); readers walk it
 * without a lock of their own, which that makes safe. The geometry fields are
 * set before registration and never change. `stats` are bumped with relaxed
 * atomics from any thread and read without a lock. Drivers lock their own
 * state; the ops and the wrappers may be called from any thread, with or
 * without the VFS lock (devfs calls them without it), never from interrupt
 * context; a request's done() callback may run in interrupt context.
 */
#ifndef DEV_BLOCK_H
#define DEV_BLOCK_H

#include <dev/dma.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct block_device;
struct block_request;
struct block_ra;

/** @brief What an asynchronous request does. */
enum block_op {
    BLOCK_OP_READ = 0, /**< Read count blocks into buf. */
    BLOCK_OP_WRITE,    /**< Write count blocks from buf. */
    BLOCK_OP_FLUSH,    /**< Make completed writes durable (lba, count, buf unused). */
};

/**
 * @brief One asynchronous request (block_submit()).
 *
 * Memory: caller-owned. From block_submit() returning 0 until `complete` is
 * true and `done` (if set) has returned, the request and its buffer belong to
 * the driver: do not touch, move or free them.
 */
struct block_request {
    enum block_op op; /**< Set by the caller. */
    uint64_t lba;     /**< First block (caller). */
    uint32_t count;   /**< Blocks, at most the device's max_request (caller). */
    void *buf;        /**< count * block_size bytes (caller; unused with sg). */
    /**
     * @brief The data as physical segments instead of @c buf (NULL: use buf).
     * The request covers count * block_size bytes of the list, starting
     * @c sg_skip bytes into sg[0]; the device reads or writes them in place.
     * Only for devices with max_segs > 0 (else block_submit() says -ENOTBLK).
     */
    const struct dma_seg *sg;
    uint16_t nsg;     /**< Entries of sg that may be used. */
    uint32_t sg_skip; /**< Bytes of sg[0] before the request's data. */
    /**
     * @brief Called once when the request completes, possibly in interrupt
     * context (so it must not block); NULL for none.
     * @param rq the request (`result` and `complete` are set)
     */
    void (*done)(struct block_request *rq);
    void *ctx;     /**< For the caller (e.g. done()'s state). */
    int result;    /**< count, or a negative error (valid once complete). */
    bool complete; /**< Set, with release order, when the request is finished. */
    void *drv;     /**< The driver's (its slot while in flight). */
};

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
    /**
     * @brief Queue a request (NULL: block_submit() runs it synchronously).
     * @param dev the device
     * @param rq  a validated request (range, buffer, read-only checked)
     * @return 0 (it will complete), -EAGAIN (no room now) or a negative error
     *         (refused; it will not complete)
     */
    int (*submit)(struct block_device *dev, struct block_request *rq);
    /**
     * @brief Wait until a submitted request completes; on timeout the driver
     * gives up on it and completes it with -ETIMEDOUT.
     * @param dev the device
     * @param rq  the request
     */
    void (*wait)(struct block_device *dev, struct block_request *rq);
    /**
     * @brief Wait (bounded) until submit() may have room again, when the
     * caller has nothing of its own in flight to wait for (NULL: retry at once).
     * @param dev the device
     */
    void (*wait_room)(struct block_device *dev);
};

/**
 * @brief What a device has been asked to do (counted by the wrappers in
 * blockdev.c, relaxed atomics; read them with no lock).
 */
struct block_stats {
    /** Reads that went to the device: calls and requests (with a read-ahead
     * cache, its requests and its reads on demand, not the reads it served). */
    uint64_t reads;
    uint64_t writes;       /**< Write calls and write requests. */
    uint64_t flushes;      /**< Flushes. */
    uint64_t read_blocks;  /**< Blocks they read. */
    uint64_t write_blocks; /**< Blocks they wrote. */
    uint64_t in_place;     /**< Requests whose memory was a segment list (no copy at all). */
    uint64_t readahead;    /**< Blocks read ahead by a cache above (block_note_readahead()). */
};

/** @brief A block device. */
struct block_device {
    const struct block_ops *ops; /**< The driver. */
    void *ctx;                   /**< The driver's instance. */
    char name[16];               /**< "vda", "ram0", ... */
    uint32_t block_size;         /**< Bytes per block (a power of two, >= 512). */
    uint64_t block_count;        /**< Blocks on the device. */
    bool read_only;              /**< Writes fail with -EROFS. */
    uint32_t max_request;        /**< Most blocks per block_submit() (0: no limit). */
    uint16_t max_segs;           /**< Most pieces per segment-list request (0: none taken). */
    uint32_t max_seg_bytes;      /**< Largest piece of such a request (0: no limit). */
    struct block_stats stats;    /**< Counters (zeroed by whoever sets the device up). */
    struct block_ra *ra;         /**< Read-ahead (dev/block_ra.h), or NULL. */
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
 * @brief Start an asynchronous request (the structure's comment has the rules).
 * A READ or WRITE of 0 blocks completes at once with 0.
 * @param dev the device
 * @param rq  the request (op, lba, count, buf, done, ctx set)
 * @return 0 (it will complete: result, complete, done), -EAGAIN (the driver has
 *         no room: wait for an earlier request and try again), or an error for a
 *         refused request, which will not complete: -EINVAL (NULL, bad op, NULL
 *         buffer, count over max_request), -ENXIO (range), -EROFS, -ENOSYS
 */
int block_submit(struct block_device *dev, struct block_request *rq);

/** Largest segment-list request block_rw_sg() builds, in bytes. */
#define BLOCK_SG_MAX_BYTES (4u << 20)
/** Requests block_rw_sg() keeps in flight at once. */
#define BLOCK_SG_INFLIGHT 16

/**
 * @brief Lay out the data of a segment-list request as pieces of at most
 * @p max_piece bytes: @p bytes bytes of rq->sg, from rq->sg_skip into sg[0].
 * @param rq        the request (sg, nsg, sg_skip)
 * @param bytes     how many bytes to lay out
 * @param max_piece largest piece (0: no limit)
 * @param out       where the pieces go, or NULL to count them only
 * @param max_out   most pieces wanted
 * @return the number of pieces, -EINVAL (the list holds fewer than @p bytes
 *         bytes, or a zero-length entry) or -E2BIG (more than @p max_out pieces)
 */
int block_sg_pieces(const struct block_request *rq, uint32_t bytes, uint32_t max_piece,
                    struct dma_seg *out, unsigned max_out);

/**
 * @brief Synchronous transfer of @p count blocks in place, to or from the
 * memory that @p sg describes (no copy): split into requests the device takes
 * (at most max_segs pieces of at most max_seg_bytes, BLOCK_SG_MAX_BYTES in
 * all, whole blocks each), with up to BLOCK_SG_INFLIGHT in flight.
 * @param dev   the device (max_segs > 0)
 * @param op    BLOCK_OP_READ or BLOCK_OP_WRITE
 * @param lba   first block
 * @param count blocks
 * @param sg    the memory: count * block_size bytes in all, in order
 * @param nsg   entries in @p sg
 * @return count, or -EINVAL (bad arguments, a list shorter than the transfer,
 *         or one block spread over more pieces than the device takes),
 *         -ENOTBLK (the device takes no segment lists), -ENXIO, -EROFS, or the
 *         first request's error (-EIO, -ETIMEDOUT...)
 */
int block_rw_sg(struct block_device *dev, enum block_op op, uint64_t lba, uint32_t count,
                const struct dma_seg *sg, unsigned nsg);

/** Writes a @ref block_batch keeps in flight. */
#define BLOCK_BATCH_MAX 16

/**
 * @brief Writes started together and waited for together (write-back of many
 * cached blocks): block_batch_write() queues each as an asynchronous request,
 * waiting for the oldest only when BLOCK_BATCH_MAX are in flight;
 * block_batch_finish() waits for the rest. The buffers must stay unchanged
 * until then. Memory: caller-owned (on its stack is fine).
 */
struct block_batch {
    struct block_device *dev;                 /**< The device. */
    struct block_request rq[BLOCK_BATCH_MAX]; /**< The ring of requests. */
    unsigned head;                            /**< Oldest in flight. */
    unsigned n;                               /**< In flight. */
    int err;                                  /**< First error so far (0: none). */
    uint64_t started;                         /**< Writes started (for tests). */
};

/**
 * @brief Start an empty batch on @p dev.
 * @param b   the batch
 * @param dev the device
 */
void block_batch_init(struct block_batch *b, struct block_device *dev);

/**
 * @brief Start writing @p count blocks from @p buf at @p lba (synchronously
 * on a device without a queue, or for more than its max_request blocks).
 * @param b     the batch
 * @param lba   first block
 * @param count blocks
 * @param buf   the data (unchanged until block_batch_finish())
 * @return 0, or an error that refused this write (-ENXIO, -EROFS, ...);
 *         device errors come from block_batch_finish()
 */
int block_batch_write(struct block_batch *b, uint64_t lba, uint32_t count, const void *buf);

/**
 * @brief Wait for every write of the batch; it is empty again afterwards.
 * @param b the batch
 * @return 0, or the first error of any of its writes since the last finish
 */
int block_batch_finish(struct block_batch *b);

/**
 * @brief Wait for a submitted request to complete.
 * @param dev the device it was submitted to
 * @param rq  the request
 * @return its result: count, or a negative error (-EIO, -ENOSYS, -ETIMEDOUT...)
 */
int block_wait(struct block_device *dev, struct block_request *rq);

/**
 * @brief For drivers: finish a request: set its result, mark it complete
 * (release order) and call its done() callback.
 * @param rq     the request
 * @param result count, or a negative error
 */
void block_complete(struct block_request *rq, int result);

/**
 * @brief Has the request completed? (an acquire load of `complete`)
 * @param rq the request
 * @return true once complete
 */
bool block_request_done(const struct block_request *rq);

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
 * @brief Count a read a cache below block_read() sent to @p dev on demand
 * (block_read() does not count reads that go through such a cache).
 * @param dev    the device
 * @param blocks how many blocks it read
 */
void block_note_read(struct block_device *dev, uint32_t blocks);

/**
 * @brief Count blocks a cache read ahead of its callers on @p dev.
 * @param dev    the device
 * @param blocks how many
 */
void block_note_readahead(struct block_device *dev, uint32_t blocks);

/**
 * @brief Linux's /proc/diskstats, one line per registered device: major,
 * minor (its place in the registry), name, then reads, reads merged (0),
 * 512-byte sectors read, ms reading (0), writes, writes merged (0), sectors
 * written, then zeros (ms writing, in flight, io ms, weighted ms, the four
 * discard fields), flushes, ms flushing (0), and two fields of Kestrel's
 * own: requests in place (@ref block_stats::in_place) and blocks read ahead.
 * @param major the major number to print for every device
 * @param buf   output, NUL-terminated when @p size > 0
 * @param size  its size
 * @return the length the whole listing needs (like snprintf)
 */
size_t blockdev_diskstats(unsigned major, char *buf, size_t size);

/**
 * @brief Pick the next free name "<prefix><letter>" ("vda", "vdb", ...).
 * @param prefix e.g. "vd"
 * @param out    buffer for the name
 * @param size   its size
 * @return 0, or -ENOSPC when all 26 are taken or the buffer is too small
 */
int blockdev_make_name(const char *prefix, char *out, size_t size);

#endif
