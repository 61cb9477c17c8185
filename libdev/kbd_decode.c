/*
 * kbd_decode.c - scancode set 1 to key events, US layout (dev/kbd.h).
 *
 * Pure: no I/O, no globals; the decoder state is the caller's.
 */
#include <dev/kbd.h>

/* Unshifted and shifted characters for make codes 0x00-0x58 (0: no character). */
static const char plain[0x59] = {
    0,   27,  '1', '2', '3',  '4', '5', '6',  '7', '8', '9',  '0', '-', '=', '\b', '\t', 'q', 'w',
    'e', 'r', 't', 'y', 'u',  'i', 'o', 'p',  '[', ']', '\n', 0,   'a', 's', 'd',  'f',  'g', 'h',
    'j', 'k', 'l', ';', '\'', '`', 0,   '\\', 'z', 'x', 'c',  'v', 'b', 'n', 'm',  ',',  '.', '/',
    0,   '*', 0,   ' ', 0,    0,   0,   0,    0,   0,   0,    0,   0,   0,   0,    0,    0,   '7',
    '8', '9', '-', '4', '5',  '6', '+', '1',  '2', '3', '0',  '.', 0,   0,   0,    0,    0,
};

static const char shifted[0x59] = {
    0,   27,  '!', '@', '#', '$', '%', '^', '&', '*', '(',  ')', '_', '+', '\b', '\t', 'Q', 'W',
    'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n', 0,   'A', 'S', 'D',  'F',  'G', 'H',
    'J', 'K', 'L', ':', '"', '~', 0,   '|', 'Z', 'X', 'C',  'V', 'B', 'N', 'M',  '<',  '>', '?',
    0,   '*', 0,   ' ', 0,   0,   0,   0,   0,   0,   0,    0,   0,   0,   0,    0,    0,   '7',
    '8', '9', '-', '4', '5', '6', '+', '1', '2', '3', '0',  '.', 0,   0,   0,    0,    0,
};

void kbd_decoder_init(struct kbd_decoder *d)
{
    *d = (struct kbd_decoder){ 0 };
}

static uint8_t mods(const struct kbd_decoder *d)
{
    uint8_t m = 0;
    if (d->lshift || d->rshift)
        m |= KBD_MOD_SHIFT;
    if (d->lctrl || d->rctrl)
        m |= KBD_MOD_CTRL;
    if (d->lalt || d->ralt)
        m |= KBD_MOD_ALT;
    if (d->caps)
        m |= KBD_MOD_CAPS;
    return m;
}

static uint16_t extended_key(uint8_t code)
{
    switch (code) {
    case 0x1c:
        return KEY_KP_ENTER;
    case 0x1d:
        return KEY_RCTRL;
    case 0x35:
        return KEY_KP_SLASH;
    case 0x38:
        return KEY_RALT;
    case 0x47:
        return KEY_HOME;
    case 0x48:
        return KEY_UP;
    case 0x49:
        return KEY_PGUP;
    case 0x4b:
        return KEY_LEFT;
    case 0x4d:
        return KEY_RIGHT;
    case 0x4f:
        return KEY_END;
    case 0x50:
        return KEY_DOWN;
    case 0x51:
        return KEY_PGDN;
    case 0x52:
        return KEY_INSERT;
    case 0x53:
        return KEY_DELETE;
    default:
        return KEY_NONE;
    }
}

static uint16_t plain_key(uint8_t code)
{
    switch (code) {
    case 0x1d:
        return KEY_LCTRL;
    case 0x2a:
        return KEY_LSHIFT;
    case 0x36:
        return KEY_RSHIFT;
    case 0x38:
        return KEY_LALT;
    case 0x3a:
        return KEY_CAPSLOCK;
    case 0x45:
        return KEY_NUMLOCK;
    case 0x46:
        return KEY_SCROLLLOCK;
    case 0x57:
        return KEY_F1 + 10;
    case 0x58:
        return KEY_F12;
    default:
        if (code >= 0x3b && code <= 0x44)
            return (uint16_t)(KEY_F1 + (code - 0x3b));
        if (code < sizeof(plain) && plain[code])
            return (uint8_t)plain[code];
        return KEY_UNKNOWN;
    }
}

/* Track modifier keys; returns true if the key was one. */
static bool update_modifiers(struct kbd_decoder *d, uint16_t key, bool pressed)
{
    switch (key) {
    case KEY_LSHIFT:
        d->lshift = pressed;
        return true;
    case KEY_RSHIFT:
        d->rshift = pressed;
        return true;
    case KEY_LCTRL:
        d->lctrl = pressed;
        return true;
    case KEY_RCTRL:
        d->rctrl = pressed;
        return true;
    case KEY_LALT:
        d->lalt = pressed;
        return true;
    case KEY_RALT:
        d->ralt = pressed;
        return true;
    case KEY_CAPSLOCK:
        if (pressed && !d->caps_held) /* auto-repeat of a held key does not toggle again */
            d->caps = !d->caps;
        d->caps_held = pressed;
        return true;
    default:
        return false;
    }
}

static char typed_char(const struct kbd_decoder *d, uint8_t code, bool extended, uint16_t key)
{
    if (extended)
        return key == KEY_KP_ENTER ? '\n' : key == KEY_KP_SLASH ? '/' : 0;
    if (code >= sizeof(plain) || !plain[code])
        return 0;
    bool shift = d->lshift || d->rshift;
    char c = plain[code];
    if (c >= 'a' && c <= 'z') {
        if (shift != d->caps)
            c = shifted[code];
    } else if (shift) {
        c = shifted[code];
    }
    if (d->lctrl || d->rctrl) {
        if (c >= 'a' && c <= 'z')
            return (char)(c - 'a' + 1);
        if (c >= 'A' && c <= 'Z')
            return (char)(c - 'A' + 1);
        if (c == '[' || c == '\\' || c == ']')
            return (char)(c - 0x40);
    }
    return c;
}

bool kbd_decode(struct kbd_decoder *d, uint8_t sc, struct kbd_event *out)
{
    if (d->skip > 0) { /* rest of a Pause sequence */
        d->skip--;
        return false;
    }
    if (sc == 0xe1) {
        d->skip = 5;
        d->extended = false;
        return false;
    }
    if (sc == 0xe0) {
        d->extended = true;
        return false;
    }
    if (sc == 0x00 || sc == 0xff || sc == 0xfa || sc == 0xfe) {
        d->extended = false; /* controller overrun/ACK/resend bytes: not keys */
        return false;
    }
    bool extended = d->extended;
    d->extended = false;
    bool pressed = !(sc & 0x80);
    uint8_t code = sc & 0x7f;

    uint16_t key = extended ? extended_key(code) : plain_key(code);
    if (key == KEY_NONE)
        return false; /* E0 2A / E0 AA (fake shifts around Print Screen) and friends */

    update_modifiers(d, key, pressed);
    out->key = key;
    out->pressed = pressed;
    out->mods = mods(d);
    out->ch = pressed ? typed_char(d, code, extended, key) : 0;
    return true;
}
