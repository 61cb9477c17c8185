/*
 * test_klog.c - the kernel log: records from kprintf lines and klogf, levels,
 * the console filter, the ring wrapping, and reading.
 */
#include <check.h>
#include <k/console.h>
#include <k/klog.h>
#include <k/kprintf.h>
#include <stdio.h>
#include <string.h>

Suite *klog_suite(void);

static char shown[65536];
static size_t shown_len;

static void show(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    ck_assert_uint_lt(shown_len + n, sizeof(shown));
    memcpy(shown + shown_len, s, n);
    shown_len += n;
    shown[shown_len] = '\0';
}

static const struct console_ops screen = { .write = show };
static uint64_t fake_now;

static uint64_t clock_ns(void)
{
    return fake_now;
}

/* Collect records into text: "level subsys|text;" */
static char got[16384];

static void collect(void *ctx, const struct klog_record *r)
{
    (void)ctx;
    size_t l = strlen(got);
    snprintf(got + l, sizeof(got) - l, "%d %s|%s;", r->level, r->subsys, r->text);
}

static int read_all(int level)
{
    got[0] = '\0';
    return klog_read(level, collect, NULL);
}

static void setup(void)
{
    console_reset();
    console_set_lock(NULL, NULL);
    console_register("screen", &screen, NULL);
    shown_len = 0;
    shown[0] = '\0';
    klog_set_clock(clock_ns);
    klog_set_console_level(KLOG_INFO);
    fake_now = 0;
}

START_TEST(test_kprintf_lines_become_records)
{
    fake_now = 1500000000;
    kprintf("fs: / is SFS on %s\n", "vda");
    kprintf("devices: 3 PCI functions");
    kprintf(", vda: 64 MiB\n"); /* one line from two calls */
    kprintf("no subsystem here\n");
    kprintf("a long first word: is not a subsystem\n");
    read_all(KLOG_DEBUG);
    ck_assert_ptr_nonnull(strstr(got, "6 fs|/ is SFS on vda;"));
    ck_assert_ptr_nonnull(strstr(got, "6 devices|3 PCI functions, vda: 64 MiB;"));
    ck_assert_ptr_nonnull(strstr(got, "6 kernel|no subsystem here;"));
    ck_assert_ptr_nonnull(strstr(got, "6 kernel|a long first word: is not a subsystem;"));
    ck_assert_ptr_nonnull(strstr(shown, "fs: / is SFS on vda\n")); /* and shown as printed */
}
END_TEST

START_TEST(test_levels_filter_the_console_not_the_log)
{
    klogf(KLOG_DEBUG, "proc", "noisy %d", 1);
    klogf(KLOG_ERR, "virtio", "request %d failed", 7);
    ck_assert_ptr_null(strstr(shown, "noisy"));
    ck_assert_ptr_nonnull(strstr(shown, "virtio: request 7 failed\n"));
    klog_set_console_level(KLOG_WARNING);
    kprintf("fs: hidden from the console\n");
    ck_assert_ptr_null(strstr(shown, "hidden"));
    klog_set_console_level(99); /* ignored */
    ck_assert_int_eq(klog_console_level(), KLOG_WARNING);
    read_all(KLOG_DEBUG);
    ck_assert_ptr_nonnull(strstr(got, "7 proc|noisy 1;"));
    ck_assert_ptr_nonnull(strstr(got, "6 fs|hidden from the console;"));
    read_all(KLOG_ERR); /* dmesg -l err */
    ck_assert_ptr_null(strstr(got, "noisy"));
    ck_assert_ptr_nonnull(strstr(got, "3 virtio|request 7 failed;"));
    klogf(-5, NULL, "clamped");
    klogf(42, NULL, "clamped too");
    read_all(KLOG_DEBUG);
    ck_assert_ptr_nonnull(strstr(got, "0 kernel|clamped;"));
    ck_assert_ptr_nonnull(strstr(got, "7 kernel|clamped too;"));
}
END_TEST

static uint64_t last_seq, last_time;
static int in_order;

static void check_order(void *ctx, const struct klog_record *r)
{
    (void)ctx;
    if (r->seq <= last_seq && last_seq != UINT64_MAX)
        in_order = 0;
    if (r->time_ns < last_time)
        in_order = 0;
    last_seq = r->seq;
    last_time = r->time_ns;
}

START_TEST(test_ring_keeps_the_newest_in_order)
{
    for (int i = 0; i < KLOG_RECORDS * 3; i++) {
        fake_now = (uint64_t)i * 1000;
        klogf(KLOG_INFO, "t", "record %d", i);
    }
    last_seq = UINT64_MAX;
    last_time = 0;
    in_order = 1;
    ck_assert_int_eq(klog_read(KLOG_DEBUG, check_order, NULL), KLOG_RECORDS);
    ck_assert(in_order);
    read_all(KLOG_DEBUG);
    char want[32];
    snprintf(want, sizeof(want), "record %d;", KLOG_RECORDS * 3 - 1);
    ck_assert_ptr_nonnull(strstr(got, want));
    ck_assert_ptr_null(strstr(got, "record 0;"));
}
END_TEST

START_TEST(test_long_text_is_cut_and_levels_parse)
{
    char big[400];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    kprintf("long: %s\n", big);
    klogf(KLOG_INFO, "a-very-long-subsystem-name", "%s", big);
    read_all(KLOG_DEBUG);
    ck_assert_ptr_nonnull(strstr(got, "|xxxx"));
    ck_assert_int_eq(klog_parse_level("err"), KLOG_ERR);
    ck_assert_int_eq(klog_parse_level("warn"), KLOG_WARNING);
    ck_assert_int_eq(klog_parse_level("7"), KLOG_DEBUG);
    ck_assert_int_eq(klog_parse_level("8"), -1);
    ck_assert_int_eq(klog_parse_level("loud"), -1);
    ck_assert_str_eq(klog_level_name(KLOG_NOTICE), "notice");
    ck_assert_str_eq(klog_level_name(9), "?");
}
END_TEST

Suite *klog_suite(void)
{
    Suite *s = suite_create("klog");
    TCase *tc = tcase_create("klog");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_kprintf_lines_become_records);
    tcase_add_test(tc, test_levels_filter_the_console_not_the_log);
    tcase_add_test(tc, test_ring_keeps_the_newest_in_order);
    tcase_add_test(tc, test_long_text_is_cut_and_levels_parse);
    suite_add_tcase(s, tc);
    return s;
}
