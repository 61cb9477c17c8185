/*
 * mkdir.c - make directories (POSIX mkdir).
 *
 *   mkdir [-p] [-m MODE] DIR...
 * -p makes the missing parents too (mode u+wx on top of the umask's) and
 * accepts a directory that already exists; -m gives the last directory an
 * octal MODE exactly (the umask is cleared for that mkdir, so no chmod is
 * needed).
 */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir that, with -p, accepts an existing directory. */
static int make_one(const char *path, mode_t mode, int parents)
{
    if (mkdir(path, mode) == 0)
        return 0;
    int err = errno;
    struct stat st;
    if (parents && err == EEXIST) {
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        err = ENOTDIR;
    }
    errno = err;
    return -1;
}

static int make_parents(char *path, mode_t parent_mode)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        int r = make_one(path, parent_mode, 1);
        if (r != 0)
            util_err(path);
        *p = '/';
        if (r != 0)
            return UTIL_ERR;
    }
    return UTIL_OK;
}

int main(int argc, char **argv)
{
    util_init("mkdir");
    const char *usage = "[-p] [-m MODE] DIR...";
    int parents = 0, c;
    const char *mode_arg = NULL;
    while ((c = util_getopt(argc, argv, "pm:", usage)) != -1) {
        if (c == 'p')
            parents = 1;
        else
            mode_arg = optarg;
    }
    if (optind == argc)
        util_usage(usage);
    mode_t mask = umask(0);
    umask(mask);
    mode_t mode = 0777;
    if (mode_arg) {
        char *end;
        unsigned long m = strtoul(mode_arg, &end, 8);
        if (*mode_arg == '\0' || *end || m > 07777) {
            util_msg("%s: invalid mode (octal only)", mode_arg);
            util_usage(usage);
        }
        mode = (mode_t)m;
    }
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        if (parents) {
            char *copy = strdup(argv[i]);
            if (!copy)
                return util_err(argv[i]);
            int s = make_parents(copy, ((0777 & ~mask) | 0300));
            free(copy);
            if (s != UTIL_OK) {
                status = s;
                continue;
            }
        }
        if (mode_arg)
            umask(0);
        int r = make_one(argv[i], mode, parents);
        umask(mask);
        if (r != 0)
            status = util_err(argv[i]);
    }
    return status;
}
