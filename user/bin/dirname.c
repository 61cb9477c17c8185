/*
 * dirname.c - the directory part of a path name (POSIX dirname).
 *
 *   dirname STRING...     one result per line
 * "a/b/" gives "a", "a" gives ".", "/a" and "/" give "/".
 */
#include "util.h"

#include <stdio.h>
#include <string.h>

static void print_dir(const char *s)
{
    size_t end = strlen(s);
    while (end > 1 && s[end - 1] == '/')
        end--;
    if (end == 1 && s[0] == '/') {
        puts("/");
        return;
    }
    while (end > 0 && s[end - 1] != '/')
        end--;
    if (end == 0) {
        puts(".");
        return;
    }
    while (end > 1 && s[end - 1] == '/')
        end--;
    printf("%.*s\n", (int)end, s);
}

int main(int argc, char **argv)
{
    util_init("dirname");
    const char *usage = "STRING...";
    while (util_getopt(argc, argv, "", usage) != -1)
        ;
    if (optind == argc)
        util_usage(usage);
    for (int i = optind; i < argc; i++)
        print_dir(argv[i]);
    return util_finish(UTIL_OK);
}
