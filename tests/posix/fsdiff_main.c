/*
 * fsdiff_main.c - command line of the differential POSIX test.
 *
 *   test_fsdiff                    `make check`: several seeds, libsfs vs a
 *                                  fresh directory on the host's tmpfs
 *   test_fsdiff --long             `make bench`: more seeds, more calls
 *   test_fsdiff --seed N --ops M   one sequence (-v: print every call)
 *   test_fsdiff DIR1 [DIR2]        DIR1 (e.g. a FUSE mount of an SFS image)
 *                                  against DIR2 or a fresh tmpfs directory;
 *                                  both must start empty
 *
 * A fresh tmpfs directory is made with mkdtemp() in /dev/shm (or /tmp when
 * that is not there) and removed afterwards. Exit status: 0 when every
 * sequence matched, 1 on a difference, 2 on a setup failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fsdiff.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994

static int usage(FILE *f)
{
    fprintf(f, "usage: test_fsdiff [--long] [--seed N] [--seeds K] [--ops M] [--slack MS] "
               "[--check-each] [-v] [DIR1 [DIR2]]\n"
               "  Runs random file-system calls on two back ends and compares every result.\n"
               "  Without directories: libsfs (RAM device) against a fresh tmpfs directory.\n"
               "  With DIR1: DIR1 against DIR2 (or a fresh tmpfs directory).\n"
               "  --slack MS: times set to \"now\" may differ by MS ms (default 2000).\n"
               "  --check-each: compare the whole trees after every call (slow).\n");
    return f == stdout ? 0 : 2;
}

static char *make_tmpdir(void)
{
    static const char *const bases[] = { "/dev/shm", "/tmp" };
    for (size_t i = 0; i < 2; i++) {
        struct statfs sf;
        if (statfs(bases[i], &sf) < 0 || sf.f_type != TMPFS_MAGIC)
            continue;
        char *p = malloc(64);
        snprintf(p, 64, "%s/fsdiff.XXXXXX", bases[i]);
        if (mkdtemp(p) && chmod(p, 0755) == 0) /* as the root of a new SFS volume */
            return p;
        free(p);
    }
    fprintf(stderr, "fsdiff: no tmpfs directory (/dev/shm or /tmp)\n");
    return NULL;
}

static void remove_tree(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fsdiff: could not remove %s\n", dir);
}

/* One sequence on fresh back ends. Returns the differences (or -1). */
static long one(const char *dir1, const char *dir2, uint64_t seed, long ops, int verbose)
{
    struct fsd_backend x, y;
    char *tmp = NULL;
    if (!dir2 && !(tmp = make_tmpdir()))
        return -1;
    int r = dir1 ? fsd_host_open(&x, dir1) : fsd_sfs_open(&x, 64u << 20);
    if (r < 0)
        return -1;
    if (fsd_host_open(&y, dir2 ? dir2 : tmp) < 0)
        return -1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long d = fsd_run(&x, &y, seed, ops, verbose);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    x.close(x.ctx);
    y.close(y.ctx);
    if (tmp) {
        remove_tree(tmp);
        free(tmp);
    }
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("fsdiff: seed %llu, %ld calls, %s vs %s: %ld difference%s (%.2f s)\n",
           (unsigned long long)seed, ops, dir1 ? dir1 : "libsfs", dir2 ? dir2 : "tmpfs", d,
           d == 1 ? "" : "s", s);
    fflush(stdout);
    return d;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    long seeds = 6, ops = 3000;
    int verbose = 0;
    bool one_seed = false;
    const char *dirs[2] = { NULL, NULL };
    int ndirs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return usage(stdout);
        if (!strcmp(a, "--long")) {
            seeds = 40;
            ops = 20000;
        } else if (!strcmp(a, "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], NULL, 0);
            one_seed = true;
        } else if (!strcmp(a, "--seeds") && i + 1 < argc) {
            seeds = strtol(argv[++i], NULL, 0);
        } else if (!strcmp(a, "--ops") && i + 1 < argc) {
            ops = strtol(argv[++i], NULL, 0);
        } else if (!strcmp(a, "--slack") && i + 1 < argc) {
            fsd_slack_ns = strtoll(argv[++i], NULL, 0) * 1000000ll;
        } else if (!strcmp(a, "--check-each")) {
            fsd_check_each = 1;
        } else if (!strcmp(a, "-v")) {
            verbose++;
        } else if (a[0] != '-' && ndirs < 2) {
            dirs[ndirs++] = a;
        } else {
            return usage(stderr);
        }
    }
    if (one_seed)
        seeds = 1;
    if (dirs[0]) {
        seeds = 1;                      /* a given directory is used once: it must start empty */
        fsd_host_pair = geteuid() == 0; /* the kernel checks permissions on both */
    }
    long failed = 0;
    for (long k = 0; k < seeds; k++) {
        long d = one(dirs[0], dirs[1], seed + (uint64_t)k, ops, verbose);
        if (d < 0)
            return 2;
        failed += d > 0;
    }
    return failed ? 1 : 0;
}
