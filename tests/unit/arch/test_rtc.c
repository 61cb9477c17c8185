/*
 * test_rtc.c - the CMOS real-time clock against a model of its registers:
 * BCD and binary, 12- and 24-hour, the century register, an update in
 * progress, a date that changes between reads, and nonsense.
 */
#include "cpu_mock.h"
#include <arch/rtc.h>
#include <check.h>
#include <k/errno.h>
#include <string.h>

Suite *rtc_suite(void);

struct cmos {
    uint8_t reg[128];
    uint8_t index;
    int busy_reads;    /* status A reads that report an update in progress */
    int tick_after;    /* after this many data reads, the seconds register moves */
    int reads;
};

static uint32_t cmos_device(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    struct cmos *c = ctx;
    if (port == 0x70 && write) {
        ck_assert_uint_eq(val & 0x80, 0); /* NMIs stay enabled */
        c->index = (uint8_t)(val & 0x7f);
        return 0;
    }
    if (port == 0x71 && !write) {
        if (c->index == 0x0a && c->busy_reads > 0) {
            c->busy_reads--;
            return c->reg[0x0a] | 0x80;
        }
        if (++c->reads == c->tick_after)
            c->reg[0x00]++;
        return c->reg[c->index];
    }
    return 0xff;
}

static struct cmos model;

static void setup(void)
{
    cpu_mock_reset();
    memset(&model, 0, sizeof(model));
    cpu_mock_set_device(cmos_device, &model);
}

/* 2026-12-01 19:20:28 in BCD, 24-hour, century register 20. */
static void bcd_date(void)
{
    model.reg[0x00] = 0x28;
    model.reg[0x02] = 0x20;
    model.reg[0x04] = 0x19;
    model.reg[0x07] = 0x01;
    model.reg[0x08] = 0x12;
    model.reg[0x09] = 0x26;
    model.reg[0x32] = 0x20;
    model.reg[0x0b] = 0x02; /* 24-hour, BCD */
}

START_TEST(test_bcd_24_hour)
{
    bcd_date();
    struct rtc_time t;
    ck_assert_int_eq(rtc_read(&t), 0);
    ck_assert_int_eq(t.year, 2026);
    ck_assert_int_eq(t.month, 12);
    ck_assert_int_eq(t.day, 1);
    ck_assert_int_eq(t.hour, 19);
    ck_assert_int_eq(t.minute, 20);
    ck_assert_int_eq(t.second, 28);
    ck_assert_int_eq(rtc_to_epoch(&t), 1796152828); /* date -u -d '2026-12-01 19:20:28' +%s */
}
END_TEST

START_TEST(test_binary_12_hour_without_century)
{
    model.reg[0x00] = 5;
    model.reg[0x02] = 6;
    model.reg[0x04] = 0x80 | 12; /* 12 PM */
    model.reg[0x07] = 29;
    model.reg[0x08] = 2;
    model.reg[0x09] = 24;
    model.reg[0x32] = 0;         /* no century register */
    model.reg[0x0b] = 0x04;      /* binary, 12-hour */
    struct rtc_time t;
    ck_assert_int_eq(rtc_read(&t), 0);
    ck_assert_int_eq(t.year, 2024);
    ck_assert_int_eq(t.hour, 12);
    ck_assert_int_eq(rtc_to_epoch(&t), 1709208365); /* 2024-02-29 12:06:05 UTC */
    model.reg[0x04] = 12;                          /* 12 AM */
    ck_assert_int_eq(rtc_read(&t), 0);
    ck_assert_int_eq(t.hour, 0);
}
END_TEST

START_TEST(test_update_in_progress_and_a_tick_between_reads)
{
    bcd_date();
    model.busy_reads = 3;
    model.tick_after = 4; /* the seconds move during the first pass */
    struct rtc_time t;
    ck_assert_int_eq(rtc_read(&t), 0);
    ck_assert_int_eq(t.second, 29); /* the agreed value, after the tick */
}
END_TEST

START_TEST(test_nonsense_and_a_stuck_update_are_errors)
{
    bcd_date();
    model.reg[0x08] = 0x13; /* month 13 */
    struct rtc_time t;
    ck_assert_int_eq(rtc_read(&t), -EIO);
    bcd_date();
    model.busy_reads = 1 << 30; /* the update never ends */
    ck_assert_int_eq(rtc_read(&t), -EIO);
}
END_TEST

START_TEST(test_epoch_edges)
{
    struct rtc_time t = { 1970, 1, 1, 0, 0, 0 };
    ck_assert_int_eq(rtc_to_epoch(&t), 0);
    t = (struct rtc_time){ 2000, 3, 1, 0, 0, 0 };
    ck_assert_int_eq(rtc_to_epoch(&t), 951868800);
    t = (struct rtc_time){ 2100, 3, 1, 0, 0, 0 }; /* 2100 is not a leap year */
    ck_assert_int_eq(rtc_to_epoch(&t), 4107542400);
}
END_TEST

START_TEST(test_epoch_round_trip)
{
    /* Every day from 1970 to 2200, at a time of day that varies. */
    for (int64_t d = 0; d < 84000; d++) {
        int64_t e = d * 86400 + (d * 7919) % 86400;
        struct rtc_time t;
        rtc_from_epoch(e, &t);
        ck_assert_int_eq(rtc_to_epoch(&t), e);
        ck_assert(t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31);
    }
    struct rtc_time t;
    rtc_from_epoch(1796152828, &t);
    ck_assert_int_eq(t.year * 10000 + t.month * 100 + t.day, 20261201);
}
END_TEST

Suite *rtc_suite(void)
{
    Suite *s = suite_create("rtc");
    TCase *tc = tcase_create("rtc");
    tcase_set_timeout(tc, 60); /* loops over many dates under ASan: slow when the host is busy */
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_bcd_24_hour);
    tcase_add_test(tc, test_binary_12_hour_without_century);
    tcase_add_test(tc, test_update_in_progress_and_a_tick_between_reads);
    tcase_add_test(tc, test_nonsense_and_a_stuck_update_are_errors);
    tcase_add_test(tc, test_epoch_edges);
    tcase_add_test(tc, test_epoch_round_trip);
    suite_add_tcase(s, tc);
    return s;
}
