/*
 * uniq.c - report or filter out repeated adjacent lines (POSIX uniq).
 *
 *   uniq [-c] [-d|-u] [INPUT [OUTPUT]]
 * One copy of each run of equal adjacent lines; -c prefixes each with the run
 * length ("%7d " as GNU uniq prints it), -d prints only repeated runs, -u
 * only lines that are not repeated.
 */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int show_count, only_dup, only_uniq;

static void emit(FILE *out, const char *line, size_t len, long long count)
{
    if ((only_dup && count < 2) || (only_uniq && count > 1))
        return;
    if (show_count)
        fprintf(out, "%7lld ", count);
    fwrite(line, 1, len, out);
    if (len == 0 || line[len - 1] != '\n')
        fputc('\n', out);
}

int main(int argc, char **argv)
{
    util_init("uniq");
    const char *usage = "[-c] [-d|-u] [INPUT [OUTPUT]]";
    int c;
    while ((c = util_getopt(argc, argv, "cdu", usage)) != -1) {
        if (c == 'c')
            show_count = 1;
        else if (c == 'd')
            only_dup = 1;
        else
            only_uniq = 1;
    }
    int n = argc - optind;
    if (n > 2)
        util_usage(usage);
    const char *in_name = n >= 1 ? argv[optind] : "-";
    FILE *in = strcmp(in_name, "-") ? fopen(in_name, "r") : stdin;
    if (!in)
        return util_err(in_name);
    FILE *out = stdout;
    if (n == 2 && strcmp(argv[optind + 1], "-") && !(out = fopen(argv[optind + 1], "w")))
        return util_err(argv[optind + 1]);

    char *prev = NULL, *line = NULL;
    size_t prev_cap = 0, line_cap = 0, prev_len = 0;
    long long count = 0;
    ssize_t len;
    errno = 0;
    while ((len = getline(&line, &line_cap, in)) >= 0) {
        /* a last line without '\n' equals the same line with one */
        size_t cmp_len = (size_t)len;
        size_t pl = prev_len;
        if (cmp_len && line[cmp_len - 1] == '\n')
            cmp_len--;
        if (pl && prev[pl - 1] == '\n')
            pl--;
        if (count > 0 && pl == cmp_len && !memcmp(prev, line, cmp_len)) {
            count++;
            continue;
        }
        if (count > 0)
            emit(out, prev, prev_len, count);
        /* swap buffers: the new line becomes the one to compare against */
        char *t = prev;
        size_t tc = prev_cap;
        prev = line;
        prev_cap = line_cap;
        prev_len = (size_t)len;
        line = t;
        line_cap = tc;
        count = 1;
    }
    int status = UTIL_OK;
    if (ferror(in))
        status = util_err(in_name);
    if (count > 0)
        emit(out, prev, prev_len, count);
    free(prev);
    free(line);
    if (out != stdout && fclose(out) != 0)
        status = util_err(argv[optind + 1]);
    return util_finish(status);
}
