/*
 * heap_block.c - the fixed-size-block backend (mm/heap.h, MM_HEAP_BLOCK).
 *
 * Layer: heap backend on top of the list backend. Requests up to 2 KiB (and
 * alignment up to the class size) are served from power-of-two classes
 * 16, 32, ..., 2048 bytes. A class refills by taking a page-aligned 4 KiB slab
 * from the list allocator (no header: slabs are never given back, so they pack
 * next to each other) and cutting it into objects; objects are naturally
 * aligned to their size. Larger requests go to the list allocator.
 *
 * To know, on free, whether a pointer is a class object, a byte per page of the
 * heap range records "class + 1" for slab pages (0 otherwise). That table sits
 * at the start of the range, so the backend needs no memory from elsewhere.
 * A free object holds the next pointer and a magic word; a second free of it is
 * confirmed against the class list and rejected.
 *
 * Locking: called by heap.c with h->lock held.
 */
#include <k/errno.h>
#include <mm/phys.h>
#include "heap_priv.h"

#define OBJ_FREE 0xb10cf4eeb10cf4eeull

struct obj {
    struct obj *next;
    uint64_t magic;
};

static uint64_t npages(const struct mm_heap *h)
{
    return (h->limit - h->base) / MM_PAGE_SIZE;
}

static int class_of(size_t size, size_t align)
{
    if (size < align)
        size = align;
    if (size <= MM_HEAP_MIN_CLASS)
        return 0;
    if (size > MM_HEAP_MAX_CLASS)
        return -1;
    /* ceil(log2(size)) - log2(16) */
    return 64 - __builtin_clzll((unsigned long long)size - 1) - 4;
}

static int block_init(struct mm_heap *h)
{
    uint64_t table = MM_ALIGN_UP(npages(h), MM_HEAP_MIN_CLASS);
    uint64_t have = h->end - h->base;
    /* A large range may need more than the initial size for its table. */
    if (table + MM_PAGE_SIZE > have && mm_heap_grow(h, table + MM_PAGE_SIZE - have) != 0)
        return -ENOMEM;
    if (table + MM_PAGE_SIZE > h->end - h->base)
        return -ENOMEM;
    h->page_class = (uint8_t *)h->base;
    for (uint64_t i = 0; i < table; i++)
        h->page_class[i] = 0;
    mm_heap_list_init_range(h, h->base + table);
    return 0;
}

static int refill(struct mm_heap *h, int c)
{
    uint8_t *slab = mm_heap_list_take_pages(h, MM_PAGE_SIZE);
    if (slab == NULL)
        return -ENOMEM;
    size_t size = (size_t)MM_HEAP_MIN_CLASS << c;
    h->page_class[((uintptr_t)slab - h->base) / MM_PAGE_SIZE] = (uint8_t)(c + 1);
    h->stats.class_slabs[c]++;
    /* Push in reverse so objects come out in address order. */
    for (size_t off = MM_PAGE_SIZE; off >= size; off -= size) {
        struct obj *o = (struct obj *)(slab + off - size);
        o->next = h->class_head[c];
        o->magic = OBJ_FREE;
        h->class_head[c] = o;
    }
    return 0;
}

static void *block_alloc(struct mm_heap *h, size_t size, size_t align, size_t *usable)
{
    int c = class_of(size, align);
    if (c < 0)
        return mm_heap_list_alloc(h, size, align, usable);
    if (__builtin_expect(h->class_head[c] == NULL, 0) && refill(h, c))
        return NULL;
    struct obj *o = h->class_head[c];
    h->class_head[c] = o->next;
    o->magic = 0;
    h->stats.class_live[c]++;
    *usable = (size_t)MM_HEAP_MIN_CLASS << c;
    return o;
}

/* Class of the slab holding @p p, or -1 if @p p is not in a slab. */
static int slab_class(struct mm_heap *h, const void *p)
{
    uint8_t v = h->page_class[((uintptr_t)p - h->base) / MM_PAGE_SIZE];
    return v ? v - 1 : -1;
}

static int64_t block_free(struct mm_heap *h, void *p)
{
    int c = slab_class(h, p);
    if (c < 0)
        return mm_heap_list_free(h, p);
    struct obj *o = p;
    if (((uintptr_t)p & (((uintptr_t)MM_HEAP_MIN_CLASS << c) - 1)))
        return -EINVAL;
    if (o->magic == OBJ_FREE) {
        for (struct obj *f = h->class_head[c]; f; f = f->next)
            if (f == o)
                return -EINVAL; /* double free */
    }
    o->next = h->class_head[c];
    o->magic = OBJ_FREE;
    h->class_head[c] = o;
    h->stats.class_live[c]--;
    return (int64_t)MM_HEAP_MIN_CLASS << c;
}

static size_t block_usable(struct mm_heap *h, const void *p)
{
    int c = slab_class(h, p);
    return c < 0 ? mm_heap_list_usable(h, p) : (size_t)MM_HEAP_MIN_CLASS << c;
}

static uint64_t block_free_bytes(struct mm_heap *h, struct mm_heap_stats *st)
{
    uint64_t bytes = mm_heap_list_free_bytes(h, st);
    for (int c = 0; c < MM_HEAP_CLASSES; c++) {
        uint64_t per = MM_PAGE_SIZE / ((uint64_t)MM_HEAP_MIN_CLASS << c);
        st->class_free[c] = st->class_slabs[c] * per - st->class_live[c];
        bytes += st->class_free[c] * ((uint64_t)MM_HEAP_MIN_CLASS << c);
    }
    return bytes;
}

const struct mm_heap_ops mm_heap_block_ops = {
    .name = "block",
    .init = block_init,
    .alloc = block_alloc,
    .free = block_free,
    .usable = block_usable,
    .grown = mm_heap_list_grown,
    .free_bytes = block_free_bytes,
};
