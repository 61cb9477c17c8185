/*
 * vregion.c - virtual-region allocator (mm/vregion.h).
 *
 * Layer: virtual memory bookkeeping, no page tables. A sorted array of free
 * ranges; allocation is first fit with alignment, freeing merges neighbours.
 * Locking: vr->lock (irqsave) around each allocation and free; the two
 * counters' getters read one word without it.
 */
#include <k/errno.h>
#include <mm/phys.h>
#include <mm/vregion.h>
#include <string.h>

int mm_vregion_init(struct mm_vregion *vr, uintptr_t base, uint64_t size)
{
    if ((base & (MM_PAGE_SIZE - 1)) || (size & (MM_PAGE_SIZE - 1)) || size == 0 ||
        base + size - 1 < base)
        return -EINVAL;
    memset(vr, 0, sizeof(*vr));
    spin_init(&vr->lock, "vregion");
    vr->base = base;
    vr->size = size;
    vr->free[0] = (struct mm_vrange){ base, size };
    vr->nfree = 1;
    vr->free_bytes = size;
    return 0;
}

static void remove_at(struct mm_vregion *vr, size_t i)
{
    memmove(&vr->free[i], &vr->free[i + 1], (vr->nfree - i - 1) * sizeof(vr->free[0]));
    vr->nfree--;
}

static void insert_at(struct mm_vregion *vr, size_t i, uintptr_t base, uint64_t size)
{
    memmove(&vr->free[i + 1], &vr->free[i], (vr->nfree - i) * sizeof(vr->free[0]));
    vr->free[i] = (struct mm_vrange){ base, size };
    vr->nfree++;
}

int mm_vregion_alloc(struct mm_vregion *vr, uint64_t size, uint64_t align, uintptr_t *out)
{
    if (size == 0 || (align & (align - 1)))
        return -EINVAL;
    if (size > vr->size)
        return -ENOMEM; /* also keeps the rounding below from overflowing */
    size = MM_ALIGN_UP(size, MM_PAGE_SIZE);
    if (align < MM_PAGE_SIZE)
        align = MM_PAGE_SIZE;
    uint64_t irq = spin_lock_irqsave(&vr->lock);
    for (size_t i = 0; i < vr->nfree; i++) {
        struct mm_vrange *r = &vr->free[i];
        uintptr_t a = MM_ALIGN_UP(r->base, align);
        uintptr_t end = r->base + r->size;
        if (a < r->base || a >= end || end - a < size)
            continue;
        bool front = a > r->base, back = a + size < end;
        if (front && back) {
            if (vr->nfree == MM_VREGION_MAX)
                continue; /* cannot split in three; try elsewhere */
            insert_at(vr, i + 1, a + size, end - (a + size));
            vr->free[i].size = a - vr->free[i].base;
        } else if (front) {
            r->size = a - r->base;
        } else if (back) {
            r->base = a + size;
            r->size = end - r->base;
        } else {
            remove_at(vr, i);
        }
        vr->free_bytes -= size;
        spin_unlock_irqrestore(&vr->lock, irq);
        *out = a;
        return 0;
    }
    spin_unlock_irqrestore(&vr->lock, irq);
    return -ENOMEM;
}

int mm_vregion_free(struct mm_vregion *vr, uintptr_t base, uint64_t size)
{
    if (size > vr->size)
        return -EINVAL;
    size = MM_ALIGN_UP(size, MM_PAGE_SIZE);
    uintptr_t end = base + size;
    if (size == 0 || (base & (MM_PAGE_SIZE - 1)) || base < vr->base || end > vr->base + vr->size ||
        end < base)
        return -EINVAL;
    uint64_t irq = spin_lock_irqsave(&vr->lock);
    size_t i = 0;
    while (i < vr->nfree && vr->free[i].base < base)
        i++;
    /* i: first free range at or after base. Neither neighbour may overlap us. */
    struct mm_vrange *prev = i > 0 ? &vr->free[i - 1] : NULL;
    struct mm_vrange *next = i < vr->nfree ? &vr->free[i] : NULL;
    int err = 0;
    if ((prev && prev->base + prev->size > base) || (next && next->base < end)) {
        err = -EINVAL;
    } else if (prev && prev->base + prev->size == base) {
        prev->size += size;
        if (next && next->base == end) {
            prev->size += next->size;
            remove_at(vr, i);
        }
    } else if (next && next->base == end) {
        next->base = base;
        next->size += size;
    } else if (vr->nfree == MM_VREGION_MAX) {
        err = -ENOMEM;
    } else {
        insert_at(vr, i, base, size);
    }
    if (err == 0)
        vr->free_bytes += size;
    spin_unlock_irqrestore(&vr->lock, irq);
    return err;
}

uint64_t mm_vregion_free_bytes(struct mm_vregion *vr)
{
    return vr->free_bytes;
}

size_t mm_vregion_fragments(struct mm_vregion *vr)
{
    return vr->nfree;
}
