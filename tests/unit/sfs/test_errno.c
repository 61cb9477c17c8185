/*
 * test_errno.c - Linux's error precedence when a call has several problems,
 * on the path calls and on the inode (*_at) calls, each case as Linux's
 * tmpfs answers it (the differential test, tests/posix/, checks the same
 * against a live tmpfs at random); and the path forms of mknod and setattr.
 */
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *errno_suite(void);

static char longname[300];

static const char *too_long(void)
{
    memset(longname, 'x', 256);
    longname[256] = 0;
    return longname;
}

/* /d (dir) with /d/sub (dir) and /d/f (file), /e (empty dir), /f (file). */
static void tree(struct tfs *t)
{
    tfs_setup(t, 2u << 20, 1024);
    ck_assert_ok(sfs_mkdir(&t->fs, "/d", 0755));
    ck_assert_ok(sfs_mkdir(&t->fs, "/d/sub", 0755));
    ck_assert_ok(tfs_put(t, "/d/f", "x", 1));
    ck_assert_ok(sfs_mkdir(&t->fs, "/e", 0755));
    ck_assert_ok(tfs_put(t, "/f", "y", 1));
}

START_TEST(rename_precedence)
{
    struct tfs t;
    tree(&t);
    char p[400];
    /* Dot names and the root: EBUSY before anything else. */
    ck_assert_int_eq(sfs_rename(&t.fs, "/", "/nope/x"), SFS_ENOENT); /* parents first */
    ck_assert_int_eq(sfs_rename(&t.fs, "/", "/x"), SFS_EBUSY);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/..", "/x"), SFS_EBUSY);
    ck_assert_int_eq(sfs_rename(&t.fs, "/nope", "/d/."), SFS_EBUSY);
    /* The source's long name is looked at after both parents. */
    snprintf(p, sizeof(p), "/%s", too_long());
    ck_assert_int_eq(sfs_rename(&t.fs, p, "/f/x"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_rename(&t.fs, p, "/x"), SFS_ENAMETOOLONG);
    ck_assert_int_eq(sfs_rename(&t.fs, "/nope", p), SFS_ENOENT);
    ck_assert_int_eq(sfs_rename(&t.fs, "/f", p), SFS_ENAMETOOLONG);
    /* Trailing slashes on a file: ENOTDIR, after the lookups. */
    ck_assert_int_eq(sfs_rename(&t.fs, "/f/", "/x"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_rename(&t.fs, "/f", "/x/"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_rename(&t.fs, "/f", "/e/"), SFS_ENOTDIR);
    ck_assert_ok(sfs_rename(&t.fs, "/e/", "/e2/"));
    ck_assert_ok(sfs_rename(&t.fs, "/e2", "/e"));
    /* Into itself (EINVAL) before a target above the source (ENOTEMPTY)
     * before the types. */
    ck_assert_int_eq(sfs_rename(&t.fs, "/d", "/d/sub/x"), SFS_EINVAL);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d", "/d/f"), SFS_EINVAL);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/sub", "/d"), SFS_ENOTEMPTY);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/f", "/d"), SFS_ENOTEMPTY);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/sub", "/f"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_rename(&t.fs, "/f", "/e"), SFS_EISDIR);
    ck_assert_int_eq(sfs_rename(&t.fs, "/e", "/d"), SFS_ENOTEMPTY);
    /* Two names of one inode: nothing to do. */
    ck_assert_ok(sfs_link(&t.fs, "/f", "/g"));
    ck_assert_ok(sfs_rename(&t.fs, "/f", "/g"));
    ck_assert_ok(sfs_stat(&t.fs, "/f", &(struct sfs_stat){ 0 }));
    /* The same through the inode API. */
    uint32_t d, sub;
    ck_assert_ok(sfs_resolve_path(&t.fs, SFS_ROOT_INO, "/d", 0, &d));
    ck_assert_ok(sfs_resolve_path(&t.fs, SFS_ROOT_INO, "/d/sub", 0, &sub));
    ck_assert_int_eq(sfs_rename_at(&t.fs, d, "..", 2, SFS_ROOT_INO, "x", 1), SFS_EBUSY);
    ck_assert_int_eq(sfs_rename_at(&t.fs, SFS_ROOT_INO, "d", 1, sub, "x", 1), SFS_EINVAL);
    ck_assert_int_eq(sfs_rename_at(&t.fs, sub, "nope", 4, SFS_ROOT_INO, "d", 1), SFS_ENOENT);
    ck_assert_int_eq(sfs_rename_at(&t.fs, d, "sub", 3, SFS_ROOT_INO, "d", 1), SFS_ENOTEMPTY);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(create_precedence)
{
    struct tfs t;
    tree(&t);
    char p[400];
    /* A name "x/" asks for a directory: a missing one is ENOENT for the
     * non-directory creators, an existing one EEXIST. */
    ck_assert_int_eq(sfs_symlink(&t.fs, "f", "/x/"), SFS_ENOENT);
    ck_assert_int_eq(sfs_symlink(&t.fs, "f", "/f/"), SFS_EEXIST);
    ck_assert_int_eq(sfs_mknod(&t.fs, "/x/", SFS_S_IFIFO | 0644, 0), SFS_ENOENT);
    ck_assert_int_eq(sfs_create(&t.fs, "/d/", 0644), SFS_EEXIST);
    ck_assert_int_eq(sfs_link(&t.fs, "/f", "/x/"), SFS_ENOENT);
    ck_assert_int_eq(sfs_link(&t.fs, "/f", "/e/"), SFS_EEXIST);
    ck_assert_ok(sfs_mkdir(&t.fs, "/x/", 0755));
    /* Dot names and the root exist. */
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/", 0755), SFS_EEXIST);
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/d/..", 0755), SFS_EEXIST);
    ck_assert_int_eq(sfs_link(&t.fs, "/f", "/d/."), SFS_EEXIST);
    /* link: the new name (EEXIST) before a directory source (EPERM). */
    ck_assert_int_eq(sfs_link(&t.fs, "/d", "/f"), SFS_EEXIST);
    ck_assert_int_eq(sfs_link(&t.fs, "/d", "/new"), SFS_EPERM);
    ck_assert_int_eq(sfs_link(&t.fs, "/nope", "/f"), SFS_ENOENT);
    uint32_t d;
    ck_assert_ok(sfs_resolve_path(&t.fs, SFS_ROOT_INO, "/d", 0, &d));
    ck_assert_int_eq(sfs_link_at(&t.fs, d, SFS_ROOT_INO, "f", 1), SFS_EEXIST);
    /* symlink: the target is checked before the path. */
    snprintf(p, sizeof(p), "/nope/%s", too_long());
    ck_assert_int_eq(sfs_symlink(&t.fs, "", p), SFS_ENOENT);
    static char target[SFS_PATH_MAX + 2];
    memset(target, 'a', SFS_PATH_MAX);
    target[SFS_PATH_MAX] = 0;
    ck_assert_int_eq(sfs_symlink(&t.fs, target, "/nope/x"), SFS_ENAMETOOLONG);
    ck_assert_int_eq(sfs_symlink(&t.fs, "a", "/nope/x"), SFS_ENOENT);
    snprintf(p, sizeof(p), "/%s", too_long());
    ck_assert_int_eq(sfs_symlink(&t.fs, "a", p), SFS_ENAMETOOLONG);
    ck_assert_int_eq(sfs_symlink(&t.fs, "a", "/f"), SFS_EEXIST);
    /* mknod: the type before the path. */
    ck_assert_int_eq(sfs_mknod(&t.fs, "/nope/x", SFS_S_IFDIR | 0755, 0), SFS_EPERM);
    ck_assert_int_eq(sfs_mknod(&t.fs, "/nope/x", SFS_S_IFLNK | 0755, 0), SFS_EINVAL);
    ck_assert_int_eq(sfs_mknod(&t.fs, "/nope/x", SFS_S_IFIFO | 0755, 0), SFS_ENOENT);
    ck_assert_ok(sfs_mknod(&t.fs, "/p", SFS_S_IFIFO | 0640, 0));
    ck_assert_ok(sfs_mknod(&t.fs, "/c", SFS_S_IFCHR | 0640, 0x1234));
    struct sfs_stat st;
    ck_assert_ok(sfs_stat(&t.fs, "/c", &st));
    ck_assert_uint_eq(st.rdev, 0x1234);
    ck_assert_int_eq(sfs_mknod(&t.fs, "/p", SFS_S_IFIFO | 0640, 0), SFS_EEXIST);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(remove_precedence)
{
    struct tfs t;
    tree(&t);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/"), SFS_EBUSY);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/d/."), SFS_EINVAL);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/d/.."), SFS_ENOTEMPTY);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/f"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/d"), SFS_ENOTEMPTY);
    ck_assert_int_eq(sfs_unlink(&t.fs, "/"), SFS_EISDIR);
    ck_assert_int_eq(sfs_unlink(&t.fs, "/d/."), SFS_EISDIR);
    ck_assert_int_eq(sfs_unlink(&t.fs, "/f/"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_unlink(&t.fs, "/d/"), SFS_EISDIR);
    ck_assert_int_eq(sfs_unlink(&t.fs, "/x/"), SFS_ENOENT);
    char p[400];
    snprintf(p, sizeof(p), "/%s", too_long());
    ck_assert_int_eq(sfs_unlink(&t.fs, p), SFS_ENAMETOOLONG);
    ck_assert_int_eq(sfs_rmdir(&t.fs, p), SFS_ENAMETOOLONG);
    snprintf(p, sizeof(p), "/%s/x", too_long());
    ck_assert_int_eq(sfs_unlink(&t.fs, p), SFS_ENAMETOOLONG); /* a middle name: at once */
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(open_creat_precedence)
{
    struct tfs t;
    tree(&t);
    struct sfs_file f;
    int w = SFS_O_CREAT | SFS_O_WRONLY;
    /* A directory itself: EEXIST with O_EXCL, else EISDIR; "x/": EISDIR. */
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/", w | SFS_O_EXCL, 0644), SFS_EEXIST);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/", w, 0644), SFS_EISDIR);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/d/..", w, 0644), SFS_EISDIR);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/x/", w | SFS_O_EXCL, 0644), SFS_EISDIR);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/f/", w, 0644), SFS_EISDIR);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/d", w, 0644), SFS_EISDIR);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/d", w | SFS_O_EXCL, 0644), SFS_EEXIST);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/f/x", w, 0644), SFS_ENOTDIR);
    char p[400];
    snprintf(p, sizeof(p), "/%s", too_long());
    ck_assert_int_eq(sfs_open(&t.fs, &f, p, w, 0644), SFS_ENAMETOOLONG);
    /* Through links: a chain to a missing name creates it; a loop is ELOOP. */
    ck_assert_ok(sfs_symlink(&t.fs, "l2", "/l1"));
    ck_assert_ok(sfs_symlink(&t.fs, "d/new", "/l2"));
    ck_assert_ok(sfs_open(&t.fs, &f, "/l1", w, 0600));
    ck_assert_ok(sfs_close(&t.fs, &f));
    struct sfs_stat st;
    ck_assert_ok(sfs_stat(&t.fs, "/d/new", &st));
    ck_assert_uint_eq(st.mode, SFS_S_IFREG | 0600);
    ck_assert_ok(sfs_symlink(&t.fs, "loop", "/loop"));
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/loop", w, 0644), SFS_ELOOP);
    ck_assert_ok(sfs_symlink(&t.fs, "x/", "/ls"));
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/ls", w, 0644), SFS_EISDIR);
    ck_assert_ok(sfs_symlink(&t.fs, "/d", "/ld"));
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/ld", w, 0644), SFS_EISDIR);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/l1", w | SFS_O_EXCL, 0644), SFS_EEXIST);
    /* O_CREAT on an existing file opens it. */
    ck_assert_ok(sfs_open(&t.fs, &f, "/f", w, 0644));
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(path_setattr_and_readonly)
{
    struct tfs t;
    tree(&t);
    ck_assert_ok(sfs_symlink(&t.fs, "f", "/l"));
    struct sfs_setattr sa = { .valid = SFS_SET_UID | SFS_SET_MTIME, .uid = 77, .mtime_sec = 9 };
    ck_assert_ok(sfs_setattr(&t.fs, "/l", 1, &sa)); /* follows: the file */
    struct sfs_stat st;
    ck_assert_ok(sfs_lstat(&t.fs, "/f", &st));
    ck_assert_uint_eq(st.uid, 77);
    ck_assert_int_eq(st.mtime, 9);
    sa.uid = 88;
    ck_assert_ok(sfs_setattr(&t.fs, "/l", 0, &sa)); /* the link itself (lchown) */
    ck_assert_ok(sfs_lstat(&t.fs, "/l", &st));
    ck_assert_uint_eq(st.uid, 88);
    ck_assert_ok(sfs_lstat(&t.fs, "/f", &st));
    ck_assert_uint_eq(st.uid, 77);
    ck_assert_int_eq(sfs_setattr(&t.fs, "/nope", 1, &sa), SFS_ENOENT);
    ck_assert_int_eq(sfs_setattr(&t.fs, "/f/", 1, &sa), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_setattr(&t.fs, "/f", 1, NULL), SFS_EINVAL);
    ck_assert_ok(sfs_unmount(&t.fs));
    t.cfg.mount_flags = SFS_MOUNT_RDONLY;
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    ck_assert_int_eq(sfs_setattr(&t.fs, "/f", 1, &sa), SFS_EROFS);
    ck_assert_int_eq(sfs_mknod(&t.fs, "/p", SFS_S_IFIFO | 0600, 0), SFS_EROFS);
    uint32_t ino;
    ck_assert_int_eq(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "p", 1, SFS_S_IFIFO, 0, &ino), SFS_EROFS);
    struct sfs_make mk = { .mode = SFS_S_IFREG | 0644 };
    ck_assert_int_eq(sfs_make_at(&t.fs, SFS_ROOT_INO, "p", 1, &mk, &ino), SFS_EROFS);
    struct sfs_file f;
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/f", SFS_O_RDONLY | SFS_O_TRUNC, 0), SFS_EROFS);
    tfs_teardown(&t);
}
END_TEST

Suite *errno_suite(void)
{
    Suite *s = suite_create("errno");
    TCase *tc = tcase_create("precedence");
    tcase_add_test(tc, rename_precedence);
    tcase_add_test(tc, create_precedence);
    tcase_add_test(tc, remove_precedence);
    tcase_add_test(tc, open_creat_precedence);
    tcase_add_test(tc, path_setattr_and_readonly);
    suite_add_tcase(s, tc);
    return s;
}
