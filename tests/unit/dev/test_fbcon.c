/*
 * test_fbcon.c - the framebuffer console over a memory framebuffer: pixels
 * against the font's glyphs, colours, escape sequences, scrolling, UTF-8, the
 * cursor, and that only changed cells are drawn.
 */
#include <check.h>
#include <dev/fbcon.h>
#include <k/errno.h>
#include <stdlib.h>
#include <string.h>

Suite *fbcon_suite(void);

#define COLS  10
#define ROWS  4
#define FW    8
#define FH    16
#define PAD   24 /* bytes after each pixel row: pitch > width * 4 */
#define WIDTH (COLS * FW + 5) /* a partial cell column is left unused */
#define HEIGHT (ROWS * FH + 7)
#define PITCH (WIDTH * 4 + PAD)

static uint8_t *fb;
static struct fbcon_cell *cells;
static struct fbcon con;
static struct fbcon_mode mode;

static const struct fbcon_font *font = &fbcon_font_default;

static void mode_rgb32(struct fbcon_mode *m, void *base)
{
    memset(m, 0, sizeof(*m));
    m->base = base;
    m->pitch = PITCH;
    m->width = WIDTH;
    m->height = HEIGHT;
    m->bpp = 32;
    m->red_pos = 16;
    m->red_size = 8;
    m->green_pos = 8;
    m->green_size = 8;
    m->blue_pos = 0;
    m->blue_size = 8;
}

static void setup(void)
{
    fb = calloc(1, (size_t)PITCH * HEIGHT);
    mode_rgb32(&mode, fb);
    size_t n = fbcon_cells_needed(&mode, font);
    ck_assert_uint_eq(n, 2 * COLS * ROWS);
    cells = calloc(n, sizeof(*cells));
    ck_assert_int_eq(fbcon_init(&con, &mode, font, cells, n), 0);
}

static void teardown(void)
{
    free(fb);
    free(cells);
}

static void put(const char *s)
{
    fbcon_write(&con, s, strlen(s));
}

static uint32_t pixel(int x, int y)
{
    uint32_t v;
    memcpy(&v, fb + (size_t)y * PITCH + (size_t)x * 4, 4);
    return v;
}

/* Does the cell at (row, col) show glyph g in colours fg on bg, pixel for
 * pixel? `cursor` expects the underline on its two lowest rows. */
static bool cell_shows(int row, int col, uint32_t g, int fg, int bg, bool cursor)
{
    const uint8_t *bits = fbcon_font_bitmap(font, g);
    for (int y = 0; y < FH; y++) {
        for (int x = 0; x < FW; x++) {
            bool on = (bits[y] & (0x80 >> x)) || (cursor && y >= FH - 2);
            uint32_t want = fbcon_color(&con, on ? fg : bg);
            if (pixel(col * FW + x, row * FH + y) != want)
                return false;
        }
    }
    return true;
}

static bool cell_is(int row, int col, uint32_t cp)
{
    return con.cells[row * COLS + col].glyph == fbcon_font_glyph(font, cp);
}

/* The row's text as ASCII, trailing blanks trimmed ('?' for anything else). */
static const char *row_text(int row)
{
    static char buf[COLS + 1];
    for (int c = 0; c < COLS; c++) {
        buf[c] = '?';
        for (int ch = 0x20; ch < 0x7f; ch++)
            if (cell_is(row, c, (uint32_t)ch))
                buf[c] = (char)ch;
    }
    int n = COLS;
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    return buf;
}

START_TEST(test_font_table)
{
    ck_assert_uint_eq(font->width, FW);
    ck_assert_uint_eq(font->height, FH);
    ck_assert_uint_ge(font->count, 256);
    for (uint32_t i = 1; i < font->map_len; i++)
        ck_assert_uint_lt(font->map[i - 1].cp, font->map[i].cp); /* sorted */
    /* ASCII has distinct glyphs; 'A' and 'B' differ in their bitmaps. */
    uint32_t a = fbcon_font_glyph(font, 'A'), b = fbcon_font_glyph(font, 'B');
    ck_assert_uint_ne(a, b);
    ck_assert_int_ne(memcmp(fbcon_font_bitmap(font, a), fbcon_font_bitmap(font, b), FH), 0);
    /* A space is blank; a missing code point and a glyph index out of range
     * give the replacement glyph. */
    const uint8_t *sp = fbcon_font_bitmap(font, fbcon_font_glyph(font, ' '));
    for (int y = 0; y < FH; y++)
        ck_assert_uint_eq(sp[y], 0);
    ck_assert_uint_eq(fbcon_font_glyph(font, 0x10ffff), font->replacement);
    ck_assert_ptr_eq(fbcon_font_bitmap(font, 99999), fbcon_font_bitmap(font, font->replacement));
}
END_TEST

START_TEST(test_init_clears_and_shows_cursor)
{
    ck_assert_int_eq(con.cols, COLS);
    ck_assert_int_eq(con.rows, ROWS);
    uint32_t sp = fbcon_font_glyph(font, ' ');
    ck_assert(cell_shows(0, 0, sp, 7, 0, true)); /* the cursor at home */
    for (int r = 0; r < ROWS; r++)
        for (int c = r == 0 ? 1 : 0; c < COLS; c++)
            ck_assert(cell_shows(r, c, sp, 7, 0, false));
    /* The padding and the partial cells are never touched. */
    ck_assert_uint_eq(pixel(COLS * FW, 0), 0);
    ck_assert_uint_eq(fb[PITCH - 1], 0);
}
END_TEST

START_TEST(test_render_known_string)
{
    put("Hi, fb!");
    const char *s = "Hi, fb!";
    for (int i = 0; s[i]; i++)
        ck_assert_msg(cell_shows(0, i, fbcon_font_glyph(font, (uint8_t)s[i]), 7, 0, false),
                      "cell %d ('%c') does not match its glyph", i, s[i]);
    ck_assert(cell_shows(0, 7, fbcon_font_glyph(font, ' '), 7, 0, true));
    ck_assert_str_eq(row_text(0), "Hi, fb!");
    /* The colours are the VGA palette in the mode's pixel layout. */
    ck_assert_uint_eq(fbcon_color(&con, 7), 0xaaaaaa);
    ck_assert_uint_eq(fbcon_color(&con, 9), 0xff5555);
}
END_TEST

START_TEST(test_sgr_colours)
{
    put("\x1b[31mR\x1b[1mB\x1b[0;44mb\x1b[7mv\x1b[27;92;101mx\x1b[39;49mn\x1b[38;5;3my");
    ck_assert(cell_shows(0, 0, fbcon_font_glyph(font, 'R'), 1, 0, false));
    ck_assert(cell_shows(0, 1, fbcon_font_glyph(font, 'B'), 9, 0, false)); /* bold: bright */
    ck_assert(cell_shows(0, 2, fbcon_font_glyph(font, 'b'), 7, 4, false));
    ck_assert(cell_shows(0, 3, fbcon_font_glyph(font, 'v'), 4, 7, false)); /* reversed */
    ck_assert(cell_shows(0, 4, fbcon_font_glyph(font, 'x'), 10, 9, false));
    ck_assert(cell_shows(0, 5, fbcon_font_glyph(font, 'n'), 7, 0, false));
    ck_assert(cell_shows(0, 6, fbcon_font_glyph(font, 'y'), 3, 0, false));
    put("\x1b[22m\x1b[38;2;1;2;3mz\x1b[m");
    ck_assert(cell_shows(0, 7, fbcon_font_glyph(font, 'z'), 3, 0, false)); /* truecolour skipped */
    ck_assert_int_eq(con.fg, 7);
}
END_TEST

START_TEST(test_cursor_movement_and_erase)
{
    put("abcdefghij"); /* exactly one row: the cursor waits at the edge */
    ck_assert_int_eq(con.row, 0);
    ck_assert_int_eq(con.col, COLS);
    put("k");
    ck_assert_str_eq(row_text(1), "k");
    put("\x1b[1;3H\x1b[K"); /* erase to the end of row 0 from column 3 */
    ck_assert_str_eq(row_text(0), "ab");
    put("\x1b[2;1H\x1b[2K\x1b[3;4HXY\x1b[2DZ\x1b[A^\x1b[2B_\x1b[5C>");
    ck_assert_str_eq(row_text(1), "    ^");
    ck_assert_str_eq(row_text(2), "   ZY");
    ck_assert_str_eq(row_text(3), "     _   >");
    put("\x1b[4G|\x1b[2d!\x1b[E.\x1b[F,");
    ck_assert_str_eq(row_text(1), ",   !");
    ck_assert_str_eq(row_text(2), ".  ZY");
    ck_assert_str_eq(row_text(3), "   | _   >");
    put("\x1b[3;4H\x1b[1K");
    ck_assert_str_eq(row_text(2), "    Y");
    put("\x1b[3;2H\x1b[J");
    ck_assert_str_eq(row_text(2), "");
    ck_assert_str_eq(row_text(3), "");
    ck_assert_str_eq(row_text(0), "ab");
    put("\x1b[1;2H\x1b[1J");
    ck_assert_str_eq(row_text(0), "");
    ck_assert_str_eq(row_text(1), ",   !");
    put("\x1b[2J");
    for (int r = 0; r < ROWS; r++)
        ck_assert_str_eq(row_text(r), "");
    put("\x1b[H\x1b[99;99Hq");
    ck_assert_str_eq(row_text(3), "         q");
}
END_TEST

START_TEST(test_editing_sequences)
{
    put("abcdef\r\x1b[2C\x1b[2@"); /* insert two blanks at column 2 */
    ck_assert_str_eq(row_text(0), "ab  cdef");
    put("\x1b[3P"); /* delete three */
    ck_assert_str_eq(row_text(0), "abdef");
    put("\x1b[2X"); /* erase two in place */
    ck_assert_str_eq(row_text(0), "ab  f");
    put("\x1b[s\x1b[4;1HZ\x1b[u*\x1b" "7\x1b[3;1H\x1b" "8+");
    ck_assert_str_eq(row_text(0), "ab*+f");
    ck_assert_str_eq(row_text(3), "Z");
    put("\t|\b\b-\x07");
    ck_assert_str_eq(row_text(0), "ab*+f  -|");
    put("\x1b" "c"); /* reset */
    ck_assert_str_eq(row_text(0), "");
    ck_assert_int_eq(con.row, 0);
    /* Unknown, private and malformed sequences are swallowed. */
    put("\x1b[?1049h\x1b[5q\x1b(B\x1b[1\x01x");
    ck_assert_str_eq(row_text(0), "x");
}
END_TEST

START_TEST(test_scrolling)
{
    put("one\ntwo\nthree\nfour");
    ck_assert_str_eq(row_text(0), "one");
    put("\nfive\nsix");
    ck_assert_str_eq(row_text(0), "three");
    ck_assert_str_eq(row_text(1), "four");
    ck_assert_str_eq(row_text(2), "five");
    ck_assert_str_eq(row_text(3), "six");
    /* The pixels followed the cells: "three" is drawn on the top row now. */
    ck_assert(cell_shows(0, 0, fbcon_font_glyph(font, 't'), 7, 0, false));
    ck_assert(cell_shows(0, 3, fbcon_font_glyph(font, 'e'), 7, 0, false));
    ck_assert(cell_shows(2, 4, fbcon_font_glyph(font, ' '), 7, 0, false));
    ck_assert(cell_shows(3, 3, fbcon_font_glyph(font, ' '), 7, 0, true));
    /* Many scrolls in one write. */
    for (int i = 0; i < 50; i++)
        put("line\n");
    put("end");
    ck_assert_str_eq(row_text(2), "line");
    ck_assert_str_eq(row_text(3), "end");
    ck_assert(cell_shows(2, 0, fbcon_font_glyph(font, 'l'), 7, 0, false));
}
END_TEST

/* Only the cells that change are drawn: nothing is redrawn for nothing. */
START_TEST(test_draws_only_changes)
{
    put("hello");
    memset(fb, 0x5a, (size_t)PITCH * HEIGHT);
    put("!");
    for (int r = 0; r < ROWS; r++) {
        for (int c = 0; c < COLS; c++) {
            bool drawn = pixel(c * FW, r * FH) != 0x5a5a5a5a;
            /* '!' at column 5, the cursor moved from 5 to 6 */
            ck_assert_msg(drawn == (r == 0 && (c == 5 || c == 6)), "cell %d,%d", r, c);
        }
    }
    ck_assert(cell_shows(0, 5, fbcon_font_glyph(font, '!'), 7, 0, false));
    ck_assert(cell_shows(0, 6, fbcon_font_glyph(font, ' '), 7, 0, true));
}
END_TEST

START_TEST(test_cursor_hide_and_show)
{
    put("a\x1b[?25l");
    ck_assert(cell_shows(0, 1, fbcon_font_glyph(font, ' '), 7, 0, false));
    put("\x1b[?25h");
    ck_assert(cell_shows(0, 1, fbcon_font_glyph(font, ' '), 7, 0, true));
    /* At the right edge the cursor stays on the last column. */
    put("\rabcdefghij");
    ck_assert(cell_shows(0, COLS - 1, fbcon_font_glyph(font, 'j'), 7, 0, true));
}
END_TEST

START_TEST(test_utf8)
{
    put("\xc3\xa9\xe2\x94\x80|\xff|\xc3(|\xe0\x80\xaf|\xed\xa0\x80");
    ck_assert(cell_is(0, 0, 0xe9));   /* é */
    ck_assert(cell_is(0, 1, 0x2500)); /* box drawing */
    ck_assert_uint_ne(fbcon_font_glyph(font, 0x2500), font->replacement);
    ck_assert(cell_is(0, 3, 0xfffd)); /* a stray 0xff */
    ck_assert(cell_is(0, 5, 0xfffd)); /* a cut sequence, then '(' itself */
    ck_assert(cell_is(0, 6, '('));
    ck_assert(cell_is(0, 8, 0xfffd)); /* overlong '/' */
    ck_assert(cell_is(1, 0, 0xfffd)); /* a UTF-16 surrogate */
    /* ESC inside a sequence ends it and starts the escape. */
    put("\r\n\xe2\x1b[31mr");
    ck_assert(cell_is(2, 0, 0xfffd));
    ck_assert(cell_shows(2, 1, fbcon_font_glyph(font, 'r'), 1, 0, false));
    /* A C1 control shows nothing; a four-byte code point the font lacks shows
     * the replacement glyph. */
    put("\xc2\x85\xf0\x9f\x98\x80");
    ck_assert(cell_is(2, 2, 0xfffd));
    ck_assert_int_eq(con.col, 3);
}
END_TEST

START_TEST(test_other_depths)
{
    /* 16 bits, RGB 5:6:5 */
    uint8_t *fb16 = calloc(1, (size_t)WIDTH * 2 * HEIGHT);
    struct fbcon_mode m = { .base = fb16, .pitch = WIDTH * 2, .width = WIDTH, .height = HEIGHT,
                            .bpp = 16, .red_pos = 11, .red_size = 5, .green_pos = 5,
                            .green_size = 6, .blue_pos = 0, .blue_size = 5 };
    struct fbcon c16;
    struct fbcon_cell buf[2 * COLS * ROWS];
    ck_assert_int_eq(fbcon_init(&c16, &m, font, buf, 2 * COLS * ROWS), 0);
    ck_assert_uint_eq(fbcon_color(&c16, 15), 0xffff);
    ck_assert_uint_eq(fbcon_color(&c16, 9), (0x1f << 11) | (0x15 << 5) | 0x0a);
    fbcon_write(&c16, "\x1b[97m#", 6);
    const uint8_t *bits = fbcon_font_bitmap(font, fbcon_font_glyph(font, '#'));
    for (int y = 0; y < FH; y++)
        for (int x = 0; x < FW; x++) {
            uint16_t v;
            memcpy(&v, fb16 + y * m.pitch + x * 2, 2);
            ck_assert_uint_eq(v, (bits[y] & (0x80 >> x)) ? 0xffff : 0);
        }
    free(fb16);

    /* 24 bits, BGR byte order */
    uint8_t *fb24 = calloc(1, (size_t)WIDTH * 3 * HEIGHT);
    m = (struct fbcon_mode){ .base = fb24, .pitch = WIDTH * 3, .width = WIDTH, .height = HEIGHT,
                             .bpp = 24, .red_pos = 0, .red_size = 8, .green_pos = 8,
                             .green_size = 8, .blue_pos = 16, .blue_size = 8 };
    ck_assert_int_eq(fbcon_init(&c16, &m, font, buf, 2 * COLS * ROWS), 0);
    fbcon_write(&c16, "\x1b[34m\x1b[?25l#", 12);
    for (int y = 0; y < FH; y++)
        for (int x = 0; x < FW; x++) {
            const uint8_t *p = fb24 + y * m.pitch + x * 3;
            bool on = bits[y] & (0x80 >> x);
            ck_assert_uint_eq(p[0], 0);
            ck_assert_uint_eq(p[2], on ? 0xaa : 0);
        }
    free(fb24);
}
END_TEST

START_TEST(test_init_rejects_bad_modes)
{
    struct fbcon c;
    struct fbcon_cell buf[2 * COLS * ROWS];
    size_t n = 2 * COLS * ROWS;
    struct fbcon_mode m = mode;
    ck_assert_int_eq(fbcon_init(NULL, &m, font, buf, n), -EINVAL);
    ck_assert_int_eq(fbcon_init(&c, NULL, font, buf, n), -EINVAL);
    ck_assert_int_eq(fbcon_init(&c, &m, NULL, buf, n), -EINVAL);
    ck_assert_int_eq(fbcon_init(&c, &m, font, NULL, n), -EINVAL);
    ck_assert_int_eq(fbcon_init(&c, &m, font, buf, n - 1), -ENOSPC);
    m.bpp = 8;
    ck_assert_int_eq(fbcon_init(&c, &m, font, buf, n), -EINVAL);
    m = mode;
    m.blue_pos = 28; /* past 32 bits */
    ck_assert_int_eq(fbcon_init(&c, &m, font, buf, n), -EINVAL);
    m = mode;
    m.green_size = 0;
    ck_assert_int_eq(fbcon_init(&c, &m, font, buf, n), -EINVAL);
    m = mode;
    m.pitch = WIDTH * 4 - 4; /* rows overlap */
    ck_assert_int_eq(fbcon_init(&c, &m, font, buf, n), -EINVAL);
    m = mode;
    m.height = FH - 1; /* not one text row */
    ck_assert_uint_eq(fbcon_cells_needed(&m, font), 0);
    ck_assert_int_eq(fbcon_init(&c, &m, font, buf, n), -EINVAL);
    m = mode;
    m.base = NULL;
    ck_assert_int_eq(fbcon_init(&c, &m, font, buf, n), -EINVAL);
    struct fbcon_font bad = *font;
    bad.stride = 0;
    ck_assert_int_eq(fbcon_init(&c, &mode, &bad, buf, n), -EINVAL);
    ck_assert_uint_eq(fbcon_cells_needed(NULL, font), 0);
}
END_TEST

START_TEST(test_console_ops)
{
    ck_assert_ptr_null(fbcon_console_ops.getc);
    fbcon_console_ops.write(&con, "ok", 2);
    ck_assert_str_eq(row_text(0), "ok");
    fbcon_clear(&con);
    ck_assert_str_eq(row_text(0), "");
}
END_TEST

Suite *fbcon_suite(void)
{
    Suite *s = suite_create("fbcon");
    TCase *tc = tcase_create("fbcon");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_font_table);
    tcase_add_test(tc, test_init_clears_and_shows_cursor);
    tcase_add_test(tc, test_render_known_string);
    tcase_add_test(tc, test_sgr_colours);
    tcase_add_test(tc, test_cursor_movement_and_erase);
    tcase_add_test(tc, test_editing_sequences);
    tcase_add_test(tc, test_scrolling);
    tcase_add_test(tc, test_draws_only_changes);
    tcase_add_test(tc, test_cursor_hide_and_show);
    tcase_add_test(tc, test_utf8);
    tcase_add_test(tc, test_other_depths);
    tcase_add_test(tc, test_init_rejects_bad_modes);
    tcase_add_test(tc, test_console_ops);
    suite_add_tcase(s, tc);
    return s;
}
