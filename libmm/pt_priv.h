/*
 * pt_priv.h - page-table helpers shared by pt.c and aspace.c (private to libmm).
 */
#ifndef MM_PT_PRIV_H
#define MM_PT_PRIV_H

#include <mm/phys.h>
#include <mm/vm.h>

/* The table at physical address @p pa (any flag bits in @p pa are ignored). */
static inline uint64_t *mm_pt_table(uint64_t pa)
{
    return mm_phys_to_virt(pa & MM_PTE_ADDR);
}

/* Index of @p va in a table of @p level (4 = PML4 ... 1 = PT). */
static inline unsigned mm_pt_index(uintptr_t va, int level)
{
    return (unsigned)(va >> (MM_PAGE_SHIFT + 9 * (level - 1))) & (MM_PT_ENTRIES - 1);
}

/* Bytes mapped by one entry of a table of @p level. */
static inline uint64_t mm_pt_span(int level)
{
    return 1ull << (MM_PAGE_SHIFT + 9 * (level - 1));
}

/* Free the frames a leaf entry at @p level owns (if MM_PTE_OWNED). */
void mm_pt_free_leaf(struct mm_aspace *as, uint64_t entry, int level);

#endif
