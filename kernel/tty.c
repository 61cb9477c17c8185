/*
 * tty.c - the console terminal (kernel/tty.h): libdev's line discipline
 * wired to COM1, the keyboard, the VGA screen, the scheduler and libproc.
 *
 * Input: the keyboard and COM1 interrupts raise one async event; the task
 * "tty-input" on the kernel executor then decodes scancodes (kbd_console_ops
 * turns them into the bytes a VT100 sends) and takes COM1's bytes, feeding
 * both to tty_receive() while the terminal has room. When a raw reader
 * leaves it full, the task stops taking bytes (COM1's wait in its ring and
 * the UART, which holds the sender back) until a read makes room.
 *
 * Reading: tty_read() sleeps through tty_wait(): interrupts off while it
 * checks and goes to sleep on tty_readers, so no wake-up is lost, and
 * proc_sleep_interruptible() so a signal wakes a process at once. Waits
 * with a VTIME timeout are re-checked on every timer tick.
 *
 * Output: processed bytes go straight to COM1 and the screen under the
 * console lock, so they never interleave with a kprintf line (and COM1 does
 * not add a second CR: ONLCR already did).
 *
 * Locking: the terminal's state is under the spinlock "tty" (irqsave, given to
 * libdev's tty); the line discipline calls the output hook and tty_room() with
 * it held, so the order is "tty", then "console", and "tty", then "event",
 * then "executor". `tty_readers` and `timed_sleepers` change with interrupts
 * off under the big kernel lock (sched/sync.h); the tick reads
 * `timed_sleepers` under the big lock too. The pointers to COM1, the screen
 * and the keyboard are set once by kernel_tty_init(), the keyboard's hook
 * with interrupts off.
 */
#include <arch/cpu.h>
#include <arch/spinlock.h>
#include <arch/timer.h>
#include <k/console.h>
#include <k/errno.h>
#include <kernel/threads.h>
#include <kernel/tty.h>
#include <proc/proc.h>
#include <sched/async.h>
#include <sched/sync.h>
#include <vfs/devfs.h>

#define INPUT_BUDGET 1024 /* bytes per poll before letting other tasks run */

static struct tty console_tty;
static bool tty_started;
static struct spinlock tty_spin = SPINLOCK_INIT("tty");
static struct wait_queue tty_readers;
static volatile unsigned timed_sleepers;
static struct async_event tty_event;
static struct serial_port *com;
static const struct console_ops *screen;
static void *screen_ctx;
static struct kbd *keys;
static void (*prev_kbd_input)(void *ctx);
static void *prev_kbd_ctx;

static void tty_output(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    uint64_t f = console_lock();
    if (com && com->present)
        for (size_t i = 0; i < n; i++)
            serial_putc(com, s[i]);
    if (screen)
        screen->write(screen_ctx, s, n);
    console_unlock(f);
}

static void tty_signal(void *ctx, int pgrp, int sig)
{
    (void)ctx;
    proc_kill_group(pgrp, sig);
}

static int tty_wait(void *ctx, bool (*ready)(void *arg), void *arg, uint32_t timeout_ms)
{
    (void)ctx;
    uint64_t deadline = timeout_ms ? timer_now_ns() + (uint64_t)timeout_ms * 1000000u : 0;
    uint64_t f = cpu_irq_save();
    int r = 0;
    while (!ready(arg)) {
        if (deadline && timer_now_ns() >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        if (deadline)
            timed_sleepers++;
        r = proc_sleep_interruptible(&tty_readers);
        if (deadline)
            timed_sleepers--;
        if (r)
            break;
    }
    cpu_irq_restore(f);
    return r;
}

static void tty_wake(void *ctx)
{
    (void)ctx;
    wait_queue_wake_all(&tty_readers);
}

static void tty_room(void *ctx)
{
    (void)ctx;
    async_event_signal(&tty_event);
}

static const struct tty_ops ops = {
    .output = tty_output,
    .signal = tty_signal,
    .wait = tty_wait,
    .wake = tty_wake,
    .room = tty_room,
};

/* Take what COM1 and the keyboard have, while the terminal has room.
 * Returns false when the budget ran out with input perhaps still waiting. */
static bool pump(void)
{
    for (int i = 0; i < INPUT_BUDGET; i++) {
        if (tty_receive_room(&console_tty) == 0)
            return true; /* a read calls tty_room() */
        int c = com ? serial_getc(com) : -EAGAIN;
        if (c < 0)
            c = kbd_console_ops.getc(keys);
        if (c < 0)
            return true;
        tty_receive(&console_tty, (uint8_t)c);
    }
    return false;
}

static enum poll_result input_poll(void *state, const struct waker *w)
{
    (void)state;
    for (;;) {
        if (!pump()) {
            waker_wake(w); /* more to do: after the other ready tasks */
            return TASK_PENDING;
        }
        /* Input that arrived during the pump raised the event: go again. */
        if (async_event_poll(&tty_event, w) == TASK_PENDING)
            return TASK_PENDING;
    }
}

static void kbd_input(void *ctx)
{
    (void)ctx;
    if (prev_kbd_input)
        prev_kbd_input(prev_kbd_ctx);
    async_event_signal(&tty_event);
}

int kernel_tty_init(struct serial_port *com1, const struct console_ops *screen_ops,
                    void *screen_arg, struct kbd *keyboard)
{
    com = com1;
    screen = screen_ops;
    screen_ctx = screen_arg;
    keys = keyboard;
    wait_queue_init(&tty_readers);
    async_event_init(&tty_event);
    tty_init(&console_tty, &ops, NULL, &spin_irq_lock_ops, &tty_spin);
    uint64_t f = cpu_irq_save();
    prev_kbd_input = keys->on_input;
    prev_kbd_ctx = keys->on_input_ctx;
    keys->on_input = kbd_input;
    keys->on_input_ctx = NULL;
    cpu_irq_restore(f);
    if (!executor_spawn(kernel_executor(), "tty-input", input_poll, NULL, NULL))
        return -ENOMEM;
    tty_started = true;
    devfs_set_tty(&console_tty);
    return 0;
}

struct tty *kernel_tty(void)
{
    return tty_started ? &console_tty : NULL;
}

void kernel_tty_input(void)
{
    async_event_signal(&tty_event);
}

void kernel_tty_tick(void)
{
    if (timed_sleepers)
        wait_queue_wake_all(&tty_readers);
}
