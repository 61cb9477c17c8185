/*
 * klog.c - the kernel log ring (kernel/klog.h).
 *
 * The ring is written by the console layer with the console lock held, and
 * read by klog_read() under the same lock, so the two never interleave.
 */
#include <k/console.h>
#include <kernel/klog.h>
#include <stdbool.h>
#include <stdint.h>

static char ring[KLOG_SIZE];
static size_t head; /* next write position */
static bool wrapped;

static void klog_write(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        ring[head++] = s[i];
        if (head == KLOG_SIZE) {
            head = 0;
            wrapped = true;
        }
    }
}

static const struct console_ops klog_ops = { .write = klog_write };

void klog_init(void)
{
    console_register("klog", &klog_ops, NULL);
}

void klog_read(void (*fn)(void *ctx, const char *s, size_t n), void *ctx)
{
    static char copy[KLOG_SIZE];
    size_t n = 0;
    uint64_t f = console_lock();
    if (wrapped) {
        for (size_t i = head; i < KLOG_SIZE; i++)
            copy[n++] = ring[i];
    }
    for (size_t i = 0; i < head; i++)
        copy[n++] = ring[i];
    console_unlock(f);
    fn(ctx, copy, n);
}
