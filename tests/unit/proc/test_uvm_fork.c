/*
 * test_uvm_fork.c - fork and copy-on-write: isolation between parent and child,
 * frame reference counts, the COW paths of the copy routines, failure cleanup,
 * the leak check after destroying both sides, and the cost of fork, munmap and
 * mprotect counted in page-table entries read (mm_aspace::pt_reads).
 */
#include "suites.h"
#include "test_uvm.h"
#include <k/errno.h>
#include <check.h>
#include <mm/phys.h>
#include <string.h>

#define PG    MM_PAGE_SIZE
#define BASE  0x10000000ull
#define RW    (UVM_PROT_READ | UVM_PROT_WRITE)
#define R     UVM_PROT_READ
#define FIXED UVM_MAP_FIXED

static struct uvm parent, child;

static void setup(void)
{
    uvm_test_setup();
    uvm_test_create(&parent);
}

static void teardown(void)
{
    uvm_destroy(&child);
    uvm_destroy(&parent);
    uvm_test_teardown();
}

static void map_fixed(struct uvm *vm, uint64_t addr, uint64_t len, int prot)
{
    uint64_t got;
    ck_assert_int_eq(uvm_map(vm, addr, len, prot, FIXED, &got), 0);
}

static void put(struct uvm *vm, uint64_t addr, uint64_t v)
{
    ck_assert_int_eq(uvm_copy_out(vm, addr, &v, sizeof(v)), 0);
}

static uint64_t get(struct uvm *vm, uint64_t addr)
{
    uint64_t v;
    ck_assert_int_eq(uvm_copy_in(vm, &v, addr, sizeof(v)), 0);
    return v;
}

static uint64_t frame_of(struct uvm *vm, uint64_t va)
{
    uint64_t pa;
    ck_assert_uint_ne(uvm_test_pte(vm, va, &pa), 0);
    return pa;
}

static uint32_t refs(uint64_t pa)
{
    return mm_frame_refcount(&uvm_test_frames, pa);
}

/* A user write as the CPU would do it: fault first if the PTE does not allow it. */
static void user_write(struct uvm *vm, uint64_t addr, uint64_t v)
{
    uint64_t e = uvm_test_pte(vm, addr, NULL);
    if (!(e & MM_PTE_W))
        ck_assert_int_eq(uvm_fault(vm, addr, true, false), 0);
    uint64_t pa;
    ck_assert_uint_ne(uvm_test_pte(vm, addr, &pa) & MM_PTE_W, 0);
    memcpy((uint8_t *)mm_phys_to_virt(pa) + (addr & (PG - 1)), &v, sizeof(v));
}

START_TEST(test_cow_isolation)
{
    uint64_t before = uvm_test_free_frames();
    map_fixed(&parent, BASE, 4 * PG, RW);
    for (int i = 0; i < 4; i++)
        user_write(&parent, BASE + i * PG, 100 + i);
    uint64_t pa0 = frame_of(&parent, BASE);
    ck_assert_uint_eq(refs(pa0), 1);

    ck_assert_int_eq(uvm_fork(&child, &parent), 0);
    /* Same frames, one more reference each, read-only in both. */
    ck_assert_uint_eq(frame_of(&child, BASE), pa0);
    ck_assert_uint_eq(refs(pa0), 2);
    ck_assert_uint_eq(mm_frames_shared_count(&uvm_test_frames), 4);
    ck_assert_uint_eq(uvm_test_pte(&parent, BASE, NULL) & MM_PTE_W, 0);
    ck_assert_uint_eq(uvm_test_pte(&child, BASE, NULL) & MM_PTE_W, 0);
    struct uvm_stats st;
    uvm_stats(&child, &st);
    ck_assert_uint_eq(st.resident_pages, 4);
    ck_assert_uint_eq(st.vmas, 1);
    ck_assert_uint_eq(uvm_shared_pages(&child), 4); /* every page, on both sides */
    ck_assert_uint_eq(uvm_shared_pages(&parent), 4);

    /* Each writes its own value; each sees its own. */
    user_write(&child, BASE, 2);
    user_write(&parent, BASE, 1);
    ck_assert_uint_eq(get(&parent, BASE), 1);
    ck_assert_uint_eq(get(&child, BASE), 2);
    /* The child copied; the parent, last holder of the old frame, reused it. */
    ck_assert_uint_ne(frame_of(&child, BASE), pa0);
    ck_assert_uint_eq(frame_of(&parent, BASE), pa0);
    ck_assert_uint_eq(refs(pa0), 1);
    ck_assert_uint_eq(child.counter.cow_copies, 1);
    ck_assert_uint_eq(parent.counter.write_enables, 1);
    ck_assert_uint_eq(uvm_shared_pages(&child), 3); /* its copy is its own */
    ck_assert_uint_eq(uvm_shared_pages(&parent), 3);
    ck_assert_uint_eq(parent.counter.cow_copies, 0);
    /* Pages nobody wrote are still shared and hold the old values. */
    for (int i = 1; i < 4; i++) {
        ck_assert_uint_eq(get(&parent, BASE + i * PG), 100 + i);
        ck_assert_uint_eq(get(&child, BASE + i * PG), 100 + i);
        ck_assert_uint_eq(refs(frame_of(&parent, BASE + i * PG)), 2);
    }
    /* The child goes: its references go, shared frames back to 1, nothing freed twice. */
    uint64_t pa1 = frame_of(&parent, BASE + PG);
    uvm_destroy(&child);
    ck_assert_uint_eq(refs(pa1), 1);
    ck_assert_uint_eq(mm_frames_shared_count(&uvm_test_frames), 0);
    ck_assert_uint_eq(get(&parent, BASE + PG), 101);
    /* Writing now needs no copy. */
    user_write(&parent, BASE + PG, 7);
    ck_assert_uint_eq(frame_of(&parent, BASE + PG), pa1);
    ck_assert_uint_eq(parent.counter.cow_copies, 0);
    /* xv6-style: after destroy, every frame and table is back. */
    uvm_destroy(&parent);
    ck_assert_uint_eq(uvm_test_free_frames(), before + 1); /* + the fixture's PML4 */
    uvm_test_create(&parent);
}
END_TEST

START_TEST(test_copy_out_breaks_cow)
{
    map_fixed(&parent, BASE, 2 * PG, RW);
    put(&parent, BASE + PG - 4, 0x1111111111111111ull);
    ck_assert_int_eq(uvm_fork(&child, &parent), 0);
    /* The kernel writes into the child's shared pages (a read() buffer). */
    put(&child, BASE + PG - 4, 0x2222222222222222ull);
    ck_assert_uint_eq(get(&parent, BASE + PG - 4), 0x1111111111111111ull);
    ck_assert_uint_eq(get(&child, BASE + PG - 4), 0x2222222222222222ull);
    ck_assert_uint_eq(child.counter.cow_copies, 2);
    ck_assert_uint_ne(frame_of(&child, BASE), frame_of(&parent, BASE));
    /* The copies are private to the child and writable; the parent's are unshared. */
    ck_assert_uint_ne(uvm_test_pte(&child, BASE, NULL) & MM_PTE_W, 0);
    ck_assert_uint_eq(refs(frame_of(&parent, BASE)), 1);
    ck_assert_uint_eq(refs(frame_of(&child, BASE)), 1);
    /* copy_in reads shared pages without copying them. */
    uvm_destroy(&child);
    ck_assert_int_eq(uvm_fork(&child, &parent), 0);
    ck_assert_uint_eq(get(&child, BASE + PG - 4), 0x1111111111111111ull);
    ck_assert_uint_eq(child.counter.cow_copies, 0);
    ck_assert_uint_eq(refs(frame_of(&parent, BASE)), 2);
}
END_TEST

START_TEST(test_fork_shape)
{
    /* Read-only, PROT_NONE and untouched pages, a heap and a stack with a gap. */
    map_fixed(&parent, BASE, 2 * PG, R);
    map_fixed(&parent, BASE + 2 * PG, PG, UVM_PROT_NONE);
    map_fixed(&parent, BASE + 3 * PG, 8 * PG, RW);
    ck_assert_int_eq(uvm_populate(&parent, BASE, "text", 5), 0);
    ck_assert_int_eq(uvm_populate(&parent, BASE + 2 * PG, "none", 5), 0);
    ck_assert_int_eq(uvm_set_brk_base(&parent, BASE + 64 * PG), 0);
    ck_assert_uint_eq(uvm_brk(&parent, BASE + 66 * PG), BASE + 66 * PG);
    uint64_t low;
    ck_assert_int_eq(uvm_map_stack(&parent, BASE + 256 * PG, 4 * PG, 4 * PG, &low), 0);
    put(&parent, low, 42);
    parent.mmap_base = BASE + 512 * PG;

    ck_assert_int_eq(uvm_fork(&child, &parent), 0);
    ck_assert_uint_eq(child.nvmas, parent.nvmas);
    ck_assert_mem_eq(child.vmas, parent.vmas, parent.nvmas * sizeof(parent.vmas[0]));
    ck_assert_uint_eq(uvm_brk(&child, 0), BASE + 66 * PG);
    ck_assert_uint_eq(child.mmap_base, BASE + 512 * PG);
    struct uvm_stats ps, cs;
    uvm_stats(&parent, &ps);
    uvm_stats(&child, &cs);
    ck_assert_uint_eq(cs.resident_pages, 3);
    ck_assert_uint_eq(cs.resident_pages, ps.resident_pages);
    ck_assert_uint_eq(cs.mapped_bytes, ps.mapped_bytes);
    /* Untouched pages stay unbacked in both. */
    ck_assert_uint_eq(uvm_test_pte(&child, BASE + 4 * PG, NULL), 0);
    /* The PROT_NONE page is shared and still not a user page. */
    uint64_t e = uvm_test_pte(&child, BASE + 2 * PG, NULL);
    ck_assert_uint_ne(e, 0);
    ck_assert_uint_eq(e & MM_PTE_U, 0);
    ck_assert_uint_eq(get(&child, low), 42);
    ck_assert_int_eq(uvm_fault(&child, low - 1, true, false), -EFAULT); /* the gap came too */
    /* A read-only page written by the loader in the child is copied, not shared. */
    ck_assert_int_eq(uvm_populate(&child, BASE, "TEXT", 5), 0);
    char s[8];
    ck_assert_int_eq(uvm_strncpy_in(&parent, s, BASE, sizeof(s)), 4);
    ck_assert_str_eq(s, "text");
    ck_assert_int_eq(uvm_strncpy_in(&child, s, BASE, sizeof(s)), 4);
    ck_assert_str_eq(s, "TEXT");
    ck_assert_uint_eq(uvm_test_pte(&child, BASE, NULL) & MM_PTE_W, 0);
    /* munmap in the child drops its references only. */
    uint64_t pa = frame_of(&parent, low);
    ck_assert_int_eq(uvm_unmap(&child, low, PG), 0);
    ck_assert_uint_eq(refs(pa), 1);
    ck_assert_uint_eq(get(&parent, low), 42);
}
END_TEST

START_TEST(test_fork_of_fork)
{
    struct uvm grandchild;
    map_fixed(&parent, BASE, PG, RW);
    put(&parent, BASE, 1);
    uint64_t pa = frame_of(&parent, BASE);
    ck_assert_int_eq(uvm_fork(&child, &parent), 0);
    ck_assert_int_eq(uvm_fork(&grandchild, &child), 0);
    ck_assert_uint_eq(refs(pa), 3);
    user_write(&child, BASE, 2);
    ck_assert_uint_eq(refs(pa), 2);
    user_write(&grandchild, BASE, 3);
    ck_assert_uint_eq(refs(pa), 1);
    ck_assert_uint_eq(frame_of(&parent, BASE), pa);
    ck_assert_uint_eq(get(&parent, BASE), 1);
    ck_assert_uint_eq(get(&child, BASE), 2);
    ck_assert_uint_eq(get(&grandchild, BASE), 3);
    /* Destroy in an order unlike creation. */
    uvm_destroy(&parent);
    ck_assert_uint_eq(get(&grandchild, BASE), 3);
    uvm_destroy(&grandchild);
    uvm_test_create(&parent);
}
END_TEST

START_TEST(test_fork_out_of_memory)
{
    /* Run out of frames at every point of a fork: it fails cleanly each time. */
    map_fixed(&parent, BASE, 4 * PG, RW);
    map_fixed(&parent, BASE + 0x40000000ull, 2 * PG, R); /* another 1 GiB slot: more tables */
    for (int i = 0; i < 4; i++)
        put(&parent, BASE + i * PG, 10 + i);
    ck_assert_int_eq(uvm_populate(&parent, BASE + 0x40000000ull + PG, "x", 2), 0);
    uint64_t before = uvm_test_free_frames();
    static uint64_t hog[8192];
    for (uint64_t spare = 0; spare < 7; spare++) {
        size_t n = 0;
        while (uvm_test_free_frames() > spare)
            ck_assert_int_eq(mm_frame_alloc(&uvm_test_frames, &hog[n++]), 0);
        int err = uvm_fork(&child, &parent);
        while (n)
            mm_frame_free(&uvm_test_frames, hog[--n]);
        if (spare < 6) {
            /* The PML4, then 3 + 2 tables (PDPT, PD, PT; PD, PT): not enough until 6. */
            ck_assert_int_eq(err, -ENOMEM);
            ck_assert_uint_eq(uvm_test_free_frames(), before);
            ck_assert_uint_eq(mm_frames_shared_count(&uvm_test_frames), 0);
        } else {
            ck_assert_int_eq(err, 0);
            uvm_destroy(&child);
        }
        /* The parent is intact: values, and writes (no copy needed). */
        for (int i = 0; i < 4; i++)
            ck_assert_uint_eq(get(&parent, BASE + i * PG), 10 + i);
        user_write(&parent, BASE, 10);
        ck_assert_uint_eq(parent.counter.cow_copies, 0);
    }
    /* The VMA array of the child cannot be allocated. */
    uvm_test_fail_alloc_after(0);
    ck_assert_int_eq(uvm_fork(&child, &parent), -ENOMEM);
    uvm_test_fail_alloc_after(-1);
    ck_assert_uint_eq(uvm_test_free_frames(), before);
    /* Out of frames for the COW copy itself. */
    ck_assert_int_eq(uvm_fork(&child, &parent), 0);
    size_t n = 0;
    while (mm_frame_alloc(&uvm_test_frames, &hog[n]) == 0)
        n++;
    ck_assert_int_eq(uvm_fault(&child, BASE, true, false), -ENOMEM);
    uint64_t v = 5;
    ck_assert_int_eq(uvm_copy_out(&child, BASE, &v, sizeof(v)), -ENOMEM);
    ck_assert_uint_eq(get(&child, BASE), 10);
    while (n)
        mm_frame_free(&uvm_test_frames, hog[--n]);
}
END_TEST

START_TEST(test_fork_at_reference_limit)
{
    /* A frame that cannot take another reference is copied for the child. */
    map_fixed(&parent, BASE, 2 * PG, RW);
    put(&parent, BASE, 7);
    put(&parent, BASE + PG, 8);
    uint64_t pa = frame_of(&parent, BASE);
    for (uint32_t i = 1; i < MM_FRAME_REF_MAX; i++)
        REQUIRE(mm_frame_ref(&uvm_test_frames, pa) == 0);
    ck_assert_int_eq(uvm_fork(&child, &parent), 0);
    ck_assert_uint_ne(frame_of(&child, BASE), pa);
    ck_assert_uint_ne(uvm_test_pte(&child, BASE, NULL) & MM_PTE_W, 0);
    ck_assert_uint_eq(get(&child, BASE), 7);
    ck_assert_uint_eq(frame_of(&child, BASE + PG), frame_of(&parent, BASE + PG));
    ck_assert_uint_eq(refs(pa), MM_FRAME_REF_MAX);
    for (uint32_t i = 1; i < MM_FRAME_REF_MAX; i++)
        REQUIRE(mm_frame_unref(&uvm_test_frames, pa) > 0);
    /* A copy needs a frame: with none left, fork fails and cleans up. */
    uvm_destroy(&child);
    for (uint32_t i = 1; i < MM_FRAME_REF_MAX; i++)
        REQUIRE(mm_frame_ref(&uvm_test_frames, pa) == 0);
    static uint64_t hog[8192];
    size_t n = 0;
    while (uvm_test_free_frames() > 4) /* PML4 + 3 tables, no frame for the copy */
        ck_assert_int_eq(mm_frame_alloc(&uvm_test_frames, &hog[n++]), 0);
    ck_assert_int_eq(uvm_fork(&child, &parent), -ENOMEM);
    ck_assert_uint_eq(uvm_test_free_frames(), 4);
    while (n)
        mm_frame_free(&uvm_test_frames, hog[--n]);
    for (uint32_t i = 1; i < MM_FRAME_REF_MAX; i++)
        REQUIRE(mm_frame_unref(&uvm_test_frames, pa) > 0);
}
END_TEST

#define MIB (1ull << 20)

/*
 * A process shaped like a static musl binary: 4 text pages, 2 data pages, a heap
 * of @p heap bytes with its first 10 pages touched, and a stack of @p stack bytes
 * under UVM_USER_TOP with its top 3 pages touched. Returns its resident pages.
 */
static uint64_t musl_shape(struct uvm *vm, uint64_t heap, uint64_t stack)
{
    map_fixed(vm, 0x400000, 4 * PG, UVM_PROT_READ | UVM_PROT_EXEC);
    map_fixed(vm, 0x404000, 2 * PG, RW);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(uvm_populate(vm, 0x400000 + i * PG, "\x90", 1), 0);
    put(vm, 0x404000, 1);
    put(vm, 0x405000, 2);
    ck_assert_int_eq(uvm_set_brk_base(vm, 0x406000), 0);
    ck_assert_uint_eq(uvm_brk(vm, 0x406000 + heap), 0x406000 + heap);
    for (int i = 0; i < 10; i++)
        put(vm, 0x406000 + i * PG, i);
    uint64_t low;
    ck_assert_int_eq(uvm_map_stack(vm, UVM_USER_TOP, stack, PG, &low), 0);
    for (int i = 1; i <= 3; i++)
        put(vm, UVM_USER_TOP - i * PG, i);
    return 4 + 2 + 10 + 3;
}

/*
 * Fork, munmap and mprotect cost the tables and pages present, not the virtual
 * size, counted in table entries read (mm_aspace::pt_reads): a walk reads each
 * entry of each table present at most once, plus one descent (PML4, PDPT, PD)
 * per VMA; unmapping may also scan each table it empties once more. The bound
 * holds for an 8 MiB stack and 1 MiB heap and for 256 MiB of each. A translate
 * per page, as fork did before, reads at least three entries per virtual page:
 * over 6,900 for the small shape, over 390,000 for the large one.
 */
START_TEST(test_fork_cost_follows_resident_pages)
{
    static const uint64_t heap[2] = { 1 * MIB, 256 * MIB }, stack[2] = { 8 * MIB, 256 * MIB };
    for (int big = 0; big < 2; big++) {
        uint64_t resident = musl_shape(&parent, heap[big], stack[big]);
        uint64_t tables = parent.as.table_frames, descents = 3 * parent.nvmas;
        uint64_t before = parent.as.pt_reads;
        ck_assert_int_eq(uvm_fork(&child, &parent), 0);
        ck_assert_uint_le(parent.as.pt_reads - before, MM_PT_ENTRIES * tables + descents);
        ck_assert_uint_eq(child.as.table_frames, tables);
        struct uvm_stats ps, cs;
        uvm_stats(&parent, &ps);
        uvm_stats(&child, &cs);
        ck_assert_uint_eq(ps.resident_pages, resident);
        ck_assert_uint_eq(cs.resident_pages, resident);
        ck_assert_uint_eq(mm_frames_shared_count(&uvm_test_frames), resident);
        ck_assert_uint_eq(get(&child, UVM_USER_TOP - 3 * PG), 3);
        ck_assert_uint_eq(get(&child, 0x406000 + 9 * PG), 9);

        before = child.as.pt_reads;
        ck_assert_int_eq(uvm_protect(&child, 0x406000, heap[big], R), 0);
        ck_assert_uint_le(child.as.pt_reads - before, MM_PT_ENTRIES * tables + 3);
        before = child.as.pt_reads;
        ck_assert_int_eq(uvm_unmap(&child, UVM_USER_TOP - stack[big], stack[big]), 0);
        ck_assert_uint_le(child.as.pt_reads - before, 2 * MM_PT_ENTRIES * tables + 3);
        ck_assert_uint_eq(child.as.table_frames, tables - 3); /* its PT, PD and PDPT */
        uvm_stats(&child, &cs);
        ck_assert_uint_eq(cs.resident_pages, resident - 3);

        uvm_destroy(&child);
        uvm_destroy(&parent);
        uvm_test_create(&parent);
    }
}
END_TEST

START_TEST(test_cow_break_needs_no_table)
{
    /*
     * The only page of its PT, PD and PDPT: breaking COW must not free and
     * reallocate them (with the frames free in between, an interrupt could take
     * them and the break fail with the page already gone). On one host thread
     * the frames come straight back, so the entry count is what tells.
     */
    map_fixed(&parent, BASE, PG, RW);
    put(&parent, BASE, 5);
    ck_assert_int_eq(uvm_fork(&child, &parent), 0);
    uint64_t tables = child.as.table_frames, old = frame_of(&child, BASE);
    /* Exactly one free frame: the copy. */
    static uint64_t hog[8192];
    size_t n = 0;
    while (uvm_test_free_frames() > 1)
        ck_assert_int_eq(mm_frame_alloc(&uvm_test_frames, &hog[n++]), 0);
    uint64_t reads = child.as.pt_reads;
    user_write(&child, BASE, 6);
    /* A lookup and an in-place rewrite (4 entries each): no table emptied, scanned, freed. */
    ck_assert_uint_eq(child.as.pt_reads - reads, 8);
    ck_assert_uint_eq(uvm_test_free_frames(), 0);
    ck_assert_uint_eq(child.as.table_frames, tables);
    ck_assert_uint_ne(frame_of(&child, BASE), old);
    ck_assert_uint_eq(refs(old), 1);
    ck_assert_uint_eq(get(&parent, BASE), 5);
    ck_assert_uint_eq(get(&child, BASE), 6);
    ck_assert_uint_eq(child.counter.cow_copies, 1);
    while (n)
        mm_frame_free(&uvm_test_frames, hog[--n]);
}
END_TEST

Suite *uvm_fork_suite(void)
{
    Suite *s = suite_create("uvm_fork");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cow_isolation);
    tcase_add_test(tc, test_copy_out_breaks_cow);
    tcase_add_test(tc, test_fork_shape);
    tcase_add_test(tc, test_fork_of_fork);
    tcase_add_test(tc, test_fork_out_of_memory);
    tcase_add_test(tc, test_fork_at_reference_limit);
    tcase_add_test(tc, test_fork_cost_follows_resident_pages);
    tcase_add_test(tc, test_cow_break_needs_no_table);
    suite_add_tcase(s, tc);
    return s;
}
