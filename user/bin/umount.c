/*
 * umount.c - unmount file systems.
 *
 *   umount [-f] [-l] DIR...   umount2(2) on each DIR: -f forces
 *                             (MNT_FORCE), -l detaches lazily (MNT_DETACH)
 * Exit status 0, 1 if any DIR could not be unmounted ("umount: DIR:
 * reason", e.g. "Device or resource busy"), 2 bad usage.
 */
#include "util.h"

#include <sys/mount.h>

int main(int argc, char **argv)
{
    const char *usage = "[-f] [-l] DIR...";
    util_init("umount");
    int flags = 0, c;
    while ((c = util_getopt(argc, argv, "fl", usage)) != -1)
        flags |= c == 'f' ? MNT_FORCE : MNT_DETACH;
    if (optind == argc)
        util_usage(usage);
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++)
        if (umount2(argv[i], flags) != 0)
            status = util_err(argv[i]);
    return status;
}
