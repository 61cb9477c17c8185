/*
 * ls.c - list directory contents (POSIX ls).
 *
 *   ls [-1] [-a] [-d] [-l] [-R] [FILE...]
 * Names sort by their bytes (the C locale). File operands are listed first,
 * then each directory operand's contents, under a "DIR:" header when there is
 * more than one operand or -R. -a shows names starting with '.', including
 * "." and ".."; -d lists directories themselves; -R descends into
 * subdirectories (never through links: an explicit stack of paths, no
 * recursion, so a link cycle cannot trap it). -l: "total" in KiB, then mode,
 * links, owner, group ("root" or the number), size (or "major, minor"),
 * modification time ("%b %e %H:%M", or "%b %e  %Y" if not within the last
 * six months), name, and "-> target" for links. Without -l or -1, output to a
 * terminal is in columns (GNU's layout), one name per line otherwise.
 * A symbolic link operand is followed to its directory unless -d or -l.
 * Exit status 1 if any operand or directory could not be read.
 */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

struct entry {
    char *name; /* as shown */
    char *path; /* to stat and readlink */
    struct stat st;
};

static int long_fmt, all, recursive, one_per_line, dir_itself, columns;
static int status = UTIL_OK;
static time_t now;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int digits(unsigned long long v)
{
    int d = 1;
    for (; v >= 10; v /= 10)
        d++;
    return d;
}

static void size_field(const struct stat *st, char *out, size_t size)
{
    if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
        snprintf(out, size, "%u, %u", major(st->st_rdev), minor(st->st_rdev));
    else
        snprintf(out, size, "%lld", (long long)st->st_size);
}

/* Fields are as wide as their widest among @w (which GNU ls makes every
 * operand, directories included, for the operands' list). */
static void print_long(struct entry *e, size_t n, const struct entry *w, size_t nw)
{
    int wl = 1, wu = 1, wg = 1, ws = 1;
    char buf[64];
    for (size_t i = 0; i < nw; i++) {
        int d = digits(w[i].st.st_nlink);
        wl = d > wl ? d : wl;
        util_id_name(w[i].st.st_uid, buf);
        wu = (int)strlen(buf) > wu ? (int)strlen(buf) : wu;
        util_id_name(w[i].st.st_gid, buf);
        wg = (int)strlen(buf) > wg ? (int)strlen(buf) : wg;
        size_field(&w[i].st, buf, sizeof(buf));
        ws = (int)strlen(buf) > ws ? (int)strlen(buf) : ws;
    }
    for (size_t i = 0; i < n; i++) {
        const struct stat *st = &e[i].st;
        char mode[11], user[24], group[24], size[64], date[64];
        util_mode_string(st->st_mode, mode);
        util_id_name(st->st_uid, user);
        util_id_name(st->st_gid, group);
        size_field(st, size, sizeof(size));
        time_t t = st->st_mtim.tv_sec;
        struct tm *tm = localtime(&t);
        /* six months: half of the Gregorian year's 31556952 seconds */
        int recent = t > now - 31556952 / 2 && t <= now;
        if (!tm || !strftime(date, sizeof(date), recent ? "%b %e %H:%M" : "%b %e  %Y", tm))
            snprintf(date, sizeof(date), "%lld", (long long)t);
        printf("%s %*lu %-*s %-*s %*s %s %s", mode, wl, (unsigned long)st->st_nlink, wu, user, wg,
               group, ws, size, date, e[i].name);
        if (S_ISLNK(st->st_mode)) {
            char target[PATH_MAX];
            ssize_t len = readlink(e[i].path, target, sizeof(target) - 1);
            if (len >= 0)
                printf(" -> %.*s", (int)len, target);
            else
                status = util_err(e[i].path);
        }
        putchar('\n');
    }
}

/* GNU's -C layout: the most columns (filled top to bottom) whose widths,
 * each at least 3 and 2 more than its longest name but for the last, add up
 * to less than the line width. */
static void print_columns(struct entry *e, size_t n)
{
    struct winsize wsz;
    size_t width = 80;
    const char *env = getenv("COLUMNS");
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &wsz) == 0 && wsz.ws_col > 0)
        width = wsz.ws_col;
    else if (env && atoi(env) > 0)
        width = (size_t)atoi(env);
    size_t max_cols = width / 3 ? width / 3 : 1;
    if (max_cols > n)
        max_cols = n;
    size_t *col = calloc(max_cols, sizeof(*col));
    if (!col) {
        for (size_t i = 0; i < n; i++)
            puts(e[i].name);
        return;
    }
    size_t cols = max_cols, rows = 1;
    for (; cols >= 1; cols--) {
        rows = (n + cols - 1) / cols;
        size_t line = 0;
        for (size_t c = 0; c < cols; c++)
            col[c] = 3;
        for (size_t i = 0; i < n; i++) {
            size_t c = i / rows, len = strlen(e[i].name) + (c == cols - 1 ? 0 : 2);
            col[c] = len > col[c] ? len : col[c];
        }
        for (size_t c = 0; c < cols; c++)
            line += col[c];
        if (line < width || cols == 1)
            break;
    }
    for (size_t r = 0; r < rows; r++) {
        size_t pos = 0;
        for (size_t c = 0, i = r; i < n; c++, i += rows) {
            fputs(e[i].name, stdout);
            if (i + rows >= n)
                break;
            /* pad to the next column with tabs where a tab stop fits, as GNU ls */
            size_t at = pos + strlen(e[i].name), to = pos + col[c];
            while (at < to) {
                if (to / 8 > (at + 1) / 8) {
                    putchar('\t');
                    at += 8 - at % 8;
                } else {
                    putchar(' ');
                    at++;
                }
            }
            pos = to;
        }
        putchar('\n');
    }
    free(col);
}

static void print_entries(struct entry *e, size_t n, const struct entry *w, size_t nw)
{
    if (long_fmt)
        print_long(e, n, w, nw);
    else if (columns && n > 0)
        print_columns(e, n);
    else
        for (size_t i = 0; i < n; i++)
            puts(e[i].name);
}

static void free_entries(struct entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].name);
        free(e[i].path);
    }
    free(e);
}

/* The pending directories of -R and the operands: a stack of paths. */
static char **stack;
static size_t depth, stack_cap;

static int push(const char *path)
{
    if (depth == stack_cap) {
        stack_cap = stack_cap ? stack_cap * 2 : 16;
        char **g = realloc(stack, stack_cap * sizeof(*stack));
        if (!g)
            return -1;
        stack = g;
    }
    if (!(stack[depth] = strdup(path)))
        return -1;
    depth++;
    return 0;
}

static void list_dir(const char *path, int header, int *printed)
{
    char **names;
    size_t n;
    if (util_read_dir(path, all, &names, &n) != 0) {
        status = util_err(path);
        return;
    }
    if (*printed)
        putchar('\n');
    if (header)
        printf("%s:\n", path);
    *printed = 1;
    struct entry *e = calloc(n ? n : 1, sizeof(*e));
    if (!e) {
        status = util_err(path);
        util_free_names(names, n);
        return;
    }
    size_t k = 0;
    long long blocks = 0;
    for (size_t i = 0; i < n; i++) {
        if (!all && names[i][0] == '.')
            continue;
        char full[PATH_MAX];
        if (util_path_join(full, sizeof(full), path, names[i]) != 0 || lstat(full, &e[k].st) != 0) {
            status = util_msg("%s/%s: %s", path, names[i], strerror(errno));
            continue;
        }
        e[k].name = names[i];
        e[k].path = strdup(full);
        names[i] = NULL;
        blocks += e[k].st.st_blocks;
        k++;
    }
    util_free_names(names, n);
    if (long_fmt)
        printf("total %lld\n", (blocks + 1) / 2);
    print_entries(e, k, e, k);
    if (recursive) {
        /* pushed last to first, so they are listed first to last */
        for (size_t i = k; i-- > 0;) {
            if (!S_ISDIR(e[i].st.st_mode) || !strcmp(e[i].name, ".") || !strcmp(e[i].name, ".."))
                continue;
            if (push(e[i].path) != 0)
                status = util_err(e[i].path);
        }
    }
    free_entries(e, k);
}

int main(int argc, char **argv)
{
    util_init("ls");
    int c;
    while ((c = util_getopt(argc, argv, "1adlRC", "[-1] [-a] [-d] [-l] [-R] [FILE...]")) != -1) {
        switch (c) {
        case '1':
            one_per_line = 1;
            break;
        case 'a':
            all = 1;
            break;
        case 'd':
            dir_itself = 1;
            break;
        case 'l':
            long_fmt = 1;
            break;
        case 'R':
            recursive = 1;
            break;
        case 'C':
            columns = 1;
            break;
        }
    }
    if (!one_per_line && !columns)
        columns = isatty(STDOUT_FILENO);
    if (one_per_line)
        columns = 0;
    now = time(NULL);

    char *dot[] = { ".", NULL };
    char **ops = optind < argc ? argv + optind : dot;
    size_t nops = optind < argc ? (size_t)(argc - optind) : 1;
    struct entry *files = calloc(nops, sizeof(*files));
    struct entry *dirs = calloc(nops, sizeof(*dirs));
    if (!files || !dirs)
        return util_err(NULL);
    size_t nfiles = 0, ndirs = 0;
    int follow = !dir_itself && !long_fmt;
    for (size_t i = 0; i < nops; i++) {
        struct stat st;
        int r = follow ? stat(ops[i], &st) : lstat(ops[i], &st);
        if (r != 0 && follow)
            r = lstat(ops[i], &st); /* a dangling link is still listed */
        if (r != 0) {
            status = util_err(ops[i]);
            continue;
        }
        struct entry *e = (S_ISDIR(st.st_mode) && !dir_itself) ? &dirs[ndirs++] : &files[nfiles++];
        e->name = strdup(ops[i]);
        e->path = strdup(ops[i]);
        e->st = st;
        if (!e->name || !e->path)
            return util_err(NULL);
    }
    qsort(files, nfiles, sizeof(*files), cmp_entry);
    qsort(dirs, ndirs, sizeof(*dirs), cmp_entry);
    /* shallow copies: the names stay owned by files[] and dirs[] */
    struct entry *both = calloc(nops, sizeof(*both));
    if (!both)
        return util_err(NULL);
    memcpy(both, files, nfiles * sizeof(*files));
    memcpy(both + nfiles, dirs, ndirs * sizeof(*dirs));
    print_entries(files, nfiles, both, nfiles + ndirs);
    free(both);
    int printed = nfiles > 0;
    int header = recursive || nops > 1;
    for (size_t i = ndirs; i-- > 0;)
        if (push(dirs[i].path) != 0)
            return util_err(NULL);
    while (depth > 0) {
        char *path = stack[--depth];
        list_dir(path, header, &printed);
        free(path);
    }
    free(stack);
    free_entries(files, nfiles);
    free_entries(dirs, ndirs);
    return util_finish(status);
}
