/*
 * test_mountopts.c - mount options: read-only mounts refuse every change
 * (-EROFS) but let devices be written, remounting, source names and one mount
 * per source, statfs by descriptor, syncfs, and the path an open file keeps.
 */
#include "vfs_test.h"
#include <k/errno.h>
#include <stdio.h>
#include <string.h>
#include <dev/ramdisk.h>
#include <vfs/devfs.h>
#include <vfs/ramfs.h>

Suite *mountopts_suite(void);

static int syncs;

static int counting_mount(struct vfs_mount *mnt, void *source, struct vnode **root)
{
    return ramfs_type.mount(mnt, source, root);
}

static int counting_unmount(struct vfs_mount *mnt)
{
    return ramfs_type.unmount(mnt);
}

static int counting_sync(struct vfs_mount *mnt)
{
    (void)mnt;
    syncs++;
    return 0;
}

static const struct vfs_fs_type syncfs_type = {
    .name = "syncram", .mount = counting_mount, .unmount = counting_unmount, .sync = counting_sync
};

static void setup(void)
{
    vfs_fixture_setup();
    syncs = 0;
}

static int ro_mount(const char *path)
{
    struct vfs_mount_options o = { .source_name = "none", .flags = VFS_MNT_RDONLY };
    return vfs_mount_opts(&ctx, path, "ramfs", NULL, &o);
}

START_TEST(test_read_only_refuses_changes)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/m", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/m", "ramfs", NULL), 0);
    ck_assert_int_eq(put_file("/m/f", "data"), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/m/d", 0755), 0);
    ck_assert_int_eq(vfs_symlink(&ctx, "f", "/m/l"), 0);
    ck_assert_int_eq(vfs_remount(&ctx, "/m", VFS_MNT_RDONLY), 0);

    ck_assert_int_eq(vfs_open(&ctx, "/m/f", VFS_O_WRONLY, 0), -EROFS);
    ck_assert_int_eq(vfs_open(&ctx, "/m/f", VFS_O_RDWR, 0), -EROFS);
    ck_assert_int_eq(vfs_open(&ctx, "/m/f", VFS_O_RDONLY | VFS_O_TRUNC, 0), -EROFS);
    ck_assert_int_eq(vfs_open(&ctx, "/m/new", VFS_O_WRONLY | VFS_O_CREAT, 0644), -EROFS);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/m/e", 0755), -EROFS);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/m/d"), -EROFS);
    ck_assert_int_eq(vfs_unlink(&ctx, "/m/f"), -EROFS);
    ck_assert_int_eq(vfs_symlink(&ctx, "x", "/m/l2"), -EROFS);
    ck_assert_int_eq(vfs_link(&ctx, "/m/f", "/m/g"), -EROFS);
    ck_assert_int_eq(vfs_rename(&ctx, "/m/f", "/m/g"), -EROFS);
    ck_assert_int_eq(vfs_truncate(&ctx, "/m/f", 0), -EROFS);
    ck_assert_int_eq(utimes_s("/m/f", true, T_NOW, 5), -EROFS);
    ck_assert_int_eq(utimes_s("/m/f", true, T_OMIT, T_OMIT), 0); /* no change */
    int err;
    ck_assert_str_eq(get_file("/m/f", &err), "data"); /* reading still works */
    ck_assert_str_eq(get_file("/m/l", &err), "data");
    struct vfs_statfs st;
    ck_assert_int_eq(vfs_statfs(&ctx, "/m/d", &st), 0);
    ck_assert_uint_eq(st.flags, VFS_MNT_RDONLY);
    ck_assert_uint_eq(st.magic, 0x858458f6u);
    ck_assert_uint_eq(st.name_max, VFS_NAME_MAX);

    ck_assert_int_eq(vfs_remount(&ctx, "/m", 0), 0); /* back to read-write */
    ck_assert_int_eq(put_file("/m/f", "new"), 0);
    ck_assert_int_eq(vfs_unlink(&ctx, "/m/l"), 0);
}
END_TEST

START_TEST(test_devices_writable_on_read_only_mount)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/dev", 0755), 0);
    struct vfs_mount_options o = { .flags = VFS_MNT_RDONLY };
    ck_assert_int_eq(vfs_mount_opts(&ctx, "/dev", "devfs", NULL, &o), 0);
    int fd = vfs_open(&ctx, "/dev/null", VFS_O_WRONLY, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "x", 1), 1);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
}
END_TEST

START_TEST(test_remount_busy_and_errors)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/m", 0755), 0);
    ck_assert_int_eq(vfs_register_fs(&syncfs_type), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/m", "syncram", NULL), 0);
    int fd = vfs_open(&ctx, "/m/f", VFS_O_WRONLY | VFS_O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_remount(&ctx, "/m", VFS_MNT_RDONLY), -EBUSY); /* open for writing */
    int dup = vfs_dup(&ctx, fd);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(vfs_remount(&ctx, "/m", VFS_MNT_RDONLY), -EBUSY); /* still, through dup */
    ck_assert_int_eq(vfs_syncfs(&ctx, dup), 0);
    ck_assert_int_eq(syncs, 1);
    ck_assert_int_eq(vfs_close(&ctx, dup), 0);
    ck_assert_int_eq(vfs_remount(&ctx, "/m", VFS_MNT_RDONLY | VFS_MNT_NOEXEC), 0);
    ck_assert_int_eq(syncs, 2); /* going read-only syncs */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/m/d", 0755), -EROFS);
    ck_assert_int_eq(vfs_remount(&ctx, "/m", 0x100), -EINVAL);
    ck_assert_int_eq(vfs_remount(&ctx, "/nope", 0), -ENOENT);
    ck_assert_int_eq(vfs_remount(&ctx, "/m", 0), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/m/d", 0755), 0);
    ck_assert_int_eq(vfs_remount(&ctx, "/m/d", 0), -EINVAL); /* not a mount's root */
    ck_assert_int_eq(vfs_syncfs(&ctx, 40), -EBADF);
    ck_assert_int_eq(vfs_umount(&ctx, "/m"), 0);
}
END_TEST

struct listing {
    char text[512];
};

static void list_one(struct vfs_mount *m, void *arg)
{
    struct listing *l = arg;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof(l->text) - n, "%s %s %s %u;", m->source, m->path, m->type->name,
             m->flags);
}

START_TEST(test_sources_and_one_mount_per_source)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/a", 0755), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/b", 0755), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/c", 0755), 0);
    ck_assert_int_eq(ro_mount("/a"), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/b", "devfs", NULL), 0);
    struct vfs_mount_options bad = { .flags = 0x80 };
    ck_assert_int_eq(vfs_mount_opts(&ctx, "/c", "ramfs", NULL, &bad), -EINVAL);
    static int token;
    ck_assert_int_eq(vfs_mount_opts(&ctx, "/c", "devfs", &token, NULL), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/a2", 0755), 0);
    ck_assert_int_eq(vfs_mount_opts(&ctx, "/a2", "devfs", &token, NULL), -EBUSY);
    struct listing l = { "" };
    vfs_for_each_mount(list_one, &l);
    ck_assert_str_eq(l.text, "ramfs / ramfs 0;none /a ramfs 1;devfs /b devfs 0;devfs /c devfs 0;");
    ck_assert_int_eq(vfs_umount(&ctx, "/c"), 0);
    ck_assert_int_eq(vfs_mount_opts(&ctx, "/a2", "devfs", &token, NULL), 0); /* free again */
}
END_TEST

START_TEST(test_fstatfs_and_open_paths)
{
    ck_assert_int_eq(vfs_mkdir(&ctx, "/d", 0755), 0);
    ck_assert_int_eq(put_file("/d/f", "x"), 0);
    ck_assert_int_eq(vfs_chdir(&ctx, "/d"), 0);
    int fd = vfs_open(&ctx, "./f", VFS_O_RDONLY, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_str_eq(ctx.fds[fd]->path, "/d/f");
    struct vfs_statfs st;
    ck_assert_int_eq(vfs_fstatfs(&ctx, fd, &st), 0);
    ck_assert_str_eq(st.type, "ramfs");
    ck_assert_uint_eq(st.mount_id, 1);
    ck_assert_int_eq(vfs_fstatfs(&ctx, 50, &st), -EBADF);
    /* relative to a directory descriptor: the path is not known */
    int dfd = vfs_open(&ctx, "/d", VFS_O_RDONLY, 0);
    int fd2 = vfs_openat(&ctx, dfd, "f", VFS_O_RDONLY, 0);
    ck_assert_int_ge(fd2, 0);
    ck_assert_ptr_null(ctx.fds[fd2]->path);
    int fd3 = vfs_openat(&ctx, dfd, "/d/../d/f", VFS_O_RDONLY, 0);
    ck_assert_str_eq(ctx.fds[fd3]->path, "/d/f");
    vfs_close(&ctx, fd);
    vfs_close(&ctx, fd2);
    vfs_close(&ctx, fd3);
    vfs_close(&ctx, dfd);
}
END_TEST

START_TEST(test_resolve_block_device)
{
    static struct ramdisk rd;
    static uint8_t mem[512 * 8];
    ck_assert_int_eq(ramdisk_init(&rd, "ram7", mem, 512, 8), 0);
    ck_assert_int_eq(blockdev_register(&rd.bdev), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/dev", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/dev", "devfs", NULL), 0);
    ck_assert_int_eq(vfs_symlink(&ctx, "/dev/ram7", "/disk"), 0);
    struct block_device *bd = NULL;
    ck_assert_int_eq(devfs_resolve_block(&ctx, "/dev/ram7", &bd), 0);
    ck_assert_ptr_eq(bd, &rd.bdev);
    ck_assert_int_eq(devfs_resolve_block(&ctx, "/disk", &bd), 0); /* through a symlink */
    ck_assert_ptr_eq(bd, &rd.bdev);
    ck_assert_int_eq(devfs_resolve_block(&ctx, "/dev/null", &bd), -ENOTBLK);
    ck_assert_int_eq(devfs_resolve_block(&ctx, "/dev", &bd), -ENOTBLK);
    ck_assert_int_eq(devfs_resolve_block(&ctx, "/dev/none", &bd), -ENOENT);
    blockdev_unregister(&rd.bdev);
}
END_TEST

struct types {
    int n;
    int dev;
};

static void count_type(const struct vfs_fs_type *t, void *arg)
{
    struct types *c = arg;
    c->n++;
    c->dev += t->requires_dev;
}

START_TEST(test_fs_types_listed)
{
    struct types c = { 0, 0 };
    vfs_for_each_fs_type(count_type, &c);
    ck_assert_int_eq(c.n, 2); /* the fixture's ramfs and devfs */
    ck_assert_int_eq(c.dev, 0);
}
END_TEST

Suite *mountopts_suite(void)
{
    Suite *s = suite_create("mountopts");
    TCase *tc = tcase_create("mountopts");
    tcase_add_checked_fixture(tc, setup, vfs_fixture_teardown);
    tcase_add_test(tc, test_read_only_refuses_changes);
    tcase_add_test(tc, test_devices_writable_on_read_only_mount);
    tcase_add_test(tc, test_remount_busy_and_errors);
    tcase_add_test(tc, test_sources_and_one_mount_per_source);
    tcase_add_test(tc, test_fstatfs_and_open_paths);
    tcase_add_test(tc, test_resolve_block_device);
    tcase_add_test(tc, test_fs_types_listed);
    suite_add_tcase(s, tc);
    return s;
}
