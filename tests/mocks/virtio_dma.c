/*
 * virtio_dma.c - host DMA arena (virtio_dma.h).
 */
#include "virtio_dma.h"
#include <k/errno.h>
#include <stdlib.h>
#include <string.h>

void virtio_dma_init(struct virtio_dma_arena *a, size_t bytes)
{
    memset(a, 0, sizeof(*a));
    a->pages = bytes / DMA_PAGE_SIZE;
    a->mem = aligned_alloc(DMA_PAGE_SIZE, a->pages * DMA_PAGE_SIZE);
    a->used = calloc(a->pages, 1);
    a->fail_after = -1;
}

void virtio_dma_destroy(struct virtio_dma_arena *a)
{
    free(a->mem);
    free(a->used);
    a->mem = NULL;
    a->used = NULL;
}

static int arena_alloc(void *ctx, size_t size, uint64_t *phys, void **virt)
{
    struct virtio_dma_arena *a = ctx;
    if (a->fail_after == 0)
        return -ENOMEM;
    if (a->fail_after > 0)
        a->fail_after--;
    size_t n = (size + DMA_PAGE_SIZE - 1) / DMA_PAGE_SIZE;
    for (size_t i = 0; i + n <= a->pages; i++) {
        size_t j = 0;
        while (j < n && !a->used[i + j])
            j++;
        if (j < n) {
            i += j;
            continue;
        }
        memset(a->used + i, 1, n);
        a->in_use += n;
        a->allocs++;
        *virt = a->mem + i * DMA_PAGE_SIZE;
        *phys = VIRTIO_DMA_PHYS_BASE + i * DMA_PAGE_SIZE;
        memset(*virt, 0, n * DMA_PAGE_SIZE);
        return 0;
    }
    return -ENOMEM;
}

static void arena_free(void *ctx, uint64_t phys, void *virt, size_t size)
{
    struct virtio_dma_arena *a = ctx;
    size_t i = (phys - VIRTIO_DMA_PHYS_BASE) / DMA_PAGE_SIZE;
    size_t n = (size + DMA_PAGE_SIZE - 1) / DMA_PAGE_SIZE;
    (void)virt;
    memset(a->used + i, 0, n);
    a->in_use -= n;
    a->frees++;
}

const struct dma_ops virtio_dma_ops = { arena_alloc, arena_free };

void *virtio_dma_virt(struct virtio_dma_arena *a, uint64_t phys, size_t len)
{
    if (phys < VIRTIO_DMA_PHYS_BASE)
        return NULL;
    uint64_t off = phys - VIRTIO_DMA_PHYS_BASE;
    if (off + len > a->pages * DMA_PAGE_SIZE)
        return NULL;
    return a->mem + off;
}

int virtio_dma_translate(void *ctx, uintptr_t va, uint64_t *phys)
{
    struct virtio_dma_arena *a = ctx;
    uintptr_t base = (uintptr_t)a->mem;
    if (va < base || va >= base + a->pages * DMA_PAGE_SIZE)
        return -EFAULT;
    *phys = VIRTIO_DMA_PHYS_BASE + (va - base);
    return 0;
}
