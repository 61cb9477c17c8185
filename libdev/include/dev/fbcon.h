/**
 * @file dev/fbcon.h
 * @brief Framebuffer text console: a bitmap font drawn into a linear framebuffer.
 *
 * The console keeps the screen as a grid of cells (glyph, foreground and
 * background colour) and draws a cell's pixels only when it differs from what
 * is already on the glass, so scrolling and redraws write the framebuffer but
 * never read it back (framebuffer memory is mapped uncached, where reads are
 * slow). It understands the same terminal language as the VGA text console
 * (dev/vga.h) and a little more: UTF-8 text mapped through the font's Unicode
 * table, SGR colours and attributes (`0 1 7 22 27 30-37 39 40-47 49 90-97
 * 100-107`), cursor movement (`A B C D E F G H d f`), erase (`J K X`),
 * insert/delete characters (`@ P`), save/restore (`s u`, `ESC 7`, `ESC 8`)
 * and showing/hiding the cursor (`ESC[?25h`, `ESC[?25l`). The cursor is an
 * underline on the cell's two lowest pixel rows.
 *
 * The font is a table generated at build time from a PC Screen Font by
 * mk/psf2c.py (build/gen/libdev/fbcon_font.c names its source and licence).
 *
 * Memory: the caller supplies the framebuffer mapping and the cell buffer
 * (fbcon_cells_needed() cells); both must live as long as the console. The
 * console allocates nothing. Locking: callers serialise (the console registry's
 * lock does, for fbcon_console_ops).
 */
#ifndef DEV_FBCON_H
#define DEV_FBCON_H

#include <k/console.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief One entry of a font's Unicode table. */
struct fbcon_font_map {
    uint32_t cp;    /**< Unicode code point. */
    uint16_t glyph; /**< Glyph index that draws it. */
};

/** @brief A bitmap font: @ref count glyphs of @ref width x @ref height pixels. */
struct fbcon_font {
    const char *name;                 /**< Source file name, for reports. */
    uint32_t width;                   /**< Glyph width in pixels. */
    uint32_t height;                  /**< Glyph height in pixels. */
    uint32_t stride;                  /**< Bytes per glyph row (leftmost pixel = MSB). */
    uint32_t count;                   /**< Number of glyphs. */
    const uint8_t *glyphs;            /**< count * height * stride bytes. */
    const struct fbcon_font_map *map; /**< Unicode table, sorted by code point. */
    uint32_t map_len;                 /**< Entries in @ref map. */
    uint32_t replacement;             /**< Glyph for code points the font lacks. */
};

/** @brief The font built into the kernel (generated from a Debian console font). */
extern const struct fbcon_font fbcon_font_default;

/**
 * @brief The glyph that draws a code point.
 * @param f  the font
 * @param cp a Unicode code point
 * @return its glyph index, or the font's replacement glyph if it has none
 */
uint32_t fbcon_font_glyph(const struct fbcon_font *f, uint32_t cp);

/**
 * @brief A glyph's bitmap: height rows of stride bytes, leftmost pixel in the MSB.
 * @param f     the font
 * @param glyph a glyph index below f->count (larger ones give the replacement)
 * @return pointer into the font's table
 */
const uint8_t *fbcon_font_bitmap(const struct fbcon_font *f, uint32_t glyph);

/** @brief A linear framebuffer with direct colour, as the boot loader describes it. */
struct fbcon_mode {
    volatile void *base; /**< Mapped address of pixel (0, 0). */
    uint32_t pitch;      /**< Bytes per pixel row. */
    uint32_t width;      /**< Pixels per row. */
    uint32_t height;     /**< Pixel rows. */
    uint8_t bpp;         /**< Bits per pixel: 16, 24 or 32. */
    uint8_t red_pos;     /**< Bit position of the red field. */
    uint8_t red_size;    /**< Width of the red field in bits. */
    uint8_t green_pos;   /**< Bit position of the green field. */
    uint8_t green_size;  /**< Width of the green field in bits. */
    uint8_t blue_pos;    /**< Bit position of the blue field. */
    uint8_t blue_size;   /**< Width of the blue field in bits. */
};

/** @brief One character cell. */
struct fbcon_cell {
    uint16_t glyph; /**< Glyph index (0xffff: unknown, must be redrawn). */
    uint8_t fg;     /**< Foreground colour, 0-15 in ANSI order. */
    uint8_t bg;     /**< Background colour, 0-15 in ANSI order. */
};

/** @brief State of one framebuffer console. */
struct fbcon {
    struct fbcon_mode mode;        /**< The framebuffer. */
    const struct fbcon_font *font; /**< The font. */
    uint32_t pixel[16];            /**< The 16 colours as pixel values. */
    int cols;                      /**< Text columns. */
    int rows;                      /**< Text rows. */
    struct fbcon_cell *cells;      /**< cols * rows: what the screen should show. */
    struct fbcon_cell *shown;      /**< cols * rows: what is drawn now. */
    int dirty_lo;                  /**< First row that may differ from @ref shown. */
    int dirty_hi;                  /**< One past the last such row (0: none). */
    int row;                       /**< Cursor row. */
    int col;                       /**< Cursor column (== cols: wrap before the next). */
    int saved_row;                 /**< Row saved by `ESC 7` / `ESC[s`. */
    int saved_col;                 /**< Column saved with it. */
    uint8_t fg;                    /**< Current foreground, 0-15. */
    uint8_t bg;                    /**< Current background, 0-15. */
    bool bold;                     /**< SGR 1: brighten colours 0-7. */
    bool reverse;                  /**< SGR 7: swap foreground and background. */
    bool cursor_visible;           /**< `ESC[?25h` / `ESC[?25l`. */
    int cursor_row;                /**< Where the cursor is drawn (-1: nowhere). */
    int cursor_col;                /**< Its column. */
    int esc_state;                 /**< Escape parser state (0: none). */
    bool esc_private;              /**< The sequence began `ESC[?`. */
    int esc_params[8];             /**< Numeric parameters. */
    int esc_nparams;               /**< How many were given. */
    uint32_t utf8_cp;              /**< UTF-8 decoder: code point so far. */
    int utf8_left;                 /**< Continuation bytes still expected. */
    uint32_t utf8_min;             /**< Smallest code point the sequence may encode. */
};

/**
 * @brief How many cells fbcon_init() needs for a mode and a font.
 * @param m the framebuffer
 * @param f the font
 * @return 2 * columns * rows, or 0 if not even one cell fits
 */
size_t fbcon_cells_needed(const struct fbcon_mode *m, const struct fbcon_font *f);

/**
 * @brief Set up a console on a framebuffer and clear the screen.
 * @param c      filled in
 * @param m      the framebuffer (copied)
 * @param f      the font; must live as long as @p c
 * @param cells  fbcon_cells_needed() cells; must live as long as @p c
 * @param ncells how many cells @p cells holds
 * @return 0; -EINVAL for a NULL argument, a depth other than 16, 24 or 32, a
 *         colour field outside the pixel, a pitch too small for the width, or a
 *         screen smaller than one glyph; -ENOSPC if @p ncells is too small
 */
int fbcon_init(struct fbcon *c, const struct fbcon_mode *m, const struct fbcon_font *f,
               struct fbcon_cell *cells, size_t ncells);

/**
 * @brief Write bytes: UTF-8 text, `\n \r \t \b`, and ANSI escape sequences.
 * @param c the console
 * @param s the bytes
 * @param n how many
 */
void fbcon_write(struct fbcon *c, const char *s, size_t n);

/** @brief Clear the screen and home the cursor. @param c the console */
void fbcon_clear(struct fbcon *c);

/**
 * @brief A colour as a pixel value of the console's mode.
 * @param c     the console
 * @param index 0-15 in ANSI order (black, red, green, yellow, blue, magenta,
 *              cyan, white, then the bright ones)
 * @return the pixel value (the low bpp bits are meaningful)
 */
uint32_t fbcon_color(const struct fbcon *c, int index);

/** @brief Console operations for a framebuffer console (ctx is the `struct fbcon *`). */
extern const struct console_ops fbcon_console_ops;

#endif
