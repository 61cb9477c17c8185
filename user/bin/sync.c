/*
 * sync.c - write buffered data to the disks (sync).
 *
 *   sync             every file system: sync(2)
 *   sync FILE...     just those files: fsync(2) on each (as GNU sync)
 */
#include "util.h"

#include <fcntl.h>

int main(int argc, char **argv)
{
    util_init("sync");
    while (util_getopt(argc, argv, "", "[FILE...]") != -1)
        ;
    if (optind == argc) {
        sync();
        return UTIL_OK;
    }
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        /* A file opened read-only can be synced too, and that is all a
         * directory or a file without write permission allows. */
        int fd = open(argv[i], O_RDONLY | O_NONBLOCK);
        if (fd < 0) {
            status = util_err(argv[i]);
            continue;
        }
        if (fsync(fd) != 0)
            status = util_err(argv[i]);
        close(fd);
    }
    return status;
}
