/*
 * uvm_fault.c - demand paging, copy-on-write, and copies between the kernel and
 * user memory (proc/uvm.h).
 *
 * Layer: libproc's memory layer. One routine, uvm_page_get(), backs a page: a
 * missing page gets a fresh zeroed frame; a shared frame that must be written
 * is copied (or, if its other users have gone, just made writable again). The
 * fault handler and the copy routines are thin checks around it: the VMAs say
 * what is allowed, the page tables only what is there.
 *
 * The copy routines never dereference a user address: they translate it in the
 * process's own page tables and copy through the physical window
 * (mm_phys_to_virt()), so they work whichever address space is active, with
 * SMAP on, and turn a bad pointer into -EFAULT.
 *
 * uvm_pin() backs and holds the pages of a user buffer for a device that reads
 * or writes them in place (direct I/O); uvm_unpin() lets go. Both take each
 * lock once per call, not once per page: a 1 MiB buffer is 256 pages, and a
 * lock round trip per page cost more than the device's transfer under TCG.
 *
 * Locking: none; the caller owns the uvm (proc/uvm.h, Locking).
 */
#include <k/errno.h>
#include <string.h>
#include "uvm_priv.h"

#define PAGE MM_PAGE_SIZE

/* The PTE bits that uvm decides (the rest are P, A, D, OWNED...). */
#define PTE_PERM (MM_PTE_U | MM_PTE_W | MM_PTE_NX)

int uvm_page_get(struct uvm *vm, const struct uvm_vma *v, uint64_t va, bool exclusive, uint64_t *pa)
{
    struct mm_frames *fa = vm->cfg.frames;
    uint64_t fl;
    if (mm_pt_translate(&vm->as, va, pa, &fl)) {
        if (mm_frame_alloc_zeroed(fa, pa))
            return -ENOMEM;
        int err = mm_pt_map(&vm->as, va, *pa, uvm_pte_flags(v->prot, true) | MM_PTE_OWNED);
        if (err) {
            mm_frame_free(fa, *pa);
            return err;
        }
        vm->resident++;
        vm->counter.zero_fills++;
        return 0;
    }
    bool shared = mm_frame_refcount(fa, *pa) > 1;
    if (exclusive && shared) {
        uint64_t copy;
        if (mm_frame_alloc(fa, &copy))
            return -ENOMEM;
        memcpy(mm_phys_to_virt(copy), mm_phys_to_virt(*pa), PAGE);
        /* In place: no table can be freed and reallocated in between, and the
         * old frame loses our reference only once the entry no longer reaches it. */
        int err = mm_pt_remap(&vm->as, va, copy, uvm_pte_flags(v->prot, true) | MM_PTE_OWNED, NULL);
        if (err) {
            mm_frame_free(fa, copy);
            return err;
        }
        vm->counter.cow_copies++;
        *pa = copy;
        return 0;
    }
    /* Present: bring the flags in line (write permission withheld by fork or
     * mprotect, or a TLB entry that was stale). */
    uint64_t want = uvm_pte_flags(v->prot, !shared);
    if ((fl & PTE_PERM) != want) {
        if ((want & MM_PTE_W) && !(fl & MM_PTE_W))
            vm->counter.write_enables++;
        mm_pt_protect(&vm->as, va, want);
    }
    return 0;
}

int uvm_fault(struct uvm *vm, uint64_t addr, bool write, bool exec)
{
    if (addr >= UVM_USER_TOP)
        return -EFAULT;
    const struct uvm_vma *v = uvm_find_vma(vm, addr);
    if (!v || !uvm_vma_readable(v))
        return -EFAULT;
    if ((write && !(v->prot & UVM_PROT_WRITE)) || (exec && !(v->prot & UVM_PROT_EXEC)))
        return -EFAULT;
    uint64_t pa;
    int err = uvm_page_get(vm, v, MM_ALIGN_DOWN(addr, PAGE), write, &pa);
    if (err == 0)
        vm->counter.faults++;
    return err;
}

/* What a copy needs from every VMA it touches. */
enum need { NEED_ANY, NEED_READ, NEED_WRITE };

static bool allows(const struct uvm_vma *v, enum need need)
{
    if (v->kind == UVM_VMA_GUARD)
        return false;
    if (need == NEED_READ)
        return uvm_vma_readable(v);
    if (need == NEED_WRITE)
        return (v->prot & UVM_PROT_WRITE) != 0;
    return true;
}

/* Does every byte of [addr, addr + n) lie in VMAs that allow @p need? */
static bool range_ok(struct uvm *vm, uint64_t addr, size_t n, enum need need)
{
    if (addr >= UVM_USER_TOP || n > UVM_USER_TOP - addr)
        return false;
    uint64_t end = addr + n;
    uint32_t i = uvm_vma_lower_bound(vm, addr);
    for (uint64_t pos = addr; pos < end; i++) {
        if (i == vm->nvmas || vm->vmas[i].start > pos || !allows(&vm->vmas[i], need))
            return false;
        pos = vm->vmas[i].end;
    }
    return true;
}

/* Copy @p src (NULL: zeros) to user memory already checked; pages backed as needed. */
static int write_user(struct uvm *vm, uint64_t uaddr, const uint8_t *src, size_t n)
{
    while (n) {
        uint64_t va = MM_ALIGN_DOWN(uaddr, PAGE), off = uaddr - va, pa;
        size_t chunk = PAGE - off < n ? PAGE - off : n;
        int err = uvm_page_get(vm, uvm_find_vma(vm, va), va, true, &pa);
        if (err)
            return err;
        uint8_t *dst = (uint8_t *)mm_phys_to_virt(pa) + off;
        if (src) {
            memcpy(dst, src, chunk);
            src += chunk;
        } else {
            memset(dst, 0, chunk);
        }
        uaddr += chunk;
        n -= chunk;
    }
    return 0;
}

int uvm_copy_out(struct uvm *vm, uint64_t uaddr, const void *src, size_t n)
{
    if (!range_ok(vm, uaddr, n, NEED_WRITE))
        return -EFAULT;
    return write_user(vm, uaddr, src, n);
}

int uvm_populate(struct uvm *vm, uint64_t addr, const void *src, size_t n)
{
    if (!range_ok(vm, addr, n, NEED_ANY))
        return -EFAULT;
    return write_user(vm, addr, src, n);
}

/* The bytes of the user page holding @p uaddr, or NULL for a page never touched (zeros). */
static const uint8_t *user_bytes(struct uvm *vm, uint64_t uaddr)
{
    uint64_t pa;
    if (mm_pt_translate(&vm->as, uaddr, &pa, NULL))
        return NULL;
    return mm_phys_to_virt(pa);
}

int uvm_copy_in(struct uvm *vm, void *dst, uint64_t uaddr, size_t n)
{
    if (!range_ok(vm, uaddr, n, NEED_READ))
        return -EFAULT;
    uint8_t *out = dst;
    while (n) {
        size_t chunk = PAGE - (uaddr & (PAGE - 1));
        if (chunk > n)
            chunk = n;
        const uint8_t *p = user_bytes(vm, uaddr);
        if (p)
            memcpy(out, p, chunk);
        else
            memset(out, 0, chunk);
        out += chunk;
        uaddr += chunk;
        n -= chunk;
    }
    return 0;
}

long uvm_strncpy_in(struct uvm *vm, char *dst, uint64_t uaddr, size_t max)
{
    size_t len = 0;
    while (len < max) {
        /* Only the pages up to the NUL must be readable: check one at a time. */
        if (!range_ok(vm, uaddr, 1, NEED_READ))
            return -EFAULT;
        size_t chunk = PAGE - (uaddr & (PAGE - 1));
        if (chunk > max - len)
            chunk = max - len;
        const uint8_t *p = user_bytes(vm, uaddr);
        if (!p) { /* a page never touched reads as zeros: the string ends here */
            dst[len] = '\0';
            return (long)len;
        }
        for (size_t i = 0; i < chunk; i++) {
            dst[len] = (char)p[i];
            if (p[i] == '\0')
                return (long)len;
            len++;
        }
        uaddr += chunk;
    }
    return -ENAMETOOLONG;
}

/* ---- Pinning for direct I/O ---- */

long uvm_pin(struct uvm *vm, uint64_t addr, size_t n, bool device_writes, uint64_t *frames,
             size_t max)
{
    if (n == 0 || !range_ok(vm, addr, n, device_writes ? NEED_WRITE : NEED_READ))
        return -EFAULT;
    uint64_t first = MM_ALIGN_DOWN(addr, PAGE);
    size_t pages = (size_t)((addr + n - first + PAGE - 1) / PAGE);
    if (pages > max)
        return -E2BIG;
    /* One call reads every entry (frames[] holds them meanwhile). A page
     * that is present, a user page and, for a device write, writable is
     * usable as it is: write permission is only ever given to a frame the
     * process has alone (copy-on-write withholds it). The rest are backed
     * one by one, as a fault would. */
    if (mm_pt_read_range(&vm->as, first, pages, frames))
        memset(frames, 0, pages * sizeof(*frames)); /* no use: all the slow way */
    uint64_t need = MM_PTE_P | MM_PTE_U | (device_writes ? MM_PTE_W : 0);
    const struct uvm_vma *v = NULL;
    for (size_t i = 0; i < pages; i++) {
        if ((frames[i] & need) == need) {
            frames[i] &= MM_PTE_ADDR;
            continue;
        }
        uint64_t va = first + i * PAGE;
        if (!v || va >= v->end)
            v = uvm_find_vma(vm, va);
        /* A device write needs the frame ours alone, as a CPU write would. */
        int err = uvm_page_get(vm, v, va, device_writes, &frames[i]);
        if (err)
            return err; /* nothing pinned yet; pages backed so far stay */
    }
    int err = mm_frame_ref_many(vm->cfg.frames, frames, pages);
    return err ? err : (long)pages;
}

void uvm_unpin(struct uvm *vm, const uint64_t *frames, size_t count)
{
    mm_frame_unref_many(vm->cfg.frames, frames, count);
}

int uvm_share_frame(struct uvm *vm, uint64_t va, uint64_t pa)
{
    if ((va & (PAGE - 1)) || (pa & (PAGE - 1)))
        return -EINVAL;
    const struct uvm_vma *v = va < UVM_USER_TOP ? uvm_find_vma(vm, va) : NULL;
    if (!v || v->kind == UVM_VMA_GUARD)
        return -EFAULT;
    uint64_t old;
    if (mm_pt_translate(&vm->as, va, &old, NULL) == 0)
        return -EEXIST;
    struct mm_frames *fa = vm->cfg.frames;
    int err = mm_frame_ref(fa, pa);
    if (err)
        return err;
    err = mm_pt_map(&vm->as, va, pa, uvm_pte_flags(v->prot, false) | MM_PTE_OWNED);
    if (err) {
        mm_frame_unref(fa, pa);
        return err;
    }
    vm->resident++;
    return 0;
}
