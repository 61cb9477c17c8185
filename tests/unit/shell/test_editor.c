/*
 * test_editor.c - the line editor fed byte streams: the line it builds and the
 * exact bytes it sends to the terminal (random streams and a screen model:
 * test_editor_screen.c; completion: test_editor_complete.c).
 */
#include "suites.h"
#include <k/errno.h>
#include <shell/editor.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "editor_fixture.h"

/* ---- typing and deleting ---- */

START_TEST(test_typing_echoes)
{
    ck_assert_int_eq(feed("ls -l"), 0);
    ck_assert_str_eq(line(), "ls -l");
    ck_assert_str_eq(outbuf, "ls -l");
    ck_assert_int_eq(writes, 5); /* one write per key */
    ck_assert_uint_eq(shell_editor_cursor(&ed), 5);
    size_t len;
    shell_editor_line(&ed, &len);
    ck_assert_uint_eq(len, 5);
}
END_TEST

START_TEST(test_backspace_and_del)
{
    feed("abc\x7f");
    ck_assert_str_eq(line(), "ab");
    ck_assert_str_eq(outbuf, "abc\b \b");
    clear_out();
    feed("\x08\x08\x08\x7f"); /* two real deletes, then nothing to delete */
    ck_assert_str_eq(line(), "");
    ck_assert_str_eq(outbuf, "\b \b\b \b");
}
END_TEST

START_TEST(test_insert_in_middle)
{
    feed("ac\x1b[D");
    ck_assert_str_eq(outbuf, "ac\x1b[1D");
    ck_assert_uint_eq(shell_editor_cursor(&ed), 1);
    clear_out();
    feed("b");
    ck_assert_str_eq(line(), "abc");
    ck_assert_uint_eq(shell_editor_cursor(&ed), 2);
    ck_assert_str_eq(outbuf, "\r$ abc\x1b[K\x1b[1D");
    clear_out();
    feed("\x1b[C\x1b[C\x1b[C"); /* right, then already at the end */
    ck_assert_str_eq(outbuf, "\x1b[1C");
    ck_assert_uint_eq(shell_editor_cursor(&ed), 3);
}
END_TEST

START_TEST(test_backspace_in_middle)
{
    feed("abcd\x1b[D\x1b[D");
    clear_out();
    feed("\x7f");
    ck_assert_str_eq(line(), "acd");
    ck_assert_str_eq(outbuf, "\r$ acd\x1b[K\x1b[2D");
}
END_TEST

START_TEST(test_home_end_variants)
{
    static const char *const homes[] = { "\x1b[H", "\x1b[1~", "\x1b[7~", "\x1bOH", "\x01" };
    static const char *const ends[] = { "\x1b[F", "\x1b[4~", "\x1b[8~", "\x1bOF", "\x05" };
    feed("hello");
    for (size_t i = 0; i < 5; i++) {
        clear_out();
        feed(homes[i]);
        ck_assert_uint_eq(shell_editor_cursor(&ed), 0);
        ck_assert_str_eq(outbuf, "\x1b[5D");
        clear_out();
        feed(homes[i]); /* already there: nothing */
        ck_assert_str_eq(outbuf, "");
        feed(ends[i]);
        ck_assert_uint_eq(shell_editor_cursor(&ed), 5);
        ck_assert_str_eq(outbuf, "\x1b[5C");
    }
    ck_assert_str_eq(line(), "hello");
}
END_TEST

START_TEST(test_delete_key)
{
    feed("abc\x01");
    clear_out();
    feed("\x1b[3~");
    ck_assert_str_eq(line(), "bc");
    ck_assert_uint_eq(shell_editor_cursor(&ed), 0);
    ck_assert_str_eq(outbuf, "\r$ bc\x1b[K\x1b[2D");
    feed("\x04"); /* Ctrl-D deletes under the cursor too */
    ck_assert_str_eq(line(), "c");
    feed("\x05");
    clear_out();
    feed("\x1b[3~\x04"); /* at the end: nothing */
    ck_assert_str_eq(line(), "c");
    ck_assert_str_eq(outbuf, "");
}
END_TEST

START_TEST(test_ctrl_b_f)
{
    feed("ab\x02\x02\x02");
    ck_assert_uint_eq(shell_editor_cursor(&ed), 0);
    feed("\x06");
    ck_assert_uint_eq(shell_editor_cursor(&ed), 1);
    clear_out();
    feed("\x1b[D\x1b[D"); /* second one: already at 0 */
    ck_assert_str_eq(outbuf, "\x1b[1D");
}
END_TEST

START_TEST(test_ctrl_u_kills_to_start)
{
    feed("abc def\x1b[D\x1b[D\x1b[D");
    clear_out();
    feed("\x15");
    ck_assert_str_eq(line(), "def");
    ck_assert_uint_eq(shell_editor_cursor(&ed), 0);
    ck_assert_str_eq(outbuf, "\r$ def\x1b[K\x1b[3D");
    clear_out();
    feed("\x15"); /* nothing before the cursor */
    ck_assert_str_eq(outbuf, "");
}
END_TEST

START_TEST(test_ctrl_k_and_ctrl_w)
{
    feed("one two  three\x1b[D\x1b[D");
    feed("\x0b");
    ck_assert_str_eq(line(), "one two  thr");
    feed("\x17");
    ck_assert_str_eq(line(), "one two  ");
    feed("\x17");
    ck_assert_str_eq(line(), "one ");
    clear_out();
    feed("\x0b"); /* at the end: nothing */
    ck_assert_str_eq(outbuf, "");
}
END_TEST

START_TEST(test_ctrl_c_abandons_line)
{
    feed("abc");
    clear_out();
    ck_assert_int_eq(feed("\x03"), -100);
    ck_assert_str_eq(outbuf, "^C\r\n");
    ck_assert_str_eq(line(), "");
    ck_assert_uint_eq(shell_history_count(&hist), 0);
    clear_out();
    feed("x"); /* the next key starts a new line with the same prompt */
    ck_assert_str_eq(outbuf, "$ x");
    ck_assert_str_eq(line(), "x");
}
END_TEST

START_TEST(test_ctrl_c_at_right_edge)
{
    init_cols(20);
    feed("0123456789abcdef"); /* the cursor is in column 18, the last one is 19 */
    clear_out();
    ck_assert_int_eq(feed("\x03"), -100);
    ck_assert_str_eq(outbuf, "\x1b[1D^C\r\n");
}
END_TEST

START_TEST(test_ctrl_l_redraws)
{
    feed("ab");
    clear_out();
    feed("\x0c");
    ck_assert_str_eq(outbuf, "\x1b[2J\x1b[H\r$ ab\x1b[K");
    ck_assert_str_eq(line(), "ab");
    clear_out();
    shell_editor_redraw(&ed);
    ck_assert_str_eq(outbuf, "\r\n\r$ ab\x1b[K");
}
END_TEST

START_TEST(test_ignores_control_and_high_bytes)
{
    feed("a");
    clear_out();
    static const char junk[] = { 0x00, 0x07,       0x0f,       0x11,       0x12,      0x13, 0x14,
                                 0x16, 0x18,       0x19,       0x1a,       0x1c,      0x1d, 0x1e,
                                 0x1f, (char)0x80, (char)0xc3, (char)0xa9, (char)0xff };
    ck_assert_int_eq(feed_n(junk, sizeof(junk)), 0);
    ck_assert_str_eq(line(), "a");
    ck_assert_str_eq(outbuf, "");
}
END_TEST

/* ---- Enter ---- */

START_TEST(test_line_endings)
{
    ck_assert_int_eq(feed("a\r"), 1);
    ck_assert_str_eq(line(), "a");
    ck_assert_str_eq(outbuf, "a\r\n");
    clear_out();
    ck_assert_int_eq(feed("\n"), 0); /* the LF of CR LF: swallowed */
    ck_assert_str_eq(outbuf, "");
    ck_assert_int_eq(feed("b\n"), 1);
    ck_assert_str_eq(line(), "b");
    ck_assert_int_eq(feed("c\r\n"), 1);
    ck_assert_str_eq(line(), "c");
    ck_assert_int_eq(feed("\r\r\n"), 2); /* two empty lines */
    ck_assert_int_eq(feed("\n\n"), 2);
    ck_assert_int_eq(feed("\n\r"), 2);
    ck_assert_int_eq(feed("\n"), 0);
    ck_assert_int_eq(feed("d\r\ne\r\nf\n"), 3);
    ck_assert_str_eq(line(), "f");
}
END_TEST

START_TEST(test_enter_in_middle_keeps_whole_line)
{
    feed("echo hi\x01");
    ck_assert_int_eq(feed("\r"), 1);
    ck_assert_str_eq(line(), "echo hi");
    ck_assert_str_eq(shell_history_get(&hist, 0), "echo hi");
}
END_TEST

/* ---- escape sequences ---- */

START_TEST(test_unknown_sequences_swallowed)
{
    static const char *const seqs[] = {
        "\x1b[2~",           "\x1b[5~",       "\x1b[6~",   "\x1b[~",   "\x1b[Z",
        "\x1b[99999999999~", "\x1b[1;2;3;4x", "\x1bOZ",    "\x1bOP",   "\x1bx",
        "\x1b\x1b",          "\x1b[?25h",     "\x1b[\x80", "\x1b\xff", "\x1b[1\x80~",
        "\x1b[3\xff\xfe~",
    };
    feed("ab");
    for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        clear_out();
        ck_assert_int_eq(feed(seqs[i]), 0);
        ck_assert_str_eq(line(), "ab");
        ck_assert_str_eq(outbuf, "");
    }
    feed("\x1b[1\x7f;\x7f"
         "5C"); /* DEL inside a sequence is ignored: Ctrl-Right */
    ck_assert_uint_eq(shell_editor_cursor(&ed), 2);
    feed("\x1b[1\x80"
         "c"); /* the final byte of a malformed sequence is swallowed */
    ck_assert_str_eq(line(), "ab");
    feed("c"); /* the parser is back to normal */
    ck_assert_str_eq(line(), "abc");
}
END_TEST

START_TEST(test_sequence_with_modifiers)
{
    feed("ab\x1b[1;5D"); /* Ctrl-Left: moves like Left */
    ck_assert_uint_eq(shell_editor_cursor(&ed), 1);
    feed("\x1bOD\x1bOC");
    ck_assert_uint_eq(shell_editor_cursor(&ed), 1);
}
END_TEST

START_TEST(test_sequence_cut_by_control_byte)
{
    feed("ab\x1b[");
    ck_assert_int_eq(feed("\r"), 1); /* Enter still works mid-sequence */
    ck_assert_str_eq(line(), "ab");
    ck_assert_int_eq(feed("\n"), 0);
    feed("x\x1b\x7f"); /* ESC DEL: both swallowed */
    ck_assert_str_eq(line(), "x");
    feed("\x1bO\x08"); /* ESC O then Backspace: the backspace counts */
    ck_assert_str_eq(line(), "");
}
END_TEST

START_TEST(test_sequences_split_anywhere)
{
    /* Every way of splitting "a<Left>b<Home>c<End><Del-at-end>d" across feeds gives
     * the same line: the editor keeps its parser state between bytes. */
    const char *stream = "a\x1b[Db\x1b[1~c\x1bOF\x1b[3~d";
    size_t n = strlen(stream);
    for (size_t cut = 0; cut <= n; cut++) {
        setup();
        feed_n(stream, cut);
        feed(stream + cut);
        ck_assert_str_eq(line(), "cbad");
    }
}
END_TEST

/* ---- limits ---- */

START_TEST(test_ten_thousand_byte_line)
{
    static char big[10000];
    memset(big, 'x', sizeof(big));
    ck_assert_int_eq(feed_n(big, sizeof(big)), 0);
    size_t len;
    shell_editor_line(&ed, &len);
    ck_assert_uint_eq(len, SHELL_LINE_MAX - 1);
    size_t bells = 0;
    for (size_t i = 0; i < outlen; i++)
        bells += outbuf[i] == 0x07;
    ck_assert_uint_eq(bells, sizeof(big) - (SHELL_LINE_MAX - 1));
    ck_assert_int_eq(feed("\r"), 1);
    ck_assert_uint_eq(strlen(line()), SHELL_LINE_MAX - 1);
    ck_assert_uint_eq(strspn(line(), "x"), SHELL_LINE_MAX - 1);
}
END_TEST

START_TEST(test_full_line_refuses_insert_in_middle)
{
    static char big[SHELL_LINE_MAX];
    memset(big, 'y', sizeof(big));
    feed_n(big, SHELL_LINE_MAX - 1);
    feed("\x01");
    clear_out();
    feed("z");
    ck_assert_str_eq(outbuf, "\x07");
    ck_assert_int_eq(line()[0], 'y');
    feed("\x1b[3~z"); /* room again */
    ck_assert_int_eq(line()[0], 'z');
}
END_TEST

START_TEST(test_long_line_scrolls)
{
    init_cols(20); /* prompt 2 + 17 text columns + 1 never written */
    feed("abcdefghijklmnop");
    ck_assert_str_eq(outbuf, "abcdefghijklmnop"); /* 16 chars: still fits */
    clear_out();
    feed("q");
    ck_assert_str_eq(outbuf, "\r$ bcdefghijklmnopq\x1b[K");
    clear_out();
    feed("rst");
    ck_assert_str_eq(outbuf + outlen - strlen("\r$ efghijklmnopqrst\x1b[K"),
                     "\r$ efghijklmnopqrst\x1b[K");
    clear_out();
    feed("\x01");
    ck_assert_str_eq(outbuf, "\r$ abcdefghijklmnopq\x1b[K\x1b[17D");
    clear_out();
    feed("\x1b[C");
    ck_assert_str_eq(outbuf, "\r$ abcdefghijklmnopq\x1b[K\x1b[16D");
    clear_out();
    feed("\x05\x7f");
    ck_assert_str_eq(outbuf + outlen - strlen("\r$ defghijklmnopqrs\x1b[K"),
                     "\r$ defghijklmnopqrs\x1b[K");
    ck_assert_str_eq(line(), "abcdefghijklmnopqrs");
}
END_TEST

START_TEST(test_long_prompt_keeps_its_end)
{
    char p[100];
    memset(p, 'd', sizeof(p));
    strcpy(p + 90, "/deep$ ");
    shell_editor_start(&ed, p);
    ck_assert_uint_eq(outlen, 40); /* half of 80 columns */
    ck_assert_str_eq(outbuf + 33, "/deep$ ");
    ck_assert_int_eq(outbuf[0], 'd');
}
END_TEST

START_TEST(test_narrow_terminal_is_clamped)
{
    init_cols(5);
    ck_assert_uint_eq(ed.cfg.cols, 20);
}
END_TEST

/* ---- history ---- */

START_TEST(test_history_up_down)
{
    enter("one");
    enter("two");
    enter("three");
    ck_assert_uint_eq(shell_history_count(&hist), 3);
    feed("par");
    clear_out();
    feed("\x1b[A");
    ck_assert_str_eq(line(), "three");
    ck_assert_str_eq(outbuf, "\r$ three\x1b[K");
    feed("\x1b[A");
    ck_assert_str_eq(line(), "two");
    feed("\x10"); /* Ctrl-P */
    ck_assert_str_eq(line(), "one");
    clear_out();
    feed("\x1b[A"); /* no older entry */
    ck_assert_str_eq(outbuf, "\x07");
    ck_assert_str_eq(line(), "one");
    feed("\x1b[B");
    ck_assert_str_eq(line(), "two");
    feed("\x0e\x1b[B"); /* Ctrl-N, Down: back to the line being typed */
    ck_assert_str_eq(line(), "par");
    clear_out();
    feed("\x1b[B");
    ck_assert_str_eq(outbuf, "\x07");
}
END_TEST

START_TEST(test_editing_recalled_line_keeps_history)
{
    enter("echo one");
    enter("echo two");
    feed("\x1b[A\x1b[A\x7f\x7f\x7f"); /* "echo " */
    ck_assert_str_eq(line(), "echo ");
    feed("\x1b[B"); /* away and back: the entry is intact */
    ck_assert_str_eq(line(), "echo two");
    feed("\x1b[A");
    ck_assert_str_eq(line(), "echo one");
    feed("\x7f\x7f\x7fsix");
    ck_assert_int_eq(feed("\r"), 1);
    ck_assert_str_eq(line(), "echo six");
    ck_assert_uint_eq(shell_history_count(&hist), 3);
    ck_assert_str_eq(shell_history_get(&hist, 0), "echo six");
    ck_assert_str_eq(shell_history_get(&hist, 1), "echo two");
    ck_assert_str_eq(shell_history_get(&hist, 2), "echo one");
}
END_TEST

START_TEST(test_history_33rd_entry_evicts_oldest)
{
    char buf[32];
    for (int i = 1; i <= 33; i++) {
        snprintf(buf, sizeof(buf), "line %d", i);
        enter(buf);
    }
    enter("line 33"); /* consecutive duplicate: not added */
    enter("   ");     /* blank: not added */
    ck_assert_uint_eq(shell_history_count(&hist), 32);
    for (int i = 0; i < 40; i++)
        feed("\x1b[A");
    ck_assert_str_eq(line(), "line 2");
}
END_TEST

START_TEST(test_no_history_rings_bell)
{
    struct shell_editor_config cfg = { .write = sink, .write_ctx = &outlen };
    shell_editor_init(&ed, &cfg);
    shell_editor_start(&ed, "> ");
    clear_out();
    feed("\x1b[A\x1b[B\t");
    ck_assert_str_eq(outbuf, "\x07\x07\x07"); /* no history, no completion */
    ck_assert_int_eq(feed("x\r"), 1);
}
END_TEST

Suite *editor_suite(void)
{
    Suite *s = suite_create("editor");
    TCase *tc = tcase_create("keys");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_typing_echoes);
    tcase_add_test(tc, test_backspace_and_del);
    tcase_add_test(tc, test_insert_in_middle);
    tcase_add_test(tc, test_backspace_in_middle);
    tcase_add_test(tc, test_home_end_variants);
    tcase_add_test(tc, test_delete_key);
    tcase_add_test(tc, test_ctrl_b_f);
    tcase_add_test(tc, test_ctrl_u_kills_to_start);
    tcase_add_test(tc, test_ctrl_k_and_ctrl_w);
    tcase_add_test(tc, test_ctrl_c_abandons_line);
    tcase_add_test(tc, test_ctrl_c_at_right_edge);
    tcase_add_test(tc, test_ctrl_l_redraws);
    tcase_add_test(tc, test_ignores_control_and_high_bytes);
    tcase_add_test(tc, test_line_endings);
    tcase_add_test(tc, test_enter_in_middle_keeps_whole_line);
    suite_add_tcase(s, tc);

    tc = tcase_create("escapes");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_unknown_sequences_swallowed);
    tcase_add_test(tc, test_sequence_with_modifiers);
    tcase_add_test(tc, test_sequence_cut_by_control_byte);
    tcase_add_test(tc, test_sequences_split_anywhere);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_ten_thousand_byte_line);
    tcase_add_test(tc, test_full_line_refuses_insert_in_middle);
    tcase_add_test(tc, test_long_line_scrolls);
    tcase_add_test(tc, test_long_prompt_keeps_its_end);
    tcase_add_test(tc, test_narrow_terminal_is_clamped);
    suite_add_tcase(s, tc);

    tc = tcase_create("history");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_history_up_down);
    tcase_add_test(tc, test_editing_recalled_line_keeps_history);
    tcase_add_test(tc, test_history_33rd_entry_evicts_oldest);
    tcase_add_test(tc, test_no_history_rings_bell);
    suite_add_tcase(s, tc);

    return s;
}
