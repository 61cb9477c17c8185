/*
 * cat.c - concatenate files to standard output (POSIX cat).
 *
 *   cat [-u] [FILE...]     "-" or no operand is standard input; -u is accepted
 *                          (output is never buffered anyway)
 * A file that cannot be read is reported and skipped; the status is then 1.
 */
#include "util.h"

#include <errno.h>
#include <unistd.h>

static char buf[64 * 1024];

static int cat_fd(int fd, const char *name)
{
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n == 0)
            return UTIL_OK;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return util_err(name);
        }
        if (util_write_all(STDOUT_FILENO, buf, (size_t)n) != 0)
            return util_err("write error");
    }
}

int main(int argc, char **argv)
{
    util_init("cat");
    int c;
    while ((c = util_getopt(argc, argv, "u", "[-u] [FILE...]")) != -1)
        ;
    if (optind == argc)
        return cat_fd(STDIN_FILENO, "-");
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        int fd = util_open_input(argv[i]);
        if (fd < 0) {
            status = util_err(argv[i]);
            continue;
        }
        status |= cat_fd(fd, argv[i]);
        if (fd != STDIN_FILENO)
            close(fd);
    }
    return status;
}
