/*
 * mv.c - move files (POSIX mv).
 *
 *   mv [-f] SOURCE TARGET
 *   mv [-f] SOURCE... DIRECTORY
 * A rename; across file systems (EXDEV) the source is copied with cp -r's
 * rules (tree.c) and removed once the copy succeeded. Moving a file onto
 * itself is refused. -f and -i are accepted (mv never prompts).
 */
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

static int move(void *ctx, const char *src, const char *dst)
{
    (void)ctx;
    struct stat s, d;
    if (lstat(src, &s) != 0)
        return util_err(src);
    if (lstat(dst, &d) == 0 && s.st_dev == d.st_dev && s.st_ino == d.st_ino)
        return util_msg("%s and %s are the same file", src, dst);
    if (rename(src, dst) == 0)
        return UTIL_OK;
    if (errno != EXDEV)
        return util_err(src);
    if (tree_copy(src, dst, TREE_RECURSIVE) != UTIL_OK)
        return UTIL_ERR;
    return tree_remove(src, TREE_RECURSIVE);
}

int main(int argc, char **argv)
{
    util_init("mv");
    const char *usage = "[-f] SOURCE... TARGET";
    while (util_getopt(argc, argv, "fi", usage) != -1)
        ;
    return util_each_source(argc - optind, argv + optind, usage, move, NULL);
}
