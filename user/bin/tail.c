/*
 * tail.c - copy the last lines of files (POSIX tail).
 *
 *   tail [-n [+]COUNT] [FILE...]   (also the historical "tail -COUNT")
 * The last COUNT lines (default 10), or with "+COUNT" everything from line
 * COUNT on. The input is read whole into memory (it may be a pipe); several
 * files get "==> NAME <==" headers as with head.
 */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_all(int fd, const char *name, char **out, size_t *len)
{
    size_t cap = 64 * 1024, n = 0;
    char *b = malloc(cap);
    if (!b)
        return util_err(name);
    for (;;) {
        if (n == cap) {
            char *g = realloc(b, cap * 2);
            if (!g) {
                free(b);
                return util_err(name);
            }
            b = g;
            cap *= 2;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int status = util_err(name);
            free(b);
            return status;
        }
        n += (size_t)r;
    }
    *out = b;
    *len = n;
    return UTIL_OK;
}

static int tail_fd(int fd, const char *name, long long count, int from_start)
{
    char *b = NULL;
    size_t len = 0;
    if (read_all(fd, name, &b, &len) != UTIL_OK)
        return UTIL_ERR;
    size_t start;
    if (from_start) {
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
    long long count = 10;
    int from_start = 0, c;
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
        if (util_parse_count(argv[1] + 1, &count) != 0)
            util_usage(usage);
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    while ((c = util_getopt(argc, argv, "n:", usage)) != -1) {
        const char *s = optarg;
        from_start = *s == '+';
        if (*s == '-')
            s++;
        if (util_parse_count(s, &count) != 0) {
            util_msg("%s: invalid number of lines", optarg);
            util_usage(usage);
        }
    }
    int nfiles = argc - optind;
    if (nfiles == 0)
        return tail_fd(STDIN_FILENO, "-", count, from_start);
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        int fd = util_open_input(argv[i]);
        if (fd < 0) {
            status = util_err(argv[i]);
            continue;
        }
        if (nfiles > 1) {
            fflush(stdout);
            printf("%s==> %s <==\n", i > optind ? "\n" : "", argv[i]);
            fflush(stdout);
        }
        status |= tail_fd(fd, argv[i], count, from_start);
        if (fd != STDIN_FILENO)
            close(fd);
    }
    return util_finish(status);
}
