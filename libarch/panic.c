/*
 * panic.c - fatal errors and backtraces (arch/panic.h).
 *
 * Locking: none; a panic may come on any CPU, with or without the big kernel
 * lock (an NMI or double fault is lockless). `panicking` is counted with an
 * atomic operation, so that of two CPUs panicking at once exactly one prints
 * and runs the hook; the other halts. `panic_hook` is set at boot.
 */
#include <k/console.h>
#include <k/klog.h>
#include <arch/cpu.h>
#include <k/kprintf.h>
#include <arch/ksyms.h>
#include <arch/panic.h>
#include <stdarg.h>

/* Frames of interest live in the kernel's higher half. */
#define KERNEL_HALF_START 0xffff800000000000ull
#define BACKTRACE_MAX     16

static panic_hook_fn panic_hook;
static volatile int panicking;

panic_hook_fn panic_set_hook(panic_hook_fn hook)
{
    panic_hook_fn old = panic_hook;
    panic_hook = hook;
    return old;
}

size_t backtrace_collect(uintptr_t rbp, uintptr_t *out, size_t max, uintptr_t lo, uintptr_t hi)
{
    size_t n = 0;
    while (n < max && rbp != 0 && (rbp & 7) == 0 && rbp >= lo && rbp <= hi - 16) {
        const uintptr_t *frame = (const uintptr_t *)rbp;
        uintptr_t ret = frame[1];
        if (ret == 0)
            break;
        out[n++] = ret;
        if (frame[0] <= rbp) /* stacks grow down: callers' frames are higher */
            break;
        rbp = frame[0];
    }
    return n;
}

void backtrace_print_frame(size_t i, uintptr_t pc, int is_return, const char *note)
{
    /* A return address is just past its call: look up the call itself. */
    uintptr_t at = is_return ? pc - 1 : pc, off;
    const char *fn = ksym_lookup(at, &off);
    const char *file;
    unsigned line;
    kprintf("  #%zu %p", i, (void *)pc);
    if (fn)
        kprintf(" %s+%#lx", fn, (unsigned long)(off + (pc - at)));
    if (kline_lookup(at, &file, &line) == 0)
        kprintf(" (%s:%u)", file, line);
    if (note)
        kprintf(" (%s)", note);
    kprintf("\n");
}

void backtrace_print(uintptr_t rbp)
{
    uintptr_t addrs[BACKTRACE_MAX];
    size_t n = backtrace_collect(rbp, addrs, BACKTRACE_MAX, KERNEL_HALF_START, UINTPTR_MAX);
    kprintf("backtrace:\n");
    for (size_t i = 0; i < n; i++)
        backtrace_print_frame(i, addrs[i], 1, NULL);
    if (n == 0)
        kprintf("  (no frames)\n");
}

void panic_at(const char *file, int line, const char *fmt, ...)
{
    cpu_cli();
    int before = __atomic_fetch_add(&panicking, 1, __ATOMIC_ACQ_REL);
    if (before) {
        /* A panic while panicking (here or on another CPU): say so once and
         * stop without recursing. */
        if (before == 1)
            kprintf("\nnested panic at %s:%d\n", file, line);
        cpu_halt_forever();
    }
    console_enter_panic_mode();
    klog_set_console_level(KLOG_DEBUG); /* whatever loglevel= said: show it all */

    va_list ap;
    va_start(ap, fmt);
    kprintf("\n*** KERNEL PANIC at %s:%d: ", file, line);
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
    backtrace_print((uintptr_t)__builtin_frame_address(0));

    if (panic_hook)
        panic_hook();
    kprintf("system halted\n");
    cpu_halt_forever();
}
