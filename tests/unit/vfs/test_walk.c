/*
 * test_walk.c - path resolution: absolute and relative paths, "." and "..",
 * repeated and trailing slashes, symbolic links (and their length once
 * spliced into the path), and the errors.
 */
#include "vfs_test.h"
#include <k/errno.h>
#include <stdio.h>
#include <string.h>

Suite *walk_suite(void);

static void tree(void)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/a", 0755), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/a/b", 0755), 0);
    ck_assert_int_eq(put_file("/a/b/f", "hello"), 0);
}

START_TEST(test_absolute_relative_dots_and_slashes)
{
    tree();
    int err;
    ck_assert_str_eq(get_file("/a/b/f", &err), "hello");
    ck_assert_str_eq(get_file("//a///b//f", &err), "hello");
    ck_assert_str_eq(get_file("/a/./b/../b/f", &err), "hello");
    ck_assert_str_eq(get_file("/../../a/b/f", &err), "hello"); /* never above the root */
    ck_assert_int_eq(vfs_chdir(&ctx, "/a"), 0);
    ck_assert_str_eq(get_file("b/f", &err), "hello");
    ck_assert_str_eq(get_file("./b/./f", &err), "hello");
    ck_assert_str_eq(get_file("../a/b/f", &err), "hello");
    ck_assert_str_eq(vfs_getcwd(&ctx), "/a");
    ck_assert_int_eq(vfs_chdir(&ctx, "b/.."), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/a");
    ck_assert_int_eq(vfs_chdir(&ctx, "../../.."), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/");
    ck_assert_int_eq(vfs_chdir(&ctx, "//a//b//"), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/a/b");
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
}
END_TEST

START_TEST(test_errors)
{
    tree();
    int err;
    get_file("/nope", &err);
    ck_assert_int_eq(err, -ENOENT);
    get_file("/a/b/f/x", &err);
    ck_assert_int_eq(err, -ENOTDIR);
    get_file("/a/b/f/", &err);
    ck_assert_int_eq(err, -ENOTDIR);
    get_file("", &err);
    ck_assert_int_eq(err, -ENOENT);
    ck_assert_int_eq(vfs_chdir(&ctx, "/a/b/f"), -ENOTDIR);
    ck_assert_int_eq(vfs_chdir(&ctx, "/missing"), -ENOENT);
    char name[300];
    memset(name, 'n', 256);
    name[0] = '/';
    name[257] = '\0';
    memset(name + 1, 'n', 256);
    ck_assert_int_eq(vfs_mkdir(&ctx, name, 0755), -ENAMETOOLONG);
    name[256] = '\0'; /* exactly 255 bytes after the slash: allowed */
    ck_assert_int_eq(vfs_mkdir(&ctx, name, 0755), 0);
    static char longpath[VFS_PATH_MAX + 10];
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    get_file(longpath, &err);
    ck_assert_int_eq(err, -ENAMETOOLONG);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/", 0755), -EEXIST);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/a/.", 0755), -EINVAL);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/a/.."), -EINVAL);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/a", 0755), -EEXIST);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/x/y", 0755), -ENOENT);
}
END_TEST

START_TEST(test_symlinks)
{
    tree();
    int err;
    ck_assert_int_eq(vfs_symlink(&ctx, "/a/b", "/abs"), 0);
    ck_assert_int_eq(vfs_symlink(&ctx, "b/f", "/a/rel"), 0);
    ck_assert_int_eq(vfs_symlink(&ctx, "../a/b", "/a/up"), 0);
    ck_assert_str_eq(get_file("/abs/f", &err), "hello");
    ck_assert_str_eq(get_file("/a/rel", &err), "hello");
    ck_assert_str_eq(get_file("/a/up/f", &err), "hello");
    char buf[64];
    ck_assert_int_eq(vfs_readlink(&ctx, "/a/rel", buf, sizeof(buf)), 3);
    ck_assert_str_eq(buf, "b/f");
    ck_assert_int_eq(vfs_readlink(&ctx, "/a/b/f", buf, sizeof(buf)), -EINVAL);
    ck_assert_int_eq(vfs_readlink(&ctx, "/a/rel", buf, 2), 1); /* truncated, terminated */
    ck_assert_str_eq(buf, "b");
    struct vfs_stat st;
    ck_assert_int_eq(vfs_lstat(&ctx, "/abs", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_SYMLINK);
    ck_assert_int_eq(vfs_stat(&ctx, "/abs", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_DIR);
    /* a symlink to a directory with a trailing slash is followed */
    ck_assert_int_eq(vfs_chdir(&ctx, "/abs/"), 0);
    ck_assert_str_eq(get_file("f", &err), "hello");
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
    /* cd is logical, as in a shell: ".." after a symlink goes back where we came from */
    ck_assert_int_eq(vfs_chdir(&ctx, "/abs"), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/abs");
    ck_assert_str_eq(get_file("f", &err), "hello");
    ck_assert_int_eq(vfs_chdir(&ctx, ".."), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/");
    ck_assert_int_eq(vfs_stat(&ctx, "abs", &st), 0); /* really back at the root */
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
    /* unlink removes the link, not the target */
    ck_assert_int_eq(vfs_unlink(&ctx, "/a/rel"), 0);
    ck_assert_str_eq(get_file("/a/b/f", &err), "hello");
    /* dangling and empty links */
    ck_assert_int_eq(vfs_symlink(&ctx, "/nowhere", "/dangle"), 0);
    get_file("/dangle", &err);
    ck_assert_int_eq(err, -ENOENT);
    ck_assert_int_eq(vfs_symlink(&ctx, "", "/empty"), -ENOENT);
}
END_TEST

START_TEST(test_symlink_loops)
{
    int err;
    ck_assert_int_eq(vfs_symlink(&ctx, "/loop2", "/loop1"), 0);
    ck_assert_int_eq(vfs_symlink(&ctx, "/loop1", "/loop2"), 0);
    get_file("/loop1", &err);
    ck_assert_int_eq(err, -ELOOP);
    ck_assert_int_eq(vfs_symlink(&ctx, "self/x", "/self"), 0);
    get_file("/self", &err);
    ck_assert_int_eq(err, -ELOOP);
    /* a chain of 40 links is fine, 41 is not */
    char from[16], to[16];
    for (int i = 0; i < 41; i++) {
        snprintf(from, sizeof(from), "/c%d", i + 1);
        snprintf(to, sizeof(to), "/c%d", i);
        ck_assert_int_eq(vfs_symlink(&ctx, to, from), 0);
    }
    ck_assert_int_eq(put_file("/c0", "end"), 0);
    ck_assert_str_eq(get_file("/c40", &err), "end");
    get_file("/c41", &err);
    ck_assert_int_eq(err, -ELOOP);
}
END_TEST

/* A link's target spliced in front of the rest of the path must still fit
 * in VFS_PATH_MAX bytes. */
START_TEST(test_long_splice)
{
    tree();
    int err;
    static char target[3100], path[1300];
    size_t n = 0;
    n += (size_t)sprintf(target + n, "/a");
    for (int i = 0; i < 1499; i++)
        n += (size_t)sprintf(target + n, "/.");
    sprintf(target + n, "/b"); /* 3002 bytes naming /a/b */
    ck_assert_int_eq(vfs_symlink(&ctx, target, "/long"), 0);
    n = (size_t)sprintf(path, "/long");
    for (int i = 0; i < 540; i++)
        n += (size_t)sprintf(path + n, "/.");
    sprintf(path + n, "/f"); /* 3002 + 1082 bytes: fits */
    ck_assert_str_eq(get_file(path, &err), "hello");
    n = (size_t)sprintf(path, "/long");
    for (int i = 0; i < 600; i++)
        n += (size_t)sprintf(path + n, "/.");
    sprintf(path + n, "/f"); /* 3002 + 1202 bytes: more than PATH_MAX in all, fine (Linux) */
    ck_assert_str_eq(get_file(path, &err), "hello");
}
END_TEST

START_TEST(test_resolve_and_type_names)
{
    tree();
    struct vnode *vn;
    ck_assert_int_eq(vfs_resolve(&ctx, "/a/b", true, &vn), 0);
    ck_assert_uint_eq(vn->type, VFS_TYPE_DIR);
    vnode_put(vn);
    ck_assert_str_eq(vfs_type_name(VFS_TYPE_FILE), "file");
    ck_assert_str_eq(vfs_type_name(VFS_TYPE_DIR), "dir");
    ck_assert_str_eq(vfs_type_name(VFS_TYPE_SYMLINK), "symlink");
    ck_assert_str_eq(vfs_type_name(VFS_TYPE_CHARDEV), "chardev");
    ck_assert_str_eq(vfs_type_name(VFS_TYPE_BLOCKDEV), "blockdev");
    ck_assert_str_eq(vfs_type_name(99), "unknown");
}
END_TEST

Suite *walk_suite(void)
{
    Suite *s = suite_create("walk");
    TCase *tc = tcase_create("walk");
    tcase_add_checked_fixture(tc, vfs_fixture_setup, vfs_fixture_teardown);
    tcase_add_test(tc, test_absolute_relative_dots_and_slashes);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_symlinks);
    tcase_add_test(tc, test_symlink_loops);
    tcase_add_test(tc, test_long_splice);
    tcase_add_test(tc, test_resolve_and_type_names);
    suite_add_tcase(s, tc);
    return s;
}
