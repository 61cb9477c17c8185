/*
 * rtc.c - the CMOS real-time clock (arch/rtc.h).
 *
 * Reading protocol (the OSDev wiki's, after the MC146818 data sheet): wait
 * while status A's update-in-progress bit is set, read every field, and read
 * again until two passes agree, so an update between the fields can't give a
 * date that never existed. Writing to port 0x70 also selects NMI masking with
 * bit 7; we leave NMIs enabled (bit 7 clear).
 */
#include <arch/cpu.h>
#include <arch/rtc.h>
#include <k/errno.h>
#include <stdbool.h>
#include <stddef.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

enum {
    REG_SEC = 0x00,
    REG_MIN = 0x02,
    REG_HOUR = 0x04,
    REG_DAY = 0x07,
    REG_MONTH = 0x08,
    REG_YEAR = 0x09,
    REG_A = 0x0a,
    REG_B = 0x0b,
    REG_CENTURY = 0x32
};

static uint8_t cmos(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static bool updating(void)
{
    return cmos(REG_A) & 0x80;
}

struct raw {
    uint8_t sec, min, hour, day, month, year, century;
};

static bool read_raw(struct raw *r)
{
    for (int i = 0; i < 100000 && updating(); i++)
        cpu_pause();
    if (updating())
        return false;
    r->sec = cmos(REG_SEC);
    r->min = cmos(REG_MIN);
    r->hour = cmos(REG_HOUR);
    r->day = cmos(REG_DAY);
    r->month = cmos(REG_MONTH);
    r->year = cmos(REG_YEAR);
    r->century = cmos(REG_CENTURY);
    return true;
}

static bool same(const struct raw *a, const struct raw *b)
{
    return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->day == b->day &&
           a->month == b->month && a->year == b->year && a->century == b->century;
}

static int bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0x0f);
}

int rtc_read(struct rtc_time *out)
{
    struct raw a, b;
    int tries = 0;
    do {
        if (!read_raw(&a) || !read_raw(&b) || ++tries > 10)
            return -EIO;
    } while (!same(&a, &b));

    uint8_t regb = cmos(REG_B);
    bool binary = regb & 0x04, h24 = regb & 0x02;
    bool pm = a.hour & 0x80;
    a.hour &= 0x7f;
    int (*v)(uint8_t) = binary ? NULL : bcd;
#define CONV(x) (v ? v(x) : (int)(x))
    struct rtc_time t = { .second = CONV(a.sec),
                          .minute = CONV(a.min),
                          .hour = CONV(a.hour),
                          .day = CONV(a.day),
                          .month = CONV(a.month),
                          .year = CONV(a.year) };
    int century = CONV(a.century);
#undef CONV
    if (!h24) { /* 12-hour: 12 AM is 0, 12 PM is 12 */
        t.hour %= 12;
        if (pm)
            t.hour += 12;
    }
    /* The century register is not standard; believe it only when sane. */
    t.year += (century >= 19 && century <= 99) ? century * 100 : (t.year < 70 ? 2000 : 1900);
    if (t.second > 59 || t.minute > 59 || t.hour > 23 || t.day < 1 || t.day > 31 || t.month < 1 ||
        t.month > 12 || t.year < 1970)
        return -EIO;
    *out = t;
    return 0;
}

int64_t rtc_to_epoch(const struct rtc_time *t)
{
    /* Days since 1970-01-01 from the civil date (Howard Hinnant's algorithm,
     * a public-domain description of the Gregorian calendar arithmetic). */
    int y = t->year - (t->month <= 2);
    int era = y / 400;
    int yoe = y - era * 400;
    int mp = t->month > 2 ? t->month - 3 : t->month + 9;
    int doy = (153 * mp + 2) / 5 + t->day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;
}

void rtc_from_epoch(int64_t epoch, struct rtc_time *out)
{
    int64_t days = epoch / 86400, rem = epoch % 86400;
    out->hour = (int)(rem / 3600);
    out->minute = (int)(rem % 3600 / 60);
    out->second = (int)(rem % 60);
    /* The inverse of rtc_to_epoch()'s day count. */
    int64_t z = days + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    out->year = (int)(yoe + era * 400 + (out->month <= 2));
}
