/*
 * fbcon.c - framebuffer text console (dev/fbcon.h).
 *
 * Two layers in one file:
 *   - the terminal: bytes in (UTF-8 text, control characters, ANSI escape
 *     sequences), changes to the cell grid `cells` out, with the rows touched
 *     recorded as a dirty range;
 *   - the renderer: flush() compares the dirty rows of `cells` with `shown`
 *     (what is on the glass) and draws only the cells that differ, then the
 *     cursor. Nothing ever reads the framebuffer.
 * fbcon_write() runs the terminal over all its bytes, then flushes once, so a
 * burst of output that scrolls many times costs one redraw.
 */
#include <dev/fbcon.h>
#include <k/errno.h>
#include <string.h>

#define GLYPH_INVALID 0xffff
#define DEFAULT_FG    7 /* white (light grey) */
#define DEFAULT_BG    0 /* black */
#define TAB_WIDTH     8

enum { ESC_NONE, ESC_SEEN, ESC_CSI, ESC_CHARSET };

/* The 16 colours in ANSI order, as 0xRRGGBB (the classic VGA palette). */
static const uint32_t palette_rgb[16] = {
    0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
    0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

/* ---- the font ---- */

uint32_t fbcon_font_glyph(const struct fbcon_font *f, uint32_t cp)
{
    uint32_t lo = 0, hi = f->map_len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->map[mid].cp == cp)
            return f->map[mid].glyph;
        if (f->map[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return f->replacement;
}

const uint8_t *fbcon_font_bitmap(const struct fbcon_font *f, uint32_t glyph)
{
    if (glyph >= f->count)
        glyph = f->replacement < f->count ? f->replacement : 0;
    return f->glyphs + (size_t)glyph * f->height * f->stride;
}

/* ---- the renderer ---- */

static uint32_t scale(uint32_t v8, uint8_t size)
{
    return size >= 8 ? v8 << (size - 8) : v8 >> (8 - size);
}

uint32_t fbcon_color(const struct fbcon *c, int index)
{
    return c->pixel[index & 15];
}

static void put_pixel(const struct fbcon *c, volatile uint8_t *p, uint32_t v)
{
    switch (c->mode.bpp) {
    case 32:
        *(volatile uint32_t *)p = v;
        break;
    case 24:
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)(v >> 16);
        break;
    default: /* 16 */
        *(volatile uint16_t *)p = (uint16_t)v;
        break;
    }
}

/* Draw one cell; `cursor` adds the underline cursor in its foreground colour. */
static void draw_cell(struct fbcon *c, int row, int col, const struct fbcon_cell *cell, bool cursor)
{
    const struct fbcon_font *f = c->font;
    const uint8_t *bits = fbcon_font_bitmap(f, cell->glyph);
    uint32_t fg = c->pixel[cell->fg & 15], bg = c->pixel[cell->bg & 15];
    uint32_t bytespp = c->mode.bpp / 8u;
    volatile uint8_t *line = (volatile uint8_t *)c->mode.base +
                             (size_t)row * f->height * c->mode.pitch +
                             (size_t)col * f->width * bytespp;
    for (uint32_t y = 0; y < f->height; y++, line += c->mode.pitch, bits += f->stride) {
        bool under = cursor && y + 2 >= f->height;
        volatile uint8_t *p = line;
        for (uint32_t x = 0; x < f->width; x++, p += bytespp) {
            bool on = under || (bits[x / 8] & (0x80u >> (x % 8)));
            put_pixel(c, p, on ? fg : bg);
        }
    }
}

static bool same_cell(const struct fbcon_cell *a, const struct fbcon_cell *b)
{
    return a->glyph == b->glyph && a->fg == b->fg && a->bg == b->bg;
}

static void mark_dirty(struct fbcon *c, int lo, int hi)
{
    if (c->dirty_hi == 0) {
        c->dirty_lo = lo;
        c->dirty_hi = hi;
        return;
    }
    if (lo < c->dirty_lo)
        c->dirty_lo = lo;
    if (hi > c->dirty_hi)
        c->dirty_hi = hi;
}

static void flush(struct fbcon *c)
{
    /* Take the cursor off the glass: its cell is redrawn below. */
    if (c->cursor_row >= 0) {
        c->shown[c->cursor_row * c->cols + c->cursor_col].glyph = GLYPH_INVALID;
        mark_dirty(c, c->cursor_row, c->cursor_row + 1);
        c->cursor_row = -1;
    }
    for (int r = c->dirty_lo; r < c->dirty_hi; r++) {
        for (int col = 0; col < c->cols; col++) {
            int i = r * c->cols + col;
            if (same_cell(&c->cells[i], &c->shown[i]))
                continue;
            draw_cell(c, r, col, &c->cells[i], false);
            c->shown[i] = c->cells[i];
        }
    }
    c->dirty_lo = c->dirty_hi = 0;
    if (c->cursor_visible) {
        int col = c->col < c->cols ? c->col : c->cols - 1;
        int i = c->row * c->cols + col;
        draw_cell(c, c->row, col, &c->cells[i], true);
        c->cursor_row = c->row;
        c->cursor_col = col;
    }
}

/* ---- the terminal ---- */

static struct fbcon_cell blank(const struct fbcon *c)
{
    struct fbcon_cell b = { (uint16_t)fbcon_font_glyph(c->font, ' '), c->fg, c->bg };
    if (c->reverse) {
        b.fg = c->bg;
        b.bg = c->fg;
    }
    return b;
}

/* Blank cells [from, to) of the grid (indices into cells[]). */
static void clear_cells(struct fbcon *c, int from, int to)
{
    struct fbcon_cell b = blank(c);
    for (int i = from; i < to; i++)
        c->cells[i] = b;
    if (from < to)
        mark_dirty(c, from / c->cols, (to - 1) / c->cols + 1);
}

static void scroll_up(struct fbcon *c)
{
    memmove(c->cells, c->cells + c->cols, sizeof(*c->cells) * (size_t)c->cols * (c->rows - 1));
    clear_cells(c, (c->rows - 1) * c->cols, c->rows * c->cols);
    mark_dirty(c, 0, c->rows);
}

static void newline(struct fbcon *c)
{
    c->col = 0;
    if (++c->row == c->rows) {
        scroll_up(c);
        c->row = c->rows - 1;
    }
}

static void put_glyph(struct fbcon *c, uint32_t glyph)
{
    if (c->col >= c->cols)
        newline(c);
    struct fbcon_cell cell = { (uint16_t)glyph, c->fg, c->bg };
    if (c->bold && cell.fg < 8)
        cell.fg += 8;
    if (c->reverse) {
        uint8_t t = cell.fg;
        cell.fg = cell.bg;
        cell.bg = t;
    }
    c->cells[c->row * c->cols + c->col] = cell;
    mark_dirty(c, c->row, c->row + 1);
    c->col++;
}

static int clampi(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static void sgr(struct fbcon *c, const int *p, int n)
{
    if (n == 0) {
        static const int reset = 0;
        p = &reset;
        n = 1;
    }
    for (int i = 0; i < n; i++) {
        int v = p[i];
        if (v == 0) {
            c->fg = DEFAULT_FG;
            c->bg = DEFAULT_BG;
            c->bold = c->reverse = false;
        } else if (v == 1) {
            c->bold = true;
        } else if (v == 22) {
            c->bold = false;
        } else if (v == 7) {
            c->reverse = true;
        } else if (v == 27) {
            c->reverse = false;
        } else if (v >= 30 && v <= 37) {
            c->fg = (uint8_t)(v - 30);
        } else if (v == 39) {
            c->fg = DEFAULT_FG;
        } else if (v >= 40 && v <= 47) {
            c->bg = (uint8_t)(v - 40);
        } else if (v == 49) {
            c->bg = DEFAULT_BG;
        } else if (v >= 90 && v <= 97) {
            c->fg = (uint8_t)(v - 90 + 8);
        } else if (v >= 100 && v <= 107) {
            c->bg = (uint8_t)(v - 100 + 8);
        } else if ((v == 38 || v == 48) && i + 2 < n && p[i + 1] == 5) {
            /* 256-colour form: the first 16 are ours, the rest are ignored */
            if (p[i + 2] < 16)
                *(v == 38 ? &c->fg : &c->bg) = (uint8_t)p[i + 2];
            i += 2;
        } else if ((v == 38 || v == 48) && i + 1 < n && p[i + 1] == 2) {
            i += 4; /* true colour: not supported, skipped whole */
        }
    }
}

/* Shift the rest of the cursor's line right (insert) or left (delete) by n. */
static void shift_line(struct fbcon *c, int n, bool insert)
{
    int col = c->col < c->cols ? c->col : c->cols - 1;
    int base = c->row * c->cols;
    int left = c->cols - col;
    n = clampi(n, 1, left);
    struct fbcon_cell *line = c->cells + base;
    if (insert)
        memmove(line + col + n, line + col, sizeof(*line) * (size_t)(left - n));
    else
        memmove(line + col, line + col + n, sizeof(*line) * (size_t)(left - n));
    if (insert)
        clear_cells(c, base + col, base + col + n);
    else
        clear_cells(c, base + c->cols - n, base + c->cols);
    mark_dirty(c, c->row, c->row + 1);
}

static void csi_final(struct fbcon *c, char final)
{
    int n = c->esc_nparams;
    int p0 = n > 0 ? c->esc_params[0] : 0;
    int count = p0 > 0 ? p0 : 1;
    int cur = c->row * c->cols + (c->col < c->cols ? c->col : c->cols - 1);
    if (c->esc_private) {
        if ((final == 'h' || final == 'l') && p0 == 25)
            c->cursor_visible = final == 'h';
        return; /* other private modes: ignored */
    }
    switch (final) {
    case 'm':
        sgr(c, c->esc_params, n);
        break;
    case 'A':
        c->row = clampi(c->row - count, 0, c->rows - 1);
        break;
    case 'B':
        c->row = clampi(c->row + count, 0, c->rows - 1);
        break;
    case 'C':
        c->col = clampi(c->col + count, 0, c->cols - 1);
        break;
    case 'D':
        c->col = clampi(c->col - count, 0, c->cols - 1);
        break;
    case 'E':
    case 'F':
        c->row = clampi(c->row + (final == 'E' ? count : -count), 0, c->rows - 1);
        c->col = 0;
        break;
    case 'G':
        c->col = clampi(count - 1, 0, c->cols - 1);
        break;
    case 'd':
        c->row = clampi(count - 1, 0, c->rows - 1);
        break;
    case 'H':
    case 'f': {
        int r = n > 0 && c->esc_params[0] > 0 ? c->esc_params[0] : 1;
        int col = n > 1 && c->esc_params[1] > 0 ? c->esc_params[1] : 1;
        c->row = clampi(r - 1, 0, c->rows - 1);
        c->col = clampi(col - 1, 0, c->cols - 1);
        break;
    }
    case 'J': /* 0: to the end of the screen, 1: from its start, 2 and 3: all */
        if (p0 == 0)
            clear_cells(c, cur, c->rows * c->cols);
        else if (p0 == 1)
            clear_cells(c, 0, cur + 1);
        else if (p0 == 2 || p0 == 3)
            clear_cells(c, 0, c->rows * c->cols);
        break;
    case 'K': /* 0: to the end of the line, 1: from its start, 2: all of it */
        if (p0 == 0)
            clear_cells(c, cur, (c->row + 1) * c->cols);
        else if (p0 == 1)
            clear_cells(c, c->row * c->cols, cur + 1);
        else if (p0 == 2)
            clear_cells(c, c->row * c->cols, (c->row + 1) * c->cols);
        break;
    case 'X':
        clear_cells(c, cur, cur + clampi(count, 1, (c->row + 1) * c->cols - cur));
        break;
    case '@':
        shift_line(c, count, true);
        break;
    case 'P':
        shift_line(c, count, false);
        break;
    case 's':
        c->saved_row = c->row;
        c->saved_col = c->col;
        break;
    case 'u':
        c->row = c->saved_row;
        c->col = c->saved_col;
        break;
    default:
        break; /* unsupported sequences are swallowed, not printed */
    }
}

/* Feed one byte to the escape-sequence parser; return 1 if it consumed it. */
static int escape(struct fbcon *c, uint8_t b)
{
    switch (c->esc_state) {
    case ESC_NONE:
        if (b != 0x1b)
            return 0;
        c->esc_state = ESC_SEEN;
        return 1;
    case ESC_SEEN:
        c->esc_state = ESC_NONE;
        if (b == '[') {
            c->esc_state = ESC_CSI;
            c->esc_nparams = 0;
            c->esc_params[0] = 0;
            c->esc_private = false;
        } else if (b == '7') {
            c->saved_row = c->row;
            c->saved_col = c->col;
        } else if (b == '8') {
            c->row = c->saved_row;
            c->col = c->saved_col;
        } else if (b == '(' || b == ')' || b == '*' || b == '+') {
            c->esc_state = ESC_CHARSET; /* a character-set designation: one more byte */
        } else if (b == 'c') {
            sgr(c, NULL, 0);
            c->cursor_visible = true;
            fbcon_clear(c);
        }
        return 1; /* other two-byte sequences: ignored */
    case ESC_CHARSET:
        c->esc_state = ESC_NONE;
        return 1;
    default: /* ESC_CSI */
        if (b >= '0' && b <= '9') {
            if (c->esc_nparams == 0)
                c->esc_nparams = 1;
            int *p = &c->esc_params[c->esc_nparams - 1];
            if (*p < 10000)
                *p = *p * 10 + (b - '0');
        } else if (b == ';') {
            if (c->esc_nparams == 0)
                c->esc_nparams = 1;
            if (c->esc_nparams < 8)
                c->esc_params[c->esc_nparams++] = 0;
        } else if (b == '?' && c->esc_nparams == 0) {
            c->esc_private = true;
        } else if (b >= 0x40 && b <= 0x7e) {
            c->esc_state = ESC_NONE;
            csi_final(c, (char)b);
        } else if (b < 0x20 || b > 0x3f) {
            c->esc_state = ESC_NONE; /* malformed: drop it */
        }
        return 1;
    }
}

static void control(struct fbcon *c, uint8_t b)
{
    switch (b) {
    case '\n':
        newline(c);
        break;
    case '\r':
        c->col = 0;
        break;
    case '\t': /* like a terminal: move to the next tab stop, erase nothing */
        c->col = clampi((c->col / TAB_WIDTH + 1) * TAB_WIDTH, 0, c->cols);
        break;
    case '\b':
        if (c->col > 0)
            c->col = (c->col < c->cols ? c->col : c->cols) - 1;
        break;
    default:
        break; /* BEL and the rest: nothing to show */
    }
}

/* UTF-8: returns a complete code point, or -1 while a sequence is incomplete. A
 * malformed sequence yields U+FFFD and the offending byte starts over. */
static int64_t utf8_feed(struct fbcon *c, uint8_t b)
{
    if (c->utf8_left > 0) {
        if ((b & 0xc0) == 0x80) {
            c->utf8_cp = c->utf8_cp << 6 | (b & 0x3f);
            if (--c->utf8_left > 0)
                return -1;
            uint32_t cp = c->utf8_cp;
            if (cp < c->utf8_min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0xfffd;
            return cp;
        }
        c->utf8_left = 0;
        put_glyph(c, fbcon_font_glyph(c->font, 0xfffd));
    }
    if (b < 0x80)
        return b;
    if ((b & 0xe0) == 0xc0) {
        c->utf8_cp = b & 0x1f;
        c->utf8_left = 1;
        c->utf8_min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
        c->utf8_cp = b & 0x0f;
        c->utf8_left = 2;
        c->utf8_min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
        c->utf8_cp = b & 0x07;
        c->utf8_left = 3;
        c->utf8_min = 0x10000;
    } else {
        return 0xfffd; /* a stray continuation byte or 0xf8-0xff */
    }
    return -1;
}

static void putc_one(struct fbcon *c, uint8_t b)
{
    if (c->utf8_left == 0 && escape(c, b))
        return;
    int64_t cp = utf8_feed(c, b);
    if (cp < 0)
        return;
    if (cp < 0x20 || cp == 0x7f) {
        if (escape(c, (uint8_t)cp) == 0)
            control(c, (uint8_t)cp);
        return;
    }
    if (cp >= 0x80 && cp < 0xa0)
        return; /* C1 controls: not shown */
    put_glyph(c, fbcon_font_glyph(c->font, (uint32_t)cp));
}

void fbcon_write(struct fbcon *c, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        putc_one(c, (uint8_t)s[i]);
    flush(c);
}

void fbcon_clear(struct fbcon *c)
{
    clear_cells(c, 0, c->rows * c->cols);
    c->row = c->col = 0;
    flush(c);
}

/* ---- setup ---- */

size_t fbcon_cells_needed(const struct fbcon_mode *m, const struct fbcon_font *f)
{
    if (!m || !f || f->width == 0 || f->height == 0)
        return 0;
    size_t cols = m->width / f->width, rows = m->height / f->height;
    return 2 * cols * rows;
}

static bool field_ok(uint8_t pos, uint8_t size, uint8_t bpp)
{
    return size >= 1 && size <= 8 && pos + size <= bpp;
}

int fbcon_init(struct fbcon *c, const struct fbcon_mode *m, const struct fbcon_font *f,
               struct fbcon_cell *cells, size_t ncells)
{
    if (!c || !m || !f || !cells || !m->base)
        return -EINVAL;
    if (m->bpp != 16 && m->bpp != 24 && m->bpp != 32)
        return -EINVAL;
    if (!field_ok(m->red_pos, m->red_size, m->bpp) ||
        !field_ok(m->green_pos, m->green_size, m->bpp) ||
        !field_ok(m->blue_pos, m->blue_size, m->bpp))
        return -EINVAL;
    if ((uint64_t)m->width * (m->bpp / 8u) > m->pitch)
        return -EINVAL;
    if (f->count == 0 || f->stride * 8 < f->width)
        return -EINVAL;
    size_t need = fbcon_cells_needed(m, f);
    if (need == 0)
        return -EINVAL;
    if (ncells < need)
        return -ENOSPC;

    memset(c, 0, sizeof(*c));
    c->mode = *m;
    c->font = f;
    c->cols = (int)(m->width / f->width);
    c->rows = (int)(m->height / f->height);
    c->cells = cells;
    c->shown = cells + need / 2;
    for (int i = 0; i < 16; i++) {
        uint32_t rgb = palette_rgb[i];
        c->pixel[i] = scale(rgb >> 16 & 0xff, m->red_size) << m->red_pos |
                      scale(rgb >> 8 & 0xff, m->green_size) << m->green_pos |
                      scale(rgb & 0xff, m->blue_size) << m->blue_pos;
    }
    c->fg = DEFAULT_FG;
    c->bg = DEFAULT_BG;
    c->cursor_visible = true;
    c->cursor_row = -1;
    for (size_t i = 0; i < need / 2; i++)
        c->shown[i].glyph = GLYPH_INVALID; /* whatever the loader left: repaint */
    fbcon_clear(c);
    return 0;
}

static void fbcon_console_write(void *ctx, const char *s, size_t n)
{
    fbcon_write(ctx, s, n);
}

const struct console_ops fbcon_console_ops = {
    .write = fbcon_console_write,
    .getc = NULL,
};
