/*
 * date.c - write or set the date and time (POSIX date).
 *
 *   date [-u] [-d @SECONDS] [+FORMAT]   the time now (or SECONDS since the
 *                                       epoch) in FORMAT, strftime's
 *                                       conversions plus GNU's %N
 *                                       (nanoseconds); by default
 *                                       "%a %b %e %H:%M:%S %Z %Y" as
 *                                       coreutils in the C locale
 *   date [-u] MMDDhhmm[[CC]YY]          set the clock (clock_settime)
 * -u works in UTC, otherwise TZ applies. Exit status 0, 1 if the date is
 * invalid or the clock cannot be set, 2 bad usage.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *usage = "[-u] [-d @SECONDS] [+FORMAT] | [-u] MMDDhhmm[[CC]YY]";

/* FORMAT with each %N replaced by the nine digits of @p nsec ("%%" kept as it is). */
static char *expand_nanoseconds(const char *fmt, long nsec)
{
    size_t cap = strlen(fmt) * 5 + 1;
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 'N') {
            o += sprintf(o, "%09ld", nsec);
            p++;
        } else if (p[0] == '%' && p[1]) {
            *o++ = *p++;
            *o++ = *p;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static int show(const struct timespec *ts, const char *fmt, int utc)
{
    struct tm tm;
    if (!(utc ? gmtime_r(&ts->tv_sec, &tm) : localtime_r(&ts->tv_sec, &tm)))
        return util_msg("time %lld out of range", (long long)ts->tv_sec);
    char *f = expand_nanoseconds(fmt, ts->tv_nsec);
    if (!f)
        return util_err(NULL);
    /* strftime cannot tell an empty result from one too long: grow until the
     * result plus a marker character fits. */
    size_t flen = strlen(f);
    char *fm = malloc(flen + 2);
    if (!fm) {
        free(f);
        return util_err(NULL);
    }
    memcpy(fm, f, flen);
    memcpy(fm + flen, "x", 2);
    int status = UTIL_OK;
    for (size_t size = 256;; size *= 2) {
        char *buf = malloc(size);
        if (!buf) {
            status = util_err(NULL);
            break;
        }
        size_t n = strftime(buf, size, fm, &tm);
        if (n > 0) {
            buf[n - 1] = '\0';
            printf("%s\n", buf);
            free(buf);
            break;
        }
        free(buf);
        if (size > (1u << 24)) {
            status = util_msg("format too long");
            break;
        }
    }
    free(fm);
    free(f);
    return status;
}

/* Take two digits at *p into *out. */
static int two(const char **p, int *out)
{
    if (!isdigit((unsigned char)(*p)[0]) || !isdigit((unsigned char)(*p)[1]))
        return -1;
    *out = ((*p)[0] - '0') * 10 + ((*p)[1] - '0');
    *p += 2;
    return 0;
}

static int set_clock(const char *arg, int utc)
{
    size_t len = strlen(arg);
    if (len != 8 && len != 10 && len != 12)
        return util_msg("invalid date '%s'", arg);
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)arg[i]))
            return util_msg("invalid date '%s'", arg);
    time_t now = time(NULL);
    struct tm tm;
    if (utc)
        gmtime_r(&now, &tm);
    else
        localtime_r(&now, &tm);
    const char *p = arg;
    int mon, mday, hour, min, year = tm.tm_year + 1900;
    two(&p, &mon);
    two(&p, &mday);
    two(&p, &hour);
    two(&p, &min);
    if (len == 12) {
        int cc, yy;
        two(&p, &cc);
        two(&p, &yy);
        year = cc * 100 + yy;
    } else if (len == 10) {
        int yy;
        two(&p, &yy);
        /* POSIX: 69-99 are 1969-1999, 00-68 are 2000-2068. */
        year = yy >= 69 ? 1900 + yy : 2000 + yy;
    }
    if (mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 || min > 59)
        return util_msg("invalid date '%s'", arg);
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t t = utc ? timegm(&tm) : mktime(&tm);
    if (t == (time_t)-1 || tm.tm_mday != mday)
        return util_msg("invalid date '%s'", arg);
    struct timespec ts = { .tv_sec = t };
    if (clock_settime(CLOCK_REALTIME, &ts) != 0)
        return util_msg("cannot set date: %s", strerror(errno));
    return show(&ts, "%a %b %e %H:%M:%S %Z %Y", utc);
}

int main(int argc, char **argv)
{
    util_init("date");
    int utc = 0, c;
    const char *when = NULL;
    while ((c = util_getopt(argc, argv, "ud:", usage)) != -1) {
        if (c == 'u')
            utc = 1;
        else
            when = optarg;
    }
    if (argc - optind > 1)
        util_usage(usage);
    const char *fmt = "%a %b %e %H:%M:%S %Z %Y";
    if (optind < argc) {
        if (argv[optind][0] != '+') {
            if (when)
                util_usage(usage);
            return util_finish(set_clock(argv[optind], utc));
        }
        fmt = argv[optind] + 1;
    }
    if (utc && setenv("TZ", "UTC0", 1) != 0)
        return util_err(NULL);
    struct timespec ts;
    if (when) {
        char *end;
        errno = 0;
        long long secs = when[0] == '@' ? strtoll(when + 1, &end, 10) : 0;
        if (when[0] != '@' || !when[1] || *end || errno)
            return util_msg("invalid date '%s'", when);
        ts.tv_sec = (time_t)secs;
        ts.tv_nsec = 0;
    } else if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        return util_err(NULL);
    }
    return util_finish(show(&ts, fmt, utc));
}
