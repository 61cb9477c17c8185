/**
 * @file dev/virtqueue.h
 * @brief Split virtqueues (virtio 1.x section 2.7): descriptors, avail and used rings.
 *
 * One DMA allocation holds, in the legacy layout (which also satisfies the modern
 * alignment rules): the descriptor table, the available ring, padding to the next
 * page, the used ring; and after another page boundary the driver's private array
 * of per-descriptor tokens (never given to the device).
 *
 * The driver side: virtqueue_add() takes a free chain of descriptors from the
 * free list, fills it (device-readable buffers first, then device-writable ones),
 * puts its head into the available ring and publishes the new index after a
 * release barrier. virtqueue_kick() rings the doorbell unless the device asked
 * not to be notified. virtqueue_get_used() returns the token of the next finished
 * chain (in the device's completion order, which need not be submission order)
 * and puts its descriptors back on the free list.
 *
 * Locking: a queue is not locked; its driver serialises add/kick/get_used (the
 * virtio-blk driver holds its interrupt-safe lock around them). `num_free` is
 * written only there; a driver may read it without its lock, with an atomic
 * load, as a hint that it re-checks under the lock.
 */
#ifndef DEV_VIRTQUEUE_H
#define DEV_VIRTQUEUE_H

#include <dev/dma.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT          1    /**< The chain continues in `next`. */
#define VIRTQ_DESC_F_WRITE         2    /**< Device writes this buffer. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1    /**< Driver: no used-buffer interrupts please. */
#define VIRTQ_USED_F_NO_NOTIFY     1    /**< Device: no doorbell needed. */
#define VIRTQ_MAX_SIZE             1024 /**< Largest queue we set up. */
#define VIRTQ_LEGACY_ALIGN         4096 /**< Used-ring alignment of the legacy layout. */

/** @brief A descriptor (device-visible, little-endian; x86 is too). */
struct virtq_desc {
    uint64_t addr;  /**< Buffer physical address. */
    uint32_t len;   /**< Buffer length. */
    uint16_t flags; /**< VIRTQ_DESC_F_*. */
    uint16_t next;  /**< Next descriptor if F_NEXT. */
};

/** @brief The available ring (driver -> device). */
struct virtq_avail {
    uint16_t flags;  /**< VIRTQ_AVAIL_F_*. */
    uint16_t idx;    /**< Where the driver puts the next entry (free-running). */
    uint16_t ring[]; /**< Chain heads. */
};

/** @brief One used-ring element. */
struct virtq_used_elem {
    uint32_t id;  /**< Head of the finished chain. */
    uint32_t len; /**< Bytes the device wrote. */
};

/** @brief The used ring (device -> driver). */
struct virtq_used {
    uint16_t flags;                /**< VIRTQ_USED_F_*. */
    uint16_t idx;                  /**< Where the device puts the next entry. */
    struct virtq_used_elem ring[]; /**< Finished chains. */
};

/** @brief One buffer of a chain, as the device sees it. */
struct virtq_buf {
    uint64_t phys; /**< Physical address. */
    uint32_t len;  /**< Length. */
};

/** @brief A split virtqueue. */
struct virtqueue {
    uint16_t index;            /**< Queue number on its device. */
    uint16_t size;             /**< Descriptors (a power of two). */
    struct virtq_desc *desc;   /**< Descriptor table. */
    struct virtq_avail *avail; /**< Available ring. */
    struct virtq_used *used;   /**< Used ring. */
    uint64_t desc_phys;        /**< Physical address of desc. */
    uint64_t avail_phys;       /**< Physical address of avail. */
    uint64_t used_phys;        /**< Physical address of used. */
    void **tokens;             /**< Per head: the caller's token (driver-private). */
    uint16_t free_head;        /**< First free descriptor. */
    uint16_t num_free;         /**< Free descriptors. */
    uint16_t last_used;        /**< Next used index we will read. */
    uint16_t bad_used;         /**< Used entries with an invalid id (device bugs). */
    /** @brief Ring the doorbell for this queue (set by the transport). */
    void (*notify)(struct virtqueue *vq);
    void *notify_ctx;           /**< For notify(). */
    volatile void *notify_addr; /**< Transport-private: the queue's doorbell register. */
    uint64_t kicks;             /**< Doorbells rung. */
    struct dma_pool *pool;      /**< Where the rings came from. */
    void *mem;                  /**< The ring allocation (CPU address). */
    uint64_t mem_phys;          /**< Its physical address. */
    size_t mem_size;            /**< Its size. */
};

/**
 * @brief Bytes of the device-visible rings for @p size entries (legacy layout).
 * @param size queue size
 * @return bytes, a page multiple
 */
size_t virtqueue_ring_bytes(uint16_t size);

/**
 * @brief Allocate and initialise a queue (all descriptors free, rings empty).
 * @param vq    the queue (caller-owned)
 * @param index queue number
 * @param size  entries: a power of two, 1..VIRTQ_MAX_SIZE
 * @param pool  DMA memory for the rings
 * @return 0, -EINVAL or -ENOMEM
 */
int virtqueue_init(struct virtqueue *vq, uint16_t index, uint16_t size, struct dma_pool *pool);

/**
 * @brief Free the rings (the device must no longer use them: reset it first).
 * @param vq the queue
 */
void virtqueue_destroy(struct virtqueue *vq);

/**
 * @brief Expose a chain to the device: @p out_n device-readable buffers followed
 * by @p in_n device-writable ones, publishing it in the available ring.
 * @param vq    the queue
 * @param bufs  out_n + in_n buffers
 * @param out_n readable count
 * @param in_n  writable count
 * @param token returned by virtqueue_get_used() when the chain completes (not NULL)
 * @return 0, -EINVAL (no buffers, NULL token) or -ENOSPC (not enough free descriptors)
 */
int virtqueue_add(struct virtqueue *vq, const struct virtq_buf *bufs, unsigned out_n, unsigned in_n,
                  void *token);

/**
 * @brief Ring the doorbell for what was added, unless the device suppressed it.
 * @param vq the queue
 * @return true if the device was notified
 */
bool virtqueue_kick(struct virtqueue *vq);

/**
 * @brief Take the next completed chain.
 * @param vq  the queue
 * @param len out (may be NULL): bytes the device wrote
 * @return the chain's token, or NULL when nothing (valid) is pending
 */
void *virtqueue_get_used(struct virtqueue *vq, uint32_t *len);

/**
 * @brief Is a completed chain waiting?
 * @param vq the queue
 * @return true if virtqueue_get_used() has something
 */
bool virtqueue_has_used(const struct virtqueue *vq);

/**
 * @brief Ask the device for (or to skip) used-buffer interrupts.
 * @param vq the queue
 * @param on true to get interrupts
 */
void virtqueue_set_interrupts(struct virtqueue *vq, bool on);

#endif
