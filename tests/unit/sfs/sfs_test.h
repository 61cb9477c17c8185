/*
 * sfs_test.h - shared fixtures for the libsfs suites: a formatted RAM volume,
 * remounting, a clean-check assertion and small file helpers.
 */
#ifndef SFS_TEST_H
#define SFS_TEST_H

#include "sfs_ramdev.h"
#include <check.h>
#include <sfs/sfs.h>
#include <sfs/sfs_check.h>
#include <stddef.h>

struct tfs {
    struct sfs_ramdev rd;
    struct sfs fs;
    struct sfs_config cfg;
    long allocs; /* live allocations through the hooks */
    int log_lines;
};

/* Format a volume of @bytes with block size @bs (0: default) and mount it. */
void tfs_setup(struct tfs *t, uint64_t bytes, uint32_t bs);
void tfs_setup_opts(struct tfs *t, uint64_t bytes, const struct sfs_format_opts *o, uint32_t cache);
/* Unmount, check for leaks, free the device. */
void tfs_teardown(struct tfs *t);
void tfs_remount(struct tfs *t);
/* Number of problems sfs_check() finds (printing them). */
long tfs_check(struct tfs *t);
void tfs_config(struct tfs *t, uint32_t cache);

int tfs_put(struct tfs *t, const char *path, const void *data, size_t len);
/* Read a whole file into a malloc'd buffer; returns its size or a negative error. */
long tfs_get(struct tfs *t, const char *path, void **data);
/* Names in a directory, counted (excluding . and ..); -1 on error. */
long tfs_count(struct tfs *t, const char *path);
void tfs_fill(void *buf, size_t len, uint32_t seed);

#define ck_assert_ok(expr) ck_assert_int_eq((expr), 0)

#endif
