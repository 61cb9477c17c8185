/*
 * tree.c - list directory trees as an indented drawing (as the `tree`
 * program does in the C locale).
 *
 *   tree [-a] [-d] [-l] [-L LEVEL] [DIR...]
 *     .
 *     |-- a
 *     |   `-- b -> ../c
 *     `-- c
 *
 *     1 directory, 2 files
 * Names are sorted by strcmp; hidden ones (".x") only with -a. -d lists
 * directories only, -L stops LEVEL levels below each DIR, -l follows
 * symbolic links to directories. A symbolic link to a directory counts as a
 * directory. Cycle-safe: a directory that is already being listed above
 * (reached again through a link, or a bind mount) is shown with
 * "[recursive, not followed]" and not entered again. A directory that cannot
 * be read is shown with "[error opening dir]" and makes the exit status 1.
 *
 * The walk recurses once per level of a path that must fit in PATH_MAX, and
 * reads each directory whole and closes it before descending (util.h).
 */
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int opt_all, opt_dirs, opt_follow;
static long long max_level = -1;
static unsigned long long ndirs, nfiles;

/* The directories being listed, outermost first: what a cycle returns to. */
static struct ancestor {
    dev_t dev;
    ino_t ino;
} ancestors[PATH_MAX / 2 + 1];
static int depth;

static int is_ancestor(const struct stat *st)
{
    for (int i = 0; i < depth; i++)
        if (ancestors[i].dev == st->st_dev && ancestors[i].ino == st->st_ino)
            return 1;
    return 0;
}

/* PREFIX: the drawing to the left of this level's entries. */
static int list(const char *path, const struct stat *st, char *prefix, size_t plen, int level)
{
    if (max_level >= 0 && level >= max_level) {
        putchar('\n');
        return UTIL_OK;
    }
    char **names;
    size_t n;
    if (util_read_dir(path, 0, &names, &n) != 0) {
        printf(" [error opening dir]\n");
        return UTIL_ERR;
    }
    putchar('\n');
    ancestors[depth++] = (struct ancestor){ st->st_dev, st->st_ino };
    int status = UTIL_OK;
    /* Entries shown: without "." and "..", and with -d directories only. */
    size_t shown = 0, last = 0;
    struct stat *sts = calloc(n ? n : 1, sizeof(*sts));
    char *kinds = calloc(n ? n : 1, 1); /* 0 skip, 1 file, 2 directory */
    if (!sts || !kinds) {
        status = util_err(NULL);
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (names[i][0] == '.' && !opt_all)
            continue;
        char child[PATH_MAX];
        if (util_path_join(child, sizeof(child), path, names[i]) != 0 ||
            lstat(child, &sts[i]) != 0) {
            status = util_err(child);
            continue;
        }
        struct stat target;
        int dir = S_ISDIR(sts[i].st_mode) ||
                  (S_ISLNK(sts[i].st_mode) && stat(child, &target) == 0 && S_ISDIR(target.st_mode));
        if (opt_dirs && !dir)
            continue;
        kinds[i] = (char)(dir ? 2 : 1);
        shown++;
        last = i;
    }
    for (size_t i = 0; i < n; i++) {
        if (!kinds[i])
            continue;
        char child[PATH_MAX];
        util_path_join(child, sizeof(child), path, names[i]);
        printf("%s%s%s", prefix, i == last ? "`-- " : "|-- ", names[i]);
        if (kinds[i] == 2)
            ndirs++;
        else
            nfiles++;
        struct stat *cst = &sts[i], target;
        int descend = S_ISDIR(cst->st_mode);
        if (S_ISLNK(cst->st_mode)) {
            char to[PATH_MAX];
            ssize_t len = readlink(child, to, sizeof(to) - 1);
            if (len < 0)
                len = 0;
            to[len] = '\0';
            printf(" -> %s", to);
            if (opt_follow && kinds[i] == 2 && stat(child, &target) == 0) {
                cst = &target;
                descend = 1;
            }
        }
        if (descend && is_ancestor(cst)) {
            printf("  [recursive, not followed]\n");
            continue;
        }
        if (!descend || plen + 4 >= PATH_MAX) {
            putchar('\n');
            continue;
        }
        memcpy(prefix + plen, i == last ? "    " : "|   ", 5);
        status |= list(child, cst, prefix, plen + 4, level + 1);
        prefix[plen] = '\0';
    }
    depth--;
    free(sts);
    free(kinds);
    util_free_names(names, n);
    return status;
}

int main(int argc, char **argv)
{
    const char *usage = "[-a] [-d] [-l] [-L LEVEL] [DIR...]";
    util_init("tree");
    int c;
    while ((c = util_getopt(argc, argv, "adlL:", usage)) != -1) {
        switch (c) {
        case 'a':
            opt_all = 1;
            break;
        case 'd':
            opt_dirs = 1;
            break;
        case 'l':
            opt_follow = 1;
            break;
        case 'L':
            if (util_parse_count(optarg, &max_level) != 0 || max_level < 1) {
                util_msg("%s: invalid level, must be greater than 0", optarg);
                util_usage(usage);
            }
            break;
        }
    }
    char *dot[] = { "." };
    char **ops = optind < argc ? argv + optind : dot;
    int nops = optind < argc ? argc - optind : 1;
    static char prefix[PATH_MAX + 8];
    int status = UTIL_OK;
    for (int i = 0; i < nops; i++) {
        struct stat st;
        if (stat(ops[i], &st) != 0) {
            status = util_err(ops[i]);
            continue;
        }
        printf("%s", ops[i]);
        if (!S_ISDIR(st.st_mode)) {
            putchar('\n');
            nfiles++;
            continue;
        }
        prefix[0] = '\0';
        status |= list(ops[i], &st, prefix, 0, 0);
    }
    printf("\n%llu director%s, %llu file%s\n", ndirs, ndirs == 1 ? "y" : "ies", nfiles,
           nfiles == 1 ? "" : "s");
    return util_finish(status);
}
