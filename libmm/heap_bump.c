/*
 * heap_bump.c - the bump backend (mm/heap.h, MM_HEAP_BUMP).
 *
 * Layer: heap backend. Each allocation takes the next bytes after a 16-byte
 * header (its size and a magic word, so realloc knows what to copy and a double
 * free is caught). Freeing only counts down; when the last live allocation goes,
 * the whole heap is reused from the start.
 * Locking: called by heap.c with h->lock held.
 */
#include <k/errno.h>
#include <mm/phys.h>
#include "heap_priv.h"

#define BUMP_LIVE  0xb0b0a11ce0000001ull
#define BUMP_FREED 0xb0b0a11ce000dead

struct bump_hdr {
    uint64_t size;
    uint64_t magic;
};

static int bump_init(struct mm_heap *h)
{
    h->bump_next = h->base;
    return 0;
}

static void *bump_alloc(struct mm_heap *h, size_t size, size_t align, size_t *usable)
{
    uint64_t need = MM_ALIGN_UP(size ? size : 1, MM_HEAP_MIN_CLASS);
    uintptr_t p = MM_ALIGN_UP(h->bump_next + MM_HEAP_HDR, align);
    if (p + need > h->end || p + need < p)
        return NULL;
    struct bump_hdr *hdr = (struct bump_hdr *)(p - MM_HEAP_HDR);
    hdr->size = need;
    hdr->magic = BUMP_LIVE;
    h->bump_next = p + need;
    *usable = need;
    return (void *)p;
}

static int64_t bump_free(struct mm_heap *h, void *p)
{
    struct bump_hdr *hdr = (struct bump_hdr *)((uintptr_t)p - MM_HEAP_HDR);
    if ((uintptr_t)hdr < h->base || hdr->magic != BUMP_LIVE)
        return -EINVAL;
    hdr->magic = BUMP_FREED;
    /* h->stats.live still counts @p: the core decrements it after us. */
    if (h->stats.live == 1)
        h->bump_next = h->base;
    return (int64_t)hdr->size;
}

static size_t bump_usable(struct mm_heap *h, const void *p)
{
    const struct bump_hdr *hdr = (const struct bump_hdr *)((uintptr_t)p - MM_HEAP_HDR);
    if ((uintptr_t)hdr < h->base || hdr->magic != BUMP_LIVE)
        return 0;
    return hdr->size;
}

static void bump_grown(struct mm_heap *h, uintptr_t old_end)
{
    (void)h;
    (void)old_end;
}

static uint64_t bump_free_bytes(struct mm_heap *h, struct mm_heap_stats *st)
{
    (void)st;
    return h->end - h->bump_next;
}

const struct mm_heap_ops mm_heap_bump_ops = {
    .name = "bump",
    .init = bump_init,
    .alloc = bump_alloc,
    .free = bump_free,
    .usable = bump_usable,
    .grown = bump_grown,
    .free_bytes = bump_free_bytes,
};
