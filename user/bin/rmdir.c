/*
 * rmdir.c - remove empty directories (POSIX rmdir).
 *
 *   rmdir [-p] DIR...
 * -p removes each DIR and then the parents named in it ("a/b/c", "a/b", "a"),
 * stopping at the first that cannot be removed.
 */
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int remove_parents(char *path)
{
    for (;;) {
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/')
            path[--n] = '\0';
        char *slash = strrchr(path, '/');
        if (!slash)
            return UTIL_OK;
        while (slash > path && slash[-1] == '/')
            slash--;
        if (slash == path)
            return UTIL_OK;
        *slash = '\0';
        if (rmdir(path) != 0)
            return util_err(path);
    }
}

int main(int argc, char **argv)
{
    util_init("rmdir");
    const char *usage = "[-p] DIR...";
    int parents = 0, c;
    while ((c = util_getopt(argc, argv, "p", usage)) != -1)
        parents = 1;
    if (optind == argc)
        util_usage(usage);
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        if (rmdir(argv[i]) != 0) {
            status = util_err(argv[i]);
            continue;
        }
        if (parents) {
            char *copy = strdup(argv[i]);
            if (!copy)
                return util_err(argv[i]);
            status |= remove_parents(copy);
            free(copy);
        }
    }
    return status;
}
