/*
 * heap_priv.h - what the heap core (heap.c) and its backends share (private).
 *
 * Each backend is a struct mm_heap_ops. The core holds h->lock around every
 * call and keeps the common statistics; a backend's alloc returns NULL when it
 * is out of space, and the core then grows the heap and asks again.
 */
#ifndef MM_HEAP_PRIV_H
#define MM_HEAP_PRIV_H

#include <mm/heap.h>

#define MM_HEAP_HDR 16 /* bytes of header before a bump or list payload */

/* A free block of the list allocator, stored in the free memory itself. */
struct mm_heap_node {
    uint64_t size;             /* bytes, header included */
    struct mm_heap_node *next; /* next free block, higher address */
};

struct mm_heap_ops {
    const char *name;
    /* Set up the backend on [h->base, h->end). */
    int (*init)(struct mm_heap *h);
    /* NULL when there is no room (the core grows and retries); else the
     * memory, with its usable size in *usable. */
    void *(*alloc)(struct mm_heap *h, size_t size, size_t align, size_t *usable);
    /* The usable size freed, or -EINVAL for a pointer not handed out or
     * already freed (the core has checked that p is inside the heap). */
    int64_t (*free)(struct mm_heap *h, void *p);
    /* Usable bytes at a live allocation. */
    size_t (*usable)(struct mm_heap *h, const void *p);
    /* [old_end, h->end) has just become usable. */
    void (*grown)(struct mm_heap *h, uintptr_t old_end);
    /* Bytes that can be handed out without growing; fills per-class stats. */
    uint64_t (*free_bytes)(struct mm_heap *h, struct mm_heap_stats *st);
};

/* Make about @p need more bytes usable through the page source (possibly
 * less, near the limit); calls ops->grown(). Caller holds h->lock. Returns 0
 * or a negative error. */
int mm_heap_grow(struct mm_heap *h, uint64_t need);

extern const struct mm_heap_ops mm_heap_bump_ops;
extern const struct mm_heap_ops mm_heap_list_ops;
extern const struct mm_heap_ops mm_heap_block_ops;

/* The list allocator's pieces, reused by the block backend on [start, h->end). */
void mm_heap_list_init_range(struct mm_heap *h, uintptr_t start);
void *mm_heap_list_alloc(struct mm_heap *h, size_t size, size_t align, size_t *usable);
int64_t mm_heap_list_free(struct mm_heap *h, void *p);
/* Take page-aligned pages with no header, for good (slabs are never given back). */
void *mm_heap_list_take_pages(struct mm_heap *h, uint64_t size);
size_t mm_heap_list_usable(struct mm_heap *h, const void *p);
void mm_heap_list_grown(struct mm_heap *h, uintptr_t old_end);
uint64_t mm_heap_list_free_bytes(struct mm_heap *h, struct mm_heap_stats *st);

#endif
