/*
 * klog.c - the kernel log (k/klog.h): a ring of records, filled by klogf()
 * and by every line kprintf() prints, read by klog_read().
 *
 * Locking: the ring, the partial line and the sequence number are touched
 * only under the console lock (console_lock()), which kprintf already holds.
 */
#include <k/console.h>
#include <k/klog.h>
#include <k/kprintf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

static struct klog_record ring[KLOG_RECORDS];
static uint64_t next_seq;
static uint64_t (*clock_ns)(void);
static int console_level = KLOG_INFO;

/* The line kprintf is building (bytes up to the newline). */
static char line[KLOG_TEXT_MAX + KLOG_SUBSYS_MAX + 2];
static size_t line_len;

static const char *const names[] = { "emerg",   "alert",  "crit", "err",
                                     "warning", "notice", "info", "debug" };

void klog_set_clock(uint64_t (*now_ns)(void))
{
    clock_ns = now_ns;
}

void klog_set_console_level(int level)
{
    if (level >= KLOG_EMERG && level <= KLOG_DEBUG)
        console_level = level;
}

int klog_console_level(void)
{
    return console_level;
}

bool klog_console_shows_info(void)
{
    return console_level >= KLOG_INFO;
}

const char *klog_level_name(int level)
{
    return level >= 0 && level <= KLOG_DEBUG ? names[level] : "?";
}

int klog_parse_level(const char *s)
{
    if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
        return s[0] - '0';
    for (int i = 0; i <= KLOG_DEBUG; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    if (strcmp(s, "warn") == 0)
        return KLOG_WARNING;
    return -1;
}

static void copy_trimmed(char *dst, size_t size, const char *src, size_t n)
{
    while (n > 0 && (src[n - 1] == '\n' || src[n - 1] == '\r'))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Add a record; the console lock is held. */
static void add(int level, const char *subsys, size_t slen, const char *text, size_t tlen)
{
    struct klog_record *r = &ring[next_seq % KLOG_RECORDS];
    r->seq = next_seq++;
    r->time_ns = clock_ns ? clock_ns() : 0;
    r->level = level;
    copy_trimmed(r->subsys, sizeof(r->subsys), subsys, slen);
    copy_trimmed(r->text, sizeof(r->text), text, tlen);
}

/* A kprintf line: "word: rest" names its subsystem when the word is short
 * and has no blanks; anything else is the kernel's. */
static void commit_line(void)
{
    const char *colon = memchr(line, ':', line_len);
    size_t w = colon ? (size_t)(colon - line) : 0;
    bool named = colon && w > 0 && w < KLOG_SUBSYS_MAX && w + 1 < line_len && colon[1] == ' ' &&
                 !memchr(line, ' ', w);
    if (named)
        add(KLOG_INFO, line, w, colon + 2, line_len - w - 2);
    else
        add(KLOG_INFO, "kernel", 6, line, line_len);
    line_len = 0;
}

void klog_capture_locked(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            if (line_len)
                commit_line();
        } else if (line_len < sizeof(line)) {
            line[line_len++] = s[i];
        }
    }
}

int klogf(int level, const char *subsys, const char *fmt, ...)
{
    char text[KLOG_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (!subsys)
        subsys = "kernel";
    if (level < KLOG_EMERG)
        level = KLOG_EMERG;
    if (level > KLOG_DEBUG)
        level = KLOG_DEBUG;
    uint64_t f = console_lock();
    add(level, subsys, strlen(subsys), text, strlen(text));
    if (level <= console_level) {
        size_t tl = strlen(text);
        console_write_locked(subsys, strlen(subsys));
        console_write_locked(": ", 2);
        console_write_locked(text, tl);
        if (tl == 0 || text[tl - 1] != '\n')
            console_write_locked("\n", 1);
    }
    console_unlock(f);
    return n;
}

int klog_read(int max_level, void (*fn)(void *ctx, const struct klog_record *r), void *ctx)
{
    uint64_t f = console_lock();
    uint64_t end = next_seq;
    uint64_t seq = end > KLOG_RECORDS ? end - KLOG_RECORDS : 0;
    console_unlock(f);
    int n = 0;
    for (; seq < end; seq++) {
        struct klog_record r;
        f = console_lock();
        r = ring[seq % KLOG_RECORDS];
        console_unlock(f);
        if (r.seq != seq) /* overwritten meanwhile */
            continue;
        if (r.level <= max_level) {
            fn(ctx, &r);
            n++;
        }
    }
    return n;
}
