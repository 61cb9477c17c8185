/*
 * du.c - disk usage of files and directory trees (POSIX du).
 *
 *   du [-a] [-s] [-c] [-h|-k] [FILE...]
 * The space each FILE (default ".") takes on the disk, st_blocks * 512
 * bytes, in 1 KiB blocks rounded up (-k, the default) or human-readable
 * (-h). A directory counts its own blocks plus everything below it and is
 * printed after its contents; -a prints files too, -s only each operand's
 * total, -c adds a "total" line. Symbolic links are never followed (their
 * own size counts), and a file with several hard links counts once. With
 * several operands, as in GNU du, every file and directory counts once: an
 * operand inside another one already walked is not counted again.
 *
 * The walk recurses once per level of a path that must fit in PATH_MAX, and
 * reads each directory whole and closes it before descending (util.h), so
 * it holds no descriptor per level.
 */
#include "util.h"
#include "system.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int opt_all, opt_sum, human;
static int hash_all; /* several operands: remember every file, not only hard links */

/* The (device, inode) pairs of the files with more than one link seen so
 * far: an open-addressing hash set that doubles when half full. */
static struct seen {
    dev_t dev;
    ino_t ino;
    int used;
} * seen;
static size_t seen_cap, seen_n;

static size_t seen_slot(struct seen *set, size_t cap, dev_t dev, ino_t ino)
{
    size_t h = ((size_t)ino * 0x9E3779B97F4A7C15ull ^ (size_t)dev) & (cap - 1);
    while (set[h].used && !(set[h].dev == dev && set[h].ino == ino))
        h = (h + 1) & (cap - 1);
    return h;
}

/* Record a file; returns 1 if it was already there, -1 if out of memory. */
static int seen_add(dev_t dev, ino_t ino)
{
    if (2 * (seen_n + 1) > seen_cap) {
        size_t cap = seen_cap ? seen_cap * 2 : 256;
        struct seen *set = calloc(cap, sizeof(*set));
        if (!set)
            return -1;
        for (size_t i = 0; i < seen_cap; i++)
            if (seen[i].used)
                set[seen_slot(set, cap, seen[i].dev, seen[i].ino)] = seen[i];
        free(seen);
        seen = set;
        seen_cap = cap;
    }
    size_t h = seen_slot(seen, seen_cap, dev, ino);
    if (seen[h].used)
        return 1;
    seen[h] = (struct seen){ dev, ino, 1 };
    seen_n++;
    return 0;
}

static void print_size(uint64_t bytes, const char *path)
{
    char text[32];
    if (human)
        sys_human(bytes, text, 0);
    else
        snprintf(text, sizeof(text), "%llu", (unsigned long long)((bytes + 1023) / 1024));
    printf("%s\t%s\n", text, path);
}

/* Add the usage of PATH (and below) to *total; print as the options say. */
static int walk(const char *path, int top, uint64_t *total)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return util_err(path);
    if (hash_all || (!S_ISDIR(st.st_mode) && st.st_nlink > 1)) {
        int dup = seen_add(st.st_dev, st.st_ino);
        if (dup < 0)
            return util_err(path);
        if (dup)
            return UTIL_OK;
    }
    uint64_t bytes = (uint64_t)st.st_blocks * 512;
    int status = UTIL_OK;
    if (S_ISDIR(st.st_mode)) {
        char **names;
        size_t n;
        if (util_read_dir(path, 0, &names, &n) != 0) {
            status = util_err(path);
        } else {
            for (size_t i = 0; i < n; i++) {
                char child[PATH_MAX];
                if (util_path_join(child, sizeof(child), path, names[i]) != 0) {
                    status = util_err(path);
                    continue;
                }
                status |= walk(child, 0, &bytes);
            }
            util_free_names(names, n);
        }
    }
    if (top || (!opt_sum && (S_ISDIR(st.st_mode) || opt_all)))
        print_size(bytes, path);
    *total += bytes;
    return status;
}

int main(int argc, char **argv)
{
    const char *usage = "[-a] [-s] [-c] [-h|-k] [FILE...]";
    util_init("du");
    int total_line = 0, c;
    while ((c = util_getopt(argc, argv, "aschk", usage)) != -1) {
        switch (c) {
        case 'a':
            opt_all = 1;
            break;
        case 's':
            opt_sum = 1;
            break;
        case 'c':
            total_line = 1;
            break;
        case 'h':
            human = 1;
            break;
        case 'k':
            human = 0;
            break;
        }
    }
    if (opt_all && opt_sum)
        util_usage(usage);
    char *dot[] = { "." };
    char **ops = optind < argc ? argv + optind : dot;
    int nops = optind < argc ? argc - optind : 1;
    uint64_t total = 0;
    int status = UTIL_OK;
    hash_all = nops > 1;
    for (int i = 0; i < nops; i++)
        status |= walk(ops[i], 1, &total);
    if (total_line)
        print_size(total, "total");
    free(seen);
    return util_finish(status);
}
