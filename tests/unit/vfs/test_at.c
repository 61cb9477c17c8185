/*
 * test_at.c - paths relative to a directory descriptor (the *at family):
 * vfs_ctx_at's temporary context and what it may and may not touch,
 * vfs_at_begin's choice of context, vfs_openat, vfs_renameat (two bases,
 * NOREPLACE), vfs_linkat (following or not), vfs_fchdir and the path getcwd
 * shows after it, on ramfs, across a mount, and on sfs. The fixture's teardown
 * checks that no allocation and no lock is left behind.
 */
#include "vfs_test.h"
#include <dev/ramdisk.h>
#include <k/errno.h>
#include <stdlib.h>
#include <string.h>
#include <vfs/sfs_vfs.h>

Suite *at_suite(void);

static struct vfs_ctx tmp; /* 4.7 KiB: not on the stack */

static void tree(void)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/a", 0755), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/a/b", 0755), 0);
    ck_assert_int_eq(put_file("/a/b/f", "hello"), 0);
}

static int open_dir(const char *path)
{
    int fd = vfs_open(&ctx, path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    ck_assert_int_ge(fd, 0);
    return fd;
}

START_TEST(test_ctx_at_resolves_from_the_directory)
{
    tree();
    int fd = open_dir("/a");
    ck_assert_int_eq(vfs_ctx_at(&ctx, fd, &tmp), 0);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_stat(&tmp, "b/f", &st), 0);
    ck_assert_uint_eq(st.size, 5);
    ck_assert_int_eq(vfs_stat(&tmp, "../a/b/f", &st), 0);
    ck_assert_int_eq(vfs_stat(&tmp, "/a/b/f", &st), 0); /* absolute: from the shared root */
    ck_assert_int_eq(vfs_stat(&tmp, "f", &st), -ENOENT);
    ck_assert_int_eq(vfs_mkdir(&tmp, "c", 0755), 0);
    ck_assert_int_eq(vfs_symlink(&tmp, "b/f", "l"), 0);
    char buf[32];
    ck_assert_int_eq(vfs_readlink(&tmp, "l", buf, sizeof(buf)), 3);
    ck_assert_str_eq(buf, "b/f");
    ck_assert_int_eq(vfs_stat(&tmp, "l", &st), 0); /* the link is relative to /a */
    ck_assert_uint_eq(st.size, 5);
    ck_assert_int_eq(vfs_truncate(&tmp, "b/f", 2), 0);
    ck_assert_int_eq(vfs_rename(&tmp, "b/f", "c/g"), 0);
    ck_assert_int_eq(vfs_unlink(&tmp, "l"), 0);
    ck_assert_int_eq(vfs_stat(&ctx, "/a/c/g", &st), 0);
    ck_assert_uint_eq(st.size, 2);
    ck_assert_int_eq(vfs_lstat(&ctx, "/a/l", &st), -ENOENT);
    ck_assert_str_eq(vfs_getcwd(&tmp), "");  /* unknown, and documented so */
    ck_assert_str_eq(vfs_getcwd(&ctx), "/"); /* the caller's is untouched */
    vfs_ctx_release(&tmp);
    /* releasing the temporary context closed none of the caller's descriptors */
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_DIR);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
}
END_TEST

START_TEST(test_ctx_at_errors_and_fdcwd)
{
    tree();
    int file = vfs_open(&ctx, "/a/b/f", VFS_O_RDONLY, 0);
    ck_assert_int_ge(file, 0);
    ck_assert_int_eq(vfs_ctx_at(&ctx, file, &tmp), -ENOTDIR);
    vfs_ctx_release(&tmp); /* harmless after an error */
    ck_assert_int_eq(vfs_ctx_at(&ctx, -1, &tmp), -EBADF);
    ck_assert_int_eq(vfs_ctx_at(&ctx, VFS_FD_MAX, &tmp), -EBADF);
    ck_assert_int_eq(vfs_ctx_at(&ctx, file + 1, &tmp), -EBADF);
    vfs_ctx_release(&tmp);
    ck_assert_int_eq(vfs_chdir(&ctx, "/a"), 0);
    ck_assert_int_eq(vfs_ctx_at(&ctx, VFS_AT_FDCWD, &tmp), 0);
    ck_assert_str_eq(vfs_getcwd(&tmp), "/a");
    struct vfs_stat st;
    ck_assert_int_eq(vfs_stat(&tmp, "b/f", &st), 0);
    vfs_ctx_release(&tmp);
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
    vfs_close(&ctx, file);
}
END_TEST

START_TEST(test_at_begin_picks_the_context)
{
    tree();
    int fd = open_dir("/a");
    int file = vfs_open(&ctx, "/a/b/f", VFS_O_RDONLY, 0);
    struct vfs_ctx *at = NULL;
    long before = live_allocs;
    /* absolute and empty paths ignore the base, even a bad one, as on Linux */
    ck_assert_int_eq(vfs_at_begin(&ctx, 55, "/a", &at), 0);
    ck_assert_ptr_eq(at, &ctx);
    ck_assert_int_eq(vfs_at_begin(&ctx, 55, "", &at), 0);
    ck_assert_ptr_eq(at, &ctx);
    ck_assert_int_eq(vfs_at_begin(&ctx, VFS_AT_FDCWD, "b", &at), 0);
    ck_assert_ptr_eq(at, &ctx);
    vfs_at_end(&ctx, at);
    ck_assert_int_eq(live_allocs, before); /* none of these allocated */
    ck_assert_int_eq(vfs_at_begin(&ctx, 55, "b", &at), -EBADF);
    ck_assert_int_eq(vfs_at_begin(&ctx, file, "b", &at), -ENOTDIR);
    ck_assert_int_eq(live_allocs, before);
    ck_assert_int_eq(vfs_at_begin(&ctx, fd, "b", &at), 0);
    ck_assert_ptr_ne(at, &ctx);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_stat(at, "b/f", &st), 0);
    vfs_at_end(&ctx, at);
    ck_assert_int_eq(live_allocs, before);
    vfs_close(&ctx, file);
    vfs_close(&ctx, fd);
}
END_TEST

START_TEST(test_openat_puts_the_descriptor_in_the_callers_table)
{
    tree();
    int dfd = open_dir("/a/b");
    int fd = vfs_openat(&ctx, dfd, "f", VFS_O_RDONLY, 0);
    ck_assert_int_eq(fd, dfd + 1); /* the caller's lowest free slot */
    char buf[8] = { 0 };
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, sizeof(buf)), 5);
    ck_assert_str_eq(buf, "hello");
    vfs_close(&ctx, fd);
    fd = vfs_openat(&ctx, dfd, "new", VFS_O_WRONLY | VFS_O_CREAT | VFS_O_EXCL, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "xyz", 3), 3);
    vfs_close(&ctx, fd);
    int err;
    ck_assert_str_eq(get_file("/a/b/new", &err), "xyz");
    ck_assert_int_eq(vfs_openat(&ctx, dfd, "new", VFS_O_RDONLY | VFS_O_CREAT | VFS_O_EXCL, 0),
                     -EEXIST);
    ck_assert_int_eq(vfs_openat(&ctx, dfd, "..", VFS_O_RDONLY | VFS_O_DIRECTORY, 0), dfd + 1);
    vfs_close(&ctx, dfd + 1);
    ck_assert_int_eq(vfs_openat(&ctx, 40, "f", VFS_O_RDONLY, 0), -EBADF);
    fd = vfs_openat(&ctx, dfd, "f", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_openat(&ctx, fd, "x", VFS_O_RDONLY, 0), -ENOTDIR);
    ck_assert_int_eq(vfs_openat(&ctx, 40, "/a/b/f", VFS_O_RDONLY, 0), fd + 1);
    vfs_close(&ctx, fd + 1);
    ck_assert_int_eq(vfs_openat(&ctx, dfd, "", VFS_O_RDONLY, 0), -ENOENT);
    vfs_close(&ctx, fd);
    vfs_close(&ctx, dfd);
}
END_TEST

START_TEST(test_renameat_with_two_bases_and_noreplace)
{
    tree();
    ck_assert_int_eq(vfs_mkdir(&ctx, "/c", 0755), 0);
    ck_assert_int_eq(put_file("/c/taken", "old"), 0);
    int b = open_dir("/a/b"), c = open_dir("/c");
    ck_assert_int_eq(vfs_renameat(&ctx, b, "f", c, "g", 0), 0);
    int err;
    ck_assert_str_eq(get_file("/c/g", &err), "hello");
    ck_assert_int_eq(vfs_renameat(&ctx, c, "g", c, "taken", VFS_RENAME_NOREPLACE), -EEXIST);
    ck_assert_str_eq(get_file("/c/taken", &err), "old"); /* untouched */
    ck_assert_str_eq(get_file("/c/g", &err), "hello");
    ck_assert_int_eq(vfs_renameat(&ctx, c, "nope", c, "taken", VFS_RENAME_NOREPLACE), -ENOENT);
    ck_assert_int_eq(vfs_renameat(&ctx, c, "g", c, "g", VFS_RENAME_NOREPLACE), -EEXIST);
    ck_assert_int_eq(vfs_renameat(&ctx, c, "g", b, "back", VFS_RENAME_NOREPLACE), 0);
    ck_assert_str_eq(get_file("/a/b/back", &err), "hello");
    ck_assert_int_eq(vfs_renameat(&ctx, b, "back", c, "taken", 0), 0); /* replaces */
    ck_assert_str_eq(get_file("/c/taken", &err), "hello");
    ck_assert_int_eq(vfs_renameat(&ctx, c, "taken", c, "x", 2), -EINVAL); /* EXCHANGE */
    ck_assert_int_eq(vfs_renameat(&ctx, 60, "taken", c, "x", 0), -EBADF);
    ck_assert_int_eq(vfs_renameat(&ctx, c, "taken", 60, "x", 0), -EBADF);
    ck_assert_int_eq(vfs_renameat(&ctx, VFS_AT_FDCWD, "/c/taken", c, "x", 0), 0);
    ck_assert_str_eq(get_file("/c/x", &err), "hello");
    vfs_close(&ctx, b);
    vfs_close(&ctx, c);
}
END_TEST

START_TEST(test_linkat_follows_only_when_asked)
{
    tree();
    int a = open_dir("/a");
    ck_assert_int_eq(vfs_symlink(&ctx, "b/f", "/a/l"), 0);
    int b = open_dir("/a/b");
    struct vfs_stat st;
    ck_assert_int_eq(vfs_linkat(&ctx, a, "l", b, "nofollow", false), 0);
    ck_assert_int_eq(vfs_lstat(&ctx, "/a/b/nofollow", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_SYMLINK);
    ck_assert_int_eq(vfs_linkat(&ctx, a, "l", b, "follow", true), 0);
    ck_assert_int_eq(vfs_lstat(&ctx, "/a/b/follow", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_FILE);
    ck_assert_uint_eq(st.nlink, 2);
    ck_assert_int_eq(vfs_linkat(&ctx, a, "b", b, "dir", false), -EPERM);
    ck_assert_int_eq(vfs_linkat(&ctx, a, "l", b, "follow", true), -EEXIST);
    ck_assert_int_eq(vfs_linkat(&ctx, 60, "l", b, "z", false), -EBADF);
    vfs_close(&ctx, a);
    vfs_close(&ctx, b);
}
END_TEST

START_TEST(test_fchdir_names_the_directory_as_it_is_now)
{
    tree();
    int fd = open_dir("/a/b");
    /* renamed after it was opened: the path it was opened by is stale */
    ck_assert_int_eq(vfs_rename(&ctx, "/a", "/z"), 0);
    ck_assert_int_eq(vfs_fchdir(&ctx, fd), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/z/b");
    int err;
    ck_assert_str_eq(get_file("f", &err), "hello");
    ck_assert_int_eq(vfs_chdir(&ctx, ".."), 0); /* and the lexical chdir carries on from it */
    ck_assert_str_eq(vfs_getcwd(&ctx), "/z");
    int root = open_dir("/");
    ck_assert_int_eq(vfs_fchdir(&ctx, root), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/");
    int file = vfs_open(&ctx, "/z/b/f", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_fchdir(&ctx, file), -ENOTDIR);
    ck_assert_int_eq(vfs_fchdir(&ctx, 50), -EBADF);
    ck_assert_int_eq(vfs_fchdir(&ctx, -3), -EBADF);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/");
    /* a removed directory has no path */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/gone", 0755), 0);
    int gone = open_dir("/gone");
    ck_assert_int_eq(vfs_rmdir(&ctx, "/gone"), 0);
    ck_assert_int_eq(vfs_fchdir(&ctx, gone), -ENOENT);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/");
    /* a temporary context learns its path when chdir needs it */
    ck_assert_int_eq(vfs_ctx_at(&ctx, fd, &tmp), 0);
    ck_assert_int_eq(vfs_chdir(&tmp, "../b/."), 0);
    ck_assert_str_eq(vfs_getcwd(&tmp), "/z/b");
    vfs_ctx_release(&tmp);
    vfs_close(&ctx, gone);
    vfs_close(&ctx, file);
    vfs_close(&ctx, root);
    vfs_close(&ctx, fd);
}
END_TEST

START_TEST(test_fchdir_and_at_across_a_mount)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/mnt", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/mnt", "ramfs", NULL), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/mnt/d", 0755), 0);
    int top = open_dir("/mnt"), d = open_dir("/mnt/d");
    ck_assert_int_eq(vfs_fchdir(&ctx, d), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/mnt/d");
    ck_assert_int_eq(vfs_fchdir(&ctx, top), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/mnt");
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
    /* "..": out of the mount from a descriptor's directory */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/side", 0755), 0);
    int fd = vfs_openat(&ctx, d, "../../side", VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    ck_assert_int_ge(fd, 0);
    vfs_close(&ctx, fd);
    ck_assert_int_eq(vfs_renameat(&ctx, d, "x", top, "y", 0), -ENOENT);
    ck_assert_int_eq(vfs_renameat(&ctx, top, "d", VFS_AT_FDCWD, "side/d", 0), -EXDEV);
    /* a temporary context keeps the file system busy, like a working directory */
    ck_assert_int_eq(vfs_ctx_at(&ctx, d, &tmp), 0);
    vfs_close(&ctx, top);
    vfs_close(&ctx, d);
    ck_assert_int_eq(vfs_umount(&ctx, "/mnt"), -EBUSY);
    vfs_ctx_release(&tmp);
    ck_assert_int_eq(vfs_umount(&ctx, "/mnt"), 0);
}
END_TEST

/* ---- on sfs: names come from its directory blocks ---- */

#define DISK_BLOCKS (8 * 2048)

static uint8_t *disk;
static struct ramdisk rd;

static void sfs_setup(void)
{
    vfs_fixture_setup();
    ck_assert_int_eq(vfs_register_fs(&sfs_vfs_type), 0);
    disk = calloc(DISK_BLOCKS, 512);
    ck_assert_int_eq(ramdisk_init(&rd, "rd0", disk, 512, DISK_BLOCKS), 0);
    ck_assert_int_eq(sfs_vfs_format(&rd.bdev), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/disk", "sfs", &rd.bdev), 0);
}

static void sfs_teardown(void)
{
    vfs_fixture_teardown();
    free(disk);
}

START_TEST(test_sfs_at_calls_and_fchdir)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/p", 0755), 0);
    for (int i = 0; i < 40; i++) { /* the directory's entry is not the first */
        char name[16] = "/disk/p/f00";
        name[9] = (char)('0' + i / 10);
        name[10] = (char)('0' + i % 10);
        ck_assert_int_eq(put_file(name, "x"), 0);
    }
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/p/q", 0755), 0);
    int p = open_dir("/disk/p");
    ck_assert_int_eq(vfs_ctx_at(&ctx, p, &tmp), 0);
    ck_assert_int_eq(vfs_mkdir(&tmp, "q/r", 0755), 0);
    ck_assert_int_eq(vfs_symlink(&tmp, "../f07", "q/l"), 0);
    vfs_ctx_release(&tmp);
    int fd = vfs_openat(&ctx, p, "q/l", VFS_O_RDONLY, 0);
    char c = 0;
    ck_assert_int_eq(vfs_read(&ctx, fd, &c, 1), 1);
    ck_assert_int_eq(c, 'x');
    vfs_close(&ctx, fd);
    int r = vfs_openat(&ctx, p, "q/r", VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    ck_assert_int_ge(r, 0);
    ck_assert_int_eq(vfs_renameat(&ctx, p, "q", VFS_AT_FDCWD, "/disk/moved", 0), 0);
    ck_assert_int_eq(vfs_fchdir(&ctx, r), 0);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/disk/moved/r");
    ck_assert_int_eq(vfs_linkat(&ctx, p, "f03", VFS_AT_FDCWD, "hard", false), 0);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/moved/r/hard", &st), 0);
    ck_assert_uint_eq(st.nlink, 2);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/gone", 0755), 0);
    int gone = open_dir("/disk/gone");
    ck_assert_int_eq(vfs_rmdir(&ctx, "/disk/gone"), 0);
    ck_assert_int_eq(vfs_fchdir(&ctx, gone), -ENOENT);
    ck_assert_str_eq(vfs_getcwd(&ctx), "/disk/moved/r");
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
    vfs_close(&ctx, gone);
    vfs_close(&ctx, r);
    vfs_close(&ctx, p);
}
END_TEST

Suite *at_suite(void)
{
    Suite *s = suite_create("at");
    TCase *tc = tcase_create("ramfs");
    tcase_add_checked_fixture(tc, vfs_fixture_setup, vfs_fixture_teardown);
    tcase_add_test(tc, test_ctx_at_resolves_from_the_directory);
    tcase_add_test(tc, test_ctx_at_errors_and_fdcwd);
    tcase_add_test(tc, test_at_begin_picks_the_context);
    tcase_add_test(tc, test_openat_puts_the_descriptor_in_the_callers_table);
    tcase_add_test(tc, test_renameat_with_two_bases_and_noreplace);
    tcase_add_test(tc, test_linkat_follows_only_when_asked);
    tcase_add_test(tc, test_fchdir_names_the_directory_as_it_is_now);
    tcase_add_test(tc, test_fchdir_and_at_across_a_mount);
    suite_add_tcase(s, tc);
    TCase *ts = tcase_create("sfs");
    tcase_add_checked_fixture(ts, sfs_setup, sfs_teardown);
    tcase_add_test(ts, test_sfs_at_calls_and_fchdir);
    suite_add_tcase(s, ts);
    return s;
}
