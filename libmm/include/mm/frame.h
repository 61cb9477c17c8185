/**
 * @file mm/frame.h
 * @brief Physical frame allocator: 4 KiB frames and contiguous runs.
 *
 * Built from a memory map (the multiboot2 entries) minus reserved ranges (the
 * kernel image, the multiboot information, modules, low memory). The allocator
 * keeps two bitmaps, one bit per frame from physical 0 to the top of available
 * RAM: "managed" (the frame is RAM the allocator may hand out) and "used". Both
 * live in RAM carved out of the memory map itself, so initialisation allocates
 * nothing; they are reached through mm_phys_to_virt().
 *
 * Allocation is lowest-address-first, which keeps early boot allocations inside
 * the boot identity map. Freeing a frame that is free (double free) or that the
 * allocator never managed (a hole, a reserved range) is detected: it returns
 * -EINVAL and, when @ref mm_frames::panic_on_misuse is set, panics.
 *
 * Reference counts (for pages shared copy-on-write between address spaces):
 * an allocated frame has one reference; mm_frame_ref() adds one, and
 * mm_frame_unref() and mm_frame_free() drop one, freeing the frame when the last
 * goes. The extra references (count - 1) live in a dense array of 16-bit
 * counters, one per frame from physical 0 to the top of RAM: 2 bytes per 4 KiB
 * frame, 1/2048 of RAM (512 KiB per GiB, 16 KiB for 32 MiB). The array is not
 * part of the bitmaps: it is allocated from the allocator itself (a contiguous
 * run) by mm_frames_enable_refs(), or on the first mm_frame_ref(), and never
 * freed; its frames count as used. A frame can hold at most
 * MM_FRAME_REF_MAX references. Until the array exists every frame has one.
 *
 * Locking: the allocator's spinlock "frames" (irqsave: an IRQ handler may
 * allocate) protects the bitmaps, the reference array and the counters; every
 * function that reads or changes them takes it, except mm_frames_init() (on an
 * allocator nobody uses yet). mm_frames_free_count(), mm_frames_used_count()
 * and mm_frames_shared_count() read without it: one aligned word each, a
 * snapshot. The geometry (nframes, the bitmaps' place, managed) is fixed by
 * init and read freely. It is the innermost lock of libmm: nothing is taken
 * under it, and the heap's, an address space's and an exec cache's locks may be
 * held around it.
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include <arch/multiboot2.h>
#include <arch/spinlock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief A physical address range [base, base + length). */
struct mm_range {
    uint64_t base;   /**< Physical start. */
    uint64_t length; /**< Bytes. */
};

/** @brief What mm_frames_init() is built from (the caller keeps ownership). */
struct mm_frames_config {
    const struct boot_mmap_entry *map; /**< Memory map; MB2_MEM_AVAILABLE entries are RAM. */
    size_t map_count;                  /**< Entries in @ref map. */
    const struct mm_range *reserved;   /**< Ranges never handed out (may be NULL). */
    size_t reserved_count;             /**< Entries in @ref reserved. */
    uint64_t bitmap_limit; /**< The bitmaps must end below this address (0: anywhere). */
    uint64_t ram_limit;    /**< Ignore RAM at or above this address (0: none). */
    bool panic_on_misuse;  /**< Panic on a double free or a bad free (debug builds). */
};

/** @brief A frame allocator. Initialise with mm_frames_init(); all fields private. */
struct mm_frames {
    struct spinlock lock;  /**< Protects everything below. */
    uint64_t bitmap_phys;  /**< Physical address of the "used" bitmap. */
    uint64_t managed_phys; /**< Physical address of the "managed" bitmap. */
    uint64_t bitmap_bytes; /**< Size of each bitmap (a multiple of 8). */
    uint64_t nframes;      /**< Frames covered by the bitmaps (from physical 0). */
    uint64_t managed;      /**< Frames the allocator may hand out. */
    uint64_t free;         /**< Of those, frames currently free. */
    uint64_t hint;         /**< No free frame below this index. */
    bool panic_on_misuse;  /**< See mm_frames_config. */
    uint64_t refs_phys;    /**< Physical address of the extra-reference array (0: none yet). */
    uint64_t refs_frames;  /**< Frames holding that array. */
    uint64_t shared;       /**< Frames with more than one reference. */
};

/** The most references one frame can hold (1 + the largest 16-bit extra count). */
#define MM_FRAME_REF_MAX 65536u

/**
 * @brief Build a frame allocator from a memory map.
 *
 * Available ranges are shrunk to whole frames; reserved ranges and non-available
 * map entries (which win over overlapping available ones) are grown to whole
 * frames. Frame 0 is never handed out. The bitmaps are placed in the first
 * usable run of RAM large enough for them (and below @c bitmap_limit).
 *
 * @param fa  the allocator to initialise
 * @param cfg the memory map and reserved ranges (only read during the call)
 * @return 0; -EINVAL if the map has no available RAM; -ENOMEM if no free run
 *         can hold the bitmaps
 */
int mm_frames_init(struct mm_frames *fa, const struct mm_frames_config *cfg);

/**
 * @brief Allocate one 4 KiB frame (lowest free address first). Not zeroed.
 * @param fa  the allocator
 * @param out its physical address
 * @return 0 or -ENOMEM
 */
int mm_frame_alloc(struct mm_frames *fa, uint64_t *out);

/**
 * @brief Allocate one frame and fill it with zeros.
 * @param fa  the allocator
 * @param out its physical address
 * @return 0 or -ENOMEM
 */
int mm_frame_alloc_zeroed(struct mm_frames *fa, uint64_t *out);

/**
 * @brief Free one frame: drop one reference, and free it if that was the last.
 * @param fa the allocator
 * @param pa physical address returned by an allocation (page aligned)
 * @return 0; -EINVAL if @p pa is unaligned, not managed, or already free
 */
int mm_frame_free(struct mm_frames *fa, uint64_t pa);

/**
 * @brief Allocate @p count physically contiguous frames (for DMA).
 * @param fa     the allocator
 * @param count  number of frames (> 0)
 * @param align  alignment of the first frame in bytes (a power of two; 0 or
 *               anything below 4 KiB means 4 KiB)
 * @param out    physical address of the first frame
 * @return 0, -EINVAL for a zero count or a bad alignment, -ENOMEM if no run fits
 */
int mm_frame_alloc_contig(struct mm_frames *fa, uint64_t count, uint64_t align, uint64_t *out);

/**
 * @brief Free a run of frames (from mm_frame_alloc_contig(), or any allocated
 * frames): drop one reference to each, freeing those left with none.
 * @param fa    the allocator
 * @param pa    physical address of the first frame
 * @param count number of frames
 * @return 0, or -EINVAL (nothing is freed) if any frame is not allocated
 */
int mm_frame_free_contig(struct mm_frames *fa, uint64_t pa, uint64_t count);

/**
 * @brief Is the frame at @p pa currently allocated?
 * @param fa the allocator
 * @param pa a physical address
 * @return true if it is a managed frame that is in use
 */
bool mm_frame_is_allocated(struct mm_frames *fa, uint64_t pa);

/**
 * @brief Allocate the reference-count array now (else the first mm_frame_ref()
 * does). Call it at boot, or before taking a leak-check baseline in a test.
 * @param fa the allocator
 * @return 0 (also if it already exists) or -ENOMEM
 */
int mm_frames_enable_refs(struct mm_frames *fa);

/**
 * @brief Add a reference to an allocated frame (it is now shared).
 * @param fa the allocator
 * @param pa physical address of the frame (page aligned)
 * @return 0; -EINVAL if it is not an allocated frame; -EOVERFLOW if it already
 *         holds MM_FRAME_REF_MAX references; -ENOMEM if the array could not be
 *         allocated
 */
int mm_frame_ref(struct mm_frames *fa, uint64_t pa);

/**
 * @brief Drop a reference to a frame; the last one frees it (as mm_frame_free()).
 * @param fa the allocator
 * @param pa physical address of the frame (page aligned)
 * @return the references left (0: the frame was freed), or -EINVAL as
 *         mm_frame_free() (which also panics with @ref mm_frames::panic_on_misuse)
 */
int mm_frame_unref(struct mm_frames *fa, uint64_t pa);

/**
 * @brief mm_frame_ref() on each of @p n frames, holding the allocator's lock
 * once (pinning a user buffer for direct I/O takes hundreds at a time).
 * @param fa the allocator
 * @param pa the frames' physical addresses (a frame may appear more than once)
 * @param n  how many
 * @return 0; or mm_frame_ref()'s error for the first frame that fails, and
 *         then no reference was added
 */
int mm_frame_ref_many(struct mm_frames *fa, const uint64_t *pa, size_t n);

/**
 * @brief mm_frame_unref() on each of @p n frames, holding the lock once.
 * @param fa the allocator
 * @param pa the frames' physical addresses
 * @param n  how many
 * @return 0, or -EINVAL if any was not an allocated frame (the others are
 *         still dropped; @ref mm_frames::panic_on_misuse panics)
 */
int mm_frame_unref_many(struct mm_frames *fa, const uint64_t *pa, size_t n);

/**
 * @brief References a frame holds.
 * @param fa the allocator
 * @param pa any physical address
 * @return 0 for a free or unmanaged frame, else 1 or more
 */
uint32_t mm_frame_refcount(struct mm_frames *fa, uint64_t pa);

/**
 * @brief Frames currently holding more than one reference.
 * @param fa the allocator
 * @return count
 */
uint64_t mm_frames_shared_count(struct mm_frames *fa);

/** @brief Free frames. @param fa the allocator @return count */
uint64_t mm_frames_free_count(struct mm_frames *fa);
/** @brief Allocated frames. @param fa the allocator @return count */
uint64_t mm_frames_used_count(struct mm_frames *fa);
/** @brief Frames the allocator manages (free + used). @param fa the allocator @return count */
uint64_t mm_frames_total_count(struct mm_frames *fa);
/**
 * @brief End of the highest managed frame (the direct map must reach this far).
 * @param fa the allocator
 * @return a physical address
 */
uint64_t mm_frames_top(struct mm_frames *fa);

#endif
