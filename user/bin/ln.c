/*
 * ln.c - make links (POSIX ln).
 *
 *   ln [-s] [-f] SOURCE [TARGET]
 *   ln [-s] [-f] SOURCE... DIRECTORY
 * A hard link, or with -s a symbolic link whose contents are SOURCE as
 * written. Into a directory (or "." without TARGET) the link takes SOURCE's
 * last component as its name. -f removes an existing TARGET first.
 */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

static int make_link(const char *src, const char *dst, int sym, int force)
{
    int r = sym ? symlink(src, dst) : link(src, dst);
    if (r != 0 && errno == EEXIST && force) {
        struct stat d;
        if (lstat(dst, &d) == 0 && S_ISDIR(d.st_mode))
            return util_errno(dst, EISDIR);
        if (unlink(dst) != 0)
            return util_err(dst);
        r = sym ? symlink(src, dst) : link(src, dst);
    }
    if (r != 0)
        return util_err(errno == EEXIST || sym ? dst : src);
    return UTIL_OK;
}

int main(int argc, char **argv)
{
    util_init("ln");
    const char *usage = "[-s] [-f] SOURCE... TARGET";
    int sym = 0, force = 0, c;
    while ((c = util_getopt(argc, argv, "sf", usage)) != -1) {
        if (c == 's')
            sym = 1;
        else
            force = 1;
    }
    int n = argc - optind;
    if (n < 1)
        util_usage(usage);
    const char *target = n == 1 ? "." : argv[argc - 1];
    int last = n == 1 ? argc : argc - 1;
    struct stat st;
    int into_dir = n == 1 || (stat(target, &st) == 0 && S_ISDIR(st.st_mode));
    if (n > 2 && !into_dir)
        return stat(target, &st) == 0 ? util_msg("%s: Not a directory", target) : util_err(target);
    if (!into_dir)
        return make_link(argv[optind], target, sym, force);
    int status = UTIL_OK;
    for (int i = optind; i < last; i++) {
        char name[NAME_MAX + 1], dst[PATH_MAX];
        util_last_component(argv[i], name, sizeof(name));
        if (util_path_join(dst, sizeof(dst), target, name) != 0)
            status = util_err(argv[i]);
        else
            status |= make_link(argv[i], dst, sym, force);
    }
    return status;
}
