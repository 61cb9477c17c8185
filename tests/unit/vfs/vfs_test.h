/*
 * vfs_test.h - shared fixture for the libvfs suites: a VFS over malloc with a
 * ramfs root, and helpers to write and read whole files.
 */
#ifndef TESTS_VFS_TEST_H
#define TESTS_VFS_TEST_H

#include <check.h>
#include <vfs/vfs.h>

extern struct vfs_ctx ctx;
extern long live_allocs;

void vfs_fixture_setup(void);
void vfs_fixture_teardown(void);
/* 1 while the VFS holds its namespace lock, else 0. */
int vfs_fixture_lock_depth(void);
int put_file(const char *path, const char *text);
/* Read a whole file into a static buffer ("" and *err set on failure). */
const char *get_file(const char *path, int *err);

#endif
