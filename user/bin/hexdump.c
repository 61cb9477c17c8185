/*
 * hexdump.c - show files in hexadecimal, as util-linux hexdump does.
 *
 *   hexdump [-C] [-v] [FILE...]
 * The files are dumped as one stream. Default format: a 7-digit offset and
 * eight 16-bit little-endian words per line ("0000000 6261 0063"). -C, the
 * canonical format: an 8-digit offset, sixteen bytes in two groups of eight,
 * and the printable bytes between bars ("|hello world.|"). A line equal to
 * the one before is shown once as "*" unless -v. The last line is the
 * offset after the end (nothing at all for empty input).
 */
#include "util.h"

#include <stdio.h>
#include <string.h>

static int canonical, verbose;
static unsigned char line[16], prev[16];
static size_t fill;
static unsigned long long offset; /* of line[0] */
static int have_prev, starred;

static void print_line(size_t n)
{
    if (canonical) {
        printf("%08llx ", offset);
        for (size_t i = 0; i < 16; i++) {
            if (i == 8)
                putchar(' ');
            if (i < n)
                printf(" %02x", line[i]);
            else
                fputs("   ", stdout);
        }
        fputs("  |", stdout);
        for (size_t i = 0; i < n; i++)
            putchar(line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '.');
        fputs("|\n", stdout);
    } else {
        printf("%07llx", offset);
        for (size_t i = 0; i < 16; i += 2) {
            if (i < n)
                printf(" %04x", line[i] | (i + 1 < n ? line[i + 1] << 8 : 0));
            else
                fputs("     ", stdout);
        }
        putchar('\n');
    }
}

/* A full line: print it, or squeeze it into the "*" of a run of equal lines. */
static void full_line(void)
{
    if (!verbose && have_prev && !memcmp(line, prev, 16)) {
        if (!starred)
            puts("*");
        starred = 1;
    } else {
        print_line(16);
        starred = 0;
    }
    memcpy(prev, line, 16);
    have_prev = 1;
    offset += 16;
    fill = 0;
}

/* The files are one stream: a line may span two of them. */
static int dump_chunk(void *ctx, const char *buf, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++) {
        line[fill++] = (unsigned char)buf[i];
        if (fill == 16)
            full_line();
    }
    return UTIL_OK;
}

int main(int argc, char **argv)
{
    util_init("hexdump");
    int c;
    while ((c = util_getopt(argc, argv, "Cv", "[-C] [-v] [FILE...]")) != -1) {
        if (c == 'C')
            canonical = 1;
        else
            verbose = 1;
    }
    int status = util_each_input_chunk(argc - optind, argv + optind, dump_chunk, NULL);
    if (fill > 0) {
        print_line(fill);
        offset += fill;
    }
    if (offset > 0)
        printf(canonical ? "%08llx\n" : "%07llx\n", offset);
    return util_finish(status);
}
