/*
 * rm.c - remove directory entries (POSIX rm).
 *
 *   rm [-f] [-r|-R] FILE...
 * -r removes directories and their contents (tree.c: links are removed, never
 * followed; depth bounded by PATH_MAX); -f says nothing about files that do
 * not exist and allows no operands. A directory without -r, and the operands
 * ".", ".." and "/", are refused.
 */
#include "tree.h"
#include "util.h"

#include <string.h>

int main(int argc, char **argv)
{
    util_init("rm");
    const char *usage = "[-f] [-r] FILE...";
    int flags = 0, c;
    while ((c = util_getopt(argc, argv, "firR", usage)) != -1) {
        if (c == 'f')
            flags |= TREE_FORCE;
        else if (c == 'r' || c == 'R')
            flags |= TREE_RECURSIVE;
        /* -i is accepted for scripts' sake; there is nothing to prompt on */
    }
    if (optind == argc) {
        if (flags & TREE_FORCE)
            return UTIL_OK;
        util_usage(usage);
    }
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        char last[256];
        util_last_component(argv[i], last, sizeof(last));
        if (!strcmp(last, ".") || !strcmp(last, "..")) {
            status = util_msg("%s: refusing to remove '.' or '..'", argv[i]);
            continue;
        }
        if (!strcmp(last, "/")) {
            status = util_msg("%s: refusing to remove the root directory", argv[i]);
            continue;
        }
        status |= tree_remove(argv[i], flags);
    }
    return status;
}
