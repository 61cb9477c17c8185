/*
 * test_console.c - kprintf and the console registry, inside the kernel.
 */
#include <k/console.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <kernel/ktest.h>
#include <string.h>

static char captured[256];
static size_t captured_len;

static void capture_write(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n && captured_len + 1 < sizeof(captured); i++)
        captured[captured_len++] = s[i];
    captured[captured_len] = '\0';
}

static const struct console_ops capture_ops = { .write = capture_write };

KTEST(kprintf_formats_in_kernel)
{
    char buf[128];
    ksnprintf(buf, sizeof(buf), "%d|%5u|%-4x|%08llx|%p|%s|%c|%%", -42, 7u, 0xabu, 0x1234abcdull,
              (void *)0xffffffff80100000ull, "str", 'z');
    KT_ASSERT(strcmp(buf, "-42|    7|ab  |1234abcd|0xffffffff80100000|str|z|%") == 0);
}

KTEST(kprintf_reaches_every_console)
{
    captured_len = 0;
    KT_ASSERT_EQ(console_register("capture", &capture_ops, NULL), 0);
    kprintf("console-check %d\n", 12345);
    KT_ASSERT_EQ(console_unregister(&capture_ops, NULL), 0);
    KT_ASSERT(strstr(captured, "console-check 12345\n") != NULL);
    kprintf("not captured\n");
    KT_ASSERT(strstr(captured, "not captured") == NULL);
    KT_ASSERT_EQ(console_unregister(&capture_ops, NULL), -ENOENT);
}
