/*
 * sleep.c - suspend for an interval (POSIX sleep).
 *
 *   sleep TIME...    each TIME a non-negative decimal number of seconds,
 *                    optionally with a fraction and a suffix s, m, h or d
 *                    (as GNU sleep); the intervals add up
 */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

static int parse_time(const char *s, double *out)
{
    if (*s == '\0' || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v != v)
        return -1;
    /* strtod also takes hex, infinity and exponents; seconds are plain decimals */
    for (const char *p = s; p < end; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.'))
            return -1;
    double mult = 1;
    if (*end) {
        if (end[1])
            return -1;
        switch (*end) {
        case 's':
            mult = 1;
            break;
        case 'm':
            mult = 60;
            break;
        case 'h':
            mult = 3600;
            break;
        case 'd':
            mult = 86400;
            break;
        default:
            return -1;
        }
    }
    *out = v * mult;
    return 0;
}

int main(int argc, char **argv)
{
    util_init("sleep");
    const char *usage = "TIME...";
    while (util_getopt(argc, argv, "", usage) != -1)
        ;
    if (optind == argc)
        util_usage(usage);
    double total = 0;
    for (int i = optind; i < argc; i++) {
        double t;
        if (parse_time(argv[i], &t) != 0) {
            util_msg("%s: invalid time interval", argv[i]);
            util_usage(usage);
        }
        total += t;
    }
    if (total > 1e15)
        total = 1e15;
    struct timespec ts = { .tv_sec = (time_t)total };
    ts.tv_nsec = (long)((total - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {
        if (errno != EINTR)
            return util_err(NULL);
    }
    return UTIL_OK;
}
