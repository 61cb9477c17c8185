/*
 * uname.c - print system information (POSIX uname).
 *
 *   uname [-asnrvm]   the fields of uname(2), in the order s n r v m,
 *                     separated by spaces; no option means -s, -a means all
 */
#include "util.h"

#include <stdio.h>
#include <sys/utsname.h>

enum { F_S = 1, F_N = 2, F_R = 4, F_V = 8, F_M = 16 };

int main(int argc, char **argv)
{
    const char *usage = "[-asnrvm]";
    util_init("uname");
    int fields = 0, c;
    while ((c = util_getopt(argc, argv, "asnrvm", usage)) != -1) {
        switch (c) {
        case 'a':
            fields |= F_S | F_N | F_R | F_V | F_M;
            break;
        case 's':
            fields |= F_S;
            break;
        case 'n':
            fields |= F_N;
            break;
        case 'r':
            fields |= F_R;
            break;
        case 'v':
            fields |= F_V;
            break;
        case 'm':
            fields |= F_M;
            break;
        }
    }
    if (optind != argc)
        util_usage(usage);
    if (!fields)
        fields = F_S;
    struct utsname u;
    if (uname(&u) != 0)
        return util_err(NULL);
    const char *values[] = { u.sysname, u.nodename, u.release, u.version, u.machine };
    const char *sep = "";
    for (int i = 0; i < 5; i++) {
        if (fields & (1 << i)) {
            printf("%s%s", sep, values[i]);
            sep = " ";
        }
    }
    putchar('\n');
    return util_finish(UTIL_OK);
}
