/*
 * uvm_vma.c - the VMA array of a user address space (proc/uvm.h, uvm_priv.h).
 *
 * Layer: bookkeeping only; no page tables here. A struct uvm keeps its VMAs in
 * one array sorted by start address: lookups are binary searches, insertions
 * and removals memmove the tail. The array is canonical (adjacent VMAs with the
 * same prot and kind are merged), so two address spaces with the same pages
 * have the same array, which the tests rely on.
 *
 * Interface: uvm_vma_reserve() before any change that adds entries, then
 * uvm_vma_split/add/remove/merge; lookups uvm_find_vma(), uvm_vma_lower_bound(),
 * uvm_vma_range_free(), uvm_vma_find_gap().
 * Memory: the array comes from cfg.alloc and grows by doubling.
 * Locking: the caller owns the uvm (proc/uvm.h, Locking); the array is
 * replaced only after the uvm points to its successor.
 */
#include <k/errno.h>
#include <string.h>
#include "uvm_priv.h"

int uvm_vma_reserve(struct uvm *vm, uint32_t extra)
{
    uint64_t need = (uint64_t)vm->nvmas + extra;
    if (need <= vm->cap)
        return 0;
    if (need > UVM_MAX_VMAS)
        return -ENOMEM;
    uint64_t cap = vm->cap ? vm->cap : 8;
    while (cap < need)
        cap *= 2;
    if (cap > UVM_MAX_VMAS)
        cap = UVM_MAX_VMAS;
    struct uvm_vma *a = vm->cfg.alloc(cap * sizeof(*a));
    if (!a)
        return -ENOMEM;
    struct uvm_vma *old = vm->vmas;
    if (old)
        memcpy(a, old, vm->nvmas * sizeof(*a));
    /* Publish the new array before freeing the old: a /proc reader may run
     * at any preemption point (uvm.h, Locking). */
    vm->vmas = a;
    vm->cap = (uint32_t)cap;
    if (old)
        vm->cfg.free(old);
    return 0;
}

uint32_t uvm_vma_lower_bound(const struct uvm *vm, uint64_t addr)
{
    uint32_t lo = 0, hi = vm->nvmas;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (vm->vmas[mid].end > addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

const struct uvm_vma *uvm_find_vma(struct uvm *vm, uint64_t addr)
{
    uint32_t i = uvm_vma_lower_bound(vm, addr);
    if (i < vm->nvmas && vm->vmas[i].start <= addr)
        return &vm->vmas[i];
    return NULL;
}

static void insert_at(struct uvm *vm, uint32_t i, const struct uvm_vma *v)
{
    memmove(&vm->vmas[i + 1], &vm->vmas[i], (vm->nvmas - i) * sizeof(*v));
    vm->vmas[i] = *v;
    vm->nvmas++;
}

void uvm_vma_split(struct uvm *vm, uint64_t addr)
{
    uint32_t i = uvm_vma_lower_bound(vm, addr);
    if (i == vm->nvmas || vm->vmas[i].start >= addr)
        return;
    struct uvm_vma upper = vm->vmas[i];
    upper.start = addr;
    vm->vmas[i].end = addr;
    insert_at(vm, i + 1, &upper);
}

void uvm_vma_add(struct uvm *vm, uint64_t start, uint64_t end, uint32_t prot, uint32_t kind)
{
    struct uvm_vma v = { start, end, prot, kind };
    insert_at(vm, uvm_vma_lower_bound(vm, start), &v);
    uvm_vma_merge(vm, start, end);
}

void uvm_vma_remove(struct uvm *vm, uint64_t start, uint64_t end)
{
    if (vm->nvmas == 0)
        return; /* the array may not exist yet */
    uint32_t i = uvm_vma_lower_bound(vm, start), j = i, k = i;
    for (; j < vm->nvmas && vm->vmas[j].start < end; j++)
        if (vm->vmas[j].kind == UVM_VMA_GUARD)
            vm->vmas[k++] = vm->vmas[j];
    memmove(&vm->vmas[k], &vm->vmas[j], (vm->nvmas - j) * sizeof(vm->vmas[0]));
    vm->nvmas -= j - k;
}

static bool mergeable(const struct uvm_vma *a, const struct uvm_vma *b)
{
    return a->end == b->start && a->prot == b->prot && a->kind == b->kind;
}

void uvm_vma_merge(struct uvm *vm, uint64_t start, uint64_t end)
{
    uint32_t i = uvm_vma_lower_bound(vm, start);
    if (i > 0)
        i--; /* the one ending at start */
    /* Entries that start at or before end can touch the range. */
    while (i + 1 < vm->nvmas && vm->vmas[i].start <= end) {
        if (mergeable(&vm->vmas[i], &vm->vmas[i + 1])) {
            vm->vmas[i].end = vm->vmas[i + 1].end;
            memmove(&vm->vmas[i + 1], &vm->vmas[i + 2], (vm->nvmas - i - 2) * sizeof(vm->vmas[0]));
            vm->nvmas--;
        } else {
            i++;
        }
    }
}

bool uvm_vma_range_free(const struct uvm *vm, uint64_t start, uint64_t end)
{
    uint32_t i = uvm_vma_lower_bound(vm, start);
    return i == vm->nvmas || vm->vmas[i].start >= end;
}

int uvm_vma_find_gap(const struct uvm *vm, uint64_t len, uint64_t lo, uint64_t hi, uint64_t *out)
{
    /* Gap i lies between VMA i - 1 and VMA i; walk them from the top down. */
    for (uint32_t i = uvm_vma_lower_bound(vm, hi) + 1; i-- > 0;) {
        uint64_t g_lo = i > 0 ? vm->vmas[i - 1].end : 0;
        uint64_t g_hi = i < vm->nvmas ? vm->vmas[i].start : hi;
        if (g_lo < lo)
            g_lo = lo;
        if (g_hi > hi)
            g_hi = hi;
        if (g_hi > g_lo && g_hi - g_lo >= len) {
            *out = g_hi - len;
            return 0;
        }
        if (g_lo == lo)
            break; /* every lower gap is below lo */
    }
    return -ENOMEM;
}
