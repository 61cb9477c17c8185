/*
 * test_kprintf.c - the formatting engine against hand-checked outputs.
 */
#include <k/kprintf.h>
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

/* Some cases below are deliberately odd formats that the compiler would flag. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

Suite *kprintf_suite(void);

static char buf[256];

#define FMT(expect, ...)                                                                           \
    do {                                                                                           \
        int n_ = ksnprintf(buf, sizeof(buf), __VA_ARGS__);                                         \
        ck_assert_str_eq(buf, expect);                                                             \
        ck_assert_int_eq(n_, (int)strlen(expect));                                                 \
    } while (0)

START_TEST(test_plain_and_percent)
{
    FMT("hello", "hello");
    FMT("100%", "100%%");
    FMT("", "%s", "");
}
END_TEST

START_TEST(test_signed)
{
    FMT("0", "%d", 0);
    FMT("-42", "%d", -42);
    FMT("-42", "%i", -42);
    FMT("2147483647", "%d", INT_MAX);
    FMT("-2147483648", "%d", INT_MIN);
    FMT("-9223372036854775808", "%ld", LONG_MIN);
    FMT("9223372036854775807", "%lld", LLONG_MAX);
    FMT("+5", "%+d", 5);
    FMT(" 5", "% d", 5);
    FMT("-1", "%hhd", 255);
    FMT("-1", "%hd", 65535);
}
END_TEST

START_TEST(test_unsigned_and_hex)
{
    FMT("4294967295", "%u", UINT_MAX);
    FMT("18446744073709551615", "%lu", ULONG_MAX);
    FMT("18446744073709551615", "%llu", ULLONG_MAX);
    FMT("deadbeef", "%x", 0xdeadbeefu);
    FMT("DEADBEEF", "%X", 0xdeadbeefu);
    FMT("ffffffffffffffff", "%lx", ULONG_MAX);
    FMT("123456789abcdef0", "%llx", 0x123456789abcdef0ull);
    FMT("0x1f", "%#x", 0x1fu);
    FMT("0", "%#x", 0u);
    FMT("17", "%o", 15u);
    FMT("4096", "%zu", (size_t)4096);
}
END_TEST

START_TEST(test_width_and_padding)
{
    FMT("   42", "%5d", 42);
    FMT("42   |", "%-5d|", 42);
    FMT("00042", "%05d", 42);
    FMT("-0042", "%05d", -42);
    FMT("  -42", "%5d", -42);
    FMT("000000ff", "%08x", 0xffu);
    FMT("0x00ff", "%#06x", 0xffu);
    FMT("42   ", "%-05d", 42); /* '-' overrides '0' */
    FMT("  042", "%5.3d", 42);
    FMT("", "%.0d", 0);
    FMT("    7", "%*d", 5, 7);
    FMT("7    |", "%*d|", -5, 7);
    FMT("12", "%1d", 12); /* a too-small width never truncates */
}
END_TEST

START_TEST(test_strings_and_chars)
{
    FMT("abc", "%s", "abc");
    FMT("  abc", "%5s", "abc");
    FMT("abc  |", "%-5s|", "abc");
    FMT("ab", "%.2s", "abcdef");
    FMT("abc", "%.*s", 3, "abcdef");
    FMT("(null)", "%s", (char *)NULL);
    FMT("x", "%c", 'x');
    FMT("  x", "%3c", 'x');
    FMT("x  |", "%-3c|", 'x');
}
END_TEST

START_TEST(test_pointer)
{
    FMT("0xffffffff80100000", "%p", (void *)0xffffffff80100000ull);
    FMT("0x0", "%p", (void *)0);
    FMT("    0x10", "%8p", (void *)0x10);
}
END_TEST

START_TEST(test_unknown_conversion_printed_verbatim)
{
    FMT("a%qb", "a%qb");
    FMT("end%", "end%");
}
END_TEST

START_TEST(test_truncation)
{
    char small[8];
    int n = ksnprintf(small, sizeof(small), "%s", "0123456789");
    ck_assert_int_eq(n, 10);
    ck_assert_str_eq(small, "0123456");
    n = ksnprintf(small, 1, "%d", 12345);
    ck_assert_int_eq(n, 5);
    ck_assert_str_eq(small, "");
    /* size 0: nothing written at all, not even the NUL */
    small[0] = 'Z';
    n = ksnprintf(small, 0, "abc");
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(small[0], 'Z');
}
END_TEST

START_TEST(test_long_padding)
{
    char big[200];
    int n = ksnprintf(big, sizeof(big), "%100d", 1);
    ck_assert_int_eq(n, 100);
    ck_assert_int_eq(strlen(big), 100);
    ck_assert_int_eq(big[98], ' ');
    ck_assert_int_eq(big[99], '1');
}
END_TEST

struct collect {
    char text[64];
    size_t len;
    int calls;
};

static void collect_sink(void *ctx, const char *s, size_t n)
{
    struct collect *c = ctx;
    memcpy(c->text + c->len, s, n);
    c->len += n;
    c->calls++;
}

static int format_into(struct collect *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvformat(collect_sink, c, fmt, ap);
    va_end(ap);
    return n;
}

START_TEST(test_kvformat_sink_sees_every_byte)
{
    struct collect c = { 0 };
    int n = format_into(&c, "a%db%sc", 12, "xy");
    ck_assert_int_eq(n, 7);
    ck_assert_int_eq(c.len, 7);
    c.text[c.len] = '\0';
    ck_assert_str_eq(c.text, "a12bxyc");
    ck_assert_int_ge(c.calls, 3);
}
END_TEST

Suite *kprintf_suite(void)
{
    Suite *s = suite_create("kprintf");
    TCase *tc = tcase_create("format");
    tcase_add_test(tc, test_plain_and_percent);
    tcase_add_test(tc, test_signed);
    tcase_add_test(tc, test_unsigned_and_hex);
    tcase_add_test(tc, test_width_and_padding);
    tcase_add_test(tc, test_strings_and_chars);
    tcase_add_test(tc, test_pointer);
    tcase_add_test(tc, test_unknown_conversion_printed_verbatim);
    tcase_add_test(tc, test_truncation);
    tcase_add_test(tc, test_long_padding);
    tcase_add_test(tc, test_kvformat_sink_sees_every_byte);
    suite_add_tcase(s, tc);
    return s;
}
