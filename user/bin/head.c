/*
 * head.c - copy the first lines of files (POSIX head).
 *
 *   head [-n COUNT] [FILE...]      (also the historical "head -COUNT")
 * COUNT lines (default 10) of each file; with several files each is preceded
 * by "==> NAME <==" and separated from the previous one by an empty line.
 */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static char buf[64 * 1024];

static int head_fd(int fd, const char *name, long long lines)
{
    while (lines > 0) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n == 0)
            return UTIL_OK;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return util_err(name);
        }
        size_t keep = 0;
        while (keep < (size_t)n && lines > 0) {
            char *nl = memchr(buf + keep, '\n', (size_t)n - keep);
            if (!nl) {
                keep = (size_t)n;
                break;
            }
            keep = (size_t)(nl - buf) + 1;
            lines--;
        }
        if (util_write_all(STDOUT_FILENO, buf, keep) != 0)
            return util_err("write error");
    }
    return UTIL_OK;
}

int main(int argc, char **argv)
{
    util_init("head");
    const char *usage = "[-n COUNT] [FILE...]";
    long long lines = 10;
    int c;
    if (argc > 1 && argv[1][0] == '-' && argv[1][1] >= '0' && argv[1][1] <= '9') {
        if (util_parse_count(argv[1] + 1, &lines) != 0)
            util_usage(usage);
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    while ((c = util_getopt(argc, argv, "n:", usage)) != -1) {
        if (util_parse_count(optarg, &lines) != 0) {
            util_msg("%s: invalid number of lines", optarg);
            util_usage(usage);
        }
    }
    int nfiles = argc - optind;
    if (nfiles == 0)
        return head_fd(STDIN_FILENO, "-", lines);
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        int fd = util_open_input(argv[i]);
        if (fd < 0) {
            status = util_err(argv[i]);
            continue;
        }
        if (nfiles > 1) {
            printf("%s==> %s <==\n", i > optind ? "\n" : "", argv[i]);
            fflush(stdout);
        }
        status |= head_fd(fd, argv[i], lines);
        if (fd != STDIN_FILENO)
            close(fd);
    }
    return util_finish(status);
}
