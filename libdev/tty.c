/*
 * tty.c - the terminal line discipline (dev/tty.h).
 *
 * Layer: pure state over caller-supplied hooks, so the same code runs in the
 * kernel and in host tests. Input arrives one byte at a time through
 * tty_receive() (the kernel's input task feeds it from COM1 and the
 * keyboard); readers take it with tty_read(), which sleeps through the wait
 * hook; tty_write() and echo go out through the output hook.
 *
 * The input buffer is one ring of TTY_BUF bytes indexed by three counters
 * that only grow (wrapping at 2^32, always compared by difference):
 *
 *     head ........ canon ........ tail
 *     |  readable   |  being edited  |
 *
 * In canonical mode a line's end (newline, VEOL, VEOL2, VEOF) moves canon to
 * tail and is marked in flags[] (an end of file is marked as such and never
 * returned); erase and kill only move tail back toward canon. In raw mode
 * canon always equals tail. One byte is kept free while a line is edited, so
 * its end always fits. Memory: all of it is inside struct tty.
 *
 * Locking: every entry takes the tty lock; the output and signal hooks run
 * under it, the wait hook never does.
 */
#include <dev/tty.h>
#include <k/errno.h>
#include <string.h>

#define F_DELIM 1 /* ends a canonical line */
#define F_EOF   2 /* an end of file: ends the line, is not returned */

#define SIGHUP   1
#define SIGINT   2
#define SIGQUIT  3
#define SIGTSTP  20
#define SIGCONT  18
#define SIGWINCH 28

enum kill_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

static uint64_t tty_lock(struct tty *t)
{
    return t->lock ? t->lock->lock(t->lock_ctx) : 0;
}

static void tty_unlock(struct tty *t, uint64_t f)
{
    if (t->lock)
        t->lock->unlock(t->lock_ctx, f);
}

/* ---- output ---- */

/* Output gathered under the lock and handed to the hook in pieces. */
struct obuf {
    struct tty *t;
    size_t n;
    char b[128];
};

static void ob_flush(struct obuf *o)
{
    if (o->n && o->t->ops->output)
        o->t->ops->output(o->t->ctx, o->b, o->n);
    o->n = 0;
}

static void ob_put(struct obuf *o, char c)
{
    if (o->n == sizeof(o->b))
        ob_flush(o);
    o->b[o->n++] = c;
}

static bool is_ctl(uint8_t c)
{
    return c < 32 || c == 127;
}

/* One byte through output processing, keeping track of the column. */
static void opost(struct tty *t, struct obuf *o, uint8_t c)
{
    uint32_t of = t->tio.c_oflag;
    bool post = of & TTY_OPOST;
    switch (c) {
    case '\n':
        if (post && (of & TTY_ONLCR)) {
            ob_put(o, '\r');
            t->column = 0;
        } else if (post && (of & TTY_ONLRET)) {
            t->column = 0;
        }
        break;
    case '\r':
        if (post && (of & TTY_ONOCR) && t->column == 0)
            return;
        if (post && (of & TTY_OCRNL)) {
            c = '\n';
            if (of & TTY_ONLRET)
                t->column = 0;
        } else {
            t->column = 0;
        }
        break;
    case '\t':
        t->column = (t->column | 7) + 1;
        break;
    case '\b':
        if (t->column > 0)
            t->column--;
        break;
    default:
        if (!is_ctl(c))
            t->column++;
        break;
    }
    ob_put(o, (char)c);
}

/* Echo of an input byte: control characters as ^X with ECHOCTL (not TAB;
 * a newline is a newline). */
static void echo_char(struct tty *t, struct obuf *o, uint8_t c)
{
    if (c != '\n' && c != '\t' && is_ctl(c) && (t->tio.c_lflag & TTY_ECHOCTL)) {
        opost(t, o, '^');
        opost(t, o, c ^ 0100);
    } else {
        opost(t, o, c);
    }
}

/* ---- input ---- */

static bool is_cc(const struct tty *t, uint8_t c, int idx)
{
    return t->tio.c_cc[idx] != 0 && c == t->tio.c_cc[idx];
}

static uint32_t used(const struct tty *t)
{
    return t->tail - t->head;
}

static void store(struct tty *t, uint8_t c, uint8_t flags)
{
    t->buf[t->tail % TTY_BUF] = c;
    t->flags[t->tail % TTY_BUF] = flags;
    t->tail++;
}

static void wake(struct tty *t)
{
    if (t->ops->wake)
        t->ops->wake(t->ctx);
}

static void flush_input(struct tty *t)
{
    t->head = t->canon = t->tail;
    t->lnext = false;
}

/* The screen column where the byte at index @p end (relative to canon)
 * would start: what erasing a tab goes back to. */
static uint32_t column_at(const struct tty *t, uint32_t end)
{
    uint32_t col = t->canon_column;
    for (uint32_t i = t->canon; i != end; i++) {
        uint8_t c = t->buf[i % TTY_BUF];
        if (c == '\t')
            col = (col | 7) + 1;
        else if (is_ctl(c) && (t->tio.c_lflag & TTY_ECHOCTL))
            col += 2;
        else if (!is_ctl(c))
            col++;
    }
    return col;
}

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Erase a character, a word or the line being edited. */
static void erase(struct tty *t, struct obuf *o, enum kill_kind kind)
{
    uint32_t lf = t->tio.c_lflag;
    if (t->tail == t->canon)
        return; /* nothing typed: nothing to erase, nothing echoed */
    bool echo = lf & TTY_ECHO;
    if (kind == ERASE_LINE &&
        (!echo || !(lf & TTY_ECHOK) || !(lf & TTY_ECHOKE) || !(lf & TTY_ECHOE))) {
        t->tail = t->canon;
        if (echo) {
            echo_char(t, o, t->tio.c_cc[TTY_VKILL]);
            if (lf & TTY_ECHOK)
                opost(t, o, '\n');
        }
        return;
    }
    bool seen_word = false;
    while (t->tail != t->canon) {
        uint8_t c = t->buf[(t->tail - 1) % TTY_BUF];
        if (kind == ERASE_WORD) {
            if (is_space(c) && seen_word)
                break;
            seen_word |= !is_space(c);
        }
        t->tail--;
        if (echo) {
            if (kind == ERASE_CHAR && !(lf & TTY_ECHOE)) {
                echo_char(t, o, t->tio.c_cc[TTY_VERASE]);
            } else if (c == '\t') {
                uint32_t col = column_at(t, t->tail);
                while (t->column > col)
                    opost(t, o, '\b');
            } else {
                int width = is_ctl(c) ? ((lf & TTY_ECHOCTL) ? 2 : 0) : 1;
                for (int i = 0; i < width; i++) {
                    opost(t, o, '\b');
                    opost(t, o, ' ');
                    opost(t, o, '\b');
                }
            }
        }
        if (kind == ERASE_CHAR)
            break;
    }
}

static void isig(struct tty *t, struct obuf *o, uint8_t c, int sig)
{
    if (!(t->tio.c_lflag & TTY_NOFLSH))
        flush_input(t);
    if (t->tio.c_lflag & TTY_ECHO)
        echo_char(t, o, c);
    if (t->pgrp > 0 && t->ops->signal)
        t->ops->signal(t->ctx, t->pgrp, sig);
}

/* A line is complete: readers may have it. */
static void commit(struct tty *t)
{
    t->canon = t->tail;
    wake(t);
}

static void put_char(struct tty *t, struct obuf *o, uint8_t c)
{
    bool canon = t->tio.c_lflag & TTY_ICANON;
    /* A line being edited keeps one byte free for its end. */
    if (used(t) >= (canon ? TTY_BUF - 1u : TTY_BUF))
        return;
    if (t->tio.c_lflag & TTY_ECHO) {
        if (t->tail == t->canon)
            t->canon_column = t->column;
        echo_char(t, o, c);
    }
    store(t, c, 0);
    if (!canon)
        commit(t);
}

static void reprint(struct tty *t, struct obuf *o, uint8_t c)
{
    if (!(t->tio.c_lflag & TTY_ECHO))
        return;
    echo_char(t, o, c);
    opost(t, o, '\n');
    t->canon_column = t->column;
    for (uint32_t i = t->canon; i != t->tail; i++)
        echo_char(t, o, t->buf[i % TTY_BUF]);
}

static void receive_locked(struct tty *t, struct obuf *o, uint8_t c)
{
    uint32_t lf = t->tio.c_lflag, ifl = t->tio.c_iflag;
    if (ifl & TTY_ISTRIP)
        c &= 0x7f;
    if (t->lnext) {
        t->lnext = false;
        put_char(t, o, c);
        return;
    }
    if (c == '\r') {
        if (ifl & TTY_IGNCR)
            return;
        if (ifl & TTY_ICRNL)
            c = '\n';
    } else if (c == '\n' && (ifl & TTY_INLCR)) {
        c = '\r';
    }
    if (lf & TTY_ISIG) {
        int sig = is_cc(t, c, TTY_VINTR)   ? SIGINT
                  : is_cc(t, c, TTY_VQUIT) ? SIGQUIT
                  : is_cc(t, c, TTY_VSUSP) ? SIGTSTP
                                           : 0;
        if (sig) {
            isig(t, o, c, sig);
            return;
        }
    }
    if (!(lf & TTY_ICANON)) {
        put_char(t, o, c);
        return;
    }
    /* Many serial terminals send ^H for Backspace: it erases too. */
    if (is_cc(t, c, TTY_VERASE) || c == '\b') {
        erase(t, o, ERASE_CHAR);
        return;
    }
    if (is_cc(t, c, TTY_VKILL)) {
        erase(t, o, ERASE_LINE);
        return;
    }
    if (lf & TTY_IEXTEN) {
        if (is_cc(t, c, TTY_VWERASE)) {
            erase(t, o, ERASE_WORD);
            return;
        }
        if (is_cc(t, c, TTY_VLNEXT)) {
            t->lnext = true;
            if ((lf & TTY_ECHO) && (lf & TTY_ECHOCTL)) {
                opost(t, o, '^');
                opost(t, o, '\b');
            }
            return;
        }
        if (is_cc(t, c, TTY_VREPRINT)) {
            reprint(t, o, c);
            return;
        }
    }
    bool eof = is_cc(t, c, TTY_VEOF);
    if (eof || c == '\n' || is_cc(t, c, TTY_VEOL) || is_cc(t, c, TTY_VEOL2)) {
        if (used(t) >= TTY_BUF)
            return;
        if (!eof && ((lf & TTY_ECHO) || (c == '\n' && (lf & TTY_ECHONL))))
            echo_char(t, o, c);
        store(t, c, eof ? F_DELIM | F_EOF : F_DELIM);
        commit(t);
        return;
    }
    put_char(t, o, c);
}

void tty_receive(struct tty *t, uint8_t c)
{
    uint64_t f = tty_lock(t);
    struct obuf o = { .t = t };
    receive_locked(t, &o, c);
    ob_flush(&o);
    tty_unlock(t, f);
}

size_t tty_receive_room(struct tty *t)
{
    uint64_t f = tty_lock(t);
    size_t room = TTY_BUF - used(t);
    bool canon = t->tio.c_lflag & TTY_ICANON;
    /* While a line is being edited, erase, kill and its end must get in. */
    if (canon && room == 0 && t->canon == t->head)
        room = 1;
    if (room == 0)
        t->stalled = true;
    tty_unlock(t, f);
    return room;
}

/* ---- reading ---- */

struct ready_arg {
    struct tty *t;
    size_t want; /* raw mode: bytes wanted */
};

static bool ready(void *arg)
{
    struct ready_arg *a = arg;
    uint64_t f = tty_lock(a->t);
    size_t avail = a->t->canon - a->t->head;
    bool r = (a->t->tio.c_lflag & TTY_ICANON) ? avail > 0 : avail >= a->want;
    tty_unlock(a->t, f);
    return r;
}

/* Bytes up to and including a line's end (an end of file is taken, not
 * returned). */
static size_t copy_line(struct tty *t, uint8_t *out, size_t n)
{
    size_t k = 0;
    while (k < n && t->head != t->canon) {
        uint32_t i = t->head % TTY_BUF;
        t->head++;
        if (t->flags[i] & F_EOF)
            break;
        out[k++] = t->buf[i];
        if (t->flags[i] & F_DELIM)
            break;
    }
    return k;
}

static size_t copy_raw(struct tty *t, uint8_t *out, size_t n)
{
    size_t k = 0;
    while (k < n && t->head != t->canon)
        out[k++] = t->buf[t->head++ % TTY_BUF];
    return k;
}

/* After a read: let a held-back feeder go on. */
static void made_room(struct tty *t)
{
    if (t->stalled && used(t) < TTY_BUF) {
        t->stalled = false;
        if (t->ops->room)
            t->ops->room(t->ctx);
    }
}

long tty_read(struct tty *t, void *buf, size_t n)
{
    if (n == 0)
        return 0;
    int why = 0; /* -EINTR or -ETIMEDOUT ended the last wait: take what is there */
    for (;;) {
        uint64_t f = tty_lock(t);
        size_t avail = t->canon - t->head;
        uint8_t vmin = t->tio.c_cc[TTY_VMIN], vtime = t->tio.c_cc[TTY_VTIME];
        size_t want = vmin < n ? vmin : n;
        struct ready_arg arg = { t, 1 };
        uint32_t timeout = 0;
        bool canon = t->tio.c_lflag & TTY_ICANON;
        if ((canon && (avail > 0 || why)) ||
            (!canon &&
             (why || (vmin == 0 && (avail > 0 || vtime == 0)) || (vmin > 0 && avail >= want)))) {
            size_t k = canon ? copy_line(t, buf, n) : copy_raw(t, buf, n);
            made_room(t);
            tty_unlock(t, f);
            if (k == 0 && why == -EINTR)
                return -EINTR;
            if (k == 0 && why == -ETIMEDOUT && vmin > 0) {
                why = 0; /* another reader took the bytes: wait again */
                continue;
            }
            return (long)k;
        }
        if (vmin == 0) {
            timeout = vtime * 100u; /* any byte within VTIME */
        } else if (vtime > 0 && avail > 0) {
            arg.want = avail + 1; /* the gap between bytes is at most VTIME */
            timeout = vtime * 100u;
        } else {
            arg.want = want;
        }
        tty_unlock(t, f);
        int err = t->ops->wait(t->ctx, ready, &arg, timeout);
        if (err == -EINTR || err == -ETIMEDOUT)
            why = err;
        else if (err)
            return err;
    }
}

/* ---- writing ---- */

long tty_write(struct tty *t, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    for (size_t done = 0; done < n;) {
        size_t chunk = n - done < 256 ? n - done : 256; /* bound the time under the lock */
        uint64_t f = tty_lock(t);
        struct obuf o = { .t = t };
        for (size_t i = 0; i < chunk; i++)
            opost(t, &o, p[done + i]);
        ob_flush(&o);
        tty_unlock(t, f);
        done += chunk;
    }
    return (long)n;
}

/* ---- settings ---- */

void tty_default_termios(struct tty_termios *tio)
{
    static const uint8_t cc[TTY_NCCS] = {
        [TTY_VINTR] = 003,   [TTY_VQUIT] = 034,  [TTY_VERASE] = 0177,  [TTY_VKILL] = 025,
        [TTY_VEOF] = 004,    [TTY_VTIME] = 0,    [TTY_VMIN] = 1,       [TTY_VSTART] = 021,
        [TTY_VSTOP] = 023,   [TTY_VSUSP] = 032,  [TTY_VREPRINT] = 022, [TTY_VDISCARD] = 017,
        [TTY_VWERASE] = 027, [TTY_VLNEXT] = 026,
    };
    memset(tio, 0, sizeof(*tio));
    tio->c_iflag = TTY_ICRNL;
    tio->c_oflag = TTY_OPOST | TTY_ONLCR;
    tio->c_cflag = TTY_B38400 | TTY_CS8 | TTY_CREAD | TTY_HUPCL;
    tio->c_lflag = TTY_ISIG | TTY_ICANON | TTY_ECHO | TTY_ECHOE | TTY_ECHOK | TTY_ECHOCTL |
                   TTY_ECHOKE | TTY_IEXTEN;
    memcpy(tio->c_cc, cc, sizeof(cc));
}

void tty_make_raw(struct tty_termios *tio)
{
    tio->c_iflag &= ~(uint32_t)(TTY_ISTRIP | TTY_INLCR | TTY_IGNCR | TTY_ICRNL | TTY_IXON);
    tio->c_lflag &= ~(uint32_t)(TTY_ECHO | TTY_ECHONL | TTY_ICANON | TTY_ISIG | TTY_IEXTEN);
    tio->c_cc[TTY_VMIN] = 1;
    tio->c_cc[TTY_VTIME] = 0;
}

void tty_init(struct tty *t, const struct tty_ops *ops, void *ctx,
              const struct console_lock_ops *lock, void *lock_ctx)
{
    memset(t, 0, sizeof(*t));
    t->ops = ops;
    t->ctx = ctx;
    t->lock = lock;
    t->lock_ctx = lock_ctx;
    tty_default_termios(&t->tio);
    t->ws.ws_row = 25;
    t->ws.ws_col = 80;
}

void tty_set_termios(struct tty *t, const struct tty_termios *tio, enum tty_when when)
{
    uint64_t f = tty_lock(t);
    bool was_canon = t->tio.c_lflag & TTY_ICANON;
    t->tio = *tio;
    bool canon = t->tio.c_lflag & TTY_ICANON;
    if (when == TTY_SET_FLUSH)
        flush_input(t);
    if (was_canon && !canon) {
        t->canon = t->tail; /* the line being edited is readable now */
    } else if (!was_canon && canon) {
        /* Edit what was typed ahead and not read yet under the new rules.
         * In place: each byte stores at most one, at or before its own slot. */
        uint32_t from = t->head, to = t->tail;
        t->tail = t->canon = t->head;
        t->lnext = false;
        struct obuf o = { .t = t };
        for (uint32_t i = from; i != to; i++)
            receive_locked(t, &o, t->buf[i % TTY_BUF]);
        ob_flush(&o);
    }
    wake(t);
    tty_unlock(t, f);
}

void tty_get_termios(struct tty *t, struct tty_termios *tio)
{
    uint64_t f = tty_lock(t);
    *tio = t->tio;
    tty_unlock(t, f);
}

void tty_get_winsize(struct tty *t, struct tty_winsize *ws)
{
    uint64_t f = tty_lock(t);
    *ws = t->ws;
    tty_unlock(t, f);
}

void tty_set_winsize(struct tty *t, const struct tty_winsize *ws)
{
    uint64_t f = tty_lock(t);
    bool changed = memcmp(&t->ws, ws, sizeof(*ws)) != 0;
    t->ws = *ws;
    if (changed && t->pgrp > 0 && t->ops->signal)
        t->ops->signal(t->ctx, t->pgrp, SIGWINCH);
    tty_unlock(t, f);
}

int tty_flush(struct tty *t, int q)
{
    if (q < TTY_FLUSH_INPUT || q > TTY_FLUSH_BOTH)
        return -EINVAL;
    uint64_t f = tty_lock(t);
    if (q != TTY_FLUSH_OUTPUT) {
        flush_input(t);
        made_room(t);
    }
    tty_unlock(t, f);
    return 0;
}

size_t tty_input_count(struct tty *t)
{
    uint64_t f = tty_lock(t);
    size_t n = 0;
    bool canon = t->tio.c_lflag & TTY_ICANON;
    for (uint32_t i = t->head; i != t->canon; i++)
        n += !(canon && (t->flags[i % TTY_BUF] & F_EOF));
    tty_unlock(t, f);
    return n;
}

int tty_session(struct tty *t)
{
    uint64_t f = tty_lock(t);
    int sid = t->sid;
    tty_unlock(t, f);
    return sid;
}

int tty_pgrp(struct tty *t)
{
    uint64_t f = tty_lock(t);
    int pgrp = t->pgrp;
    tty_unlock(t, f);
    return pgrp;
}

void tty_set_session(struct tty *t, int sid, int pgrp)
{
    uint64_t f = tty_lock(t);
    t->sid = sid;
    t->pgrp = pgrp;
    tty_unlock(t, f);
}

void tty_set_pgrp(struct tty *t, int pgrp)
{
    uint64_t f = tty_lock(t);
    t->pgrp = pgrp;
    tty_unlock(t, f);
}

bool tty_hangup(struct tty *t, int sid)
{
    uint64_t f = tty_lock(t);
    bool owned = sid > 0 && t->sid == sid;
    if (owned) {
        int pgrp = t->pgrp;
        t->sid = 0;
        t->pgrp = 0;
        if (pgrp > 0 && t->ops->signal) {
            t->ops->signal(t->ctx, pgrp, SIGHUP);
            t->ops->signal(t->ctx, pgrp, SIGCONT);
        }
        wake(t);
    }
    tty_unlock(t, f);
    return owned;
}
