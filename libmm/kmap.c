/*
 * kmap.c - guard-paged kernel stacks, MMIO windows, DMA buffers, heap page source
 * (mm/kmap.h).
 *
 * Layer: kernel virtual memory, on top of the region allocator (vregion.c) and
 * the page tables (pt.c). Stacks and heap pages are owned frames (freed with
 * their mapping); MMIO pages are not, since they are device memory.
 * Locking: through the lower layers only.
 */
#include <k/errno.h>
#include <mm/kmap.h>
#include <mm/phys.h>
#include <string.h>

#define KDATA (MM_PTE_W | MM_PTE_NX | MM_PTE_G)

int mm_kstack_alloc(struct mm_aspace *kas, struct mm_vregion *vr, uint64_t size,
                    struct mm_kstack *out)
{
    if (size == 0)
        return -EINVAL;
    if (size > vr->size)
        return -ENOMEM; /* also keeps the rounding below from overflowing */
    size = MM_ALIGN_UP(size, MM_PAGE_SIZE);
    uintptr_t va;
    int err = mm_vregion_alloc(vr, size + MM_PAGE_SIZE, 0, &va);
    if (err)
        return err;
    err = mm_pt_map_anon(kas, va + MM_PAGE_SIZE, size, KDATA);
    if (err == 0) {
        err = mm_pt_mark_guard(kas, va);
        if (err)
            mm_pt_unmap_range(kas, va + MM_PAGE_SIZE, size);
    }
    if (err) {
        mm_vregion_free(vr, va, size + MM_PAGE_SIZE);
        return err;
    }
    *out = (struct mm_kstack){ va, va + MM_PAGE_SIZE, va + MM_PAGE_SIZE + size };
    return 0;
}

int mm_kstack_free(struct mm_aspace *kas, struct mm_vregion *vr, struct mm_kstack *s)
{
    if (s->base != s->guard + MM_PAGE_SIZE || s->top <= s->base)
        return -EINVAL;
    mm_pt_unmap_range(kas, s->base, s->top - s->base);
    mm_pt_clear_guard(kas, s->guard);
    int err = mm_vregion_free(vr, s->guard, s->top - s->guard);
    memset(s, 0, sizeof(*s));
    return err;
}

int mm_mmio_map(struct mm_aspace *kas, struct mm_vregion *vr, uint64_t pa, uint64_t size,
                volatile void **out)
{
    if (size == 0 || pa + size < pa || pa + size > (1ull << 52))
        return -EINVAL;
    uint64_t first = MM_ALIGN_DOWN(pa, MM_PAGE_SIZE);
    uint64_t len = MM_ALIGN_UP(pa + size, MM_PAGE_SIZE) - first;
    uintptr_t va;
    int err = mm_vregion_alloc(vr, len, 0, &va);
    if (err)
        return err;
    /* 4 KiB pages only: device windows are small and rarely 2 MiB aligned. */
    for (uint64_t off = 0; off < len; off += MM_PAGE_SIZE) {
        err = mm_pt_map(kas, va + off, first + off, KDATA | MM_PTE_UNCACHED);
        if (err) {
            mm_pt_unmap_range(kas, va, off);
            mm_vregion_free(vr, va, len);
            return err;
        }
    }
    *out = (volatile void *)(va + (pa - first));
    return 0;
}

int mm_mmio_unmap(struct mm_aspace *kas, struct mm_vregion *vr, volatile void *va, uint64_t size)
{
    uintptr_t v = (uintptr_t)va;
    if (size == 0)
        return -EINVAL;
    uintptr_t first = MM_ALIGN_DOWN(v, MM_PAGE_SIZE);
    uint64_t len = MM_ALIGN_UP(v + size, MM_PAGE_SIZE) - first;
    mm_pt_unmap_range(kas, first, len);
    return mm_vregion_free(vr, first, len);
}

int mm_kmap_heap_grow(void *ctx, uintptr_t va, uint64_t size)
{
    return mm_pt_map_anon(ctx, va, size, KDATA);
}

int mm_dma_alloc(void *ctx, size_t size, uint64_t *phys, void **virt)
{
    if (size == 0)
        return -EINVAL;
    uint64_t pages = MM_ALIGN_UP(size, MM_PAGE_SIZE) / MM_PAGE_SIZE;
    int err = mm_frame_alloc_contig(ctx, pages, 0, phys);
    if (err)
        return err;
    *virt = mm_phys_to_virt(*phys);
    memset(*virt, 0, pages * MM_PAGE_SIZE);
    return 0;
}

void mm_dma_free(void *ctx, uint64_t phys, void *virt, size_t size)
{
    (void)virt;
    mm_frame_free_contig(ctx, phys, MM_ALIGN_UP(size, MM_PAGE_SIZE) / MM_PAGE_SIZE);
}
