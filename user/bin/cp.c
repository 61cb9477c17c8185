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

#include <limits.h>
#include <sys/stat.h>

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
    int n = argc - optind;
    if (n < 2)
        util_usage(usage);
    const char *target = argv[argc - 1];
    struct stat st;
    int into_dir = stat(target, &st) == 0 && S_ISDIR(st.st_mode);
    if (n > 2 && !into_dir)
        return stat(target, &st) == 0 ? util_msg("%s: Not a directory", target) : util_err(target);
    if (!into_dir)
        return tree_copy(argv[optind], target, flags);
    int status = UTIL_OK;
    for (int i = optind; i < argc - 1; i++) {
        char name[NAME_MAX + 1], dst[PATH_MAX];
        util_last_component(argv[i], name, sizeof(name));
        if (util_path_join(dst, sizeof(dst), target, name) != 0)
            status = util_err(argv[i]);
        else
            status |= tree_copy(argv[i], dst, flags);
    }
    return status;
}
