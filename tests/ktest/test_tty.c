/*
 * test_tty.c - the console terminal inside the kernel: a key typed on the
 * PS/2 keyboard reaches the terminal through its interrupt and the async
 * input task, and a reader sleeps until then.
 */
#include <arch/cpu.h>
#include <arch/timer.h>
#include <dev/kbd.h>
#include <dev/tty.h>
#include <kernel/ktest.h>
#include <kernel/tty.h>
#include <sched/thread.h>

/* The 8042's "write keyboard output buffer" command: the byte arrives as if
 * typed, through IRQ 1. */
static void inject_scancode(uint8_t sc)
{
    while (inb(KBD_STATUS_PORT) & 2)
        cpu_pause();
    outb(KBD_STATUS_PORT, 0xd2);
    while (inb(KBD_STATUS_PORT) & 2)
        cpu_pause();
    outb(KBD_DATA_PORT, sc);
}

static struct tty *t;

/* Linux's default cooked mode, or raw mode (as a line editor sets it). */
static void set_mode(bool raw)
{
    struct tty_termios tio;
    tty_default_termios(&tio);
    if (raw)
        tty_make_raw(&tio);
    tty_set_termios(t, &tio, TTY_SET_NOW);
}
static volatile long got;
static volatile uint8_t byte;

static void reader(void *arg)
{
    (void)arg;
    uint8_t c = 0;
    got = tty_read(t, &c, 1); /* raw, VMIN 1: sleeps until a byte comes */
    byte = c;
}

KTEST(tty_keyboard_input_reaches_a_sleeping_reader)
{
    t = kernel_tty();
    KT_ASSERT(t != NULL);
    set_mode(true);
    tty_flush(t, TTY_FLUSH_INPUT);
    got = 0;
    byte = 0;
    struct thread *r = thread_create("tty-reader", reader, NULL);
    KT_ASSERT(r != NULL);
    timer_sleep_ms(20);
    KT_ASSERT_EQ(got, 0);  /* asleep: nothing typed yet */
    inject_scancode(0x10); /* make code of 'q' */
    inject_scancode(0x90); /* its break code */
    thread_join(r, NULL);
    set_mode(false);
    KT_ASSERT_EQ(got, 1);
    KT_ASSERT_EQ(byte, 'q');
    KT_ASSERT_EQ(tty_input_count(t), 0);
}

KTEST(tty_cooked_mode_edits_keyboard_input)
{
    t = kernel_tty();
    KT_ASSERT(t != NULL);
    set_mode(false);
    tty_flush(t, TTY_FLUSH_INPUT);
    /* "ab", Backspace (the keyboard sends ^H, which erases too), Enter */
    static const uint8_t keys[] = { 0x1e, 0x9e, 0x30, 0xb0, 0x0e, 0x8e, 0x1c, 0x9c };
    for (unsigned i = 0; i < sizeof(keys); i++)
        inject_scancode(keys[i]);
    for (int i = 0; i < 200 && tty_input_count(t) < 2; i++)
        timer_sleep_ms(1);
    char buf[8];
    long n = tty_read(t, buf, sizeof(buf));
    KT_ASSERT_EQ(n, 2);
    KT_ASSERT_EQ(buf[0], 'a');
    KT_ASSERT_EQ(buf[1], '\n');
}
