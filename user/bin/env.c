/*
 * env.c - run a program in a modified environment (POSIX env).
 *
 *   env [-i] [-u NAME]... [NAME=VALUE]... [UTILITY [ARG...]]
 * -i starts from an empty environment, -u removes NAME (as GNU env). Without
 * UTILITY the resulting environment is printed, one NAME=VALUE per line.
 * Exit status: UTILITY's own, 126 if it was found but could not be run,
 * 127 if it was not found, 2 for usage errors.
 */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
    util_init("env");
    const char *usage = "[-i] [-u NAME]... [NAME=VALUE]... [UTILITY [ARG...]]";
    int c;
    /* musl's getopt stops at the first operand: UTILITY's options stay its own */
    while ((c = util_getopt(argc, argv, "iu:", usage)) != -1) {
        if (c == 'i') {
            static char *empty[] = { NULL };
            environ = empty;
        } else if (unsetenv(optarg) != 0) {
            util_msg("%s: cannot unset: %s", optarg, strerror(errno));
            return 125;
        }
    }
    int i = optind;
    if (i < argc && !strcmp(argv[i], "-")) {
        static char *empty[] = { NULL };
        environ = empty;
        i++;
    }
    for (; i < argc && strchr(argv[i], '='); i++) {
        if (putenv(argv[i]) != 0) {
            util_msg("%s: cannot set: %s", argv[i], strerror(errno));
            return 125;
        }
    }
    if (i == argc) {
        for (char **e = environ; *e; e++)
            puts(*e);
        return util_finish(UTIL_OK);
    }
    execvp(argv[i], argv + i);
    int err = errno;
    util_errno(argv[i], err);
    return err == ENOENT ? 127 : 126;
}
