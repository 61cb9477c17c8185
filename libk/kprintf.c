/*
 * kprintf.c - the formatting engine (kvformat) and its two front ends: a bounded
 * buffer (ksnprintf) and the consoles (kprintf).
 *
 * kvformat() is pure: it only calls the sink, so it runs unchanged in host tests.
 */
#include <k/console.h>
#include <k/klog.h>
#include <k/kprintf.h>
#include <stdbool.h>
#include <stdint.h>

struct spec {
    bool left;  /* '-' */
    bool zero;  /* '0' */
    bool plus;  /* '+' */
    bool space; /* ' ' */
    bool alt;   /* '#' */
    int width;
    int prec; /* -1: none */
};

static void emit_pad(kformat_sink sink, void *ctx, char c, int n, int *count)
{
    char pad[16];
    for (int i = 0; i < (int)sizeof(pad); i++)
        pad[i] = c;
    while (n > 0) {
        int k = n < (int)sizeof(pad) ? n : (int)sizeof(pad);
        sink(ctx, pad, (size_t)k);
        *count += k;
        n -= k;
    }
}

static void emit(kformat_sink sink, void *ctx, const char *s, size_t n, int *count)
{
    if (n) {
        sink(ctx, s, n);
        *count += (int)n;
    }
}

/* Text (%s, %c) inside its field: space padding only. */
static void emit_text(kformat_sink sink, void *ctx, const struct spec *sp, const char *s, size_t n,
                      int *count)
{
    int pad = sp->width > (int)n ? sp->width - (int)n : 0;
    if (!sp->left)
        emit_pad(sink, ctx, ' ', pad, count);
    emit(sink, ctx, s, n, count);
    if (sp->left)
        emit_pad(sink, ctx, ' ', pad, count);
}

/* A number: [spaces][sign][0x][zeros]digits[spaces]. */
static void format_number(kformat_sink sink, void *ctx, const struct spec *sp, uint64_t v, bool neg,
                          unsigned base, bool upper, const char *altpfx, int *count)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int n = 0;

    if (!(v == 0 && sp->prec == 0)) { /* as in C, "%.0d" of 0 prints nothing */
        do {
            buf[sizeof(buf) - 1 - n++] = digits[v % base];
            v /= base;
        } while (v);
    }

    char prefix[4];
    int p = 0;
    if (neg)
        prefix[p++] = '-';
    else if (sp->plus)
        prefix[p++] = '+';
    else if (sp->space)
        prefix[p++] = ' ';
    for (; altpfx && *altpfx; altpfx++)
        prefix[p++] = *altpfx;

    int zeros = sp->prec > n ? sp->prec - n : 0;
    int total = p + zeros + n;
    int pad = sp->width > total ? sp->width - total : 0;
    if (sp->zero && !sp->left && sp->prec < 0) { /* a precision disables the 0 flag */
        zeros += pad;
        pad = 0;
    }
    if (!sp->left)
        emit_pad(sink, ctx, ' ', pad, count);
    emit(sink, ctx, prefix, (size_t)p, count);
    emit_pad(sink, ctx, '0', zeros, count);
    emit(sink, ctx, buf + sizeof(buf) - n, (size_t)n, count);
    if (sp->left)
        emit_pad(sink, ctx, ' ', pad, count);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX, LEN_PTRDIFF };

static int64_t get_signed(enum length len, va_list *ap)
{
    switch (len) {
    case LEN_CHAR:
        return (signed char)va_arg(*ap, int);
    case LEN_SHORT:
        return (short)va_arg(*ap, int);
    case LEN_LONG:
        return va_arg(*ap, long);
    case LEN_LLONG:
        return va_arg(*ap, long long);
    case LEN_SIZE:
    case LEN_PTRDIFF:
    case LEN_MAX:
        return va_arg(*ap, int64_t);
    default:
        return va_arg(*ap, int);
    }
}

static uint64_t get_unsigned(enum length len, va_list *ap)
{
    switch (len) {
    case LEN_CHAR:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_SHORT:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_LONG:
        return va_arg(*ap, unsigned long);
    case LEN_LLONG:
        return va_arg(*ap, unsigned long long);
    case LEN_SIZE:
    case LEN_PTRDIFF:
    case LEN_MAX:
        return va_arg(*ap, uint64_t);
    default:
        return va_arg(*ap, unsigned int);
    }
}

int kvformat(kformat_sink sink, void *ctx, const char *fmt, va_list ap_in)
{
    int count = 0;
    va_list ap;
    va_copy(ap, ap_in);

    while (*fmt) {
        if (*fmt != '%') {
            const char *start = fmt;
            while (*fmt && *fmt != '%')
                fmt++;
            emit(sink, ctx, start, (size_t)(fmt - start), &count);
            continue;
        }
        const char *conv_start = fmt++;
        struct spec sp = { .prec = -1 };

        for (;; fmt++) {
            if (*fmt == '-')
                sp.left = true;
            else if (*fmt == '0')
                sp.zero = true;
            else if (*fmt == '+')
                sp.plus = true;
            else if (*fmt == ' ')
                sp.space = true;
            else if (*fmt == '#')
                sp.alt = true;
            else
                break;
        }
        if (*fmt == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                sp.width = sp.width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            sp.prec = 0;
            if (*fmt == '*') {
                sp.prec = va_arg(ap, int);
                if (sp.prec < 0)
                    sp.prec = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    sp.prec = sp.prec * 10 + (*fmt++ - '0');
            }
        }

        enum length len = LEN_INT;
        if (*fmt == 'h') {
            fmt++;
            len = LEN_SHORT;
            if (*fmt == 'h') {
                fmt++;
                len = LEN_CHAR;
            }
        } else if (*fmt == 'l') {
            fmt++;
            len = LEN_LONG;
            if (*fmt == 'l') {
                fmt++;
                len = LEN_LLONG;
            }
        } else if (*fmt == 'z') {
            fmt++;
            len = LEN_SIZE;
        } else if (*fmt == 'j') {
            fmt++;
            len = LEN_MAX;
        } else if (*fmt == 't') {
            fmt++;
            len = LEN_PTRDIFF;
        }

        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = get_signed(len, &ap);
            uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
            format_number(sink, ctx, &sp, mag, v < 0, 10, false, NULL, &count);
            break;
        }
        case 'u':
            format_number(sink, ctx, &sp, get_unsigned(len, &ap), false, 10, false, NULL, &count);
            break;
        case 'x':
        case 'X': {
            uint64_t v = get_unsigned(len, &ap);
            const char *pfx = (sp.alt && v) ? (*fmt == 'x' ? "0x" : "0X") : NULL;
            sp.plus = sp.space = false;
            format_number(sink, ctx, &sp, v, false, 16, *fmt == 'X', pfx, &count);
            break;
        }
        case 'o': {
            uint64_t v = get_unsigned(len, &ap);
            sp.plus = sp.space = false;
            format_number(sink, ctx, &sp, v, false, 8, false, (sp.alt && v) ? "0" : NULL, &count);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            sp.plus = sp.space = false;
            format_number(sink, ctx, &sp, v, false, 16, false, "0x", &count);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            emit_text(sink, ctx, &sp, &c, 1, &count);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t n = 0;
            while (s[n] && (sp.prec < 0 || n < (size_t)sp.prec))
                n++;
            emit_text(sink, ctx, &sp, s, n, &count);
            break;
        }
        case '%':
            emit(sink, ctx, "%", 1, &count);
            break;
        default:
            /* Unknown or truncated conversion: show it as written. */
            if (*fmt)
                fmt++;
            emit(sink, ctx, conv_start, (size_t)(fmt - conv_start), &count);
            continue;
        }
        fmt++;
    }
    va_end(ap);
    return count;
}

struct bufsink {
    char *buf;
    size_t size; /* capacity, including the NUL */
    size_t used;
};

static void buf_sink(void *ctx, const char *s, size_t n)
{
    struct bufsink *b = ctx;
    for (size_t i = 0; i < n; i++) {
        if (b->used + 1 < b->size)
            b->buf[b->used] = s[i];
        b->used++;
    }
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct bufsink b = { buf, size, 0 };
    int n = kvformat(buf_sink, &b, fmt, ap);
    if (size)
        buf[b.used < size ? b.used : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* kprintf's lines are log records at KLOG_INFO (k/klog.h): kept always,
 * shown when the console level lets info through. */
static void console_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    klog_capture_locked(s, n);
    if (klog_console_shows_info())
        console_write_locked(s, n);
}

int kvprintf(const char *fmt, va_list ap)
{
    uint64_t flags = console_lock();
    int n = kvformat(console_sink, NULL, fmt, ap);
    console_unlock(flags);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
