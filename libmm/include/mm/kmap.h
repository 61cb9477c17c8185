/**
 * @file mm/kmap.h
 * @brief Kernel mappings built from the lower layers: guard-paged kernel
 * stacks, uncached MMIO windows, DMA buffers, and the page source for a growing
 * heap.
 *
 * Each takes the kernel address space (page tables and frames) and the kernel
 * virtual-region allocator explicitly, so host tests can run them on simulated
 * RAM; the kernel passes mm_kernel_aspace() and mm_kernel_vregion() (mm/mm.h).
 *
 * Locking: none of its own; the address space and region allocator lock, one
 * at a time (a range is taken from the region allocator, then mapped). Kernel
 * mappings change under the big kernel lock (mm/vm.h).
 */
#ifndef MM_KMAP_H
#define MM_KMAP_H

#include <mm/vm.h>
#include <mm/vregion.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @brief A kernel stack: [guard, guard + 4 KiB) unmapped and marked as a guard
 * page (mm_pt_is_guard()), [base, top) mapped.
 */
struct mm_kstack {
    uintptr_t guard; /**< The unmapped guard page (lowest address of the region). */
    uintptr_t base;  /**< Lowest mapped byte. */
    uintptr_t top;   /**< One past the highest byte: the initial stack pointer. */
};

/**
 * @brief Allocate a kernel stack with an unmapped guard page below it.
 * @param kas  kernel address space
 * @param vr   kernel virtual-region allocator
 * @param size stack bytes (rounded up to 4 KiB; > 0), not counting the guard
 * @param out  the stack
 * @return 0, -EINVAL or -ENOMEM
 */
int mm_kstack_alloc(struct mm_aspace *kas, struct mm_vregion *vr, uint64_t size,
                    struct mm_kstack *out);

/**
 * @brief Unmap and free a kernel stack from mm_kstack_alloc().
 * @param kas kernel address space
 * @param vr  kernel virtual-region allocator
 * @param s   the stack (zeroed afterwards)
 * @return 0 or -EINVAL
 */
int mm_kstack_free(struct mm_aspace *kas, struct mm_vregion *vr, struct mm_kstack *s);

/**
 * @brief Map physical device memory [@p pa, @p pa + @p size) uncached (PCD|PWT),
 * writable, NX and global, into kernel virtual space.
 * @param kas  kernel address space
 * @param vr   kernel virtual-region allocator
 * @param pa   physical start (need not be page aligned)
 * @param size bytes (> 0)
 * @param out  virtual address of @p pa
 * @return 0, -EINVAL or -ENOMEM
 */
int mm_mmio_map(struct mm_aspace *kas, struct mm_vregion *vr, uint64_t pa, uint64_t size,
                volatile void **out);

/**
 * @brief Undo mm_mmio_map().
 * @param kas  kernel address space
 * @param vr   kernel virtual-region allocator
 * @param va   what mm_mmio_map() returned
 * @param size the size given to it
 * @return 0 or -EINVAL
 */
int mm_mmio_unmap(struct mm_aspace *kas, struct mm_vregion *vr, volatile void *va, uint64_t size);

/**
 * @brief A heap page source (an mm_heap_grow_fn, see mm/heap.h): back
 * [@p va, @p va + @p size) with fresh frames, writable, NX, global.
 * @param ctx  the kernel address space (struct mm_aspace *)
 * @param va   start (page aligned)
 * @param size bytes (a multiple of 4 KiB)
 * @return 0 or -ENOMEM
 */
int mm_kmap_heap_grow(void *ctx, uintptr_t va, uint64_t size);

/**
 * @brief Allocate zeroed, physically contiguous, page-aligned memory for DMA,
 * reached through the physical window. Matches `dma_ops.alloc` (dev/dma.h), so
 * the kernel can pass it with the frame allocator as context.
 * @param ctx  the frame allocator (struct mm_frames *)
 * @param size bytes (> 0; rounded up to 4 KiB)
 * @param phys out: the physical address
 * @param virt out: where the CPU reaches it
 * @return 0, -EINVAL or -ENOMEM
 */
int mm_dma_alloc(void *ctx, size_t size, uint64_t *phys, void **virt);

/**
 * @brief Free memory from mm_dma_alloc(). Matches `dma_ops.free` (dev/dma.h).
 * @param ctx  the frame allocator (struct mm_frames *)
 * @param phys what mm_dma_alloc() returned
 * @param virt what mm_dma_alloc() returned (unused)
 * @param size the size given to mm_dma_alloc()
 */
void mm_dma_free(void *ctx, uint64_t phys, void *virt, size_t size);

#endif
