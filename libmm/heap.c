/*
 * heap.c - the heap core: one interface, three backends (mm/heap.h).
 *
 * Layer: kernel heap, the top of libmm. The core validates arguments, takes the
 * lock, grows the heap through the page-source callback when a backend runs out,
 * implements realloc/calloc once for every backend, and keeps the statistics.
 * The backends live in heap_bump.c, heap_list.c and heap_block.c.
 *
 * Interface: mm_heap_init() per heap; kmalloc() and friends use the heap given
 * to mm_kheap_set(). Locking: h->lock (irqsave); the grow callback runs under it.
 */
#include <k/errno.h>
#include <arch/panic.h>
#include <mm/heap.h>
#include <mm/phys.h>
#include <string.h>
#include "heap_priv.h"

static struct mm_heap *kernel_heap;

static const struct mm_heap_ops *const backends[] = {
    [MM_HEAP_BUMP] = &mm_heap_bump_ops,
    [MM_HEAP_LIST] = &mm_heap_list_ops,
    [MM_HEAP_BLOCK] = &mm_heap_block_ops,
};

int mm_heap_kind_parse(const char *name, enum mm_heap_kind *out)
{
    for (int k = MM_HEAP_BUMP; k <= MM_HEAP_BLOCK; k++) {
        if (strcmp(name, backends[k]->name) == 0) {
            *out = (enum mm_heap_kind)k;
            return 0;
        }
    }
    return -EINVAL;
}

const char *mm_heap_kind_name(enum mm_heap_kind kind)
{
    return (unsigned)kind <= MM_HEAP_BLOCK ? backends[kind]->name : "?";
}

/*
 * Make about @p need more bytes usable (at least MM_HEAP_MIN_GROW, at most what
 * is left of the range: near the limit the last pages are worth a try, as they
 * join the free space already at the end). Caller holds h->lock (or is init).
 */
int mm_heap_grow(struct mm_heap *h, uint64_t need)
{
    uint64_t room = h->limit - h->end;
    uint64_t want = MM_ALIGN_UP(need, MM_PAGE_SIZE);
    if (want < MM_HEAP_MIN_GROW)
        want = MM_HEAP_MIN_GROW;
    if (want > room)
        want = room;
    if (want == 0 || h->grow == NULL)
        return -ENOMEM;
    int err = h->grow(h->grow_ctx, h->end, want);
    if (err)
        return err;
    uintptr_t old = h->end;
    h->end += want;
    h->stats.grows++;
    h->ops->grown(h, old);
    return 0;
}

int mm_heap_init(struct mm_heap *h, const struct mm_heap_config *cfg)
{
    uint64_t initial = MM_ALIGN_UP(cfg->initial, MM_PAGE_SIZE);
    if ((unsigned)cfg->kind > MM_HEAP_BLOCK || (cfg->base & (MM_PAGE_SIZE - 1)) ||
        (cfg->max & (MM_PAGE_SIZE - 1)) || initial == 0 || initial > cfg->max ||
        cfg->base + cfg->max < cfg->base)
        return -EINVAL;
    memset(h, 0, sizeof(*h));
    spin_init(&h->lock, "heap");
    h->ops = backends[cfg->kind];
    h->kind = cfg->kind;
    h->base = h->end = cfg->base;
    h->limit = cfg->base + cfg->max;
    h->grow = cfg->grow;
    h->grow_ctx = cfg->grow_ctx;
    h->panic_on_misuse = cfg->panic_on_misuse;
    if (h->grow) {
        int err = h->grow(h->grow_ctx, h->base, initial);
        if (err)
            return err;
    }
    h->end = h->base + initial;
    return h->ops->init(h);
}

/* Caller holds h->lock. */
static void *alloc_locked(struct mm_heap *h, size_t size, size_t align)
{
    size_t usable;
    void *p = h->ops->alloc(h, size, align, &usable);
    /* Room for the request plus alignment slack, headers and a slab. */
    if (__builtin_expect(p == NULL, 0) &&
        mm_heap_grow(h, (uint64_t)size + align + MM_PAGE_SIZE) == 0)
        p = h->ops->alloc(h, size, align, &usable);
    if (p == NULL) {
        h->stats.failed++;
        return NULL;
    }
    h->stats.allocs++;
    h->stats.live++;
    h->stats.in_use += usable;
    if (h->stats.in_use > h->stats.peak_in_use)
        h->stats.peak_in_use = h->stats.in_use;
    return p;
}

/* Caller holds h->lock. */
static int free_locked(struct mm_heap *h, void *p)
{
    uintptr_t a = (uintptr_t)p;
    int64_t freed = -EINVAL;
    if (a >= h->base && a < h->end && (a & (MM_HEAP_MIN_CLASS - 1)) == 0)
        freed = h->ops->free(h, p);
    if (__builtin_expect(freed < 0, 0)) {
        h->stats.bad_frees++;
        if (h->panic_on_misuse)
            panic("heap: bad free or double free of %p", p);
        return (int)freed;
    }
    h->stats.frees++;
    h->stats.live--;
    h->stats.in_use -= (uint64_t)freed;
    return 0;
}

static bool align_ok(size_t align)
{
    return (align & (align - 1)) == 0 && align <= MM_PAGE_SIZE;
}

void *mm_heap_alloc(struct mm_heap *h, size_t size, size_t align)
{
    if (!align_ok(align) || size > h->limit - h->base)
        return NULL;
    if (align < MM_HEAP_MIN_CLASS)
        align = MM_HEAP_MIN_CLASS;
    uint64_t irq = spin_lock_irqsave(&h->lock);
    void *p = alloc_locked(h, size, align);
    spin_unlock_irqrestore(&h->lock, irq);
    return p;
}

int mm_heap_free(struct mm_heap *h, void *p)
{
    if (p == NULL)
        return 0;
    uint64_t irq = spin_lock_irqsave(&h->lock);
    int err = free_locked(h, p);
    spin_unlock_irqrestore(&h->lock, irq);
    return err;
}

void *mm_heap_realloc(struct mm_heap *h, void *p, size_t size)
{
    if (p == NULL)
        return mm_heap_alloc(h, size, 0);
    if (size == 0) {
        mm_heap_free(h, p);
        return NULL;
    }
    size_t old = mm_heap_usable_size(h, p);
    if (old == 0)
        return NULL;
    if (size <= old)
        return p;
    void *q = mm_heap_alloc(h, size, 0);
    if (q) {
        memcpy(q, p, old);
        mm_heap_free(h, p);
    }
    return q;
}

size_t mm_heap_usable_size(struct mm_heap *h, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (a < h->base || a >= h->end || (a & (MM_HEAP_MIN_CLASS - 1)))
        return 0;
    uint64_t irq = spin_lock_irqsave(&h->lock);
    size_t n = h->ops->usable(h, p);
    spin_unlock_irqrestore(&h->lock, irq);
    return n;
}

void mm_heap_get_stats(struct mm_heap *h, struct mm_heap_stats *out)
{
    uint64_t irq = spin_lock_irqsave(&h->lock);
    *out = h->stats;
    out->heap_size = h->end - h->base;
    for (int c = 0; c < MM_HEAP_CLASSES; c++)
        out->class_size[c] = (uint64_t)MM_HEAP_MIN_CLASS << c;
    out->free = h->ops->free_bytes(h, out);
    spin_unlock_irqrestore(&h->lock, irq);
}

void mm_kheap_set(struct mm_heap *h)
{
    kernel_heap = h;
}

struct mm_heap *mm_kheap(void)
{
    return kernel_heap;
}

void *kmalloc(size_t size)
{
    return kernel_heap ? mm_heap_alloc(kernel_heap, size, 0) : NULL;
}

void kfree(void *p)
{
    if (p == NULL)
        return;
    assert(kernel_heap != NULL);
    mm_heap_free(kernel_heap, p);
}

void *krealloc(void *p, size_t size)
{
    return kernel_heap ? mm_heap_realloc(kernel_heap, p, size) : NULL;
}

void *kcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = kmalloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *kmalloc_aligned(size_t size, size_t align)
{
    return kernel_heap ? mm_heap_alloc(kernel_heap, size, align) : NULL;
}

enum mm_heap_kind mm_heap_kind_of(const struct mm_heap *h)
{
    return h->kind;
}
