/*
 * kbench.c - the in-kernel benchmark runner (kernel/kbench.h).
 */
#include <k/cmdline.h>
#include <arch/cpu.h>
#include <k/kprintf.h>
#include <arch/qemu.h>
#include <arch/timer.h>
#include <kernel/kbench.h>
#include <string.h>

extern const struct kbench __kbench_start[], __kbench_end[];

static uint64_t tsc_per_ms;

void kbench_report(const char *what, uint64_t value, const char *unit)
{
    kprintf("kbench: %s %llu %s\n", what, (unsigned long long)value, unit);
}

uint64_t kbench_cycles_to_ns(uint64_t cycles)
{
    return tsc_per_ms ? cycles * 1000000 / tsc_per_ms : 0;
}

/* TSC cycles per millisecond: the boot-time calibration against PIT channel 2. */
static void calibrate(void)
{
    tsc_per_ms = timer_tsc_per_ms();
}

void kbench_run_all(const char *cmdline)
{
    char pattern[64] = "";
    if (cmdline_get(cmdline, "kbench", pattern, sizeof(pattern)) < 0)
        pattern[0] = '\0';
    calibrate();
    kbench_report("tsc_rate", tsc_per_ms, "cycles/ms");
    for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
        if (pattern[0] && !strstr(b->name, pattern))
            continue;
        kprintf("kbench: running %s\n", b->name);
        b->fn();
    }
    kprintf("kbench: done\n");
    qemu_exit(QEMU_EXIT_SUCCESS);
}
