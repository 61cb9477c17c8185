/*
 * virtio_dma.h - DMA memory for host tests: a page arena whose "physical"
 * addresses are offsets from a base, so device models can translate and check
 * every address a driver hands them, and leaks show as pages still in use.
 */
#ifndef TESTS_VIRTIO_DMA_H
#define TESTS_VIRTIO_DMA_H

#include <dev/dma.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_DMA_PHYS_BASE 0x10000000ull

struct virtio_dma_arena {
    uint8_t *mem;
    size_t pages;
    uint8_t *used;   /* per page */
    size_t in_use;   /* pages */
    long fail_after; /* -1: never; else this many allocations succeed */
    uint64_t allocs, frees;
};

extern const struct dma_ops virtio_dma_ops;

void virtio_dma_init(struct virtio_dma_arena *a, size_t bytes);
void virtio_dma_destroy(struct virtio_dma_arena *a);
/* The host address of [phys, phys + len), or NULL if it is not arena memory. */
void *virtio_dma_virt(struct virtio_dma_arena *a, uint64_t phys, size_t len);
/* A dma_translate_fn over the arena (ctx: the arena): -EFAULT outside it. */
int virtio_dma_translate(void *ctx, uintptr_t va, uint64_t *phys);

#endif
