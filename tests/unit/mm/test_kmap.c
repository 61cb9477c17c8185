/*
 * test_kmap.c - kernel stacks, MMIO windows and the heap page source on
 * simulated RAM, checked through the page tables.
 */
#include "cpu_mock.h"
#include "mm_sim.h"
#include "suites.h"
#include <k/errno.h>
#include <check.h>
#include <mm/kmap.h>
#include <mm/phys.h>

static struct mm_frames fa;
static struct mm_aspace kas;
static struct mm_vregion vr;
static uint64_t free_at_start;

static void setup(void)
{
    cpu_mock_reset();
    mm_sim_init(MM_SIM_DEFAULT_SIZE);
    mm_sim_frames(&fa);
    free_at_start = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_aspace_init_kernel(&kas, &fa), 0);
    ck_assert_int_eq(mm_vregion_init(&vr, MM_KVREGION_BASE, 64ull << 20), 0);
}

static void teardown(void)
{
    ck_assert_uint_eq(mm_vregion_free_bytes(&vr), 64ull << 20);
    mm_aspace_destroy(&kas);
    ck_assert_uint_eq(mm_frames_free_count(&fa), free_at_start);
    mm_sim_fini();
}

START_TEST(test_kstack_has_guard_page)
{
    struct mm_kstack s, t;
    uint64_t before = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_kstack_alloc(&kas, &vr, 0, &s), -EINVAL);
    ck_assert_int_eq(mm_kstack_alloc(&kas, &vr, ~0ull, &s), -ENOMEM);
    ck_assert_int_eq(mm_kstack_alloc(&kas, &vr, 16 * 1024, &s), 0);
    ck_assert_int_eq(mm_kstack_alloc(&kas, &vr, 5000, &t), 0); /* rounded to 8 KiB */
    ck_assert_uint_eq(s.base, s.guard + MM_PAGE_SIZE);
    ck_assert_uint_eq(s.top - s.base, 16 * 1024);
    ck_assert_uint_eq(t.top - t.base, 8 * 1024);
    ck_assert_int_eq(mm_pt_translate(&kas, s.guard, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_translate(&kas, t.guard, NULL, NULL), -ENOENT);
    /* The guard pages are marked, so an overflow can be recognised. */
    ck_assert(mm_pt_is_guard(&kas, s.guard));
    ck_assert(mm_pt_is_guard(&kas, t.guard + 4095));
    ck_assert(!mm_pt_is_guard(&kas, s.base));
    ck_assert(!mm_pt_is_guard(&kas, t.top));
    /* t's guard sits right above s: an overflow of t cannot land in s. */
    ck_assert_uint_eq(t.guard, s.top);
    for (uintptr_t va = s.base; va < s.top; va += MM_PAGE_SIZE) {
        uint64_t flags;
        ck_assert_int_eq(mm_pt_translate(&kas, va, NULL, &flags), 0);
        ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_W | MM_PTE_NX | MM_PTE_G | MM_PTE_OWNED);
    }
    ck_assert_uint_lt(mm_frames_free_count(&fa), before - 6);
    uintptr_t guard = s.guard;
    ck_assert_int_eq(mm_kstack_free(&kas, &vr, &s), 0);
    ck_assert(!mm_pt_is_guard(&kas, guard));
    ck_assert_int_eq(mm_kstack_free(&kas, &vr, &s), -EINVAL); /* zeroed: rejected */
    ck_assert_int_eq(mm_kstack_free(&kas, &vr, &t), 0);
}
END_TEST

START_TEST(test_kstack_out_of_memory)
{
    struct mm_kstack s;
    uint64_t before = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_kstack_alloc(&kas, &vr, 60ull << 20, &s), -ENOMEM);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
    ck_assert_int_eq(mm_kstack_alloc(&kas, &vr, 128ull << 20, &s), -ENOMEM); /* no VA */
}
END_TEST

START_TEST(test_mmio_is_uncached)
{
    volatile void *regs;
    uint64_t before = mm_frames_free_count(&fa);
    ck_assert_int_eq(mm_mmio_map(&kas, &vr, 0xfebf1010, 0x2000, &regs), 0);
    uintptr_t va = (uintptr_t)regs;
    ck_assert_uint_eq(va & 0xfff, 0x010); /* the offset in the page is kept */
    for (uintptr_t p = va & ~0xfffull; p < va + 0x2000; p += MM_PAGE_SIZE) {
        uint64_t pa, flags;
        ck_assert_int_eq(mm_pt_translate(&kas, p, &pa, &flags), 0);
        ck_assert_uint_eq(pa, 0xfebf1000 + (p - (va & ~0xfffull)));
        ck_assert_uint_eq(flags, MM_PTE_P | MM_PTE_W | MM_PTE_NX | MM_PTE_G | MM_PTE_PCD |
                                     MM_PTE_PWT); /* not owned */
    }
    uint64_t pa;
    ck_assert_int_eq(mm_pt_translate(&kas, va, &pa, NULL), 0);
    ck_assert_uint_eq(pa, 0xfebf1010);
    ck_assert_int_eq(mm_mmio_unmap(&kas, &vr, regs, 0x2000), 0);
    ck_assert_int_eq(mm_pt_translate(&kas, va, NULL, NULL), -ENOENT);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
    ck_assert_int_eq(mm_mmio_map(&kas, &vr, 0x1000, 0, &regs), -EINVAL);
    ck_assert_int_eq(mm_mmio_map(&kas, &vr, ~0ull - 10, 100, &regs), -EINVAL);
    ck_assert_int_eq(mm_mmio_map(&kas, &vr, (1ull << 52) - 4096, 8192, &regs), -EINVAL);
    ck_assert_int_eq(mm_mmio_map(&kas, &vr, 0x1000, 1ull << 30, &regs), -ENOMEM);
    ck_assert_int_eq(mm_mmio_unmap(&kas, &vr, regs, 0), -EINVAL);
}
END_TEST

START_TEST(test_mmio_table_failure_rolls_back)
{
    static uint64_t all[8192];
    uint64_t n = 0, pa;
    while (mm_frame_alloc(&fa, &pa) == 0)
        all[n++] = pa;
    volatile void *regs;
    ck_assert_int_eq(mm_mmio_map(&kas, &vr, 0xfee00000, 0x1000, &regs), -ENOMEM);
    for (uint64_t i = 0; i < n; i++)
        mm_frame_free(&fa, all[i]);
}
END_TEST

START_TEST(test_heap_grow_maps_pages)
{
    uintptr_t va;
    ck_assert_int_eq(mm_vregion_alloc(&vr, 1 << 20, 0, &va), 0);
    ck_assert_int_eq(mm_kmap_heap_grow(&kas, va, 64 * 1024), 0);
    uint64_t flags;
    ck_assert_int_eq(mm_pt_translate(&kas, va + 60 * 1024, NULL, &flags), 0);
    ck_assert(flags & MM_PTE_W);
    ck_assert(flags & MM_PTE_NX);
    ck_assert_int_eq(mm_pt_translate(&kas, va + 64 * 1024, NULL, NULL), -ENOENT);
    ck_assert_int_eq(mm_pt_unmap_range(&kas, va, 1 << 20), 16);
    ck_assert_int_eq(mm_vregion_free(&vr, va, 1 << 20), 0);
}
END_TEST

START_TEST(test_dma_buffers)
{
    uint64_t before = mm_frames_free_count(&fa), phys;
    void *virt;
    ck_assert_int_eq(mm_dma_alloc(&fa, 0, &phys, &virt), -EINVAL);
    ck_assert_int_eq(mm_dma_alloc(&fa, 3 * 4096 + 1, &phys, &virt), 0);
    ck_assert_uint_eq(phys % 4096, 0);
    ck_assert_ptr_eq(virt, mm_phys_to_virt(phys));
    const uint8_t *b = virt;
    for (int i = 0; i < 4 * 4096; i++)
        REQUIRE(b[i] == 0);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before - 4);
    mm_dma_free(&fa, phys, virt, 3 * 4096 + 1);
    ck_assert_uint_eq(mm_frames_free_count(&fa), before);
    ck_assert_int_eq(mm_dma_alloc(&fa, 1ull << 30, &phys, &virt), -ENOMEM);
}
END_TEST

Suite *kmap_suite(void)
{
    Suite *s = suite_create("kmap");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_kstack_has_guard_page);
    tcase_add_test(tc, test_kstack_out_of_memory);
    tcase_add_test(tc, test_mmio_is_uncached);
    tcase_add_test(tc, test_mmio_table_failure_rolls_back);
    tcase_add_test(tc, test_heap_grow_maps_pages);
    tcase_add_test(tc, test_dma_buffers);
    suite_add_tcase(s, tc);
    return s;
}
