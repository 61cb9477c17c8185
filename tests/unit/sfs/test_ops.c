/*
 * test_ops.c - namespace operations: rename (all POSIX cases), hard links,
 * link counts, timestamps.
 */
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *ops_suite(void);

static uint32_t ino_of(struct tfs *t, const char *path)
{
    struct sfs_stat st;
    return sfs_lstat(&t->fs, path, &st) < 0 ? 0 : st.ino;
}

static uint32_t nlink_of(struct tfs *t, const char *path)
{
    struct sfs_stat st;
    return sfs_lstat(&t->fs, path, &st) < 0 ? 0 : st.nlink;
}

START_TEST(rename_files)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    ck_assert_ok(tfs_put(&t, "/a", "AAA", 3));
    ck_assert_ok(tfs_put(&t, "/b", "BB", 2));
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    uint32_t a = ino_of(&t, "/a");
    ck_assert_ok(sfs_rename(&t.fs, "/a", "/c")); /* same directory */
    ck_assert_uint_eq(ino_of(&t, "/c"), a);
    ck_assert_uint_eq(ino_of(&t, "/a"), 0);
    ck_assert_ok(sfs_rename(&t.fs, "/c", "/d/c")); /* across directories */
    ck_assert_uint_eq(ino_of(&t, "/d/c"), a);
    struct sfs_statfs s0, s1;
    ck_assert_ok(sfs_statfs(&t.fs, &s0));
    ck_assert_ok(sfs_rename(&t.fs, "/b", "/d/c")); /* replace: old target freed */
    ck_assert_ok(sfs_statfs(&t.fs, &s1));
    ck_assert_uint_eq(s1.free_inodes, s0.free_inodes + 1);
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/d/c", &d), 2);
    ck_assert_mem_eq(d, "BB", 2);
    free(d);
    /* Renaming onto another link of the same inode does nothing. */
    ck_assert_ok(sfs_link(&t.fs, "/d/c", "/d/c2"));
    ck_assert_ok(sfs_rename(&t.fs, "/d/c", "/d/c2"));
    ck_assert_uint_ne(ino_of(&t, "/d/c"), 0);
    ck_assert_uint_eq(nlink_of(&t, "/d/c"), 2);
    ck_assert_ok(sfs_rename(&t.fs, "/d/c", "/d/c")); /* itself */
    /* Errors. */
    ck_assert_int_eq(sfs_rename(&t.fs, "/nope", "/x"), SFS_ENOENT);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/c", "/nodir/x"), SFS_ENOENT);
    /* Linux: a target that is an ancestor of the source is ENOTEMPTY first. */
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/c", "/d"), SFS_ENOTEMPTY);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/c", "/d/c/x"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/c/", "/x"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/c", "/x/"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/.", "/x"), SFS_EBUSY); /* Linux: dot names */
    ck_assert_int_eq(sfs_rename(&t.fs, "/d/c", "/d/.."), SFS_EBUSY);
    ck_assert_int_eq(sfs_rename(NULL, "/a", "/b"), SFS_EINVAL);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(rename_dirs)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    ck_assert_ok(sfs_mkdir(&t.fs, "/a", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/a/sub", 0755));
    ck_assert_ok(tfs_put(&t, "/a/sub/f", "x", 1));
    ck_assert_ok(sfs_mkdir(&t.fs, "/b", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/e", 0755));
    ck_assert_int_eq(sfs_rename(&t.fs, "/a", "/a/sub/x"), SFS_EINVAL);
    ck_assert_int_eq(sfs_rename(&t.fs, "/a", "/a/x"), SFS_EINVAL);
    ck_assert_int_eq(sfs_rename(&t.fs, "/a", "/b/.."), SFS_EBUSY); /* Linux: a dot name */
    ck_assert_int_eq(sfs_rename(&t.fs, "/b", "/a"), SFS_ENOTEMPTY);
    /* Linux: into itself (EINVAL) before the types (ENOTDIR). */
    ck_assert_int_eq(sfs_rename(&t.fs, "/a/sub", "/a/sub/f"), SFS_EINVAL);
    ck_assert_int_eq(sfs_rename(&t.fs, "/", "/x"), SFS_EBUSY);
    /* Move /a/sub to /b/sub: nlinks of both parents and ".." follow. */
    ck_assert_ok(sfs_rename(&t.fs, "/a/sub", "/b/sub"));
    ck_assert_uint_eq(nlink_of(&t, "/a"), 2);
    ck_assert_uint_eq(nlink_of(&t, "/b"), 3);
    ck_assert_uint_eq(ino_of(&t, "/b/sub/.."), ino_of(&t, "/b"));
    ck_assert_int_eq(tfs_check(&t), 0);
    /* Replace an empty directory. */
    uint32_t sub = ino_of(&t, "/b/sub");
    ck_assert_ok(sfs_rename(&t.fs, "/b/sub", "/e"));
    ck_assert_uint_eq(ino_of(&t, "/e"), sub);
    ck_assert_uint_eq(ino_of(&t, "/e/.."), SFS_ROOT_INO);
    ck_assert_uint_eq(nlink_of(&t, "/b"), 2);
    ck_assert_uint_eq(nlink_of(&t, "/"), 5); /* a, b, e */
    ck_assert_int_eq(tfs_check(&t), 0);
    /* Replace an empty directory in the same parent. */
    ck_assert_ok(sfs_rename(&t.fs, "/a", "/b"));
    ck_assert_uint_eq(nlink_of(&t, "/"), 4);
    ck_assert_ok(sfs_rename(&t.fs, "/b/", "/z/"));
    ck_assert_int_eq(sfs_rename(&t.fs, "/z", "/e/f"), SFS_ENOTDIR);
    ck_assert_ok(sfs_mkdir(&t.fs, "/z/deep", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/z/deep/er", 0755));
    ck_assert_ok(sfs_rename(&t.fs, "/z/deep/er", "/er"));
    ck_assert_ok(sfs_rename(&t.fs, "/z", "/er/z"));
    ck_assert_uint_eq(ino_of(&t, "/er/z/deep/../../.."), SFS_ROOT_INO);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_remount(&t);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(rename_over_open_target)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    ck_assert_ok(tfs_put(&t, "/a", "new", 3));
    ck_assert_ok(tfs_put(&t, "/b", "old", 3));
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/b", SFS_O_RDONLY, 0));
    ck_assert_ok(sfs_rename(&t.fs, "/a", "/b"));
    char buf[4] = { 0 };
    ck_assert_int_eq(sfs_read(&t.fs, &f, buf, 3), 3);
    ck_assert_str_eq(buf, "old");
    ck_assert_ok(sfs_close(&t.fs, &f));
    /* A directory replaced while held stays readable through its handle. */
    ck_assert_ok(sfs_mkdir(&t.fs, "/d1", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/d2", 0755));
    struct sfs_file ref;
    ck_assert_ok(sfs_iget(&t.fs, &ref, ino_of(&t, "/d2")));
    ck_assert_ok(sfs_rename(&t.fs, "/d1", "/d2"));
    struct sfs_stat st;
    ck_assert_ok(sfs_fstat(&t.fs, &ref, &st));
    ck_assert_uint_eq(st.nlink, 0);
    ck_assert_ok(sfs_iput(&t.fs, &ref));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(hard_links)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    ck_assert_ok(tfs_put(&t, "/f", "content", 7));
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    ck_assert_ok(sfs_link(&t.fs, "/f", "/d/g"));
    ck_assert_uint_eq(ino_of(&t, "/f"), ino_of(&t, "/d/g"));
    ck_assert_uint_eq(nlink_of(&t, "/f"), 2);
    ck_assert_int_eq(sfs_link(&t.fs, "/f", "/d/g"), SFS_EEXIST);
    ck_assert_int_eq(sfs_link(&t.fs, "/d", "/d2"), SFS_EPERM);
    ck_assert_int_eq(sfs_link(&t.fs, "/nope", "/x"), SFS_ENOENT);
    ck_assert_int_eq(sfs_link(&t.fs, "/f", "/nodir/x"), SFS_ENOENT);
    ck_assert_int_eq(sfs_link(&t.fs, "/f", "/d/."), SFS_EEXIST);
    ck_assert_int_eq(sfs_link(&t.fs, "/f", "/d/new/"), SFS_ENOENT);
    ck_assert_int_eq(sfs_link(NULL, "/f", "/x"), SFS_EINVAL);
    ck_assert_ok(sfs_symlink(&t.fs, "/f", "/sl"));
    ck_assert_ok(sfs_link(&t.fs, "/sl", "/sl2")); /* links the symlink itself */
    ck_assert_uint_eq(ino_of(&t, "/sl2"), ino_of(&t, "/sl"));
    ck_assert_ok(sfs_unlink(&t.fs, "/f"));
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/d/g", &d), 7);
    free(d);
    ck_assert_uint_eq(nlink_of(&t, "/d/g"), 1);
    ck_assert_int_eq(tfs_check(&t), 0);
    ck_assert_ok(sfs_unlink(&t.fs, "/d/g"));
    ck_assert_int_eq(sfs_unlink(&t.fs, "/d/g"), SFS_ENOENT);
    ck_assert_int_eq(sfs_unlink(NULL, "/d/g"), SFS_EINVAL);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(many_links_limit)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = 4096 };
    tfs_setup_opts(&t, 32u << 20, &o, 64);
    ck_assert_ok(tfs_put(&t, "/f", "x", 1));
    char name[32];
    int r = 0, i;
    for (i = 0; i < SFS_LINK_MAX + 5; i++) {
        snprintf(name, sizeof(name), "/l%d", i);
        r = sfs_link(&t.fs, "/f", name);
        if (r < 0)
            break;
    }
    ck_assert_int_eq(r, SFS_EMLINK);
    ck_assert_int_eq(i, SFS_LINK_MAX - 1);
    tfs_teardown(&t);
}
END_TEST

/* Exchange two names given as paths under the root. */
static int xchg(struct tfs *t, const char *sdir, const char *sname, const char *ddir,
                const char *dname)
{
    return sfs_rename_exchange_at(&t->fs, ino_of(t, sdir), sname, strlen(sname), ino_of(t, ddir),
                                  dname, strlen(dname));
}

START_TEST(rename_exchange)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    ck_assert_ok(tfs_put(&t, "/f", "eff", 3));
    ck_assert_ok(tfs_put(&t, "/g", "gee", 3));
    ck_assert_ok(sfs_mkdir(&t.fs, "/a", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/a/sub", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/b", 0755));
    uint32_t f = ino_of(&t, "/f"), g = ino_of(&t, "/g"), sub = ino_of(&t, "/a/sub");
    /* Two files in one directory. */
    ck_assert_ok(xchg(&t, "/", "f", "/", "g"));
    ck_assert_uint_eq(ino_of(&t, "/f"), g);
    ck_assert_uint_eq(ino_of(&t, "/g"), f);
    /* A file and a directory in different parents: "..", link counts. */
    ck_assert_ok(xchg(&t, "/", "f", "/a", "sub"));
    ck_assert_uint_eq(ino_of(&t, "/f"), sub);
    ck_assert_uint_eq(ino_of(&t, "/a/sub"), g);
    ck_assert_uint_eq(ino_of(&t, "/f/.."), SFS_ROOT_INO);
    ck_assert_uint_eq(nlink_of(&t, "/a"), 2);
    ck_assert_uint_eq(nlink_of(&t, "/"), 5); /* a, b, f */
    ck_assert_int_eq(tfs_check(&t), 0);
    /* Two directories in different parents. */
    ck_assert_ok(sfs_mkdir(&t.fs, "/b/in", 0755));
    uint32_t in = ino_of(&t, "/b/in");
    ck_assert_ok(xchg(&t, "/", "f", "/b", "in"));
    ck_assert_uint_eq(ino_of(&t, "/b/in/.."), ino_of(&t, "/b"));
    ck_assert_uint_eq(ino_of(&t, "/f"), in);
    ck_assert_uint_eq(ino_of(&t, "/f/.."), SFS_ROOT_INO);
    ck_assert_int_eq(tfs_check(&t), 0);
    /* Errors: a missing name, dot names, a directory into itself; one inode. */
    ck_assert_int_eq(xchg(&t, "/", "f", "/", "nope"), SFS_ENOENT);
    ck_assert_int_eq(xchg(&t, "/", "nope", "/", "f"), SFS_ENOENT);
    ck_assert_int_eq(xchg(&t, "/", "..", "/", "f"), SFS_EBUSY);
    ck_assert_int_eq(xchg(&t, "/", "b", "/b", "in"), SFS_EINVAL);
    ck_assert_int_eq(xchg(&t, "/b", "in", "/", "b"), SFS_EINVAL);
    ck_assert_ok(sfs_link(&t.fs, "/g", "/g2"));
    ck_assert_ok(xchg(&t, "/", "g", "/", "g2"));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_remount(&t);
    ck_assert_int_eq(tfs_check(&t), 0);
    void *d;
    ck_assert_int_eq(tfs_get(&t, "/g", &d), 3);
    ck_assert_int_eq(memcmp(d, "eff", 3), 0);
    free(d);
    tfs_teardown(&t);
}
END_TEST

Suite *ops_suite(void)
{
    Suite *s = suite_create("ops");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, rename_files);
    tcase_add_test(tc, rename_dirs);
    tcase_add_test(tc, rename_over_open_target);
    tcase_add_test(tc, rename_exchange);
    tcase_add_test(tc, hard_links);
    tcase_add_test(tc, many_links_limit);
    suite_add_tcase(s, tc);
    return s;
}
