/*
 * heap_list.c - the linked-list backend (mm/heap.h, MM_HEAP_LIST).
 *
 * Layer: heap backend. Free blocks form a singly linked list sorted by address,
 * stored in the free memory itself (struct mm_heap_node: size, next). An
 * allocated block is a 16-byte header (size, magic) followed by the payload:
 *
 *     | size | magic | payload ...        |      (size includes the header)
 *
 * Allocation is first fit: the first free block that can hold the header and an
 * aligned payload is split into [front gap] [block] [tail], the gaps going back
 * on the list when they can hold a node (otherwise the tail is absorbed). Free
 * puts the block back in address order and merges it with the free neighbours
 * it touches, so two adjacent free blocks never exist. The block backend takes
 * whole pages for its slabs without a header, so its slabs sit side by side.
 *
 * Both directions walk the list, so this backend is slow with many free blocks;
 * it is here for its memory efficiency and as the block backend's fallback.
 *
 * Locking: called by heap.c (or heap_block.c) with h->lock held.
 */
#include <k/errno.h>
#include <mm/phys.h>
#include "heap_priv.h"

#define LIST_LIVE  0x11574a110c000001ull
#define LIST_FREED 0x11574a110c00dead
#define MIN_BLOCK  32 /* a header and 16 bytes, or a free node */

struct list_hdr {
    uint64_t size;
    uint64_t magic;
};

/* Put [addr, addr + size) on the free list, merging with neighbours. */
static void list_insert(struct mm_heap *h, uintptr_t addr, uint64_t size)
{
    struct mm_heap_node *prev = NULL, *next = h->list_head;
    while (next && (uintptr_t)next < addr) {
        prev = next;
        next = next->next;
    }
    h->list_free += size;
    struct mm_heap_node *n;
    if (prev && (uintptr_t)prev + prev->size == addr) {
        prev->size += size;
        n = prev;
    } else {
        n = (struct mm_heap_node *)addr;
        n->size = size;
        n->next = next;
        if (prev)
            prev->next = n;
        else
            h->list_head = n;
    }
    if (next && (uintptr_t)n + n->size == (uintptr_t)next) {
        n->size += next->size;
        n->next = next->next;
    }
}

void mm_heap_list_init_range(struct mm_heap *h, uintptr_t start)
{
    h->list_head = NULL;
    h->list_free = 0;
    start = MM_ALIGN_UP(start, MM_HEAP_MIN_CLASS);
    if (h->end - start >= MIN_BLOCK)
        list_insert(h, start, h->end - start);
}

/*
 * Cut @p need bytes, @p hdr of them before an @p align-aligned address, out of
 * the first free block that can hold them. Returns the block's start and its
 * final size (the tail is absorbed when too small to be a free block).
 */
static uintptr_t carve(struct mm_heap *h, uint64_t need, size_t align, uint64_t hdr,
                       uint64_t *size_out)
{
    struct mm_heap_node **link = &h->list_head;
    for (struct mm_heap_node *cur = *link; cur; link = &cur->next, cur = cur->next) {
        uintptr_t start = (uintptr_t)cur, end = start + cur->size;
        uintptr_t blk = MM_ALIGN_UP(start + hdr, align) - hdr;
        if (blk != start && blk - start < MIN_BLOCK)
            blk = MM_ALIGN_UP(start + hdr + MIN_BLOCK, align) - hdr;
        if (blk + need > end)
            continue;
        uint64_t block = need, tail = end - (blk + need);
        if (tail < MIN_BLOCK) {
            block += tail;
            tail = 0;
        }
        struct mm_heap_node *rest = cur->next;
        if (tail) {
            struct mm_heap_node *t = (struct mm_heap_node *)(blk + block);
            t->size = tail;
            t->next = rest;
            rest = t;
        }
        if (blk > start) {
            cur->size = blk - start; /* the front gap stays where cur was */
            cur->next = rest;
        } else {
            *link = rest;
        }
        h->list_free -= block;
        *size_out = block;
        return blk;
    }
    return 0;
}

void *mm_heap_list_alloc(struct mm_heap *h, size_t size, size_t align, size_t *usable)
{
    uint64_t need = MM_ALIGN_UP((uint64_t)size, MM_HEAP_MIN_CLASS) + MM_HEAP_HDR, block;
    if (need < MIN_BLOCK)
        need = MIN_BLOCK;
    uintptr_t blk = carve(h, need, align, MM_HEAP_HDR, &block);
    if (blk == 0)
        return NULL;
    struct list_hdr *hdr = (struct list_hdr *)blk;
    hdr->size = block;
    hdr->magic = LIST_LIVE;
    *usable = block - MM_HEAP_HDR;
    return (void *)(blk + MM_HEAP_HDR);
}

void *mm_heap_list_take_pages(struct mm_heap *h, uint64_t size)
{
    uint64_t block;
    uintptr_t blk = carve(h, size, MM_PAGE_SIZE, 0, &block);
    /* A tail too small to keep (< 32 bytes) is lost with the pages: never freed. */
    return blk ? (void *)blk : NULL;
}

static struct list_hdr *valid_hdr(struct mm_heap *h, const void *p)
{
    struct list_hdr *hdr = (struct list_hdr *)((uintptr_t)p - MM_HEAP_HDR);
    if ((uintptr_t)hdr < h->base || hdr->magic != LIST_LIVE || hdr->size < MIN_BLOCK ||
        (hdr->size & (MM_HEAP_MIN_CLASS - 1)) || hdr->size > h->end - (uintptr_t)hdr)
        return NULL;
    return hdr;
}

int64_t mm_heap_list_free(struct mm_heap *h, void *p)
{
    struct list_hdr *hdr = valid_hdr(h, p);
    if (hdr == NULL)
        return -EINVAL;
    uint64_t size = hdr->size;
    hdr->magic = LIST_FREED;
    list_insert(h, (uintptr_t)hdr, size);
    return (int64_t)(size - MM_HEAP_HDR);
}

size_t mm_heap_list_usable(struct mm_heap *h, const void *p)
{
    struct list_hdr *hdr = valid_hdr(h, p);
    return hdr ? hdr->size - MM_HEAP_HDR : 0;
}

void mm_heap_list_grown(struct mm_heap *h, uintptr_t old_end)
{
    list_insert(h, old_end, h->end - old_end);
}

static int list_init(struct mm_heap *h)
{
    mm_heap_list_init_range(h, h->base);
    return 0;
}

uint64_t mm_heap_list_free_bytes(struct mm_heap *h, struct mm_heap_stats *st)
{
    st->free_blocks = 0;
    for (struct mm_heap_node *n = h->list_head; n; n = n->next)
        st->free_blocks++;
    return h->list_free;
}

const struct mm_heap_ops mm_heap_list_ops = {
    .name = "list",
    .init = list_init,
    .alloc = mm_heap_list_alloc,
    .free = mm_heap_list_free,
    .usable = mm_heap_list_usable,
    .grown = mm_heap_list_grown,
    .free_bytes = mm_heap_list_free_bytes,
};
