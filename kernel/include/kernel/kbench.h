/**
 * @file kernel/kbench.h
 * @brief In-kernel benchmarks: `KBENCH(name) { ... }`, run when booted with
 * `kbench` (all) or `kbench=NAME`.
 *
 * A benchmark measures with rdtsc (kbench_cycles_to_ns() converts using a TSC
 * rate calibrated against the PIT) and reports each figure with kbench_report(),
 * which prints a `kbench: NAME VALUE UNIT` line; tests/bench/kernel_bench.py
 * boots the kernel and turns those lines into the table `make bench` prints.
 * Benchmarks never assert speed: targets live in the tables.
 */
#ifndef KERNEL_KBENCH_H
#define KERNEL_KBENCH_H

#include <stdint.h>

/** @brief One registered benchmark. */
struct kbench {
    const char *name; /**< Benchmark name. */
    void (*fn)(void); /**< The body. */
};

/** @brief Define a benchmark: `KBENCH(context_switch) { ... kbench_report(...); }` */
#define KBENCH(name_)                                                                              \
    static void kbench_fn_##name_(void);                                                           \
    static const struct kbench kbench_desc_##name_                                                 \
        __attribute__((used, section(".kbench"), aligned(8))) = { #name_, kbench_fn_##name_ };     \
    static void kbench_fn_##name_(void)

/**
 * @brief Report one measured figure.
 * @param what  what was measured (no spaces)
 * @param value the figure
 * @param unit  its unit ("ns", "cycles", "MiB/s", ...)
 */
void kbench_report(const char *what, uint64_t value, const char *unit);

/**
 * @brief Convert TSC cycles to nanoseconds.
 * @param cycles a TSC difference
 * @return nanoseconds
 */
uint64_t kbench_cycles_to_ns(uint64_t cycles);

/**
 * @brief Run the benchmarks the command line selects, then exit QEMU. Never returns.
 * @param cmdline the kernel command line (contains `kbench` or `kbench=NAME`)
 */
__attribute__((noreturn)) void kbench_run_all(const char *cmdline);

#endif
