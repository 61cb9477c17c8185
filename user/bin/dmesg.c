/*
 * dmesg.c - print the kernel's log.
 *
 *   dmesg [-r] [-l LEVEL[,LEVEL...]] [-c | -C]
 * The log comes from syslog(2) (klogctl: SYSLOG_ACTION_READ_ALL), each line
 * starting with its level as "<N>". Without -r that prefix is taken off;
 * -l shows only the lines of the levels given, by name (emerg alert crit
 * err warn notice info debug) or number 0-7; a line without a prefix has no
 * level and -l never shows it. -c clears the log after printing it, -C
 * clears it without printing.
 * Exit status 0, 1 if the log cannot be read (on Linux, reading it may need
 * privilege: "dmesg: syslog: Operation not permitted"), 2 bad usage.
 */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>

#define ACTION_READ_ALL    3
#define ACTION_READ_CLEAR  4
#define ACTION_CLEAR       5
#define ACTION_SIZE_BUFFER 10

static const char *const level_names[8] = { "emerg", "alert",  "crit", "err",
                                            "warn",  "notice", "info", "debug" };

/* The set of levels in LIST as a bit mask, or -1 if a name is unknown. */
static int parse_levels(const char *list)
{
    int mask = 0;
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", list);
    for (char *save, *l = strtok_r(buf, ",", &save); l; l = strtok_r(NULL, ",", &save)) {
        int level = -1;
        if (l[0] >= '0' && l[0] <= '7' && !l[1])
            level = l[0] - '0';
        for (int i = 0; i < 8; i++)
            if (!strcmp(l, level_names[i]))
                level = i;
        if (level < 0)
            return -1;
        mask |= 1 << level;
    }
    return mask;
}

int main(int argc, char **argv)
{
    const char *usage = "[-r] [-l LEVEL[,LEVEL...]] [-c | -C]";
    util_init("dmesg");
    int raw = 0, levels = 0, c;
    int action = ACTION_READ_ALL;
    while ((c = util_getopt(argc, argv, "rl:cC", usage)) != -1) {
        switch (c) {
        case 'r':
            raw = 1;
            break;
        case 'l':
            levels = parse_levels(optarg);
            if (levels <= 0) {
                util_msg("%s: unknown level", optarg);
                util_usage(usage);
            }
            break;
        case 'c':
            action = ACTION_READ_CLEAR;
            break;
        case 'C':
            action = ACTION_CLEAR;
            break;
        }
    }
    if (optind != argc)
        util_usage(usage);
    if (action == ACTION_CLEAR) {
        if (klogctl(ACTION_CLEAR, NULL, 0) < 0)
            return util_err("syslog");
        return UTIL_OK;
    }
    int size = klogctl(ACTION_SIZE_BUFFER, NULL, 0);
    if (size <= 0)
        size = 1 << 20;
    char *buf = malloc((size_t)size + 1);
    if (!buf)
        return util_err(NULL);
    int n = klogctl(action, buf, size);
    if (n < 0) {
        free(buf);
        return util_err("syslog");
    }
    buf[n] = '\0';
    for (char *line = buf; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *text = line;
        int level = -1;
        if (line[0] == '<') {
            char *end;
            long v = strtol(line + 1, &end, 10);
            if (end > line + 1 && *end == '>' && v >= 0) {
                level = (int)(v & 7);
                if (!raw)
                    text = end + 1;
            }
        }
        if (!levels || (level >= 0 && (levels & (1 << level)))) {
            fwrite(text, 1, len - (size_t)(text - line), stdout);
            putchar('\n');
        }
        line += len + (nl ? 1 : 0);
    }
    free(buf);
    return util_finish(UTIL_OK);
}
