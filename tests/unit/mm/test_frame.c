/*
 * test_frame.c - the physical frame allocator on simulated RAM.
 */
#include "mm_sim.h"
#include "suites.h"
#include <k/errno.h>
#include <check.h>
#include <mm/frame.h>
#include <mm/phys.h>
#include <string.h>

#define MIB (1ull << 20)

static void setup(void)
{
    mm_sim_init(MM_SIM_DEFAULT_SIZE);
}

static void teardown(void)
{
    mm_sim_fini();
}

static int init_map(struct mm_frames *fa, const struct boot_mmap_entry *map, size_t n,
                    const struct mm_range *res, size_t nres)
{
    struct mm_frames_config cfg = { map, n, res, nres, 0, 0, false };
    return mm_frames_init(fa, &cfg);
}

/* Allocate everything; check each frame is managed RAM; return the count. */
static uint64_t drain(struct mm_frames *fa, uint64_t *frames, uint64_t max)
{
    uint64_t n = 0, pa;
    while (mm_frame_alloc(fa, &pa) == 0) {
        REQUIRE(n < max);
        frames[n++] = pa;
    }
    return n;
}

START_TEST(test_single_range)
{
    struct boot_mmap_entry map[] = { { 0, 8 * MIB, MB2_MEM_AVAILABLE } };
    struct mm_frames fa;
    ck_assert_int_eq(init_map(&fa, map, 1, NULL, 0), 0);
    /* 2048 frames minus frame 0 minus one page of bitmaps (2 x 256 bytes). */
    ck_assert_uint_eq(mm_frames_total_count(&fa), 2048 - 2);
    ck_assert_uint_eq(mm_frames_free_count(&fa), 2048 - 2);
    ck_assert_uint_eq(mm_frames_top(&fa), 8 * MIB);
    uint64_t pa;
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), 0);
    ck_assert_uint_ne(pa, 0); /* never frame 0 */
    ck_assert_uint_eq(pa % MM_PAGE_SIZE, 0);
    ck_assert(mm_frame_is_allocated(&fa, pa));
    ck_assert_uint_eq(mm_frames_used_count(&fa), 1);
    ck_assert_int_eq(mm_frame_free(&fa, pa), 0);
    ck_assert(!mm_frame_is_allocated(&fa, pa));
    ck_assert_uint_eq(mm_frames_used_count(&fa), 0);
}
END_TEST

START_TEST(test_lowest_first)
{
    struct mm_frames fa;
    mm_sim_frames(&fa);
    uint64_t a, b, c;
    ck_assert_int_eq(mm_frame_alloc(&fa, &a), 0);
    ck_assert_int_eq(mm_frame_alloc(&fa, &b), 0);
    ck_assert_uint_lt(a, b);
    ck_assert_int_eq(mm_frame_free(&fa, a), 0);
    ck_assert_int_eq(mm_frame_alloc(&fa, &c), 0);
    ck_assert_uint_eq(c, a); /* the lowest free frame is reused */
    /* Reserved [0, 3 MiB) in mm_sim_frames: nothing comes from there. */
    ck_assert_uint_ge(a, 3 * MIB);
    mm_frame_free(&fa, b);
    mm_frame_free(&fa, c);
}
END_TEST

START_TEST(test_holes_and_reserved)
{
    /* RAM with a hole, an overlapping reserved entry, and reserved ranges. */
    struct boot_mmap_entry map[] = {
        { 0x1000, 0x7f000, MB2_MEM_AVAILABLE },           /* low RAM */
        { 0x100800, 4 * MIB - 0x800, MB2_MEM_AVAILABLE }, /* unaligned start */
        { 0x200000, 0x10000, MB2_MEM_RESERVED },          /* reserved inside RAM */
        { 8 * MIB, 8 * MIB + 0x234, MB2_MEM_AVAILABLE },  /* unaligned end, after a hole */
        { 30 * MIB, 0, MB2_MEM_AVAILABLE },               /* empty */
        { 20 * MIB, MIB, MB2_MEM_BADRAM },                /* outside any RAM */
    };
    struct mm_range res[] = { { 0x300010, 0x10 }, { 9 * MIB, MIB }, { 0, 0 } };
    struct mm_frames fa;
    ck_assert_int_eq(init_map(&fa, map, 6, res, 3), 0);
    ck_assert_uint_eq(mm_frames_top(&fa), 16 * MIB);

    static uint64_t got[8192];
    uint64_t n = drain(&fa, got, 8192);
    ck_assert_uint_eq(mm_frames_free_count(&fa), 0);
    ck_assert_uint_eq(n, mm_frames_total_count(&fa));
    uint64_t bitmap_pages = 1; /* 2 x 512 bytes */
    uint64_t expect =
        0x7f000 / 4096 + (5 * MIB - 0x101000) / 4096 - 16 - 1 + 2048 - 256 - bitmap_pages;
    ck_assert_uint_eq(n, expect);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pa = got[i];
        REQUIRE(pa >= 0x1000);
        REQUIRE(!(pa >= 0x80000 && pa < 0x101000));  /* hole + unaligned start */
        REQUIRE(!(pa >= 0x200000 && pa < 0x210000)); /* reserved map entry */
        REQUIRE(pa != 0x300000);                     /* reserved range, grown */
        REQUIRE(!(pa >= 5 * MIB && pa < 8 * MIB));   /* hole */
        REQUIRE(!(pa >= 9 * MIB && pa < 10 * MIB));  /* reserved range */
        REQUIRE(pa < 16 * MIB);                      /* partial last page dropped */
    }
    for (uint64_t i = 0; i < n; i++)
        REQUIRE(mm_frame_free(&fa, got[i]) == 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), n);
}
END_TEST

START_TEST(test_bitmap_placement)
{
    /* The first range is too small and the second starts with a reserved range. */
    struct boot_mmap_entry map[] = {
        { 0, 0x1000, MB2_MEM_AVAILABLE }, /* only frame 0 */
        { 1 * MIB, 15 * MIB, MB2_MEM_AVAILABLE },
    };
    struct mm_range res[] = { { 1 * MIB, 0x1000 } };
    struct mm_frames fa;
    ck_assert_int_eq(init_map(&fa, map, 2, res, 1), 0);
    ck_assert_uint_eq(fa.bitmap_phys, 1 * MIB + 0x1000);
    ck_assert(!mm_frame_is_allocated(&fa, fa.bitmap_phys)); /* not ours to free */
    ck_assert_int_eq(mm_frame_free(&fa, fa.bitmap_phys), -EINVAL);

    /* bitmap_limit forbids the only RAM that could hold them. */
    struct mm_frames_config cfg = { map, 2, res, 1, 0x2000, 0, false };
    ck_assert_int_eq(mm_frames_init(&fa, &cfg), -ENOMEM);
    /* No RAM at all. */
    struct boot_mmap_entry none[] = { { 0, 16 * MIB, MB2_MEM_RESERVED } };
    ck_assert_int_eq(init_map(&fa, none, 1, NULL, 0), -EINVAL);
    ck_assert_int_eq(init_map(&fa, NULL, 0, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_ram_limit)
{
    struct boot_mmap_entry map[] = { { 0, 32 * MIB, MB2_MEM_AVAILABLE } };
    struct mm_frames_config cfg = { map, 1, NULL, 0, 0, 4 * MIB + 100, false };
    struct mm_frames fa;
    ck_assert_int_eq(mm_frames_init(&fa, &cfg), 0);
    ck_assert_uint_eq(mm_frames_top(&fa), 4 * MIB);
}
END_TEST

START_TEST(test_exhaustion)
{
    struct mm_frames fa;
    mm_sim_frames(&fa);
    static uint64_t got[8192];
    uint64_t total = mm_frames_total_count(&fa);
    uint64_t n = drain(&fa, got, 8192);
    ck_assert_uint_eq(n, total);
    uint64_t pa;
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), -ENOMEM);
    ck_assert_int_eq(mm_frame_alloc_zeroed(&fa, &pa), -ENOMEM);
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 1, 0, &pa), -ENOMEM);
    /* Free one in the middle: it is the one we get back. */
    ck_assert_int_eq(mm_frame_free(&fa, got[n / 2]), 0);
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), 0);
    ck_assert_uint_eq(pa, got[n / 2]);
    for (uint64_t i = 0; i < n; i++)
        REQUIRE(mm_frame_free(&fa, got[i]) == 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), total);
}
END_TEST

START_TEST(test_zeroed)
{
    struct mm_frames fa;
    mm_sim_frames(&fa);
    uint64_t pa;
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), 0);
    memset(mm_phys_to_virt(pa), 0xee, MM_PAGE_SIZE);
    mm_frame_free(&fa, pa);
    ck_assert_int_eq(mm_frame_alloc_zeroed(&fa, &pa), 0);
    const uint8_t *p = mm_phys_to_virt(pa);
    for (int i = 0; i < (int)MM_PAGE_SIZE; i++)
        ck_assert_uint_eq(p[i], 0);
    ck_assert_uint_eq(mm_virt_to_phys(p), pa);
    mm_frame_free(&fa, pa);
}
END_TEST

START_TEST(test_contiguous)
{
    struct mm_frames fa;
    mm_sim_frames(&fa);
    uint64_t total = mm_frames_free_count(&fa);
    uint64_t a, b, c, d;
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 0, 0, &a), -EINVAL);
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 1, 3 * 4096, &a), -EINVAL);
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 16, 0, &a), 0);
    for (int i = 0; i < 16; i++)
        ck_assert(mm_frame_is_allocated(&fa, a + i * MM_PAGE_SIZE));
    /* Aligned runs start on their alignment. */
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 3, 64 * 1024, &b), 0);
    ck_assert_uint_eq(b % (64 * 1024), 0);
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 512, MM_HUGE_SIZE, &c), 0);
    ck_assert_uint_eq(c % MM_HUGE_SIZE, 0);
    /* Fragment: single frames with holes of one frame; a run of 2 must skip them. */
    uint64_t singles[8];
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(mm_frame_alloc(&fa, &singles[i]), 0);
    for (int i = 0; i < 8; i += 2)
        mm_frame_free(&fa, singles[i]);
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 2, 0, &d), 0);
    for (int i = 0; i < 8; i++) {
        ck_assert(d != singles[i]);
        ck_assert(d + MM_PAGE_SIZE != singles[i]);
    }
    /* Larger than memory. */
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, total + 1, 0, &d), -ENOMEM);
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, ~0ull, 0, &d), -ENOMEM); /* no wrap */
    /* A run containing a free frame is not freed at all. */
    ck_assert_int_eq(mm_frame_free_contig(&fa, singles[0], 2), -EINVAL);
    ck_assert(mm_frame_is_allocated(&fa, singles[1]));

    ck_assert_int_eq(mm_frame_free_contig(&fa, a, 16), 0);
    ck_assert_int_eq(mm_frame_free_contig(&fa, b, 3), 0);
    ck_assert_int_eq(mm_frame_free_contig(&fa, c, 512), 0);
    ck_assert_int_eq(mm_frame_free_contig(&fa, d, 2), 0);
    for (int i = 1; i < 8; i += 2)
        mm_frame_free(&fa, singles[i]);
    ck_assert_uint_eq(mm_frames_free_count(&fa), total);
}
END_TEST

START_TEST(test_bad_frees_return_errors)
{
    struct mm_frames fa;
    mm_sim_frames(&fa);
    uint64_t pa;
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), 0);
    ck_assert_int_eq(mm_frame_free(&fa, pa + 8), -EINVAL); /* unaligned */
    ck_assert_int_eq(mm_frame_free(&fa, pa), 0);
    ck_assert_int_eq(mm_frame_free(&fa, pa), -EINVAL);         /* double free */
    ck_assert_int_eq(mm_frame_free(&fa, 0), -EINVAL);          /* frame 0 */
    ck_assert_int_eq(mm_frame_free(&fa, 0x9f000), -EINVAL);    /* reserved map entry */
    ck_assert_int_eq(mm_frame_free(&fa, 0x180000), -EINVAL);   /* reserved kernel image */
    ck_assert_int_eq(mm_frame_free(&fa, 1ull << 40), -EINVAL); /* beyond RAM */
    ck_assert_int_eq(mm_frame_free(&fa, MM_SIM_DEFAULT_SIZE - 4096), -EINVAL); /* ACPI */
    ck_assert(!mm_frame_is_allocated(&fa, 1ull << 40));
    ck_assert_uint_eq(mm_frames_used_count(&fa), 0);
}
END_TEST

static void double_free_panics(bool twice)
{
    struct boot_mmap_entry map[4];
    struct mm_frames_config cfg = { map, 0, NULL, 0, 0, 0, true };
    cfg.map_count = mm_sim_pc_map(map);
    struct mm_frames fa;
    ck_assert_int_eq(mm_frames_init(&fa, &cfg), 0);
    uint64_t pa;
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), 0);
    ck_assert_int_eq(mm_frame_free(&fa, pa), 0);
    if (twice)
        mm_frame_free(&fa, pa);
    else
        mm_frame_free(&fa, 0x9f000);
}

START_TEST(test_double_free_panics)
{
    double_free_panics(true);
}
END_TEST

START_TEST(test_never_allocated_free_panics)
{
    double_free_panics(false);
}
END_TEST

/* Loop test: the same invariants over many RAM sizes and reserved layouts. */
START_TEST(test_geometries)
{
    uint64_t size = (uint64_t)(_i + 1) * 3 * MIB + (uint64_t)_i * 0x1000;
    struct boot_mmap_entry map[] = { { 0x1000, size, MB2_MEM_AVAILABLE } };
    struct mm_range res[] = { { size / 3, (uint64_t)_i * 0x3000 + 1 } };
    struct mm_frames fa;
    ck_assert_int_eq(init_map(&fa, map, 1, res, 1), 0);
    uint64_t total = mm_frames_total_count(&fa);
    uint64_t run;
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 7, 0, &run), 0);
    uint64_t n = 0, pa;
    uint64_t rb = MM_ALIGN_DOWN(size / 3, MM_PAGE_SIZE);
    uint64_t re = MM_ALIGN_UP(size / 3 + (uint64_t)_i * 0x3000 + 1, MM_PAGE_SIZE);
    while (mm_frame_alloc(&fa, &pa) == 0) {
        REQUIRE(pa < rb || pa >= re);
        n++;
    }
    ck_assert_uint_eq(n + 7, total);
    ck_assert_uint_eq(mm_frames_free_count(&fa), 0);
}
END_TEST

START_TEST(test_refcounts)
{
    struct mm_frames fa;
    mm_sim_frames(&fa);
    uint64_t total = mm_frames_free_count(&fa), pa, pb;
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), 0);
    /* Before the array exists every allocated frame has one reference. */
    ck_assert_uint_eq(fa.refs_phys, 0);
    ck_assert_uint_eq(mm_frame_refcount(&fa, pa), 1);
    ck_assert_int_eq(mm_frame_ref(&fa, pa), 0); /* allocates the array */
    /* 8192 frames x 2 bytes: four frames, taken from the allocator. */
    ck_assert_uint_eq(fa.refs_frames, 4);
    ck_assert(mm_frame_is_allocated(&fa, fa.refs_phys));
    ck_assert_uint_eq(mm_frames_free_count(&fa), total - 1 - 4);
    ck_assert_int_eq(mm_frames_enable_refs(&fa), 0); /* already there: nothing more */
    ck_assert_uint_eq(mm_frames_free_count(&fa), total - 1 - 4);

    ck_assert_uint_eq(mm_frame_refcount(&fa, pa), 2);
    ck_assert_uint_eq(mm_frames_shared_count(&fa), 1);
    ck_assert_int_eq(mm_frame_ref(&fa, pa), 0);
    ck_assert_uint_eq(mm_frame_refcount(&fa, pa), 3);
    ck_assert_uint_eq(mm_frames_shared_count(&fa), 1);
    /* Free and unref drop one reference each; the frame stays until the last. */
    ck_assert_int_eq(mm_frame_free(&fa, pa), 0);
    ck_assert(mm_frame_is_allocated(&fa, pa));
    ck_assert_int_eq(mm_frame_unref(&fa, pa), 1);
    ck_assert_uint_eq(mm_frames_shared_count(&fa), 0);
    ck_assert(mm_frame_is_allocated(&fa, pa));
    ck_assert_int_eq(mm_frame_unref(&fa, pa), 0);
    ck_assert(!mm_frame_is_allocated(&fa, pa));
    ck_assert_uint_eq(mm_frame_refcount(&fa, pa), 0);
    ck_assert_int_eq(mm_frame_unref(&fa, pa), -EINVAL); /* double free */
    ck_assert_int_eq(mm_frame_ref(&fa, pa), -EINVAL);   /* free frame */
    ck_assert_int_eq(mm_frame_ref(&fa, pa + 8), -EINVAL);
    ck_assert_int_eq(mm_frame_ref(&fa, 0x9f000), -EINVAL); /* never managed */
    ck_assert_int_eq(mm_frame_ref(&fa, 1ull << 40), -EINVAL);
    ck_assert_uint_eq(mm_frame_refcount(&fa, 1ull << 40), 0);

    /* A freed shared frame comes back with a clean count. */
    ck_assert_int_eq(mm_frame_alloc(&fa, &pb), 0);
    ck_assert_uint_eq(pb, pa);
    ck_assert_uint_eq(mm_frame_refcount(&fa, pb), 1);
    ck_assert_int_eq(mm_frame_free(&fa, pb), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), total - 4);
}
END_TEST

START_TEST(test_refcount_limit)
{
    struct mm_frames fa;
    mm_sim_frames(&fa);
    ck_assert_int_eq(mm_frames_enable_refs(&fa), 0);
    uint64_t total = mm_frames_free_count(&fa), pa;
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), 0);
    for (uint32_t i = 1; i < MM_FRAME_REF_MAX; i++)
        REQUIRE(mm_frame_ref(&fa, pa) == 0);
    ck_assert_uint_eq(mm_frame_refcount(&fa, pa), MM_FRAME_REF_MAX);
    ck_assert_int_eq(mm_frame_ref(&fa, pa), -EOVERFLOW);
    ck_assert_uint_eq(mm_frame_refcount(&fa, pa), MM_FRAME_REF_MAX);
    for (uint32_t i = MM_FRAME_REF_MAX - 1; i > 0; i--)
        REQUIRE(mm_frame_unref(&fa, pa) == (int)i);
    ck_assert_int_eq(mm_frame_unref(&fa, pa), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), total);
}
END_TEST

START_TEST(test_refcount_many)
{
    struct mm_frames fa;
    mm_sim_frames(&fa);
    uint64_t total = mm_frames_free_count(&fa), a, b, c;
    ck_assert_int_eq(mm_frame_alloc(&fa, &a), 0);
    ck_assert_int_eq(mm_frame_alloc(&fa, &b), 0);
    ck_assert_int_eq(mm_frame_alloc(&fa, &c), 0);
    uint64_t list[] = { a, b, a, c };
    ck_assert_int_eq(mm_frame_ref_many(&fa, list, 4), 0); /* allocates the array */
    ck_assert_uint_eq(mm_frame_refcount(&fa, a), 3);
    ck_assert_uint_eq(mm_frame_refcount(&fa, b), 2);
    ck_assert_uint_eq(mm_frames_shared_count(&fa), 3);
    ck_assert_int_eq(mm_frame_unref_many(&fa, list, 4), 0);
    ck_assert_uint_eq(mm_frame_refcount(&fa, a), 1);
    ck_assert_uint_eq(mm_frames_shared_count(&fa), 0);

    /* A bad frame in the list: nothing is added, the good ones included. */
    ck_assert_int_eq(mm_frame_free(&fa, c), 0);
    uint64_t bad[] = { a, b, c };
    ck_assert_int_eq(mm_frame_ref_many(&fa, bad, 3), -EINVAL);
    uint64_t odd[] = { a, b + 8 };
    ck_assert_int_eq(mm_frame_ref_many(&fa, odd, 2), -EINVAL);
    ck_assert_uint_eq(mm_frame_refcount(&fa, a), 1);
    ck_assert_uint_eq(mm_frame_refcount(&fa, b), 1);
    /* One at the limit: the same. */
    for (uint32_t i = 1; i < MM_FRAME_REF_MAX; i++)
        REQUIRE(mm_frame_ref(&fa, b) == 0);
    uint64_t full[] = { a, b };
    ck_assert_int_eq(mm_frame_ref_many(&fa, full, 2), -EOVERFLOW);
    ck_assert_uint_eq(mm_frame_refcount(&fa, a), 1);
    ck_assert_uint_eq(mm_frame_refcount(&fa, b), MM_FRAME_REF_MAX);
    for (uint32_t i = 1; i < MM_FRAME_REF_MAX; i++)
        REQUIRE(mm_frame_unref(&fa, b) > 0);
    ck_assert_uint_eq(mm_frames_shared_count(&fa), 0);

    /* Dropping: a bad frame is reported and the others still go; the last
     * reference frees. */
    uint64_t drop[] = { a, c, b };
    ck_assert_int_eq(mm_frame_unref_many(&fa, drop, 3), -EINVAL);
    ck_assert(!mm_frame_is_allocated(&fa, a));
    ck_assert(!mm_frame_is_allocated(&fa, b));
    ck_assert_uint_eq(mm_frames_free_count(&fa), total - fa.refs_frames);
}
END_TEST

START_TEST(test_refcount_contig)
{
    /* A shared frame inside a freed run survives; the others are freed. */
    struct mm_frames fa;
    mm_sim_frames(&fa);
    ck_assert_int_eq(mm_frames_enable_refs(&fa), 0);
    uint64_t total = mm_frames_free_count(&fa), run, again;
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 4, 0, &run), 0);
    ck_assert_int_eq(mm_frame_ref(&fa, run + 2 * MM_PAGE_SIZE), 0);
    ck_assert_int_eq(mm_frame_free_contig(&fa, run, 4), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), total - 1);
    ck_assert(!mm_frame_is_allocated(&fa, run));
    ck_assert_uint_eq(mm_frame_refcount(&fa, run + 2 * MM_PAGE_SIZE), 1);
    /* The run cannot be allocated again around the survivor. */
    ck_assert_int_eq(mm_frame_alloc_contig(&fa, 4, 0, &again), 0);
    ck_assert(again > run + 2 * MM_PAGE_SIZE || again + 4 * MM_PAGE_SIZE <= run);
    ck_assert_int_eq(mm_frame_free_contig(&fa, again, 4), 0);
    ck_assert_int_eq(mm_frame_free(&fa, run + 2 * MM_PAGE_SIZE), 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), total);
}
END_TEST

START_TEST(test_refcount_no_memory)
{
    /* With every frame taken, the array cannot be allocated. */
    struct mm_frames fa;
    mm_sim_frames(&fa);
    static uint64_t got[8192];
    uint64_t n = drain(&fa, got, 8192);
    ck_assert_int_eq(mm_frame_ref(&fa, got[0]), -ENOMEM);
    ck_assert_int_eq(mm_frames_enable_refs(&fa), -ENOMEM);
    ck_assert_uint_eq(mm_frame_refcount(&fa, got[0]), 1);
    ck_assert_int_eq(mm_frame_unref(&fa, got[0]), 0);
    for (uint64_t i = 1; i < n; i++)
        REQUIRE(mm_frame_free(&fa, got[i]) == 0);
}
END_TEST

static void unref_of_free_frame(void)
{
    struct boot_mmap_entry map[4];
    struct mm_frames_config cfg = { map, 0, NULL, 0, 0, 0, true };
    cfg.map_count = mm_sim_pc_map(map);
    struct mm_frames fa;
    ck_assert_int_eq(mm_frames_init(&fa, &cfg), 0);
    uint64_t pa;
    ck_assert_int_eq(mm_frame_alloc(&fa, &pa), 0);
    ck_assert_int_eq(mm_frame_ref(&fa, pa), 0);
    ck_assert_int_eq(mm_frame_unref(&fa, pa), 1);
    ck_assert_int_eq(mm_frame_unref(&fa, pa), 0);
    mm_frame_unref(&fa, pa);
}

START_TEST(test_unref_of_free_frame_panics)
{
    unref_of_free_frame();
}
END_TEST

Suite *frame_suite(void)
{
    Suite *s = suite_create("frame");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_single_range);
    tcase_add_test(tc, test_lowest_first);
    tcase_add_test(tc, test_holes_and_reserved);
    tcase_add_test(tc, test_bitmap_placement);
    tcase_add_test(tc, test_ram_limit);
    tcase_add_test(tc, test_exhaustion);
    tcase_add_test(tc, test_zeroed);
    tcase_add_test(tc, test_contiguous);
    tcase_add_test(tc, test_bad_frees_return_errors);
    tcase_add_exit_test(tc, test_double_free_panics, 77);
    tcase_add_exit_test(tc, test_never_allocated_free_panics, 77);
    tcase_add_loop_test(tc, test_geometries, 0, 8);
    tcase_add_test(tc, test_refcounts);
    tcase_add_test(tc, test_refcount_limit);
    tcase_add_test(tc, test_refcount_contig);
    tcase_add_test(tc, test_refcount_many);
    tcase_add_test(tc, test_refcount_no_memory);
    tcase_add_exit_test(tc, test_unref_of_free_frame_panics, 77);
    suite_add_tcase(s, tc);
    return s;
}
