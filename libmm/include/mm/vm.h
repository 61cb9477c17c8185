/**
 * @file mm/vm.h
 * @brief Address spaces and 4-level page tables: map, unmap, translate, protect.
 *
 * An address space is a PML4 plus the frame allocator its tables come from. The
 * kernel's address space (mm_aspace_init_kernel()) pre-allocates the 256 PDPTs of
 * the upper half, so every address space made with mm_aspace_create() can share
 * them by copying 256 PML4 entries: a kernel mapping added later is visible
 * everywhere. Intermediate tables are allocated on demand (zeroed) and freed when
 * they become empty, except those shared upper-half PDPTs.
 *
 * Mappings carry the hardware flags below; MM_PTE_OWNED is a software bit saying
 * the frame belongs to the address space: mm_pt_unmap() and mm_aspace_destroy()
 * free owned frames and leave the others (MMIO, the kernel image, the direct map)
 * alone.
 *
 * Tables are reached through mm_phys_to_virt(), never directly. TLB entries are
 * invalidated with invlpg() when a mapping of the active address space, or of the
 * shared kernel half, changes.
 *
 * Range operations (mm_pt_walk(), mm_pt_unmap_range(), mm_pt_protect_range())
 * descend only into tables that exist: their cost is O(tables present + pages
 * present) in the range, whatever its size. @ref mm_aspace::pt_reads counts the
 * entries every call reads, a deterministic cost measure for tests and benchmarks.
 *
 * Locking: each address space has a spinlock "aspace" (irqsave) that protects
 * its tables and counters: every single-page call and every walk takes it for
 * its whole length; mm_pt_map_range() and mm_pt_map_anon() are loops of
 * single-page calls, not atomic as a whole. mm_pt_is_guard() reads without it
 * (a fault report, which may come while it is held); mm_aspace_table_frames()
 * reads one word. Changes to the kernel half must be made through the kernel
 * address space, under the big kernel lock (arch/bkl.h): each is shot down on
 * every CPU (arch_tlb_kernel_changed()) while the lock is held. A lower-half
 * change is flushed from this CPU's TLB only: right because a user address
 * space is loaded only on the CPU that runs its one thread (the switch hook
 * loads another space when that thread leaves the CPU). Lock order: the
 * address space, then the frame allocator; two spaces nest parent first (fork:
 * mm_pt_walk()'s callback maps into the child). create/destroy run on a space
 * nobody else uses yet, or any more.
 */
#ifndef MM_VM_H
#define MM_VM_H

#include <arch/spinlock.h>
#include <mm/frame.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @name Page-table entry bits (also the flags taken by the mapping calls) */
/** @{ */
#define MM_PTE_P     (1ull << 0)           /**< Present. */
#define MM_PTE_W     (1ull << 1)           /**< Writable. */
#define MM_PTE_U     (1ull << 2)           /**< User accessible. */
#define MM_PTE_PWT   (1ull << 3)           /**< Write-through. */
#define MM_PTE_PCD   (1ull << 4)           /**< Cache disabled. */
#define MM_PTE_A     (1ull << 5)           /**< Accessed (set by the CPU). */
#define MM_PTE_D     (1ull << 6)           /**< Dirty (set by the CPU). */
#define MM_PTE_PS    (1ull << 7)           /**< Large page (2 MiB in a PD entry). */
#define MM_PTE_G     (1ull << 8)           /**< Global: survives CR3 reloads. */
#define MM_PTE_OWNED (1ull << 9)           /**< Software: the frame is freed with the mapping. */
#define MM_PTE_GUARD (1ull << 10)          /**< Software, not present: a marked guard page. */
#define MM_PTE_NX    (1ull << 63)          /**< No execute. */
#define MM_PTE_ADDR  0x000ffffffffff000ull /**< Physical address field. */
/** Uncached, for MMIO. */
#define MM_PTE_UNCACHED (MM_PTE_PCD | MM_PTE_PWT)
/** Every flag a caller may pass to the mapping calls. */
#define MM_PTE_FLAGS                                                                               \
    (MM_PTE_W | MM_PTE_U | MM_PTE_PWT | MM_PTE_PCD | MM_PTE_G | MM_PTE_OWNED | MM_PTE_NX)
/** @} */

/** Entries per table. */
#define MM_PT_ENTRIES 512

/** @brief An address space. Fields are private; use the functions below. */
struct mm_aspace {
    struct spinlock lock;           /**< Protects the tables. */
    uint64_t pml4;                  /**< Physical address of the PML4 (CR3 value). */
    struct mm_frames *frames;       /**< Where tables and owned frames come from. */
    const struct mm_aspace *kernel; /**< The kernel space it shares, NULL if it is it. */
    uint64_t table_frames;          /**< Tables currently allocated (PML4 included). */
    uint64_t pt_reads; /**< Statistics: table entries read by lookups and walks (never reset). */
};

/**
 * @brief Tell libmm whether the CPU honours the NX bit (EFER.NXE).
 *
 * When it does not, MM_PTE_NX is silently dropped (on such a CPU the bit is
 * reserved and would fault). Default: supported.
 * @param supported true if EFER.NXE is set
 */
void mm_pt_set_nx_supported(bool supported);

/**
 * @brief Create the kernel address space: a zeroed PML4 and its 256 upper-half PDPTs.
 * @param as the address space to initialise
 * @param fa where its tables come from (must outlive @p as)
 * @return 0 or -ENOMEM
 */
int mm_aspace_init_kernel(struct mm_aspace *as, struct mm_frames *fa);

/**
 * @brief Create an address space: an empty lower half, the upper half shared with @p kernel.
 * @param as     the address space to initialise
 * @param kernel the kernel address space
 * @return 0 or -ENOMEM
 */
int mm_aspace_create(struct mm_aspace *as, const struct mm_aspace *kernel);

/**
 * @brief Destroy an address space: free every lower-half table, every owned frame
 * mapped there, and the PML4. For the kernel address space (only done by tests)
 * the upper half is freed too. It must not be active.
 * @param as the address space
 */
void mm_aspace_destroy(struct mm_aspace *as);

/** @brief Load @p as into CR3. @param as the address space */
void mm_aspace_activate(struct mm_aspace *as);

/** @brief Is @p as the one in CR3? @param as the address space @return true if active */
bool mm_aspace_is_active(const struct mm_aspace *as);

/**
 * @brief How many page-table frames @p as has now, its PML4 included. For
 * the kernel address space that is every upper-half table; a user space
 * counts only its lower half (the upper half is the kernel's).
 * @param as the address space
 * @return the number of table frames
 */
uint64_t mm_aspace_table_frames(const struct mm_aspace *as);

/**
 * @brief Map one 4 KiB page.
 * @param as    the address space
 * @param va    virtual address (page aligned, canonical)
 * @param pa    physical address (page aligned)
 * @param flags MM_PTE_* bits from MM_PTE_FLAGS (Present is implied)
 * @return 0; -EINVAL for a bad address or flag; -EEXIST if something is mapped
 *         there (a page, a 2 MiB page covering it, or a guard mark); -ENOMEM for
 *         a table
 */
int mm_pt_map(struct mm_aspace *as, uintptr_t va, uint64_t pa, uint64_t flags);

/**
 * @brief Map one 2 MiB page.
 * @param as    the address space
 * @param va    virtual address (2 MiB aligned)
 * @param pa    physical address (2 MiB aligned)
 * @param flags MM_PTE_* bits from MM_PTE_FLAGS
 * @return 0, -EINVAL, -EEXIST (anything mapped in the 2 MiB) or -ENOMEM
 */
int mm_pt_map_huge(struct mm_aspace *as, uintptr_t va, uint64_t pa, uint64_t flags);

/**
 * @brief Remove the mapping that starts at @p va (a 4 KiB or a 2 MiB page).
 *
 * An owned frame is freed; tables left empty are freed; the TLB entry is flushed.
 * @param as     the address space
 * @param va     start of the page
 * @param pa_out if not NULL, the physical address that was mapped
 * @return 0; -ENOENT if nothing is mapped; -EINVAL if @p va is not the start of
 *         the page (e.g. inside a 2 MiB page)
 */
int mm_pt_unmap(struct mm_aspace *as, uintptr_t va, uint64_t *pa_out);

/**
 * @brief Look up the physical address and flags of a virtual address.
 * @param as        the address space
 * @param va        any virtual address
 * @param pa_out    if not NULL, the physical address (with @p va's page offset)
 * @param flags_out if not NULL, the leaf entry's flags (MM_PTE_PS for 2 MiB)
 * @return 0 or -ENOENT if not mapped
 */
int mm_pt_translate(struct mm_aspace *as, uintptr_t va, uint64_t *pa_out, uint64_t *flags_out);

/**
 * @brief Read the last-level entries of @p n consecutive pages in one hold of
 * the lock, one descent per 2 MiB (pinning a buffer for direct I/O reads
 * hundreds at a time).
 * @param as  the address space
 * @param va  start of the first page (page aligned)
 * @param n   pages; the range must not leave its half of the address space
 * @param out n entries, as the tables hold them (0 where a page has no
 *            level-1 table; a not-present entry may hold a guard mark)
 * @return 0; -EINVAL for an unaligned or non-canonical range; -ENOTSUP if a
 *         large page maps part of it (its entries read as 0)
 */
int mm_pt_read_range(struct mm_aspace *as, uintptr_t va, size_t n, uint64_t *out);

/**
 * @brief Change the flags of the page that starts at @p va (its frame and
 * ownership stay), and flush its TLB entry.
 * @param as    the address space
 * @param va    start of the page
 * @param flags the new MM_PTE_* flags (MM_PTE_OWNED is ignored)
 * @return 0, -ENOENT or -EINVAL
 */
int mm_pt_protect(struct mm_aspace *as, uintptr_t va, uint64_t flags);

/**
 * @brief Map [@p va, @p va + @p size) to [@p pa, ...), with 2 MiB pages wherever
 * both addresses are 2 MiB aligned and a whole large page fits, 4 KiB elsewhere.
 * On failure, what this call mapped is unmapped again.
 * @param as    the address space
 * @param va    virtual start (page aligned)
 * @param pa    physical start (page aligned)
 * @param size  bytes (a multiple of 4 KiB)
 * @param flags MM_PTE_* flags
 * @return 0 or the first error of mm_pt_map()/mm_pt_map_huge()
 */
int mm_pt_map_range(struct mm_aspace *as, uintptr_t va, uint64_t pa, uint64_t size, uint64_t flags);

/**
 * @brief Protect every page in [@p va, @p va + @p size) (see mm_pt_protect()),
 * in one walk of the tables that exist (see mm_pt_walk()).
 * @param as    the address space
 * @param va    virtual start (page aligned)
 * @param size  bytes
 * @param flags the new flags
 * @return 0; -EINVAL for a bad flag, a range outside one half of the address
 *         space, or a 2 MiB page that starts below @p va (the pages before it
 *         are changed, those after it not)
 */
int mm_pt_protect_range(struct mm_aspace *as, uintptr_t va, uint64_t size, uint64_t flags);

/**
 * @brief Unmap every page (4 KiB or 2 MiB) that starts in [@p va, @p va + @p size),
 * in one walk of the tables that exist (see mm_pt_walk()); holes are skipped.
 * Owned frames are freed, tables left empty too.
 * @param as   the address space
 * @param va   virtual start (page aligned)
 * @param size bytes
 * @return the number of pages unmapped (0 for a range outside one half of the
 *         address space)
 */
int mm_pt_unmap_range(struct mm_aspace *as, uintptr_t va, uint64_t size);

/**
 * @brief Replace the frame (and flags) of the present 4 KiB page at @p va in place.
 *
 * One step under the lock: the entry is rewritten, the TLB entry flushed, and
 * only then is the old frame released, so no table is freed or allocated in
 * between (unlike mm_pt_unmap() followed by mm_pt_map()) and the call cannot run
 * out of memory. If the old entry was MM_PTE_OWNED, its frame loses that
 * reference (mm_frame_free()), unless it is @p new_pa itself and @p flags keeps
 * MM_PTE_OWNED (then the one reference carries over).
 * @param as     the address space
 * @param va     the page (page aligned, canonical)
 * @param new_pa the new frame (page aligned)
 * @param flags  MM_PTE_* bits from MM_PTE_FLAGS; MM_PTE_OWNED if @p as is to own @p new_pa
 * @param old_pa if not NULL, the frame that was mapped
 * @return 0; -EINVAL for a bad address or flag, or if @p va lies in a 2 MiB
 *         page; -ENOENT if nothing is mapped there (a hole or a guard mark)
 */
int mm_pt_remap(struct mm_aspace *as, uintptr_t va, uint64_t new_pa, uint64_t flags,
                uint64_t *old_pa);

/** A mm_pt_walk() callback's return value bit: "I changed this entry: flush its TLB entry". */
#define MM_PT_WALK_FLUSH 1

/**
 * @brief Call @p fn for every present 4 KiB page in [@p start, @p end).
 *
 * Cost: absent PML4, PDPT and PD entries are skipped wholesale, so a walk reads
 * the PML4 entries in range plus, in each table that exists below them, the
 * entries in range: O(tables present + pages present), not O(range). The
 * pages come in increasing address order; a page is visited if it intersects
 * the range. Not-present entries (holes, guard marks) are not visited.
 *
 * @p fn gets the live entry and may rewrite it:
 * - change its flags or frame (it must stay a 4 KiB leaf: no MM_PTE_PS);
 * - or clear it to 0, which unmaps the page: the frame is then @p fn's to
 *   release (check MM_PTE_OWNED), and the walk frees every lower-half table it
 *   leaves empty (never an upper-half PDPT, shared by every address space).
 *
 * TLB rule: @p fn returns MM_PT_WALK_FLUSH when it changed the entry, and the
 * walk invalidates that page (invlpg) if the CPU may hold it: @p as is active,
 * or the page is in the shared kernel half. It returns 0 when it changed
 * nothing, or when it made the entry only more permissive, or when the caller
 * will reload CR3 itself after the walk. A negative return stops the walk (the
 * entries visited so far keep their changes) and becomes its result.
 *
 * Large pages: user address spaces have none (uvm maps 4 KiB pages only). A
 * 2 MiB (or 1 GiB) page in the range stops the walk with -ENOTSUP before @p fn
 * sees it; the pages below it have been visited.
 *
 * Locking: the walk holds @p as's lock, interrupts off, for its whole length and
 * calls @p fn under it, so @p fn must not call mm_pt_* on @p as. It may use the
 * frame allocator, and map into a different address space (lock order: @p as
 * first; e.g. a parent, then its new child in fork).
 * @param as    the address space
 * @param start first address (canonical)
 * @param end   one past the last address; [start, end) must lie in one half
 *              (lower or upper) of the address space; start == end visits nothing
 * @param fn    the callback: @p ctx, the page's address and its entry; returns
 *              0, MM_PT_WALK_FLUSH, or a negative error to stop
 * @param ctx   passed to @p fn
 * @return 0; the first negative return of @p fn; -ENOTSUP (a large page);
 *         -EINVAL for a bad range
 */
int mm_pt_walk(struct mm_aspace *as, uintptr_t start, uintptr_t end,
               int (*fn)(void *ctx, uintptr_t va, uint64_t *pte), void *ctx);

/**
 * @brief Mark the unmapped page at @p va as a guard page.
 *
 * The leaf entry stays not-present (any access faults) but holds MM_PTE_GUARD,
 * so a fault handler can tell a stack overflow from a wild access
 * (mm_pt_is_guard()). Tables are allocated as for a mapping.
 * @param as the address space
 * @param va the page (page aligned, canonical)
 * @return 0, -EINVAL, -EEXIST (something is mapped or marked there) or -ENOMEM
 */
int mm_pt_mark_guard(struct mm_aspace *as, uintptr_t va);

/**
 * @brief Remove a guard mark (and tables left empty).
 * @param as the address space
 * @param va the page
 * @return 0, or -ENOENT if @p va is not a marked guard page
 */
int mm_pt_clear_guard(struct mm_aspace *as, uintptr_t va);

/**
 * @brief Is @p va inside a page marked with mm_pt_mark_guard()?
 *
 * Takes no lock, so a fault handler may call it whatever was interrupted; the
 * answer may be stale if the tables change meanwhile.
 * @param as the address space
 * @param va any address
 * @return true for a marked guard page
 */
bool mm_pt_is_guard(struct mm_aspace *as, uintptr_t va);

/**
 * @brief Back [@p va, @p va + @p size) with fresh zeroed frames owned by @p as.
 * On failure, what this call mapped is unmapped and freed again.
 * @param as    the address space
 * @param va    virtual start (page aligned)
 * @param size  bytes (a multiple of 4 KiB)
 * @param flags MM_PTE_* flags (MM_PTE_OWNED is added)
 * @return 0, -EINVAL, -EEXIST or -ENOMEM
 */
int mm_pt_map_anon(struct mm_aspace *as, uintptr_t va, uint64_t size, uint64_t flags);

#endif
