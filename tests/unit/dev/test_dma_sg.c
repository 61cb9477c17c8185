/*
 * test_dma_sg.c - scatter-gather lists (dma_sg_build) over a simulated page
 * table: page-boundary splits, merging of physically adjacent pages, the
 * device's segment limit, untranslatable pages, a list too short, and random
 * buffers checked byte by byte against the translation.
 */
#include <check.h>
#include <dev/dma.h>
#include <k/errno.h>
#include <stdlib.h>

Suite *dma_sg_suite(void);

#define VA_BASE 0x40000000u
#define PAGES   64
#define PG      DMA_PAGE_SIZE

static uint64_t frames[PAGES]; /* 0: not mapped */
static int calls;

static int translate(void *ctx, uintptr_t va, uint64_t *phys)
{
    (void)ctx;
    calls++;
    uintptr_t page = (va - VA_BASE) / PG;
    if (va < VA_BASE || page >= PAGES || !frames[page])
        return -ENOENT;
    *phys = frames[page] * PG + (va & (PG - 1));
    return 0;
}

static const void *at(size_t off)
{
    return (const void *)(uintptr_t)(VA_BASE + off);
}

START_TEST(test_split_at_page_boundaries)
{
    for (int i = 0; i < PAGES; i++)
        frames[i] = 1000 + 2u * (unsigned)i; /* no two pages adjacent */
    struct dma_seg s[8];
    /* 100 bytes into page 0, through page 2: three pieces. */
    int n = dma_sg_build(translate, NULL, at(100), 2 * PG + 50, 65536, s, 8);
    ck_assert_int_eq(n, 3);
    ck_assert_uint_eq(s[0].phys, 1000 * PG + 100);
    ck_assert_uint_eq(s[0].len, PG - 100);
    ck_assert_uint_eq(s[1].phys, 1002 * PG);
    ck_assert_uint_eq(s[1].len, PG);
    ck_assert_uint_eq(s[2].phys, 1004 * PG);
    ck_assert_uint_eq(s[2].len, 150);
    /* Within one page: one segment, one translation. */
    calls = 0;
    ck_assert_int_eq(dma_sg_build(translate, NULL, at(PG + 8), 512, 65536, s, 8), 1);
    ck_assert_int_eq(calls, 1);
    ck_assert_uint_eq(s[0].phys, 1002 * PG + 8);
    ck_assert_int_eq(dma_sg_build(translate, NULL, at(0), 0, 65536, s, 8), 0);
}
END_TEST

START_TEST(test_adjacent_pages_merge_up_to_the_limit)
{
    for (int i = 0; i < PAGES; i++)
        frames[i] = 500 + (unsigned)i; /* physically contiguous */
    frames[5] = 900;                   /* except page 5 */
    struct dma_seg s[16];
    int n = dma_sg_build(translate, NULL, at(10), 8 * PG, 65536, s, 16);
    ck_assert_int_eq(n, 3);
    ck_assert_uint_eq(s[0].phys, 500 * PG + 10);
    ck_assert_uint_eq(s[0].len, 5 * PG - 10);
    ck_assert_uint_eq(s[1].phys, 900 * PG);
    ck_assert_uint_eq(s[1].len, PG);
    ck_assert_uint_eq(s[2].phys, 506 * PG);
    ck_assert_uint_eq(s[2].len, 2 * PG + 10);
    /* A device that takes at most 3000 bytes per segment. */
    n = dma_sg_build(translate, NULL, at(0), 2 * PG, 3000, s, 16);
    ck_assert_int_eq(n, 3);
    ck_assert_uint_eq(s[0].len, 3000);
    ck_assert_uint_eq(s[1].phys, 500 * PG + 3000);
    ck_assert_uint_eq(s[1].len, 3000);
    ck_assert_uint_eq(s[2].len, 2 * PG - 6000);
    /* Small limit inside one page. */
    n = dma_sg_build(translate, NULL, at(0), 1024, 512, s, 16);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(s[1].phys, 500 * PG + 512);
}
END_TEST

START_TEST(test_refusals)
{
    for (int i = 0; i < PAGES; i++)
        frames[i] = 1000 + 2u * (unsigned)i;
    frames[3] = 0;
    struct dma_seg s[4];
    ck_assert_int_eq(dma_sg_build(translate, NULL, at(PG), 3 * PG, 65536, s, 4), -EFAULT);
    ck_assert_int_eq(dma_sg_build(translate, NULL, at(4 * PG), 5 * PG, 65536, s, 4), -E2BIG);
    ck_assert_int_eq(dma_sg_build(NULL, NULL, at(0), 1, 65536, s, 4), -EINVAL);
    ck_assert_int_eq(dma_sg_build(translate, NULL, NULL, 1, 65536, s, 4), -EINVAL);
    ck_assert_int_eq(dma_sg_build(translate, NULL, at(0), 1, 0, s, 4), -EINVAL);
    ck_assert_int_eq(dma_sg_build(translate, NULL, at(0), 1, 65536, NULL, 4), -EINVAL);
}
END_TEST

START_TEST(test_random_buffers_match_the_translation)
{
    srand(7);
    static struct dma_seg s[256];
    for (int round = 0; round < 200; round++) {
        for (int i = 0; i < PAGES; i++) /* runs of adjacent frames, in random places */
            frames[i] = (i && rand() % 3) ? frames[i - 1] + 1 : 100 + (uint64_t)(rand() % 4000);
        size_t off = (size_t)(rand() % (PG * 4));
        size_t len = (size_t)(rand() % (PG * 20)) + 1;
        uint32_t max_seg = rand() % 2 ? 65536 : 512u * (uint32_t)(1 + rand() % 16);
        int n = dma_sg_build(translate, NULL, at(off), len, max_seg, s, 256);
        ck_assert_int_gt(n, 0);
        size_t pos = 0;
        for (int k = 0; k < n; k++) {
            ck_assert_uint_gt(s[k].len, 0);
            ck_assert_uint_le(s[k].len, max_seg);
            /* Every byte of the segment is where the page table says. */
            for (uint32_t b = 0; b < s[k].len; b += 509) {
                uint64_t pa;
                ck_assert_int_eq(translate(NULL, VA_BASE + off + pos + b, &pa), 0);
                ck_assert_uint_eq(pa, s[k].phys + b);
            }
            uint64_t pa;
            translate(NULL, VA_BASE + off + pos + s[k].len - 1, &pa);
            ck_assert_uint_eq(pa, s[k].phys + s[k].len - 1);
            /* Never split what could have been merged. */
            if (k)
                ck_assert(s[k - 1].phys + s[k - 1].len != s[k].phys || s[k - 1].len == max_seg);
            pos += s[k].len;
        }
        ck_assert_uint_eq(pos, len);
    }
}
END_TEST

Suite *dma_sg_suite(void)
{
    Suite *s = suite_create("dma_sg");
    TCase *tc = tcase_create("dma_sg");
    tcase_add_test(tc, test_split_at_page_boundaries);
    tcase_add_test(tc, test_adjacent_pages_merge_up_to_the_limit);
    tcase_add_test(tc, test_refusals);
    tcase_add_test(tc, test_random_buffers_match_the_translation);
    suite_add_tcase(s, tc);
    return s;
}
