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
#include <limits.h>
#include <sys/stat.h>

static int move(const char *src, const char *dst)
{
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
    int n = argc - optind;
    if (n < 2)
        util_usage(usage);
    const char *target = argv[argc - 1];
    struct stat st;
    int into_dir = stat(target, &st) == 0 && S_ISDIR(st.st_mode);
    if (n > 2 && !into_dir)
        return stat(target, &st) == 0 ? util_msg("%s: Not a directory", target) : util_err(target);
    if (!into_dir)
        return move(argv[optind], target);
    int status = UTIL_OK;
    for (int i = optind; i < argc - 1; i++) {
        char name[NAME_MAX + 1], dst[PATH_MAX];
        util_last_component(argv[i], name, sizeof(name));
        if (util_path_join(dst, sizeof(dst), target, name) != 0)
            status = util_err(argv[i]);
        else
            status |= move(argv[i], dst);
    }
    return status;
}
