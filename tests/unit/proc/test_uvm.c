/*
 * test_uvm.c - the user address space on simulated RAM: mmap placement,
 * munmap/mprotect splitting and merging, brk, stacks and guard gaps, demand
 * paging, faults, and the copy routines. Fork and copy-on-write are in
 * test_uvm_fork.c, the randomized model test in test_uvm_model.c.
 */
#include "suites.h"
#include "test_uvm.h"
#include <k/errno.h>
#include <check.h>
#include <mm/phys.h>
#include <string.h>

#define PG    MM_PAGE_SIZE
#define BASE  0x10000000ull /* a quiet part of the user half for fixed mappings */
#define RW    (UVM_PROT_READ | UVM_PROT_WRITE)
#define RX    (UVM_PROT_READ | UVM_PROT_EXEC)
#define R     UVM_PROT_READ
#define FIXED UVM_MAP_FIXED

static struct uvm vm;

static void setup(void)
{
    uvm_test_setup();
    uvm_test_create(&vm);
}

static void teardown(void)
{
    uvm_destroy(&vm);
    uvm_test_teardown();
}

/* Map [addr, addr + len) fixed, asserting success. */
static void map_fixed(uint64_t addr, uint64_t len, int prot)
{
    uint64_t got;
    ck_assert_int_eq(uvm_map(&vm, addr, len, prot, FIXED, &got), 0);
    ck_assert_uint_eq(got, addr);
}

/* Assert the VMA list is exactly the given (start, end, prot, kind) quadruples. */
static void expect_vmas(const struct uvm_vma *want, uint32_t n)
{
    ck_assert_uint_eq(vm.nvmas, n);
    for (uint32_t i = 0; i < n; i++) {
        ck_assert_uint_eq(vm.vmas[i].start, want[i].start);
        ck_assert_uint_eq(vm.vmas[i].end, want[i].end);
        ck_assert_uint_eq(vm.vmas[i].prot, want[i].prot);
        ck_assert_uint_eq(vm.vmas[i].kind, want[i].kind);
    }
}

static uint64_t resident(void)
{
    struct uvm_stats st;
    uvm_stats(&vm, &st);
    return st.resident_pages;
}

START_TEST(test_create_destroy_returns_everything)
{
    /* The fixture's vm: only a PML4 so far. */
    struct uvm_stats st;
    uvm_stats(&vm, &st);
    ck_assert_uint_eq(st.table_frames, 1);
    ck_assert_uint_eq(st.vmas, 0);
    ck_assert_ptr_eq(uvm_aspace(&vm), &vm.as);

    uint64_t before = uvm_test_free_frames();
    struct uvm other;
    uvm_test_create(&other);
    uint64_t got;
    ck_assert_int_eq(uvm_map(&other, 0, 64 * PG, RW, 0, &got), 0);
    for (uint64_t i = 0; i < 64; i += 3)
        ck_assert_int_eq(uvm_fault(&other, got + i * PG, true, false), 0);
    ck_assert_uint_lt(uvm_test_free_frames(), before);
    uvm_destroy(&other);
    ck_assert_uint_eq(uvm_test_free_frames(), before);
    uvm_destroy(&other); /* twice is harmless */
    ck_assert_uint_eq(uvm_test_free_frames(), before);

    /* Bad configurations. */
    struct uvm_config cfg = uvm_test_config();
    struct mm_frames fake = { 0 };
    cfg.frames = &fake;
    ck_assert_int_eq(uvm_create(&other, &cfg), -EINVAL);
    cfg = uvm_test_config();
    cfg.alloc = NULL;
    ck_assert_int_eq(uvm_create(&other, &cfg), -EINVAL);
    cfg = uvm_test_config();
    cfg.frames = NULL; /* the kernel's, then */
    ck_assert_int_eq(uvm_create(&other, &cfg), 0);
    ck_assert_ptr_eq(other.cfg.frames, &uvm_test_frames);
    uvm_destroy(&other);
}
END_TEST

START_TEST(test_map_placement)
{
    uint64_t a, b, c;
    /* No hint: top down below mmap_base. */
    ck_assert_int_eq(uvm_map(&vm, 0, 3 * PG, RW, 0, &a), 0);
    ck_assert_uint_eq(a, UVM_MMAP_BASE - 3 * PG);
    ck_assert_int_eq(uvm_map(&vm, 0, 100, R, 0, &b), 0); /* length rounded up */
    ck_assert_uint_eq(b, a - PG);
    /* A free hint is taken as is (rounded up to a page). */
    ck_assert_int_eq(uvm_map(&vm, BASE + 1, PG, RW, 0, &c), 0);
    ck_assert_uint_eq(c, BASE + PG);
    /* A hint over something mapped is not: the mapping goes elsewhere. */
    ck_assert_int_eq(uvm_map(&vm, BASE, 2 * PG, RW, 0, &c), 0);
    ck_assert_uint_eq(c, b - 2 * PG);
    /* Hints below UVM_USER_MIN or past the top are ignored too. */
    ck_assert_int_eq(uvm_map(&vm, PG, PG, RW, 0, &c), 0);
    ck_assert_uint_eq(c, b - 3 * PG);
    ck_assert_int_eq(uvm_map(&vm, UVM_USER_TOP - PG, 2 * PG, RW, 0, &c), 0);
    ck_assert_uint_eq(c, b - 5 * PG);
    /* When nothing fits below mmap_base, above it. */
    vm.mmap_base = UVM_USER_MIN + PG;
    ck_assert_int_eq(uvm_map(&vm, 0, 2 * PG, RW, 0, &c), 0);
    ck_assert_uint_eq(c, UVM_USER_TOP - 2 * PG);
    /* The hinted page, [b - 5, b) merged, the R page, a, and the last one. */
    ck_assert_uint_eq(vm.nvmas, 5);
}
END_TEST

START_TEST(test_map_errors)
{
    uint64_t got = 0xdead;
    ck_assert_int_eq(uvm_map(&vm, 0, 0, RW, 0, &got), -EINVAL);
    ck_assert_int_eq(uvm_map(&vm, 0, PG, 8, 0, &got), -EINVAL);
    ck_assert_int_eq(uvm_map(&vm, 0, PG, RW, 0x20, &got), -EINVAL);
    ck_assert_int_eq(uvm_map(&vm, 0, PG, RW | UVM_PROT_EXEC, 0, &got), -EACCES);
    ck_assert_int_eq(uvm_map(&vm, 0, PG, UVM_PROT_WRITE | UVM_PROT_EXEC, FIXED, &got), -EACCES);
    ck_assert_int_eq(uvm_map(&vm, BASE + 1, PG, RW, FIXED, &got), -EINVAL);
    ck_assert_int_eq(uvm_map(&vm, 0, PG, RW, FIXED, &got), -EPERM);
    ck_assert_int_eq(uvm_map(&vm, UVM_USER_MIN - PG, PG, RW, FIXED, &got), -EPERM);
    ck_assert_int_eq(uvm_map(&vm, UVM_USER_TOP - PG, 2 * PG, RW, FIXED, &got), -ENOMEM);
    ck_assert_int_eq(uvm_map(&vm, UVM_USER_TOP, PG, RW, FIXED, &got), -ENOMEM);
    ck_assert_int_eq(uvm_map(&vm, 0, UVM_USER_TOP + 1, RW, 0, &got), -ENOMEM);
    ck_assert_int_eq(uvm_map(&vm, 0, ~0ull, RW, 0, &got), -ENOMEM);
    ck_assert_int_eq(uvm_map(&vm, 0, UVM_USER_TOP, RW, 0, &got), -ENOMEM); /* no room */
    ck_assert_uint_eq(got, 0xdead);
    ck_assert_uint_eq(vm.nvmas, 0);
    /* Edge: the very last page and the lowest allowed one. */
    map_fixed(UVM_USER_TOP - PG, PG, RW);
    map_fixed(UVM_USER_MIN, PG, RW);
    ck_assert_int_eq(uvm_fault(&vm, UVM_USER_TOP - 1, true, false), 0);
    ck_assert_int_eq(uvm_unmap(&vm, UVM_USER_MIN, UVM_USER_TOP - UVM_USER_MIN), 0);
    ck_assert_uint_eq(vm.nvmas, 0);
    /* The VMA array cannot grow: what needs a slot fails and changes nothing. */
    uvm_test_fail_alloc_after(0);
    for (uint64_t i = vm.nvmas; i < vm.cap; i++) /* fill the slots there are */
        ck_assert_int_eq(uvm_map(&vm, BASE + 2 * i * PG, PG, RW, 0, &got), 0);
    ck_assert_uint_eq(vm.nvmas, 8);
    ck_assert_int_eq(uvm_map(&vm, 0, PG, R, 0, &got), -ENOMEM);
    ck_assert_int_eq(uvm_map(&vm, BASE + 64 * PG, PG, R, FIXED, &got), -ENOMEM);
    map_fixed(BASE, PG, R); /* replacing a whole VMA needs no new slot */
    ck_assert_int_eq(uvm_protect(&vm, BASE + 2 * PG, PG, R), 0);
    ck_assert_uint_eq(uvm_brk(&vm, 0), 0);
    ck_assert_int_eq(uvm_set_brk_base(&vm, BASE + 32 * PG), 0);
    ck_assert_uint_eq(uvm_brk(&vm, BASE + 33 * PG), BASE + 32 * PG);
    ck_assert_uint_eq(vm.nvmas, 8);
    /* Unmapping nothing, or whole VMAs, needs no slot either. */
    ck_assert_int_eq(uvm_unmap(&vm, BASE + PG, PG), 0);
    ck_assert_int_eq(uvm_unmap(&vm, BASE, PG), 0);
    ck_assert_uint_eq(vm.nvmas, 7);
    uvm_test_fail_alloc_after(-1);
    ck_assert_int_eq(uvm_map(&vm, BASE + 64 * PG, 2 * PG, R, FIXED, &got), 0);
    ck_assert_int_eq(uvm_protect(&vm, BASE + 64 * PG, PG, RW), 0);
    ck_assert_uint_eq(vm.nvmas, 9);
    /* A fresh address space whose first allocation fails. */
    struct uvm other;
    uvm_test_create(&other);
    uvm_test_fail_alloc_after(0);
    ck_assert_int_eq(uvm_map(&other, 0, PG, R, 0, &got), -ENOMEM);
    ck_assert_int_eq(uvm_unmap(&other, BASE, PG), 0);
    uvm_test_fail_alloc_after(-1);
    uvm_destroy(&other);
}
END_TEST

START_TEST(test_split_and_merge)
{
    /* Adjacent mappings with equal protection merge. */
    map_fixed(BASE, 4 * PG, RW);
    map_fixed(BASE + 4 * PG, 4 * PG, RW);
    struct uvm_vma one[] = { { BASE, BASE + 8 * PG, RW, UVM_VMA_ANON } };
    expect_vmas(one, 1);
    /* mprotect of the middle splits in three; back again merges. */
    ck_assert_int_eq(uvm_protect(&vm, BASE + 2 * PG, 3 * PG, R), 0);
    struct uvm_vma three[] = { { BASE, BASE + 2 * PG, RW, UVM_VMA_ANON },
                               { BASE + 2 * PG, BASE + 5 * PG, R, UVM_VMA_ANON },
                               { BASE + 5 * PG, BASE + 8 * PG, RW, UVM_VMA_ANON } };
    expect_vmas(three, 3);
    ck_assert_int_eq(uvm_protect(&vm, BASE + 2 * PG, 3 * PG, RW), 0);
    expect_vmas(one, 1);
    /* munmap of the middle splits in two. */
    ck_assert_int_eq(uvm_unmap(&vm, BASE + 3 * PG, 2 * PG), 0);
    struct uvm_vma two[] = { { BASE, BASE + 3 * PG, RW, UVM_VMA_ANON },
                             { BASE + 5 * PG, BASE + 8 * PG, RW, UVM_VMA_ANON } };
    expect_vmas(two, 2);
    /* Filling the hole with another protection, then fixing it, merges all. */
    map_fixed(BASE + 3 * PG, 2 * PG, RX);
    ck_assert_uint_eq(vm.nvmas, 3);
    ck_assert_int_eq(uvm_protect(&vm, BASE + 3 * PG, 2 * PG, RW), 0);
    expect_vmas(one, 1);
    /* A fixed mapping over the ends of two VMAs replaces both parts. */
    map_fixed(BASE + 8 * PG, 2 * PG, R);
    map_fixed(BASE + 7 * PG, 2 * PG, RX);
    struct uvm_vma over[] = { { BASE, BASE + 7 * PG, RW, UVM_VMA_ANON },
                              { BASE + 7 * PG, BASE + 9 * PG, RX, UVM_VMA_ANON },
                              { BASE + 9 * PG, BASE + 10 * PG, R, UVM_VMA_ANON } };
    expect_vmas(over, 3);
    /* munmap across everything and beyond; unmapping nothing is fine. */
    ck_assert_int_eq(uvm_unmap(&vm, BASE - 4 * PG, 20 * PG), 0);
    ck_assert_uint_eq(vm.nvmas, 0);
    ck_assert_int_eq(uvm_unmap(&vm, BASE, PG), 0);
    const struct uvm_vma *none = uvm_find_vma(&vm, BASE);
    ck_assert_ptr_null(none);
}
END_TEST

START_TEST(test_unmap_frees_pages)
{
    uint64_t before = uvm_test_free_frames();
    map_fixed(BASE, 8 * PG, RW);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(uvm_fault(&vm, BASE + i * PG + 5, true, false), 0);
    ck_assert_uint_eq(resident(), 8);
    ck_assert_uint_eq(vm.counter.zero_fills, 8);
    ck_assert_int_eq(uvm_unmap(&vm, BASE + 2 * PG, 3 * PG), 0);
    ck_assert_uint_eq(resident(), 5);
    ck_assert_uint_eq(uvm_test_pte(&vm, BASE + 2 * PG, NULL), 0);
    ck_assert_uint_ne(uvm_test_pte(&vm, BASE + 5 * PG, NULL), 0);
    /* Touching an unmapped page now faults. */
    ck_assert_int_eq(uvm_fault(&vm, BASE + 3 * PG, false, false), -EFAULT);
    ck_assert_int_eq(uvm_unmap(&vm, BASE, 8 * PG), 0);
    ck_assert_uint_eq(resident(), 0);
    /* Every page and every page table is back (the PML4 stays). */
    ck_assert_uint_eq(uvm_test_free_frames(), before);
    /* Errors. */
    ck_assert_int_eq(uvm_unmap(&vm, BASE + 1, PG), -EINVAL);
    ck_assert_int_eq(uvm_unmap(&vm, BASE, 0), -EINVAL);
    ck_assert_int_eq(uvm_unmap(&vm, UVM_USER_TOP - PG, 2 * PG), -EINVAL);
    ck_assert_int_eq(uvm_unmap(&vm, BASE, ~0ull), -EINVAL);
}
END_TEST

START_TEST(test_discard_drops_pages_and_keeps_the_mapping)
{
    uint64_t before = uvm_test_free_frames();
    map_fixed(BASE, 4 * PG, RW);
    uint32_t v = 0xabcd;
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(uvm_copy_out(&vm, BASE + i * PG, &v, sizeof(v)), 0);
    ck_assert_uint_eq(resident(), 4);
    ck_assert_int_eq(uvm_discard(&vm, BASE + PG, 2 * PG - 100), 0); /* rounds up */
    ck_assert_uint_eq(resident(), 2);
    ck_assert_int_eq(uvm_copy_in(&vm, &v, BASE + PG, sizeof(v)), 0); /* zero again */
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(uvm_copy_in(&vm, &v, BASE + 3 * PG, sizeof(v)), 0); /* kept */
    ck_assert_uint_eq(v, 0xabcd);
    ck_assert_int_eq(uvm_discard(&vm, BASE, 0), 0);
    ck_assert_int_eq(uvm_discard(&vm, BASE + 1, PG), -EINVAL);
    ck_assert_int_eq(uvm_discard(&vm, BASE, ~0ull), -EINVAL);
    ck_assert_int_eq(uvm_discard(&vm, BASE, 5 * PG), -ENOMEM); /* past the mapping */
    ck_assert_int_eq(uvm_unmap(&vm, BASE, 4 * PG), 0);
    ck_assert_uint_eq(uvm_test_free_frames(), before);
}
END_TEST

START_TEST(test_fixed_map_replaces_contents)
{
    map_fixed(BASE, 2 * PG, RW);
    uint32_t v = 0x1234;
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + PG, &v, sizeof(v)), 0);
    map_fixed(BASE, 2 * PG, RW); /* MAP_FIXED: fresh zero pages */
    ck_assert_int_eq(uvm_copy_in(&vm, &v, BASE + PG, sizeof(v)), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_uint_eq(resident(), 0);
}
END_TEST

START_TEST(test_protect)
{
    map_fixed(BASE, 4 * PG, RW);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(uvm_fault(&vm, BASE + i * PG, true, false), 0);
    uint64_t e = uvm_test_pte(&vm, BASE, NULL);
    ck_assert_uint_eq(e & (MM_PTE_U | MM_PTE_W | MM_PTE_NX), MM_PTE_U | MM_PTE_W | MM_PTE_NX);
    /* Read-only: the PTE loses W; a write faults. */
    ck_assert_int_eq(uvm_protect(&vm, BASE, 2 * PG, R), 0);
    e = uvm_test_pte(&vm, BASE, NULL);
    ck_assert_uint_eq(e & (MM_PTE_U | MM_PTE_W | MM_PTE_NX), MM_PTE_U | MM_PTE_NX);
    ck_assert_int_eq(uvm_fault(&vm, BASE, true, false), -EFAULT);
    /* Executable: NX goes. */
    ck_assert_int_eq(uvm_protect(&vm, BASE, PG, RX), 0);
    ck_assert_uint_eq(uvm_test_pte(&vm, BASE, NULL) & MM_PTE_NX, 0);
    ck_assert_int_eq(uvm_fault(&vm, BASE + 8, false, true), 0);
    /* PROT_NONE: the page stays but is no longer a user page. */
    ck_assert_int_eq(uvm_protect(&vm, BASE + PG, PG, UVM_PROT_NONE), 0);
    e = uvm_test_pte(&vm, BASE + PG, NULL);
    ck_assert_uint_ne(e & MM_PTE_P, 0);
    ck_assert_uint_eq(e & (MM_PTE_U | MM_PTE_W), 0);
    ck_assert_int_eq(uvm_fault(&vm, BASE + PG, false, false), -EFAULT);
    /* Writable again: the first write fault restores W without copying. */
    ck_assert_int_eq(uvm_protect(&vm, BASE, 2 * PG, RW), 0);
    ck_assert_uint_eq(uvm_test_pte(&vm, BASE + PG, NULL) & MM_PTE_W, 0);
    ck_assert_int_eq(uvm_fault(&vm, BASE + PG, true, false), 0);
    ck_assert_uint_ne(uvm_test_pte(&vm, BASE + PG, NULL) & MM_PTE_W, 0);
    ck_assert_uint_eq(vm.counter.write_enables, 1);
    ck_assert_uint_eq(vm.counter.cow_copies, 0);
    ck_assert_uint_eq(resident(), 4);
    /* Errors change nothing. */
    ck_assert_int_eq(uvm_protect(&vm, BASE, 5 * PG, R), -ENOMEM); /* runs past the end */
    ck_assert_int_eq(uvm_protect(&vm, BASE - PG, 2 * PG, R), -ENOMEM);
    ck_assert_uint_eq(vm.nvmas, 1);
    ck_assert_uint_eq(vm.vmas[0].prot, RW);
    ck_assert_int_eq(uvm_protect(&vm, BASE, PG, RW | UVM_PROT_EXEC), -EACCES);
    ck_assert_int_eq(uvm_protect(&vm, BASE, PG, 16), -EINVAL);
    ck_assert_int_eq(uvm_protect(&vm, BASE + 1, PG, R), -EINVAL);
    ck_assert_int_eq(uvm_protect(&vm, BASE, ~0ull, R), -EINVAL);
    ck_assert_int_eq(uvm_protect(&vm, BASE, 0, R), 0);
    ck_assert_uint_eq(vm.vmas[0].prot, RW);
    /* A hole in the middle. */
    ck_assert_int_eq(uvm_unmap(&vm, BASE + 2 * PG, PG), 0);
    ck_assert_int_eq(uvm_protect(&vm, BASE, 4 * PG, R), -ENOMEM);
    ck_assert_uint_eq(vm.vmas[0].prot, RW);
    ck_assert_uint_eq(vm.vmas[1].prot, RW);
}
END_TEST

START_TEST(test_brk)
{
    ck_assert_uint_eq(uvm_brk(&vm, 0), 0);         /* no heap yet */
    ck_assert_uint_eq(uvm_brk(&vm, BASE + PG), 0); /* cannot grow one */
    ck_assert_int_eq(uvm_set_brk_base(&vm, BASE + 10), 0);
    uint64_t base = BASE + PG;
    ck_assert_uint_eq(uvm_brk(&vm, 0), base);
    ck_assert_uint_eq(vm.nvmas, 0);
    /* Grow by bytes: the break is byte granular, the VMA whole pages. */
    ck_assert_uint_eq(uvm_brk(&vm, base + 100), base + 100);
    struct uvm_vma h1[] = { { base, base + PG, RW, UVM_VMA_HEAP } };
    expect_vmas(h1, 1);
    ck_assert_uint_eq(uvm_brk(&vm, base + 3 * PG + 1), base + 3 * PG + 1);
    struct uvm_vma h4[] = { { base, base + 4 * PG, RW, UVM_VMA_HEAP } };
    expect_vmas(h4, 1);
    /* The heap is demand-zero memory. */
    uint64_t v = 0x77;
    ck_assert_int_eq(uvm_copy_out(&vm, base + 3 * PG - 4, &v, sizeof(v)), 0);
    ck_assert_uint_eq(resident(), 2);
    ck_assert_int_eq(uvm_set_brk_base(&vm, BASE), -EBUSY);
    /* Shrinking within the last page keeps it. */
    ck_assert_uint_eq(uvm_brk(&vm, base + 3 * PG + 8), base + 3 * PG + 8);
    expect_vmas(h4, 1);
    /* Shrinking unmaps the pages wholly above the new break. */
    ck_assert_uint_eq(uvm_brk(&vm, base + PG), base + PG);
    expect_vmas(h1, 1);
    ck_assert_uint_eq(resident(), 0);
    /* Growing back gives zeros. */
    ck_assert_uint_eq(uvm_brk(&vm, base + 3 * PG), base + 3 * PG);
    ck_assert_int_eq(uvm_copy_in(&vm, &v, base + 3 * PG - 4, sizeof(v)), -EFAULT);
    ck_assert_int_eq(uvm_copy_in(&vm, &v, base + 3 * PG - 8, sizeof(v)), 0);
    ck_assert_uint_eq(v, 0);
    /* Below the base or past the top: refused, the old break comes back. */
    ck_assert_uint_eq(uvm_brk(&vm, base - 1), base + 3 * PG);
    ck_assert_uint_eq(uvm_brk(&vm, UVM_USER_TOP + PG), base + 3 * PG);
    /* A mapping in the way stops growth. */
    map_fixed(base + 5 * PG, PG, R);
    ck_assert_uint_eq(uvm_brk(&vm, base + 6 * PG), base + 3 * PG);
    ck_assert_uint_eq(uvm_brk(&vm, base + 5 * PG), base + 5 * PG);
    /* Back to the base: the heap VMA is gone, the mapping stays. */
    ck_assert_uint_eq(uvm_brk(&vm, base), base);
    struct uvm_vma rest[] = { { base + 5 * PG, base + 6 * PG, R, UVM_VMA_ANON } };
    expect_vmas(rest, 1);
    ck_assert_int_eq(uvm_set_brk_base(&vm, BASE + 64 * PG), 0); /* not grown: allowed */
    ck_assert_int_eq(uvm_set_brk_base(&vm, UVM_USER_TOP + 1), -EINVAL);
    struct uvm_stats st;
    uvm_stats(&vm, &st);
    ck_assert_uint_eq(st.brk_base, BASE + 64 * PG);
    ck_assert_uint_eq(st.brk, BASE + 64 * PG);
}
END_TEST

START_TEST(test_demand_zero)
{
    map_fixed(BASE, 2 * PG, RW);
    ck_assert_uint_eq(uvm_test_pte(&vm, BASE, NULL), 0); /* nothing until touched */
    uint64_t before = uvm_test_free_frames();
    ck_assert_int_eq(uvm_fault(&vm, BASE + 123, false, false), 0);
    uint64_t pa, e = uvm_test_pte(&vm, BASE, &pa);
    ck_assert_uint_eq(e & (MM_PTE_P | MM_PTE_U | MM_PTE_W | MM_PTE_NX | MM_PTE_OWNED),
                      MM_PTE_P | MM_PTE_U | MM_PTE_W | MM_PTE_NX | MM_PTE_OWNED);
    /* Simulated RAM starts as 0xA5 garbage: the page was really zeroed. */
    const uint8_t *p = mm_phys_to_virt(pa);
    for (uint64_t i = 0; i < PG; i++)
        REQUIRE(p[i] == 0);
    ck_assert_uint_eq(mm_frame_refcount(&uvm_test_frames, pa), 1);
    /* One frame for the page, three tables for the path to it. */
    ck_assert_uint_eq(before - uvm_test_free_frames(), 4);
    ck_assert_uint_eq(resident(), 1);
    /* A second fault on a present page is harmless (a stale TLB entry). */
    ck_assert_int_eq(uvm_fault(&vm, BASE, true, false), 0);
    ck_assert_uint_eq(resident(), 1);
    struct uvm_stats st;
    uvm_stats(&vm, &st);
    ck_assert_uint_eq(st.faults, 2);
    ck_assert_uint_eq(st.zero_fills, 1);
    ck_assert_uint_eq(st.mapped_bytes, 2 * PG);
    ck_assert_uint_eq(st.table_frames, 4);
}
END_TEST

START_TEST(test_fault_errors)
{
    map_fixed(BASE, PG, R);
    map_fixed(BASE + PG, PG, RX);
    map_fixed(BASE + 2 * PG, PG, UVM_PROT_NONE);
    uint64_t low;
    ck_assert_int_eq(uvm_map_stack(&vm, BASE + 16 * PG, 4 * PG, 4 * PG, &low), 0);
    ck_assert_int_eq(uvm_fault(&vm, BASE - 1, false, false), -EFAULT);      /* unmapped */
    ck_assert_int_eq(uvm_fault(&vm, 0, false, false), -EFAULT);             /* NULL */
    ck_assert_int_eq(uvm_fault(&vm, BASE, true, false), -EFAULT);           /* read-only */
    ck_assert_int_eq(uvm_fault(&vm, BASE, false, true), -EFAULT);           /* NX */
    ck_assert_int_eq(uvm_fault(&vm, BASE + PG, true, false), -EFAULT);      /* text */
    ck_assert_int_eq(uvm_fault(&vm, BASE + 2 * PG, false, false), -EFAULT); /* PROT_NONE */
    ck_assert_int_eq(uvm_fault(&vm, low - 1, true, false), -EFAULT);        /* guard gap */
    ck_assert_int_eq(uvm_fault(&vm, low - 4 * PG, false, false), -EFAULT);  /* its bottom */
    ck_assert_int_eq(uvm_fault(&vm, low, true, true), -EFAULT);             /* stack is NX */
    ck_assert_int_eq(uvm_fault(&vm, UVM_USER_TOP, false, false), -EFAULT);  /* last page */
    ck_assert_int_eq(uvm_fault(&vm, 0xffff800000000000ull, false, false), -EFAULT);
    ck_assert_uint_eq(resident(), 0);
    /* And what is allowed works. */
    ck_assert_int_eq(uvm_fault(&vm, BASE, false, false), 0);
    ck_assert_int_eq(uvm_fault(&vm, BASE + PG, false, true), 0);
    ck_assert_uint_eq(uvm_test_pte(&vm, BASE + PG, NULL) & (MM_PTE_NX | MM_PTE_W), 0);
    ck_assert_uint_eq(uvm_test_pte(&vm, BASE, NULL) & MM_PTE_W, 0);
    ck_assert_int_eq(uvm_fault(&vm, low, true, false), 0);
    ck_assert_int_eq(uvm_fault(&vm, BASE + 16 * PG - 1, true, false), 0);
    ck_assert_uint_eq(resident(), 4);
}
END_TEST

START_TEST(test_stack_and_guard_gap)
{
    uint64_t top = UVM_USER_TOP, low;
    ck_assert_int_eq(uvm_map_stack(&vm, top, 8 * PG + 1, 16 * PG - 5, &low), 0);
    ck_assert_uint_eq(low, top - 9 * PG);
    struct uvm_vma want[] = { { low - 16 * PG, low, UVM_PROT_NONE, UVM_VMA_GUARD },
                              { low, top, RW, UVM_VMA_STACK } };
    expect_vmas(want, 2);
    const struct uvm_vma *g = uvm_find_vma(&vm, low - 1);
    ck_assert_ptr_nonnull(g);
    ck_assert_uint_eq(g->kind, UVM_VMA_GUARD);
    struct uvm_stats st;
    uvm_stats(&vm, &st);
    ck_assert_uint_eq(st.mapped_bytes, 9 * PG); /* the gap is not mapped memory */
    /* mmap never hands out the gap: not for a hint inside it, not top down. */
    uint64_t got;
    vm.mmap_base = top;
    ck_assert_int_eq(uvm_map(&vm, low - 8 * PG, PG, RW, 0, &got), 0);
    ck_assert_uint_eq(got, low - 17 * PG);
    ck_assert_int_eq(uvm_map(&vm, 0, PG, RW, 0, &got), 0);
    ck_assert_uint_eq(got, low - 18 * PG);
    /* Not even with MAP_FIXED; munmap and mprotect leave it alone. */
    ck_assert_int_eq(uvm_map(&vm, low - 2 * PG, PG, RW, FIXED, &got), -ENOMEM);
    ck_assert_int_eq(uvm_map(&vm, low - 17 * PG, 2 * PG, RW, FIXED, &got), -ENOMEM);
    ck_assert_int_eq(uvm_unmap(&vm, low - 20 * PG, 20 * PG), 0);
    expect_vmas(want, 2);
    ck_assert_int_eq(uvm_protect(&vm, low - PG, 2 * PG, R), -ENOMEM);
    ck_assert_int_eq(uvm_unmap(&vm, low - 4 * PG, 8 * PG), 0); /* half the gap, half the stack */
    struct uvm_vma after[] = { { low - 16 * PG, low, UVM_PROT_NONE, UVM_VMA_GUARD },
                               { low + 4 * PG, top, RW, UVM_VMA_STACK } };
    expect_vmas(after, 2);
    /* brk cannot grow into a gap. */
    ck_assert_int_eq(uvm_set_brk_base(&vm, low - 20 * PG), 0);
    ck_assert_uint_eq(uvm_brk(&vm, low - 16 * PG), low - 16 * PG);
    ck_assert_uint_eq(uvm_brk(&vm, low - 15 * PG), low - 16 * PG);
    /* A second stack over the first, or over its gap, is refused. */
    ck_assert_int_eq(uvm_map_stack(&vm, top, PG, 0, &got), -EEXIST);
    ck_assert_int_eq(uvm_map_stack(&vm, low - 10 * PG, PG, 0, &got), -EEXIST);
    /* Bad arguments. */
    ck_assert_int_eq(uvm_map_stack(&vm, top + PG, PG, 0, &got), -EINVAL);
    ck_assert_int_eq(uvm_map_stack(&vm, BASE + 1, PG, 0, &got), -EINVAL);
    ck_assert_int_eq(uvm_map_stack(&vm, BASE, 0, 0, &got), -EINVAL);
    ck_assert_int_eq(uvm_map_stack(&vm, UVM_USER_MIN + PG, PG, PG, &got), -EINVAL);
    ck_assert_int_eq(uvm_map_stack(&vm, BASE, PG, ~0ull, &got), -EINVAL);
    /* No gap at all is allowed. */
    ck_assert_int_eq(uvm_map_stack(&vm, BASE, PG, 0, &got), 0);
    ck_assert_uint_eq(got, BASE - PG);
}
END_TEST

START_TEST(test_copy_across_pages)
{
    map_fixed(BASE, 3 * PG, RW);
    static uint8_t out[6000], in[6000];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 7 + 1);
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + 4000, out, sizeof(out)), 0);
    ck_assert_uint_eq(resident(), 3);
    ck_assert_int_eq(uvm_copy_in(&vm, in, BASE + 4000, sizeof(in)), 0);
    ck_assert_mem_eq(in, out, sizeof(out));
    /* The bytes really are in the frames, at the right offsets. */
    uint64_t pa;
    ck_assert_uint_ne(uvm_test_pte(&vm, BASE + 2 * PG, &pa), 0);
    const uint8_t *p = mm_phys_to_virt(pa);
    ck_assert_uint_eq(p[0], out[2 * PG - 4000]);
    /* Untouched memory reads as zeros, and reading backs nothing. */
    map_fixed(BASE + 3 * PG, 2 * PG, R);
    memset(in, 0xff, sizeof(in));
    ck_assert_int_eq(uvm_copy_in(&vm, in, BASE + 3 * PG - 10, 10 + PG + 5), 0);
    for (size_t i = 0; i < 10 + PG + 5; i++) /* a backed page's tail, then a fresh page */
        REQUIRE(in[i] == 0);
    ck_assert_uint_eq(resident(), 3);
    ck_assert_int_eq(uvm_copy_out(&vm, BASE, out, 0), 0);
    ck_assert_int_eq(uvm_copy_in(&vm, in, BASE + 100 * PG, 0), 0);
}
END_TEST

START_TEST(test_copy_faults)
{
    /* [BASE, +1) RW, hole, [+2, +3) RW, [+3, +4) R, [+4, +5) NONE */
    map_fixed(BASE, PG, RW);
    map_fixed(BASE + 2 * PG, PG, RW);
    map_fixed(BASE + 3 * PG, PG, R);
    map_fixed(BASE + 4 * PG, PG, UVM_PROT_NONE);
    uint8_t buf[2 * PG], in[2 * PG];
    memset(buf, 0x3c, sizeof(buf));
    uint64_t before = uvm_test_free_frames();
    /* Into a hole: nothing is written, no page backed. */
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + PG - 8, buf, 16), -EFAULT);
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + 8, buf, 2 * PG), -EFAULT);
    ck_assert_uint_eq(resident(), 0);
    ck_assert_uint_eq(uvm_test_free_frames(), before);
    /* Into read-only memory. */
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + 3 * PG - 4, buf, 8), -EFAULT);
    ck_assert_uint_eq(resident(), 0);
    /* Reads: a hole, PROT_NONE; the destination stays untouched. */
    memset(in, 0x11, sizeof(in));
    ck_assert_int_eq(uvm_copy_in(&vm, in, BASE + PG - 8, 16), -EFAULT);
    ck_assert_int_eq(uvm_copy_in(&vm, in, BASE + 4 * PG - 8, 16), -EFAULT);
    for (size_t i = 0; i < sizeof(in); i++)
        REQUIRE(in[i] == 0x11);
    ck_assert_int_eq(uvm_copy_in(&vm, in, BASE + 3 * PG - 8, 16), 0); /* RW then R: fine */
    /* Kernel, wrapping and non-canonical addresses. */
    ck_assert_int_eq(uvm_copy_out(&vm, 0xffffffff80000000ull, buf, 8), -EFAULT);
    ck_assert_int_eq(uvm_copy_in(&vm, in, ~0ull - 3, 8), -EFAULT);
    ck_assert_int_eq(uvm_copy_in(&vm, in, UVM_USER_TOP - 4, 8), -EFAULT);
    ck_assert_int_eq(uvm_copy_in(&vm, in, 0x0000800000000000ull, 8), -EFAULT);
    ck_assert_int_eq(uvm_copy_in(&vm, in, BASE, ~(size_t)0), -EFAULT);
    ck_assert_int_eq(uvm_copy_in(&vm, in, 0, 8), -EFAULT);
    /* Out of memory while backing a page. */
    uint64_t hog[8192];
    size_t n = 0;
    while (mm_frame_alloc(&uvm_test_frames, &hog[n]) == 0)
        n++;
    ck_assert_int_eq(uvm_copy_out(&vm, BASE, buf, 8), -ENOMEM);
    ck_assert_int_eq(uvm_fault(&vm, BASE, true, false), -ENOMEM);
    /* One frame: the page, but no table for it. */
    mm_frame_free(&uvm_test_frames, hog[--n]);
    ck_assert_int_eq(uvm_fault(&vm, BASE, true, false), -ENOMEM);
    ck_assert_uint_eq(resident(), 0);
    while (n)
        mm_frame_free(&uvm_test_frames, hog[--n]);
    ck_assert_int_eq(uvm_fault(&vm, BASE, true, false), 0);
}
END_TEST

START_TEST(test_strncpy_in)
{
    map_fixed(BASE, 2 * PG, RW);
    char buf[64];
    /* A string across the page boundary. */
    const char s[] = "hello, page boundary";
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + PG - 5, s, sizeof(s)), 0);
    ck_assert_int_eq(uvm_strncpy_in(&vm, buf, BASE + PG - 5, sizeof(buf)), (long)strlen(s));
    ck_assert_str_eq(buf, s);
    /* Exactly fitting: length max - 1 with its NUL. */
    ck_assert_int_eq(uvm_strncpy_in(&vm, buf, BASE + PG - 5, sizeof(s)), (long)strlen(s));
    /* No NUL within max. */
    ck_assert_int_eq(uvm_strncpy_in(&vm, buf, BASE + PG - 5, strlen(s)), -ENAMETOOLONG);
    ck_assert_int_eq(uvm_strncpy_in(&vm, buf, BASE, 0), -ENAMETOOLONG);
    /* A string running into unmapped memory, and one ending just before it. */
    char full[8];
    memset(full, 'x', sizeof(full));
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + 2 * PG - 8, full, 8), 0);
    ck_assert_int_eq(uvm_strncpy_in(&vm, buf, BASE + 2 * PG - 8, sizeof(buf)), -EFAULT);
    full[7] = '\0';
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + 2 * PG - 8, full, 8), 0);
    ck_assert_int_eq(uvm_strncpy_in(&vm, buf, BASE + 2 * PG - 8, sizeof(buf)), 7);
    ck_assert_str_eq(buf, "xxxxxxx");
    /* Unmapped, and a page never touched (an empty string). */
    ck_assert_int_eq(uvm_strncpy_in(&vm, buf, BASE - 1, sizeof(buf)), -EFAULT);
    ck_assert_int_eq(uvm_unmap(&vm, BASE, PG), 0);
    map_fixed(BASE, PG, R);
    ck_assert_int_eq(uvm_strncpy_in(&vm, buf, BASE + 10, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "");
    /* A long string over many pages, cut at max. */
    map_fixed(BASE + 8 * PG, 4 * PG, RW);
    static char big[3 * PG];
    memset(big, 'a', sizeof(big));
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + 8 * PG + 1, big, sizeof(big)), 0);
    static char kbig[4 * PG];
    ck_assert_int_eq(uvm_strncpy_in(&vm, kbig, BASE + 8 * PG + 1, sizeof(kbig)), (long)sizeof(big));
    ck_assert_int_eq(uvm_strncpy_in(&vm, kbig, BASE + 8 * PG + 1, sizeof(big)), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_populate)
{
    /* The ELF loader's view: text mapped read-only+exec, then filled. */
    map_fixed(BASE, 2 * PG, RX);
    static uint8_t text[PG + 100];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (uint8_t)(i ^ 0x5a);
    ck_assert_int_eq(uvm_copy_out(&vm, BASE, text, 8), -EFAULT);
    ck_assert_int_eq(uvm_populate(&vm, BASE + 50, text, sizeof(text)), 0);
    uint8_t in[sizeof(text)];
    ck_assert_int_eq(uvm_copy_in(&vm, in, BASE + 50, sizeof(in)), 0);
    ck_assert_mem_eq(in, text, sizeof(text));
    /* The PTEs stay as the VMA says: not writable, executable. */
    uint64_t e = uvm_test_pte(&vm, BASE, NULL);
    ck_assert_uint_eq(e & (MM_PTE_U | MM_PTE_W | MM_PTE_NX), MM_PTE_U);
    ck_assert_int_eq(uvm_fault(&vm, BASE, true, false), -EFAULT);
    /* NULL source: zeros (a segment's tail after the file bytes). */
    ck_assert_int_eq(uvm_populate(&vm, BASE + 60, NULL, 10), 0);
    ck_assert_int_eq(uvm_copy_in(&vm, in, BASE + 50, 30), 0);
    ck_assert_mem_eq(in, text, 10);
    for (int i = 10; i < 20; i++)
        ck_assert_uint_eq(in[i], 0);
    ck_assert_mem_eq(in + 20, text + 20, 10);
    /* Into PROT_NONE is fine; into a hole or a guard gap is not. */
    map_fixed(BASE + 2 * PG, PG, UVM_PROT_NONE);
    ck_assert_int_eq(uvm_populate(&vm, BASE + 2 * PG, text, 8), 0);
    ck_assert_int_eq(uvm_populate(&vm, BASE + 3 * PG - 4, text, 8), -EFAULT);
    uint64_t low;
    ck_assert_int_eq(uvm_map_stack(&vm, BASE + 8 * PG, PG, PG, &low), 0);
    ck_assert_int_eq(uvm_populate(&vm, low - 4, text, 8), -EFAULT);
    ck_assert_uint_eq(resident(), 3);
}
END_TEST

/* The VMA array is replaced (growth) and dropped (destroy) without a lock:
 * another process's /proc reader may run at any point where the owner is
 * preempted, so the old array must be unreachable before it is freed. */
START_TEST(test_vma_array_unpublished_before_free)
{
    uvm_test_watch(&vm);
    for (uint64_t i = 0; i < 40; i++) /* apart, so they never merge: 8 -> 16 -> 32 -> 64 */
        map_fixed(BASE + 2 * i * PG, PG, RW);
    ck_assert_uint_eq(vm.nvmas, 40);
    uvm_destroy(&vm);
    ck_assert_ptr_null(vm.vmas);
    ck_assert_uint_eq(vm.nvmas, 0);
    uvm_test_watch(NULL);
    uvm_test_create(&vm); /* for the teardown */
}
END_TEST

Suite *uvm_suite(void)
{
    Suite *s = suite_create("uvm");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_create_destroy_returns_everything);
    tcase_add_test(tc, test_map_placement);
    tcase_add_test(tc, test_map_errors);
    tcase_add_test(tc, test_split_and_merge);
    tcase_add_test(tc, test_unmap_frees_pages);
    tcase_add_test(tc, test_discard_drops_pages_and_keeps_the_mapping);
    tcase_add_test(tc, test_fixed_map_replaces_contents);
    tcase_add_test(tc, test_protect);
    tcase_add_test(tc, test_brk);
    tcase_add_test(tc, test_demand_zero);
    tcase_add_test(tc, test_fault_errors);
    tcase_add_test(tc, test_stack_and_guard_gap);
    tcase_add_test(tc, test_copy_across_pages);
    tcase_add_test(tc, test_copy_faults);
    tcase_add_test(tc, test_strncpy_in);
    tcase_add_test(tc, test_populate);
    tcase_add_test(tc, test_vma_array_unpublished_before_free);
    suite_add_tcase(s, tc);
    return s;
}
