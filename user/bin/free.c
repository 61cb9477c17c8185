/*
 * free.c - the amount of free and used memory (procps free's layout).
 *
 *   free [-k|-m|-g|-b|-h]   sizes in KiB (default), MiB, GiB, bytes, or
 *                           human-readable ("23Gi", "9.1Mi")
 * Read from /proc/meminfo (Linux's format, "MemTotal:  16318604 kB"), as
 * procps-ng 4 computes it: used = MemTotal - MemAvailable, buff/cache =
 * Buffers + Cached + SReclaimable, shared = Shmem. Without MemAvailable,
 * available is MemFree.
 */
#include "system.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value in KiB of the /proc/meminfo field NAME, or -1 if it is missing. */
static long long field(const char *text, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncmp(p, name, len) && p[len] == ':')
            return strtoll(p + len + 1, NULL, 10);
    }
    return -1;
}

static char unit = 'k';

static void column(long long kib)
{
    unsigned long long bytes = (unsigned long long)(kib < 0 ? 0 : kib) * 1024;
    char text[24];
    switch (unit) {
    case 'h':
        sys_human(bytes, text, SYS_HUMAN_FREE);
        break;
    case 'b':
        snprintf(text, sizeof(text), "%llu", bytes);
        break;
    case 'm':
        snprintf(text, sizeof(text), "%llu", bytes >> 20);
        break;
    case 'g':
        snprintf(text, sizeof(text), "%llu", bytes >> 30);
        break;
    default:
        snprintf(text, sizeof(text), "%llu", bytes >> 10);
        break;
    }
    printf(" %11s", text);
}

int main(int argc, char **argv)
{
    const char *usage = "[-b|-k|-m|-g|-h]";
    util_init("free");
    int c;
    while ((c = util_getopt(argc, argv, "bkmgh", usage)) != -1)
        unit = (char)c;
    if (optind != argc)
        util_usage(usage);
    static char text[8192];
    if (sys_read_file("/proc/meminfo", text, sizeof(text)) < 0)
        return util_err("/proc/meminfo");
    long long total = field(text, "MemTotal"), mfree = field(text, "MemFree");
    if (total < 0 || mfree < 0)
        return util_msg("/proc/meminfo: no MemTotal or MemFree");
    long long avail = field(text, "MemAvailable");
    if (avail < 0 || avail > total)
        avail = mfree;
    long long cache = 0;
    const char *parts[] = { "Buffers", "Cached", "SReclaimable" };
    for (int i = 0; i < 3; i++) {
        long long v = field(text, parts[i]);
        if (v > 0)
            cache += v;
    }
    long long shared = field(text, "Shmem");
    long long swap_total = field(text, "SwapTotal"), swap_free = field(text, "SwapFree");
    if (swap_total < 0)
        swap_total = 0;
    if (swap_free < 0 || swap_free > swap_total)
        swap_free = swap_total;
    printf("               total        used        free      shared  buff/cache   available\n");
    printf("%-8s", "Mem:");
    column(total);
    column(total - avail);
    column(mfree);
    column(shared);
    column(cache);
    column(avail);
    printf("\n%-8s", "Swap:");
    column(swap_total);
    column(swap_total - swap_free);
    column(swap_free);
    putchar('\n');
    return util_finish(UTIL_OK);
}
