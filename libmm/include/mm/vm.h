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
 * Locking: each address space has a spinlock (irqsave) taken by every call.
 * Changes to the kernel half must be made through the kernel address space.
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
 * @brief Protect every page in [@p va, @p va + @p size) (see mm_pt_protect()).
 * @param as    the address space
 * @param va    virtual start (page aligned)
 * @param size  bytes
 * @param flags the new flags
 * @return 0 or the first error
 */
int mm_pt_protect_range(struct mm_aspace *as, uintptr_t va, uint64_t size, uint64_t flags);

/**
 * @brief Unmap every page in [@p va, @p va + @p size); holes are skipped.
 * @param as   the address space
 * @param va   virtual start (page aligned)
 * @param size bytes
 * @return the number of pages (4 KiB or 2 MiB) unmapped
 */
int mm_pt_unmap_range(struct mm_aspace *as, uintptr_t va, uint64_t size);

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
