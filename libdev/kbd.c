/*
 * kbd.c - PS/2 keyboard ring, IRQ handler and console input (dev/kbd.h).
 *
 * The ring is single-producer (the IRQ 1 handler) single-consumer (whoever polls
 * the console), so it needs no lock: each side owns one index and publishes it
 * with release/acquire ordering.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/pic.h>
#include <dev/kbd.h>
#include <string.h>

#define KBD_STATUS_OUTPUT_FULL 0x01

void kbd_ring_init(struct kbd_ring *r)
{
    r->head = r->tail = r->dropped = 0;
}

bool kbd_ring_put(struct kbd_ring *r, uint8_t b)
{
    uint32_t head = r->head;
    uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
    if (head - tail == KBD_RING_SIZE) {
        r->dropped++;
        return false;
    }
    r->buf[head % KBD_RING_SIZE] = b;
    __atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
    return true;
}

int kbd_ring_get(struct kbd_ring *r)
{
    uint32_t tail = r->tail;
    uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    if (head == tail)
        return -EAGAIN;
    uint8_t b = r->buf[tail % KBD_RING_SIZE];
    __atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
    return b;
}

void kbd_irq(struct kbd *k)
{
    /* One byte per interrupt; read it even if the ring is full, or the
     * controller would stop interrupting. */
    uint8_t sc = inb(KBD_DATA_PORT);
    kbd_ring_put(&k->ring, sc);
    if (k->on_input)
        k->on_input(k->on_input_ctx);
}

static void kbd_irq_handler(void *ctx, struct trap_frame *tf)
{
    (void)tf;
    kbd_irq(ctx);
}

void kbd_init(struct kbd *k)
{
    memset(k, 0, sizeof(*k));
    kbd_ring_init(&k->ring);
    kbd_decoder_init(&k->dec);
    /* Throw away whatever the controller holds from before us (bounded). */
    for (int i = 0; i < 32 && (inb(KBD_STATUS_PORT) & KBD_STATUS_OUTPUT_FULL); i++)
        (void)inb(KBD_DATA_PORT);
    irq_set_handler(KBD_IRQ, kbd_irq_handler, k);
    irq_unmask(KBD_IRQ);
}

bool kbd_next_event(struct kbd *k, struct kbd_event *out)
{
    int b;
    while ((b = kbd_ring_get(&k->ring)) >= 0) {
        if (kbd_decode(&k->dec, (uint8_t)b, out))
            return true;
    }
    return false;
}

/* The VT100 sequence a terminal sends for a key, or NULL. */
static const char *key_sequence(uint16_t key)
{
    switch (key) {
    case KEY_UP:
        return "\x1b[A";
    case KEY_DOWN:
        return "\x1b[B";
    case KEY_RIGHT:
        return "\x1b[C";
    case KEY_LEFT:
        return "\x1b[D";
    case KEY_HOME:
        return "\x1b[H";
    case KEY_END:
        return "\x1b[F";
    case KEY_INSERT:
        return "\x1b[2~";
    case KEY_DELETE:
        return "\x1b[3~";
    case KEY_PGUP:
        return "\x1b[5~";
    case KEY_PGDN:
        return "\x1b[6~";
    default:
        return NULL;
    }
}

static int kbd_console_getc(void *ctx)
{
    struct kbd *k = ctx;
    struct kbd_event ev;
    while (k->npending == 0) {
        if (!kbd_next_event(k, &ev))
            return -EAGAIN;
        if (!ev.pressed)
            continue;
        const char *seq = key_sequence(ev.key);
        if (seq) {
            k->npending = (int)strlen(seq);
            memcpy(k->pending, seq, (size_t)k->npending);
        } else if (ev.ch) {
            k->pending[0] = ev.ch;
            k->npending = 1;
        }
    }
    int c = (unsigned char)k->pending[0];
    memmove(k->pending, k->pending + 1, (size_t)--k->npending);
    return c;
}

static void kbd_console_write(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    (void)s;
    (void)n;
}

const struct console_ops kbd_console_ops = {
    .write = kbd_console_write,
    .getc = kbd_console_getc,
};
