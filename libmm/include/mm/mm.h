/**
 * @file mm/mm.h
 * @brief Kernel memory-management bring-up and the kernel's singletons.
 *
 * mm_init() (libmm/mm_init.c, kernel build only) turns the boot page tables
 * into the real ones. What kmain() must do, in this order:
 *
 *  1. console_init(), parse_boot_info() and interrupts_init() as today.
 *     mm_init() reads the parsed `struct boot_info` (memory map, modules,
 *     info_phys/info_size), never the loader's block. It may also run before
 *     interrupts_init(), but after it a fault during bring-up gets a full report.
 *  2. `int err = mm_init(&boot_info); if (err) panic("mm_init: error %d", err);`
 *     before selftest_run()/ktest_run_all() and before anything else reaches
 *     memory through the identity map.
 *  3. `trap_set_guard_checker(mm_guard_page);` so that an overflow of a stack
 *     from mm_kstack_alloc() is reported as a stack overflow, like the image's.
 *
 * Afterwards kmalloc() and friends work and the identity map is gone: physical
 * memory is reached with mm_phys_to_virt() (tests/ktest/test_boot.c's
 * lookup_pte() must walk the tables that way). [KERNEL_VMA, KERNEL_VMA + 1 MiB)
 * stays mapped read-write, NX, so the VGA text buffer keeps working.
 *
 * What mm_init() does:
 *  - frame allocator from the memory map, reserving [0, 1 MiB), the kernel image,
 *    the multiboot information and the modules; its bitmaps below 1 GiB;
 *  - the kernel address space (a fresh PML4 with all 256 upper-half PDPTs);
 *  - the direct map: every available RAM range at MM_DIRECT_MAP_BASE + physical
 *    (2 MiB pages where possible, writable, NX, global);
 *  - the kernel image at KERNEL_VMA + physical with 4 KiB pages: text read-only
 *    and executable, rodata read-only NX, data/bss read-write NX, every stack
 *    guard page (kernel_image_guard_page()) left unmapped; the boot code/data
 *    region (it holds the boot GDT) read-write NX;
 *  - loads CR3 (dropping the identity map: a NULL dereference now faults),
 *    moves the physical window to the direct map;
 *  - the kernel virtual-region allocator over [MM_KVREGION_BASE, +1 TiB);
 *  - the kernel heap: backend from `heap=bump|list|block` on the command line
 *    (default block: the fastest, with list as its fallback), 100 KiB at first,
 *    growing up to MM_KHEAP_MAX.
 *
 * Locking: mm_init() runs once, on the boot CPU, before any other CPU starts;
 * the kernel's allocator, address space, region allocator and heap it sets up
 * each have their own spinlock (irqsave). Interrupts may be enabled (all libmm
 * locks are irqsave); an IRQ handler that calls kmalloc() before the heap
 * exists gets NULL. Lock order in libmm, outermost first: "heap" (its grow
 * callback maps pages), "aspace", "frames"; "vregion" is taken alone (a kernel
 * stack or MMIO window takes its range, lets go, then maps it).
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <arch/multiboot2.h>
#include <mm/frame.h>
#include <mm/heap.h>
#include <mm/kmap.h>
#include <mm/phys.h>
#include <mm/vm.h>
#include <mm/vregion.h>

/** Largest size the kernel heap may grow to. */
#define MM_KHEAP_MAX (64ull << 20)

/**
 * @brief Bring up memory management (see the file comment for what and when).
 * @param bi the parsed boot information (must stay valid for the kernel's life)
 * @return 0, or a negative error (the caller should panic)
 */
int mm_init(const struct boot_info *bi);

/** @brief The kernel's frame allocator. @return it (valid after mm_init()) */
struct mm_frames *mm_kernel_frames(void);
/** @brief The kernel address space. @return it (valid after mm_init()) */
struct mm_aspace *mm_kernel_aspace(void);
/** @brief The kernel virtual-region allocator. @return it (valid after mm_init()) */
struct mm_vregion *mm_kernel_vregion(void);

/**
 * @brief Create another heap in kernel virtual space (tests, subsystems).
 * @param h       the heap to initialise
 * @param kind    backend
 * @param initial initial bytes
 * @param max     largest size
 * @return 0 or a negative error
 */
int mm_kernel_heap_create(struct mm_heap *h, enum mm_heap_kind kind, uint64_t initial,
                          uint64_t max);

/**
 * @brief Destroy a heap from mm_kernel_heap_create(): unmap and free its pages
 * and give back its virtual range. Outstanding allocations become invalid.
 * @param h the heap
 */
void mm_kernel_heap_destroy(struct mm_heap *h);

/**
 * @brief Is @p va in a stack guard page: one of the kernel image's
 * (kernel_image_guard_page()) or one below a stack from mm_kstack_alloc()?
 * Meant for `trap_set_guard_checker(mm_guard_page)` once mm_init() has run, so
 * that an overflow of any kernel stack is reported as such. Takes no lock.
 * @param va a virtual address
 * @return nonzero for a guard page
 */
int mm_guard_page(uintptr_t va);

/** @brief Print frame and kernel-heap statistics with kprintf(). */
void mm_print_stats(void);

#endif
