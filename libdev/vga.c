/*
 * vga.c - VGA text-mode console (dev/vga.h).
 *
 * The screen is written through a RAM copy (struct vga's shadow): a cell is
 * stored only when its value changes, and scrolling moves the copy, never
 * reading the screen. Under QEMU the text memory is emulated I/O, each access
 * a round trip through the emulator, and a boot's scrolls were most of them.
 */
#include <arch/cpu.h>
#include <dev/vga.h>

#define CRTC_INDEX   0x3d4
#define CRTC_DATA    0x3d5
#define DEFAULT_ATTR VGA_ATTR(VGA_LIGHT_GREY, VGA_BLACK)

enum { ESC_NONE, ESC_SEEN, ESC_CSI };

static uint16_t blank(const struct vga *v)
{
    return (uint16_t)(v->attr << 8 | ' ');
}

/* Cell @p i becomes @p val; the screen is written only if that changes it. */
static void set_cell(struct vga *v, int i, uint16_t val)
{
    if (v->shadow[i] != val) {
        v->shadow[i] = val;
        v->cells[i] = val;
    }
}

static void clear_range(struct vga *v, int from, int to)
{
    for (int i = from; i < to; i++)
        set_cell(v, i, blank(v));
}

static void update_cursor(struct vga *v)
{
    if (!v->hw_cursor)
        return;
    uint16_t pos = (uint16_t)(v->row * VGA_COLS + v->col);
    outb(CRTC_INDEX, 0x0f);
    outb(CRTC_DATA, pos & 0xff);
    outb(CRTC_INDEX, 0x0e);
    outb(CRTC_DATA, pos >> 8);
}

void vga_clear(struct vga *v)
{
    clear_range(v, 0, VGA_COLS * VGA_ROWS);
    v->row = v->col = 0;
    update_cursor(v);
}

void vga_init(struct vga *v, volatile uint16_t *cells, int hw_cursor)
{
    v->cells = cells;
    v->attr = DEFAULT_ATTR;
    v->esc_state = ESC_NONE;
    v->hw_cursor = hw_cursor;
    /* Whatever the screen held before, every cell is written once by the clear. */
    for (int i = 0; i < VGA_COLS * VGA_ROWS; i++)
        v->shadow[i] = (uint16_t)~blank(v);
    if (hw_cursor) { /* an underline cursor: scan lines 14-15 */
        outb(CRTC_INDEX, 0x0a);
        outb(CRTC_DATA, 14);
        outb(CRTC_INDEX, 0x0b);
        outb(CRTC_DATA, 15);
    }
    vga_clear(v);
}

void vga_set_color(struct vga *v, enum vga_color fg, enum vga_color bg)
{
    v->attr = VGA_ATTR(fg, bg);
}

static void scroll(struct vga *v)
{
    /* From the shadow, never reading the screen back; cells that stay the same
     * (the blank ends of short lines, mostly) are not written either. */
    for (int i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
        set_cell(v, i, v->shadow[i + VGA_COLS]);
    clear_range(v, (VGA_ROWS - 1) * VGA_COLS, VGA_ROWS * VGA_COLS);
    v->row = VGA_ROWS - 1;
}

static void newline(struct vga *v)
{
    v->col = 0;
    if (++v->row == VGA_ROWS)
        scroll(v);
}

static void put_printable(struct vga *v, char c)
{
    if (v->col == VGA_COLS)
        newline(v);
    set_cell(v, v->row * VGA_COLS + v->col, (uint16_t)(v->attr << 8 | (uint8_t)c));
    v->col++;
}

/* ANSI colour order (black red green yellow blue magenta cyan white) in VGA terms. */
static const uint8_t ansi_to_vga[8] = { VGA_BLACK, VGA_RED,     VGA_GREEN, VGA_BROWN,
                                        VGA_BLUE,  VGA_MAGENTA, VGA_CYAN,  VGA_LIGHT_GREY };

static void sgr(struct vga *v, int p)
{
    uint8_t fg = v->attr & 0x0f, bg = v->attr >> 4;
    if (p == 0) {
        v->attr = DEFAULT_ATTR;
        return;
    }
    if (p == 1)
        fg |= 8;
    else if (p >= 30 && p <= 37)
        fg = ansi_to_vga[p - 30] | (fg & 8);
    else if (p == 39)
        fg = VGA_LIGHT_GREY;
    else if (p >= 40 && p <= 47)
        bg = ansi_to_vga[p - 40];
    else if (p == 49)
        bg = VGA_BLACK;
    else if (p >= 90 && p <= 97)
        fg = ansi_to_vga[p - 90] | 8;
    else if (p >= 100 && p <= 107)
        bg = ansi_to_vga[p - 100] | 8;
    v->attr = VGA_ATTR(fg, bg);
}

static int clampi(int x, int lo, int hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static void csi_final(struct vga *v, char c)
{
    int n = v->esc_nparams;
    int p0 = n > 0 ? v->esc_params[0] : 0;
    int count = p0 > 0 ? p0 : 1;
    switch (c) {
    case 'm':
        if (n == 0)
            sgr(v, 0);
        for (int i = 0; i < n; i++)
            sgr(v, v->esc_params[i]);
        break;
    case 'A':
        v->row = clampi(v->row - count, 0, VGA_ROWS - 1);
        break;
    case 'B':
        v->row = clampi(v->row + count, 0, VGA_ROWS - 1);
        break;
    case 'C':
        v->col = clampi(v->col + count, 0, VGA_COLS - 1);
        break;
    case 'D':
        v->col = clampi(v->col - count, 0, VGA_COLS - 1);
        break;
    case 'H':
    case 'f': {
        int r = n > 0 && v->esc_params[0] > 0 ? v->esc_params[0] : 1;
        int col = n > 1 && v->esc_params[1] > 0 ? v->esc_params[1] : 1;
        v->row = clampi(r - 1, 0, VGA_ROWS - 1);
        v->col = clampi(col - 1, 0, VGA_COLS - 1);
        break;
    }
    case 'K': /* 0: to end of line, 1: to start, 2: whole line */
        if (p0 == 0)
            clear_range(v, v->row * VGA_COLS + v->col, (v->row + 1) * VGA_COLS);
        else if (p0 == 1)
            clear_range(v, v->row * VGA_COLS, v->row * VGA_COLS + v->col + 1);
        else
            clear_range(v, v->row * VGA_COLS, (v->row + 1) * VGA_COLS);
        break;
    case 'J':
        if (p0 == 2 || p0 == 3) {
            clear_range(v, 0, VGA_COLS * VGA_ROWS);
            v->row = v->col = 0;
        } else if (p0 == 0) {
            clear_range(v, v->row * VGA_COLS + v->col, VGA_COLS * VGA_ROWS);
        }
        break;
    default:
        break; /* unsupported sequences are swallowed, not printed */
    }
}

/* Feed one byte to the escape-sequence parser; return 1 if it consumed it. */
static int escape(struct vga *v, char c)
{
    switch (v->esc_state) {
    case ESC_NONE:
        if (c != 0x1b)
            return 0;
        v->esc_state = ESC_SEEN;
        return 1;
    case ESC_SEEN:
        if (c == '[') {
            v->esc_state = ESC_CSI;
            v->esc_nparams = 0;
            v->esc_params[0] = 0;
        } else {
            v->esc_state = ESC_NONE; /* two-byte sequences: ignored */
        }
        return 1;
    default: /* ESC_CSI */
        if (c >= '0' && c <= '9') {
            if (v->esc_nparams == 0)
                v->esc_nparams = 1;
            int *p = &v->esc_params[v->esc_nparams - 1];
            if (*p < 10000)
                *p = *p * 10 + (c - '0');
        } else if (c == ';') {
            if (v->esc_nparams == 0)
                v->esc_nparams = 1;
            if (v->esc_nparams < 4)
                v->esc_params[v->esc_nparams++] = 0;
        } else if (c >= 0x40 && c <= 0x7e) {
            csi_final(v, c);
            v->esc_state = ESC_NONE;
        } else if (c < 0x20 || c > 0x3f) {
            v->esc_state = ESC_NONE; /* malformed: drop it */
        }
        return 1;
    }
}

static void vga_putc(struct vga *v, char c)
{
    if (escape(v, c))
        return;
    switch (c) {
    case '\n':
        newline(v);
        break;
    case '\r':
        v->col = 0;
        break;
    case '\t': /* like a terminal: move to the next tab stop, erase nothing */
        v->col = (v->col / 8 + 1) * 8;
        if (v->col > VGA_COLS)
            v->col = VGA_COLS;
        break;
    case '\b':
        if (v->col > 0)
            v->col--;
        break;
    default:
        if ((unsigned char)c >= 0x20 && c != 0x7f)
            put_printable(v, c);
        break;
    }
}

void vga_write(struct vga *v, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        vga_putc(v, s[i]);
    update_cursor(v);
}

static void vga_console_write(void *ctx, const char *s, size_t n)
{
    vga_write(ctx, s, n);
}

const struct console_ops vga_console_ops = {
    .write = vga_console_write,
    .getc = NULL,
};
