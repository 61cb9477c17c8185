/*
 * test_files.c - descriptors and file operations over ramfs.
 */
#include "vfs_test.h"
#include <stdint.h>
#include <k/errno.h>
#include <string.h>
#include <vfs/ramfs.h>

Suite *files_suite(void);

START_TEST(test_open_flags)
{
    ck_assert_int_eq(vfs_open(&ctx, "/f", VFS_O_RDONLY, 0), -ENOENT);
    int fd = vfs_open(&ctx, "/f", VFS_O_RDWR | VFS_O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "abcdef", 6), 6);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(vfs_close(&ctx, fd), -EBADF);
    ck_assert_int_eq(vfs_open(&ctx, "/f", VFS_O_RDWR | VFS_O_CREAT | VFS_O_EXCL, 0), -EEXIST);
    ck_assert_int_eq(vfs_open(&ctx, "/f", VFS_O_ACCMODE, 0), -EINVAL);
    ck_assert_int_eq(vfs_open(&ctx, "/f", VFS_O_RDONLY | VFS_O_DIRECTORY, 0), -ENOTDIR);
    ck_assert_int_eq(vfs_open(&ctx, "/", VFS_O_WRONLY, 0), -EISDIR);
    ck_assert_int_eq(vfs_open(&ctx, "/", VFS_O_WRONLY | VFS_O_CREAT, 0), -EISDIR);
    /* read-only descriptors refuse writes, write-only ones refuse reads */
    fd = vfs_open(&ctx, "/f", VFS_O_RDONLY, 0);
    char buf[16];
    ck_assert_int_eq(vfs_write(&ctx, fd, "x", 1), -EBADF);
    ck_assert_int_eq(vfs_ftruncate(&ctx, fd, 0), -EINVAL);
    vfs_close(&ctx, fd);
    fd = vfs_open(&ctx, "/f", VFS_O_WRONLY, 0);
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, 1), -EBADF);
    vfs_close(&ctx, fd);
    /* O_TRUNC empties it */
    fd = vfs_open(&ctx, "/f", VFS_O_WRONLY | VFS_O_TRUNC, 0);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0);
    ck_assert_uint_eq(st.size, 0);
    vfs_close(&ctx, fd);
}
END_TEST

START_TEST(test_read_write_seek_append)
{
    int fd = vfs_open(&ctx, "/f", VFS_O_RDWR | VFS_O_CREAT, 0644);
    ck_assert_int_eq(vfs_write(&ctx, fd, "hello world", 11), 11);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 6, VFS_SEEK_SET), 6);
    char buf[32] = { 0 };
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, sizeof(buf)), 5);
    ck_assert_str_eq(buf, "world");
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, sizeof(buf)), 0); /* end of file */
    ck_assert_int_eq(vfs_lseek(&ctx, fd, -5, VFS_SEEK_END), 6);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 2, VFS_SEEK_CUR), 8);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, -100, VFS_SEEK_CUR), -EINVAL);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, 42), -EINVAL);
    /* writing past the end leaves a hole of zeros */
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 20, VFS_SEEK_SET), 20);
    ck_assert_int_eq(vfs_write(&ctx, fd, "!", 1), 1);
    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, 32, 0), 21);
    ck_assert_int_eq(memcmp(buf, "hello world\0\0\0\0\0\0\0\0\0!", 21), 0);
    ck_assert_int_eq(vfs_ftruncate(&ctx, fd, 5), 0);
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, 32, 0), 5);
    ck_assert_int_eq(vfs_fsync(&ctx, fd), 0);
    vfs_close(&ctx, fd);
    /* O_APPEND writes at the end whatever the offset */
    fd = vfs_open(&ctx, "/f", VFS_O_WRONLY | VFS_O_APPEND, 0);
    vfs_lseek(&ctx, fd, 0, VFS_SEEK_SET);
    ck_assert_int_eq(vfs_write(&ctx, fd, "XY", 2), 2);
    vfs_close(&ctx, fd);
    int err;
    ck_assert_str_eq(get_file("/f", &err), "helloXY");
    ck_assert_int_eq(vfs_truncate(&ctx, "/f", 2), 0);
    ck_assert_str_eq(get_file("/f", &err), "he");
    ck_assert_int_eq(vfs_truncate(&ctx, "/", 0), -EISDIR);
}
END_TEST

START_TEST(test_descriptor_limits_and_dup)
{
    int fds[VFS_FD_MAX];
    ck_assert_int_eq(put_file("/f", "data"), 0);
    for (int i = 0; i < VFS_FD_MAX; i++)
        ck_assert_int_eq(fds[i] = vfs_open(&ctx, "/f", VFS_O_RDONLY, 0), i);
    ck_assert_int_eq(vfs_open(&ctx, "/f", VFS_O_RDONLY, 0), -EMFILE);
    ck_assert_int_eq(vfs_dup(&ctx, 0), -EMFILE);
    for (int i = 1; i < VFS_FD_MAX; i++)
        vfs_close(&ctx, fds[i]);
    int d = vfs_dup(&ctx, 0);
    ck_assert_int_eq(d, 1);
    char c;
    ck_assert_int_eq(vfs_read(&ctx, 0, &c, 1), 1);
    ck_assert_int_eq(vfs_read(&ctx, d, &c, 1), 1); /* shared offset */
    ck_assert_int_eq(c, 'a');
    vfs_close(&ctx, 0);
    ck_assert_int_eq(vfs_read(&ctx, d, &c, 1), 1);
    vfs_close(&ctx, d);
    ck_assert_int_eq(vfs_read(&ctx, -1, &c, 1), -EBADF);
    ck_assert_int_eq(vfs_read(&ctx, VFS_FD_MAX, &c, 1), -EBADF);
    ck_assert_int_eq(vfs_dup(&ctx, 5), -EBADF);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_fstat(&ctx, 3, &st), -EBADF);
}
END_TEST

START_TEST(test_dup2_and_copied_descriptors_share_open_files)
{
    ck_assert_int_eq(put_file("/f", "abc"), 0);
    ck_assert_int_eq(put_file("/g", "xyz"), 0);
    int f = vfs_open(&ctx, "/f", VFS_O_RDONLY, 0);
    int g = vfs_open(&ctx, "/g", VFS_O_RDONLY, 0);
    char c;
    int w = vfs_open(&ctx, "/g", VFS_O_RDWR, 0);
    ck_assert_int_eq(vfs_pwrite(&ctx, w, "Q", 1, 1), 1); /* at 1, offset stays 0 */
    ck_assert_int_eq(vfs_read(&ctx, w, &c, 1), 1);
    ck_assert_int_eq(c, 'x');
    ck_assert_int_eq(vfs_read(&ctx, w, &c, 1), 1);
    ck_assert_int_eq(c, 'Q');
    ck_assert_int_eq(vfs_pwrite(&ctx, f, "Q", 1, 0), -EBADF); /* read-only */
    ck_assert_int_eq(vfs_close(&ctx, w), 0);
    ck_assert_int_eq(vfs_dup2(&ctx, f, g), g); /* closes /g, shares /f */
    ck_assert_int_eq(vfs_read(&ctx, g, &c, 1), 1);
    ck_assert_int_eq(c, 'a');
    ck_assert_int_eq(vfs_dup2(&ctx, f, f), f);
    ck_assert_int_eq(vfs_dup2(&ctx, f, VFS_FD_MAX), -EBADF);
    /* F_SETFL on one descriptor is seen through the other; only the masked
     * flags change. */
    ck_assert_int_eq(vfs_setfl(&ctx, f, VFS_O_APPEND, VFS_O_APPEND | VFS_O_WRONLY), 0);
    ck_assert_int_eq(ctx.fds[g]->flags, VFS_O_RDONLY | VFS_O_APPEND);
    ck_assert_int_eq(vfs_setfl(&ctx, g, VFS_O_APPEND, 0), 0);
    ck_assert_int_eq(ctx.fds[f]->flags, VFS_O_RDONLY);
    ck_assert_int_eq(vfs_setfl(&ctx, VFS_FD_MAX, VFS_O_APPEND, 0), -EBADF);
    ck_assert_int_eq(vfs_dup2(&ctx, 40, 41), -EBADF);
    ck_assert_int_eq(vfs_dup2(&ctx, f, 40), 40);

    struct vfs_ctx child;
    vfs_ctx_init(&child, &ctx);
    vfs_ctx_copy_fds(&child, &ctx);
    ck_assert_int_eq(vfs_read(&child, 40, &c, 1), 1); /* one offset for all */
    ck_assert_int_eq(c, 'b');
    ck_assert_int_eq(vfs_read(&ctx, f, &c, 1), 1);
    ck_assert_int_eq(c, 'c');
    vfs_ctx_release(&child); /* closes the child's copies only */
    ck_assert_int_eq(vfs_close(&ctx, 40), 0);
    ck_assert_int_eq(vfs_close(&ctx, g), 0);
    ck_assert_int_eq(vfs_close(&ctx, f), 0);
}
END_TEST

/* A stream vnode (a pipe's shape): read and write run without the VFS lock. */
static int stream_opens, stream_closes, stream_released;

static int stream_open(struct vnode *vn, int flags, void **handle)
{
    stream_opens++;
    *handle = (void *)(intptr_t)(flags & VFS_O_ACCMODE);
    return 0;
}

static int stream_close(struct vnode *vn, void *handle)
{
    stream_closes++;
    return 0;
}

static long stream_read(struct vnode *vn, void *handle, uint64_t off, void *buf, size_t n)
{
    ck_assert_int_eq(vfs_fixture_lock_depth(), 0);
    memset(buf, 'r', n);
    return (long)n;
}

static long stream_write(struct vnode *vn, void *handle, uint64_t off, const void *buf, size_t n)
{
    ck_assert_int_eq(vfs_fixture_lock_depth(), 0);
    ck_assert_uint_eq(off, 0);
    return (long)n;
}

static void stream_release(struct vnode *vn)
{
    stream_released++;
}

static const struct vnode_ops stream_ops = { .open = stream_open,
                                             .close = stream_close,
                                             .read = stream_read,
                                             .write = stream_write,
                                             .release = stream_release,
                                             .stream = true };

START_TEST(test_stream_vnodes_run_unlocked_and_refuse_seeks)
{
    stream_opens = stream_closes = stream_released = 0;
    struct vnode *vn = vnode_new(vfs_anon_mount(), &stream_ops, VFS_TYPE_FIFO, 1, NULL);
    ck_assert_ptr_nonnull(vn);
    int r = vfs_open_vnode(&ctx, vn, VFS_O_RDONLY);
    int w = vfs_open_vnode(&ctx, vn, VFS_O_WRONLY | VFS_O_CREAT); /* extra flags ignored */
    vnode_put(vn);
    ck_assert_int_ge(r, 0);
    ck_assert_int_ge(w, 0);
    ck_assert_int_eq(stream_opens, 2);
    char buf[4];
    ck_assert_int_eq(vfs_read(&ctx, r, buf, 4), 4);
    ck_assert_int_eq(buf[0], 'r');
    ck_assert_int_eq(vfs_write(&ctx, w, "abc", 3), 3);
    ck_assert_int_eq(vfs_write(&ctx, r, "abc", 3), -EBADF); /* the read end */
    ck_assert_int_eq(vfs_lseek(&ctx, r, 0, VFS_SEEK_SET), -ESPIPE);
    ck_assert_int_eq(vfs_pread(&ctx, r, buf, 1, 0), -ESPIPE);
    ck_assert_int_eq(vfs_pwrite(&ctx, w, "a", 1, 0), -ESPIPE);
    ck_assert_int_eq(vfs_close(&ctx, r), 0);
    ck_assert_int_eq(vfs_close(&ctx, w), 0);
    ck_assert_int_eq(stream_closes, 2);
    ck_assert_int_eq(stream_released, 1);
    /* no descriptor left: a full table refuses */
    for (int i = 0; i < VFS_FD_MAX; i++)
        ck_assert_int_eq(vfs_open(&ctx, "/", VFS_O_RDONLY | VFS_O_DIRECTORY, 0), i);
    vn = vnode_new(vfs_anon_mount(), &stream_ops, VFS_TYPE_FIFO, 2, NULL);
    ck_assert_int_eq(vfs_open_vnode(&ctx, vn, VFS_O_RDONLY), -EMFILE);
    vnode_put(vn);
    for (int i = 0; i < VFS_FD_MAX; i++)
        vfs_close(&ctx, i);
}
END_TEST

START_TEST(test_unlinked_open_file_stays_readable)
{
    ck_assert_int_eq(put_file("/f", "still here"), 0);
    int fd = vfs_open(&ctx, "/f", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_unlink(&ctx, "/f"), 0);
    int err;
    get_file("/f", &err);
    ck_assert_int_eq(err, -ENOENT);
    char buf[16] = { 0 };
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, sizeof(buf)), 10);
    ck_assert_str_eq(buf, "still here");
    vfs_close(&ctx, fd); /* now the memory goes (the teardown checks for leaks) */
}
END_TEST

static int list_dir(const char *path, char names[][32], int max)
{
    int fd = vfs_open(&ctx, path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    if (fd < 0)
        return fd;
    struct vfs_dirent de;
    int n = 0;
    while (n < max && vfs_readdir(&ctx, fd, &de) == 1)
        strcpy(names[n++], de.name);
    vfs_close(&ctx, fd);
    return n;
}

START_TEST(test_readdir_and_changes_during_it)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/d", 0755), 0);
    put_file("/d/a", "");
    put_file("/d/b", "");
    put_file("/d/c", "");
    char names[16][32];
    ck_assert_int_eq(list_dir("/d", names, 16), 5);
    ck_assert_str_eq(names[0], ".");
    ck_assert_str_eq(names[1], "..");
    ck_assert_str_eq(names[2], "a");
    ck_assert_str_eq(names[4], "c");

    int fd = vfs_open(&ctx, "/d", VFS_O_RDONLY, 0);
    struct vfs_dirent de;
    for (int i = 0; i < 3; i++) /* ".", "..", "a" */
        ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
    ck_assert_str_eq(de.name, "a");
    ck_assert_int_eq(vfs_unlink(&ctx, "/d/b"), 0); /* removed before we reach it */
    put_file("/d/e", "");                          /* added while listing */
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
    ck_assert_str_eq(de.name, "c");
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
    ck_assert_str_eq(de.name, "e");
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 0);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, VFS_SEEK_SET), 0); /* rewind */
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
    ck_assert_str_eq(de.name, ".");
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 3, VFS_SEEK_SET), -EINVAL);
    char b;
    ck_assert_int_eq(vfs_read(&ctx, fd, &b, 1), -EISDIR);
    vfs_close(&ctx, fd);
    fd = vfs_open(&ctx, "/d/a", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), -ENOTDIR);
    vfs_close(&ctx, fd);
    ck_assert_int_eq(vfs_readdir(&ctx, 9, &de), -EBADF);
}
END_TEST

START_TEST(test_mkdir_rmdir)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/d", 0755), 0);
    put_file("/d/f", "x");
    ck_assert_int_eq(vfs_rmdir(&ctx, "/d"), -ENOTEMPTY);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/d/f"), -ENOTDIR);
    ck_assert_int_eq(vfs_unlink(&ctx, "/d"), -EISDIR);
    ck_assert_int_eq(vfs_unlink(&ctx, "/d/f"), 0);
    ck_assert_int_eq(vfs_unlink(&ctx, "/d/f"), -ENOENT);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/d"), 0);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/d"), -ENOENT);
    /* a working directory that is removed cannot get new entries */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/gone", 0755), 0);
    ck_assert_int_eq(vfs_chdir(&ctx, "/gone"), 0);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/gone"), 0);
    ck_assert_int_eq(put_file("x", "y"), -ENOENT);
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
}
END_TEST

START_TEST(test_rename_semantics)
{
    int err;
    vfs_mkdir(&ctx, "/a", 0755);
    vfs_mkdir(&ctx, "/b", 0755);
    put_file("/a/f", "one");
    put_file("/b/g", "two");
    ck_assert_int_eq(vfs_rename(&ctx, "/a/f", "/b/f"), 0); /* across directories */
    ck_assert_str_eq(get_file("/b/f", &err), "one");
    ck_assert_int_eq(vfs_rename(&ctx, "/b/f", "/b/g"), 0); /* replaces a file */
    ck_assert_str_eq(get_file("/b/g", &err), "one");
    get_file("/b/f", &err);
    ck_assert_int_eq(err, -ENOENT);
    ck_assert_int_eq(vfs_rename(&ctx, "/b/g", "/a"), -EISDIR);
    ck_assert_int_eq(vfs_rename(&ctx, "/a", "/b/g"), -ENOTDIR);
    put_file("/a/x", "");
    ck_assert_int_eq(vfs_rename(&ctx, "/b", "/a"), -ENOTEMPTY);
    ck_assert_int_eq(vfs_rename(&ctx, "/a", "/a/sub"), -EINVAL); /* into itself */
    vfs_unlink(&ctx, "/a/x");
    ck_assert_int_eq(vfs_rename(&ctx, "/b", "/a"), 0); /* replaces an empty dir */
    ck_assert_str_eq(get_file("/a/g", &err), "one");
    ck_assert_int_eq(vfs_rename(&ctx, "/nope", "/z"), -ENOENT);
    ck_assert_int_eq(vfs_rename(&ctx, "/a/g", "/a/g"), 0);
    /* directory moves keep ".." right */
    vfs_mkdir(&ctx, "/p", 0755);
    vfs_mkdir(&ctx, "/a/d", 0755);
    ck_assert_int_eq(vfs_rename(&ctx, "/a/d", "/p/d"), 0);
    put_file("/p/marker", "m");
    ck_assert_str_eq(get_file("/p/d/../marker", &err), "m");
}
END_TEST

START_TEST(test_hard_links)
{
    int err;
    put_file("/f", "shared");
    ck_assert_int_eq(vfs_link(&ctx, "/f", "/g"), 0);
    struct vfs_stat st;
    vfs_stat(&ctx, "/g", &st);
    ck_assert_uint_eq(st.nlink, 2);
    ck_assert_int_eq(vfs_unlink(&ctx, "/f"), 0);
    ck_assert_str_eq(get_file("/g", &err), "shared");
    ck_assert_int_eq(vfs_link(&ctx, "/g", "/g"), -EEXIST);
    vfs_mkdir(&ctx, "/d", 0755);
    ck_assert_int_eq(vfs_link(&ctx, "/d", "/d2"), -EPERM);
    ck_assert_int_eq(vfs_link(&ctx, "/missing", "/x"), -ENOENT);
    ck_assert_int_eq(vfs_link(&ctx, "/g", "/d/h"), 0);
    ck_assert_int_eq(vfs_rename(&ctx, "/g", "/d/h"), 0); /* same file: no-op */
    ck_assert_str_eq(get_file("/d/h", &err), "shared");
}
END_TEST

START_TEST(test_ramfs_full)
{
    struct ramfs_options small = { .max_bytes = 4096, .max_nodes = 4 };
    vfs_mkdir(&ctx, "/small", 0755);
    ck_assert_int_eq(vfs_mount(&ctx, "/small", "ramfs", &small), 0);
    static char big[8192];
    memset(big, 'z', sizeof(big));
    int fd = vfs_open(&ctx, "/small/f", VFS_O_WRONLY | VFS_O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, big, sizeof(big)), -ENOSPC);
    ck_assert_int_eq(vfs_write(&ctx, fd, big, 4000), 4000);
    ck_assert_int_eq(vfs_ftruncate(&ctx, fd, 5000), -ENOSPC);
    vfs_close(&ctx, fd);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/small/a", 0755), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/small/b", 0755), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/small/c", 0755), -ENOSPC); /* node limit */
    struct vfs_statfs sf;
    ck_assert_int_eq(vfs_statfs(&ctx, "/small/a", &sf), 0);
    ck_assert_str_eq(sf.type, "ramfs");
    ck_assert_uint_eq(sf.files_free, 0);
    ck_assert_int_eq(vfs_umount(&ctx, "/small"), 0);
}
END_TEST

Suite *files_suite(void)
{
    Suite *s = suite_create("files");
    TCase *tc = tcase_create("files");
    tcase_add_checked_fixture(tc, vfs_fixture_setup, vfs_fixture_teardown);
    tcase_add_test(tc, test_open_flags);
    tcase_add_test(tc, test_read_write_seek_append);
    tcase_add_test(tc, test_descriptor_limits_and_dup);
    tcase_add_test(tc, test_dup2_and_copied_descriptors_share_open_files);
    tcase_add_test(tc, test_stream_vnodes_run_unlocked_and_refuse_seeks);
    tcase_add_test(tc, test_unlinked_open_file_stays_readable);
    tcase_add_test(tc, test_readdir_and_changes_during_it);
    tcase_add_test(tc, test_mkdir_rmdir);
    tcase_add_test(tc, test_rename_semantics);
    tcase_add_test(tc, test_hard_links);
    tcase_add_test(tc, test_ramfs_full);
    suite_add_tcase(s, tc);
    return s;
}
