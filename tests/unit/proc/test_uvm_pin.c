/*
 * test_uvm_pin.c - pinning user pages for direct I/O (uvm_pin, uvm_unpin):
 * pages never touched are backed, pages mapped already are taken as they
 * are (one read of the tables), a copy-on-write page is broken before a
 * device may write it (and not before it only reads it), the frames survive
 * an munmap while pinned, bad ranges are -EFAULT with nothing left pinned, and
 * every frame comes back (the fixture's leak check).
 */
#include "suites.h"
#include "test_uvm.h"
#include <k/errno.h>
#include <check.h>
#include <mm/phys.h>
#include <string.h>

#define PG   MM_PAGE_SIZE
#define BASE 0x20000000ull
#define RW   (UVM_PROT_READ | UVM_PROT_WRITE)

static struct uvm vm, child;

static void setup(void)
{
    uvm_test_setup();
    uvm_test_create(&vm);
}

static void teardown(void)
{
    uvm_destroy(&child);
    uvm_destroy(&vm);
    uvm_test_teardown();
}

static void map_fixed(uint64_t addr, uint64_t len, int prot)
{
    uint64_t got;
    ck_assert_int_eq(uvm_map(&vm, addr, len, prot, UVM_MAP_FIXED, &got), 0);
}

static uint32_t refs(uint64_t pa)
{
    return mm_frame_refcount(&uvm_test_frames, pa);
}

START_TEST(test_pin_backs_and_holds)
{
    map_fixed(BASE, 4 * PG, RW);
    uint64_t v = 0x1122334455667788ull;
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + PG, &v, sizeof(v)), 0);
    uint64_t fr[8];
    /* 512 bytes into the first page, through 512 bytes into the fourth: 4 pages. */
    ck_assert_int_eq(uvm_pin(&vm, BASE + 512, 3 * PG, true, fr, 8), 4);
    for (int i = 0; i < 4; i++) {
        uint64_t pa;
        ck_assert_uint_ne(uvm_test_pte(&vm, BASE + i * PG, &pa), 0);
        ck_assert_uint_eq(pa, fr[i]);
        ck_assert_uint_eq(refs(fr[i]), 2); /* the mapping's and the pin's */
    }
    /* The device writes through the frames; the process sees it. */
    memcpy(mm_phys_to_virt(fr[2]), "dma", 4);
    char got[4];
    ck_assert_int_eq(uvm_copy_in(&vm, got, BASE + 2 * PG, 4), 0);
    ck_assert_str_eq(got, "dma");
    ck_assert_uint_eq(*(uint64_t *)mm_phys_to_virt(fr[1]), v);
    /* Unmapped while pinned: the frames stay until the pin lets go. */
    ck_assert_int_eq(uvm_unmap(&vm, BASE, 4 * PG), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(refs(fr[i]), 1);
    uint64_t free_before = uvm_test_free_frames();
    uvm_unpin(&vm, fr, 4);
    ck_assert_uint_eq(uvm_test_free_frames(), free_before + 4);
}
END_TEST

START_TEST(test_pin_breaks_cow_only_for_device_writes)
{
    map_fixed(BASE, 2 * PG, RW);
    uint64_t v = 42;
    ck_assert_int_eq(uvm_copy_out(&vm, BASE, &v, sizeof(v)), 0);
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + PG, &v, sizeof(v)), 0);
    ck_assert_int_eq(uvm_fork(&child, &vm), 0);
    uint64_t shared;
    ck_assert_uint_ne(uvm_test_pte(&vm, BASE, &shared), 0);
    ck_assert_uint_eq(refs(shared), 2);
    uint64_t fr[2];
    /* A write(2) from the buffer: the device only reads, the page stays shared. */
    ck_assert_int_eq(uvm_pin(&vm, BASE, 8, false, fr, 2), 1);
    ck_assert_uint_eq(fr[0], shared);
    ck_assert_uint_eq(refs(shared), 3);
    uvm_unpin(&vm, fr, 1);
    /* A read(2) into it: the parent gets its own copy first. */
    ck_assert_int_eq(uvm_pin(&vm, BASE, 2 * PG, true, fr, 2), 2);
    ck_assert_uint_ne(fr[0], shared);
    ck_assert_uint_eq(refs(shared), 1); /* the child's alone */
    memset(mm_phys_to_virt(fr[0]), 0xee, 8);
    uint64_t c;
    ck_assert_int_eq(uvm_copy_in(&child, &c, BASE, sizeof(c)), 0);
    ck_assert_uint_eq(c, 42); /* the child never sees the device's write */
    ck_assert_uint_ne(uvm_test_pte(&vm, BASE, NULL) & MM_PTE_W, 0);
    uvm_unpin(&vm, fr, 2);
}
END_TEST

START_TEST(test_pin_takes_mapped_pages_as_they_are)
{
    /* Page 0 written (present, writable), page 1 never touched, page 2
     * written then made read-only and writable again (present, ours alone,
     * no write permission in its entry yet). */
    map_fixed(BASE, 3 * PG, RW);
    uint64_t v = 7, pa0, pa2;
    ck_assert_int_eq(uvm_copy_out(&vm, BASE, &v, sizeof(v)), 0);
    ck_assert_int_eq(uvm_copy_out(&vm, BASE + 2 * PG, &v, sizeof(v)), 0);
    ck_assert_int_eq(uvm_protect(&vm, BASE + 2 * PG, PG, UVM_PROT_READ), 0);
    ck_assert_int_eq(uvm_protect(&vm, BASE + 2 * PG, PG, RW), 0);
    ck_assert_uint_ne(uvm_test_pte(&vm, BASE, &pa0), 0);
    ck_assert_uint_eq(uvm_test_pte(&vm, BASE + PG, NULL), 0);
    ck_assert_uint_eq(uvm_test_pte(&vm, BASE + 2 * PG, &pa2) & MM_PTE_W, 0);
    struct uvm_stats before;
    uvm_stats(&vm, &before);
    uint64_t fr[3];
    ck_assert_int_eq(uvm_pin(&vm, BASE, 3 * PG, true, fr, 3), 3);
    struct uvm_stats after;
    uvm_stats(&vm, &after);
    ck_assert_uint_eq(fr[0], pa0);
    ck_assert_uint_eq(fr[2], pa2); /* no copy: only the entry changed */
    ck_assert_uint_ne(uvm_test_pte(&vm, BASE + 2 * PG, NULL) & MM_PTE_W, 0);
    ck_assert_uint_eq(after.write_enables, before.write_enables + 1);
    ck_assert_uint_eq(after.resident_pages, before.resident_pages + 1); /* page 1 */
    uint64_t pa1;
    ck_assert_uint_ne(uvm_test_pte(&vm, BASE + PG, &pa1), 0);
    ck_assert_uint_eq(fr[1], pa1);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(refs(fr[i]), 2);
    uvm_unpin(&vm, fr, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(refs(fr[i]), 1);
}
END_TEST

START_TEST(test_bad_ranges)
{
    map_fixed(BASE, 2 * PG, RW);
    map_fixed(BASE + 4 * PG, PG, UVM_PROT_READ);
    uint64_t fr[4];
    uint64_t free_before = uvm_test_free_frames();
    /* Running off the end of a mapping: nothing stays backed by the pin. */
    ck_assert_int_eq(uvm_pin(&vm, BASE + PG, 2 * PG, true, fr, 4), -EFAULT);
    ck_assert_int_eq(uvm_pin(&vm, 0, 8, true, fr, 4), -EFAULT);
    ck_assert_int_eq(uvm_pin(&vm, UVM_USER_TOP - 8, 64, false, fr, 4), -EFAULT);
    ck_assert_int_eq(uvm_pin(&vm, 0xffff800000000000ull, 8, false, fr, 4), -EFAULT);
    ck_assert_int_eq(uvm_pin(&vm, BASE, 0, false, fr, 4), -EFAULT);
    /* Read-only memory: a device may read it, not write it. */
    ck_assert_int_eq(uvm_pin(&vm, BASE + 4 * PG, 8, true, fr, 4), -EFAULT);
    /* More pages than the caller has room for. */
    ck_assert_int_eq(uvm_pin(&vm, BASE, 2 * PG, true, fr, 1), -E2BIG);
    ck_assert_uint_eq(uvm_test_free_frames(), free_before); /* nothing backed */
    ck_assert_int_eq(uvm_pin(&vm, BASE + 4 * PG, 8, false, fr, 4), 1);
    ck_assert_uint_eq(refs(fr[0]), 2);
    uvm_unpin(&vm, fr, 1);
    ck_assert_uint_eq(refs(fr[0]), 1);
}
END_TEST

START_TEST(test_out_of_memory_unpins)
{
    map_fixed(BASE, 4 * PG, RW);
    uint64_t v = 1;
    ck_assert_int_eq(uvm_copy_out(&vm, BASE, &v, sizeof(v)), 0);
    /* Take every free frame: the second page cannot be backed. */
    uint64_t hog = 0, pa; /* a list threaded through the frames themselves */
    while (mm_frame_alloc(&uvm_test_frames, &pa) == 0) {
        *(uint64_t *)mm_phys_to_virt(pa) = hog;
        hog = pa;
    }
    uint64_t fr[4], first;
    ck_assert_uint_ne(uvm_test_pte(&vm, BASE, &first), 0);
    ck_assert_int_eq(uvm_pin(&vm, BASE, 4 * PG, true, fr, 4), -ENOMEM);
    ck_assert_uint_eq(refs(first), 1); /* the first page's pin was dropped */
    while (hog) {
        uint64_t next = *(uint64_t *)mm_phys_to_virt(hog);
        mm_frame_free(&uvm_test_frames, hog);
        hog = next;
    }
}
END_TEST

Suite *uvm_pin_suite(void)
{
    Suite *s = suite_create("uvm_pin");
    TCase *tc = tcase_create("uvm_pin");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pin_backs_and_holds);
    tcase_add_test(tc, test_pin_breaks_cow_only_for_device_writes);
    tcase_add_test(tc, test_pin_takes_mapped_pages_as_they_are);
    tcase_add_test(tc, test_bad_ranges);
    tcase_add_test(tc, test_out_of_memory_unpins);
    suite_add_tcase(s, tc);
    return s;
}
