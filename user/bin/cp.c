/*
 * cp.c - copy files (POSIX cp).
 *
 *   cp [-f] [-r|-R] SOURCE TARGET
 *   cp [-f] [-r|-R] SOURCE... DIRECTORY
 * A file keeps its permission bits when it is created. -r copies directories
 * with their contents and links as links (tree.c: never followed below the
 * top, depth bounded by PATH_MAX, never into itself); without it a source
 * directory is refused and a link is followed. -f replaces a destination that
 * cannot be opened. Times and owners are not copied (no -p).
 */
#include "tree.h"
#include "util.h"

static int copy(void *ctx, const char *src, const char *dst)
{
    return tree_copy(src, dst, *(const int *)ctx);
}

int main(int argc, char **argv)
{
    util_init("cp");
    const char *usage = "[-f] [-r] SOURCE... TARGET";
    int flags = 0, c;
    while ((c = util_getopt(argc, argv, "fiprR", usage)) != -1) {
        if (c == 'f')
            flags |= TREE_FORCE;
        else if (c == 'r' || c == 'R')
            flags |= TREE_RECURSIVE;
        else if (c == 'p')
            return util_msg("-p: not supported (no chmod or utimensat on Kestrel)");
    }
    return util_each_source(argc - optind, argv + optind, usage, copy, &flags);
}
