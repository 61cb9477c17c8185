/*
 * test_pt_walk.c - the range walks: mm_pt_walk visits only present entries and
 * may change or clear them, the *_range calls, and mm_pt_remap. Their cost is
 * checked too: the entries they read (mm_aspace::pt_reads) follow the tables
 * present, not the size of the range.
 */
#include "cpu_mock.h"
#include "mm_sim.h"
#include "pt_fixture.h"
#include "suites.h"
#include <arch/cpu.h>
#include <check.h>
#include <k/errno.h>
#include <mm/phys.h>
#include <mm/vm.h>

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
    uint64_t before = mm_frames_free_count(&pt_fa);
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
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
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
}
END_TEST

START_TEST(test_walk_skips_absent_tables)
{
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
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
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
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
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
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
    mm_aspace_activate(&pt_kas);
    mm_aspace_destroy(&as);
}
END_TEST

START_TEST(test_walk_clearing_frees_tables)
{
    struct mm_aspace as;
    uint64_t before = mm_frames_free_count(&pt_fa);
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
    mm_aspace_activate(&as);
    for (size_t i = 0; i < NBOUNDARY; i++)
        ck_assert_int_eq(mm_pt_map_anon(&as, boundary_pages[i], 4096, MM_PTE_U), 0);
    ck_assert_int_eq(mm_pt_mark_guard(&as, USER_VA), 0); /* keeps its PT, PD and PDPT */
    uint64_t tables = mm_aspace_table_frames(&as);
    /* Clearing the first two pages (one PT each, one PD, one PDPT shared with the guard). */
    struct visits v = { .clear = true, .fa = &pt_fa };
    ck_assert_int_eq(mm_pt_walk(&as, 0, 0x200000 + 4096, visit, &v), 0);
    ck_assert_int_eq(v.n, 2);
    ck_assert_uint_eq(mm_aspace_table_frames(&as), tables - 2); /* two PTs; the PD holds the guard's PT */
    /* Everything: only the guard's tables and the PML4 are left. */
    v = (struct visits){ .clear = true, .fa = &pt_fa };
    ck_assert_int_eq(mm_pt_walk(&as, 0, 0x0000800000000000ull, visit, &v), 0);
    ck_assert_int_eq(v.n, NBOUNDARY - 2);
    ck_assert_uint_eq(mm_aspace_table_frames(&as), 4);
    ck_assert(mm_pt_is_guard(&as, USER_VA));
    ck_assert_int_eq(mm_pt_clear_guard(&as, USER_VA), 0);
    ck_assert_uint_eq(mm_aspace_table_frames(&as), 1);
    mm_aspace_activate(&pt_kas);
    mm_aspace_destroy(&as);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);

    /* In the kernel half, the PT and PD go but the shared PDPT stays. */
    ck_assert_int_eq(mm_pt_map(&pt_kas, KERNEL_VA, 0x5000, MM_PTE_G), 0);
    v = (struct visits){ .clear = true, .fa = &pt_fa };
    ck_assert_int_eq(mm_pt_walk(&pt_kas, KERNEL_VA, KERNEL_VA + MM_HUGE_SIZE, visit, &v), 0);
    ck_assert_int_eq(v.n, 1);
    ck_assert_uint_eq(pt_kas.table_frames, 257);
}
END_TEST

START_TEST(test_walk_huge_pages_and_bad_ranges)
{
    /* A 2 MiB page stops the walk after the pages below it. */
    ck_assert_int_eq(mm_pt_map(&pt_kas, KERNEL_VA - 4096, 0x5000, 0), 0);
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, KERNEL_VA, 0x400000, 0), 0);
    ck_assert_int_eq(mm_pt_map(&pt_kas, KERNEL_VA + MM_HUGE_SIZE, 0x6000, 0), 0);
    struct visits v = { 0 };
    ck_assert_int_eq(mm_pt_walk(&pt_kas, KERNEL_VA - 4096, KERNEL_VA + 2 * MM_HUGE_SIZE, visit, &v),
                     -ENOTSUP);
    ck_assert_int_eq(v.n, 1);
    ck_assert_uint_eq(v.va[0], KERNEL_VA - 4096);
    /* The upper half is walked with canonical addresses. */
    v = (struct visits){ 0 };
    ck_assert_int_eq(
        mm_pt_walk(&pt_kas, KERNEL_VA + MM_HUGE_SIZE, 0xfffffffffffff000ull, visit, &v), 0);
    ck_assert_int_eq(v.n, 1);
    ck_assert_uint_eq(v.va[0], KERNEL_VA + MM_HUGE_SIZE);
    ck_assert_int_eq(mm_pt_unmap_range(&pt_kas, KERNEL_VA - 4096, 4096 + 2 * MM_HUGE_SIZE), 3);
    /* Bad ranges: backwards, not canonical, across the hole between the halves. */
    ck_assert_int_eq(mm_pt_walk(&pt_kas, USER_VA + 4096, USER_VA, visit, &v), -EINVAL);
    ck_assert_int_eq(mm_pt_walk(&pt_kas, 0x0000800000000000ull, 0x0000800000001000ull, visit, &v),
                     -EINVAL);
    ck_assert_int_eq(mm_pt_walk(&pt_kas, USER_VA, 0x0000800000001000ull, visit, &v), -EINVAL);
    ck_assert_int_eq(mm_pt_walk(&pt_kas, USER_VA, KERNEL_VA, visit, &v), -EINVAL);
    ck_assert_int_eq(mm_pt_unmap_range(&pt_kas, USER_VA, 1ull << 48), 0);
    ck_assert_int_eq(mm_pt_protect_range(&pt_kas, USER_VA, 1ull << 48, 0), -EINVAL);
    ck_assert_int_eq(mm_pt_protect_range(&pt_kas, USER_VA, 4096, MM_PTE_PS), -EINVAL);
}
END_TEST

START_TEST(test_range_calls_and_huge_pages)
{
    /* A 2 MiB page that starts below the range: unmap leaves it, protect refuses. */
    ck_assert_int_eq(mm_pt_map_huge(&pt_kas, KERNEL_VA, 0x400000, MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_map(&pt_kas, KERNEL_VA + MM_HUGE_SIZE, 0x5000, MM_PTE_W), 0);
    ck_assert_int_eq(mm_pt_unmap_range(&pt_kas, KERNEL_VA + 4096, MM_HUGE_SIZE - 4096), 0);
    ck_assert_int_eq(mm_pt_protect_range(&pt_kas, KERNEL_VA + 4096, MM_HUGE_SIZE, 0), -EINVAL);
    uint64_t flags;
    ck_assert_int_eq(mm_pt_translate(&pt_kas, KERNEL_VA + MM_HUGE_SIZE, NULL, &flags), 0);
    ck_assert_uint_ne(flags & MM_PTE_W, 0); /* not reached */
    /* One that starts inside is handled whole. */
    ck_assert_int_eq(mm_pt_protect_range(&pt_kas, KERNEL_VA, MM_HUGE_SIZE + 4096, MM_PTE_NX), 0);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, KERNEL_VA + 0x1000, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_PS | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, KERNEL_VA + MM_HUGE_SIZE, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_NX);
    ck_assert_int_eq(mm_pt_unmap_range(&pt_kas, KERNEL_VA, 4096), 1);
    ck_assert_int_eq(mm_pt_translate(&pt_kas, KERNEL_VA + 0x1000, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_unmap_range(&pt_kas, KERNEL_VA, 2 * MM_HUGE_SIZE), 1);
    ck_assert_uint_eq(pt_kas.table_frames, 257);
}
END_TEST

START_TEST(test_unmap_range_cost)
{
    /* A sparse 1 GiB range: the cost follows the tables present, not the size. */
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
    ck_assert_int_eq(mm_pt_map_anon(&as, USER_VA, 3 * 4096, MM_PTE_U), 0);
    uint64_t reads = as.pt_reads;
    ck_assert_int_eq(mm_pt_protect_range(&as, 0, 0x40000000, MM_PTE_U | MM_PTE_NX), 0);
    ck_assert_uint_eq(as.pt_reads - reads, 1 + 1 + 512 + 512);
    reads = as.pt_reads;
    ck_assert_int_eq(mm_pt_unmap_range(&as, 0, 0x40000000), 3);
    /* The walk, then one emptiness check each for the PT, the PD and the PDPT. */
    ck_assert_uint_le(as.pt_reads - reads, 1 + 1 + 512 + 512 + 3 * 512);
    ck_assert_uint_eq(mm_aspace_table_frames(&as), 1);
    mm_aspace_destroy(&as);
}
END_TEST

START_TEST(test_remap)
{
    uint64_t before = mm_frames_free_count(&pt_fa);
    struct mm_aspace as;
    ck_assert_int_eq(mm_aspace_create(&as, &pt_kas), 0);
    mm_aspace_activate(&as);
    uint64_t a = pt_frame(), b = pt_frame(), pa, flags, old;
    ck_assert_int_eq(mm_pt_map(&as, USER_VA, a, MM_PTE_U | MM_PTE_OWNED), 0);
    uint64_t tables = mm_aspace_table_frames(&as);
    /* Owned to owned: a is released (it was the only page of its PT: no table moved). */
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, b, MM_PTE_U | MM_PTE_W | MM_PTE_OWNED, &old), 0);
    ck_assert_uint_eq(old, a);
    ck_assert(!mm_frame_is_allocated(&pt_fa, a));
    ck_assert_uint_eq(mm_aspace_table_frames(&as), tables);
    ck_assert_int_eq(mm_pt_translate(&as, USER_VA + 8, &pa, &flags), 0);
    ck_assert_uint_eq(pa, b + 8);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_U | MM_PTE_W | MM_PTE_OWNED);
    /* The same frame, still owned: new flags, the reference carries over. */
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, b, MM_PTE_U | MM_PTE_OWNED, NULL), 0);
    ck_assert(mm_frame_is_allocated(&pt_fa, b));
    ck_assert_int_eq(mm_pt_translate(&as, USER_VA, NULL, &flags), 0);
    ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_U | MM_PTE_OWNED);
    /* The same frame, no longer owned: the mapping's (only) reference is dropped. */
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, b, MM_PTE_U, NULL), 0);
    ck_assert(!mm_frame_is_allocated(&pt_fa, b));
    /* Not owned to not owned: nothing released. */
    uint64_t c = pt_frame();
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, c, MM_PTE_U, &old), 0);
    ck_assert_int_eq(mm_pt_remap(&as, USER_VA, 0xb8000, MM_PTE_U, &old), 0);
    ck_assert_uint_eq(old, c);
    ck_assert(mm_frame_is_allocated(&pt_fa, c));
    mm_frame_free(&pt_fa, c);
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
    mm_aspace_activate(&pt_kas);
    mm_aspace_destroy(&as);
    ck_assert_uint_eq(mm_frames_free_count(&pt_fa), before);
}
END_TEST

Suite *pt_walk_suite(void)
{
    Suite *s = suite_create("pt_walk");
    TCase *tc = tcase_create("walk");
    tcase_add_checked_fixture(tc, pt_setup, pt_teardown);
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
