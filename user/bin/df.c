/*
 * df.c - free disk space (coreutils df's layout).
 *
 *   df [-a] [-h|-k] [-T] [FILE...]
 * One line per mounted file system of /proc/mounts, or per file system that
 * holds each FILE: its source, size, used and available space and use
 * percentage (used / (used + available), rounded up), from statfs(2).
 * Sizes are in 1 KiB blocks (-k, the default) or human-readable (-h: "58G",
 * powers of 1024, rounded up); -T adds the type. Without -a, file systems of
 * size 0 (proc, sysfs, ...) and repeated mounts of one directory are left
 * out. Columns are as wide as their widest entry, as coreutils sizes them.
 * A FILE's file system is the mount with the longest directory that is a
 * prefix of the FILE's real path.
 */
#include "system.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#define MAX_ROWS 256
#define NCOLS    7

enum { C_SRC, C_TYPE, C_SIZE, C_USED, C_AVAIL, C_PCENT, C_DIR };

static char *rows[MAX_ROWS + 1][NCOLS];
static int nrows;
static int human, show_type;

static int add_row(const struct sys_mount *m, const struct statfs *sf)
{
    if (nrows >= MAX_ROWS)
        return util_msg("more than %d file systems; the rest are left out", MAX_ROWS);
    unsigned long long unit = sf->f_frsize ? (unsigned long long)sf->f_frsize : sf->f_bsize;
    unsigned long long total = sf->f_blocks, used = sf->f_blocks - sf->f_bfree,
                       avail = sf->f_bavail;
    if (sf->f_bfree > sf->f_blocks)
        used = 0;
    unsigned long long values[3] = { total * unit, used * unit, avail * unit };
    char text[NCOLS][32];
    for (int i = 0; i < 3; i++) {
        if (human)
            sys_human(values[i], text[C_SIZE + i], 0);
        else
            snprintf(text[C_SIZE + i], sizeof(text[0]), "%llu", (values[i] + 1023) / 1024);
    }
    if (used + avail == 0)
        strcpy(text[C_PCENT], "-");
    else
        snprintf(text[C_PCENT], sizeof(text[0]), "%llu%%",
                 (used * 100 + used + avail - 1) / (used + avail));
    char **row = rows[++nrows];
    row[C_SRC] = strdup(m->src);
    row[C_TYPE] = strdup(m->type);
    row[C_DIR] = strdup(m->dir);
    for (int i = C_SIZE; i <= C_PCENT; i++)
        row[i] = strdup(text[i]);
    for (int i = 0; i < NCOLS; i++)
        if (!row[i])
            return util_err(NULL);
    return UTIL_OK;
}

static void print_rows(void)
{
    static const int min_width[NCOLS] = { 14, 4, 5, 5, 5, 4, 0 };
    rows[0][C_SRC] = "Filesystem";
    rows[0][C_TYPE] = "Type";
    rows[0][C_SIZE] = human ? "Size" : "1K-blocks";
    rows[0][C_USED] = "Used";
    rows[0][C_AVAIL] = human ? "Avail" : "Available";
    rows[0][C_PCENT] = "Use%";
    rows[0][C_DIR] = "Mounted on";
    int width[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        width[c] = min_width[c];
        for (int r = 0; r <= nrows; r++)
            if ((int)strlen(rows[r][c]) > width[c])
                width[c] = (int)strlen(rows[r][c]);
    }
    for (int r = 0; r <= nrows; r++) {
        printf("%-*s", width[C_SRC], rows[r][C_SRC]);
        if (show_type)
            printf(" %-*s", width[C_TYPE], rows[r][C_TYPE]);
        for (int c = C_SIZE; c <= C_PCENT; c++)
            printf(" %*s", width[c], rows[r][c]);
        printf(" %s\n", rows[r][C_DIR]);
    }
}

/* Every mounted file system (no operands). */
static int all_mounts(int all)
{
    FILE *f = fopen(SYS_MOUNTS, "r");
    if (!f)
        return util_err(SYS_MOUNTS);
    static struct sys_mount mounts[MAX_ROWS];
    int n = 0, status = UTIL_OK;
    struct sys_mount m;
    while (sys_mount_next(f, &m)) {
        /* A directory mounted on again shows the last mount, as statfs sees it. */
        int i;
        for (i = 0; i < n && strcmp(mounts[i].dir, m.dir); i++)
            ;
        if (i == n && n == MAX_ROWS)
            continue;
        mounts[i] = m;
        if (i == n)
            n++;
    }
    fclose(f);
    for (int i = 0; i < n; i++) {
        struct statfs sf;
        if (statfs(mounts[i].dir, &sf) != 0) {
            if (all)
                status = util_err(mounts[i].dir);
            continue;
        }
        if (sf.f_blocks == 0 && !all)
            continue;
        status |= add_row(&mounts[i], &sf);
    }
    return status;
}

/* The file system that holds FILE. */
static int one_file(const char *file)
{
    struct statfs sf;
    if (statfs(file, &sf) != 0)
        return util_err(file);
    struct sys_mount best = { .src = "-", .dir = "-", .type = "-" };
    char real[PATH_MAX];
    FILE *f = fopen(SYS_MOUNTS, "r");
    if (f && realpath(file, real)) {
        size_t best_len = 0;
        struct sys_mount m;
        while (sys_mount_next(f, &m)) {
            size_t len = strlen(m.dir);
            while (len > 1 && m.dir[len - 1] == '/')
                len--;
            int prefix = !strncmp(real, m.dir, len) &&
                         (real[len] == '/' || real[len] == '\0' || (len == 1 && m.dir[0] == '/'));
            if (prefix && len >= best_len) {
                best = m;
                best_len = len;
            }
        }
    }
    if (f)
        fclose(f);
    return add_row(&best, &sf);
}

int main(int argc, char **argv)
{
    const char *usage = "[-a] [-h|-k] [-T] [FILE...]";
    util_init("df");
    int all = 0, c;
    while ((c = util_getopt(argc, argv, "ahkT", usage)) != -1) {
        if (c == 'a')
            all = 1;
        else if (c == 'h')
            human = 1;
        else if (c == 'k')
            human = 0;
        else
            show_type = 1;
    }
    int status = UTIL_OK;
    if (optind == argc)
        status = all_mounts(all);
    for (int i = optind; i < argc; i++)
        status |= one_file(argv[i]);
    if (nrows > 0)
        print_rows();
    return util_finish(status);
}
