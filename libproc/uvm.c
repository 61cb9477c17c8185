/*
 * uvm.c - user address spaces: create, mmap, munmap, mprotect, brk, stacks,
 * fork (proc/uvm.h).
 *
 * Layer: libproc's memory layer, above libmm's page tables (mm/vm.h) and frame
 * reference counts (mm/frame.h). This file changes the VMA array (uvm_vma.c)
 * and keeps the page tables consistent with it: munmap unmaps the pages, mprotect
 * rewrites their flags, fork shares them. Pages are backed later, on demand
 * (uvm_fault.c).
 *
 * Costs: every page-table pass here is a libmm range walk (mm_pt_walk(),
 * mm_pt_unmap_range(), mm_pt_protect_range()) that visits only the tables and
 * pages present, so fork, munmap, mprotect and brk cost O(VMAs + tables +
 * resident pages), never O(virtual size); destroy frees the tables that exist
 * (mm_aspace_destroy()) and stats reads counters.
 *
 * Every operation that can fail does so before it changes anything: arguments
 * are checked and VMA slots reserved first. The one exception is fork, which
 * builds a new address space and destroys it again on failure.
 *
 * Locking: none; the caller owns the uvm (proc/uvm.h, Locking).
 */
#include <k/errno.h>
#include <string.h>
#include "uvm_priv.h"

#define PAGE MM_PAGE_SIZE

/* Round @p len up to pages; false if it is 0 or does not fit below UVM_USER_TOP. */
static bool page_len(uint64_t len, uint64_t *out)
{
    if (len == 0 || len > UVM_USER_TOP)
        return false;
    *out = MM_ALIGN_UP(len, PAGE);
    return true;
}

static int check_prot(int prot)
{
    if (prot & ~(UVM_PROT_READ | UVM_PROT_WRITE | UVM_PROT_EXEC))
        return -EINVAL;
    if ((prot & UVM_PROT_WRITE) && (prot & UVM_PROT_EXEC))
        return -EACCES; /* W^X */
    return 0;
}

int uvm_create(struct uvm *vm, const struct uvm_config *cfg)
{
    if (!cfg->kernel || !cfg->alloc || !cfg->free)
        return -EINVAL;
    if (cfg->frames && cfg->frames != cfg->kernel->frames)
        return -EINVAL;
    memset(vm, 0, sizeof(*vm));
    vm->cfg = *cfg;
    vm->cfg.frames = cfg->kernel->frames;
    vm->mmap_base = UVM_MMAP_BASE;
    return mm_aspace_create(&vm->as, cfg->kernel);
}

void uvm_destroy(struct uvm *vm)
{
    /* Every user page is MM_PTE_OWNED: this drops one reference per frame. */
    mm_aspace_destroy(&vm->as);
    /* Empty before the free: a /proc reader may run at any preemption point. */
    struct uvm_vma *vmas = vm->vmas;
    vm->vmas = NULL;
    vm->nvmas = vm->cap = 0;
    vm->resident = 0;
    if (vmas)
        vm->cfg.free(vmas);
}

struct mm_aspace *uvm_aspace(struct uvm *vm)
{
    return &vm->as;
}

/* Is any guard gap inside [start, end)? */
static bool overlaps_guard(const struct uvm *vm, uint64_t start, uint64_t end)
{
    for (uint32_t i = uvm_vma_lower_bound(vm, start); i < vm->nvmas && vm->vmas[i].start < end; i++)
        if (vm->vmas[i].kind == UVM_VMA_GUARD)
            return true;
    return false;
}

/* VMA slots that splitting at @p start and @p end takes: one per VMA straddling either. */
static uint32_t splits(const struct uvm *vm, uint64_t start, uint64_t end)
{
    uint32_t n = 0, i = uvm_vma_lower_bound(vm, start), j = uvm_vma_lower_bound(vm, end);
    if (i < vm->nvmas && vm->vmas[i].start < start)
        n++;
    if (j < vm->nvmas && vm->vmas[j].start < end)
        n++;
    return n;
}

/* Unmap [start, end) (checked, splits() slots reserved): pages, then VMAs. */
static void unmap_range(struct uvm *vm, uint64_t start, uint64_t end)
{
    uvm_vma_split(vm, start);
    uvm_vma_split(vm, end);
    uvm_vma_remove(vm, start, end);
    uvm_vma_merge(vm, start, end); /* guard gaps split above join up again */
    vm->resident -= (uint64_t)mm_pt_unmap_range(&vm->as, start, end - start);
}

int uvm_map(struct uvm *vm, uint64_t addr, uint64_t len, int prot, int flags, uint64_t *out)
{
    if ((flags & ~UVM_MAP_FIXED) || len == 0)
        return -EINVAL;
    int err = check_prot(prot);
    if (err)
        return err;
    if (!page_len(len, &len))
        return -ENOMEM;
    if (flags & UVM_MAP_FIXED) {
        if (addr & (PAGE - 1))
            return -EINVAL;
        if (addr < UVM_USER_MIN)
            return -EPERM;
        if (addr > UVM_USER_TOP - len)
            return -ENOMEM;
        if (overlaps_guard(vm, addr, addr + len))
            return -ENOMEM;
        /* The new VMA takes the slot of one it replaces, if any. */
        bool replaces = !uvm_vma_range_free(vm, addr, addr + len);
        if ((err = uvm_vma_reserve(vm, splits(vm, addr, addr + len) + !replaces)))
            return err;
        unmap_range(vm, addr, addr + len);
    } else {
        if ((err = uvm_vma_reserve(vm, 1)))
            return err;
        uint64_t hint = MM_ALIGN_UP(addr, PAGE);
        if (hint < UVM_USER_MIN || hint > UVM_USER_TOP - len ||
            !uvm_vma_range_free(vm, hint, hint + len)) {
            if (uvm_vma_find_gap(vm, len, UVM_USER_MIN, vm->mmap_base, &hint) &&
                uvm_vma_find_gap(vm, len, UVM_USER_MIN, UVM_USER_TOP, &hint))
                return -ENOMEM;
        }
        addr = hint;
    }
    uvm_vma_add(vm, addr, addr + len, (uint32_t)prot, UVM_VMA_ANON);
    *out = addr;
    return 0;
}

int uvm_map_stack(struct uvm *vm, uint64_t top, uint64_t size, uint64_t guard, uint64_t *low)
{
    if ((top & (PAGE - 1)) || top > UVM_USER_TOP || !page_len(size, &size) || guard > UVM_USER_TOP)
        return -EINVAL;
    guard = MM_ALIGN_UP(guard, PAGE);
    if (top < UVM_USER_MIN + size + guard)
        return -EINVAL;
    uint64_t bottom = top - size, gap = bottom - guard;
    if (!uvm_vma_range_free(vm, gap, top))
        return -EEXIST;
    int err = uvm_vma_reserve(vm, 2);
    if (err)
        return err;
    uvm_vma_add(vm, bottom, top, UVM_PROT_READ | UVM_PROT_WRITE, UVM_VMA_STACK);
    if (guard)
        uvm_vma_add(vm, gap, bottom, UVM_PROT_NONE, UVM_VMA_GUARD);
    *low = bottom;
    return 0;
}

int uvm_unmap(struct uvm *vm, uint64_t addr, uint64_t len)
{
    if ((addr & (PAGE - 1)) || !page_len(len, &len) || addr > UVM_USER_TOP - len)
        return -EINVAL;
    int err = uvm_vma_reserve(vm, splits(vm, addr, addr + len));
    if (err)
        return err;
    unmap_range(vm, addr, addr + len);
    return 0;
}

/* Is every page of [start, end) in a VMA other than a guard gap? */
static bool range_mapped(const struct uvm *vm, uint64_t start, uint64_t end)
{
    uint32_t i = uvm_vma_lower_bound(vm, start);
    for (uint64_t pos = start; pos < end; i++) {
        if (i == vm->nvmas || vm->vmas[i].start > pos || vm->vmas[i].kind == UVM_VMA_GUARD)
            return false;
        pos = vm->vmas[i].end;
    }
    return true;
}

int uvm_discard(struct uvm *vm, uint64_t addr, uint64_t len)
{
    if ((addr & (PAGE - 1)) || addr > UVM_USER_TOP)
        return -EINVAL;
    if (len == 0)
        return 0;
    if (!page_len(len, &len) || addr > UVM_USER_TOP - len)
        return -EINVAL;
    if (!range_mapped(vm, addr, addr + len))
        return -ENOMEM;
    vm->resident -= (uint64_t)mm_pt_unmap_range(&vm->as, addr, len);
    return 0;
}

int uvm_protect(struct uvm *vm, uint64_t addr, uint64_t len, int prot)
{
    if (addr & (PAGE - 1))
        return -EINVAL;
    int err = check_prot(prot);
    if (err)
        return err;
    if (len == 0)
        return 0;
    if (!page_len(len, &len) || addr > UVM_USER_TOP - len)
        return -EINVAL;
    uint64_t end = addr + len;
    if (!range_mapped(vm, addr, end))
        return -ENOMEM;
    if ((err = uvm_vma_reserve(vm, splits(vm, addr, end))))
        return err;
    uvm_vma_split(vm, addr);
    uvm_vma_split(vm, end);
    for (uint32_t i = uvm_vma_lower_bound(vm, addr); i < vm->nvmas && vm->vmas[i].start < end; i++)
        vm->vmas[i].prot = (uint32_t)prot;
    uvm_vma_merge(vm, addr, end);
    /*
     * Present pages get the new flags without write permission, whatever prot
     * says: whether a frame may be written depends on whether it is shared, and
     * the first write fault settles that page by page (uvm_page_get()). So this
     * is one walk of the tables that exist, with no frame lookups.
     */
    mm_pt_protect_range(&vm->as, addr, len, uvm_pte_flags((uint32_t)prot, false));
    return 0;
}

int uvm_set_brk_base(struct uvm *vm, uint64_t base)
{
    if (base > UVM_USER_TOP)
        return -EINVAL;
    if (vm->brk != vm->brk_base)
        return -EBUSY;
    vm->brk_base = vm->brk = MM_ALIGN_UP(base, PAGE);
    return 0;
}

uint64_t uvm_brk(struct uvm *vm, uint64_t newbrk)
{
    if (vm->brk_base == 0 || newbrk < vm->brk_base || newbrk > UVM_USER_TOP)
        return vm->brk;
    uint64_t old_end = MM_ALIGN_UP(vm->brk, PAGE), new_end = MM_ALIGN_UP(newbrk, PAGE);
    if (new_end > old_end) {
        if (!uvm_vma_range_free(vm, old_end, new_end) || uvm_vma_reserve(vm, 1))
            return vm->brk;
        uvm_vma_add(vm, old_end, new_end, UVM_PROT_READ | UVM_PROT_WRITE, UVM_VMA_HEAP);
    } else if (new_end < old_end) {
        if (uvm_vma_reserve(vm, splits(vm, new_end, old_end)))
            return vm->brk;
        unmap_range(vm, new_end, old_end);
    }
    vm->brk = newbrk;
    return newbrk;
}

/* What fork_pte() needs: both sides and the VMA being walked. */
struct fork_walk {
    struct uvm *child;
    struct uvm *parent;
    const struct uvm_vma *v;
};

/*
 * mm_pt_walk() callback over the parent's present pages of one VMA: share the
 * page with the child (or, at the reference limit, give it a copy) and take
 * write permission away from the parent's entry. Pages never touched are not
 * visited: they stay demand-zero in both. Runs under the parent's page-table
 * lock and maps into the child (lock order: parent, then its new child).
 */
static int fork_pte(void *ctx, uintptr_t va, uint64_t *pte)
{
    struct fork_walk *f = ctx;
    struct mm_frames *fa = f->parent->cfg.frames;
    uint64_t pa = *pte & MM_PTE_ADDR;
    int err = mm_frame_ref(fa, pa);
    if (err == -EOVERFLOW) {
        uint64_t copy;
        if (mm_frame_alloc(fa, &copy))
            return -ENOMEM;
        memcpy(mm_phys_to_virt(copy), mm_phys_to_virt(pa), PAGE);
        err = mm_pt_map(&f->child->as, va, copy, uvm_pte_flags(f->v->prot, true) | MM_PTE_OWNED);
        if (err) {
            mm_frame_free(fa, copy);
            return err;
        }
        f->child->resident++;
        return 0;
    }
    if (err)
        return err;
    err = mm_pt_map(&f->child->as, va, pa, uvm_pte_flags(f->v->prot, false) | MM_PTE_OWNED);
    if (err) {
        mm_frame_unref(fa, pa);
        return err;
    }
    f->child->resident++;
    if (!(*pte & MM_PTE_W))
        return 0;
    /* The rest of the entry already matches the VMA; only W goes (libmm has
     * dropped NX on CPUs without it, so do not rebuild the entry). */
    *pte &= ~MM_PTE_W;
    return MM_PT_WALK_FLUSH;
}

int uvm_fork(struct uvm *child, struct uvm *parent)
{
    int err = uvm_create(child, &parent->cfg);
    if (err)
        return err;
    if ((err = uvm_vma_reserve(child, parent->nvmas)))
        goto fail;
    memcpy(child->vmas, parent->vmas, parent->nvmas * sizeof(parent->vmas[0]));
    child->nvmas = parent->nvmas;
    child->brk_base = parent->brk_base;
    child->brk = parent->brk;
    child->mmap_base = parent->mmap_base;
    /* One walk per VMA over the tables that exist: O(VMAs + tables + resident pages). */
    for (uint32_t i = 0; i < parent->nvmas; i++) {
        const struct uvm_vma *v = &parent->vmas[i];
        if (v->kind == UVM_VMA_GUARD)
            continue;
        struct fork_walk f = { child, parent, v };
        if ((err = mm_pt_walk(&parent->as, v->start, v->end, fork_pte, &f)) < 0)
            goto fail;
    }
    return 0;
fail:
    uvm_destroy(child);
    return err;
}

struct shared_count {
    struct mm_frames *frames;
    uint64_t n;
};

/* mm_pt_walk() callback: count a page whose frame has other references. */
static int count_shared(void *ctx, uintptr_t va, uint64_t *pte)
{
    (void)va;
    struct shared_count *c = ctx;
    if (mm_frame_refcount(c->frames, *pte & MM_PTE_ADDR) > 1)
        c->n++;
    return 0;
}

uint64_t uvm_shared_pages(struct uvm *vm)
{
    struct shared_count c = { vm->cfg.frames, 0 };
    return mm_pt_walk(&vm->as, 0, UVM_USER_TOP, count_shared, &c) ? 0 : c.n;
}

void uvm_stats(struct uvm *vm, struct uvm_stats *st)
{
    *st = vm->counter;
    st->resident_pages = vm->resident;
    st->vmas = vm->nvmas;
    st->mapped_bytes = 0;
    for (uint32_t i = 0; i < vm->nvmas; i++)
        if (vm->vmas[i].kind != UVM_VMA_GUARD)
            st->mapped_bytes += vm->vmas[i].end - vm->vmas[i].start;
    st->table_frames = mm_aspace_table_frames(&vm->as);
    st->brk_base = vm->brk_base;
    st->brk = vm->brk;
}
