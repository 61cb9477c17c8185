/*
 * test_heap.c - the three heap backends over a host buffer, against a shadow
 * model: every live allocation is remembered with its size and a fill byte, and
 * checked for overlap, alignment and intact contents. Loop tests run each case
 * once per backend (_i = enum mm_heap_kind).
 */
#include "mm_sim.h"
#include "suites.h"
#include <k/errno.h>
#include <check.h>
#include <mm/heap.h>
#include <mm/phys.h>
#include <stdlib.h>
#include <string.h>

#define KIB 1024ull
#define MIB (1024ull * 1024)

static struct mm_sim_heap_src src;
static struct mm_heap heap;

static void make_heap(enum mm_heap_kind kind, uint64_t initial, uint64_t max, bool strict)
{
    mm_sim_heap_src_init(&src, max);
    struct mm_heap_config cfg = {
        .kind = kind,
        .base = (uintptr_t)src.buf,
        .initial = initial,
        .max = max,
        .grow = mm_sim_heap_grow,
        .grow_ctx = &src,
        .panic_on_misuse = strict,
    };
    ck_assert_int_eq(mm_heap_init(&heap, &cfg), 0);
    ck_assert_uint_eq(src.mapped, MM_ALIGN_UP(initial, MM_PAGE_SIZE));
    mm_kheap_set(&heap);
}

static void drop_heap(void)
{
    struct mm_heap_stats st;
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.live, 0); /* every test frees what it allocated */
    ck_assert_uint_eq(st.in_use, 0);
    ck_assert_uint_eq(st.bad_frees, 0);
    mm_kheap_set(NULL);
    mm_sim_heap_src_fini(&src);
}

static bool inside(const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p;
    return a >= heap.base && a + n <= heap.end;
}

/* The seed's tests, per backend. */
START_TEST(test_simple_allocation)
{
    make_heap((enum mm_heap_kind)_i, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    ck_assert_int_eq(mm_heap_kind_of(mm_kheap()), (enum mm_heap_kind)_i);
    long *a = kmalloc(sizeof(long)), *b = kmalloc(sizeof(long));
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    *a = 41;
    *b = 13;
    ck_assert_int_eq(*a, 41);
    ck_assert_int_eq(*b, 13);
    ck_assert(inside(a, sizeof(long)) && inside(b, sizeof(long)));
    ck_assert_ptr_ne(a, b);
    kfree(a);
    kfree(b);
    kfree(NULL);
    drop_heap();
}
END_TEST

START_TEST(test_large_vec)
{
    make_heap((enum mm_heap_kind)_i, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    const uint64_t n = 1000;
    uint64_t *v = NULL, cap = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (i == cap) {
            cap = cap ? cap * 2 : 1;
            v = krealloc(v, cap * sizeof(*v));
            REQUIRE(v != NULL);
        }
        v[i] = i;
    }
    uint64_t sum = 0;
    for (uint64_t i = 0; i < n; i++)
        sum += v[i];
    ck_assert_uint_eq(sum, (n - 1) * n / 2);
    kfree(v);
    drop_heap();
}
END_TEST

START_TEST(test_many_boxes)
{
    make_heap((enum mm_heap_kind)_i, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    for (long i = 0; i < 10000; i++) {
        long *x = kmalloc(sizeof(long));
        REQUIRE(x != NULL);
        *x = i;
        REQUIRE(*x == i);
        kfree(x);
    }
    /* Memory is reused: the heap never had to grow. */
    ck_assert_uint_eq(heap.end - heap.base, MM_ALIGN_UP(MM_HEAP_INITIAL_SIZE, MM_PAGE_SIZE));
    drop_heap();
}
END_TEST

START_TEST(test_many_boxes_long_lived)
{
    make_heap((enum mm_heap_kind)_i, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    long *long_lived = kmalloc(sizeof(long));
    *long_lived = 1;
    for (long i = 0; i < 10000; i++) {
        long *x = kmalloc(sizeof(long));
        REQUIRE(x != NULL);
        *x = i;
        kfree(x);
    }
    ck_assert_int_eq(*long_lived, 1);
    struct mm_heap_stats st;
    mm_heap_get_stats(&heap, &st);
    if (_i == MM_HEAP_BUMP) /* the bump allocator cannot reuse: it had to grow */
        ck_assert_uint_gt(st.grows, 0);
    else
        ck_assert_uint_eq(st.grows, 0);
    kfree(long_lived);
    drop_heap();
}
END_TEST

START_TEST(test_alignment)
{
    make_heap((enum mm_heap_kind)_i, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    void *ptrs[64];
    int n = 0;
    for (size_t align = 1; align <= 4096; align *= 2) {
        for (size_t size = 1; size <= 5000; size = size * 3 + 1) {
            void *p = kmalloc_aligned(size, align);
            ck_assert_ptr_nonnull(p);
            ck_assert_uint_eq((uintptr_t)p % (align < 16 ? 16 : align), 0);
            ck_assert(inside(p, size));
            ck_assert_uint_ge(mm_heap_usable_size(&heap, p), size);
            memset(p, 0x77, size);
            ck_assert_int_lt(n, 64);
            ptrs[n++] = p;
        }
        while (n > 0)
            kfree(ptrs[--n]);
    }
    ck_assert_ptr_null(kmalloc_aligned(16, 24));   /* not a power of two */
    ck_assert_ptr_null(kmalloc_aligned(16, 8192)); /* above a page */
    drop_heap();
}
END_TEST

START_TEST(test_realloc_and_calloc)
{
    make_heap((enum mm_heap_kind)_i, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    uint8_t *p = krealloc(NULL, 10);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < 10; i++)
        p[i] = (uint8_t)i;
    ck_assert_ptr_eq(krealloc(p, 5), p); /* shrinking stays in place */
    p = krealloc(p, 3000);
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(p[i], i);
    ck_assert_ptr_null(krealloc(p, 0)); /* frees */
    uint32_t *z = kcalloc(100, sizeof(uint32_t));
    ck_assert_ptr_nonnull(z);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(z[i], 0);
    kfree(z);
    ck_assert_ptr_null(kcalloc(SIZE_MAX / 2, 4)); /* overflow */
    ck_assert_ptr_null(kmalloc(8 * MIB));         /* larger than the heap can be */
    z = kcalloc(0, 4);
    kfree(z);
    drop_heap();
}
END_TEST

START_TEST(test_kmalloc_without_heap)
{
    mm_kheap_set(NULL);
    ck_assert_ptr_null(mm_kheap());
    ck_assert_ptr_null(kmalloc(8));
    ck_assert_ptr_null(krealloc(NULL, 8));
    ck_assert_ptr_null(kcalloc(1, 8));
    ck_assert_ptr_null(kmalloc_aligned(8, 64));
    kfree(NULL);
}
END_TEST

/* Randomised alloc/free/realloc against the shadow model. */
struct shadow {
    uint8_t *p;
    size_t size;
    size_t align;
    uint8_t fill;
};

static void check_fill(const struct shadow *s)
{
    for (size_t i = 0; i < s->size; i++)
        if (s->p[i] != s->fill)
            ck_abort_msg("allocation %p+%zu overwritten", (void *)s->p, i);
}

static int cmp_ptr(const void *a, const void *b)
{
    const struct shadow *x = a, *y = b;
    return x->p < y->p ? -1 : x->p > y->p;
}

static void check_no_overlap(const struct shadow *live, int n)
{
    static struct shadow sorted[512];
    int m = 0;
    for (int i = 0; i < n; i++)
        if (live[i].p)
            sorted[m++] = live[i];
    qsort(sorted, (size_t)m, sizeof(sorted[0]), cmp_ptr);
    for (int i = 1; i < m; i++)
        REQUIRE((uintptr_t)(sorted[i - 1].p + sorted[i - 1].size) <= (uintptr_t)sorted[i].p);
}

static size_t random_size(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    unsigned r = *seed >> 8;
    switch (r % 8) {
    case 0:
        return r / 8 % 16384; /* large */
    case 1:
    case 2:
        return r / 8 % 2048;
    default:
        return r / 8 % 256; /* mostly small, as kernels allocate */
    }
}

START_TEST(test_random_against_shadow)
{
    enum mm_heap_kind kind = (enum mm_heap_kind)(_i % 3);
    unsigned seed = 4242u + (unsigned)_i * 7919u;
    enum { SLOTS = 512, STEPS = 20000 };
    static struct shadow live[SLOTS];
    memset(live, 0, sizeof(live));
    make_heap(kind, MM_HEAP_INITIAL_SIZE, 16 * MIB, true);
    uint8_t gen = 1;
    for (int step = 0; step < STEPS; step++) {
        seed = seed * 1103515245u + 12345u;
        int slot = (int)((seed >> 8) % SLOTS);
        struct shadow *s = &live[slot];
        unsigned op = (seed >> 20) % 4;
        if (s->p && op < 3) {
            check_fill(s);
            if (op == 0) {
                size_t size = random_size(&seed);
                uint8_t *q = krealloc(s->p, size);
                if (size == 0) {
                    REQUIRE(q == NULL);
                    s->p = NULL;
                    continue;
                }
                REQUIRE(q != NULL);
                for (size_t i = 0; i < (size < s->size ? size : s->size); i++)
                    REQUIRE(q[i] == s->fill); /* contents kept */
                s->p = q;
                s->size = size;
                s->align = 16;
                memset(q, s->fill, size);
            } else {
                kfree(s->p);
                s->p = NULL;
            }
        } else if (!s->p) {
            s->size = random_size(&seed);
            s->align = (size_t)1 << ((seed >> 12) % 13);
            s->p = kmalloc_aligned(s->size, s->align);
            REQUIRE(s->p != NULL);
            REQUIRE((uintptr_t)s->p % s->align == 0);
            REQUIRE((uintptr_t)s->p % 16 == 0);
            REQUIRE(inside(s->p, s->size));
            s->fill = gen++;
            memset(s->p, s->fill, s->size);
        }
        if (step % 1000 == 0)
            check_no_overlap(live, SLOTS);
    }
    check_no_overlap(live, SLOTS);
    struct mm_heap_stats st;
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_le(st.in_use, st.peak_in_use);
    ck_assert_uint_le(st.in_use + st.free, st.heap_size);
    for (int i = 0; i < SLOTS; i++) {
        if (live[i].p) {
            check_fill(&live[i]);
            kfree(live[i].p);
        }
    }
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.live, 0);
    ck_assert_uint_eq(st.in_use, 0);
    ck_assert_uint_eq(st.allocs, st.frees);
    if (kind == MM_HEAP_LIST) {
        /* Coalescing left one free block: the whole heap. */
        ck_assert_uint_eq(st.free, st.heap_size);
        ck_assert_uint_eq(st.free_blocks, 1);
    }
    if (kind == MM_HEAP_BUMP)
        ck_assert_uint_eq(st.free, st.heap_size); /* reset when empty */
    if (kind == MM_HEAP_BLOCK)
        for (int c = 0; c < MM_HEAP_CLASSES; c++)
            ck_assert_uint_eq(st.class_live[c], 0);
    drop_heap();
}
END_TEST

START_TEST(test_growth_until_full)
{
    make_heap((enum mm_heap_kind)_i, 16 * KIB, 1 * MIB, true);
    void *ptrs[4096];
    int n = 0;
    void *p;
    while ((p = kmalloc(900)) != NULL) {
        REQUIRE(n < 4096);
        ptrs[n++] = p;
    }
    struct mm_heap_stats st;
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.heap_size, 1 * MIB); /* grew to the limit */
    ck_assert_uint_eq(src.mapped, 1 * MIB);
    ck_assert_uint_gt(st.grows, 0);
    ck_assert_uint_eq(st.failed, 1);
    ck_assert_uint_ge(st.in_use, 900ull * n);
    /* Most of the heap is in use (the efficiency of this simple pattern). */
    ck_assert_uint_gt(st.in_use * 100 / st.heap_size, 80);
    while (n > 0)
        kfree(ptrs[--n]);
    drop_heap();
}
END_TEST

START_TEST(test_grow_failure)
{
    make_heap((enum mm_heap_kind)_i, 16 * KIB, 1 * MIB, true);
    src.fail_after = src.calls; /* no more pages */
    void *ptrs[64];
    int n = 0;
    void *p;
    while ((p = kmalloc(1000)) != NULL)
        ptrs[n++] = p;
    ck_assert_int_gt(n, 5);
    ck_assert_int_lt(n, 17);
    ck_assert_uint_eq(heap.end - heap.base, 16 * KIB);
    src.fail_after = -1; /* pages again: the heap grows */
    p = kmalloc(1000);
    ck_assert_ptr_nonnull(p);
    kfree(p);
    while (n > 0)
        kfree(ptrs[--n]);
    drop_heap();
}
END_TEST

START_TEST(test_bad_frees_return_errors)
{
    make_heap((enum mm_heap_kind)_i, MM_HEAP_INITIAL_SIZE, 4 * MIB, false);
    uint8_t *small = kmalloc(24), *big = kmalloc(5000), *keep = kmalloc(24);
    long on_stack;
    ck_assert_int_eq(mm_heap_free(&heap, small), 0);
    ck_assert_int_eq(mm_heap_free(&heap, small), -EINVAL);    /* double free */
    ck_assert_int_eq(mm_heap_free(&heap, big + 16), -EINVAL); /* middle of a block */
    ck_assert_int_eq(mm_heap_free(&heap, big + 1), -EINVAL);  /* misaligned */
    ck_assert_int_eq(mm_heap_free(&heap, &on_stack), -EINVAL);
    ck_assert_int_eq(mm_heap_free(&heap, (void *)heap.end), -EINVAL);
    ck_assert_int_eq(mm_heap_free(&heap, big), 0);
    ck_assert_int_eq(mm_heap_free(&heap, big), -EINVAL);
    ck_assert_uint_eq(mm_heap_usable_size(&heap, &on_stack), 0);
    ck_assert_uint_eq(mm_heap_usable_size(&heap, big + 1), 0);
    ck_assert_ptr_null(mm_heap_realloc(&heap, big + 1, 10));
    struct mm_heap_stats st;
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.bad_frees, 6);
    ck_assert_uint_eq(st.live, 1);
    kfree(keep);
    heap.stats.bad_frees = 0;
    drop_heap();
}
END_TEST

START_TEST(test_double_free_panics)
{
    make_heap((enum mm_heap_kind)_i, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    void *p = kmalloc(40);
    kfree(p);
    kfree(p); /* exits with status 77 */
}
END_TEST

START_TEST(test_stats_and_classes)
{
    make_heap(MM_HEAP_BLOCK, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    void *a = kmalloc(1), *b = kmalloc(16), *c = kmalloc(17), *d = kmalloc(2048);
    void *e = kmalloc(2049), *f = kmalloc_aligned(8, 256);
    struct mm_heap_stats st;
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.class_size[0], 16);
    ck_assert_uint_eq(st.class_size[7], 2048);
    ck_assert_uint_eq(st.class_live[0], 2);
    ck_assert_uint_eq(st.class_live[1], 1);
    ck_assert_uint_eq(st.class_live[4], 1); /* 256: by alignment */
    ck_assert_uint_eq(st.class_live[7], 1);
    ck_assert_uint_eq(st.class_slabs[0], 1);
    ck_assert_uint_eq(st.class_free[0], 4096 / 16 - 2);
    ck_assert_uint_eq(mm_heap_usable_size(&heap, a), 16);
    ck_assert_uint_eq(mm_heap_usable_size(&heap, c), 32);
    ck_assert_uint_ge(mm_heap_usable_size(&heap, e), 2049);
    ck_assert_uint_eq(st.live, 6);
    ck_assert_uint_eq(st.in_use, 16 + 16 + 32 + 2048 + 256 + mm_heap_usable_size(&heap, e));
    ck_assert_uint_eq(st.peak_in_use, st.in_use);
    kfree(a);
    kfree(b);
    kfree(c);
    kfree(d);
    kfree(e);
    kfree(f);
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.in_use, 0);
    ck_assert_uint_gt(st.peak_in_use, 2048);
    ck_assert_uint_eq(st.class_free[0], 4096 / 16);
    ck_assert_uint_eq(st.allocs, 6);
    ck_assert_uint_eq(st.frees, 6);
    /* Freed objects are reused first (LIFO). */
    void *g = kmalloc(10);
    ck_assert_ptr_eq(g, b);
    kfree(g);
    drop_heap();
}
END_TEST

START_TEST(test_bump_resets_when_empty)
{
    make_heap(MM_HEAP_BUMP, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    void *a = kmalloc(100), *b = kmalloc(100);
    ck_assert((uintptr_t)b > (uintptr_t)a);
    kfree(a);
    void *c = kmalloc(100);
    ck_assert((uintptr_t)c > (uintptr_t)b); /* no reuse while anything is live */
    kfree(b);
    kfree(c);
    ck_assert_ptr_eq(kmalloc(100), a); /* everything freed: starts over */
    kfree(a);
    drop_heap();
}
END_TEST

START_TEST(test_list_coalesces_neighbours)
{
    make_heap(MM_HEAP_LIST, MM_HEAP_INITIAL_SIZE, 4 * MIB, true);
    void *a = kmalloc(100), *b = kmalloc(100), *c = kmalloc(100), *d = kmalloc(100);
    kfree(a);
    kfree(c); /* two separate holes */
    struct mm_heap_stats st;
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.free_blocks, 3); /* a, c, and the rest after d */
    kfree(b);                             /* merges a, b, c */
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.free_blocks, 2);
    /* First fit: a 300-byte request fits in the merged hole at a. */
    void *e = kmalloc(300);
    ck_assert_ptr_eq(e, a);
    kfree(e);
    kfree(d);
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.free_blocks, 1);
    drop_heap();
}
END_TEST

START_TEST(test_init_errors)
{
    struct mm_heap h;
    void *p;
    mm_sim_heap_src_init(&src, 1 * MIB);
    struct mm_heap_config cfg = {
        MM_HEAP_LIST, (uintptr_t)src.buf, 4096, 1 * MIB, NULL, NULL, false
    };
    cfg.base += 8;
    ck_assert_int_eq(mm_heap_init(&h, &cfg), -EINVAL);
    cfg.base -= 8;
    cfg.max = 4096 + 1;
    ck_assert_int_eq(mm_heap_init(&h, &cfg), -EINVAL);
    cfg.max = 1 * MIB;
    cfg.initial = 0;
    ck_assert_int_eq(mm_heap_init(&h, &cfg), -EINVAL);
    cfg.initial = 2 * MIB;
    ck_assert_int_eq(mm_heap_init(&h, &cfg), -EINVAL);
    cfg.initial = 4096;
    cfg.base = ~0ull & ~4095ull; /* the range would wrap */
    ck_assert_int_eq(mm_heap_init(&h, &cfg), -EINVAL);
    cfg.base = (uintptr_t)src.buf;
    cfg.kind = (enum mm_heap_kind)7;
    ck_assert_int_eq(mm_heap_init(&h, &cfg), -EINVAL);
    /* The block backend needs room for its page table and a slab: it grows. */
    cfg.kind = MM_HEAP_BLOCK;
    ck_assert_int_eq(mm_heap_init(&h, &cfg), -ENOMEM); /* no page source */
    cfg.max = 64 * MIB;
    cfg.grow = mm_sim_heap_grow;
    cfg.grow_ctx = &src;
    mm_sim_heap_src_fini(&src);
    mm_sim_heap_src_init(&src, 64 * MIB);
    cfg.base = (uintptr_t)src.buf;
    ck_assert_int_eq(mm_heap_init(&h, &cfg), 0); /* 16 KiB of table > 4 KiB initial */
    ck_assert_uint_gt(h.end - h.base, 16 * KIB);
    p = mm_heap_alloc(&h, 16, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(mm_heap_free(&h, p), 0);
    cfg.max = 1 * MIB;
    src.mapped = 0; /* start the range over */
    src.calls = 0;
    /* The page source fails at once. */
    cfg.kind = MM_HEAP_LIST;
    cfg.grow = mm_sim_heap_grow;
    cfg.grow_ctx = &src;
    src.fail_after = 0;
    ck_assert_int_eq(mm_heap_init(&h, &cfg), -ENOMEM);
    /* No page source: the initial range is all there is. */
    cfg.grow = NULL;
    ck_assert_int_eq(mm_heap_init(&h, &cfg), 0);
    ck_assert_ptr_null(mm_heap_alloc(&h, 8192, 0));
    p = mm_heap_alloc(&h, 100, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(mm_heap_free(&h, p), 0);
    ck_assert_int_eq(mm_heap_free(&h, NULL), 0);
    ck_assert_ptr_null(mm_heap_realloc(&h, NULL, 0x10000));
    mm_sim_heap_src_fini(&src);
}
END_TEST

START_TEST(test_kind_names)
{
    enum mm_heap_kind k;
    ck_assert_int_eq(mm_heap_kind_parse("bump", &k), 0);
    ck_assert_int_eq(k, MM_HEAP_BUMP);
    ck_assert_int_eq(mm_heap_kind_parse("list", &k), 0);
    ck_assert_int_eq(k, MM_HEAP_LIST);
    ck_assert_int_eq(mm_heap_kind_parse("block", &k), 0);
    ck_assert_int_eq(k, MM_HEAP_BLOCK);
    ck_assert_int_eq(mm_heap_kind_parse("slab", &k), -EINVAL);
    ck_assert_str_eq(mm_heap_kind_name(MM_HEAP_BLOCK), "block");
    ck_assert_str_eq(mm_heap_kind_name((enum mm_heap_kind)9), "?");
}
END_TEST

Suite *heap_suite(void)
{
    Suite *s = suite_create("heap");
    TCase *tc = tcase_create("per_backend");
    tcase_set_timeout(tc, 30);
    tcase_add_loop_test(tc, test_simple_allocation, 0, 3);
    tcase_add_loop_test(tc, test_large_vec, 0, 3);
    tcase_add_loop_test(tc, test_many_boxes, 0, 3);
    tcase_add_loop_test(tc, test_many_boxes_long_lived, 0, 3);
    tcase_add_loop_test(tc, test_alignment, 0, 3);
    tcase_add_loop_test(tc, test_realloc_and_calloc, 0, 3);
    tcase_add_loop_test(tc, test_random_against_shadow, 0, 6);
    tcase_add_loop_test(tc, test_growth_until_full, 0, 3);
    tcase_add_loop_test(tc, test_grow_failure, 0, 3);
    tcase_add_loop_test(tc, test_bad_frees_return_errors, 0, 3);
    tcase_add_loop_exit_test(tc, test_double_free_panics, 77, 0, 3);
    suite_add_tcase(s, tc);
    TCase *one = tcase_create("specific");
    tcase_add_test(one, test_kmalloc_without_heap);
    tcase_add_test(one, test_stats_and_classes);
    tcase_add_test(one, test_bump_resets_when_empty);
    tcase_add_test(one, test_list_coalesces_neighbours);
    tcase_add_test(one, test_init_errors);
    tcase_add_test(one, test_kind_names);
    suite_add_tcase(s, one);
    return s;
}
