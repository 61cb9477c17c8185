/*
 * test_path.c - name layer: absolute and relative paths, ., .., repeated and
 * trailing slashes, symbolic links (relative, absolute, chained, loops).
 */
#include "sfs_test.h"
#include <stdlib.h>
#include <string.h>

Suite *path_suite(void);

static uint32_t ino_of(struct tfs *t, const char *path)
{
    struct sfs_stat st;
    int r = sfs_stat(&t->fs, path, &st);
    return r < 0 ? 0 : st.ino;
}

START_TEST(dots_and_slashes)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    ck_assert_ok(sfs_mkdir(&t.fs, "/a", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/a/b", 0755));
    ck_assert_ok(tfs_put(&t, "/a/b/f", "data", 4));
    uint32_t f = ino_of(&t, "/a/b/f");
    ck_assert_uint_ne(f, 0);
    ck_assert_uint_eq(ino_of(&t, "//a///b//f"), f);
    ck_assert_uint_eq(ino_of(&t, "/a/./b/../b/f"), f);
    ck_assert_uint_eq(ino_of(&t, "/../../a/b/f"), f);
    ck_assert_uint_eq(ino_of(&t, "/a/b/"), ino_of(&t, "/a/b"));
    ck_assert_uint_eq(ino_of(&t, "/a/b/.."), ino_of(&t, "/a"));
    ck_assert_uint_eq(ino_of(&t, "/.."), SFS_ROOT_INO);
    ck_assert_uint_eq(ino_of(&t, "///"), SFS_ROOT_INO);
    struct sfs_stat st;
    ck_assert_int_eq(sfs_stat(&t.fs, "", &st), SFS_ENOENT);
    ck_assert_int_eq(sfs_stat(&t.fs, NULL, &st), SFS_EINVAL);
    ck_assert_int_eq(sfs_stat(&t.fs, "/a/b/f/", &st), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_stat(&t.fs, "/a/b/f/x", &st), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_stat(&t.fs, "/a/b/f/..", &st), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_stat(&t.fs, "/a/zz/f", &st), SFS_ENOENT);
    /* Path calls resolve relative paths from the root; sfs_resolve_path()
     * from a directory the caller names (the library has no cwd). */
    ck_assert_uint_eq(ino_of(&t, "a/b/f"), f);
    uint32_t b = ino_of(&t, "/a/b"), got = 0;
    ck_assert_ok(sfs_resolve_path(&t.fs, b, "f", 1, &got));
    ck_assert_uint_eq(got, f);
    ck_assert_ok(sfs_resolve_path(&t.fs, b, "./f", 1, &got));
    ck_assert_uint_eq(got, f);
    ck_assert_ok(sfs_resolve_path(&t.fs, b, "../b/f", 0, &got));
    ck_assert_uint_eq(got, f);
    ck_assert_ok(sfs_resolve_path(&t.fs, b, "/a", 0, &got));
    ck_assert_uint_eq(got, ino_of(&t, "/a"));
    ck_assert_int_eq(sfs_resolve_path(&t.fs, f, "x", 1, &got), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_resolve_path(&t.fs, b, "nope", 1, &got), SFS_ENOENT);
    ck_assert_int_eq(sfs_resolve_path(&t.fs, b, "f", 1, NULL), SFS_EINVAL);
    ck_assert_int_eq(sfs_resolve_path(NULL, b, "f", 1, &got), SFS_EINVAL);
    /* Too long. */
    char *longp = malloc(SFS_PATH_MAX + 10);
    memset(longp, '/', SFS_PATH_MAX + 9);
    longp[SFS_PATH_MAX + 9] = 0;
    ck_assert_int_eq(sfs_stat(&t.fs, longp, &st), SFS_ENAMETOOLONG);
    free(longp);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(symlinks)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    ck_assert_ok(sfs_mkdir(&t.fs, "/a", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/a/b", 0755));
    ck_assert_ok(tfs_put(&t, "/a/b/f", "data", 4));
    uint32_t f = ino_of(&t, "/a/b/f");
    ck_assert_ok(sfs_symlink(&t.fs, "/a/b", "/abs"));
    ck_assert_ok(sfs_symlink(&t.fs, "b/f", "/a/rel"));
    ck_assert_ok(sfs_symlink(&t.fs, "../rel", "/a/b/up"));
    ck_assert_ok(sfs_symlink(&t.fs, "/abs//", "/chain"));
    ck_assert_uint_eq(ino_of(&t, "/abs/f"), f);
    ck_assert_uint_eq(ino_of(&t, "/a/rel"), f);
    ck_assert_uint_eq(ino_of(&t, "/a/b/up"), f);
    ck_assert_uint_eq(ino_of(&t, "/chain/f"), f);
    ck_assert_uint_eq(ino_of(&t, "/chain/../b/f"), f);
    struct sfs_stat st;
    ck_assert_ok(sfs_lstat(&t.fs, "/abs", &st));
    ck_assert_uint_eq(st.mode & SFS_S_IFMT, SFS_S_IFLNK);
    ck_assert_uint_eq(st.size, 4);
    ck_assert_ok(sfs_stat(&t.fs, "/abs/", &st));
    ck_assert_uint_eq(st.mode & SFS_S_IFMT, SFS_S_IFDIR);
    char buf[64];
    ck_assert_int_eq(sfs_readlink(&t.fs, "/a/rel", buf, sizeof(buf)), 3);
    ck_assert_mem_eq(buf, "b/f", 3);
    ck_assert_int_eq(sfs_readlink(&t.fs, "/a/rel", buf, 2), 2);
    ck_assert_int_eq(sfs_readlink(&t.fs, "/a", buf, sizeof(buf)), SFS_EINVAL);
    ck_assert_int_eq(sfs_readlink(&t.fs, "/zz", buf, sizeof(buf)), SFS_ENOENT);
    ck_assert_int_eq(sfs_readlink(&t.fs, "/a", NULL, 1), SFS_EINVAL);
    /* Open through a link; a dangling link. */
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/a/b/up", &d), 4);
    free(d);
    ck_assert_ok(sfs_symlink(&t.fs, "/nowhere", "/dangle"));
    ck_assert_int_eq(sfs_stat(&t.fs, "/dangle", &st), SFS_ENOENT);
    ck_assert_ok(sfs_lstat(&t.fs, "/dangle", &st));
    struct sfs_file fh;
    /* As Linux: O_CREAT follows a dangling link and makes its target;
     * with O_EXCL the link itself is EEXIST; a missing directory is ENOENT. */
    ck_assert_int_eq(sfs_open(&t.fs, &fh, "/dangle",
                              SFS_O_CREAT | SFS_O_EXCL | SFS_O_WRONLY, 0644), SFS_EEXIST);
    ck_assert_ok(sfs_symlink(&t.fs, "/nodir/x", "/dangle2"));
    ck_assert_int_eq(sfs_open(&t.fs, &fh, "/dangle2", SFS_O_CREAT | SFS_O_WRONLY, 0644),
                     SFS_ENOENT);
    ck_assert_ok(sfs_open(&t.fs, &fh, "/dangle", SFS_O_CREAT | SFS_O_WRONLY, 0644));
    ck_assert_ok(sfs_close(&t.fs, &fh));
    ck_assert_ok(sfs_stat(&t.fs, "/dangle", &st));
    ck_assert_uint_eq(st.mode & SFS_S_IFMT, SFS_S_IFREG);
    ck_assert_ok(sfs_unlink(&t.fs, "/nowhere"));
    ck_assert_ok(sfs_unlink(&t.fs, "/dangle2"));
    /* Unlinking a link removes the link, not the target. */
    ck_assert_ok(sfs_unlink(&t.fs, "/a/rel"));
    ck_assert_uint_eq(ino_of(&t, "/a/b/f"), f);
    ck_assert_int_eq(sfs_stat(&t.fs, "/a/b/up", &st), SFS_ENOENT);
    /* Loops. */
    ck_assert_ok(sfs_symlink(&t.fs, "/loop2", "/loop1"));
    ck_assert_ok(sfs_symlink(&t.fs, "/loop1", "/loop2"));
    ck_assert_int_eq(sfs_stat(&t.fs, "/loop1", &st), SFS_ELOOP);
    ck_assert_int_eq(sfs_stat(&t.fs, "/loop1/x", &st), SFS_ELOOP);
    ck_assert_ok(sfs_symlink(&t.fs, "self", "/self"));
    ck_assert_int_eq(sfs_stat(&t.fs, "/self", &st), SFS_ELOOP);
    ck_assert_ok(sfs_lstat(&t.fs, "/self", &st));
    /* Bad targets. */
    ck_assert_int_eq(sfs_symlink(&t.fs, "", "/e"), SFS_ENOENT);
    ck_assert_int_eq(sfs_symlink(&t.fs, NULL, "/e"), SFS_EINVAL);
    char *big = malloc(SFS_PATH_MAX + 1);
    memset(big, 'x', SFS_PATH_MAX);
    big[SFS_PATH_MAX] = 0;
    ck_assert_int_eq(sfs_symlink(&t.fs, big, "/e"), SFS_ENAMETOOLONG);
    big[SFS_SYMLINK_MAX] = 0;
    ck_assert_ok(sfs_symlink(&t.fs, big, "/e"));
    ck_assert_ok(sfs_symlink(&t.fs, big, "/a/e2"));
    /* Expanding a long target with a long remainder exceeds the path limit. */
    ck_assert_int_eq(sfs_stat(&t.fs, "/e/abc", &st), SFS_ENAMETOOLONG);
    free(big);
    ck_assert_int_eq(sfs_symlink(&t.fs, "x", "/abs"), SFS_EEXIST);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_remount(&t);
    ck_assert_uint_eq(ino_of(&t, "/chain/f"), f);
    tfs_teardown(&t);
}
END_TEST

Suite *path_suite(void)
{
    Suite *s = suite_create("path");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, dots_and_slashes);
    tcase_add_test(tc, symlinks);
    suite_add_tcase(s, tc);
    return s;
}
