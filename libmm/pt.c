/*
 * pt.c - 4-level page tables: map, unmap, translate, protect (mm/vm.h).
 *
 * Layer: virtual memory, above the frame allocator. Tables are reached through
 * the physical window (mm_pt_table()), so this file runs unchanged on simulated
 * RAM in host tests. Missing tables are allocated zeroed on the way down; on the
 * way back up after an unmap, tables left empty are freed (never the upper-half
 * PDPTs, which every address space shares). A guard mark is a not-present leaf
 * holding MM_PTE_GUARD: it faults like any hole, keeps its table alive and
 * blocks mappings until cleared.
 *
 * Range calls (mm_pt_walk, mm_pt_unmap_range, mm_pt_protect_range) are one
 * descent through the tables that exist, never a lookup per page: their cost is
 * bounded by the tables and pages present, not by the size of the range.
 *
 * Interface: mm_pt_map/map_huge/unmap/translate/protect/remap for one page,
 * mm_pt_walk and the *_range calls, map_anon, mm_pt_mark/clear/is_guard.
 * mm_pt_read_range copies the level-1 entries of a run of pages, one descent
 * per 2 MiB, for callers that would otherwise translate page by page.
 * Locking: as->lock (irqsave) for each single-page operation and for the whole
 * of each walk (so mm_pt_walk, mm_pt_read_range and mm_pt_unmap/protect_range
 * are atomic); mm_pt_map_range and mm_pt_map_anon are loops of single-page
 * calls and are not.
 */
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <k/errno.h>
#include <mm/phys.h>
#include <mm/vm.h>
#include "pt_priv.h"

#define PHYS_MAX (1ull << 52)

static bool nx_supported = true;

/* The lookup path of one address: the table and the entry used at each level. */
struct pt_path {
    uint64_t table[5];  /* physical address of the level-l table */
    uint64_t *entry[5]; /* the entry used in it */
};

void mm_pt_set_nx_supported(bool supported)
{
    nx_supported = supported;
}

static bool is_upper(uintptr_t va)
{
    return va >= MM_KERNEL_HALF;
}

static bool canonical(uintptr_t va)
{
    int64_t top = (int64_t)va >> 47;
    return top == 0 || top == -1;
}

static uint64_t hw_flags(uint64_t flags)
{
    if (!nx_supported)
        flags &= ~MM_PTE_NX;
    return flags | MM_PTE_P;
}

/* Flush a TLB entry when the CPU may hold it: the active space or the shared kernel half. */
static void flush(const struct mm_aspace *as, uintptr_t va)
{
    if (is_upper(va)) {
        invlpg(va);
        arch_tlb_kernel_changed(); /* the other CPUs catch up under the big lock */
    } else if (mm_aspace_is_active(as)) {
        invlpg(va);
    }
}

/* Is the table at @p pa all zeros? Caller holds as->lock. */
static bool table_empty(struct mm_aspace *as, uint64_t pa)
{
    const uint64_t *t = mm_pt_table(pa);
    for (int i = 0; i < MM_PT_ENTRIES; i++) {
        as->pt_reads++;
        if (t[i])
            return false;
    }
    return true;
}

/*
 * The entry of the level-@p level table for @p va, creating missing tables on
 * the way when @p create. A large page above @p level gives -EEXIST. Caller
 * holds as->lock.
 */
static uint64_t *walk_create(struct mm_aspace *as, uintptr_t va, int level, int *err)
{
    uint64_t table = as->pml4;
    for (int l = 4; l > level; l--) {
        uint64_t *e = &mm_pt_table(table)[mm_pt_index(va, l)];
        as->pt_reads++;
        if (!(*e & MM_PTE_P)) {
            uint64_t pa;
            if (mm_frame_alloc_zeroed(as->frames, &pa)) {
                *err = -ENOMEM;
                return NULL;
            }
            as->table_frames++;
            /* Intermediate entries are permissive; the leaf decides. */
            *e = pa | MM_PTE_P | MM_PTE_W | (is_upper(va) ? 0 : MM_PTE_U);
        } else if (*e & MM_PTE_PS) {
            *err = -EEXIST;
            return NULL;
        }
        table = *e & MM_PTE_ADDR;
    }
    return &mm_pt_table(table)[mm_pt_index(va, level)];
}

/*
 * Find the leaf entry for @p va. Returns 0 and its level, or -ENOENT and the
 * level at which the walk found nothing. Caller holds as->lock.
 */
static int find_leaf(struct mm_aspace *as, uintptr_t va, struct pt_path *p, int *level)
{
    uint64_t table = as->pml4;
    for (int l = 4; l >= 1; l--) {
        uint64_t *e = &mm_pt_table(table)[mm_pt_index(va, l)];
        p->table[l] = table;
        p->entry[l] = e;
        *level = l;
        as->pt_reads++;
        if (!(*e & MM_PTE_P))
            return -ENOENT;
        if (l == 1 || (*e & MM_PTE_PS))
            return 0;
        table = *e & MM_PTE_ADDR;
    }
    return -ENOENT; /* not reached */
}

/* After an unmap at @p level, free the tables it left empty. Caller holds as->lock. */
static void free_empty_tables(struct mm_aspace *as, uintptr_t va, const struct pt_path *p,
                              int level)
{
    for (int l = level; l <= 3; l++) {
        if (l == 3 && is_upper(va))
            break; /* shared by every address space */
        if (!table_empty(as, p->table[l]))
            break;
        *p->entry[l + 1] = 0;
        mm_frame_free(as->frames, p->table[l]);
        as->table_frames--;
    }
}

void mm_pt_free_leaf(struct mm_aspace *as, uint64_t entry, int level)
{
    if (!(entry & MM_PTE_OWNED))
        return;
    uint64_t pa = entry & MM_PTE_ADDR;
    if (level == 1)
        mm_frame_free(as->frames, pa);
    else
        mm_frame_free_contig(as->frames, pa, mm_pt_span(level) / MM_PAGE_SIZE);
}

static int check_args(uintptr_t va, uint64_t pa, uint64_t flags, uint64_t align)
{
    if ((va & (align - 1)) || (pa & (align - 1)) || !canonical(va) || pa >= PHYS_MAX)
        return -EINVAL;
    if (flags & ~MM_PTE_FLAGS)
        return -EINVAL;
    return 0;
}

static int map_at(struct mm_aspace *as, uintptr_t va, uint64_t pa, uint64_t flags, int level)
{
    int err = check_args(va, pa, flags, mm_pt_span(level));
    if (err)
        return err;
    uint64_t irq = spin_lock_irqsave(&as->lock);
    uint64_t *e = walk_create(as, va, level, &err);
    if (e && *e) /* a mapping, a table, or a guard mark */
        err = -EEXIST;
    else if (e)
        *e = pa | hw_flags(flags) | (level > 1 ? MM_PTE_PS : 0);
    spin_unlock_irqrestore(&as->lock, irq);
    return err;
}

int mm_pt_map(struct mm_aspace *as, uintptr_t va, uint64_t pa, uint64_t flags)
{
    return map_at(as, va, pa, flags, 1);
}

int mm_pt_map_huge(struct mm_aspace *as, uintptr_t va, uint64_t pa, uint64_t flags)
{
    return map_at(as, va, pa, flags, 2);
}

int mm_pt_unmap(struct mm_aspace *as, uintptr_t va, uint64_t *pa_out)
{
    if (!canonical(va))
        return -EINVAL;
    struct pt_path p;
    int level;
    uint64_t irq = spin_lock_irqsave(&as->lock);
    int err = find_leaf(as, va, &p, &level);
    if (err == 0 && (va & (mm_pt_span(level) - 1)))
        err = -EINVAL;
    if (err == 0) {
        uint64_t old = *p.entry[level];
        *p.entry[level] = 0;
        mm_pt_free_leaf(as, old, level);
        free_empty_tables(as, va, &p, level);
        flush(as, va);
        if (pa_out)
            *pa_out = old & MM_PTE_ADDR;
    }
    spin_unlock_irqrestore(&as->lock, irq);
    return err;
}

int mm_pt_translate(struct mm_aspace *as, uintptr_t va, uint64_t *pa_out, uint64_t *flags_out)
{
    if (!canonical(va))
        return -ENOENT;
    struct pt_path p;
    int level;
    uint64_t irq = spin_lock_irqsave(&as->lock);
    int err = find_leaf(as, va, &p, &level);
    uint64_t e = err ? 0 : *p.entry[level];
    spin_unlock_irqrestore(&as->lock, irq);
    if (err)
        return err;
    if (pa_out)
        *pa_out = (e & MM_PTE_ADDR) + (va & (mm_pt_span(level) - 1));
    if (flags_out)
        *flags_out = e & ~MM_PTE_ADDR;
    return 0;
}

int mm_pt_read_range(struct mm_aspace *as, uintptr_t va, size_t n, uint64_t *out)
{
    uintptr_t last = va + (n ? n - 1 : 0) * MM_PAGE_SIZE;
    if ((va & (MM_PAGE_SIZE - 1)) || last < va || !canonical(va) || !canonical(last) ||
        is_upper(va) != is_upper(last))
        return -EINVAL;
    int err = 0;
    uint64_t irq = spin_lock_irqsave(&as->lock);
    for (size_t k = 0; k < n && !err;) {
        uintptr_t a = va + k * MM_PAGE_SIZE;
        unsigned idx = mm_pt_index(a, 1);
        size_t take = MM_PT_ENTRIES - idx < n - k ? MM_PT_ENTRIES - idx : n - k;
        /* Down to this 2 MiB stretch's level-1 table, if it has one. */
        uint64_t table = as->pml4;
        for (int l = 4; l > 1 && table; l--) {
            uint64_t e = mm_pt_table(table)[mm_pt_index(a, l)];
            as->pt_reads++;
            if (e & MM_PTE_PS)
                err = -ENOTSUP;
            table = (e & MM_PTE_P) && !(e & MM_PTE_PS) ? e & MM_PTE_ADDR : 0;
        }
        const uint64_t *t = table ? mm_pt_table(table) : NULL;
        for (size_t j = 0; j < take; j++)
            out[k + j] = t ? t[idx + j] : 0;
        as->pt_reads += t ? take : 0;
        k += take;
    }
    spin_unlock_irqrestore(&as->lock, irq);
    return err;
}

int mm_pt_protect(struct mm_aspace *as, uintptr_t va, uint64_t flags)
{
    flags &= ~MM_PTE_OWNED;
    if (!canonical(va) || (flags & ~MM_PTE_FLAGS))
        return -EINVAL;
    struct pt_path p;
    int level;
    uint64_t irq = spin_lock_irqsave(&as->lock);
    int err = find_leaf(as, va, &p, &level);
    if (err == 0 && (va & (mm_pt_span(level) - 1)))
        err = -EINVAL;
    if (err == 0) {
        uint64_t *e = p.entry[level];
        *e = (*e & (MM_PTE_ADDR | MM_PTE_OWNED | MM_PTE_PS)) | hw_flags(flags);
        flush(as, va);
    }
    spin_unlock_irqrestore(&as->lock, irq);
    return err;
}

int mm_pt_mark_guard(struct mm_aspace *as, uintptr_t va)
{
    int err = check_args(va, 0, 0, MM_PAGE_SIZE);
    if (err)
        return err;
    uint64_t irq = spin_lock_irqsave(&as->lock);
    uint64_t *e = walk_create(as, va, 1, &err);
    if (e && *e)
        err = -EEXIST;
    else if (e)
        *e = MM_PTE_GUARD;
    spin_unlock_irqrestore(&as->lock, irq);
    return err;
}

int mm_pt_clear_guard(struct mm_aspace *as, uintptr_t va)
{
    if (!canonical(va))
        return -ENOENT;
    struct pt_path p;
    int level;
    uint64_t irq = spin_lock_irqsave(&as->lock);
    int err = find_leaf(as, va, &p, &level);
    /* A guard mark is a not-present leaf, so the walk stops at level 1 on it. */
    if (err == -ENOENT && level == 1 && *p.entry[1] == MM_PTE_GUARD) {
        *p.entry[1] = 0;
        free_empty_tables(as, va, &p, 1);
        err = 0;
    } else {
        err = -ENOENT;
    }
    spin_unlock_irqrestore(&as->lock, irq);
    return err;
}

bool mm_pt_is_guard(struct mm_aspace *as, uintptr_t va)
{
    if (!canonical(va))
        return false;
    uint64_t table = as->pml4;
    for (int l = 4; l > 1; l--) {
        uint64_t e = ((volatile uint64_t *)mm_pt_table(table))[mm_pt_index(va, l)];
        if (!(e & MM_PTE_P) || (e & MM_PTE_PS))
            return false;
        table = e & MM_PTE_ADDR;
    }
    return ((volatile uint64_t *)mm_pt_table(table))[mm_pt_index(va, 1)] == MM_PTE_GUARD;
}

/*
 * Range walks. A walk visits the present leaves intersecting [first, last]
 * (48-bit linear addresses, inclusive, so the top of a half needs no overflow
 * care) and descends only through present entries. Each table is scanned once,
 * over the entries in range. After a subtree in which a leaf was cleared, the
 * walk frees its table if that left it empty.
 */
#define LINEAR_MASK ((1ull << 48) - 1)

struct walker {
    struct mm_aspace *as;
    /* Called for a present leaf: < 0 stops, else 0 or MM_PT_WALK_FLUSH. */
    int (*leaf)(struct walker *w, uintptr_t va, uint64_t *e, int level);
    uint64_t first, last; /* linear, inclusive */
    uint64_t cleared;     /* entries zeroed so far */
    /* for the leaf functions */
    int (*fn)(void *ctx, uintptr_t va, uint64_t *pte);
    void *ctx;
    uint64_t flags;
    int count;
};

static uintptr_t canonical_va(uint64_t linear)
{
    return (uintptr_t)((int64_t)(linear << 16) >> 16);
}

/* Check [start, end) and set w->first/last: 1, 0 for an empty range, or -EINVAL. */
static int walk_range(struct walker *w, uintptr_t start, uintptr_t end)
{
    if (start > end || !canonical(start) || (end > start && !canonical(end - 1)) ||
        (end > start && is_upper(start) != is_upper(end - 1)))
        return -EINVAL;
    w->first = start & LINEAR_MASK;
    w->last = (end - 1) & LINEAR_MASK;
    return end > start;
}

/* Walk the level-@p level table at @p table, mapping from linear @p base. Caller holds as->lock. */
static int walk_table(struct walker *w, uint64_t table, int level, uint64_t base)
{
    uint64_t span = mm_pt_span(level), top = base + MM_PT_ENTRIES * span - 1;
    uint64_t lo = w->first > base ? w->first : base, hi = w->last < top ? w->last : top;
    uint64_t *t = mm_pt_table(table);
    int err = 0;
    for (unsigned i = (unsigned)((lo - base) / span); i <= (hi - base) / span && err >= 0; i++) {
        uint64_t e = t[i], linear = base + i * span;
        w->as->pt_reads++;
        if (!(e & MM_PTE_P))
            continue;
        if (level == 1 || (e & MM_PTE_PS)) {
            err = w->leaf(w, canonical_va(linear), &t[i], level);
            if (err > 0 && (err & MM_PT_WALK_FLUSH))
                flush(w->as, canonical_va(linear));
            if (t[i] == 0)
                w->cleared++;
            continue;
        }
        uint64_t cleared = w->cleared;
        err = walk_table(w, e & MM_PTE_ADDR, level - 1, linear);
        /* The shared upper-half PDPTs stay, as in free_empty_tables(). */
        bool shared = level == 4 && is_upper(canonical_va(linear));
        if (w->cleared != cleared && !shared && table_empty(w->as, e & MM_PTE_ADDR)) {
            t[i] = 0;
            mm_frame_free(w->as->frames, e & MM_PTE_ADDR);
            w->as->table_frames--;
            w->cleared++;
            flush(w->as, canonical_va(linear)); /* paging-structure caches */
        }
    }
    return err < 0 ? err : 0;
}

/* Run @p w over [start, end) under the lock: 0, a leaf's negative return, or -EINVAL. */
static int walk(struct mm_aspace *as, uintptr_t start, uintptr_t end, struct walker *w)
{
    w->as = as;
    w->cleared = 0;
    int err = walk_range(w, start, end);
    if (err <= 0)
        return err;
    uint64_t irq = spin_lock_irqsave(&as->lock);
    err = walk_table(w, as->pml4, 4, 0);
    spin_unlock_irqrestore(&as->lock, irq);
    return err;
}

static int walk_leaf(struct walker *w, uintptr_t va, uint64_t *e, int level)
{
    if (level > 1)
        return -ENOTSUP;
    int r = w->fn(w->ctx, va, e);
    return r < 0 ? r : (r & MM_PT_WALK_FLUSH);
}

int mm_pt_walk(struct mm_aspace *as, uintptr_t start, uintptr_t end,
               int (*fn)(void *ctx, uintptr_t va, uint64_t *pte), void *ctx)
{
    struct walker w = { .leaf = walk_leaf, .fn = fn, .ctx = ctx };
    return walk(as, start, end, &w);
}

int mm_pt_remap(struct mm_aspace *as, uintptr_t va, uint64_t new_pa, uint64_t flags,
                uint64_t *old_pa)
{
    int err = check_args(va, new_pa, flags, MM_PAGE_SIZE);
    if (err)
        return err;
    struct pt_path p;
    int level;
    uint64_t irq = spin_lock_irqsave(&as->lock);
    err = find_leaf(as, va, &p, &level);
    if (err == 0 && level != 1)
        err = -EINVAL;
    if (err == 0) {
        uint64_t old = *p.entry[1];
        *p.entry[1] = new_pa | hw_flags(flags);
        flush(as, va);
        /* Only now, with no way left to reach it through this space, release the old frame. */
        if ((old & MM_PTE_ADDR) != new_pa || !(flags & MM_PTE_OWNED))
            mm_pt_free_leaf(as, old, 1);
        if (old_pa)
            *old_pa = old & MM_PTE_ADDR;
    }
    spin_unlock_irqrestore(&as->lock, irq);
    return err;
}

int mm_pt_map_range(struct mm_aspace *as, uintptr_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
    if ((size & (MM_PAGE_SIZE - 1)) || (flags & MM_PTE_OWNED))
        return -EINVAL;
    uint64_t done = 0;
    while (done < size) {
        int err;
        uint64_t step;
        if (((va + done) & (MM_HUGE_SIZE - 1)) == 0 && ((pa + done) & (MM_HUGE_SIZE - 1)) == 0 &&
            size - done >= MM_HUGE_SIZE) {
            step = MM_HUGE_SIZE;
            err = mm_pt_map_huge(as, va + done, pa + done, flags);
        } else {
            step = MM_PAGE_SIZE;
            err = mm_pt_map(as, va + done, pa + done, flags);
        }
        if (err) {
            mm_pt_unmap_range(as, va, done);
            return err;
        }
        done += step;
    }
    return 0;
}

/* A page starting below the range (a 2 MiB page around its start) is not the range's. */
static bool starts_in_range(const struct walker *w, uintptr_t va)
{
    return (va & LINEAR_MASK) >= w->first;
}

static int protect_leaf(struct walker *w, uintptr_t va, uint64_t *e, int level)
{
    if (!starts_in_range(w, va))
        return -EINVAL;
    *e = (*e & (MM_PTE_ADDR | MM_PTE_OWNED | MM_PTE_PS)) | hw_flags(w->flags);
    return MM_PT_WALK_FLUSH;
}

int mm_pt_protect_range(struct mm_aspace *as, uintptr_t va, uint64_t size, uint64_t flags)
{
    flags &= ~MM_PTE_OWNED;
    if (flags & ~MM_PTE_FLAGS)
        return -EINVAL;
    struct walker w = { .leaf = protect_leaf, .flags = flags };
    return walk(as, va, va + size, &w);
}

static int unmap_leaf(struct walker *w, uintptr_t va, uint64_t *e, int level)
{
    if (!starts_in_range(w, va))
        return 0;
    uint64_t old = *e;
    *e = 0;
    mm_pt_free_leaf(w->as, old, level);
    w->count++;
    return MM_PT_WALK_FLUSH;
}

int mm_pt_unmap_range(struct mm_aspace *as, uintptr_t va, uint64_t size)
{
    struct walker w = { .leaf = unmap_leaf };
    walk(as, va, va + size, &w); /* cannot fail on a good range; a bad one unmaps nothing */
    return w.count;
}

int mm_pt_map_anon(struct mm_aspace *as, uintptr_t va, uint64_t size, uint64_t flags)
{
    if (size & (MM_PAGE_SIZE - 1))
        return -EINVAL;
    for (uint64_t done = 0; done < size; done += MM_PAGE_SIZE) {
        uint64_t pa;
        int err = mm_frame_alloc_zeroed(as->frames, &pa);
        if (err == 0) {
            err = mm_pt_map(as, va + done, pa, flags | MM_PTE_OWNED);
            if (err)
                mm_frame_free(as->frames, pa);
        }
        if (err) {
            mm_pt_unmap_range(as, va, done);
            return err;
        }
    }
    return 0;
}
