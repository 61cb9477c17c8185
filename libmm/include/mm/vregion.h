/**
 * @file mm/vregion.h
 * @brief Virtual-region allocator: hands out and takes back ranges of (kernel)
 * virtual address space, for heap growth, kernel stacks and MMIO.
 *
 * It manages addresses only; nothing is mapped. Free space is a sorted array of
 * ranges inside the struct (no hidden allocation), first fit, with freed ranges
 * coalesced with their neighbours. A free that would need more than
 * MM_VREGION_MAX separate holes fails with -ENOMEM (the range stays allocated).
 *
 * Locking: the spinlock "vregion" (irqsave) in mm_vregion_alloc() and
 * mm_vregion_free(), which protects the free ranges and their count and sum;
 * mm_vregion_free_bytes() and mm_vregion_fragments() read one word without it
 * (a snapshot). No other lock is taken under it.
 */
#ifndef MM_VREGION_H
#define MM_VREGION_H

#include <arch/spinlock.h>
#include <stddef.h>
#include <stdint.h>

/** Most separate free ranges a region allocator can track. */
#define MM_VREGION_MAX 128

/** @brief One free range. */
struct mm_vrange {
    uintptr_t base; /**< Start. */
    uint64_t size;  /**< Bytes. */
};

/** @brief A virtual-region allocator (all fields private). */
struct mm_vregion {
    struct spinlock lock;                  /**< Protects the fields below. */
    uintptr_t base;                        /**< Start of the managed area. */
    uint64_t size;                         /**< Its size. */
    struct mm_vrange free[MM_VREGION_MAX]; /**< Free ranges, sorted by address. */
    size_t nfree;                          /**< Entries in @ref free. */
    uint64_t free_bytes;                   /**< Sum of the free ranges. */
};

/**
 * @brief Manage [@p base, @p base + @p size), all free.
 * @param vr   the allocator
 * @param base start (page aligned)
 * @param size bytes (a non-zero multiple of 4 KiB)
 * @return 0 or -EINVAL
 */
int mm_vregion_init(struct mm_vregion *vr, uintptr_t base, uint64_t size);

/**
 * @brief Allocate a range.
 * @param vr    the allocator
 * @param size  bytes (rounded up to 4 KiB; > 0)
 * @param align alignment (a power of two; below 4 KiB means 4 KiB)
 * @param out   its start
 * @return 0, -EINVAL or -ENOMEM
 */
int mm_vregion_alloc(struct mm_vregion *vr, uint64_t size, uint64_t align, uintptr_t *out);

/**
 * @brief Give a range back (the same base and size as allocated, or any
 * allocated sub-range).
 * @param vr   the allocator
 * @param base its start
 * @param size its size (rounded up to 4 KiB)
 * @return 0; -EINVAL if outside the area or overlapping free space (double free);
 *         -ENOMEM if the free-range table is full
 */
int mm_vregion_free(struct mm_vregion *vr, uintptr_t base, uint64_t size);

/** @brief Free bytes. @param vr the allocator @return bytes */
uint64_t mm_vregion_free_bytes(struct mm_vregion *vr);

/** @brief Number of separate free ranges. @param vr the allocator @return count */
size_t mm_vregion_fragments(struct mm_vregion *vr);

#endif
