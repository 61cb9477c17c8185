/**
 * @file dev/dma.h
 * @brief DMA memory for device drivers: physically contiguous, page-aligned buffers.
 *
 * libdev does not know how physical memory is managed. The platform hands it a
 * `struct dma_ops` (the kernel: frames from libmm, mapped in the direct map; host
 * tests: an arena in host memory) and drivers allocate through a `struct dma_pool`
 * layered on top. The pool keeps a small free list of released buffers, keyed by
 * their size in pages, so the frames of a finished request are reused instead of
 * going back to the frame allocator each time (as in the seed's HAL).
 *
 * Every buffer has two addresses: @c phys, which goes into descriptors the device
 * reads, and @c virt, which the CPU uses. Both are page-aligned.
 *
 * Locking: a pool is not locked; its callers serialise. The kernel has one pool,
 * shared by every virtio-blk instance and the read-ahead memory, and uses it only
 * when a device is set up or shut down (thread context, under the big kernel
 * lock, arch/bkl.h), never per request. No call may run in interrupt context.
 */
#ifndef DEV_DMA_H
#define DEV_DMA_H

#include <stddef.h>
#include <stdint.h>

#define DMA_PAGE_SIZE  4096u /**< Granule of every DMA buffer. */
#define DMA_POOL_CACHE 16    /**< Released buffers a pool keeps for reuse. */

/** @brief Where DMA memory comes from (supplied by the platform). */
struct dma_ops {
    /**
     * @brief Allocate physically contiguous, page-aligned, zeroed memory.
     * @param ctx  the platform's context
     * @param size bytes (a multiple of DMA_PAGE_SIZE)
     * @param phys out: the physical (bus) address
     * @param virt out: the CPU's address of the same memory
     * @return 0 or -ENOMEM
     */
    int (*alloc)(void *ctx, size_t size, uint64_t *phys, void **virt);
    /**
     * @brief Give back memory from alloc().
     * @param ctx  the platform's context
     * @param phys the physical address alloc() returned
     * @param virt the CPU address alloc() returned
     * @param size the size passed to alloc()
     */
    void (*free)(void *ctx, uint64_t phys, void *virt, size_t size);
};

/** @brief One cached buffer in a pool's free list. */
struct dma_cached {
    uint64_t phys; /**< Physical address (0: slot empty). */
    void *virt;    /**< CPU address. */
    size_t size;   /**< Bytes (page multiple). */
};

/** @brief A driver's view of DMA memory: the platform's ops plus a reuse cache. */
struct dma_pool {
    const struct dma_ops *ops;               /**< The platform allocator. */
    void *ctx;                               /**< Its context. */
    struct dma_cached cache[DMA_POOL_CACHE]; /**< Released buffers kept for reuse. */
    size_t outstanding;                      /**< Bytes handed out and not yet freed. */
    uint64_t allocs;                         /**< Calls to ops->alloc. */
    uint64_t reuses;                         /**< Allocations served from the cache. */
};

/**
 * @brief Set up a pool over the platform's allocator.
 * @param pool the pool (caller-owned, lives as long as its buffers)
 * @param ops  the platform allocator
 * @param ctx  its context
 */
void dma_pool_init(struct dma_pool *pool, const struct dma_ops *ops, void *ctx);

/**
 * @brief Allocate a zeroed, physically contiguous, page-aligned buffer.
 * @param pool the pool
 * @param size bytes; rounded up to whole pages
 * @param phys out: physical address
 * @param virt out: CPU address
 * @return 0, -EINVAL for a zero size or a pool without ops, or -ENOMEM
 */
int dma_alloc(struct dma_pool *pool, size_t size, uint64_t *phys, void **virt);

/**
 * @brief Release a buffer from dma_alloc(); it is cached for reuse when there is room.
 * @param pool the pool it came from
 * @param phys its physical address
 * @param virt its CPU address
 * @param size the size passed to dma_alloc()
 */
void dma_free(struct dma_pool *pool, uint64_t phys, void *virt, size_t size);

/**
 * @brief Return every cached buffer to the platform (e.g. when a driver detaches).
 * @param pool the pool
 */
void dma_pool_drain(struct dma_pool *pool);

/** @brief Round @p size up to whole DMA pages. @param size bytes @return the rounded size */
static inline size_t dma_round(size_t size)
{
    return (size + DMA_PAGE_SIZE - 1) & ~(size_t)(DMA_PAGE_SIZE - 1);
}

/** @brief One piece of a scatter-gather list: physically contiguous bytes. */
struct dma_seg {
    uint64_t phys; /**< Physical address. */
    uint32_t len;  /**< Bytes. */
};

/**
 * @brief Translate a virtual address for DMA (the platform's page-table walk).
 * @param ctx   the platform's context
 * @param va    any address in the buffer
 * @param phys  out: its physical address
 * @return 0, or a negative error if the memory cannot be used for DMA (unmapped)
 */
typedef int (*dma_translate_fn)(void *ctx, uintptr_t va, uint64_t *phys);

/**
 * @brief Describe a buffer as physically contiguous segments, so a device can
 * read or write it in place: split where pages are not physically adjacent and
 * where a segment would exceed @p max_seg; merge adjacent pages otherwise.
 * @param translate the platform's translation
 * @param ctx       its context
 * @param buf       the buffer (any alignment)
 * @param len       its length (0: no segments)
 * @param max_seg   largest segment the device takes (> 0)
 * @param out       the list
 * @param max_out   its capacity
 * @return the number of segments, -EINVAL (NULL argument, max_seg 0), -EFAULT (a
 *         page that cannot be translated) or -E2BIG (more than max_out needed)
 */
int dma_sg_build(dma_translate_fn translate, void *ctx, const void *buf, size_t len,
                 uint32_t max_seg, struct dma_seg *out, unsigned max_out);

#endif
