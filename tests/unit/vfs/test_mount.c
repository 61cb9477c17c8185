/*
 * test_mount.c - mounts: crossing in and out with paths and "..", busy
 * checks, -EXDEV, and a mock file system whose vnodes are made afresh on every
 * lookup, so the VFS must compare vnodes by (mount, inode), not by pointer.
 */
#include "vfs_test.h"
#include <k/errno.h>
#include <string.h>

Suite *mount_suite(void);

/* mockfs: a fixed tree  / (1) -> sub (2) -> leaf (3, file "mock data") */
static int mock_mounts, mock_unmounts;
static const struct vnode_ops mock_ops;

static int mock_vnode(struct vfs_mount *mnt, uint64_t ino, struct vnode **out)
{
    uint32_t type = ino == 3 ? VFS_TYPE_FILE : VFS_TYPE_DIR;
    *out = vnode_new(mnt, &mock_ops, type, ino, NULL);
    return *out ? 0 : -ENOMEM;
}

static int mock_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
    if (strcmp(name, "..") == 0)
        return mock_vnode(dir->mnt, 1, out);
    if (dir->ino == 1 && strcmp(name, "sub") == 0)
        return mock_vnode(dir->mnt, 2, out);
    if (dir->ino == 2 && strcmp(name, "leaf") == 0)
        return mock_vnode(dir->mnt, 3, out);
    return -ENOENT;
}

static long mock_read(struct vnode *vn, void *h, uint64_t off, void *buf, size_t n)
{
    (void)vn;
    (void)h;
    static const char text[] = "mock data";
    if (off >= sizeof(text) - 1)
        return 0;
    size_t k = sizeof(text) - 1 - off < n ? sizeof(text) - 1 - off : n;
    memcpy(buf, text + off, k);
    return (long)k;
}

static const struct vnode_ops mock_ops = { .lookup = mock_lookup, .read = mock_read };

static int mock_mount(struct vfs_mount *mnt, void *source, struct vnode **root)
{
    if (source == (void *)1)
        return -EIO; /* a source that fails to mount */
    mock_mounts++;
    return mock_vnode(mnt, 1, root);
}

static int mock_unmount(struct vfs_mount *mnt)
{
    (void)mnt;
    mock_unmounts++;
    return 0;
}

static const struct vfs_fs_type mock_type = { .name = "mockfs",
                                              .mount = mock_mount,
                                              .unmount = mock_unmount };

static void setup(void)
{
    vfs_fixture_setup();
    ck_assert_int_eq(vfs_register_fs(&mock_type), 0);
    mock_mounts = mock_unmounts = 0;
}

START_TEST(test_cross_into_and_out_of_mounts)
{
    int err;
    vfs_mkdir(&ctx, "/mnt", 0755);
    put_file("/top", "top file");
    ck_assert_int_eq(vfs_mount(&ctx, "/mnt", "mockfs", NULL), 0);
    ck_assert_str_eq(get_file("/mnt/sub/leaf", &err), "mock data");
    ck_assert_str_eq(get_file("/mnt/sub/../sub/leaf", &err), "mock data");
    ck_assert_str_eq(get_file("/mnt/sub/../../top", &err), "top file"); /* out via .. */
    ck_assert_str_eq(get_file("/mnt/../top", &err), "top file");
    ck_assert_int_eq(vfs_chdir(&ctx, "/mnt/sub"), 0);
    ck_assert_str_eq(get_file("leaf", &err), "mock data");
    ck_assert_str_eq(get_file("../../top", &err), "top file");
    ck_assert_int_eq(vfs_umount(&ctx, "/mnt"), -EBUSY); /* our cwd is inside */
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
    int fd = vfs_open(&ctx, "/mnt/sub/leaf", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_umount(&ctx, "/mnt"), -EBUSY); /* a file is open */
    vfs_close(&ctx, fd);
    ck_assert_int_eq(vfs_umount(&ctx, "/mnt"), 0);
    ck_assert_int_eq(mock_unmounts, 1);
    get_file("/mnt/sub/leaf", &err);
    ck_assert_int_eq(err, -ENOENT); /* the covered directory is back */
}
END_TEST

START_TEST(test_mount_errors)
{
    vfs_mkdir(&ctx, "/m", 0755);
    put_file("/f", "");
    ck_assert_int_eq(vfs_mount(&ctx, "/f", "ramfs", NULL), -ENOTDIR);
    ck_assert_int_eq(vfs_mount(&ctx, "/none", "ramfs", NULL), -ENOENT);
    ck_assert_int_eq(vfs_mount(&ctx, "/m", "nofs", NULL), -ENODEV);
    ck_assert_int_eq(vfs_mount(&ctx, "/m", "mockfs", (void *)1), -EIO);
    ck_assert_int_eq(vfs_mount(&ctx, "/", "ramfs", NULL), -EBUSY);
    ck_assert_int_eq(vfs_mount(&ctx, "/m", "ramfs", NULL), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/m", "ramfs", NULL), -EBUSY);
    ck_assert_int_eq(vfs_umount(&ctx, "/f"), -EINVAL);
    ck_assert_int_eq(vfs_umount(&ctx, "/"), -EBUSY); /* the root: in use */
    ck_assert_int_eq(vfs_mount_root(&ctx, "ramfs", NULL), -EBUSY);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/m"), -EBUSY);
    ck_assert_int_eq(vfs_rename(&ctx, "/m", "/m2"), -EBUSY);
    ck_assert_int_eq(vfs_register_fs(&mock_type), -EEXIST);
}
END_TEST

START_TEST(test_nested_mounts_and_exdev)
{
    int err;
    vfs_mkdir(&ctx, "/tmp", 0755);
    ck_assert_int_eq(vfs_mount(&ctx, "/tmp", "ramfs", NULL), 0);
    vfs_mkdir(&ctx, "/tmp/inner", 0755);
    ck_assert_int_eq(vfs_mount(&ctx, "/tmp/inner", "ramfs", NULL), 0);
    put_file("/tmp/inner/x", "deep");
    ck_assert_str_eq(get_file("/tmp/inner/../inner/x", &err), "deep");
    ck_assert_int_eq(vfs_umount(&ctx, "/tmp"), -EBUSY); /* something mounted inside */
    put_file("/rootfile", "r");
    ck_assert_int_eq(vfs_rename(&ctx, "/rootfile", "/tmp/rootfile"), -EXDEV);
    ck_assert_int_eq(vfs_link(&ctx, "/rootfile", "/tmp/l"), -EXDEV);
    struct vfs_stat a, b;
    vfs_stat(&ctx, "/rootfile", &a);
    vfs_stat(&ctx, "/tmp/inner/x", &b);
    ck_assert_uint_ne(a.dev, b.dev);
    ck_assert_int_eq(vfs_umount(&ctx, "/tmp/inner"), 0);
    ck_assert_int_eq(vfs_umount(&ctx, "/tmp"), 0);
}
END_TEST

static int seen;

static void count_mount(struct vfs_mount *m, void *arg)
{
    (void)arg;
    ck_assert_ptr_nonnull(m->path);
    seen++;
}

START_TEST(test_listing_sync_and_umount_all)
{
    vfs_mkdir(&ctx, "/a", 0755);
    vfs_mkdir(&ctx, "/b", 0755);
    vfs_mount(&ctx, "/a", "ramfs", NULL);
    vfs_mount(&ctx, "/b", "mockfs", NULL);
    seen = 0;
    vfs_for_each_mount(count_mount, NULL);
    ck_assert_int_eq(seen, 3);
    ck_assert_int_eq(vfs_sync(), 0);
    /* a second context shares root and cwd and keeps them busy */
    struct vfs_ctx other;
    vfs_chdir(&ctx, "/a");
    vfs_ctx_init(&other, &ctx);
    ck_assert_str_eq(vfs_getcwd(&other), "/a");
    vfs_chdir(&ctx, "/");
    ck_assert_int_eq(vfs_umount(&ctx, "/a"), -EBUSY);
    int fd = vfs_open(&other, "/b/sub/leaf", VFS_O_RDONLY, 0);
    ck_assert_int_ge(fd, 0);
    vfs_ctx_release(&other); /* closes its descriptors too */
    ck_assert_int_eq(vfs_umount(&ctx, "/a"), 0);
    /* the fixture's teardown unmounts the rest with vfs_umount_all() */
}
END_TEST

START_TEST(test_statfs_of_mock_and_root)
{
    struct vfs_statfs st;
    vfs_mkdir(&ctx, "/b", 0755);
    vfs_mount(&ctx, "/b", "mockfs", NULL);
    ck_assert_int_eq(vfs_statfs(&ctx, "/b/sub", &st), 0);
    ck_assert_str_eq(st.type, "mockfs");
    ck_assert_int_eq(vfs_statfs(&ctx, "/", &st), 0);
    ck_assert_str_eq(st.type, "ramfs");
    ck_assert_int_eq(vfs_statfs(&ctx, "/missing", &st), -ENOENT);
    /* a file system without ops for an operation answers with an error */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/b/new", 0755), -EPERM);
    ck_assert_int_eq(vfs_unlink(&ctx, "/b/sub/leaf"), -EPERM);
    ck_assert_int_eq(vfs_open(&ctx, "/b/sub/leaf", VFS_O_WRONLY, 0) >= 0, 1);
}
END_TEST

Suite *mount_suite(void)
{
    Suite *s = suite_create("mount");
    TCase *tc = tcase_create("mount");
    tcase_add_checked_fixture(tc, setup, vfs_fixture_teardown);
    tcase_add_test(tc, test_cross_into_and_out_of_mounts);
    tcase_add_test(tc, test_mount_errors);
    tcase_add_test(tc, test_nested_mounts_and_exdev);
    tcase_add_test(tc, test_listing_sync_and_umount_all);
    tcase_add_test(tc, test_statfs_of_mock_and_root);
    suite_add_tcase(s, tc);
    return s;
}
