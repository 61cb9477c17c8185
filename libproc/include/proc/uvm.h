/**
 * @file proc/uvm.h
 * @brief The user address space of a process: VMAs, demand paging, brk,
 * copy-on-write fork, and safe copies between the kernel and user memory.
 *
 * A @ref uvm is an address space (<mm/vm.h>: the user half private, the kernel
 * half shared) plus a sorted array of VMAs, the ranges the process may touch
 * and how. Every mapping is private and anonymous: zero-filled and backed on
 * demand, one 4 KiB frame at a time, when the process first touches a page
 * (uvm_fault()) or the kernel writes into it (uvm_copy_out(), uvm_populate()).
 *
 * Semantics follow Linux (mmap, munmap, mprotect, brk) with these choices:
 * - **W^X**: a mapping or mprotect asking for both UVM_PROT_WRITE and
 *   UVM_PROT_EXEC fails with -EACCES (Linux allows it; we do not).
 * - **Readable** means any of READ, WRITE, EXEC: x86 pages cannot be write- or
 *   execute-only, so the process itself can read such a page, and
 *   uvm_copy_in() agrees with the hardware. UVM_PROT_NONE is not readable.
 * - mprotect is all or nothing: if part of the range is unmapped, nothing changes.
 * - Guard gaps (uvm_map_stack()) are reserved, not mapped: any access faults,
 *   uvm_map() never places a mapping there (hint or not: a fixed mapping over a
 *   gap fails with -ENOMEM), brk never grows into one, and munmap leaves them.
 *   They last as long as the @ref uvm.
 * - Adjacent VMAs with the same protection and kind are merged, so the VMA list
 *   is canonical: its run-length encoding of the pages.
 *
 * Page-table entries: every present user page has MM_PTE_U (except under
 * PROT_NONE, where the page stays but loses U, so ring 3 faults), MM_PTE_NX
 * unless PROT_EXEC, MM_PTE_W only if PROT_WRITE and the frame is not shared,
 * and MM_PTE_OWNED: frames are reference-counted (<mm/frame.h>), so unmapping
 * or destroying drops one reference and the last one frees the frame.
 *
 * Copy-on-write: uvm_fork() shares every present page between parent and child
 * (one more reference) and removes write permission from both PTEs. A write
 * fault on such a page copies it into a fresh frame, or, when the other side
 * has already let go (one reference left), makes the PTE writable again.
 *
 * The kernel never dereferences a user address: uvm_copy_in/out,
 * uvm_strncpy_in and uvm_populate check the VMAs, walk this address space's
 * page tables (mm_pt_translate) and copy through the direct map
 * (mm_phys_to_virt). A bad user pointer is -EFAULT, never a kernel fault, and
 * this works with SMAP on and whichever address space is active.
 *
 * Costs: VMA lookups are binary searches. uvm_fork(), munmap, mprotect and brk
 * walk only the page tables that exist and the pages present in them
 * (mm_pt_walk()), so they cost O(VMAs + tables + resident pages), not
 * O(virtual size): an 8 MiB stack with three pages touched costs three pages.
 * uvm_destroy() frees the tables that exist; uvm_stats() reads counters.
 *
 * Memory: the VMA array comes from @ref uvm_config::alloc (24 bytes per VMA,
 * grown by doubling, at most UVM_MAX_VMAS); page tables and user pages come
 * from the frame allocator. uvm_destroy() returns all of them.
 *
 * Locking: none inside; there is no vm lock. A process's uvm is changed only by
 * its own thread (one per process; exec builds the new one there too), by its
 * parent while fork builds it, or by its reaper, under the big kernel lock
 * (arch/bkl.h). Others read it only through uvm_stats(), with interrupts off
 * (procfs), which may run at any point where the owner is preempted: so the
 * VMA array is replaced or dropped only after the uvm no longer points to it,
 * and what they read is a snapshot of counters. The page tables are guarded
 * by the address space's own spinlock (mm/vm.h). User mappings need no
 * shootdown on other CPUs: one thread runs the process, on one CPU at a time,
 * and every switch to it reloads CR3 (proc.c), which drops other CPUs' old
 * entries when they switched away.
 */
#ifndef PROC_UVM_H
#define PROC_UVM_H

#include <mm/frame.h>
#include <mm/vm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @name Protection bits (Linux PROT_* values) */
/** @{ */
#define UVM_PROT_NONE  0 /**< No access. */
#define UVM_PROT_READ  1 /**< Readable. */
#define UVM_PROT_WRITE 2 /**< Writable (implies readable on x86). */
#define UVM_PROT_EXEC  4 /**< Executable (implies readable on x86). */
/** @} */

/** MAP_FIXED semantics: map exactly at the address, replacing what is there. */
#define UVM_MAP_FIXED 0x10

/** Highest user address + 1 handed out (the last user page stays unmapped, as on Linux). */
#define UVM_USER_TOP 0x00007ffffffff000ull
/** Lowest address a mapping may start at (Linux's default mmap_min_addr): NULL + 64 KiB fault. */
#define UVM_USER_MIN 0x10000ull
/** Default top of the area where mappings without a usable hint go (downwards). */
#define UVM_MMAP_BASE 0x00007f0000000000ull
/** Most VMAs one address space may have (Linux's default max_map_count is 65530). */
#define UVM_MAX_VMAS 65536u

/** @name VMA kinds: what created the range (VMAs of different kinds never merge) */
/** @{ */
#define UVM_VMA_ANON  0 /**< uvm_map(). */
#define UVM_VMA_HEAP  1 /**< Grown by uvm_brk(). */
#define UVM_VMA_STACK 2 /**< uvm_map_stack(). */
#define UVM_VMA_GUARD 3 /**< A guard gap: reserved, never mapped, every access faults. */
/** @} */

/** @brief What an address space is built from (the caller keeps it; it is copied). */
struct uvm_config {
    struct mm_frames *frames;       /**< Frames for tables and pages (NULL: the kernel's). */
    const struct mm_aspace *kernel; /**< The kernel address space whose upper half is shared. */
    void *(*alloc)(size_t);         /**< Allocates the VMA array (kmalloc in the kernel). */
    void (*free)(void *);           /**< Frees what @ref alloc returned. */
};

/** @brief One virtual memory area: [start, end), page aligned, non-empty. */
struct uvm_vma {
    uint64_t start; /**< First byte. */
    uint64_t end;   /**< One past the last byte. */
    uint32_t prot;  /**< UVM_PROT_* bits. */
    uint32_t kind;  /**< UVM_VMA_*. */
};

/** @brief Counters of a @ref uvm (see uvm_stats()). */
struct uvm_stats {
    uint64_t resident_pages; /**< User pages backed by a frame (shared ones included). */
    uint64_t mapped_bytes;   /**< Total size of the VMAs, guard gaps excluded. */
    uint64_t vmas;           /**< VMAs, guard gaps included. */
    uint64_t table_frames;   /**< Page-table frames of the address space (PML4 included). */
    uint64_t brk_base;       /**< Start of the heap (uvm_set_brk_base()). */
    uint64_t brk;            /**< Current program break. */
    uint64_t faults;         /**< Faults handled by uvm_fault() that resolved. */
    uint64_t zero_fills;     /**< Pages backed with a fresh zeroed frame. */
    uint64_t cow_copies;     /**< Copy-on-write breaks that copied a frame. */
    uint64_t write_enables;  /**< Writes that found the frame unshared and only made its PTE
                                  writable (after the other side of a fork let go, or after
                                  mprotect added write permission). */
};

/**
 * @brief A user address space. Embed it anywhere; the fields are private to
 * uvm (read them through uvm_stats() and uvm_aspace()).
 */
struct uvm {
    struct mm_aspace as;      /**< The page tables (CR3). */
    struct uvm_config cfg;    /**< Copied from uvm_create(). */
    struct uvm_vma *vmas;     /**< Sorted by start, non-overlapping, merged. */
    uint32_t nvmas;           /**< Entries used in @ref vmas. */
    uint32_t cap;             /**< Entries allocated in @ref vmas. */
    uint64_t brk_base;        /**< Heap start (page aligned); 0 until set. */
    uint64_t brk;             /**< Program break (byte granular, as Linux keeps it). */
    uint64_t mmap_base;       /**< Mappings without a usable hint go below this first. */
    uint64_t resident;        /**< Present user pages. */
    struct uvm_stats counter; /**< Event counters (faults, zero_fills, cow_*). */
};

/**
 * @brief Create an empty address space.
 * @param vm  the address space to initialise
 * @param cfg frames, kernel address space and VMA allocator (copied)
 * @return 0; -EINVAL if @c cfg->frames is neither NULL nor the kernel space's
 *         allocator, or an allocator hook is missing; -ENOMEM
 */
int uvm_create(struct uvm *vm, const struct uvm_config *cfg);

/**
 * @brief Destroy an address space: drop a reference to every user frame (the
 * last reference frees it), free the user-half page tables and the VMA array.
 * It must not be the active address space. Safe on a zeroed or destroyed one.
 * @param vm the address space
 */
void uvm_destroy(struct uvm *vm);

/**
 * @brief mmap of anonymous private memory: zero-filled, backed on demand.
 * @param vm    the address space
 * @param addr  a hint (rounded up to a page; a free range there is used, else
 *              one below @ref uvm::mmap_base, else anywhere), or with
 *              UVM_MAP_FIXED the exact address (page aligned), where whatever
 *              was mapped is unmapped first
 * @param len   bytes (> 0, rounded up to pages)
 * @param prot  UVM_PROT_* bits
 * @param flags 0 or UVM_MAP_FIXED
 * @param out   the start of the mapping
 * @return 0; -EINVAL (zero length, unknown prot or flag bits, a fixed address
 *         not page aligned); -EPERM (a fixed address below UVM_USER_MIN);
 *         -EACCES (write and exec); -ENOMEM (no room, a fixed range beyond
 *         UVM_USER_TOP or over a guard gap, too many VMAs, out of memory)
 */
int uvm_map(struct uvm *vm, uint64_t addr, uint64_t len, int prot, int flags, uint64_t *out);

/**
 * @brief Map a fixed-size stack [top - size, top) (read-write, no grow-down)
 * with a guard gap of @p guard bytes below it.
 * @param vm    the address space
 * @param top   one past the stack's highest byte (page aligned, <= UVM_USER_TOP)
 * @param size  bytes (> 0, rounded up to pages)
 * @param guard bytes of guard gap below the stack (rounded up to pages; 0: none)
 * @param low   the lowest stack address (top - size)
 * @return 0; -EINVAL; -EEXIST if anything is mapped in the stack or the gap;
 *         -ENOMEM
 */
int uvm_map_stack(struct uvm *vm, uint64_t top, uint64_t size, uint64_t guard, uint64_t *low);

/**
 * @brief munmap: remove every mapping in the range, splitting VMAs at its ends.
 * Unmapping nothing is fine; guard gaps stay.
 * @param vm   the address space
 * @param addr start (page aligned)
 * @param len  bytes (> 0, rounded up to pages)
 * @return 0; -EINVAL (unaligned, zero length, beyond UVM_USER_TOP); -ENOMEM if
 *         a split needs a VMA slot that cannot be allocated (nothing changed)
 */
int uvm_unmap(struct uvm *vm, uint64_t addr, uint64_t len);

/**
 * @brief madvise(MADV_DONTNEED): drop the pages of the range, keeping the
 * mappings; the next touch of each page fills it with zeros again.
 * @param vm   the address space
 * @param addr start (page aligned)
 * @param len  bytes (rounded up to pages; 0 does nothing)
 * @return 0; -EINVAL (unaligned, beyond UVM_USER_TOP); -ENOMEM if part of the
 *         range is not mapped (guard gaps count as unmapped)
 */
int uvm_discard(struct uvm *vm, uint64_t addr, uint64_t len);

/**
 * @brief mprotect: set the protection of every page in the range (all or nothing).
 * @param vm   the address space
 * @param addr start (page aligned)
 * @param len  bytes (rounded up to pages; 0 does nothing)
 * @param prot UVM_PROT_* bits
 * @return 0; -EINVAL (unaligned, unknown bits, beyond UVM_USER_TOP); -EACCES
 *         (write and exec); -ENOMEM if part of the range is not mapped (guard
 *         gaps count as unmapped) or a VMA slot cannot be allocated
 */
int uvm_protect(struct uvm *vm, uint64_t addr, uint64_t len, int prot);

/**
 * @brief Set where the heap starts (after the ELF load: the end of the highest
 * segment). The break is set there too.
 * @param vm   the address space
 * @param base the start (rounded up to a page)
 * @return 0; -EINVAL if beyond UVM_USER_TOP; -EBUSY if the heap has already grown
 */
int uvm_set_brk_base(struct uvm *vm, uint64_t base);

/**
 * @brief Linux brk(2): move the program break. Growing maps [old, new) rounded
 * to pages, read-write, and fails if anything (a guard gap too) is there;
 * shrinking unmaps the pages wholly above the new break.
 * @param vm     the address space
 * @param newbrk the requested break (0, or anything below the heap's start,
 *               just asks for the current one)
 * @return the new break, or the old one on failure (as the syscall does)
 */
uint64_t uvm_brk(struct uvm *vm, uint64_t newbrk);

/**
 * @brief Resolve a page fault from ring 3 (or from a uvm copy).
 * @param vm    the address space
 * @param addr  the faulting address (CR2)
 * @param write the access was a write
 * @param exec  the access was an instruction fetch
 * @return 0 when resolved (demand-zero page, copy-on-write break, or a stale
 *         TLB entry): retry the access; -EFAULT when the access is not allowed
 *         (no VMA, guard gap, write to a read-only or exec of a non-exec VMA):
 *         deliver SIGSEGV; -ENOMEM when no frame is left
 */
int uvm_fault(struct uvm *vm, uint64_t addr, bool write, bool exec);

/**
 * @brief Duplicate @p parent into @p child for fork(): the same VMAs, brk and
 * mmap base; every present page shared copy-on-write (read-only PTEs in both,
 * one more reference on the frame). A frame already at MM_FRAME_REF_MAX
 * references is copied instead.
 * @param child  an address space to initialise (uvm_create() is done here,
 *               with the parent's configuration)
 * @param parent the address space to copy (its PTEs lose write permission;
 *               the TLB is flushed if it is the active one)
 * @return 0; -ENOMEM (the child is destroyed again; the parent is intact, some
 *         of its pages merely read-only until their next write fault)
 */
int uvm_fork(struct uvm *child, struct uvm *parent);

/**
 * @brief Copy kernel memory to user memory (copy_to_user). Every byte must lie
 * in a writable VMA, checked before anything is written; pages are backed and
 * copy-on-write broken as a write fault would.
 * @param vm    the address space
 * @param uaddr user destination
 * @param src   kernel source
 * @param n     bytes
 * @return 0; -EFAULT (nothing written); -ENOMEM (a prefix may have been written)
 */
int uvm_copy_out(struct uvm *vm, uint64_t uaddr, const void *src, size_t n);

/**
 * @brief Copy user memory to kernel memory (copy_from_user). Every byte must
 * lie in a readable VMA. Pages never touched read as zeros (nothing is allocated).
 * @param vm    the address space
 * @param dst   kernel destination
 * @param uaddr user source
 * @param n     bytes
 * @return 0 or -EFAULT (@p dst untouched)
 */
int uvm_copy_in(struct uvm *vm, void *dst, uint64_t uaddr, size_t n);

/**
 * @brief Copy a NUL-terminated user string (a path, an argv entry) into @p dst.
 * Only the bytes up to the NUL need to be readable.
 * @param vm    the address space
 * @param dst   kernel buffer of @p max bytes; NUL-terminated on success
 * @param uaddr the user string
 * @param max   size of @p dst (the string must be shorter)
 * @return the string's length; -EFAULT if an unreadable byte comes before the
 *         NUL; -ENAMETOOLONG if no NUL is within @p max bytes
 */
long uvm_strncpy_in(struct uvm *vm, char *dst, uint64_t uaddr, size_t max);

/**
 * @brief Fill user memory ignoring the VMAs' write permission: for the ELF
 * loader writing read-only text, or zeroing a segment's tail. Every byte must
 * lie in a VMA (any protection, not a guard gap).
 * @param vm    the address space
 * @param addr  user destination
 * @param src   kernel source, or NULL to write zeros
 * @param n     bytes
 * @return 0; -EFAULT (nothing written); -ENOMEM
 */
int uvm_populate(struct uvm *vm, uint64_t addr, const void *src, size_t n);

/**
 * @brief Pin the pages under [addr, addr + n) so a device can read or write
 * them in place (direct I/O): back each one as a fault would (a fresh zeroed
 * frame for a page never touched), break copy-on-write first when the device
 * will write them (@p device_writes), and take a reference on each frame, so
 * it stays allocated even if the range is unmapped, until uvm_unpin().
 * @param vm            the address space
 * @param addr          first byte (any alignment)
 * @param n             bytes (> 0)
 * @param device_writes the device writes the pages (a read() into them): the
 *                      range must be writable; else readable
 * @param frames        out: the physical address of each page, in order
 * @param max           capacity of @p frames
 * @return pages pinned (nothing stays pinned on failure), -EFAULT (a page
 *         outside the VMAs or without the access), -E2BIG (more than @p max
 *         pages) or -ENOMEM
 */
long uvm_pin(struct uvm *vm, uint64_t addr, size_t n, bool device_writes, uint64_t *frames,
             size_t max);

/**
 * @brief Drop the references uvm_pin() took (the last one frees a frame the
 * process unmapped meanwhile).
 * @param vm     the address space
 * @param frames what uvm_pin() filled in
 * @param count  what it returned
 */
void uvm_unpin(struct uvm *vm, const uint64_t *frames, size_t count);

/**
 * @brief Map an existing frame at @p va, shared: the page takes one more
 * reference on it and gets no write permission, so a write copies it first
 * (copy-on-write, as after uvm_fork()) unless the page is by then the frame's
 * only user. For exec's shared program pages (proc/exec_image.h).
 * @param vm the address space
 * @param va a page-aligned address inside a VMA other than a guard gap
 * @param pa the frame (allocated, at least one reference held by the caller)
 * @return 0; -EINVAL (unaligned); -EFAULT (no VMA there, or a guard gap);
 *         -EEXIST (a page is present there); -EOVERFLOW (the frame holds
 *         MM_FRAME_REF_MAX references: copy it instead); -ENOMEM
 */
int uvm_share_frame(struct uvm *vm, uint64_t va, uint64_t pa);

/**
 * @brief The page tables, for CR3 switching (mm_aspace_activate()).
 * @param vm the address space
 * @return its mm_aspace
 */
struct mm_aspace *uvm_aspace(struct uvm *vm);

/**
 * @brief Fill @p st with the current counters.
 * @param vm the address space
 * @param st filled in
 */
void uvm_stats(struct uvm *vm, struct uvm_stats *st);

/**
 * @brief Resident pages whose frame has other references too: shared with
 * the program cache (the program's file pages) or with another process
 * (copy-on-write after fork). One walk of the page tables that exist.
 * @param vm the address space
 * @return how many (0 for an empty or destroyed space)
 */
uint64_t uvm_shared_pages(struct uvm *vm);

/**
 * @brief The VMA containing @p addr (guard gaps included: check the kind).
 * @param vm   the address space
 * @param addr any address
 * @return a pointer into the VMA array, valid until the next change, or NULL
 */
const struct uvm_vma *uvm_find_vma(struct uvm *vm, uint64_t addr);

#endif
