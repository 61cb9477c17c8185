/*
 * test_pt.c - page tables and address spaces on simulated RAM. Mappings are
 * checked by walking the tables independently of libmm's own walker. The
 * range walks are in test_pt_walk.c; the fixture both use is here.
 */
#include "cpu_mock.h"
#include "mm_sim.h"
#include "pt_fixture.h"
#include "suites.h"
#include <arch/cpu.h>
#include <k/errno.h>
#include <check.h>
#include <mm/phys.h>
#include <mm/vm.h>

struct mm_frames pt_fa;
struct mm_aspace pt_kas;
static uint64_t free_at_start;

void pt_setup(void)
{
    cpu_mock_reset();
    mm_sim_init(MM_SIM_DEFAULT_SIZE);
    mm_sim_frames(&pt_fa);
    free_at_start = mm_frames_free_count(&pt_fa);
    ck_assert_int_eq(mm_aspace_init_kernel(&pt_kas, &pt_fa), 0);
    mm_pt_set_nx_supported(true);
}

void pt_teardown(void)
{
    mm_aspace_destroy(&pt_kas);
    /* Every test must leave no frame behind. */
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), free_at_start);
    mm_sim_fini();
}

uint64_t pt_walk_leaf(const struct mm_aspace *as, uintptr_t va, int *level)
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

uint64_t pt_frame(void)
{
    uint64_t pa;
    ck_assert_int_eq(mm_frame_alloc(&pt_fa, &pa), 0);
    return pa;
}

START_TEST(test_kernel_space_shape)
{
    /* PML4 plus 256 upper-half PDPTs. */
    ck_assert_uint_eq(mm_aspace_table_frames(&pt_kas), 257);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), free_at_start - 257);
    const uint64_t *pml4 = mm_phys_to_virt(pt_kas.pml4);
    for (int i = 0; i < 256; i++)
        ck_assert_uint_eq(pml4[i], 0);
    for (int i = 256; i < 512; i++)
        ck_assert_uint_eq(pml4[i] & (MM_PTE_P | MM_PTE_W | MM_PTE_U), MM_PTE_P | MM_PTE_W);
}
END_TEST

START_TEST(test_map_translate_unmap)
{
    uint64_t pa = pt_frame(), got, flags;
    uint64_t before = mm_frames_free_count(&pt_fa);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA, pa, MM_PTE_W | MM_PTE_U | MM_PTE_NX), 0);
    /* PDPT, PD and PT were created for the lower half. */
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before - 3);
    int level;
    uint64_t e = pt_walk_leaf(&pt_kas, USER_VA, &level);
    ck_assert_int_eq(level, 1);
    ck_assert_uint_eq(e & MM_PTE_ADDR, pa);
    ck_assert_uint_eq(e & ~MM_PTE_ADDR, MM_PTE_P | MM_PTE_W | MM_PTE_U | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA + 0x123, &got, &flags), 0);
    ck_assert_uint_eq(got, pa + 0x123);
    ck_assert_uint_eq(flags, e & ~MM_PTE_ADDR);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA + 4096, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, 0, NULL, NULL), -ENOENT);
    /* Intermediate entries of the lower half are user-accessible. */
    const uint64_t *pml4 = mm_phys_to_virt(pt_kas.pml4);
    ck_assert(pml4[0] & MM_PTE_U);

    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA, pa, 0), -EEXIST);
    uint64_t old;
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA, &old), 0);
    ck_assert_uint_eq(old, pa);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA, NULL), -ENOENT);
    /* The three tables are gone again, and the frame (not owned) is still ours. */
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
    ck_assert_uint_eq(pml4[0], 0);
    ck_assert(mm_frame_is_allocated(&pt_fa, pa));
    mm_frame_free(&pt_fa, pa);
}
END_TEST

START_TEST(test_tables_freed_only_when_empty)
{
    uint64_t before = mm_frames_free_count(&pt_fa);
    /* Two pages sharing a PT, one in another PD entry. */
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA, 0x400000, 0), 0);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA + 4096, 0x401000, 0), 0);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA + MM_HUGE_SIZE, 0x800000, 0), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before - 4);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before - 4);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA + 4096, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before - 3); /* first PT freed */
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA + MM_HUGE_SIZE, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);

    /* Upper half: PT and PD freed, the shared PDPT stays. */
    ck_assert_int_eq(mm_pt_map(&pt_kas, KERNEL_VA, 0x400000, MM_PTE_G), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before - 2);
    const uint64_t *pml4 = mm_phys_to_virt(pt_kas.pml4);
    ck_assert(!(pml4[384] & MM_PTE_U));
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, KERNEL_VA, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
    ck_assert(pml4[384] & MM_PTE_P);
}
END_TEST

START_TEST(test_huge_pages)
{
    uint64_t pa, flags;
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, KERNEL_VA, 0x400000, MM_PTE_W | MM_PTE_G), 0);
    int level;
    uint64_t e = pt_walk_leaf(&pt_kas, KERNEL_VA, &level);
    ck_assert_int_eq(level, 2);
    ck_assert(e & MM_PTE_PS);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, KERNEL_VA + 0x12345, &pa, &flags), 0);
    ck_assert_uint_eq(pa, 0x412345);
    ck_assert(flags & MM_PTE_PS);
    /* Conflicts with the large page. */
    ck_assert_int_eq(mm_pt_map(&pt_kas, KERNEL_VA + 4096, 0x1000, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, KERNEL_VA, 0x600000, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, KERNEL_VA + 4096, NULL), -EINVAL);
    ck_assert_int_eq(mm_pt_protect(&pt_kas, KERNEL_VA + 4096, 0), -EINVAL);
    /* Misaligned. */
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, KERNEL_VA + 4096, 0x400000, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, KERNEL_VA + MM_HUGE_SIZE, 0x401000, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_protect(&pt_kas, KERNEL_VA, MM_PTE_NX), 0);
    e = pt_walk_leaf(&pt_kas, KERNEL_VA, &level);
    ck_assert_uint_eq(e & ~MM_PTE_ADDR, MM_PTE_P | MM_PTE_PS | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, KERNEL_VA, &pa), 0);
    ck_assert_uint_eq(pa, 0x400000);
    /* A large page cannot go where a page table already exists. */
    ck_assert_int_eq(mm_pt_map(&pt_kas, KERNEL_VA + 4096, 0x1000, 0), 0);
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, KERNEL_VA, 0x400000, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, KERNEL_VA + 4096, NULL), 0);
}
END_TEST

START_TEST(test_read_range)
{
    /* Pages on both sides of a 2 MiB boundary, holes between, and a 2 MiB
     * stretch with no table at all. */
    uint64_t base = USER_VA + MM_HUGE_SIZE - 3 * MM_PAGE_SIZE; /* 3 pages before a boundary */
    uint64_t pa[6];
    const int at[6] = { 0, 2, 3, 5, 4 + 512 + 512, 4 + 512 + 513 };
    for (int i = 0; i < 6; i++) {
        pa[i] = pt_frame();
        ck_assert_int_eq(mm_pt_map(&pt_kas, base + at[i] * MM_PAGE_SIZE, pa[i],
                                   MM_PTE_U | (i % 2 ? MM_PTE_W : 0)),
                         0);
    }
    enum { N = 4 + 512 + 514 };
    static uint64_t got[N];
    uint64_t reads = pt_kas.pt_reads;
    ck_assert_int_eq(mm_pt_read_range(&pt_kas, base, N, got), 0);
    /* Four 2 MiB stretches, one descent (3 entries) each, then only the
     * entries asked for in the three with a table: 3 + 512 + 3. */
    ck_assert_uint_eq(pt_kas.pt_reads - reads, 4 * 3 + 3 + 512 + 3);
    int k = 0;
    for (int p = 0; p < N; p++) {
        int level;
        uint64_t want = pt_walk_leaf(&pt_kas, base + (uint64_t)p * MM_PAGE_SIZE, &level);
        ck_assert_uint_eq(got[p], want);
        if (k < 6 && p == at[k]) {
            ck_assert_uint_eq(got[p] & MM_PTE_ADDR, pa[k]);
            ck_assert_uint_eq(got[p] & (MM_PTE_P | MM_PTE_U | MM_PTE_W),
                              MM_PTE_P | MM_PTE_U | (k % 2 ? MM_PTE_W : 0));
            k++;
        } else {
            ck_assert_uint_eq(got[p], 0);
        }
    }
    ck_assert_int_eq(k, 6);
    /* A guard mark reads as itself: not present. */
    ck_assert_int_eq(mm_pt_mark_guard(&pt_kas, base + MM_PAGE_SIZE), 0);
    ck_assert_int_eq(mm_pt_read_range(&pt_kas, base, 2, got), 0);
    ck_assert_uint_eq(got[1], MM_PTE_GUARD);
    ck_assert_int_eq(mm_pt_clear_guard(&pt_kas, base + MM_PAGE_SIZE), 0);
    /* Bad ranges. */
    ck_assert_int_eq(mm_pt_read_range(&pt_kas, base + 8, 1, got), -EINVAL);
    ck_assert_int_eq(mm_pt_read_range(&pt_kas, 0x00007ffffffff000ull, 2, got), -EINVAL);
    ck_assert_int_eq(mm_pt_read_range(&pt_kas, 0x0000800000000000ull, 1, got), -EINVAL);
    ck_assert_int_eq(mm_pt_read_range(&pt_kas, base, 0, got), 0);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(mm_pt_unmap(&pt_kas, base + at[i] * MM_PAGE_SIZE, NULL), 0);
    for (int i = 0; i < 6; i++)
        mm_frame_free(&pt_fa, pa[i]);
    /* A large page in the range: its entries are not level-1 entries. */
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, KERNEL_VA, 0x400000, MM_PTE_W), 0);
    got[0] = 1;
    ck_assert_int_eq(mm_pt_read_range(&pt_kas, KERNEL_VA, 1, got), -ENOTSUP);
    ck_assert_uint_eq(got[0], 0);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, KERNEL_VA, NULL), 0);
}
END_TEST

START_TEST(test_owned_huge_page)
{
    uint64_t before = mm_frames_free_count(&pt_fa), run;
    ck_assert_int_eq(mm_frame_alloc_contig(&pt_fa, 512, MM_HUGE_SIZE, &run), 0);
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, USER_VA, run, MM_PTE_OWNED | MM_PTE_U), 0);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
}
END_TEST

START_TEST(test_bad_arguments)
{
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA + 1, 0x1000, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA, 0x1001, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map(&pt_kas, 0x0000800000000000ull, 0x1000, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA, 1ull << 52, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA, 0x1000, MM_PTE_PS), -EINVAL);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, 0x0000800000000000ull, NULL), -EINVAL);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, 0x0000800000000000ull, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_protect(&pt_kas, 0x0000800000000000ull, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_protect(&pt_kas, USER_VA, MM_PTE_A), -EINVAL);
    ck_assert_int_eq(mm_pt_protect(&pt_kas, USER_VA, 0), -ENOENT);
    ck_assert_int_eq(mm_pt_map_range(&pt_kas, USER_VA, 0, 100, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_map_range(&pt_kas, USER_VA, 0, 4096, MM_PTE_OWNED), -EINVAL);
    ck_assert_int_eq(mm_pt_map_anon(&pt_kas, USER_VA, 100, 0), -EINVAL);
}
END_TEST

START_TEST(test_protect_and_nx)
{
    uint64_t pa = pt_frame(), flags;
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA, pa, MM_PTE_W | MM_PTE_OWNED), 0);
    ck_assert_int_eq(mm_pt_protect(&pt_kas, USER_VA, MM_PTE_NX | MM_PTE_U | MM_PTE_OWNED), 0);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_NX | MM_PTE_U | MM_PTE_OWNED); /* still owned */
    /* Without NX support the bit is dropped. */
    mm_pt_set_nx_supported(false);
    ck_assert_int_eq(mm_pt_protect(&pt_kas, USER_VA, MM_PTE_NX | MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_W | MM_PTE_OWNED);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA + 4096, 0x1000, MM_PTE_NX), 0);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA + 4096, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P);
    mm_pt_set_nx_supported(true);
    ck_assert_int_eq(mm_pt_protect_range(&pt_kas, USER_VA, 3 * 4096, MM_PTE_NX), 0);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA + 4096, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA + 4096, NULL), 0);
    /* The owned frame goes back when unmapped. */
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA, NULL), 0);
    ck_assert(!mm_frame_is_allocated(&pt_fa, pa));
}
END_TEST

START_TEST(test_map_range_uses_huge_pages)
{
    /* 4 KiB head, two 2 MiB pages, 4 KiB tail. */
    uintptr_t va = KERNEL_VA - 2 * 4096;
    uint64_t pa = 0x400000 - 2 * 4096, size = 2 * 4096 + 2 * MM_HUGE_SIZE + 3 * 4096;
    ck_assert_int_eq(mm_pt_map_range(&pt_kas, va, pa, size, MM_PTE_W), 0);
    int level, huge = 0, small = 0;
    for (uint64_t off = 0; off < size; off += 4096) {
        uint64_t e = pt_walk_leaf(&pt_kas, va + off, &level);
        REQUIRE(e & MM_PTE_P);
        uint64_t got;
        REQUIRE(mm_pt_translate(&pt_kas, va + off, &got, NULL) == 0);
        REQUIRE(got == pa + off);
        if (level == 2 && ((va + off) & (MM_HUGE_SIZE - 1)) == 0)
            huge++;
        if (level == 1)
            small++;
    }
    ck_assert_int_eq(huge, 2);
    ck_assert_int_eq(small, 5);
    ck_assert_int_eq(mm_pt_unmap_range(&pt_kas, va, size), 2 + 2 + 3);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, KERNEL_VA, NULL, NULL), -ENOENT);
    /* Mis-aligned physical address: all 4 KiB pages. */
    ck_assert_int_eq(mm_pt_map_range(&pt_kas, KERNEL_VA, 0x401000, MM_HUGE_SIZE, 0), 0);
    ck_assert_int_eq(mm_pt_unmap_range(&pt_kas, KERNEL_VA, MM_HUGE_SIZE), 512);
    /* A conflict in the middle rolls everything back. */
    ck_assert_int_eq(mm_pt_map(&pt_kas, KERNEL_VA + 8 * 4096, 0x1000, 0), 0);
    ck_assert_int_eq(mm_pt_map_range(&pt_kas, KERNEL_VA, 0x1000, 16 * 4096, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, KERNEL_VA, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_unmap_range(&pt_kas, KERNEL_VA, 16 * 4096), 1);
}
END_TEST

START_TEST(test_map_anon)
{
    uint64_t before = mm_frames_free_count(&pt_fa);
    ck_assert_int_eq(mm_pt_map_anon(&pt_kas, USER_VA, 8 * 4096, MM_PTE_W | MM_PTE_U), 0);
    for (int i = 0; i < 8; i++) {
        uint64_t pa, flags;
        ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA + i * 4096, &pa, &flags), 0);
        ck_assert(flags & MM_PTE_OWNED);
        ck_assert(mm_frame_is_allocated(&pt_fa, pa));
        const uint8_t *p = mm_phys_to_virt(pa);
        ck_assert_uint_eq(p[0] | p[4095], 0); /* zeroed */
    }
    ck_assert_int_eq(mm_pt_unmap_range(&pt_kas, USER_VA, 8 * 4096), 8);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
}
END_TEST

START_TEST(test_map_anon_conflict_rolls_back)
{
    uint64_t before = mm_frames_free_count(&pt_fa);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA + 3 * 4096, 0x1000, 0), 0);
    uint64_t with_tables = mm_frames_free_count(&pt_fa);
    ck_assert_int_eq(mm_pt_map_anon(&pt_kas, USER_VA, 8 * 4096, MM_PTE_W), -EEXIST);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), with_tables);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA + 3 * 4096, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
}
END_TEST

START_TEST(test_guard_marks)
{
    uint64_t before = mm_frames_free_count(&pt_fa);
    ck_assert_int_eq(mm_pt_mark_guard(&pt_kas, USER_VA + 1), -EINVAL);
    ck_assert_int_eq(mm_pt_mark_guard(&pt_kas, USER_VA), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before - 3); /* tables, as for a page */
    ck_assert(mm_pt_is_guard(&pt_kas, USER_VA + 8));
    ck_assert(!mm_pt_is_guard(&pt_kas, USER_VA + 4096));
    ck_assert(!mm_pt_is_guard(&pt_kas, 0x0000800000000000ull));
    /* Not a mapping: not translated, not unmapped, but nothing can go there. */
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA, 0x1000, 0), -EEXIST);
    ck_assert_int_eq(mm_pt_mark_guard(&pt_kas, USER_VA), -EEXIST);
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA + 4096, 0x1000, 0), 0);
    ck_assert_int_eq(mm_pt_mark_guard(&pt_kas, USER_VA + 4096), -EEXIST);
    ck_assert_int_eq(mm_pt_clear_guard(&pt_kas, USER_VA + 4096), -ENOENT); /* a mapping */
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, USER_VA + 4096, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before - 3); /* the mark keeps the PT */
    ck_assert_int_eq(mm_pt_clear_guard(&pt_kas, USER_VA), 0);
    ck_assert_int_eq(mm_pt_clear_guard(&pt_kas, USER_VA), -ENOENT);
    ck_assert_int_eq(mm_pt_clear_guard(&pt_kas, 0x0000800000000000ull), -ENOENT);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
    /* Inside a large page there is no guard. */
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, KERNEL_VA, 0x400000, 0), 0);
    ck_assert(!mm_pt_is_guard(&pt_kas, KERNEL_VA));
    ck_assert_int_eq(mm_pt_mark_guard(&pt_kas, KERNEL_VA), -EEXIST);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, KERNEL_VA, NULL), 0);
    /* A guard mark in a user space goes with it. */
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
    ck_assert_int_eq(mm_pt_mark_guard(&as, USER_VA), 0);
    mm_aspace_destroy(&as);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
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
    uint64_t before = mm_frames_free_count(&pt_fa);
    /* More than there is: everything mapped so far is undone. */
    ck_assert_int_eq(mm_pt_map_anon(&pt_kas, USER_VA, (before + 1) * 4096, MM_PTE_W), -ENOMEM);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA, NULL, NULL), -ENOENT);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
    /* Tables cannot be allocated either. */
    static uint64_t all[8192];
    uint64_t n = 0, pa;
    while (mm_frame_alloc(&pt_fa, &pa) == 0)
        all[n++] = pa;
    ck_assert_int_eq(mm_pt_map(&pt_kas, USER_VA, 0x1000, 0), -ENOMEM);
    ck_assert_int_eq(mm_pt_map_anon(&pt_kas, USER_VA, 4096, 0), -ENOMEM);
    for (uint64_t i = 0; i < n; i++)
        mm_frame_free(&pt_fa, all[i]);
    /* The failed mm_pt_map() left no table behind that it could not account for. */
    mm_pt_unmap_range(&pt_kas, 0, 1ull << 39);
}
END_TEST

START_TEST(test_address_space_shares_kernel_half)
{
    uint64_t before = mm_frames_free_count(&pt_fa);
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before - 1); /* just a PML4 */
    /* A kernel mapping made afterwards is visible in the new space. */
    ck_assert_int_eq(mm_pt_map(&pt_kas, KERNEL_VA, 0x5000, MM_PTE_G), 0);
    uint64_t pa;
    ck_assert_int_eq(mm_pt_translate(&as, KERNEL_VA, &pa, NULL), 0);
    ck_assert_uint_eq(pa, 0x5000);
    /* User mappings are private. */
    ck_assert_int_eq(mm_pt_map_anon(&as, USER_VA, 16 * 4096, MM_PTE_U | MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_map_anon(&as, 0x00007fffffff0000ull, 4096, MM_PTE_U), 0);
    ck_assert_int_eq(mm_pt_map(&as, USER_VA + MM_HUGE_SIZE, 0xb8000, MM_PTE_U), 0);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, USER_VA, NULL, NULL), -ENOENT);
    /* Destroy frees its tables and owned frames, not the kernel's, nor the unowned page. */
    mm_aspace_destroy(&as);
    mm_aspace_destroy(&as); /* harmless twice */
    ck_assert_int_eq(mm_pt_translate(&pt_kas, KERNEL_VA, &pa, NULL), 0);
    ck_assert_int_eq(mm_pt_unmap(&pt_kas, KERNEL_VA, NULL), 0);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
}
END_TEST

START_TEST(test_activate_and_tlb)
{
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
    ck_assert(!mm_aspace_is_active(&as));
    mm_aspace_activate(&as);
    ck_assert(mm_aspace_is_active(&as));
    ck_assert_uint_eq(read_cr3(), as.pml4);
    ck_assert_int_eq(mm_pt_map(&as, USER_VA, 0x1000, 0), 0);
    ck_assert_int_eq(mm_pt_protect(&as, USER_VA, MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_unmap(&as, USER_VA, NULL), 0);
    mm_aspace_activate(&pt_kas);
    mm_aspace_destroy(&as);
}
END_TEST

START_TEST(test_kernel_space_out_of_memory)
{
    static uint64_t all[8192];
    uint64_t n = 0, pa;
    /* Leave 100 frames: not enough for 257 tables. */
    while (mm_frames_free_count(&pt_fa) > 100 && mm_frame_alloc(&pt_fa, &pa) == 0)
        all[n++] = pa;
    struct mm_aspace as2;
    ck_assert_int_eq(mm_aspace_init_kernel(&as2, &pt_fa), -ENOMEM);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), 100);
    while (mm_frame_alloc(&pt_fa, &pa) == 0)
        all[n++] = pa;
    ck_assert_int_eq(mm_aspace_create(&as2, &pt_kas), -ENOMEM);
    for (uint64_t i = 0; i < n; i++)
        mm_frame_free(&pt_fa, all[i]);
}
END_TEST

/* Random map/unmap against a model of which pages are mapped where. */
START_TEST(test_random_against_model)
{
    enum { PAGES = 2048 };
    static uint64_t model[PAGES]; /* pa + 1, or 0 */
    uint64_t before = mm_frames_free_count(&pt_fa);
    unsigned seed = 12345u + (unsigned)_i;
    uintptr_t base = _i % 2 ? KERNEL_VA : USER_VA;
    for (int step = 0; step < 6000; step++) {
        seed = seed * 1103515245u + 12345u;
        int page = (int)((seed >> 8) % PAGES);
        uintptr_t va = base + (uint64_t)page * 4096;
        if (model[page]) {
            uint64_t pa;
            REQUIRE(mm_pt_unmap(&pt_kas, va, &pa) == 0);
            REQUIRE(pa + 1 == model[page]);
            model[page] = 0;
        } else {
            uint64_t pa = (uint64_t)(seed & 0xfff) << 12;
            REQUIRE(mm_pt_map(&pt_kas, va, pa, MM_PTE_W) == 0);
            model[page] = pa + 1;
        }
    }
    for (int page = 0; page < PAGES; page++) {
        uint64_t pa;
        int r = mm_pt_translate(&pt_kas, base + (uint64_t)page * 4096, &pa, NULL);
        REQUIRE(r == (model[page] ? 0 : -ENOENT));
        REQUIRE(!model[page] || pa + 1 == model[page]);
        model[page] = 0;
    }
    mm_pt_unmap_range(&pt_kas, base, PAGES * 4096ull);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
}
END_TEST

Suite *pt_suite(void)
{
    Suite *s = suite_create("pt");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, pt_setup, pt_teardown);
    tcase_add_test(tc, test_kernel_space_shape);
    tcase_add_test(tc, test_map_translate_unmap);
    tcase_add_test(tc, test_tables_freed_only_when_empty);
    tcase_add_test(tc, test_huge_pages);
    tcase_add_test(tc, test_owned_huge_page);
    tcase_add_test(tc, test_read_range);
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
    suite_add_tcase(s, tc);
    return s;
}
