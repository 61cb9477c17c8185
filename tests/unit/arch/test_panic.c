/*
 * test_panic.c - panic(), assert() and the frame-pointer walk.
 *
 * Check forks every test, so a panic (which halts: the CPU mock exits with
 * CPU_MOCK_HALT_STATUS) only ends that test's process.
 */
#include "cpu_mock.h"
#include <k/console.h>
#include <arch/cpu.h>
#include <arch/panic.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Suite *panic_suite(void);

/* A fake stack: frames are [saved rbp, return address] pairs. */
static uintptr_t stack[64];

static uintptr_t frame_at(int i)
{
    return (uintptr_t)&stack[i];
}

START_TEST(test_walk_follows_chain)
{
    memset(stack, 0, sizeof(stack));
    /* frame 0 at [2] -> frame 1 at [10] -> frame 2 at [20] -> end (rbp 0) */
    stack[2] = frame_at(10);
    stack[3] = 0x1111;
    stack[10] = frame_at(20);
    stack[11] = 0x2222;
    stack[20] = 0;
    stack[21] = 0x3333;
    uintptr_t out[8];
    size_t n = backtrace_collect(frame_at(2), out, 8, frame_at(0), frame_at(64));
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(out[0], 0x1111);
    ck_assert_uint_eq(out[1], 0x2222);
    ck_assert_uint_eq(out[2], 0x3333);
}
END_TEST

START_TEST(test_walk_stops_on_bad_frames)
{
    uintptr_t out[8];
    memset(stack, 0, sizeof(stack));
    /* a loop: frame points to itself */
    stack[4] = frame_at(4);
    stack[5] = 0xaaaa;
    ck_assert_uint_eq(backtrace_collect(frame_at(4), out, 8, frame_at(0), frame_at(64)), 1);
    /* a frame going down the stack */
    stack[10] = frame_at(6);
    stack[11] = 0xbbbb;
    stack[7] = 0xcccc;
    ck_assert_uint_eq(backtrace_collect(frame_at(10), out, 8, frame_at(0), frame_at(64)), 1);
    /* misaligned, NULL, and out-of-range start frames */
    ck_assert_uint_eq(backtrace_collect(frame_at(4) + 3, out, 8, frame_at(0), frame_at(64)), 0);
    ck_assert_uint_eq(backtrace_collect(0, out, 8, 0, UINTPTR_MAX), 0);
    ck_assert_uint_eq(backtrace_collect(frame_at(4), out, 8, frame_at(5), frame_at(64)), 0);
    /* a frame record that would end past the allowed range */
    ck_assert_uint_eq(backtrace_collect(frame_at(63), out, 8, frame_at(0), frame_at(64)), 0);
    /* a frame pointing outside the range ends the walk after it */
    stack[30] = (uintptr_t)-16;
    stack[31] = 0xdddd;
    ck_assert_uint_eq(backtrace_collect(frame_at(30), out, 8, frame_at(0), frame_at(64)), 1);
    /* a zero return address ends it */
    stack[40] = frame_at(50);
    stack[41] = 0;
    ck_assert_uint_eq(backtrace_collect(frame_at(40), out, 8, frame_at(0), frame_at(64)), 0);
}
END_TEST

START_TEST(test_walk_respects_max)
{
    memset(stack, 0, sizeof(stack));
    for (int i = 0; i < 30; i++) {
        stack[2 * i] = frame_at(2 * i + 2);
        stack[2 * i + 1] = 0x100 + (uintptr_t)i;
    }
    uintptr_t out[4];
    ck_assert_uint_eq(backtrace_collect(frame_at(0), out, 4, frame_at(0), frame_at(64)), 4);
    ck_assert_uint_eq(out[3], 0x103);
}
END_TEST

/* Panic output goes to a console that writes to stderr... and to a pipe we check. */
static int pipefd[2];

static void pipe_write(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    ssize_t r = write(pipefd[1], s, n);
    (void)r;
}

static const struct console_ops pipe_ops = { .write = pipe_write };

static void hook_checks_report(void)
{
    char buf[1024];
    close(pipefd[1]);
    ssize_t n = read(pipefd[0], buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = '\0';
    /* message, location, backtrace header; interrupts are off */
    if (strstr(buf, "KERNEL PANIC at") && strstr(buf, "test_panic.c:") &&
        strstr(buf, "disk on fire: 42") && strstr(buf, "backtrace:") && !cpu_mock_irq_enabled())
        exit(50);
    exit(51);
}

START_TEST(test_panic_reports_and_calls_hook)
{
    ck_assert_int_eq(pipe(pipefd), 0);
    console_register("pipe", &pipe_ops, NULL);
    panic_set_hook(hook_checks_report);
    cpu_sti();
    panic("disk on fire: %d", 42);
}
END_TEST

START_TEST(test_panic_without_hook_halts)
{
    panic("plain");
}
END_TEST

static void hook_exit_assert(void)
{
    exit(60);
}

START_TEST(test_assert_false_panics)
{
    panic_set_hook(hook_exit_assert);
    int x = 1;
    assert(x == 1); /* true: nothing happens */
    assert(x == 2);
}
END_TEST

static void hook_panics_again(void)
{
    panic("panic inside the panic hook");
}

START_TEST(test_nested_panic_halts)
{
    panic_set_hook(hook_panics_again);
    panic("first");
}
END_TEST

Suite *panic_suite(void)
{
    Suite *s = suite_create("panic");
    TCase *bt = tcase_create("backtrace");
    tcase_add_test(bt, test_walk_follows_chain);
    tcase_add_test(bt, test_walk_stops_on_bad_frames);
    tcase_add_test(bt, test_walk_respects_max);
    suite_add_tcase(s, bt);
    TCase *p = tcase_create("panic");
    tcase_add_exit_test(p, test_panic_reports_and_calls_hook, 50);
    tcase_add_exit_test(p, test_panic_without_hook_halts, CPU_MOCK_HALT_STATUS);
    tcase_add_exit_test(p, test_assert_false_panics, 60);
    tcase_add_exit_test(p, test_nested_panic_halts, CPU_MOCK_HALT_STATUS);
    suite_add_tcase(s, p);
    return s;
}
