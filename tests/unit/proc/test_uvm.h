/*
 * test_uvm.h - the fixture shared by the uvm suites (test_uvm*.c): simulated
 * RAM, a frame allocator, a kernel address space, a counting heap for the VMA
 * arrays, and the xv6-style leak check (every frame and every heap block back
 * after each test).
 */
#ifndef TESTS_UNIT_PROC_TEST_UVM_H
#define TESTS_UNIT_PROC_TEST_UVM_H

#include <proc/uvm.h>
#include <stdint.h>

/** The frame allocator over simulated RAM. */
extern struct mm_frames uvm_test_frames;
/** The kernel address space every test uvm shares. */
extern struct mm_aspace uvm_test_kernel;
/** Free frames before any uvm existed (the leak-check baseline). */
extern uint64_t uvm_test_free_at_start;

/** Checked fixture: build the RAM, frames and kernel space; record the baseline. */
void uvm_test_setup(void);
/** Checked fixture: assert no frame and no heap block leaked, then tear down. */
void uvm_test_teardown(void);
/** A uvm_config over the fixture (counting heap). */
struct uvm_config uvm_test_config(void);
/** uvm_create() with uvm_test_config(), asserted to succeed. */
void uvm_test_create(struct uvm *vm);
/** Make the next allocations of the counting heap fail after @p n more successes (-1: never). */
void uvm_test_fail_alloc_after(int n);
/**
 * Check every free of the counting heap against @p vm (NULL: none): the block
 * must no longer be @p vm's VMA array, as a reader of @p vm (procfs, which may
 * run whenever the owner is preempted) would otherwise use freed memory.
 */
void uvm_test_watch(const struct uvm *vm);
/** Heap blocks handed out and not yet freed. */
long uvm_test_live_allocs(void);

/**
 * An independent walk of @p vm's page tables (not libmm's): the leaf entry for
 * @p va, or 0 if it is not present. @p pa gets its frame if not NULL.
 */
uint64_t uvm_test_pte(struct uvm *vm, uint64_t va, uint64_t *pa);

/** Free frames now. */
uint64_t uvm_test_free_frames(void);

#endif
