/*
 * bench_uvm.c - `make bench`: fork of a musl-shaped user address space.
 *
 * The parent is shaped like a small static musl process: 4 text pages, 2 data
 * pages, a 1 MiB heap with its first 10 pages touched, and an 8 MiB stack (with
 * a guard page) with its top 3 pages touched: 19 resident pages in 9 MiB of
 * VMAs. Each round forks it, breaks copy-on-write on one stack page of the
 * child (what a child does first), and destroys the child.
 *
 * The table gives, per round and phase, the page-table entries read
 * (mm_aspace::pt_reads: deterministic) and the host time (informational only).
 * For a deterministic instruction count, run it under callgrind and read the
 * inclusive cost of uvm_fork, uvm_fault and uvm_destroy, divided by ROUNDS:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out build/bin/bench_uvm
 *   callgrind_annotate --inclusive=yes cg.out | grep -E 'uvm_(fork|fault|destroy) '
 *
 * Everything runs on simulated RAM (a host buffer behind libmm's physical window),
 * as in the unit tests; mm_sim.c is not used because it asserts with Check.
 */
#include "cpu_mock.h"
#include <mm/frame.h>
#include <mm/phys.h>
#include <mm/vm.h>
#include <proc/uvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROUNDS 2000
#define PG     MM_PAGE_SIZE
#define MIB    (1ull << 20)
#define RW     (UVM_PROT_READ | UVM_PROT_WRITE)
#define RAM    (32ull << 20)

static struct mm_frames frames;
static struct mm_aspace kernel;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void must(int err, const char *what)
{
    if (err) {
        fprintf(stderr, "bench_uvm: %s: %d\n", what, err);
        exit(1);
    }
}

static void touch(struct uvm *vm, uint64_t addr)
{
    uint64_t v = addr;
    must(uvm_copy_out(vm, addr, &v, sizeof(v)), "touch");
}

/* The parent: text, data, heap and stack as a static musl binary has them. */
static void musl_process(struct uvm *vm)
{
    struct uvm_config cfg = { &frames, &kernel, malloc, free };
    uint64_t got;
    must(uvm_create(vm, &cfg), "uvm_create");
    must(uvm_map(vm, 0x400000, 4 * PG, UVM_PROT_READ | UVM_PROT_EXEC, UVM_MAP_FIXED, &got), "text");
    for (int i = 0; i < 4; i++)
        must(uvm_populate(vm, 0x400000 + i * PG, "\x90", 1), "populate");
    must(uvm_map(vm, 0x404000, 2 * PG, RW, UVM_MAP_FIXED, &got), "data");
    touch(vm, 0x404000);
    touch(vm, 0x405000);
    must(uvm_set_brk_base(vm, 0x406000), "brk base");
    if (uvm_brk(vm, 0x406000 + MIB) != 0x406000 + MIB)
        must(-1, "brk");
    for (int i = 0; i < 10; i++)
        touch(vm, 0x406000 + i * PG);
    must(uvm_map_stack(vm, UVM_USER_TOP, 8 * MIB, PG, &got), "stack");
    for (int i = 1; i <= 3; i++)
        touch(vm, UVM_USER_TOP - i * PG);
}

int main(void)
{
    cpu_mock_reset();
    uint8_t *ram = aligned_alloc(MM_HUGE_SIZE, RAM);
    if (!ram)
        must(-1, "ram");
    mm_phys_set_window((uintptr_t)ram, RAM);
    struct boot_mmap_entry map[] = { { 0x100000, RAM - 0x100000, MB2_MEM_AVAILABLE } };
    struct mm_range reserved[] = { { 0, 0x100000 } };
    struct mm_frames_config fcfg = {
        .map = map, .map_count = 1, .reserved = reserved, .reserved_count = 1
    };
    must(mm_frames_init(&frames, &fcfg), "frames");
    must(mm_frames_enable_refs(&frames), "refs");
    must(mm_aspace_init_kernel(&kernel, &frames), "kernel space");
    struct uvm parent, child;
    musl_process(&parent);
    uint64_t free_before = mm_frames_free_count(&frames);

    double t_fork = 0, t_cow = 0, t_destroy = 0;
    uint64_t r_fork = 0, r_cow = 0;
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t reads = parent.as.pt_reads;
        double t0 = now();
        must(uvm_fork(&child, &parent), "uvm_fork");
        double t1 = now();
        r_fork += parent.as.pt_reads - reads;
        reads = child.as.pt_reads;
        must(uvm_fault(&child, UVM_USER_TOP - PG, true, false), "uvm_fault");
        double t2 = now();
        r_cow += child.as.pt_reads - reads;
        uvm_destroy(&child);
        double t3 = now();
        t_fork += t1 - t0;
        t_cow += t2 - t1;
        t_destroy += t3 - t2;
    }
    if (mm_frames_free_count(&frames) != free_before)
        must(-1, "frames leaked");

    struct uvm_stats st;
    uvm_stats(&parent, &st);
    printf("uvm fork of a musl-shaped process: %llu resident pages in %llu KiB of VMAs,\n"
           "%d rounds of fork + one COW write fault in the child + destroy\n",
           (unsigned long long)st.resident_pages, (unsigned long long)(st.mapped_bytes >> 10),
           ROUNDS);
    printf("%-12s %18s %14s\n", "phase", "entries read/op", "host ns/op");
    printf("%-12s %18.1f %14.0f\n", "uvm_fork", (double)r_fork / ROUNDS, t_fork * 1e9 / ROUNDS);
    printf("%-12s %18.1f %14.0f\n", "cow fault", (double)r_cow / ROUNDS, t_cow * 1e9 / ROUNDS);
    printf("%-12s %18s %14.0f\n", "uvm_destroy", "-", t_destroy * 1e9 / ROUNDS);
    uvm_destroy(&parent);
    mm_aspace_destroy(&kernel);
    mm_phys_set_window(0, 0);
    free(ram);
    return 0;
}
