/*
 * pt_fixture.h - what the page-table suites share: a kernel address space on
 * simulated RAM, set up and checked for leaks around every test, and an
 * independent walk of the tables.
 */
#ifndef TESTS_UNIT_MM_PT_FIXTURE_H
#define TESTS_UNIT_MM_PT_FIXTURE_H

#include <mm/vm.h>
#include <stdint.h>

#define USER_VA   0x0000000000400000ull
#define KERNEL_VA 0xffffc00000200000ull

extern struct mm_frames pt_fa;
extern struct mm_aspace pt_kas;

/* Check fixtures: a fresh kernel space; afterwards, every frame back. */
void pt_setup(void);
void pt_teardown(void);
/* Independent walk: the leaf entry for va and its level, or 0. */
uint64_t pt_walk_leaf(const struct mm_aspace *as, uintptr_t va, int *level);
/* One frame from the allocator (the test fails if there is none). */
uint64_t pt_frame(void);

#endif
