/**
 * @file kernel/ktest.h
 * @brief In-kernel tests: `KTEST(name) { ... }`, run when booted with `ktest`.
 *
 * Each KTEST is a function registered through the `.ktests` linker section, so a
 * test file needs nothing but this header. Booting with the command line option
 * `ktest` runs every test; `ktest=PATTERN` runs those whose name contains PATTERN.
 * The runner prints `name ... ok` or `name ... FAILED`, then `N passed, M failed`,
 * and exits QEMU with success only if nothing failed and at least one test ran.
 *
 * A failed KT_ASSERT* fails the test and returns from it. A panic during a test
 * is reported as that test's failure and ends the run (with the summary line and
 * a failure exit), so a broken test never hangs the harness.
 *
 * Tests marked with KTEST_EXPLICIT() only run when named exactly by `ktest=NAME`:
 * the harness uses them to check that failures are really reported.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <k/kprintf.h>
#include <stdbool.h>

/** @brief One registered test. */
struct ktest {
    const char *name;   /**< Test name. */
    void (*fn)(void);   /**< The body. */
    const char *file;   /**< Where it is defined. */
    bool explicit_only; /**< Runs only when named exactly. */
};

/** @cond INTERNAL */
#define KTEST_DEFINE_(name_, explicit_)                                                            \
    static void ktest_fn_##name_(void);                                                            \
    static const struct ktest ktest_desc_##name_                                                   \
        __attribute__((used, section(".ktests"), aligned(8))) = { #name_, ktest_fn_##name_,        \
                                                                  __FILE__, explicit_ };           \
    static void ktest_fn_##name_(void)
/** @endcond */

/** @brief Define a test: `KTEST(kprintf_pads) { KT_ASSERT(...); }` */
#define KTEST(name_) KTEST_DEFINE_(name_, false)

/** @brief Define a test that runs only when selected exactly with `ktest=name`. */
#define KTEST_EXPLICIT(name_) KTEST_DEFINE_(name_, true)

/**
 * @brief Record a failure of the running test (used by the KT_ASSERT macros).
 * @param file source file
 * @param line source line
 * @param fmt  what went wrong, then its arguments
 */
void ktest_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** @brief Fail the test and return from it unless @p cond holds. */
#define KT_ASSERT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ktest_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/** @brief Fail and return unless two integers are equal (both are printed). */
#define KT_ASSERT_EQ(a, b)                                                                         \
    do {                                                                                           \
        long long ka_ = (long long)(a), kb_ = (long long)(b);                                      \
        if (ka_ != kb_) {                                                                          \
            ktest_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, ka_, kb_);            \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/**
 * @brief Run the tests whose name contains @p pattern (all for ""; an
 * explicit-only test only when named exactly), printing a line per test and
 * the summary.
 * @param pattern the filter
 * @param passed  set to the number that passed
 * @param failed  set to the number that failed
 */
void ktest_run(const char *pattern, int *passed, int *failed);

/**
 * @brief Run the registered tests selected by the kernel command line and exit
 * QEMU with the result. Never returns.
 * @param cmdline the kernel command line (contains `ktest` or `ktest=PATTERN`)
 */
__attribute__((noreturn)) void ktest_run_all(const char *cmdline);

#endif
