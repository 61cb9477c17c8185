/**
 * @file mm_sim.h
 * @brief Simulated physical memory for libmm host tests.
 *
 * A host buffer plays RAM: physical address @c pa is byte @c pa of the buffer,
 * and libmm's physical window (mm/phys.h) is pointed at it, so the frame
 * allocator and the page-table code run unchanged. A fake memory map describes
 * the RAM with the holes and reserved ranges a PC has. Also a heap page source
 * over a plain buffer, with failure injection.
 */
#ifndef TESTS_MM_SIM_H
#define TESTS_MM_SIM_H

#include <arch/multiboot2.h>
#include <mm/frame.h>
#include <stddef.h>
#include <stdint.h>

/** Default simulated RAM size. */
#define MM_SIM_DEFAULT_SIZE (32ull << 20)

/**
 * @brief Allocate @p size bytes of simulated RAM (2 MiB aligned, filled with
 * 0xA5 garbage) and point the physical window at it.
 * @param size bytes (a multiple of 2 MiB)
 */
void mm_sim_init(uint64_t size);

/** @brief Free the simulated RAM and close the window. */
void mm_sim_fini(void);

/** @brief The host address of physical 0. @return the buffer */
uint8_t *mm_sim_ram(void);

/**
 * @brief A PC-like memory map of the simulated RAM:
 * [0, 0x9f000) available, [0x9f000, 1 MiB) reserved, [1 MiB, size - 1 MiB)
 * available, [size - 1 MiB, size) ACPI.
 * @param out at least 4 entries
 * @return the number of entries
 */
size_t mm_sim_pc_map(struct boot_mmap_entry *out);

/**
 * @brief Build @p fa from mm_sim_pc_map() with [0, 1 MiB) and a fake 2 MiB
 * kernel image at 1 MiB reserved; misuse returns errors (no panic).
 * @param fa the allocator
 */
void mm_sim_frames(struct mm_frames *fa);

/** @brief A heap page source over a host buffer (for mm_heap_config). */
struct mm_sim_heap_src {
    uint8_t *buf;    /**< Base of the heap range (page aligned). */
    uint64_t size;   /**< Size of the range. */
    uint64_t mapped; /**< Bytes "mapped" so far (grows contiguously). */
    int fail_after;  /**< Fail the call after this many successes (-1: never). */
    int calls;       /**< Calls so far. */
};

/**
 * @brief Allocate a page-aligned buffer of @p size as a heap range.
 * @param src  filled in
 * @param size bytes
 */
void mm_sim_heap_src_init(struct mm_sim_heap_src *src, uint64_t size);

/** @brief Free the buffer. @param src the source */
void mm_sim_heap_src_fini(struct mm_sim_heap_src *src);

/**
 * @brief mm_heap_grow_fn over a struct mm_sim_heap_src: checks that growth is
 * contiguous and inside the buffer.
 * @param ctx  the source
 * @param va   start
 * @param size bytes
 * @return 0, or -ENOMEM when failure is injected
 */
int mm_sim_heap_grow(void *ctx, uintptr_t va, uint64_t size);

#endif
