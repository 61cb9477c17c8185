/*
 * head.c - copy the first lines of files (POSIX head).
 *
 *   head [-n COUNT] [FILE...]      (also the historical "head -COUNT")
 * COUNT lines (default 10) of each file; with several files each is preceded
 * by "==> NAME <==" and separated from the previous one by an empty line.
 */
#include "util.h"

#include <string.h>

struct head_ctx {
    long long lines; /* -n */
    int nfiles;      /* operands: headers if more than one */
};

/* Copy @p buf up to the end of the last line still wanted. @p ctx: the count left. */
static int head_chunk(void *ctx, const char *buf, size_t n)
{
    long long *lines = ctx, left = *lines;
    size_t keep = 0;
    while (keep < n && left > 0) {
        const char *nl = memchr(buf + keep, '\n', n - keep);
        if (!nl) {
            keep = n;
            break;
        }
        keep = (size_t)(nl - buf) + 1;
        left--;
    }
    *lines = left;
    if (util_write_all(STDOUT_FILENO, buf, keep) != 0)
        return util_err("write error");
    return left > 0 ? UTIL_OK : UTIL_STOP;
}

static int head_fd(void *ctx, int fd, const char *name, int index)
{
    const struct head_ctx *h = ctx;
    if (h->nfiles > 1)
        util_file_header(name, index);
    long long lines = h->lines;
    /* "-n 0" reads nothing: a pipe or terminal must not be waited on. */
    if (lines == 0)
        return UTIL_OK;
    return util_each_chunk(fd, name, head_chunk, &lines);
}

int main(int argc, char **argv)
{
    util_init("head");
    const char *usage = "[-n COUNT] [FILE...]";
    struct head_ctx h = { .lines = 10 };
    util_old_count(&argc, &argv, &h.lines, usage);
    while (util_getopt(argc, argv, "n:", usage) != -1) {
        if (util_parse_count(optarg, &h.lines) != 0) {
            util_msg("%s: invalid number of lines", optarg);
            util_usage(usage);
        }
    }
    h.nfiles = argc - optind;
    return util_finish(util_each_input(h.nfiles, argv + optind, head_fd, &h));
}
