/*
 * tee.c - copy standard input to standard output and to files (POSIX tee).
 *
 *   tee [-a] [-i] [FILE...]
 * -a appends instead of truncating; -i ignores SIGINT. A file that cannot be
 * opened or written is reported and dropped; the copy goes on to the others.
 */
#include "util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>

/* The outputs: standard output, then the files; -1 for one dropped. */
struct tee_ctx {
    int n;
    int *fds;
    const char **names;
    int status;
};

static int tee_chunk(void *ctx, const char *buf, size_t n)
{
    struct tee_ctx *t = ctx;
    for (int i = 0; i < t->n; i++) {
        if (t->fds[i] >= 0 && util_write_all(t->fds[i], buf, n) != 0) {
            t->status = util_err(t->names[i]);
            t->fds[i] = -1;
        }
    }
    return UTIL_OK;
}

int main(int argc, char **argv)
{
    util_init("tee");
    int flags = O_WRONLY | O_CREAT | O_TRUNC, c;
    while ((c = util_getopt(argc, argv, "ai", "[-a] [-i] [FILE...]")) != -1) {
        if (c == 'a')
            flags = O_WRONLY | O_CREAT | O_APPEND;
        else
            signal(SIGINT, SIG_IGN);
    }
    int n = argc - optind + 1, status = UTIL_OK;
    int *fds = malloc((size_t)n * sizeof(*fds));
    const char **names = malloc((size_t)n * sizeof(*names));
    if (!fds || !names)
        return util_err(NULL);
    fds[0] = STDOUT_FILENO;
    names[0] = "standard output";
    for (int i = 1; i < n; i++) {
        names[i] = argv[optind + i - 1];
        fds[i] = open(names[i], flags, 0666);
        if (fds[i] < 0)
            status = util_err(names[i]);
    }
    struct tee_ctx t = { n, fds, names, UTIL_OK };
    status |= util_each_chunk(STDIN_FILENO, "standard input", tee_chunk, &t);
    status |= t.status;
    for (int i = 1; i < n; i++)
        if (fds[i] >= 0 && close(fds[i]) != 0)
            status = util_err(names[i]);
    free(fds);
    free(names);
    return status;
}
