/*
 * touch.c - set file times to now, creating missing files (POSIX touch).
 *
 *   touch [-a] [-c] [-m] FILE...
 * A missing FILE is created empty (its times are then already now), unless
 * -c. An existing one gets both times set with utimensat(), or only the
 * access (-a) or modification (-m) time. Kestrel does not have utimensat
 * yet: there touching an existing file reports "Function not implemented".
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
    util_init("touch");
    const char *usage = "[-a] [-c] [-m] FILE...";
    int atime = 0, mtime = 0, create = 1, c;
    while ((c = util_getopt(argc, argv, "acm", usage)) != -1) {
        if (c == 'a')
            atime = 1;
        else if (c == 'm')
            mtime = 1;
        else
            create = 0;
    }
    if (!atime && !mtime)
        atime = mtime = 1;
    if (optind == argc)
        util_usage(usage);
    struct timespec ts[2] = {
        { .tv_nsec = atime ? UTIME_NOW : UTIME_OMIT },
        { .tv_nsec = mtime ? UTIME_NOW : UTIME_OMIT },
    };
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        if (create) {
            int fd = open(argv[i], O_WRONLY | O_CREAT | O_EXCL, 0666);
            if (fd >= 0) {
                close(fd);
                continue;
            }
            if (errno != EEXIST) {
                status = util_err(argv[i]);
                continue;
            }
        }
        if (utimensat(AT_FDCWD, argv[i], ts, 0) != 0 && !(errno == ENOENT && !create))
            status = util_err(argv[i]);
    }
    return status;
}
