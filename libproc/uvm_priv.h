/*
 * uvm_priv.h - helpers shared by uvm.c, uvm_vma.c and uvm_fault.c (private to libproc).
 *
 * The VMA array: sorted by start, non-overlapping, every entry non-empty, and
 * canonical (no two adjacent entries with the same prot and kind). The
 * functions that change it need free slots: uvm_vma_reserve() first, so that an
 * operation either fails before changing anything or cannot fail at all.
 */
#ifndef PROC_UVM_PRIV_H
#define PROC_UVM_PRIV_H

#include <proc/uvm.h>
#include <mm/phys.h>

/* The hardware flags of a user page with protection @p prot. @p exclusive: the
 * frame is not shared, so it may be writable. */
static inline uint64_t uvm_pte_flags(uint32_t prot, bool exclusive)
{
    uint64_t f = 0;
    if (prot != UVM_PROT_NONE)
        f |= MM_PTE_U;
    if ((prot & UVM_PROT_WRITE) && exclusive)
        f |= MM_PTE_W;
    if (!(prot & UVM_PROT_EXEC))
        f |= MM_PTE_NX;
    return f;
}

/* Can the process read (and the kernel copy from) a VMA of this kind and prot? */
static inline bool uvm_vma_readable(const struct uvm_vma *v)
{
    return v->kind != UVM_VMA_GUARD && v->prot != UVM_PROT_NONE;
}

/* Make room for @p extra more VMAs. 0 or -ENOMEM (nothing changed). */
int uvm_vma_reserve(struct uvm *vm, uint32_t extra);

/* Index of the first VMA that ends above @p addr (nvmas if none). */
uint32_t uvm_vma_lower_bound(const struct uvm *vm, uint64_t addr);

/* Split the VMA straddling @p addr, if any, in two at @p addr. Needs a reserved slot. */
void uvm_vma_split(struct uvm *vm, uint64_t addr);

/* Add [start, end) (free) as a VMA, merged with equal neighbours. Needs a reserved slot. */
void uvm_vma_add(struct uvm *vm, uint64_t start, uint64_t end, uint32_t prot, uint32_t kind);

/* Remove every VMA inside [start, end) except guard gaps (the ends must be split). */
void uvm_vma_remove(struct uvm *vm, uint64_t start, uint64_t end);

/* Merge equal neighbours among the VMAs touching [start, end]. */
void uvm_vma_merge(struct uvm *vm, uint64_t start, uint64_t end);

/* Is no VMA (guard gaps included) in [start, end)? */
bool uvm_vma_range_free(const struct uvm *vm, uint64_t start, uint64_t end);

/* The highest free range of @p len bytes inside [lo, hi): 0 and its start, or -ENOMEM. */
int uvm_vma_find_gap(const struct uvm *vm, uint64_t len, uint64_t lo, uint64_t hi, uint64_t *out);

/*
 * Make the page at @p va (page aligned, inside @p v, not a guard gap) present,
 * allocating a zeroed frame if needed; with @p exclusive, also make its frame
 * ours alone (copy-on-write break). Returns 0 and the frame in @p pa, or -ENOMEM.
 */
int uvm_page_get(struct uvm *vm, const struct uvm_vma *v, uint64_t va, bool exclusive,
                 uint64_t *pa);

#endif
