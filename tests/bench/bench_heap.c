/*
 * bench_heap.c - `make bench`: kernel heap backends against glibc malloc.
 *
 * Throughput: the same pre-generated sequence of allocations and frees (a pool
 * of live slots; each step frees an occupied slot or fills an empty one, and
 * touches the new memory) runs on each backend and on glibc malloc/free, and
 * the table gives operations (allocations + frees) per second. "small" draws
 * sizes uniformly from 16-256 bytes, "mixed" log-uniformly from 16 bytes to
 * 16 KiB. The heaps live in a host buffer and grow through a callback, as in
 * the kernel, from 100 KiB; the buffer is populated beforehand so page faults
 * on fresh memory are not counted (the bump allocator would pay most of them).
 *
 * Efficiency: a heap that may grow to 4 MiB runs a random workload (60%
 * allocations, 40% frees of a random live block) until the first allocation
 * fails; the table gives how full the heap was then: the part not free
 * (occupied: live blocks with their headers and unusable slivers), bytes handed
 * out (usable sizes) and bytes asked for, over the heap size. "medium" draws
 * sizes log-uniformly from 16 bytes to 4 KiB.
 */
#include <mm/heap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define SLOTS     4096
#define OPS       2000000
#define ARENA_MAX (256ull << 20)
#define EFF_MAX   (16ull << 20)

struct step {
    uint32_t slot;
    uint32_t size;
};

static struct step *steps;
static void *live[SLOTS];

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint32_t small_size(void)
{
    return 16 + (uint32_t)(next_rand() % 241);
}

static uint32_t medium_size(void)
{
    /* log-uniform in [16, 4096] */
    unsigned shift = 4 + (unsigned)(next_rand() % 8);
    uint32_t lo = 1u << shift;
    return lo + (uint32_t)(next_rand() % lo);
}

static uint32_t mixed_size(void)
{
    /* log-uniform in [16, 16384] */
    unsigned shift = 4 + (unsigned)(next_rand() % 10);
    uint32_t lo = 1u << shift;
    return lo + (uint32_t)(next_rand() % lo);
}

static void make_steps(uint32_t (*size)(void))
{
    for (int i = 0; i < OPS; i++)
        steps[i] = (struct step){ (uint32_t)(next_rand() % SLOTS), size() };
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The heap range: reserved address space, "mapped" by the grow callback. */
static uint8_t *arena;

static int grow_ok(void *ctx, uintptr_t va, uint64_t size)
{
    (void)ctx;
    (void)va;
    (void)size;
    return 0;
}

static int make_heap(struct mm_heap *h, enum mm_heap_kind kind, uint64_t max)
{
    struct mm_heap_config cfg = { kind, (uintptr_t)arena, MM_HEAP_INITIAL_SIZE, max, grow_ok, NULL,
                                  false };
    return mm_heap_init(h, &cfg);
}

/* Run the steps; return ops/s, and the number of ops done in *done. */
static double run(enum mm_heap_kind kind, bool glibc, long *done)
{
    struct mm_heap h;
    if (!glibc && make_heap(&h, kind, ARENA_MAX) != 0) {
        fprintf(stderr, "heap init failed\n");
        exit(1);
    }
    memset(live, 0, sizeof(live));
    long ops = 0;
    double t0 = now();
    for (int i = 0; i < OPS; i++) {
        void **slot = &live[steps[i].slot];
        if (*slot) {
            if (glibc)
                free(*slot);
            else
                mm_heap_free(&h, *slot);
            *slot = NULL;
        } else {
            void *p = glibc ? malloc(steps[i].size) : mm_heap_alloc(&h, steps[i].size, 0);
            if (p == NULL)
                break;
            *(volatile uint8_t *)p = 1;
            *slot = p;
        }
        ops++;
    }
    double t = now() - t0;
    for (int i = 0; i < SLOTS; i++) {
        if (live[i] && glibc)
            free(live[i]);
        else if (live[i])
            mm_heap_free(&h, live[i]);
    }
    *done = ops;
    return (double)ops / t;
}

/*
 * Best of REPS runs, the allocators taking turns so that they share whatever else
 * the (shared) machine is doing; noise only ever slows a run down.
 */
#define REPS 3

static void throughput(const char *label, uint32_t (*size)(void))
{
    make_steps(size);
    double best[4] = { 0 };
    long done[4] = { 0 };
    for (int rep = 0; rep < REPS; rep++) {
        for (int a = 0; a < 4; a++) {
            /* a == 3 is glibc; 0..2 are the backends */
            double r = run((enum mm_heap_kind)(a % 3), a == 3, &done[a]);
            if (r > best[a])
                best[a] = r;
        }
    }
    printf("%-7s %-8s %12.0f %8s\n", label, "glibc", best[3], "1.00x");
    for (int k = MM_HEAP_BUMP; k <= MM_HEAP_BLOCK; k++) {
        printf("%-7s %-8s %12.0f %7.2fx", label, mm_heap_kind_name((enum mm_heap_kind)k), best[k],
               best[k] / best[3]);
        if (done[k] < OPS)
            printf("  (out of memory after %ld ops)", done[k]);
        printf("\n");
    }
}

static void efficiency(enum mm_heap_kind kind, const char *label, uint32_t (*size)(void))
{
    enum { LIVE = 1 << 18 };
    static void *ptr[LIVE];
    static uint32_t asked[LIVE];
    struct mm_heap h;
    if (make_heap(&h, kind, EFF_MAX) != 0)
        exit(1);
    int n = 0;
    uint64_t requested = 0;
    for (;;) {
        if (n > 0 && next_rand() % 10 < 4) {
            int i = (int)(next_rand() % (uint64_t)n);
            mm_heap_free(&h, ptr[i]);
            requested -= asked[i];
            ptr[i] = ptr[--n];
            asked[i] = asked[n];
            continue;
        }
        uint32_t s = size();
        void *p = mm_heap_alloc(&h, s, 0);
        if (p == NULL || n == LIVE)
            break;
        ptr[n] = p;
        asked[n++] = s;
        requested += s;
    }
    struct mm_heap_stats st;
    mm_heap_get_stats(&h, &st);
    printf("%-7s %-8s %9.1f%% %10.1f%% %10.1f%% %8llu KiB %7d\n", label, mm_heap_kind_name(kind),
           100.0 - 100.0 * (double)st.free / (double)st.heap_size,
           100.0 * (double)st.in_use / (double)st.heap_size,
           100.0 * (double)requested / (double)st.heap_size,
           (unsigned long long)(st.heap_size >> 10), n);
    for (int i = 0; i < n; i++)
        mm_heap_free(&h, ptr[i]);
}

int main(void)
{
    steps = malloc(sizeof(*steps) * OPS);
    arena = mmap(NULL, ARENA_MAX, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (steps == NULL || arena == MAP_FAILED) {
        perror("bench_heap");
        return 1;
    }
    printf("Kernel heap throughput: %d steps over %d live slots, best of %d runs\n"
           "(allocations + frees per second)\n",
           OPS, SLOTS, REPS);
    printf("%-7s %-8s %12s %8s\n", "sizes", "backend", "ops/s", "vs glibc");
    throughput("small", small_size);
    throughput("mixed", mixed_size);

    printf("\nHeap efficiency at the first failed allocation (heap up to %llu MiB,\n"
           "60%% allocations / 40%% frees). Occupied: not free (1 - free/heap);\n"
           "handed out: usable sizes of live blocks; asked for: requested bytes\n",
           (unsigned long long)(EFF_MAX >> 20));
    printf("%-7s %-8s %10s %11s %11s %12s %7s\n", "sizes", "backend", "occupied", "handed out",
           "asked for", "heap", "live");
    for (int k = MM_HEAP_LIST; k <= MM_HEAP_BLOCK; k++) {
        efficiency((enum mm_heap_kind)k, "small", small_size);
        efficiency((enum mm_heap_kind)k, "medium", medium_size);
        efficiency((enum mm_heap_kind)k, "mixed", mixed_size);
    }
    munmap(arena, ARENA_MAX);
    free(steps);
    return 0;
}
