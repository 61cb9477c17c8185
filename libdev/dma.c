/*
 * dma.c - DMA buffer pool over the platform's allocator (dev/dma.h).
 *
 * Layer: below every DMA-capable driver, above the platform's frame allocator.
 * Interface: dma_pool_init, dma_alloc, dma_free, dma_pool_drain.
 * A freed buffer goes into a small cache keyed by size and is handed out again,
 * zeroed, to the next allocation of the same size. Locking: none (see the header).
 */
#include <k/errno.h>
#include <dev/dma.h>
#include <string.h>

void dma_pool_init(struct dma_pool *pool, const struct dma_ops *ops, void *ctx)
{
    memset(pool, 0, sizeof(*pool));
    pool->ops = ops;
    pool->ctx = ctx;
}

int dma_alloc(struct dma_pool *pool, size_t size, uint64_t *phys, void **virt)
{
    if (!pool->ops || size == 0)
        return -EINVAL;
    size = dma_round(size);
    for (int i = 0; i < DMA_POOL_CACHE; i++) {
        struct dma_cached *c = &pool->cache[i];
        if (c->phys && c->size == size) {
            *phys = c->phys;
            *virt = c->virt;
            c->phys = 0;
            memset(*virt, 0, size);
            pool->reuses++;
            pool->outstanding += size;
            return 0;
        }
    }
    int err = pool->ops->alloc(pool->ctx, size, phys, virt);
    if (err)
        return err < 0 ? err : -ENOMEM;
    pool->allocs++;
    pool->outstanding += size;
    return 0;
}

void dma_free(struct dma_pool *pool, uint64_t phys, void *virt, size_t size)
{
    if (!virt || size == 0)
        return;
    size = dma_round(size);
    pool->outstanding -= size;
    for (int i = 0; i < DMA_POOL_CACHE; i++) {
        if (!pool->cache[i].phys) {
            pool->cache[i] = (struct dma_cached){ phys, virt, size };
            return;
        }
    }
    pool->ops->free(pool->ctx, phys, virt, size);
}

void dma_pool_drain(struct dma_pool *pool)
{
    for (int i = 0; i < DMA_POOL_CACHE; i++) {
        struct dma_cached *c = &pool->cache[i];
        if (c->phys) {
            pool->ops->free(pool->ctx, c->phys, c->virt, c->size);
            c->phys = 0;
        }
    }
}
