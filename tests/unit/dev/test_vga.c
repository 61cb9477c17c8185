/*
 * test_vga.c - the VGA text console over a plain buffer.
 */
#include "cpu_mock.h"
#include <check.h>
#include <dev/vga.h>
#include <stdio.h>
#include <string.h>

Suite *vga_suite(void);

static uint16_t cells[VGA_COLS * VGA_ROWS];
static struct vga v;

static char ch(int row, int col)
{
    return (char)(cells[row * VGA_COLS + col] & 0xff);
}

static uint8_t attr(int row, int col)
{
    return (uint8_t)(cells[row * VGA_COLS + col] >> 8);
}

static void put(const char *s)
{
    vga_write(&v, s, strlen(s));
}

/* The row as a string, trailing spaces trimmed. */
static const char *row_text(int row)
{
    static char buf[VGA_COLS + 1];
    for (int c = 0; c < VGA_COLS; c++)
        buf[c] = ch(row, c);
    int n = VGA_COLS;
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    return buf;
}

static void setup(void)
{
    cpu_mock_reset();
    memset(cells, 0xab, sizeof(cells));
    vga_init(&v, cells, 0);
}

START_TEST(test_init_clears_screen)
{
    for (int i = 0; i < VGA_COLS * VGA_ROWS; i++)
        ck_assert_uint_eq(cells[i], 0x0720);
    ck_assert_int_eq(v.row, 0);
    ck_assert_int_eq(v.col, 0);
}
END_TEST

START_TEST(test_text_newline_return_tab_backspace)
{
    put("ab\ncd\rX\tY");
    ck_assert_str_eq(row_text(0), "ab");
    ck_assert_str_eq(row_text(1), "Xd      Y");
    put("\b\bZ");
    ck_assert_str_eq(row_text(1), "Xd     ZY");
    put("\x01\x7f"); /* other control bytes are not shown */
    ck_assert_int_eq(v.col, 8);
}
END_TEST

START_TEST(test_wraps_long_lines)
{
    char line[VGA_COLS + 3];
    memset(line, 'x', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    put(line);
    ck_assert_int_eq(v.row, 1);
    ck_assert_int_eq(v.col, 2);
    ck_assert_int_eq(ch(0, VGA_COLS - 1), 'x');
    ck_assert_int_eq(ch(1, 1), 'x');
}
END_TEST

START_TEST(test_scrolls_at_bottom)
{
    char line[16];
    for (int i = 0; i < VGA_ROWS + 2; i++) {
        snprintf(line, sizeof(line), "L%d\n", i);
        put(line);
    }
    /* 27 lines + the empty last one: line 0..2 scrolled away */
    ck_assert_str_eq(row_text(0), "L3");
    ck_assert_str_eq(row_text(VGA_ROWS - 2), "L26");
    ck_assert_str_eq(row_text(VGA_ROWS - 1), "");
    ck_assert_int_eq(v.row, VGA_ROWS - 1);
}
END_TEST

START_TEST(test_colours)
{
    vga_set_color(&v, VGA_YELLOW, VGA_BLUE);
    put("a");
    ck_assert_uint_eq(attr(0, 0), VGA_ATTR(VGA_YELLOW, VGA_BLUE));
    put("\x1b[0mb\x1b[31mc\x1b[1;32md\x1b[44me\x1b[mf\x1b[97;100mg\x1b[39;49mh");
    ck_assert_uint_eq(attr(0, 1), VGA_ATTR(VGA_LIGHT_GREY, VGA_BLACK));
    ck_assert_uint_eq(attr(0, 2), VGA_ATTR(VGA_RED, VGA_BLACK));
    ck_assert_uint_eq(attr(0, 3), VGA_ATTR(VGA_LIGHT_GREEN, VGA_BLACK));
    ck_assert_uint_eq(attr(0, 4), VGA_ATTR(VGA_LIGHT_GREEN, VGA_BLUE));
    ck_assert_uint_eq(attr(0, 5), VGA_ATTR(VGA_LIGHT_GREY, VGA_BLACK));
    ck_assert_uint_eq(attr(0, 6), VGA_ATTR(VGA_WHITE, VGA_DARK_GREY));
    ck_assert_uint_eq(attr(0, 7), VGA_ATTR(VGA_LIGHT_GREY, VGA_BLACK));
    ck_assert_str_eq(row_text(0), "abcdefgh");
}
END_TEST

START_TEST(test_cursor_moves_and_erase)
{
    put("hello world");
    put("\x1b[5D\x1b[K");
    ck_assert_str_eq(row_text(0), "hello");
    put("\x1b[3;10HX");
    ck_assert_int_eq(ch(2, 9), 'X');
    put("\x1b[A\x1b[2CY");
    ck_assert_int_eq(ch(1, 12), 'Y');
    put("\x1b[B\x1b[99B\x1b[99C\x1b[99A\x1b[99D");
    ck_assert_int_eq(v.row, 0);
    ck_assert_int_eq(v.col, 0);
    put("\x1b[H\x1b[2K");
    ck_assert_str_eq(row_text(0), "");
    put("\x1b[3;1Habcdef\x1b[3;4H\x1b[1K");
    ck_assert_str_eq(row_text(2), "    ef   X");
    put("\x1b[2J");
    ck_assert_str_eq(row_text(1), "");
    ck_assert_str_eq(row_text(2), "");
    put("top\x1b[1;2H\x1b[J");
    ck_assert_str_eq(row_text(0), "t");
}
END_TEST

START_TEST(test_bad_escapes_do_not_print_garbage)
{
    put("a\x1b"
        "Xb");                    /* a two-byte escape is swallowed */
    put("\x1b[12;34;56;78;90mc"); /* too many parameters: harmless */
    put("\x1b[99999999999md");    /* huge number: harmless */
    put("\x1b[\x01"
        "e");          /* malformed: dropped */
    put("\x1b[?25lf"); /* unsupported private sequence swallowed */
    ck_assert_str_eq(row_text(0), "abcdef");
}
END_TEST

START_TEST(test_hardware_cursor_follows)
{
    vga_init(&v, cells, 1);
    put("abc");
    /* the last four port writes put position 3 in CRTC registers 0x0f/0x0e */
    size_t n = cpu_mock_log_len();
    ck_assert_uint_ge(n, 4);
    ck_assert_uint_eq(cpu_mock_log(n - 4)->val, 0x0f);
    ck_assert_uint_eq(cpu_mock_log(n - 3)->val, 3);
    ck_assert_uint_eq(cpu_mock_log(n - 2)->val, 0x0e);
    ck_assert_uint_eq(cpu_mock_log(n - 1)->val, 0);
    ck_assert_uint_eq(cpu_mock_log(n - 1)->port, 0x3d5);
}
END_TEST

START_TEST(test_console_ops)
{
    ck_assert_ptr_null(vga_console_ops.getc);
    vga_console_ops.write(&v, "hi", 2);
    ck_assert_str_eq(row_text(0), "hi");
    vga_clear(&v);
    ck_assert_str_eq(row_text(0), "");
}
END_TEST

/* The screen is written, never read: a scroll copies from the RAM shadow, and
 * cells that keep their value are not written again. Marks put into the
 * screen memory behind the console's back show both. */
START_TEST(test_scroll_reads_shadow_and_skips_unchanged_cells)
{
    put("first\nsecond");
    cells[1 * VGA_COLS + 0] = 0x0758;  /* row 1 col 0 reads 'X' on the screen only */
    cells[1 * VGA_COLS + 70] = 0x0759; /* a blank cell of row 1: 'Y' */
    cells[0 * VGA_COLS + 70] = 0x075a; /* a blank cell of row 0: 'Z' */
    for (int r = 2; r < VGA_ROWS; r++)
        put("\nline");
    put("\nlast"); /* one scroll */
    ck_assert_str_eq(row_text(VGA_ROWS - 1), "last");
    ck_assert_uint_eq((uint8_t)ch(0, 0), 's');  /* row 0 is old row 1 as the console wrote it */
    ck_assert_uint_eq((uint8_t)ch(0, 70), 'Z'); /* blank to blank: not rewritten */
    ck_assert_uint_eq((uint8_t)ch(1, 70), 'Y');
    ck_assert_uint_eq((uint8_t)ch(1, 0), 'l');
}
END_TEST

Suite *vga_suite(void)
{
    Suite *s = suite_create("vga");
    TCase *tc = tcase_create("text");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_init_clears_screen);
    tcase_add_test(tc, test_text_newline_return_tab_backspace);
    tcase_add_test(tc, test_wraps_long_lines);
    tcase_add_test(tc, test_scrolls_at_bottom);
    tcase_add_test(tc, test_colours);
    tcase_add_test(tc, test_cursor_moves_and_erase);
    tcase_add_test(tc, test_bad_escapes_do_not_print_garbage);
    tcase_add_test(tc, test_hardware_cursor_follows);
    tcase_add_test(tc, test_console_ops);
    tcase_add_test(tc, test_scroll_reads_shadow_and_skips_unchanged_cells);
    suite_add_tcase(s, tc);
    return s;
}
