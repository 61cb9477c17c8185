/**
 * @file arch/rtc.h
 * @brief The CMOS real-time clock: the wall-clock date at boot.
 *
 * The RTC keeps the date in battery-backed CMOS registers behind ports 0x70
 * (index) and 0x71 (data), in BCD or binary and in 12- or 24-hour form as
 * status register B says. QEMU's RTC is set from the host's clock (UTC).
 * Read it once at boot and count from there with the TSC clock.
 */
#ifndef ARCH_RTC_H
#define ARCH_RTC_H

#include <stdint.h>

/** @brief A calendar date and time (UTC). */
struct rtc_time {
    int year;   /**< e.g. 2026 */
    int month;  /**< 1-12 */
    int day;    /**< 1-31 */
    int hour;   /**< 0-23 */
    int minute; /**< 0-59 */
    int second; /**< 0-59 */
};

/**
 * @brief Read the RTC, waiting out an update in progress and reading twice
 * until two reads agree.
 * @param out the date
 * @return 0, or -EIO when the RTC never gives a stable or valid date
 */
int rtc_read(struct rtc_time *out);

/**
 * @brief Seconds since 1970-01-01 00:00:00 UTC (proleptic Gregorian).
 * @param t a valid date from 1970 on
 * @return the seconds
 */
int64_t rtc_to_epoch(const struct rtc_time *t);

/**
 * @brief The calendar date of a time in seconds since 1970 (UTC).
 * @param epoch seconds since 1970-01-01 00:00:00 UTC (>= 0)
 * @param out   the date
 */
void rtc_from_epoch(int64_t epoch, struct rtc_time *out);

#endif
