/**
 * @file mm/phys.h
 * @brief Page sizes, the virtual memory layout, and the physical-memory window.
 *
 * libmm never dereferences a physical address directly: every access to a page
 * table, the frame bitmap or any other frame goes through mm_phys_to_virt(). In
 * the kernel that is the direct map (all RAM at MM_DIRECT_MAP_BASE, built by
 * mm_init()); during early boot it is the boot identity map (offset 0); in host
 * tests it is a host buffer playing RAM (tests/mocks/mm_sim.c). The window is the
 * one place that knows which, and a limit catches stray physical addresses.
 *
 * Virtual memory layout (x86_64, 4-level paging):
 *
 *     0x0000000000000000 - 0x00007fffffffffff  user space (per address space)
 *     0xffff800000000000 - 0xffffbfffffffffff  direct map of physical RAM (64 TiB)
 *     0xffffc00000000000 - 0xffffc0ffffffffff  kernel virtual regions (heap, stacks, MMIO)
 *     0xffffffff80000000 - 0xffffffffbfffffff  kernel image (KERNEL_VMA + physical)
 *
 * Locking: the window is set once at boot, before any other CPU runs.
 */
#ifndef MM_PHYS_H
#define MM_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MM_PAGE_SHIFT 12                      /**< log2 of a small page. */
#define MM_PAGE_SIZE  (1ull << MM_PAGE_SHIFT) /**< 4 KiB. */
#define MM_HUGE_SIZE  (1ull << 21)            /**< 2 MiB (a PD-level large page). */

/** Start of the direct map of physical memory (PML4 slot 256). */
#define MM_DIRECT_MAP_BASE 0xffff800000000000ull
/** Largest amount of RAM the direct map can cover (PML4 slots 256..383). */
#define MM_DIRECT_MAP_MAX (64ull << 40)
/** Start of the kernel virtual-region area (PML4 slot 384). */
#define MM_KVREGION_BASE 0xffffc00000000000ull
/** Size of the kernel virtual-region area. */
#define MM_KVREGION_SIZE (1ull << 40)
/** First address of the kernel (upper) half. */
#define MM_KERNEL_HALF 0xffff800000000000ull

/** @brief Round @p x down to a multiple of @p a (a power of two). */
#define MM_ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))
/** @brief Round @p x up to a multiple of @p a (a power of two). */
#define MM_ALIGN_UP(x, a) (((x) + (uint64_t)(a)-1) & ~((uint64_t)(a)-1))

/**
 * @brief Set the physical-memory window.
 *
 * Afterwards physical address @c pa is reached at virtual address
 * @c virt_base + @c pa, for every @c pa below @p limit.
 *
 * @param virt_base virtual address of physical 0 (0 for the boot identity map,
 *                  MM_DIRECT_MAP_BASE in the kernel, a host buffer in tests)
 * @param limit     first physical address the window does not cover
 */
void mm_phys_set_window(uintptr_t virt_base, uint64_t limit);

/**
 * @brief The first physical address the window does not cover.
 * @return the limit given to mm_phys_set_window()
 */
uint64_t mm_phys_limit(void);

/**
 * @brief Virtual address through which physical address @p pa is reached.
 * @param pa a physical address below mm_phys_limit() (asserted)
 * @return the pointer
 */
void *mm_phys_to_virt(uint64_t pa);

/**
 * @brief Physical address of a pointer into the window.
 * @param va a pointer obtained from mm_phys_to_virt() (or inside such a range)
 * @return its physical address
 */
uint64_t mm_virt_to_phys(const void *va);

#endif
