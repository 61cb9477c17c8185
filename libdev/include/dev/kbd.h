/**
 * @file dev/kbd.h
 * @brief PS/2 keyboard: scancode ring, set-1 decoder, and a console input.
 *
 * Three layers, each usable alone:
 * - **Ring**: the IRQ 1 handler reads port 0x60 into a fixed-size single-producer
 *   single-consumer ring. It never allocates or blocks; when the ring is full the
 *   byte is dropped and counted.
 * - **Decoder** (pure): turns scancode set 1 bytes, including 0xE0-prefixed
 *   extended codes, into key events for a US layout, tracking Shift, Ctrl, Alt and
 *   Caps Lock. Typed characters come out as ASCII; Ctrl+letter gives the control
 *   character.
 * - **Console input**: kbd_console_ops.getc() drains the ring through the decoder
 *   and returns bytes in the same form a serial terminal sends them — arrows,
 *   Home, End and Delete become VT100 escape sequences — so the shell reads one
 *   input format from both consoles.
 *
 * Locking: none. The ring is single-producer (the IRQ handler owns `head` and
 * `dropped`) single-consumer (the reader owns `tail`), published with
 * release/acquire. The decoder and `pending` belong to the one consumer (the
 * terminal's input task, or a caller under the console registry's lock).
 */
#ifndef DEV_KBD_H
#define DEV_KBD_H

#include <k/console.h>
#include <stdbool.h>
#include <stdint.h>

#define KBD_DATA_PORT   0x60 /**< 8042 data port. */
#define KBD_STATUS_PORT 0x64 /**< 8042 status port. */
#define KBD_IRQ         1    /**< Keyboard IRQ line. */
#define KBD_RING_SIZE   256  /**< Ring capacity in bytes (a power of two). */

/** @brief Keys that have no ASCII character of their own. */
enum kbd_key {
    KEY_NONE = 0,
    /* 1..127: the ASCII character of the unshifted key ('a', '1', '\n', '\b', 27, ...) */
    KEY_LSHIFT = 0x100,    /**< Left Shift. */
    KEY_RSHIFT,            /**< Right Shift. */
    KEY_LCTRL,             /**< Left Ctrl. */
    KEY_RCTRL,             /**< Right Ctrl (E0 1D). */
    KEY_LALT,              /**< Left Alt. */
    KEY_RALT,              /**< Right Alt (E0 38). */
    KEY_CAPSLOCK,          /**< Caps Lock. */
    KEY_NUMLOCK,           /**< Num Lock. */
    KEY_SCROLLLOCK,        /**< Scroll Lock. */
    KEY_UP,                /**< Arrow up (E0 48). */
    KEY_DOWN,              /**< Arrow down (E0 50). */
    KEY_LEFT,              /**< Arrow left (E0 4B). */
    KEY_RIGHT,             /**< Arrow right (E0 4D). */
    KEY_HOME,              /**< Home (E0 47). */
    KEY_END,               /**< End (E0 4F). */
    KEY_PGUP,              /**< Page Up (E0 49). */
    KEY_PGDN,              /**< Page Down (E0 51). */
    KEY_INSERT,            /**< Insert (E0 52). */
    KEY_DELETE,            /**< Delete (E0 53). */
    KEY_F1,                /**< F1; F2..F12 follow. */
    KEY_F12 = KEY_F1 + 11, /**< F12. */
    KEY_KP_ENTER,          /**< Keypad Enter (E0 1C). */
    KEY_KP_SLASH,          /**< Keypad / (E0 35). */
    KEY_UNKNOWN,           /**< A scancode we do not map. */
};

/** @name Modifier bits in kbd_event.mods */
/** @{ */
#define KBD_MOD_SHIFT 0x01 /**< Either Shift held. */
#define KBD_MOD_CTRL  0x02 /**< Either Ctrl held. */
#define KBD_MOD_ALT   0x04 /**< Either Alt held. */
#define KBD_MOD_CAPS  0x08 /**< Caps Lock on. */
/** @} */

/** @brief One decoded key press or release. */
struct kbd_event {
    uint16_t key; /**< ASCII of the unshifted key (1..127) or an enum kbd_key. */
    bool pressed; /**< Make (true) or break (false). */
    uint8_t mods; /**< KBD_MOD_* after this event. */
    char ch;      /**< Character typed (0 if none, or on release). */
};

/** @brief Decoder state: modifiers and a pending 0xE0 prefix. */
struct kbd_decoder {
    bool extended;  /**< The previous byte was 0xE0. */
    int skip;       /**< Bytes left of a Pause sequence (E1 ...), ignored. */
    bool lshift;    /**< Left Shift held. */
    bool rshift;    /**< Right Shift held. */
    bool lctrl;     /**< Left Ctrl held. */
    bool rctrl;     /**< Right Ctrl held. */
    bool lalt;      /**< Left Alt held. */
    bool ralt;      /**< Right Alt held. */
    bool caps;      /**< Caps Lock on. */
    bool caps_held; /**< Caps Lock key is down (ignore its auto-repeat). */
};

/** @brief Reset a decoder (no modifiers, no prefix). @param d the decoder */
void kbd_decoder_init(struct kbd_decoder *d);

/**
 * @brief Feed one scancode byte.
 * @param d   the decoder
 * @param sc  the byte from port 0x60
 * @param out the event, when one is complete
 * @return true if @p out holds an event; false for a prefix byte or ignored code
 */
bool kbd_decode(struct kbd_decoder *d, uint8_t sc, struct kbd_event *out);

/** @brief A single-producer (IRQ) single-consumer byte ring. */
struct kbd_ring {
    uint8_t buf[KBD_RING_SIZE]; /**< Storage. */
    volatile uint32_t head;     /**< Next write (producer only). */
    volatile uint32_t tail;     /**< Next read (consumer only). */
    volatile uint32_t dropped;  /**< Bytes lost because the ring was full. */
};

/** @brief Empty a ring. @param r the ring */
void kbd_ring_init(struct kbd_ring *r);
/** @brief Add a byte (producer side). @param r ring @param b byte @return false if full */
bool kbd_ring_put(struct kbd_ring *r, uint8_t b);
/** @brief Take a byte (consumer side). @param r ring @return 0..255, or -EAGAIN if empty */
int kbd_ring_get(struct kbd_ring *r);

/** @brief The keyboard: ring, decoder, and pending console bytes. */
struct kbd {
    struct kbd_ring ring;   /**< Scancodes from the IRQ handler. */
    struct kbd_decoder dec; /**< Decoder state (consumer side). */
    char pending[8];        /**< Console bytes not yet returned (escape sequences). */
    int npending;           /**< How many. */
    /**
     * @brief Called from the IRQ 1 handler after each byte is queued (NULL for
     * none): lets a sleeping reader be woken. Runs in interrupt context.
     */
    void (*on_input)(void *ctx);
    void *on_input_ctx; /**< Passed to on_input. */
};

/**
 * @brief Set up the keyboard: flush the controller, install the IRQ 1 handler
 * and unmask the line. Set on_input afterwards to be told of new input.
 * @param k the keyboard (must live as long as the kernel)
 */
void kbd_init(struct kbd *k);

/**
 * @brief The IRQ 1 handler body: read port 0x60 into the ring, then call
 * on_input if set (exposed for tests).
 * @param k the keyboard
 */
void kbd_irq(struct kbd *k);

/**
 * @brief Next event from the ring, decoding as needed.
 * @param k   the keyboard
 * @param out the event
 * @return true if an event was produced; false if the ring ran dry
 */
bool kbd_next_event(struct kbd *k, struct kbd_event *out);

/** @brief Console input from the keyboard (ctx is the `struct kbd *`); write is a no-op. */
extern const struct console_ops kbd_console_ops;

#endif
