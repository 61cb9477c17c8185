/*
 * chmod.c - change file modes (POSIX chmod).
 *
 *   chmod [-R] MODE FILE...
 * MODE is octal (644) or symbolic (u+x,go-w; see user/lib/mode.h). A
 * symbolic mode is applied to each file's own mode, so X and copies such as
 * g=u are per file. -R also changes everything under each directory
 * operand; symbolic links met in the walk are neither followed nor changed
 * (a link has no mode of its own), while a link given as an operand is
 * followed, as chmod(2) does.
 *
 * An invalid MODE is a usage error (status 2), checked before any file is
 * touched; a file that cannot be changed is reported and the others still
 * are (status 1).
 */
#include "mode.h"
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

static const char *spec;
static mode_t mask;

/* Change @path, whose attributes (followed) are @st. */
static int change(const char *path, const struct stat *st)
{
    mode_t mode;
    if (util_mode_apply(spec, st->st_mode, S_ISDIR(st->st_mode), mask, &mode) != 0)
        return util_errno(path, EINVAL); /* cannot happen: checked in main */
    if (chmod(path, mode) != 0)
        return util_err(path);
    return UTIL_OK;
}

/* tree_each()'s step for -R: links are left alone, as GNU chmod does. */
static int change_entry(void *ctx, const char *path, const struct stat *st)
{
    (void)ctx;
    return S_ISLNK(st->st_mode) ? UTIL_OK : change(path, st);
}

int main(int argc, char **argv)
{
    util_init("chmod");
    const char *usage = "[-R] MODE FILE...";
    int recurse = 0, argi = 1;
    /* By hand, not getopt: "chmod -w f" is a mode, not an unknown option. */
    for (; argi < argc && argv[argi][0] == '-' && argv[argi][1]; argi++) {
        const char *o = argv[argi] + 1;
        if (strcmp(o, "-") == 0) {
            argi++;
            break;
        }
        if (strspn(o, "R") != strlen(o)) {
            if (strchr("rwxXst=+-", *o))
                break; /* a mode such as -w or -x,u+r */
            util_msg("-%c: unknown option", o[strspn(o, "R")]);
            util_usage(usage);
        }
        recurse = 1;
    }
    if (argc - argi < 2)
        util_usage(usage);
    spec = argv[argi++];
    mask = umask(0);
    umask(mask);
    mode_t probe;
    if (util_mode_apply(spec, 0, 0, mask, &probe) != 0) {
        util_msg("%s: invalid mode", spec);
        util_usage(usage);
    }
    int status = UTIL_OK;
    for (int i = argi; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            status = util_err(argv[i]);
            continue;
        }
        if (change(argv[i], &st) != UTIL_OK) {
            status = UTIL_ERR;
            continue;
        }
        struct stat lst;
        if (recurse && S_ISDIR(st.st_mode) && lstat(argv[i], &lst) == 0 && S_ISDIR(lst.st_mode) &&
            tree_each(argv[i], change_entry, NULL) != UTIL_OK)
            status = UTIL_ERR;
    }
    return status;
}
