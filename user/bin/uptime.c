/*
 * uptime.c - how long the system has been running (procps uptime's layout).
 *
 *   uptime        " 22:11:42 up 2 days,  2:52,  load average: 0.12, 0.10, 0.05"
 *   uptime -p     "up 2 days, 2 hours, 52 minutes"
 *   uptime -s     the boot time, "2026-12-01 19:19:39"
 * From /proc/uptime and /proc/loadavg (Linux's formats). procps also counts
 * the logged-in users from utmp, which Kestrel does not keep: that field is
 * left out rather than guessed. Times are local (TZ applies).
 */
#include "system.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void pretty(long secs)
{
    long weeks = secs / 604800, days = secs / 86400 % 7, hours = secs / 3600 % 24,
         mins = secs / 60 % 60;
    const char *sep = "";
    printf("up ");
    const long values[] = { weeks, days, hours };
    const char *names[] = { "week", "day", "hour" };
    for (int i = 0; i < 3; i++) {
        if (values[i]) {
            printf("%s%ld %s%s", sep, values[i], names[i], values[i] == 1 ? "" : "s");
            sep = ", ";
        }
    }
    if (mins || !*sep)
        printf("%s%ld minute%s", sep, mins, mins == 1 ? "" : "s");
    putchar('\n');
}

int main(int argc, char **argv)
{
    const char *usage = "[-p|-s]";
    util_init("uptime");
    int mode = 0, c;
    while ((c = util_getopt(argc, argv, "ps", usage)) != -1)
        mode = c;
    if (optind != argc)
        util_usage(usage);
    char text[256];
    if (sys_read_file("/proc/uptime", text, sizeof(text)) < 0)
        return util_err("/proc/uptime");
    char *end;
    double up = strtod(text, &end);
    if (end == text || up < 0)
        return util_msg("/proc/uptime: not a number of seconds");
    long secs = (long)up;
    time_t now = time(NULL);
    if (mode == 'p') {
        pretty(secs);
        return util_finish(UTIL_OK);
    }
    if (mode == 's') {
        time_t boot = now - secs;
        char when[32];
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&boot));
        printf("%s\n", when);
        return util_finish(UTIL_OK);
    }
    double load[3];
    if (sys_read_file("/proc/loadavg", text, sizeof(text)) < 0)
        return util_err("/proc/loadavg");
    if (sscanf(text, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
        return util_msg("/proc/loadavg: not three load averages");
    char clock[16];
    strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
    printf(" %s up ", clock);
    long days = secs / 86400, hours = secs / 3600 % 24, mins = secs / 60 % 60;
    if (days)
        printf("%ld day%s, ", days, days == 1 ? "" : "s");
    if (hours)
        printf("%2ld:%02ld, ", hours, mins);
    else
        printf("%ld min, ", mins);
    printf(" load average: %.2f, %.2f, %.2f\n", load[0], load[1], load[2]);
    return util_finish(UTIL_OK);
}
