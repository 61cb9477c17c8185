/*
 * basename.c - the last component of a path name (POSIX basename).
 *
 *   basename STRING [SUFFIX]
 *   basename -a [-s SUFFIX] STRING...    (as GNU: several names, one per line)
 * Trailing slashes are ignored; a string of slashes gives "/"; SUFFIX is
 * removed unless it is the whole remaining name.
 */
#include "util.h"

#include <stdio.h>
#include <string.h>

static void print_base(const char *s, const char *suffix)
{
    size_t end = strlen(s);
    if (end == 0) {
        puts("");
        return;
    }
    while (end > 0 && s[end - 1] == '/')
        end--;
    if (end == 0) {
        puts("/");
        return;
    }
    size_t start = end;
    while (start > 0 && s[start - 1] != '/')
        start--;
    size_t len = end - start, sl = suffix ? strlen(suffix) : 0;
    if (sl > 0 && sl < len && !memcmp(s + end - sl, suffix, sl))
        len -= sl;
    printf("%.*s\n", (int)len, s + start);
}

int main(int argc, char **argv)
{
    util_init("basename");
    const char *usage = "STRING [SUFFIX] | -a [-s SUFFIX] STRING...";
    const char *suffix = NULL;
    int multiple = 0, c;
    while ((c = util_getopt(argc, argv, "as:", usage)) != -1) {
        if (c == 's')
            suffix = optarg;
        multiple = 1;
    }
    int n = argc - optind;
    if (n < 1 || (!multiple && n > 2))
        util_usage(usage);
    if (!multiple) {
        print_base(argv[optind], n == 2 ? argv[optind + 1] : NULL);
    } else {
        for (int i = optind; i < argc; i++)
            print_base(argv[i], suffix);
    }
    return util_finish(UTIL_OK);
}
