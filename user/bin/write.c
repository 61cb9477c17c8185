/*
 * write.c - the first seed's `write`: put a line of words in a file.
 *
 *   write PATH [WORD...]   PATH is created (mode 0644 less the umask) or
 *                          truncated, and gets the WORDs joined by single
 *                          spaces and ended by a newline
 */
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *usage = "PATH [WORD...]";
    util_init("write");
    while (util_getopt(argc, argv, "", usage) != -1)
        ;
    if (optind >= argc)
        util_usage(usage);
    const char *path = argv[optind];
    size_t len = 1;
    for (int i = optind + 1; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *line = malloc(len);
    if (!line)
        return util_err(NULL);
    size_t n = 0;
    for (int i = optind + 1; i < argc; i++) {
        if (n > 0)
            line[n++] = ' ';
        size_t w = strlen(argv[i]);
        memcpy(line + n, argv[i], w);
        n += w;
    }
    line[n++] = '\n';
    int status = UTIL_OK;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        status = util_err(path);
    else if (util_write_all(fd, line, n) != 0)
        status = util_err(path);
    if (fd >= 0 && close(fd) != 0 && status == UTIL_OK)
        status = util_err(path);
    free(line);
    return status;
}
