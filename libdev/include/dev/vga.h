/**
 * @file dev/vga.h
 * @brief VGA text-mode console (80x25, 16 colours, scrolling, hardware cursor).
 *
 * The driver writes character/attribute cells into a caller-given buffer (the
 * real one at physical 0xB8000, or a plain array in tests) and moves the hardware
 * cursor through the CRT controller ports. It understands the small set of ANSI
 * escape sequences the shell emits, so the screen and a serial terminal show the
 * same thing: SGR colours (`ESC[0m`, `1`, `30-37`, `40-47`, `90-97`, `100-107`),
 * cursor moves (`A B C D H`), erase in line (`K`) and erase display (`2J`).
 *
 * Locking: none inside; callers serialise (the console registry's lock does,
 * for vga_console_ops).
 */
#ifndef DEV_VGA_H
#define DEV_VGA_H

#include <k/console.h>
#include <stddef.h>
#include <stdint.h>

#define VGA_COLS      80      /**< Text columns. */
#define VGA_ROWS      25      /**< Text rows. */
#define VGA_TEXT_PHYS 0xb8000 /**< Physical address of the text buffer. */

/** @brief The 16 VGA colours. */
enum vga_color {
    VGA_BLACK,
    VGA_BLUE,
    VGA_GREEN,
    VGA_CYAN,
    VGA_RED,
    VGA_MAGENTA,
    VGA_BROWN,
    VGA_LIGHT_GREY,
    VGA_DARK_GREY,
    VGA_LIGHT_BLUE,
    VGA_LIGHT_GREEN,
    VGA_LIGHT_CYAN,
    VGA_LIGHT_RED,
    VGA_LIGHT_MAGENTA,
    VGA_YELLOW,
    VGA_WHITE,
};

/** @brief Make an attribute byte. @param fg foreground @param bg background */
#define VGA_ATTR(fg, bg) ((uint8_t)(((bg) << 4) | (fg)))

/** @brief State of one text screen. */
struct vga {
    volatile uint16_t *cells; /**< VGA_COLS * VGA_ROWS cells. */
    int row;                  /**< Cursor row. */
    int col;                  /**< Cursor column. */
    uint8_t attr;             /**< Current attribute. */
    int esc_state;            /**< ANSI parser state (0: none). */
    int esc_params[4];        /**< Numeric parameters of the escape sequence. */
    int esc_nparams;          /**< How many parameters were given. */
    int hw_cursor;            /**< Move the hardware cursor (0 in tests). */
    /** What @ref cells holds, in RAM: a cell is written only when it changes, and
     *  a scroll reads nothing back (VGA memory is emulated I/O under QEMU, every
     *  access a trip through the emulator). */
    uint16_t shadow[VGA_COLS * VGA_ROWS];
};

/**
 * @brief Set up a screen over @p cells and clear it.
 * @param v         filled in
 * @param cells     VGA_COLS * VGA_ROWS cells; must live as long as @p v
 * @param hw_cursor nonzero to drive the CRT controller's cursor
 */
void vga_init(struct vga *v, volatile uint16_t *cells, int hw_cursor);

/** @brief Clear the screen and home the cursor. @param v the screen */
void vga_clear(struct vga *v);

/** @brief Set the colour for following text. @param v screen @param fg fg @param bg bg */
void vga_set_color(struct vga *v, enum vga_color fg, enum vga_color bg);

/**
 * @brief Write bytes: printable text, `\n \r \t \b`, and ANSI sequences.
 * @param v the screen
 * @param s the bytes
 * @param n how many
 */
void vga_write(struct vga *v, const char *s, size_t n);

/** @brief Console operations for a screen (ctx is the `struct vga *`). */
extern const struct console_ops vga_console_ops;

#endif
