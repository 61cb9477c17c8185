/*
 * ktest.c - the in-kernel test runner (kernel/ktest.h).
 *
 * Tests are found between the linker symbols __ktests_start and __ktests_end.
 * The runner's state is global because there is one runner and it runs alone,
 * before anything else is started.
 */
#include <k/cmdline.h>
#include <k/kprintf.h>
#include <arch/panic.h>
#include <arch/qemu.h>
#include <kernel/ktest.h>
#include <stdarg.h>
#include <string.h>

extern const struct ktest __ktests_start[], __ktests_end[];

static const struct ktest *current;
static bool current_failed;
static int passed, failed;

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kprintf("\n    %s:%d: ", file, line);
    kvprintf(fmt, ap);
    va_end(ap);
    current_failed = true;
}

__attribute__((noreturn)) static void summary_and_exit(void)
{
    kprintf("%d passed, %d failed\n", passed, failed);
    qemu_exit(failed == 0 && passed > 0 ? QEMU_EXIT_SUCCESS : QEMU_EXIT_FAILURE);
}

/* A panic inside a test: that test failed, and the machine state is suspect, so stop. */
static void ktest_panic_hook(void)
{
    if (current) {
        kprintf("%s ... FAILED (panic)\n", current->name);
        failed++;
    }
    summary_and_exit();
}

static bool selected(const struct ktest *t, const char *pattern)
{
    if (t->explicit_only)
        return pattern[0] && strcmp(t->name, pattern) == 0;
    return pattern[0] == '\0' || strstr(t->name, pattern) != NULL;
}

void ktest_run(const char *pattern, int *npassed, int *nfailed)
{
    passed = failed = 0;
    panic_hook_fn old = panic_set_hook(ktest_panic_hook);
    kprintf("ktest: running in-kernel tests%s%s\n", pattern[0] ? " matching " : "", pattern);
    for (const struct ktest *t = __ktests_start; t < __ktests_end; t++) {
        if (!selected(t, pattern))
            continue;
        current = t;
        current_failed = false;
        kprintf("%s ... ", t->name);
        t->fn();
        if (current_failed) {
            kprintf("\n%s ... FAILED\n", t->name);
            failed++;
        } else {
            kprintf("ok\n");
            passed++;
        }
    }
    current = NULL;
    panic_set_hook(old);
    kprintf("%d passed, %d failed\n", passed, failed);
    *npassed = passed;
    *nfailed = failed;
}

void ktest_run_all(const char *cmdline)
{
    char pattern[64] = "";
    if (cmdline_get(cmdline, "ktest", pattern, sizeof(pattern)) < 0)
        pattern[0] = '\0';
    int p, f;
    ktest_run(pattern, &p, &f);
    qemu_exit(f == 0 && p > 0 ? QEMU_EXIT_SUCCESS : QEMU_EXIT_FAILURE);
}
