/*
 * test_uvm_fixture.c - the fixture of the uvm suites (test_uvm.h).
 */
#include "cpu_mock.h"
#include "mm_sim.h"
#include "suites.h"
#include "test_uvm.h"
#include <check.h>
#include <mm/phys.h>
#include <stdlib.h>

struct mm_frames uvm_test_frames;
struct mm_aspace uvm_test_kernel;
uint64_t uvm_test_free_at_start;

static long live_allocs;
static int fail_after = -1;
static const struct uvm *watched;

static void *count_alloc(size_t n)
{
    if (fail_after == 0)
        return NULL;
    if (fail_after > 0)
        fail_after--;
    live_allocs++;
    return malloc(n);
}

static void count_free(void *p)
{
    ck_assert_ptr_nonnull(p);
    /* A reader that ran now (another process's /proc, after a preemption)
     * must not find the block being freed through the uvm. */
    if (watched)
        ck_assert_ptr_ne(p, watched->vmas);
    live_allocs--;
    free(p);
}

void uvm_test_fail_alloc_after(int n)
{
    fail_after = n;
}

void uvm_test_watch(const struct uvm *vm)
{
    watched = vm;
}

long uvm_test_live_allocs(void)
{
    return live_allocs;
}

void uvm_test_setup(void)
{
    cpu_mock_reset();
    mm_sim_init(MM_SIM_DEFAULT_SIZE);
    mm_sim_frames(&uvm_test_frames);
    /* The reference-count array lives as long as the allocator: take it first. */
    ck_assert_int_eq(mm_frames_enable_refs(&uvm_test_frames), 0);
    uvm_test_free_at_start = mm_frames_free_count(&uvm_test_frames);
    ck_assert_int_eq(mm_aspace_init_kernel(&uvm_test_kernel, &uvm_test_frames), 0);
    mm_pt_set_nx_supported(true);
    live_allocs = 0;
    fail_after = -1;
    watched = NULL;
}

void uvm_test_teardown(void)
{
    mm_aspace_destroy(&uvm_test_kernel);
    ck_assert_int_eq(live_allocs, 0);
    ck_assert_uint_eq(mm_frames_shared_count(&uvm_test_frames), 0);
    ck_assert_uint_eq(mm_frames_free_count(&uvm_test_frames), uvm_test_free_at_start);
    mm_sim_fini();
}

struct uvm_config uvm_test_config(void)
{
    return (struct uvm_config){ &uvm_test_frames, &uvm_test_kernel, count_alloc, count_free };
}

void uvm_test_create(struct uvm *vm)
{
    struct uvm_config cfg = uvm_test_config();
    ck_assert_int_eq(uvm_create(vm, &cfg), 0);
}

uint64_t uvm_test_free_frames(void)
{
    return mm_frames_free_count(&uvm_test_frames);
}

uint64_t uvm_test_pte(struct uvm *vm, uint64_t va, uint64_t *pa)
{
    uint64_t table = vm->as.pml4;
    for (int l = 4; l >= 1; l--) {
        const uint64_t *t = mm_phys_to_virt(table);
        uint64_t e = t[(va >> (12 + 9 * (l - 1))) & 511];
        if (!(e & MM_PTE_P))
            return 0;
        REQUIRE(l == 1 || !(e & MM_PTE_PS)); /* uvm maps 4 KiB pages only */
        if (l == 1) {
            if (pa)
                *pa = e & MM_PTE_ADDR;
            return e;
        }
        table = e & MM_PTE_ADDR;
    }
    return 0;
}
