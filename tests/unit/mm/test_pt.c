/*
 * test_pt.c - page tables and address spaces on simulated RAM. Mappings are
 * checked by walking the tables independently of libmm's own walker. The range
 * walks (mm_pt_walk and the *_range calls) are also checked for cost: the
 * entries they read (mm_aspace::pt_reads) follow the tables present.
 */
#include "cpu_mock.h"
#include "mm_sim.h"
#include "suites.h"
#include <arch/cpu.h>
#include <k/errno.h>
#include <check.h>
#include <mm/phys.h>
#include <mm/vm.h>

#define USER_VA   0x0000000000400000ull
#define KERNEL_VA 0xffffc00000200000ull

static struct mm_frames fa;
static struct mm_aspace kas;
static uint64_t free_at_start;

static void setup(void)
{
    cpu_mock_reset();
    mm_sim_init(MM_SIM_DEFAULT_SIZE);
    mm_sim_frames(&fa);
    free_at_start = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_aspace_init_kernel(&kas, &fa), 0);
    mm_pt_set_nx_supported(true);
}

static void teardown(void)
{
    mm_aspace_destroy(&kas);
    /* Every test must leave no frame behind. */
    ck_assert_uint_eq(mm_frames_free_count(&fa), free_at_start);
    mm_sim_fini();
}

/* Independent walk: the leaf entry for va and its level, or 0. */
static uint64_t walk(const struct mm_aspace *as, uintptr_t va, int *level)
{
    uint64_t table = as->pml4;
    for (int l = 4; l >= 1; l--) {
        const uint64_t *t = mm_phys_to_virt(table);
        uint64_t e = t[(va >> (12 + 9 * (l - 1))) & 511];
        *level = l;
        if (!(e & MM_PTE_P))
            return 0;
        if (l == 1 || (e & MM_PTE_PS))
            return e;
        table = e & MM_PTE_ADDR;
    }
    return 0;
}

static uint64_t frame(void)
{
    uint64_t pa;
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), 0);
    return pa;
}

START_TEST(test_kernel_space_shape)
{
    /* PML4 plus 256 upper-half PDPTs. */
    ck_assert_uint_eq(kas.table_frames, 257);
    ck_assert_uint_eq(mm_frames_free_count(&fa), free_at_start - 257);
    const uint64_t *pml4 = mm_phys_to_virt(kas.pml4);
    for (int i = 0; i < 256; i++)
        ck_assert_uint_eq(pml4[i], 0);
    for (int i = 256; i < 512; i++)
        ck_assert_uint_eq(pml4[i] & (MM_PTE_P | MM_PTE_W | MM_PTE_U), MM_PTE_P | MM_PTE_W);
}
END_TEST

START_TEST(test_map_translate_unmap)
{
    uint64_t pa = frame(), got, flags;
    uint64_t before = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA, pa, MM_PTE_W | MM_PTE_U | MM_PTE_NX), 0);
    /* PDPT, PD and PT were created for the lower half. */
    ck_assert_uint_eq(mm_frames_free_count(&fa), before - 3);
    int level;
    uint64_t e = walk(&kas, USER_VA, &level);
    ck_assert_int_eq(level, 1);
    ck_assert_uint_eq(e & MM_PTE_ADDR, pa);
    ck_assert_uint_eq(e & ~MM_PTE_ADDR, MM_PTE_P | MM_PTE_W | MM_PTE_U | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA + 0x123, &got, &flags), 0);
    ck_assert_uint_eq(got, pa + 0x123);
    ck_assert_uint_eq(flags, e & ~MM_PTE_ADDR);
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA + 4096, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_translate(&kas, 0, NULL, NULL), -ENOENT);
    /* Intermediate entries of the lower half are user-accessible. */
    const uint64_t *pml4 = mm_phys_to_virt(kas.pml4);
    ck_assert(pml4[0] & MM_PTE_U);

    ck_assert_int_eq(mm_pt_map(&kas, USER_VA, pa, 0), -EEXIST);
    uint64_t old;
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA, &old), 0);
    ck_assert_uint_eq(old, pa);
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA, NULL), -ENOENT);
    /* The three tables are gone again, and the frame (not owned) is still ours. */
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
    ck_assert_uint_eq(pml4[0], 0);
    ck_assert(mm_frame_is_allocated(&fa, pa));
    mm_frame_free(&fa, pa);
}
END_TEST

START_TEST(test_tables_freed_only_when_empty)
{
    uint64_t before = mm_frames_free_count(&fa);
    /* Two pages sharing a PT, one in another PD entry. */
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA, 0x400000, 0), 0);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA + 4096, 0x401000, 0), 0);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA + MM_HUGE_SIZE, 0x800000, 0), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before - 4);
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before - 4);
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA + 4096, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before - 3); /* first PT freed */
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA + MM_HUGE_SIZE, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);

    /* Upper half: PT and PD freed, the shared PDPT stays. */
    ck_assert_int_eq(mm_pt_map(&kas, KERNEL_VA, 0x400000, MM_PTE_G), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before - 2);
    const uint64_t *pml4 = mm_phys_to_virt(kas.pml4);
    ck_assert(!(pml4[384] & MM_PTE_U));
    ck_assert_int_eq(mm_pt_unmap(&kas, KERNEL_VA, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
    ck_assert(pml4[384] & MM_PTE_P);
}
END_TEST

START_TEST(test_huge_pages)
{
    uint64_t pa, flags;
    ck_assert_int_eq(mm_pt_map_huge(&kas, KERNEL_VA, 0x400000, MM_PTE_W | MM_PTE_G), 0);
    int level;
    uint64_t e = walk(&kas, KERNEL_VA, &level);
    ck_assert_int_eq(level, 2);
    ck_assert(e & MM_PTE_PS);
    ck_assert_int_eq(mm_pt_translate(&kas, KERNEL_VA + 0x12345, &pa, &flags), 0);
    ck_assert_uint_eq(pa, 0x412345);
    ck_assert(flags & MM_PTE_PS);
    /* Conflicts with the large page. */
    ck_assert_int_eq(mm_pt_map(&kas, KERNEL_VA + 4096, 0x1000, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_map_huge(&kas, KERNEL_VA, 0x600000, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_unmap(&kas, KERNEL_VA + 4096, NULL), -EINVAL);
    ck_assert_int_eq(mm_pt_protect(&kas, KERNEL_VA + 4096, 0), -EINVAL);
    /* Misaligned. */
    ck_assert_int_eq(mm_pt_map_huge(&kas, KERNEL_VA + 4096, 0x400000, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map_huge(&kas, KERNEL_VA + MM_HUGE_SIZE, 0x401000, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_protect(&kas, KERNEL_VA, MM_PTE_NX), 0);
    e = walk(&kas, KERNEL_VA, &level);
    ck_assert_uint_eq(e & ~MM_PTE_ADDR, MM_PTE_P | MM_PTE_PS | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_unmap(&kas, KERNEL_VA, &pa), 0);
    ck_assert_uint_eq(pa, 0x400000);
    /* A large page cannot go where a page table already exists. */
    ck_assert_int_eq(mm_pt_map(&kas, KERNEL_VA + 4096, 0x1000, 0), 0);
    ck_assert_int_eq(mm_pt_map_huge(&kas, KERNEL_VA, 0x400000, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_unmap(&kas, KERNEL_VA + 4096, NULL), 0);
}
END_TEST

START_TEST(test_owned_huge_page)
{
    uint64_t before = mm_frames_free_count(&fa), run;
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 512, MM_HUGE_SIZE, &run), 0);
    ck_assert_int_eq(mm_pt_map_huge(&kas, USER_VA, run, MM_PTE_OWNED | MM_PTE_U), 0);
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
}
END_TEST

START_TEST(test_bad_arguments)
{
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA + 1, 0x1000, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA, 0x1001, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map(&kas, 0x0000800000000000ull, 0x1000, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA, 1ull << 52, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA, 0x1000, MM_PTE_PS), -EINVAL);
    ck_assert_int_eq(mm_pt_unmap(&kas, 0x0000800000000000ull, NULL), -EINVAL);
    ck_assert_int_eq(mm_pt_translate(&kas, 0x0000800000000000ull, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_protect(&kas, 0x0000800000000000ull, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_protect(&kas, USER_VA, MM_PTE_A), -EINVAL);
    ck_assert_int_eq(mm_pt_protect(&kas, USER_VA, 0), -ENOENT);
    ck_assert_int_eq(mm_pt_map_range(&kas, USER_VA, 0, 100, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map_range(&kas, USER_VA, 0, 4096, MM_PTE_OWNED), -EINVAL);
    ck_assert_int_eq(mm_pt_map_anon(&kas, USER_VA, 100, 0), -EINVAL);
}
END_TEST

START_TEST(test_protect_and_nx)
{
    uint64_t pa = frame(), flags;
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA, pa, MM_PTE_W | MM_PTE_OWNED), 0);
    ck_assert_int_eq(mm_pt_protect(&kas, USER_VA, MM_PTE_NX | MM_PTE_U | MM_PTE_OWNED), 0);
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_NX | MM_PTE_U | MM_PTE_OWNED); /* still owned */
    /* Without NX support the bit is dropped. */
    mm_pt_set_nx_supported(false);
    ck_assert_int_eq(mm_pt_protect(&kas, USER_VA, MM_PTE_NX | MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_W | MM_PTE_OWNED);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA + 4096, 0x1000, MM_PTE_NX), 0);
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA + 4096, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P);
    mm_pt_set_nx_supported(true);
    ck_assert_int_eq(mm_pt_protect_range(&kas, USER_VA, 3 * 4096, MM_PTE_NX), 0);
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA + 4096, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA + 4096, NULL), 0);
    /* The owned frame goes back when unmapped. */
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA, NULL), 0);
    ck_assert(!mm_frame_is_allocated(&fa, pa));
}
END_TEST

START_TEST(test_map_range_uses_huge_pages)
{
    /* 4 KiB head, two 2 MiB pages, 4 KiB tail. */
    uintptr_t va = KERNEL_VA - 2 * 4096;
    uint64_t pa = 0x400000 - 2 * 4096, size = 2 * 4096 + 2 * MM_HUGE_SIZE + 3 * 4096;
    ck_assert_int_eq(mm_pt_map_range(&kas, va, pa, size, MM_PTE_W), 0);
    int level, huge = 0, small = 0;
    for (uint64_t off = 0; off < size; off += 4096) {
        uint64_t e = walk(&kas, va + off, &level);
        REQUIRE(e & MM_PTE_P);
        uint64_t got;
        REQUIRE(mm_pt_translate(&kas, va + off, &got, NULL) == 0);
        REQUIRE(got == pa + off);
        if (level == 2 && ((va + off) & (MM_HUGE_SIZE - 1)) == 0)
            huge++;
        if (level == 1)
            small++;
    }
    ck_assert_int_eq(huge, 2);
    ck_assert_int_eq(small, 5);
    ck_assert_int_eq(mm_pt_unmap_range(&kas, va, size), 2 + 2 + 3);
    ck_assert_int_eq(mm_pt_translate(&kas, KERNEL_VA, NULL, NULL), -ENOENT);
    /* Mis-aligned physical address: all 4 KiB pages. */
    ck_assert_int_eq(mm_pt_map_range(&kas, KERNEL_VA, 0x401000, MM_HUGE_SIZE, 0), 0);
    ck_assert_int_eq(mm_pt_unmap_range(&kas, KERNEL_VA, MM_HUGE_SIZE), 512);
    /* A conflict in the middle rolls everything back. */
    ck_assert_int_eq(mm_pt_map(&kas, KERNEL_VA + 8 * 4096, 0x1000, 0), 0);
    ck_assert_int_eq(mm_pt_map_range(&kas, KERNEL_VA, 0x1000, 16 * 4096, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_translate(&kas, KERNEL_VA, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_unmap_range(&kas, KERNEL_VA, 16 * 4096), 1);
}
END_TEST

START_TEST(test_map_anon)
{
    uint64_t before = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_pt_map_anon(&kas, USER_VA, 8 * 4096, MM_PTE_W | MM_PTE_U), 0);
    for (int i = 0; i < 8; i++) {
        uint64_t pa, flags;
        ck_assert_int_eq(mm_pt_translate(&kas, USER_VA + i * 4096, &pa, &flags), 0);
        ck_assert(flags & MM_PTE_OWNED);
        ck_assert(mm_frame_is_allocated(&fa, pa));
        const uint8_t *p = mm_phys_to_virt(pa);
        ck_assert_uint_eq(p[0] | p[4095], 0); /* zeroed */
    }
    ck_assert_int_eq(mm_pt_unmap_range(&kas, USER_VA, 8 * 4096), 8);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
}
END_TEST

START_TEST(test_map_anon_conflict_rolls_back)
{
    uint64_t before = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA + 3 * 4096, 0x1000, 0), 0);
    uint64_t with_tables = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_pt_map_anon(&kas, USER_VA, 8 * 4096, MM_PTE_W), -EEXIST);
    ck_assert_uint_eq(mm_frames_free_count(&fa), with_tables);
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA + 3 * 4096, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
}
END_TEST

START_TEST(test_guard_marks)
{
    uint64_t before = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_pt_mark_guard(&kas, USER_VA + 1), -EINVAL);
    ck_assert_int_eq(mm_pt_mark_guard(&kas, USER_VA), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before - 3); /* tables, as for a page */
    ck_assert(mm_pt_is_guard(&kas, USER_VA + 8));
    ck_assert(!mm_pt_is_guard(&kas, USER_VA + 4096));
    ck_assert(!mm_pt_is_guard(&kas, 0x0000800000000000ull));
    /* Not a mapping: not translated, not unmapped, but nothing can go there. */
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA, 0x1000, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_mark_guard(&kas, USER_VA), -EEXIST);
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA + 4096, 0x1000, 0), 0);
    ck_assert_int_eq(mm_pt_mark_guard(&kas, USER_VA + 4096), -EEXIST);
    ck_assert_int_eq(mm_pt_clear_guard(&kas, USER_VA + 4096), -ENOENT); /* a mapping */
    ck_assert_int_eq(mm_pt_unmap(&kas, USER_VA + 4096, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before - 3); /* the mark keeps the PT */
    ck_assert_int_eq(mm_pt_clear_guard(&kas, USER_VA), 0);
    ck_assert_int_eq(mm_pt_clear_guard(&kas, USER_VA), -ENOENT);
    ck_assert_int_eq(mm_pt_clear_guard(&kas, 0x0000800000000000ull), -ENOENT);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
    /* Inside a large page there is no guard. */
    ck_assert_int_eq(mm_pt_map_huge(&kas, KERNEL_VA, 0x400000, 0), 0);
    ck_assert(!mm_pt_is_guard(&kas, KERNEL_VA));
    ck_assert_int_eq(mm_pt_mark_guard(&kas, KERNEL_VA), -EEXIST);
    ck_assert_int_eq(mm_pt_unmap(&kas, KERNEL_VA, NULL), 0);
    /* A guard mark in a user space goes with it. */
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    ck_assert_int_eq(mm_pt_mark_guard(&as, USER_VA), 0);
    mm_aspace_destroy(&as);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
}
END_TEST

START_TEST(test_phys_window)
{
    ck_assert_uint_eq(mm_phys_limit(), MM_SIM_DEFAULT_SIZE);
    ck_assert_ptr_eq(mm_phys_to_virt(0x1234), mm_sim_ram() + 0x1234);
    ck_assert_uint_eq(mm_virt_to_phys(mm_sim_ram() + 0x5678), 0x5678);
}
END_TEST

START_TEST(test_phys_outside_window_panics)
{
    (void)mm_phys_to_virt(MM_SIM_DEFAULT_SIZE); /* exits with status 77 */
}
END_TEST

START_TEST(test_map_anon_out_of_memory_rolls_back)
{
    uint64_t before = mm_frames_free_count(&fa);
    /* More than there is: everything mapped so far is undone. */
    ck_assert_int_eq(mm_pt_map_anon(&kas, USER_VA, (before + 1) * 4096, MM_PTE_W), -ENOMEM);
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA, NULL, NULL), -ENOENT);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
    /* Tables cannot be allocated either. */
    static uint64_t all[8192];
    uint64_t n = 0, pa;
    while (mm_frame_alloc(&fa, &pa) == 0)
        all[n++] = pa;
    ck_assert_int_eq(mm_pt_map(&kas, USER_VA, 0x1000, 0), -ENOMEM);
    ck_assert_int_eq(mm_pt_map_anon(&kas, USER_VA, 4096, 0), -ENOMEM);
    for (uint64_t i = 0; i < n; i++)
        mm_frame_free(&fa, all[i]);
    /* The failed mm_pt_map() left no table behind that it could not account for. */
    mm_pt_unmap_range(&kas, 0, 1ull << 39);
}
END_TEST

START_TEST(test_address_space_shares_kernel_half)
{
    uint64_t before = mm_frames_free_count(&fa);
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before - 1); /* just a PML4 */
    /* A kernel mapping made afterwards is visible in the new space. */
    ck_assert_int_eq(mm_pt_map(&kas, KERNEL_VA, 0x5000, MM_PTE_G), 0);
    uint64_t pa;
    ck_assert_int_eq(mm_pt_translate(&as, KERNEL_VA, &pa, NULL), 0);
    ck_assert_uint_eq(pa, 0x5000);
    /* User mappings are private. */
    ck_assert_int_eq(mm_pt_map_anon(&as, USER_VA, 16 * 4096, MM_PTE_U | MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_map_anon(&as, 0x00007fffffff0000ull, 4096, MM_PTE_U), 0);
    ck_assert_int_eq(mm_pt_map(&as, USER_VA + MM_HUGE_SIZE, 0xb8000, MM_PTE_U), 0);
    ck_assert_int_eq(mm_pt_translate(&kas, USER_VA, NULL, NULL), -ENOENT);
    /* Destroy frees its tables and owned frames, not the kernel's, nor the unowned page. */
    mm_aspace_destroy(&as);
    mm_aspace_destroy(&as); /* harmless twice */
    ck_assert_int_eq(mm_pt_translate(&kas, KERNEL_VA, &pa, NULL), 0);
    ck_assert_int_eq(mm_pt_unmap(&kas, KERNEL_VA, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
}
END_TEST

START_TEST(test_activate_and_tlb)
{
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    ck_assert(!mm_aspace_is_active(&as));
    mm_aspace_activate(&as);
    ck_assert(mm_aspace_is_active(&as));
    ck_assert_uint_eq(read_cr3(), as.pml4);
    ck_assert_int_eq(mm_pt_map(&as, USER_VA, 0x1000, 0), 0);
    ck_assert_int_eq(mm_pt_protect(&as, USER_VA, MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_unmap(&as, USER_VA, NULL), 0);
    mm_aspace_activate(&kas);
    mm_aspace_destroy(&as);
}
END_TEST

START_TEST(test_kernel_space_out_of_memory)
{
    static uint64_t all[8192];
    uint64_t n = 0, pa;
    /* Leave 100 frames: not enough for 257 tables. */
    while (mm_frames_free_count(&fa) > 100 && mm_frame_alloc(&fa, &pa) == 0)
        all[n++] = pa;
    struct mm_aspace as2;
    ck_assert_int_eq(mm_aspace_init_kernel(&as2, &fa), -ENOMEM);
    ck_assert_uint_eq(mm_frames_free_count(&fa), 100);
    while (mm_frame_alloc(&fa, &pa) == 0)
        all[n++] = pa;
    ck_assert_int_eq(mm_aspace_create(&as2, &kas), -ENOMEM);
    for (uint64_t i = 0; i < n; i++)
        mm_frame_free(&fa, all[i]);
}
END_TEST

/* Random map/unmap against a model of which pages are mapped where. */
START_TEST(test_random_against_model)
{
    enum { PAGES = 2048 };
    static uint64_t model[PAGES]; /* pa + 1, or 0 */
    uint64_t before = mm_frames_free_count(&fa);
    unsigned seed = 12345u + (unsigned)_i;
    uintptr_t base = _i % 2 ? KERNEL_VA : USER_VA;
    for (int step = 0; step < 6000; step++) {
        seed = seed * 1103515245u + 12345u;
        int page = (int)((seed >> 8) % PAGES);
        uintptr_t va = base + (uint64_t)page * 4096;
        if (model[page]) {
            uint64_t pa;
            REQUIRE(mm_pt_unmap(&kas, va, &pa) == 0);
            REQUIRE(pa + 1 == model[page]);
            model[page] = 0;
        } else {
            uint64_t pa = (uint64_t)(seed & 0xfff) << 12;
            REQUIRE(mm_pt_map(&kas, va, pa, MM_PTE_W) == 0);
            model[page] = pa + 1;
        }
    }
    for (int page = 0; page < PAGES; page++) {
        uint64_t pa;
        int r = mm_pt_translate(&kas, base + (uint64_t)page * 4096, &pa, NULL);
        REQUIRE(r == (model[page] ? 0 : -ENOENT));
        REQUIRE(!model[page] || pa + 1 == model[page]);
        model[page] = 0;
    }
    mm_pt_unmap_range(&kas, base, PAGES * 4096ull);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
}
END_TEST

/* What a walk saw: the pages visited, in order, and what to do with them. */
struct visits {
    uintptr_t va[64];
    int n;
    int stop_after; /* return -EINTR after this many (0: never) */
    bool clear;     /* unmap each page (and free its owned frame) */
    bool readonly;  /* remove MM_PTE_W and ask for a flush */
    struct mm_frames *fa;
};

static int visit(void *ctx, uintptr_t va, uint64_t *pte)
{
    struct visits *v = ctx;
    REQUIRE(*pte & MM_PTE_P);
    REQUIRE(v->n < 64);
    v->va[v->n++] = va;
    if (v->stop_after && v->n == v->stop_after)
        return -EINTR;
    if (v->clear) {
        if (*pte & MM_PTE_OWNED)
            mm_frame_free(v->fa, *pte & MM_PTE_ADDR);
        *pte = 0;
        return MM_PT_WALK_FLUSH;
    }
    if (v->readonly && (*pte & MM_PTE_W)) {
        *pte &= ~MM_PTE_W;
        return MM_PT_WALK_FLUSH;
    }
    return 0;
}

/* Pages at both sides of a PT, a PD, a PDPT and a PML4 boundary, in address order. */
static const uintptr_t boundary_pages[] = {
    0x1ff000ull,       0x200000ull,     /* PT (2 MiB) */
    0x3ffff000ull,     0x40000000ull,   /* PD (1 GiB) */
    0x7ffffff000ull,   0x8000000000ull, /* PDPT (512 GiB) */
    0x7ffffffff000ull,                  /* the last user page */
};
#define NBOUNDARY (sizeof(boundary_pages) / sizeof(boundary_pages[0]))

START_TEST(test_walk_crosses_table_boundaries)
{
    struct mm_aspace as;
    uint64_t before = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    for (size_t i = 0; i < NBOUNDARY; i++)
        ck_assert_int_eq(mm_pt_map_anon(&as, boundary_pages[i], 4096, MM_PTE_U), 0);
    /* The whole lower half: every page, in order. */
    struct visits v = { 0 };
    ck_assert_int_eq(mm_pt_walk(&as, 0, 0x0000800000000000ull, visit, &v), 0);
    ck_assert_int_eq(v.n, NBOUNDARY);
    for (size_t i = 0; i < NBOUNDARY; i++)
        ck_assert_uint_eq(v.va[i], boundary_pages[i]);
    /* Sub-ranges that start and end in the middle of tables. */
    v = (struct visits){ 0 };
    ck_assert_int_eq(mm_pt_walk(&as, 0x200000, 0x7ffffff000ull + 1, visit, &v), 0);
    ck_assert_int_eq(v.n, 4); /* the end intersects the page at 0x7ffffff000 */
    ck_assert_uint_eq(v.va[0], 0x200000);
    ck_assert_uint_eq(v.va[3], 0x7ffffff000ull);
    v = (struct visits){ 0 };
    ck_assert_int_eq(mm_pt_walk(&as, 0x1ff001, 0x200000, visit, &v), 0);
    ck_assert_int_eq(v.n, 1); /* an unaligned start: its page intersects the range */
    v = (struct visits){ 0 };
    ck_assert_int_eq(mm_pt_walk(&as, 0x201000, 0x3ffff000ull, visit, &v), 0);
    ck_assert_int_eq(v.n, 0);
    mm_aspace_destroy(&as);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
}
END_TEST

START_TEST(test_walk_skips_absent_tables)
{
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    /* Nothing mapped: the 128 TiB of the lower half cost its 256 PML4 entries. */
    struct visits v = { 0 };
    uint64_t reads = as.pt_reads;
    ck_assert_int_eq(mm_pt_walk(&as, 0, 0x0000800000000000ull, visit, &v), 0);
    ck_assert_int_eq(v.n, 0);
    ck_assert_uint_eq(as.pt_reads - reads, 256);
    /* Three pages in one PT inside a 1 GiB range: 1 + 1 + 512 PD entries + 512 PT entries. */
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(mm_pt_map_anon(&as, USER_VA + i * 8 * 4096, 4096, MM_PTE_U), 0);
    reads = as.pt_reads;
    ck_assert_int_eq(mm_pt_walk(&as, 0, 0x40000000, visit, &v), 0);
    ck_assert_int_eq(v.n, 3);
    ck_assert_uint_eq(as.pt_reads - reads, 1 + 1 + 512 + 512);
    /* An 8 MiB range from them: only the PD entries and PT entries in range. */
    v.n = 0;
    reads = as.pt_reads;
    ck_assert_int_eq(mm_pt_walk(&as, USER_VA, USER_VA + 4 * MM_HUGE_SIZE, visit, &v), 0);
    ck_assert_int_eq(v.n, 3);
    ck_assert_uint_eq(as.pt_reads - reads, 1 + 1 + 4 + 512);
    /* One page: a descent, one entry per level. */
    v.n = 0;
    reads = as.pt_reads;
    ck_assert_int_eq(mm_pt_walk(&as, USER_VA + 8 * 4096, USER_VA + 9 * 4096, visit, &v), 0);
    ck_assert_int_eq(v.n, 1);
    ck_assert_uint_eq(as.pt_reads - reads, 4);
    /* An empty range reads nothing. */
    reads = as.pt_reads;
    ck_assert_int_eq(mm_pt_walk(&as, USER_VA, USER_VA, visit, &v), 0);
    ck_assert_uint_eq(as.pt_reads, reads);
    mm_aspace_destroy(&as);
}
END_TEST

START_TEST(test_walk_stops_early)
{
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    for (size_t i = 0; i < NBOUNDARY; i++)
        ck_assert_int_eq(mm_pt_map_anon(&as, boundary_pages[i], 4096, MM_PTE_U | MM_PTE_W), 0);
    for (int stop = 1; stop <= (int)NBOUNDARY; stop++) {
        struct visits v = { .stop_after = stop, .readonly = true };
        ck_assert_int_eq(mm_pt_walk(&as, 0, 0x0000800000000000ull, visit, &v), -EINTR);
        ck_assert_int_eq(v.n, stop);
    }
    /* The pages visited before each stop were changed; that is all of them by now. */
    for (size_t i = 0; i < NBOUNDARY - 1; i++) {
        uint64_t flags;
        ck_assert_int_eq(mm_pt_translate(&as, boundary_pages[i], NULL, &flags), 0);
        ck_assert_uint_eq(flags & MM_PTE_W, 0);
    }
    /* The stopping page's change comes first, then the stop: it was not written. */
    uint64_t flags;
    ck_assert_int_eq(mm_pt_translate(&as, boundary_pages[NBOUNDARY - 1], NULL, &flags), 0);
    ck_assert_uint_ne(flags & MM_PTE_W, 0);
    mm_aspace_destroy(&as);
}
END_TEST

START_TEST(test_walk_modifies_entries)
{
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    mm_aspace_activate(&as); /* flushes go to the (mock) CPU */
    ck_assert_int_eq(mm_pt_map_anon(&as, USER_VA, 4 * 4096, MM_PTE_U | MM_PTE_W), 0);
    struct visits v = { .readonly = true };
    ck_assert_int_eq(mm_pt_walk(&as, USER_VA + 4096, USER_VA + 3 * 4096, visit, &v), 0);
    ck_assert_int_eq(v.n, 2);
    for (int i = 0; i < 4; i++) {
        uint64_t flags;
        ck_assert_int_eq(mm_pt_translate(&as, USER_VA + i * 4096, NULL, &flags), 0);
        ck_assert_uint_eq(!!(flags & MM_PTE_W), i == 0 || i == 3);
        ck_assert(flags & MM_PTE_OWNED);
    }
    mm_aspace_activate(&kas);
    mm_aspace_destroy(&as);
}
END_TEST

START_TEST(test_walk_clearing_frees_tables)
{
    struct mm_aspace as;
    uint64_t before = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    mm_aspace_activate(&as);
    for (size_t i = 0; i < NBOUNDARY; i++)
        ck_assert_int_eq(mm_pt_map_anon(&as, boundary_pages[i], 4096, MM_PTE_U), 0);
    ck_assert_int_eq(mm_pt_mark_guard(&as, USER_VA), 0); /* keeps its PT, PD and PDPT */
    uint64_t tables = as.table_frames;
    /* Clearing the first two pages (one PT each, one PD, one PDPT shared with the guard). */
    struct visits v = { .clear = true, .fa = &fa };
    ck_assert_int_eq(mm_pt_walk(&as, 0, 0x200000 + 4096, visit, &v), 0);
    ck_assert_int_eq(v.n, 2);
    ck_assert_uint_eq(as.table_frames, tables - 2); /* two PTs; the PD holds the guard's PT */
    /* Everything: only the guard's tables and the PML4 are left. */
    v = (struct visits){ .clear = true, .fa = &fa };
    ck_assert_int_eq(mm_pt_walk(&as, 0, 0x0000800000000000ull, visit, &v), 0);
    ck_assert_int_eq(v.n, NBOUNDARY - 2);
    ck_assert_uint_eq(as.table_frames, 4);
    ck_assert(mm_pt_is_guard(&as, USER_VA));
    ck_assert_int_eq(mm_pt_clear_guard(&as, USER_VA), 0);
    ck_assert_uint_eq(as.table_frames, 1);
    mm_aspace_activate(&kas);
    mm_aspace_destroy(&as);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);

    /* In the kernel half, the PT and PD go but the shared PDPT stays. */
    ck_assert_int_eq(mm_pt_map(&kas, KERNEL_VA, 0x5000, MM_PTE_G), 0);
    v = (struct visits){ .clear = true, .fa = &fa };
    ck_assert_int_eq(mm_pt_walk(&kas, KERNEL_VA, KERNEL_VA + MM_HUGE_SIZE, visit, &v), 0);
    ck_assert_int_eq(v.n, 1);
    ck_assert_uint_eq(kas.table_frames, 257);
}
END_TEST

START_TEST(test_walk_huge_pages_and_bad_ranges)
{
    /* A 2 MiB page stops the walk after the pages below it. */
    ck_assert_int_eq(mm_pt_map(&kas, KERNEL_VA - 4096, 0x5000, 0), 0);
    ck_assert_int_eq(mm_pt_map_huge(&kas, KERNEL_VA, 0x400000, 0), 0);
    ck_assert_int_eq(mm_pt_map(&kas, KERNEL_VA + MM_HUGE_SIZE, 0x6000, 0), 0);
    struct visits v = { 0 };
    ck_assert_int_eq(mm_pt_walk(&kas, KERNEL_VA - 4096, KERNEL_VA + 2 * MM_HUGE_SIZE, visit, &v),
                     -ENOTSUP);
    ck_assert_int_eq(v.n, 1);
    ck_assert_uint_eq(v.va[0], KERNEL_VA - 4096);
    /* The upper half is walked with canonical addresses. */
    v = (struct visits){ 0 };
    ck_assert_int_eq(mm_pt_walk(&kas, KERNEL_VA + MM_HUGE_SIZE, 0xfffffffffffff000ull, visit, &v),
                     0);
    ck_assert_int_eq(v.n, 1);
    ck_assert_uint_eq(v.va[0], KERNEL_VA + MM_HUGE_SIZE);
    ck_assert_int_eq(mm_pt_unmap_range(&kas, KERNEL_VA - 4096, 4096 + 2 * MM_HUGE_SIZE), 3);
    /* Bad ranges: backwards, not canonical, across the hole between the halves. */
    ck_assert_int_eq(mm_pt_walk(&kas, USER_VA + 4096, USER_VA, visit, &v), -EINVAL);
    ck_assert_int_eq(mm_pt_walk(&kas, 0x0000800000000000ull, 0x0000800000001000ull, visit, &v),
                     -EINVAL);
    ck_assert_int_eq(mm_pt_walk(&kas, USER_VA, 0x0000800000001000ull, visit, &v), -EINVAL);
    ck_assert_int_eq(mm_pt_walk(&kas, USER_VA, KERNEL_VA, visit, &v), -EINVAL);
    ck_assert_int_eq(mm_pt_unmap_range(&kas, USER_VA, 1ull << 48), 0);
    ck_assert_int_eq(mm_pt_protect_range(&kas, USER_VA, 1ull << 48, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_protect_range(&kas, USER_VA, 4096, MM_PTE_PS), -EINVAL);
}
END_TEST

START_TEST(test_range_calls_and_huge_pages)
{
    /* A 2 MiB page that starts below the range: unmap leaves it, protect refuses. */
    ck_assert_int_eq(mm_pt_map_huge(&kas, KERNEL_VA, 0x400000, MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_map(&kas, KERNEL_VA + MM_HUGE_SIZE, 0x5000, MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_unmap_range(&kas, KERNEL_VA + 4096, MM_HUGE_SIZE - 4096), 0);
    ck_assert_int_eq(mm_pt_protect_range(&kas, KERNEL_VA + 4096, MM_HUGE_SIZE, 0), -EINVAL);
    uint64_t flags;
    ck_assert_int_eq(mm_pt_translate(&kas, KERNEL_VA + MM_HUGE_SIZE, NULL, &flags), 0);
    ck_assert_uint_ne(flags & MM_PTE_W, 0); /* not reached */
    /* One that starts inside is handled whole. */
    ck_assert_int_eq(mm_pt_protect_range(&kas, KERNEL_VA, MM_HUGE_SIZE + 4096, MM_PTE_NX), 0);
    ck_assert_int_eq(mm_pt_translate(&kas, KERNEL_VA + 0x1000, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_PS | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_translate(&kas, KERNEL_VA + MM_HUGE_SIZE, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_unmap_range(&kas, KERNEL_VA, 4096), 1);
    ck_assert_int_eq(mm_pt_translate(&kas, KERNEL_VA + 0x1000, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_unmap_range(&kas, KERNEL_VA, 2 * MM_HUGE_SIZE), 1);
    ck_assert_uint_eq(kas.table_frames, 257);
}
END_TEST

START_TEST(test_unmap_range_cost)
{
    /* A sparse 1 GiB range: the cost follows the tables present, not the size. */
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    ck_assert_int_eq(mm_pt_map_anon(&as, USER_VA, 3 * 4096, MM_PTE_U), 0);
    uint64_t reads = as.pt_reads;
    ck_assert_int_eq(mm_pt_protect_range(&as, 0, 0x40000000, MM_PTE_U | MM_PTE_NX), 0);
    ck_assert_uint_eq(as.pt_reads - reads, 1 + 1 + 512 + 512);
    reads = as.pt_reads;
    ck_assert_int_eq(mm_pt_unmap_range(&as, 0, 0x40000000), 3);
    /* The walk, then one emptiness check each for the PT, the PD and the PDPT. */
    ck_assert_uint_le(as.pt_reads - reads, 1 + 1 + 512 + 512 + 3 * 512);
    ck_assert_uint_eq(as.table_frames, 1);
    mm_aspace_destroy(&as);
}
END_TEST

START_TEST(test_remap)
{
    uint64_t before = mm_frames_free_count(&fa);
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &kas), 0);
    mm_aspace_activate(&as);
    uint64_t a = frame(), b = frame(), pa, flags, old;
    ck_assert_int_eq(mm_pt_map(&as, USER_VA, a, MM_PTE_U | MM_PTE_OWNED), 0);
    uint64_t tables = as.table_frames;
    /* Owned to owned: a is released (it was the only page of its PT: no table moved). */
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, b, MM_PTE_U | MM_PTE_W | MM_PTE_OWNED, &old), 0);
    ck_assert_uint_eq(old, a);
    ck_assert(!mm_frame_is_allocated(&fa, a));
    ck_assert_uint_eq(as.table_frames, tables);
    ck_assert_int_eq(mm_pt_translate(&as, USER_VA + 8, &pa, &flags), 0);
    ck_assert_uint_eq(pa, b + 8);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_U | MM_PTE_W | MM_PTE_OWNED);
    /* The same frame, still owned: new flags, the reference carries over. */
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, b, MM_PTE_U | MM_PTE_OWNED, NULL), 0);
    ck_assert(mm_frame_is_allocated(&fa, b));
    ck_assert_int_eq(mm_pt_translate(&as, USER_VA, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_U | MM_PTE_OWNED);
    /* The same frame, no longer owned: the mapping's (only) reference is dropped. */
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, b, MM_PTE_U, NULL), 0);
    ck_assert(!mm_frame_is_allocated(&fa, b));
    /* Not owned to not owned: nothing released. */
    uint64_t c = frame();
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, c, MM_PTE_U, &old), 0);
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, 0xb8000, MM_PTE_U, &old), 0);
    ck_assert_uint_eq(old, c);
    ck_assert(mm_frame_is_allocated(&fa, c));
    mm_frame_free(&fa, c);
    /* Errors: nothing there, a guard mark, a large page, bad arguments. */
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA + 4096, 0x1000, 0, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_remap(&as, 0x7fff00000000ull, 0x1000, 0, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_mark_guard(&as, USER_VA + 4096), 0);
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA + 4096, 0x1000, 0, NULL), -ENOENT);
    ck_assert(mm_pt_is_guard(&as, USER_VA + 4096));
    ck_assert_int_eq(mm_pt_clear_guard(&as, USER_VA + 4096), 0);
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA + 1, 0x1000, 0, NULL), -EINVAL);
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, 0x1001, 0, NULL), -EINVAL);
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, 0x1000, MM_PTE_PS, NULL), -EINVAL);
    ck_assert_int_eq(mm_pt_remap(&as, 0x0000800000000000ull, 0x1000, 0, NULL), -EINVAL);
    ck_assert_int_eq(mm_pt_map_huge(&as, USER_VA + MM_HUGE_SIZE, 0x400000, MM_PTE_U), 0);
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA + MM_HUGE_SIZE, 0x1000, 0, NULL), -EINVAL);
    ck_assert_int_eq(mm_pt_translate(&as, USER_VA + MM_HUGE_SIZE, &pa, NULL), 0);
    ck_assert_uint_eq(pa, 0x400000);
    mm_aspace_activate(&kas);
    mm_aspace_destroy(&as);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
}
END_TEST

Suite *pt_suite(void)
{
    Suite *s = suite_create("pt");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_kernel_space_shape);
    tcase_add_test(tc, test_map_translate_unmap);
    tcase_add_test(tc, test_tables_freed_only_when_empty);
    tcase_add_test(tc, test_huge_pages);
    tcase_add_test(tc, test_owned_huge_page);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_protect_and_nx);
    tcase_add_test(tc, test_map_range_uses_huge_pages);
    tcase_add_test(tc, test_map_anon);
    tcase_add_test(tc, test_map_anon_out_of_memory_rolls_back);
    tcase_add_test(tc, test_map_anon_conflict_rolls_back);
    tcase_add_test(tc, test_guard_marks);
    tcase_add_test(tc, test_phys_window);
    tcase_add_exit_test(tc, test_phys_outside_window_panics, 77);
    tcase_add_test(tc, test_address_space_shares_kernel_half);
    tcase_add_test(tc, test_activate_and_tlb);
    tcase_add_test(tc, test_kernel_space_out_of_memory);
    tcase_add_loop_test(tc, test_random_against_model, 0, 4);
    tcase_add_test(tc, test_walk_crosses_table_boundaries);
    tcase_add_test(tc, test_walk_skips_absent_tables);
    tcase_add_test(tc, test_walk_stops_early);
    tcase_add_test(tc, test_walk_modifies_entries);
    tcase_add_test(tc, test_walk_clearing_frees_tables);
    tcase_add_test(tc, test_walk_huge_pages_and_bad_ranges);
    tcase_add_test(tc, test_range_calls_and_huge_pages);
    tcase_add_test(tc, test_unmap_range_cost);
    tcase_add_test(tc, test_remap);
    suite_add_tcase(s, tc);
    return s;
}
