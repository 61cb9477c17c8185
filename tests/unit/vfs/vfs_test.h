/*
 * vfs_test.h - shared fixture for the libvfs suites: a VFS over malloc with a
 * ramfs root, and helpers to write and read whole files.
 */
#ifndef TESTS_VFS_TEST_H
#define TESTS_VFS_TEST_H

#include <check.h>
#include <vfs/vfs.h>
#include <vfs/vfs_attr.h>

#define T_NOW  INT64_MIN       /* a time argument of the helpers below: VFS_NSEC_NOW */
#define T_OMIT (INT64_MIN + 1) /* VFS_NSEC_OMIT */
/* vfs_utimens / vfs_futimens with whole seconds (or T_NOW, T_OMIT). */
int utimes_s(const char *path, bool follow, int64_t atime, int64_t mtime);
int futimes_s(int fd, int64_t atime, int64_t mtime);

extern struct vfs_ctx ctx;
extern long live_allocs;
/* The fixture's clock is 1000 s and this many nanoseconds. */
extern uint32_t fixture_ns;

void vfs_fixture_setup(void);
void vfs_fixture_teardown(void);
/* 1 while the VFS holds its namespace lock, else 0. */
int vfs_fixture_lock_depth(void);
int put_file(const char *path, const char *text);
/* Read a whole file into a static buffer ("" and *err set on failure). */
const char *get_file(const char *path, int *err);

#endif
