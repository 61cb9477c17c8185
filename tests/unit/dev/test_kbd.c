/*
 * test_kbd.c - scancode decoder, the IRQ ring and the keyboard console.
 */
#include "cpu_mock.h"
#include <k/errno.h>
#include <arch/pic.h>
#include <check.h>
#include <dev/kbd.h>
#include <string.h>

Suite *kbd_suite(void);

static struct kbd_decoder d;

/* Feed a scancode sequence; return the characters typed. */
static const char *typed(const uint8_t *sc, size_t n)
{
    static char buf[64];
    size_t len = 0;
    struct kbd_event ev;
    for (size_t i = 0; i < n; i++)
        if (kbd_decode(&d, sc[i], &ev) && ev.ch && len + 1 < sizeof(buf))
            buf[len++] = ev.ch;
    buf[len] = '\0';
    return buf;
}

#define TYPED(...) typed((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void setup(void)
{
    cpu_mock_reset();
    kbd_decoder_init(&d);
}

START_TEST(test_letters_digits_and_release)
{
    /* h i (make + break each), 1, space, enter */
    ck_assert_str_eq(TYPED(0x23, 0xa3, 0x17, 0x97, 0x02, 0x82, 0x39, 0xb9, 0x1c, 0x9c), "hi1 \n");
    struct kbd_event ev;
    ck_assert(kbd_decode(&d, 0x1e, &ev));
    ck_assert_uint_eq(ev.key, 'a');
    ck_assert(ev.pressed);
    ck_assert_int_eq(ev.ch, 'a');
    ck_assert(kbd_decode(&d, 0x9e, &ev));
    ck_assert(!ev.pressed);
    ck_assert_int_eq(ev.ch, 0);
}
END_TEST

START_TEST(test_shift_letter_and_symbols)
{
    /* LShift down, a, 1, /, LShift up, a; RShift down, ' RShift up */
    ck_assert_str_eq(TYPED(0x2a, 0x1e, 0x9e, 0x02, 0x82, 0x35, 0xb5, 0xaa, 0x1e, 0x9e, 0x36, 0x28,
                           0xa8, 0xb6, 0x28),
                     "A!?a\"'");
}
END_TEST

START_TEST(test_caps_lock_toggles_letters_only)
{
    /* caps on: a 1 ; shift+a gives lowercase; caps off: a */
    ck_assert_str_eq(
        TYPED(0x3a, 0xba, 0x1e, 0x9e, 0x02, 0x82, 0x2a, 0x1e, 0x9e, 0xaa, 0x3a, 0xba, 0x1e),
        "A1aa");
    /* a held Caps Lock auto-repeats its make code: it toggles only once */
    kbd_decoder_init(&d);
    ck_assert_str_eq(TYPED(0x3a, 0x3a, 0x3a, 0xba, 0x1e), "A");
}
END_TEST

START_TEST(test_key_repeat_repeats_characters)
{
    ck_assert_str_eq(TYPED(0x1f, 0x1f, 0x1f, 0x1f, 0x9f), "ssss");
}
END_TEST

START_TEST(test_ctrl_combinations)
{
    struct kbd_event ev;
    ck_assert_str_eq(TYPED(0x1d, 0x2e, 0xae, 0x16, 0x96, 0x9d), "\x03\x15"); /* ^C ^U */
    /* right Ctrl is E0 1D */
    ck_assert_str_eq(TYPED(0xe0, 0x1d, 0x26, 0xa6, 0xe0, 0x9d, 0x26), "\x0cl");
    ck_assert(kbd_decode(&d, 0x1d, &ev));
    ck_assert_uint_eq(ev.key, KEY_LCTRL);
    ck_assert(ev.mods & KBD_MOD_CTRL);
    ck_assert_str_eq(TYPED(0x1a), "\x1b"); /* Ctrl+[ is ESC */
}
END_TEST

START_TEST(test_extended_keys)
{
    struct kbd_event ev;
    static const struct {
        uint8_t code;
        uint16_t key;
    } ext[] = { { 0x48, KEY_UP },   { 0x50, KEY_DOWN }, { 0x4b, KEY_LEFT },   { 0x4d, KEY_RIGHT },
                { 0x47, KEY_HOME }, { 0x4f, KEY_END },  { 0x53, KEY_DELETE }, { 0x52, KEY_INSERT },
                { 0x49, KEY_PGUP }, { 0x51, KEY_PGDN }, { 0x38, KEY_RALT } };
    for (unsigned i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        ck_assert(!kbd_decode(&d, 0xe0, &ev)); /* the prefix alone is no event */
        ck_assert(kbd_decode(&d, ext[i].code, &ev));
        ck_assert_uint_eq(ev.key, ext[i].key);
        ck_assert(ev.pressed);
        ck_assert_int_eq(ev.ch, 0);
        ck_assert(!kbd_decode(&d, 0xe0, &ev));
        ck_assert(kbd_decode(&d, ext[i].code | 0x80, &ev));
        ck_assert(!ev.pressed);
    }
    /* the same codes without the prefix are keypad keys */
    ck_assert_str_eq(TYPED(0x48, 0x4b, 0x53), "84.");
    /* keypad Enter and slash */
    ck_assert_str_eq(TYPED(0xe0, 0x1c, 0xe0, 0x35), "\n/");
}
END_TEST

START_TEST(test_ignored_sequences)
{
    struct kbd_event ev;
    /* Print Screen's fake shift (E0 2A) is not a key */
    ck_assert(!kbd_decode(&d, 0xe0, &ev));
    ck_assert(!kbd_decode(&d, 0x2a, &ev));
    ck_assert_str_eq(TYPED(0x1e), "a"); /* and no shift is left held */
    /* Pause: E1 1D 45 E1 9D C5 produces nothing */
    ck_assert_str_eq(TYPED(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x30), "b");
    /* controller ACK/overrun bytes are not keys */
    ck_assert_str_eq(TYPED(0xfa, 0x00, 0xff, 0xfe, 0x2e), "c");
    /* unknown codes are reported as such, with no character */
    ck_assert(kbd_decode(&d, 0x59, &ev));
    ck_assert_uint_eq(ev.key, KEY_UNKNOWN);
    ck_assert_int_eq(ev.ch, 0);
}
END_TEST

START_TEST(test_function_and_lock_keys)
{
    struct kbd_event ev;
    ck_assert(kbd_decode(&d, 0x3b, &ev));
    ck_assert_uint_eq(ev.key, KEY_F1);
    ck_assert(kbd_decode(&d, 0x44, &ev));
    ck_assert_uint_eq(ev.key, KEY_F1 + 9);
    ck_assert(kbd_decode(&d, 0x57, &ev));
    ck_assert_uint_eq(ev.key, KEY_F1 + 10);
    ck_assert(kbd_decode(&d, 0x58, &ev));
    ck_assert_uint_eq(ev.key, KEY_F12);
    ck_assert(kbd_decode(&d, 0x45, &ev));
    ck_assert_uint_eq(ev.key, KEY_NUMLOCK);
    ck_assert(kbd_decode(&d, 0x46, &ev));
    ck_assert_uint_eq(ev.key, KEY_SCROLLLOCK);
    ck_assert(kbd_decode(&d, 0x38, &ev));
    ck_assert(ev.mods & KBD_MOD_ALT);
    ck_assert(kbd_decode(&d, 0x3a, &ev));
    ck_assert(ev.mods & KBD_MOD_CAPS);
}
END_TEST

START_TEST(test_ring_overflow_counted)
{
    static struct kbd_ring r;
    kbd_ring_init(&r);
    ck_assert_int_eq(kbd_ring_get(&r), -EAGAIN);
    for (int i = 0; i < KBD_RING_SIZE; i++)
        ck_assert(kbd_ring_put(&r, (uint8_t)i));
    ck_assert(!kbd_ring_put(&r, 0xaa));
    ck_assert(!kbd_ring_put(&r, 0xbb));
    ck_assert_uint_eq(r.dropped, 2);
    for (int i = 0; i < KBD_RING_SIZE; i++)
        ck_assert_int_eq(kbd_ring_get(&r), i & 0xff);
    ck_assert_int_eq(kbd_ring_get(&r), -EAGAIN);
    /* indices wrap around many times */
    for (int i = 0; i < 10 * KBD_RING_SIZE; i++) {
        ck_assert(kbd_ring_put(&r, (uint8_t)(i * 7)));
        ck_assert_int_eq(kbd_ring_get(&r), (uint8_t)(i * 7));
    }
}
END_TEST

/* A keyboard controller model: a queue of scancodes behind ports 0x60/0x64. */
static uint8_t queue[64];
static int qhead, qlen;

static uint32_t kbc_io(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    (void)ctx;
    (void)width;
    (void)val;
    if (write)
        return 0;
    if (port == KBD_STATUS_PORT)
        return qlen > 0 ? 1 : 0;
    if (port == KBD_DATA_PORT && qlen > 0) {
        qlen--;
        return queue[qhead++];
    }
    if (port == PIC1_DATA || port == PIC2_DATA)
        return 0xff;
    return 0;
}

static struct kbd k;

static void press(const uint8_t *sc, int n)
{
    for (int i = 0; i < n; i++) {
        queue[qhead + qlen++] = sc[i];
        kbd_irq(&k); /* one interrupt per byte, as the controller does */
    }
}

START_TEST(test_init_flushes_and_unmasks)
{
    cpu_mock_set_device(kbc_io, NULL);
    qhead = 0;
    qlen = 3; /* stale bytes from before boot */
    kbd_init(&k);
    ck_assert_int_eq(qlen, 0);
    ck_assert_int_eq(kbd_console_ops.getc(&k), -EAGAIN);
    /* IRQ 1 was unmasked: the last write to the master's mask cleared bit 1 */
    size_t n = cpu_mock_log_len();
    bool unmasked = false;
    for (size_t i = 0; i < n; i++) {
        const struct port_access *a = cpu_mock_log(i);
        if (a->write && a->port == PIC1_DATA)
            unmasked = !(a->val & 2);
    }
    ck_assert(unmasked);
}
END_TEST

static int inputs;

static void count_input(void *ctx)
{
    ck_assert_ptr_eq(ctx, &inputs);
    inputs++;
}

START_TEST(test_on_input_called_per_byte)
{
    cpu_mock_set_device(kbc_io, NULL);
    qhead = qlen = 0;
    kbd_init(&k);
    qhead = 0;
    inputs = 0;
    static const uint8_t keys[] = { 0x1e, 0x9e };
    press(keys, 1); /* no hook yet: nothing called */
    k.on_input = count_input;
    k.on_input_ctx = &inputs;
    press(keys + 1, 1);
    ck_assert_int_eq(inputs, 1);
    ck_assert_int_eq(kbd_console_ops.getc(&k), 'a');
}
END_TEST

START_TEST(test_console_getc_gives_terminal_bytes)
{
    cpu_mock_set_device(kbc_io, NULL);
    qhead = qlen = 0;
    kbd_init(&k);
    qhead = 0;
    /* "l", "s", Enter, Up arrow, Delete, Shift+1 */
    static const uint8_t keys[] = { 0x26, 0xa6, 0x1f, 0x9f, 0x1c, 0x9c, 0xe0, 0x48, 0xe0,
                                    0xc8, 0xe0, 0x53, 0xe0, 0xd3, 0x2a, 0x02, 0x82, 0xaa };
    press(keys, sizeof(keys));
    char got[32];
    int n = 0, c;
    while ((c = kbd_console_ops.getc(&k)) >= 0)
        got[n++] = (char)c;
    got[n] = '\0';
    ck_assert_str_eq(got, "ls\n\x1b[A\x1b[3~!");
    kbd_console_ops.write(&k, "ignored", 7); /* output to a keyboard is a no-op */
}
END_TEST

Suite *kbd_suite(void)
{
    Suite *s = suite_create("kbd");
    TCase *dec = tcase_create("decoder");
    tcase_add_checked_fixture(dec, setup, NULL);
    tcase_add_test(dec, test_letters_digits_and_release);
    tcase_add_test(dec, test_shift_letter_and_symbols);
    tcase_add_test(dec, test_caps_lock_toggles_letters_only);
    tcase_add_test(dec, test_key_repeat_repeats_characters);
    tcase_add_test(dec, test_ctrl_combinations);
    tcase_add_test(dec, test_extended_keys);
    tcase_add_test(dec, test_ignored_sequences);
    tcase_add_test(dec, test_function_and_lock_keys);
    suite_add_tcase(s, dec);
    TCase *ring = tcase_create("ring");
    tcase_add_checked_fixture(ring, setup, NULL);
    tcase_add_test(ring, test_ring_overflow_counted);
    tcase_add_test(ring, test_init_flushes_and_unmasks);
    tcase_add_test(ring, test_console_getc_gives_terminal_bytes);
    tcase_add_test(ring, test_on_input_called_per_byte);
    suite_add_tcase(s, ring);
    return s;
}
