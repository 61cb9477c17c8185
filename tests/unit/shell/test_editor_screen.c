/*
 * test_editor_screen.c - the line editor under streams of random keys: its
 * invariants hold whatever arrives, and a VT100 screen model fed its output
 * shows exactly the prompt and the visible part of the line, with the cursor
 * where the editor says (the last column never written, so nothing wraps).
 */
#include "suites.h"
#include <shell/editor.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "editor_fixture.h"

/* ---- garbage ---- */

static void check_invariants(void)
{
    size_t len;
    const char *l = shell_editor_line(&ed, &len);
    REQUIRE(len <= SHELL_LINE_MAX - 1);
    REQUIRE(shell_editor_cursor(&ed) <= len);
    REQUIRE(strlen(l) == len);
    for (size_t i = 0; i < len; i++)
        REQUIRE(l[i] >= 0x20 && l[i] < 0x7f);
}

START_TEST(test_random_garbage)
{
    static const char *const c[] = { "alpha", "alps", "beta", "/x/y/", NULL };
    cands = c;
    srand(1234u + (unsigned)_i);
    int lines = 0;
    for (int i = 0; i < 100000; i++) {
        uint8_t b;
        int r = rand() % 8;
        if (r == 0)
            b = 0x1b; /* plenty of escape sequences */
        else if (r == 1)
            b = (uint8_t) "[O~;0123ABCDHF\t\x7f\x08"[rand() % 17];
        else if (r == 2)
            b = (uint8_t)(rand() % 256);
        else
            b = (uint8_t)(0x20 + rand() % 95);
        enum shell_editor_result res = shell_editor_feed(&ed, b);
        if (res == SHELL_EDITOR_LINE)
            lines++;
        check_invariants();
        if (outlen > sizeof(outbuf) / 2)
            clear_out();
    }
    ck_assert_int_gt(lines, 0);
    ck_assert_uint_le(shell_history_count(&hist), SHELL_HISTORY_MAX);
    /* Still a working editor. */
    feed("\x03");
    ck_assert_int_eq(feed("\x1b[A\x1b[B\x15ok\r"), 1);
    ck_assert_str_eq(line(), "ok");
}
END_TEST

/* ---- a VT100 screen model: what a terminal would show ---- */

#define VT_ROWS 25
#define VT_COLS 200

static struct {
    char cell[VT_ROWS][VT_COLS];
    int row, col, cols;
    int esc; /* 0 none, 1 ESC seen, 2 CSI */
    int param;
} vt;

static void vt_reset(int cols)
{
    memset(&vt, 0, sizeof(vt));
    memset(vt.cell, ' ', sizeof(vt.cell));
    vt.cols = cols;
}

static void vt_put(uint8_t c)
{
    if (vt.esc == 1) {
        REQUIRE(c == '[');
        vt.esc = 2;
        vt.param = -1;
        return;
    }
    if (vt.esc == 2) {
        if (c >= '0' && c <= '9') {
            vt.param = (vt.param < 0 ? 0 : vt.param * 10) + (c - '0');
            return;
        }
        int n = vt.param < 0 ? 1 : vt.param;
        vt.esc = 0;
        switch (c) {
        case 'C':
            vt.col += n;
            break;
        case 'D':
            vt.col -= n;
            break;
        case 'K':
            REQUIRE(vt.param < 0);
            memset(&vt.cell[vt.row][vt.col], ' ', (size_t)(VT_COLS - vt.col));
            break;
        case 'J':
            REQUIRE(vt.param == 2);
            memset(vt.cell, ' ', sizeof(vt.cell));
            break;
        case 'H':
            vt.row = vt.col = 0;
            break;
        default:
            ck_abort_msg("unexpected CSI final %c", c);
        }
        REQUIRE(vt.col >= 0 && vt.col < vt.cols); /* moves stay on the row */
        return;
    }
    switch (c) {
    case 0x1b:
        vt.esc = 1;
        break;
    case '\r':
        vt.col = 0;
        break;
    case '\n':
        if (++vt.row == VT_ROWS) {
            memmove(vt.cell[0], vt.cell[1], sizeof(vt.cell[0]) * (VT_ROWS - 1));
            memset(vt.cell[VT_ROWS - 1], ' ', VT_COLS);
            vt.row--;
        }
        break;
    case '\b':
        REQUIRE(vt.col > 0);
        vt.col--;
        break;
    case 0x07:
        break;
    default:
        REQUIRE(c >= 0x20 && c < 0x7f);
        REQUIRE(vt.col < vt.cols - 1); /* the last column is never written: no wrap */
        vt.cell[vt.row][vt.col++] = (char)c;
    }
}

static void vt_sink(void *ctx, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vt_put((uint8_t)buf[i]);
}

/* The row shows the prompt and the part of the line around the cursor, and the
 * terminal's cursor is where the editor's is. */
static void vt_check(const char *prompt)
{
    size_t len, pos = shell_editor_cursor(&ed);
    const char *l = shell_editor_line(&ed, &len);
    size_t plen = strlen(prompt), width = (size_t)vt.cols - 1 - plen;
    size_t start = len < width || pos < width ? 0 : pos - width + 1;
    size_t end = len - start > width ? start + width : len;
    char want[VT_COLS + 1];
    int n = snprintf(want, sizeof(want), "%s%.*s", prompt, (int)(end - start), l + start);
    REQUIRE(memcmp(vt.cell[vt.row], want, (size_t)n) == 0);
    for (int i = n; i < VT_COLS; i++)
        REQUIRE(vt.cell[vt.row][i] == ' ');
    REQUIRE(vt.col == (int)(plen + pos - start));
}

START_TEST(test_screen_matches_line)
{
    static const int widths[] = { 20, 33, 80 };
    static const char *const keys[] = {
        "a",      "b",      "c",      " ",      "x",         "y",     "\x7f",   "\x08",
        "\x1b[D", "\x1b[C", "\x1b[H", "\x1b[F", "\x1b[3~",   "\x01",  "\x05",   "\x15",
        "\x0b",   "\x17",   "\x1b[A", "\x1b[B", "\t",        "\x0c",  "\x1bOH", "\r",
        "\x03",   "\x04",   "\x02",   "\x06",   "\x1b[1;5C", "\x1bq", "\x80",
    };
    static const char *const c[] = { "abacus", "abc", "ab/", "cab", "a c;d", NULL };
    static char word[64];
    vt_reset(widths[_i]);
    struct shell_editor_config cfg = {
        .write = vt_sink,
        .complete = completer,
        .complete_ctx = &complete_calls,
        .history = &hist,
        .cols = (unsigned)widths[_i],
    };
    cands = c;
    shell_history_init(&hist);
    shell_editor_init(&ed, &cfg);
    shell_editor_start(&ed, "$ ");
    srand(99u + (unsigned)_i);
    for (int i = 0; i < 40000; i++) {
        int k = rand() % (int)(sizeof(keys) / sizeof(keys[0]));
        if (k < 6 && rand() % 4 == 0) { /* now and then a burst of typing */
            int n = rand() % 40;
            for (int j = 0; j < n; j++)
                word[j] = (char)('a' + rand() % 3);
            word[n] = '\0';
            feed(word);
        } else {
            feed(keys[k]);
        }
        if (!ed.finished)
            vt_check("$ ");
    }
}
END_TEST

Suite *editor_screen_suite(void)
{
    Suite *s = suite_create("editor_screen");
    TCase *tc = tcase_create("garbage");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, test_random_garbage, 0, 3);
    suite_add_tcase(s, tc);

    tc = tcase_create("screen");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, test_screen_matches_line, 0, 3);
    suite_add_tcase(s, tc);

    return s;
}
