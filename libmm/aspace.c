/*
 * aspace.c - address spaces: create, share the kernel half, destroy (mm/vm.h).
 *
 * Layer: virtual memory, beside pt.c. The kernel space owns the 256 upper-half
 * PDPTs; every other space copies those 256 PML4 entries, so kernel mappings are
 * shared without further work. Destroying a space frees its lower-half tables and
 * the owned frames mapped there, then the PML4.
 *
 * Locking: create/destroy are called on a space nobody else uses yet/any more.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <mm/vm.h>
#include <string.h>
#include "pt_priv.h"

#define KERNEL_SLOT0 (MM_PT_ENTRIES / 2)

static int new_pml4(struct mm_aspace *as, struct mm_frames *fa, const struct mm_aspace *kernel)
{
    memset(as, 0, sizeof(*as));
    spin_init(&as->lock, "aspace");
    as->frames = fa;
    as->kernel = kernel;
    int err = mm_frame_alloc_zeroed(fa, &as->pml4);
    if (err == 0)
        as->table_frames = 1;
    return err;
}

/* Free the table at @p pa of @p level, everything below it, and owned leaves. */
static void free_table(struct mm_aspace *as, uint64_t pa, int level, int first, int last)
{
    uint64_t *t = mm_pt_table(pa);
    for (int i = first; i < last; i++) {
        uint64_t e = t[i];
        if (!(e & MM_PTE_P))
            continue;
        if (level > 1 && !(e & MM_PTE_PS))
            free_table(as, e & MM_PTE_ADDR, level - 1, 0, MM_PT_ENTRIES);
        else
            mm_pt_free_leaf(as, e, level);
        t[i] = 0;
    }
    if (level < 4) {
        mm_frame_free(as->frames, pa);
        as->table_frames--;
    }
}

int mm_aspace_init_kernel(struct mm_aspace *as, struct mm_frames *fa)
{
    int err = new_pml4(as, fa, NULL);
    if (err)
        return err;
    uint64_t *pml4 = mm_pt_table(as->pml4);
    for (int i = KERNEL_SLOT0; i < MM_PT_ENTRIES; i++) {
        uint64_t pa;
        err = mm_frame_alloc_zeroed(fa, &pa);
        if (err) {
            mm_aspace_destroy(as);
            return err;
        }
        pml4[i] = pa | MM_PTE_P | MM_PTE_W;
        as->table_frames++;
    }
    return 0;
}

int mm_aspace_create(struct mm_aspace *as, const struct mm_aspace *kernel)
{
    int err = new_pml4(as, kernel->frames, kernel);
    if (err)
        return err;
    const uint64_t *src = mm_pt_table(kernel->pml4);
    uint64_t *dst = mm_pt_table(as->pml4);
    for (int i = KERNEL_SLOT0; i < MM_PT_ENTRIES; i++)
        dst[i] = src[i];
    return 0;
}

void mm_aspace_destroy(struct mm_aspace *as)
{
    if (as->pml4 == 0)
        return;
    /* Only the kernel space owns the upper half. */
    free_table(as, as->pml4, 4, 0, as->kernel ? KERNEL_SLOT0 : MM_PT_ENTRIES);
    mm_frame_free(as->frames, as->pml4);
    as->table_frames--;
    as->pml4 = 0;
}

void mm_aspace_activate(struct mm_aspace *as)
{
    write_cr3(as->pml4);
}

uint64_t mm_aspace_table_frames(const struct mm_aspace *as)
{
    return __atomic_load_n(&as->table_frames, __ATOMIC_RELAXED);
}

bool mm_aspace_is_active(const struct mm_aspace *as)
{
    return (read_cr3() & MM_PTE_ADDR) == as->pml4;
}
