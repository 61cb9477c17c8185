/*
 * tail.c - copy the last lines of files (POSIX tail).
 *
 *   tail [-n [+]COUNT] [FILE...]   (also the historical "tail -COUNT")
 * The last COUNT lines (default 10), or with "+COUNT" everything from line
 * COUNT on. The input is read whole into memory (it may be a pipe); several
 * files get "==> NAME <==" headers as with head.
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct tail_ctx {
    long long count; /* -n */
    int from_start;  /* -n +COUNT */
    int nfiles;      /* operands: headers if more than one */
};

/* A whole input, as read so far. */
struct whole {
    const char *name;
    char *b;
    size_t len, cap;
};

static int append(void *ctx, const char *buf, size_t n)
{
    struct whole *w = ctx;
    if (n > w->cap - w->len) {
        size_t cap = w->cap;
        while (n > cap - w->len)
            cap *= 2;
        char *g = realloc(w->b, cap);
        if (!g)
            return util_err(w->name);
        w->b = g;
        w->cap = cap;
    }
    memcpy(w->b + w->len, buf, n);
    w->len += n;
    return UTIL_OK;
}

static int read_all(int fd, const char *name, char **out, size_t *len)
{
    struct whole w = { name, malloc(64 * 1024), 0, 64 * 1024 };
    if (!w.b)
        return util_err(name);
    if (util_each_chunk(fd, name, append, &w) != UTIL_OK) {
        free(w.b);
        return UTIL_ERR;
    }
    *out = w.b;
    *len = w.len;
    return UTIL_OK;
}

static int tail_fd(void *ctx, int fd, const char *name, int index)
{
    const struct tail_ctx *t = ctx;
    long long count = t->count;
    if (t->nfiles > 1)
        util_file_header(name, index);
    char *b = NULL;
    size_t len = 0;
    if (read_all(fd, name, &b, &len) != UTIL_OK)
        return UTIL_ERR;
    size_t start;
    if (t->from_start) {
        /* "+N": skip N - 1 lines */
        start = 0;
        for (long long skip = count - 1; skip > 0 && start < len; skip--) {
            char *nl = memchr(b + start, '\n', len - start);
            start = nl ? (size_t)(nl - b) + 1 : len;
        }
    } else {
        /* back from the end; a last line without '\n' still counts as one */
        start = len;
        size_t end = len;
        if (end > 0 && b[end - 1] == '\n')
            end--;
        for (long long k = 0; k < count && start > 0; k++) {
            while (end > 0 && b[end - 1] != '\n')
                end--;
            start = end;
            if (end > 0)
                end--;
        }
    }
    int status = UTIL_OK;
    if (util_write_all(STDOUT_FILENO, b + start, len - start) != 0)
        status = util_err("write error");
    free(b);
    return status;
}

int main(int argc, char **argv)
{
    util_init("tail");
    const char *usage = "[-n [+]COUNT] [FILE...]";
    struct tail_ctx t = { .count = 10 };
    util_old_count(&argc, &argv, &t.count, usage);
    while (util_getopt(argc, argv, "n:", usage) != -1) {
        const char *s = optarg;
        t.from_start = *s == '+';
        if (*s == '-')
            s++;
        if (util_parse_count(s, &t.count) != 0) {
            util_msg("%s: invalid number of lines", optarg);
            util_usage(usage);
        }
    }
    t.nfiles = argc - optind;
    return util_finish(util_each_input(t.nfiles, argv + optind, tail_fd, &t));
}
