/*
 * test_vregion.c - the virtual-region allocator against a page-bitmap model.
 */
#include "suites.h"
#include <k/errno.h>
#include <check.h>
#include <mm/phys.h>
#include <mm/vregion.h>
#include <string.h>

#define BASE 0xffffc00000000000ull
#define PG   4096ull

static struct mm_vregion vr;

START_TEST(test_init_rejects_bad_ranges)
{
    ck_assert_int_eq(mm_vregion_init(&vr, BASE + 1, 16 * PG), -EINVAL);
    ck_assert_int_eq(mm_vregion_init(&vr, BASE, 16 * PG + 1), -EINVAL);
    ck_assert_int_eq(mm_vregion_init(&vr, BASE, 0), -EINVAL);
    ck_assert_int_eq(mm_vregion_init(&vr, 0xfffffffffffff000ull, 2 * PG), -EINVAL);
}
END_TEST

START_TEST(test_alloc_free_coalesce)
{
    ck_assert_int_eq(mm_vregion_init(&vr, BASE, 64 * PG), 0);
    uintptr_t a, b, c;
    ck_assert_int_eq(mm_vregion_alloc(&vr, 1, 0, &a), 0); /* rounded to a page */
    ck_assert_int_eq(mm_vregion_alloc(&vr, 2 * PG, 0, &b), 0);
    ck_assert_int_eq(mm_vregion_alloc(&vr, 3 * PG, 0, &c), 0);
    ck_assert_uint_eq(a, BASE);
    ck_assert_uint_eq(b, BASE + PG);
    ck_assert_uint_eq(c, BASE + 3 * PG);
    ck_assert_uint_eq(mm_vregion_free_bytes(&vr), 58 * PG);
    /* Free the middle: a hole; first fit reuses it. */
    ck_assert_int_eq(mm_vregion_free(&vr, b, 2 * PG), 0);
    ck_assert_uint_eq(mm_vregion_fragments(&vr), 2);
    uintptr_t d;
    ck_assert_int_eq(mm_vregion_alloc(&vr, PG, 0, &d), 0);
    ck_assert_uint_eq(d, b);
    ck_assert_int_eq(mm_vregion_free(&vr, d, PG), 0);
    /* Free the first: merges with the hole after it. */
    ck_assert_int_eq(mm_vregion_free(&vr, a, PG), 0);
    ck_assert_uint_eq(mm_vregion_fragments(&vr), 2);
    /* Free the last: everything is one range again. */
    ck_assert_int_eq(mm_vregion_free(&vr, c, 3 * PG), 0);
    ck_assert_uint_eq(mm_vregion_fragments(&vr), 1);
    ck_assert_uint_eq(mm_vregion_free_bytes(&vr), 64 * PG);
}
END_TEST

START_TEST(test_alignment_and_exhaustion)
{
    ck_assert_int_eq(mm_vregion_init(&vr, BASE + PG, 1024 * PG), 0);
    uintptr_t a, b, c;
    ck_assert_int_eq(mm_vregion_alloc(&vr, PG, 0, &a), 0);
    ck_assert_int_eq(mm_vregion_alloc(&vr, PG, 1 << 21, &b), 0);
    ck_assert_uint_eq(b % (1 << 21), 0);
    ck_assert_uint_eq(mm_vregion_fragments(&vr), 2); /* gap before b, rest after */
    ck_assert_int_eq(mm_vregion_alloc(&vr, 0, 0, &c), -EINVAL);
    ck_assert_int_eq(mm_vregion_alloc(&vr, PG, 3 * PG, &c), -EINVAL);
    ck_assert_int_eq(mm_vregion_alloc(&vr, 2048 * PG, 0, &c), -ENOMEM);
    ck_assert_int_eq(mm_vregion_alloc(&vr, ~0ull, 0, &c), -ENOMEM); /* no wrap to 0 */
    ck_assert_int_eq(mm_vregion_free(&vr, b, ~0ull), -EINVAL);
    /* A range that ends exactly at the end is taken whole. */
    uint64_t rest = BASE + PG + 1024 * PG - (b + PG);
    ck_assert_int_eq(mm_vregion_alloc(&vr, rest, 0, &c), 0);
    ck_assert_uint_eq(c, b + PG);
    ck_assert_int_eq(mm_vregion_free(&vr, c, rest), 0);
    ck_assert_int_eq(mm_vregion_free(&vr, b, PG), 0);
    ck_assert_int_eq(mm_vregion_free(&vr, a, PG), 0);
    ck_assert_uint_eq(mm_vregion_fragments(&vr), 1);
}
END_TEST

START_TEST(test_bad_frees)
{
    ck_assert_int_eq(mm_vregion_init(&vr, BASE, 64 * PG), 0);
    uintptr_t a, b;
    ck_assert_int_eq(mm_vregion_alloc(&vr, 4 * PG, 0, &a), 0);
    ck_assert_int_eq(mm_vregion_alloc(&vr, 4 * PG, 0, &b), 0);
    ck_assert_int_eq(mm_vregion_free(&vr, a, 4 * PG), 0);
    ck_assert_int_eq(mm_vregion_free(&vr, a, 4 * PG), -EINVAL);          /* double free */
    ck_assert_int_eq(mm_vregion_free(&vr, a + PG, PG), -EINVAL);         /* inside free space */
    ck_assert_int_eq(mm_vregion_free(&vr, b + 3 * PG, 2 * PG), -EINVAL); /* runs into free */
    ck_assert_int_eq(mm_vregion_free(&vr, BASE - PG, PG), -EINVAL);      /* outside */
    ck_assert_int_eq(mm_vregion_free(&vr, BASE + 64 * PG, PG), -EINVAL);
    ck_assert_int_eq(mm_vregion_free(&vr, b + 1, PG), -EINVAL); /* unaligned */
    ck_assert_int_eq(mm_vregion_free(&vr, b, 0), -EINVAL);
    /* A sub-range of an allocation may be given back. */
    ck_assert_int_eq(mm_vregion_free(&vr, b + PG, PG), 0);
    ck_assert_int_eq(mm_vregion_free(&vr, b, PG), 0);
    ck_assert_int_eq(mm_vregion_free(&vr, b + 2 * PG, 2 * PG), 0);
    ck_assert_uint_eq(mm_vregion_fragments(&vr), 1);
}
END_TEST

START_TEST(test_table_full)
{
    /* Allocate every page, then free every other one: the table fills up. */
    enum { N = 2 * MM_VREGION_MAX + 8 };
    ck_assert_int_eq(mm_vregion_init(&vr, BASE, N * PG), 0);
    uintptr_t va;
    for (int i = 0; i < N; i++)
        REQUIRE(mm_vregion_alloc(&vr, PG, 0, &va) == 0);
    int freed = 0, full = 0;
    for (int i = 0; i < N; i += 2) {
        int r = mm_vregion_free(&vr, BASE + (uint64_t)i * PG, PG);
        if (r == 0)
            freed++;
        else
            full += r == -ENOMEM;
    }
    ck_assert_int_eq(freed, MM_VREGION_MAX);
    ck_assert_int_gt(full, 0);
    /* An aligned allocation that would need a third piece looks elsewhere. */
    ck_assert_int_eq(mm_vregion_alloc(&vr, PG, 2 * PG, &va), 0);
    ck_assert_uint_eq(va % (2 * PG), 0);
}
END_TEST

/* Random alloc/free checked against a per-page model. */
START_TEST(test_random_against_model)
{
    enum { PAGES = 512, LIVE = 64 };
    static uint8_t owner[PAGES];
    struct {
        uintptr_t va;
        uint64_t pages;
    } live[LIVE];
    memset(owner, 0, sizeof(owner));
    memset(live, 0, sizeof(live));
    ck_assert_int_eq(mm_vregion_init(&vr, BASE, PAGES * PG), 0);
    unsigned seed = 777u + (unsigned)_i;
    for (int step = 0; step < 5000; step++) {
        seed = seed * 1103515245u + 12345u;
        int slot = (int)((seed >> 8) % LIVE);
        if (live[slot].pages) {
            REQUIRE(mm_vregion_free(&vr, live[slot].va, live[slot].pages * PG) == 0);
            for (uint64_t p = 0; p < live[slot].pages; p++)
                owner[(live[slot].va - BASE) / PG + p] = 0;
            live[slot].pages = 0;
        } else {
            uint64_t pages = 1 + (seed >> 20) % 16, align = PG << ((seed >> 16) % 3);
            uintptr_t va;
            if (mm_vregion_alloc(&vr, pages * PG, align, &va) != 0)
                continue;
            REQUIRE(va % align == 0);
            REQUIRE(va >= BASE);
            REQUIRE(va + pages * PG <= BASE + PAGES * PG);
            for (uint64_t p = 0; p < pages; p++) {
                REQUIRE(owner[(va - BASE) / PG + p] == 0); /* no overlap */
                owner[(va - BASE) / PG + p] = (uint8_t)(slot + 1);
            }
            live[slot].va = va;
            live[slot].pages = pages;
        }
        uint64_t used = 0;
        for (int p = 0; p < PAGES; p++)
            used += owner[p] != 0;
        REQUIRE(mm_vregion_free_bytes(&vr) == (PAGES - used) * PG);
    }
    for (int slot = 0; slot < LIVE; slot++)
        if (live[slot].pages)
            ck_assert_int_eq(mm_vregion_free(&vr, live[slot].va, live[slot].pages * PG), 0);
    ck_assert_uint_eq(mm_vregion_fragments(&vr), 1);
    ck_assert_uint_eq(mm_vregion_free_bytes(&vr), PAGES * PG);
}
END_TEST

Suite *vregion_suite(void)
{
    Suite *s = suite_create("vregion");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_init_rejects_bad_ranges);
    tcase_add_test(tc, test_alloc_free_coalesce);
    tcase_add_test(tc, test_alignment_and_exhaustion);
    tcase_add_test(tc, test_bad_frees);
    tcase_add_test(tc, test_table_full);
    tcase_add_loop_test(tc, test_random_against_model, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
