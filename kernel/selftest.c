/*
 * selftest.c - boot-time self-tests that end the machine (kernel/selftest.h).
 */
#include <k/cmdline.h>
#include <k/kprintf.h>
#include <arch/layout.h>
#include <arch/panic.h>
#include <arch/qemu.h>
#include <arch/trap.h>
#include <kernel/selftest.h>
#include <sched/thread.h>
#include <string.h>

static void overflow_df_handler(struct trap_frame *tf)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    bool on_ist =
        sp > (uintptr_t)ist_double_fault_guard + 4096 && sp < (uintptr_t)ist_double_fault_top;
    trap_report(tf);
    if (trap_is_stack_overflow(tf) && on_ist) {
        kprintf("selftest stack overflow in thread \"%s\": PASS (double fault on its IST "
                "stack)\n",
                thread_current()->name);
        qemu_exit(QEMU_EXIT_SUCCESS);
    }
    kprintf("selftest stack overflow: FAIL (overflow %d, on IST stack %d)\n",
            trap_is_stack_overflow(tf), on_ist);
    qemu_exit(QEMU_EXIT_FAILURE);
}

/* Each level keeps a frame alive after the call, so this cannot become a loop.
 * The depth limit is never reached: the guard page comes first. */
static volatile int recursion_limit = 1 << 30;

__attribute__((noinline)) static int recurse(int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    if (depth >= recursion_limit)
        return 0;
    return recurse(depth + 1) + pad[0];
}

static void recurse_thread(void *arg)
{
    (void)arg;
    kprintf("selftest: recursing %d\n", recurse(0));
}

/* Three calls deep, then a panic: its backtrace must name all three, in order.
 * The volatile counter keeps each call a real call, not a tail jump. */
static volatile int depth_seen;

__attribute__((noinline)) static void selftest_panic_level3(void)
{
    depth_seen = 3;
    panic("selftest: three calls deep (%d)", depth_seen);
}

__attribute__((noinline)) static void selftest_panic_level2(void)
{
    depth_seen = 2;
    selftest_panic_level3();
    depth_seen = 0;
}

__attribute__((noinline)) static void selftest_panic_level1(void)
{
    depth_seen = 1;
    selftest_panic_level2();
    depth_seen = 0;
}

void selftest_run(const char *cmdline)
{
    char name[32];
    if (cmdline_get(cmdline, "selftest", name, sizeof(name)) < 0)
        return;
    kprintf("selftest: %s\n", name);
    if (strcmp(name, "stack_overflow") == 0) {
        trap_set_handler(TRAP_DOUBLE_FAULT, overflow_df_handler);
        kprintf("selftest: recursing %d\n", recurse(0));
    } else if (strcmp(name, "thread_stack_overflow") == 0) {
        /* A kernel thread's stack comes from libmm, with its own guard page. */
        trap_set_handler(TRAP_DOUBLE_FAULT, overflow_df_handler);
        struct thread *t = thread_create("overflow", recurse_thread, NULL);
        if (t)
            thread_join(t, NULL);
    } else if (strcmp(name, "panic_deep") == 0) {
        selftest_panic_level1();
    } else if (strcmp(name, "page_fault") == 0) {
        volatile uint64_t *bad = (volatile uint64_t *)0xffffffff81234000ull;
        kprintf("selftest: read %llu\n", (unsigned long long)*bad);
    } else {
        kprintf("selftest: unknown self-test '%s'\n", name);
    }
    qemu_exit(QEMU_EXIT_FAILURE); /* still here: the self-test did not do its job */
}
