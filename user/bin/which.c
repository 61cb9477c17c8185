/*
 * which.c - find programs in $PATH.
 *
 *   which [-a] NAME...   prints the first executable regular file NAME in
 *                        the directories of $PATH (an empty entry is the
 *                        current directory), or with -a every one; a NAME
 *                        with a '/' is checked as it is
 * Exit status: 0 if every NAME was found, 1 if any was not (nothing is
 * printed for it, as the shell's `command -v`), 2 on bad usage.
 */
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Print where NAME is; returns whether it was found. */
static int which(const char *name, int all)
{
    if (strchr(name, '/')) {
        if (!executable(name))
            return 0;
        printf("%s\n", name);
        return 1;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/bin:/sbin:/usr/bin:/usr/sbin";
    int found = 0;
    for (const char *p = path;;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char full[PATH_MAX];
        int n = len ? snprintf(full, sizeof(full), "%.*s/%s", (int)len, p, name)
                    : snprintf(full, sizeof(full), "./%s", name);
        if (n > 0 && (size_t)n < sizeof(full) && executable(full)) {
            printf("%s\n", full);
            found = 1;
            if (!all)
                break;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return found;
}

int main(int argc, char **argv)
{
    const char *usage = "[-a] NAME...";
    util_init("which");
    int all = 0, c;
    while ((c = util_getopt(argc, argv, "a", usage)) != -1)
        all = 1;
    if (optind == argc)
        util_usage(usage);
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++)
        if (!which(argv[i], all))
            status = UTIL_ERR;
    return util_finish(status);
}
