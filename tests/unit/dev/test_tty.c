/*
 * test_tty.c - the line discipline (dev/tty.h) against recording hooks:
 * canonical and raw input, echo, erase and kill, signal characters, VMIN and
 * VTIME, output processing, a full buffer, settings changes and sessions.
 */
#include <check.h>
#include <dev/tty.h>
#include <k/errno.h>
#include <string.h>

Suite *tty_suite(void);

static struct tty t;
static char out[16384];
static size_t nout;
static int sigs[8][2], nsigs;
static const char *feed_on_wait; /* typed while a reader sleeps */
static int wait_result;          /* what wait returns when still not ready */
static int waits, rooms, wakes, locks, unlocks;
static uint32_t last_timeout;

static void feed(const char *s)
{
    while (*s)
        tty_receive(&t, (uint8_t)*s++);
}

static void m_output(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    ck_assert_uint_le(nout + n, sizeof(out) - 1);
    memcpy(out + nout, s, n);
    nout += n;
    out[nout] = '\0';
}

static void m_signal(void *ctx, int pgrp, int sig)
{
    (void)ctx;
    ck_assert_int_lt(nsigs, 8);
    sigs[nsigs][0] = pgrp;
    sigs[nsigs][1] = sig;
    nsigs++;
}

static int m_wait(void *ctx, bool (*ready)(void *), void *arg, uint32_t timeout_ms)
{
    (void)ctx;
    waits++;
    last_timeout = timeout_ms;
    if (feed_on_wait) {
        const char *s = feed_on_wait;
        feed_on_wait = NULL;
        feed(s);
        return 0; /* woken: the reader looks again */
    }
    if (ready(arg))
        return 0;
    /* only a wait with a timeout can time out */
    return wait_result == -ETIMEDOUT && timeout_ms == 0 ? -EINTR : wait_result;
}

static void m_wake(void *ctx)
{
    (void)ctx;
    wakes++;
}

static void m_room(void *ctx)
{
    (void)ctx;
    rooms++;
}

static uint64_t m_lock(void *ctx)
{
    (void)ctx;
    locks++;
    return 42;
}

static void m_unlock(void *ctx, uint64_t state)
{
    (void)ctx;
    ck_assert_uint_eq(state, 42);
    unlocks++;
}

static const struct tty_ops ops = { m_output, m_signal, m_wait, m_wake, m_room };
static const struct console_lock_ops lock_ops = { m_lock, m_unlock };

static void setup(void)
{
    tty_init(&t, &ops, NULL, &lock_ops, NULL);
    nout = 0;
    out[0] = '\0';
    nsigs = waits = rooms = wakes = locks = unlocks = 0;
    feed_on_wait = NULL;
    wait_result = -EINTR;
}

static void teardown(void)
{
    ck_assert_int_eq(locks, unlocks);
}

/* Read into a string. */
static long rd(char *buf, size_t n)
{
    long r = tty_read(&t, buf, n);
    if (r >= 0)
        buf[r] = '\0';
    return r;
}

static void clear_out(void)
{
    nout = 0;
    out[0] = '\0';
}

static void set_lflag(uint32_t on, uint32_t off)
{
    struct tty_termios tio;
    tty_get_termios(&t, &tio);
    tio.c_lflag = (tio.c_lflag | on) & ~off;
    tty_set_termios(&t, &tio, TTY_SET_NOW);
}

static void set_raw(uint8_t vmin, uint8_t vtime)
{
    struct tty_termios tio;
    tty_get_termios(&t, &tio);
    tty_make_raw(&tio);
    tio.c_cc[TTY_VMIN] = vmin;
    tio.c_cc[TTY_VTIME] = vtime;
    tty_set_termios(&t, &tio, TTY_SET_NOW);
}

START_TEST(test_defaults_are_linux)
{
    ck_assert_uint_eq(sizeof(struct tty_termios), 36);
    ck_assert_uint_eq(sizeof(struct tty_winsize), 8);
    struct tty_termios tio;
    tty_get_termios(&t, &tio);
    ck_assert_uint_eq(tio.c_iflag, 0400);
    ck_assert_uint_eq(tio.c_oflag, 05);
    ck_assert_uint_eq(tio.c_cflag, 02277);
    ck_assert_uint_eq(tio.c_lflag, 0105073);
    ck_assert_uint_eq(tio.c_cc[TTY_VINTR], 3);
    ck_assert_uint_eq(tio.c_cc[TTY_VERASE], 0177);
    ck_assert_uint_eq(tio.c_cc[TTY_VEOF], 4);
    ck_assert_uint_eq(tio.c_cc[TTY_VMIN], 1);
    struct tty_winsize ws;
    tty_get_winsize(&t, &ws);
    ck_assert_uint_eq(ws.ws_row, 25);
    ck_assert_uint_eq(ws.ws_col, 80);
}
END_TEST

START_TEST(test_canonical_line_with_echo)
{
    char buf[64];
    feed("hi\r");
    ck_assert_str_eq(out, "hi\r\n"); /* ICRNL in, ONLCR out */
    ck_assert_int_gt(wakes, 0);
    ck_assert_int_eq(rd(buf, sizeof(buf)), 3);
    ck_assert_str_eq(buf, "hi\n");
    /* nothing more: the reader sleeps, and a signal ends the wait */
    ck_assert_int_eq(rd(buf, sizeof(buf)), -EINTR);
    ck_assert_int_eq(waits, 1);
}
END_TEST

START_TEST(test_partial_line_waits_for_its_end)
{
    char buf[64];
    feed("abc");
    feed_on_wait = "d\n";
    ck_assert_int_eq(rd(buf, sizeof(buf)), 5);
    ck_assert_str_eq(buf, "abcd\n");
    ck_assert_int_eq(waits, 1);
}
END_TEST

START_TEST(test_one_line_per_read_and_short_buffers)
{
    char buf[64];
    feed("one\ntwo\n");
    ck_assert_int_eq(rd(buf, 2), 2);
    ck_assert_str_eq(buf, "on");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 2);
    ck_assert_str_eq(buf, "e\n");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 4);
    ck_assert_str_eq(buf, "two\n");
    ck_assert_int_eq(tty_read(&t, buf, 0), 0);
}
END_TEST

START_TEST(test_erase_with_del_and_backspace)
{
    char buf[64];
    feed("ab\x7f"
         "c\bd\n");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 3);
    ck_assert_str_eq(buf, "ad\n");
    ck_assert_str_eq(out, "ab\b \bc\b \bd\r\n");
}
END_TEST

START_TEST(test_erase_at_line_start_does_nothing)
{
    char buf[64];
    feed("\x7f\x7f\b\x15\x17");
    ck_assert_str_eq(out, "");
    feed("x\n\x7f");
    ck_assert_str_eq(out, "x\r\n"); /* a finished line is not erased */
    ck_assert_int_eq(rd(buf, sizeof(buf)), 2);
    ck_assert_str_eq(buf, "x\n");
}
END_TEST

START_TEST(test_kill_and_word_erase)
{
    char buf[64];
    feed("abc\x15");
    ck_assert_str_eq(out, "abc\b \b\b \b\b \b");
    feed("one two  \x17three\n");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 10);
    ck_assert_str_eq(buf, "one three\n");
    /* without ECHOKE the kill character is echoed, then a newline */
    set_lflag(0, TTY_ECHOKE);
    clear_out();
    feed("xy\x15z\n");
    ck_assert_str_eq(out, "xy^U\r\nz\r\n");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 2);
    ck_assert_str_eq(buf, "z\n");
    /* without ECHOE, erase echoes the erase character */
    set_lflag(0, TTY_ECHOE);
    clear_out();
    feed("q\x7f");
    ck_assert_str_eq(out, "q^?");
}
END_TEST

START_TEST(test_erasing_control_characters_and_tabs)
{
    feed("\x01");
    ck_assert_str_eq(out, "^A");
    feed("\x7f");
    ck_assert_str_eq(out, "^A\b \b\b \b");
    clear_out();
    feed("ab\t");
    ck_assert_uint_eq(t.column, 8);
    feed("\x7f");
    ck_assert_str_eq(out, "ab\t\b\b\b\b\b\b"); /* back to column 2 */
    ck_assert_uint_eq(t.column, 2);
    /* without ECHOCTL a control character takes no column */
    set_lflag(0, TTY_ECHOCTL);
    clear_out();
    feed("\x02\x7f");
    ck_assert_str_eq(out, "\x02");
}
END_TEST

START_TEST(test_end_of_file)
{
    char buf[64];
    feed("\x04");
    ck_assert_str_eq(out, ""); /* ^D is not echoed */
    ck_assert_int_eq(rd(buf, sizeof(buf)), 0);
    feed("ab\x04");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 2); /* ^D ends the line, unreturned */
    ck_assert_str_eq(buf, "ab");
    ck_assert_int_eq(rd(buf, sizeof(buf)), -EINTR);
}
END_TEST

START_TEST(test_signal_characters)
{
    char buf[64];
    feed("ab\x03");
    ck_assert_int_eq(nsigs, 0); /* no foreground group: nobody to signal */
    tty_set_session(&t, 5, 7);
    ck_assert_int_eq(tty_session(&t), 5);
    ck_assert_int_eq(tty_pgrp(&t), 7);
    clear_out();
    feed("cd\x03");
    ck_assert_int_eq(nsigs, 1);
    ck_assert_int_eq(sigs[0][0], 7);
    ck_assert_int_eq(sigs[0][1], 2); /* SIGINT */
    ck_assert_str_eq(out, "cd^C");
    ck_assert_uint_eq(tty_input_count(&t), 0); /* flushed */
    feed("x\x1c");
    ck_assert_int_eq(sigs[1][1], 3); /* SIGQUIT */
    feed("\x1a");
    ck_assert_int_eq(sigs[2][1], 20); /* SIGTSTP */
    /* NOFLSH keeps the input */
    set_lflag(TTY_NOFLSH, 0);
    feed("keep\x03\n");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 5);
    ck_assert_str_eq(buf, "keep\n");
    /* without ISIG, ^C is a character */
    set_lflag(0, TTY_ISIG);
    feed("\x03\n");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 2);
    ck_assert_int_eq(buf[0], 3);
    ck_assert_int_eq(nsigs, 4);
    tty_set_pgrp(&t, 9);
    ck_assert_int_eq(tty_pgrp(&t), 9);
}
END_TEST

START_TEST(test_literal_next_and_reprint)
{
    char buf[64];
    tty_set_session(&t, 1, 1);
    feed("a\x16\x03");
    ck_assert_int_eq(nsigs, 0);
    ck_assert_str_eq(out, "a^\b^C");
    clear_out();
    feed("\x12");
    ck_assert_str_eq(out, "^R\r\na^C");
    feed("\n");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 3);
    ck_assert_int_eq(buf[1], 3);
    set_lflag(0, TTY_ECHO);
    clear_out();
    feed("z\x12");
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_echo_off_and_echonl)
{
    char buf[64];
    set_lflag(0, TTY_ECHO);
    feed("secret\r");
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 7);
    ck_assert_str_eq(buf, "secret\n");
    set_lflag(TTY_ECHONL, 0);
    feed("pw\n");
    ck_assert_str_eq(out, "\r\n");
}
END_TEST

START_TEST(test_input_translation)
{
    char buf[64];
    struct tty_termios tio;
    tty_get_termios(&t, &tio);
    tio.c_iflag = TTY_IGNCR | TTY_ISTRIP;
    tty_set_termios(&t, &tio, TTY_SET_NOW);
    feed("a\r\xe2\n");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 3);
    ck_assert_int_eq((uint8_t)buf[1], 0x62); /* the eighth bit stripped */
    tio.c_iflag = TTY_INLCR;
    tio.c_cc[TTY_VEOL] = ';';
    tty_set_termios(&t, &tio, TTY_SET_NOW);
    feed("x\n;");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 3);
    ck_assert_str_eq(buf, "x\r;");
}
END_TEST

START_TEST(test_raw_vmin1_vtime0)
{
    char buf[64];
    set_raw(1, 0);
    feed("x\r");
    ck_assert_str_eq(out, ""); /* no echo */
    ck_assert_int_eq(rd(buf, sizeof(buf)), 2);
    ck_assert_str_eq(buf, "x\r"); /* no ICRNL */
    feed_on_wait = "\x03";        /* no ISIG: a byte like any other */
    ck_assert_int_eq(rd(buf, 1), 1);
    ck_assert_int_eq(buf[0], 3);
    ck_assert_int_eq(waits, 1);
    ck_assert_uint_eq(last_timeout, 0);
    ck_assert_int_eq(rd(buf, sizeof(buf)), -EINTR);
}
END_TEST

START_TEST(test_raw_vmin0)
{
    char buf[64];
    set_raw(0, 0);
    ck_assert_int_eq(rd(buf, sizeof(buf)), 0); /* a poll: never waits */
    ck_assert_int_eq(waits, 0);
    feed("ab");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 2);
    set_raw(0, 5);
    wait_result = -ETIMEDOUT;
    ck_assert_int_eq(rd(buf, sizeof(buf)), 0); /* nothing within 0.5 s */
    ck_assert_uint_eq(last_timeout, 500);
    feed_on_wait = "q";
    ck_assert_int_eq(rd(buf, sizeof(buf)), 1);
    wait_result = -EINTR;
    ck_assert_int_eq(rd(buf, sizeof(buf)), -EINTR);
}
END_TEST

START_TEST(test_raw_vmin_and_vtime)
{
    char buf[64];
    set_raw(3, 0);
    feed("ab");
    feed_on_wait = "cd";
    ck_assert_int_eq(rd(buf, sizeof(buf)), 4); /* waits for 3, takes all */
    feed("xy");
    ck_assert_int_eq(rd(buf, 2), 2); /* min(VMIN, n) */
    /* VMIN 2, VTIME 1: after a first byte, at most 0.1 s between bytes */
    set_raw(2, 1);
    feed_on_wait = "a";
    wait_result = -ETIMEDOUT;
    ck_assert_int_eq(rd(buf, sizeof(buf)), 1);
    ck_assert_uint_eq(last_timeout, 100);
    ck_assert_int_eq(waits, 3); /* the first byte came without a timeout */
    /* a signal with bytes waiting returns them */
    feed("b");
    wait_result = -EINTR;
    ck_assert_int_eq(rd(buf, sizeof(buf)), 1);
}
END_TEST

START_TEST(test_full_buffer_canonical)
{
    char buf[TTY_BUF + 16];
    for (int i = 0; i < TTY_BUF + 100; i++)
        tty_receive(&t, 'a');
    ck_assert_uint_eq(t.tail - t.head, TTY_BUF - 1); /* one byte kept for the end */
    ck_assert_uint_ge(tty_receive_room(&t), 1);
    feed("\x7f\x7f\n");
    ck_assert_int_eq(rd(buf, sizeof(buf)), TTY_BUF - 2);
    ck_assert_int_eq(buf[TTY_BUF - 3], '\n');
    for (int i = 0; i < TTY_BUF - 1; i++)
        tty_receive(&t, 'b');
    feed("\n");
    ck_assert_uint_eq(tty_receive_room(&t), 0); /* a full line waits for its reader */
    feed("\n");                                 /* no room even for an end */
    ck_assert_int_eq(rd(buf, sizeof(buf)), TTY_BUF);
    ck_assert_int_eq(rooms, 1);
}
END_TEST

START_TEST(test_full_buffer_raw)
{
    char buf[64];
    set_raw(1, 0);
    for (int i = 0; i < TTY_BUF + 10; i++)
        tty_receive(&t, (uint8_t)('0' + i % 10));
    ck_assert_uint_eq(tty_input_count(&t), TTY_BUF);
    ck_assert_uint_eq(tty_receive_room(&t), 0);
    ck_assert_int_eq(rd(buf, 10), 10);
    ck_assert_str_eq(buf, "0123456789");
    ck_assert_int_eq(rooms, 1);
    ck_assert_uint_eq(tty_receive_room(&t), 10);
    ck_assert_int_eq(rd(buf, 10), 10);
    ck_assert_int_eq(rooms, 1); /* told once per stall */
}
END_TEST

START_TEST(test_mode_changes)
{
    char buf[64];
    /* canonical -> raw: the line being edited becomes readable */
    feed("abc");
    set_raw(1, 0);
    ck_assert_int_eq(rd(buf, sizeof(buf)), 3);
    ck_assert_str_eq(buf, "abc");
    /* raw -> canonical: typed-ahead bytes are edited under the new rules */
    feed("ab\x7f"
         "c\rde");
    clear_out();
    struct tty_termios tio;
    tty_default_termios(&tio);
    tty_set_termios(&t, &tio, TTY_SET_NOW);
    ck_assert_str_eq(out, "ab\b \bc\r\nde");
    ck_assert_int_eq(rd(buf, sizeof(buf)), 3);
    ck_assert_str_eq(buf, "ac\n");
    ck_assert_uint_eq(tty_input_count(&t), 0); /* "de" is still being edited */
    /* TCSETSF discards unread input */
    feed("f\n");
    tty_set_termios(&t, &tio, TTY_SET_FLUSH);
    ck_assert_uint_eq(tty_input_count(&t), 0);
    tty_set_termios(&t, &tio, TTY_SET_DRAIN);
}
END_TEST

START_TEST(test_output_processing)
{
    tty_write(&t, "a\nb\r", 4);
    ck_assert_str_eq(out, "a\r\nb\r");
    struct tty_termios tio;
    tty_get_termios(&t, &tio);
    tio.c_oflag = TTY_OPOST | TTY_OCRNL | TTY_ONLRET;
    tty_set_termios(&t, &tio, TTY_SET_NOW);
    clear_out();
    tty_write(&t, "x\ry\n", 4);
    ck_assert_str_eq(out, "x\ny\n");
    ck_assert_uint_eq(t.column, 0);
    tio.c_oflag = TTY_OPOST | TTY_ONOCR;
    tty_set_termios(&t, &tio, TTY_SET_NOW);
    clear_out();
    tty_write(&t, "\rz\r", 3);
    ck_assert_str_eq(out, "z\r"); /* no CR in column 0 */
    tio.c_oflag = 0;
    tty_set_termios(&t, &tio, TTY_SET_NOW);
    clear_out();
    tty_write(&t, "p\nq", 3);
    ck_assert_str_eq(out, "p\nq");
    /* long writes go out whole */
    static char big[1000];
    memset(big, 'w', sizeof(big));
    clear_out();
    ck_assert_int_eq(tty_write(&t, big, sizeof(big)), 1000);
    ck_assert_uint_eq(nout, 1000);
}
END_TEST

START_TEST(test_winsize_and_hangup)
{
    struct tty_winsize ws = { 50, 132, 0, 0 };
    tty_set_winsize(&t, &ws);
    ck_assert_int_eq(nsigs, 0); /* no foreground group */
    tty_set_session(&t, 3, 4);
    ws.ws_row = 40;
    tty_set_winsize(&t, &ws);
    tty_set_winsize(&t, &ws); /* unchanged: no second signal */
    ck_assert_int_eq(nsigs, 1);
    ck_assert_int_eq(sigs[0][1], 28); /* SIGWINCH */
    struct tty_winsize got;
    tty_get_winsize(&t, &got);
    ck_assert_uint_eq(got.ws_row, 40);
    ck_assert_uint_eq(got.ws_col, 132);
    ck_assert(!tty_hangup(&t, 9));
    ck_assert(!tty_hangup(&t, 0));
    ck_assert(tty_hangup(&t, 3));
    ck_assert_int_eq(nsigs, 3);
    ck_assert_int_eq(sigs[1][0], 4);
    ck_assert_int_eq(sigs[1][1], 1);  /* SIGHUP */
    ck_assert_int_eq(sigs[2][1], 18); /* SIGCONT */
    ck_assert_int_eq(tty_session(&t), 0);
    ck_assert_int_eq(tty_pgrp(&t), 0);
}
END_TEST

START_TEST(test_input_count_and_flush)
{
    feed("ab\nc");
    ck_assert_uint_eq(tty_input_count(&t), 3);
    feed("\x04");
    ck_assert_uint_eq(tty_input_count(&t), 4); /* the EOF mark is not a byte */
    ck_assert_int_eq(tty_flush(&t, 3), -EINVAL);
    ck_assert_int_eq(tty_flush(&t, TTY_FLUSH_OUTPUT), 0);
    ck_assert_uint_eq(tty_input_count(&t), 4);
    ck_assert_int_eq(tty_flush(&t, TTY_FLUSH_BOTH), 0);
    ck_assert_uint_eq(tty_input_count(&t), 0);
}
END_TEST

START_TEST(test_no_lock_no_hooks)
{
    static const struct tty_ops bare = { .wait = m_wait };
    struct tty *u = &t;
    tty_init(u, &bare, NULL, NULL, NULL);
    tty_set_session(u, 1, 1);
    tty_receive(u, 'a');
    tty_receive(u, 3); /* no signal hook */
    tty_write(u, "x", 1);
    struct tty_winsize ws = { 1, 1, 0, 0 };
    tty_set_winsize(u, &ws);
    ck_assert(tty_hangup(u, 1));
    ck_assert_int_eq(locks, 0);
}
END_TEST

Suite *tty_suite(void)
{
    Suite *s = suite_create("tty");
    TCase *tc = tcase_create("line discipline");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults_are_linux);
    tcase_add_test(tc, test_canonical_line_with_echo);
    tcase_add_test(tc, test_partial_line_waits_for_its_end);
    tcase_add_test(tc, test_one_line_per_read_and_short_buffers);
    tcase_add_test(tc, test_erase_with_del_and_backspace);
    tcase_add_test(tc, test_erase_at_line_start_does_nothing);
    tcase_add_test(tc, test_kill_and_word_erase);
    tcase_add_test(tc, test_erasing_control_characters_and_tabs);
    tcase_add_test(tc, test_end_of_file);
    tcase_add_test(tc, test_signal_characters);
    tcase_add_test(tc, test_literal_next_and_reprint);
    tcase_add_test(tc, test_echo_off_and_echonl);
    tcase_add_test(tc, test_input_translation);
    tcase_add_test(tc, test_raw_vmin1_vtime0);
    tcase_add_test(tc, test_raw_vmin0);
    tcase_add_test(tc, test_raw_vmin_and_vtime);
    tcase_add_test(tc, test_full_buffer_canonical);
    tcase_add_test(tc, test_full_buffer_raw);
    tcase_add_test(tc, test_mode_changes);
    tcase_add_test(tc, test_output_processing);
    tcase_add_test(tc, test_winsize_and_hangup);
    tcase_add_test(tc, test_input_count_and_flush);
    tcase_add_test(tc, test_no_lock_no_hooks);
    suite_add_tcase(s, tc);
    return s;
}
