/*
 * test_sfs_vfs.c - libsfs under the VFS, on a RAM disk: the same calls as on
 * ramfs, persistence across unmount and remount, automatic-format rules, and
 * identity by inode: one vnode per inode, descriptors that follow their file
 * through renames and unlinks, orphans that survive a crash, and fsck/mkfs
 * that respect a mount.
 */
#include "vfs_test.h"
#include <k/errno.h>
#include <dev/ramdisk.h>
#include <stdlib.h>
#include <string.h>
#include <vfs/sfs_vfs.h>

Suite *sfs_vfs_suite(void);

#define DISK_BLOCKS (8 * 2048) /* 8 MiB of 512-byte sectors */

static uint8_t *disk;
static struct ramdisk rd;

static void setup(void)
{
    vfs_fixture_setup();
    ck_assert_int_eq(vfs_register_fs(&sfs_vfs_type), 0);
    disk = calloc(DISK_BLOCKS, 512);
    ck_assert_int_eq(ramdisk_init(&rd, "rd0", disk, 512, DISK_BLOCKS), 0);
    ck_assert_int_eq(sfs_vfs_blank(&rd.bdev), 1);
    ck_assert_int_eq(sfs_vfs_format(&rd.bdev), 0);
    ck_assert_int_eq(sfs_vfs_blank(&rd.bdev), 0);
    vfs_mkdir(&ctx, "/disk", 0755);
    ck_assert_int_eq(vfs_mount(&ctx, "/disk", "sfs", &rd.bdev), 0);
}

static void teardown(void)
{
    vfs_fixture_teardown();
    free(disk);
}

START_TEST(test_files_dirs_and_persistence)
{
    int err;
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/docs", 0755), 0);
    ck_assert_int_eq(put_file("/disk/docs/a.txt", "persistent bytes"), 0);
    ck_assert_int_eq(vfs_symlink(&ctx, "docs/a.txt", "/disk/link"), 0);
    ck_assert_int_eq(vfs_link(&ctx, "/disk/docs/a.txt", "/disk/hard"), 0);
    ck_assert_str_eq(get_file("/disk/link", &err), "persistent bytes");
    ck_assert_str_eq(get_file("/disk/docs/../hard", &err), "persistent bytes");
    ck_assert_str_eq(get_file("/disk/docs/../../disk/hard", &err), "persistent bytes");
    struct vfs_stat st;
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/hard", &st), 0);
    ck_assert_uint_eq(st.nlink, 2);
    ck_assert_uint_eq(st.size, 16);
    ck_assert_int_eq(vfs_rename(&ctx, "/disk/docs/a.txt", "/disk/b.txt"), 0);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/disk/docs"), 0);
    ck_assert_int_eq(vfs_umount(&ctx, "/disk"), 0);
    get_file("/disk/b.txt", &err);
    ck_assert_int_eq(err, -ENOENT);
    ck_assert_int_eq(vfs_mount(&ctx, "/disk", "sfs", &rd.bdev), 0);
    ck_assert_str_eq(get_file("/disk/b.txt", &err), "persistent bytes");
    ck_assert_str_eq(get_file("/disk/hard", &err), "persistent bytes");
    get_file("/disk/link", &err);
    ck_assert_int_eq(err, -ENOENT); /* its target moved away */
    char buf[64];
    ck_assert_int_eq(vfs_readlink(&ctx, "/disk/link", buf, sizeof(buf)), 10);
}
END_TEST

START_TEST(test_file_times)
{
    ck_assert_int_eq(put_file("/disk/f", "x"), 0);
    struct vfs_stat st;
    ck_assert_int_eq(utimes_s("/disk/f", true, 100, 200), 0); /* SFS */
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/f", &st), 0);
    ck_assert_int_eq(st.mtime.sec, 200);
    int fd = vfs_open(&ctx, "/disk/f", VFS_O_RDONLY, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(futimes_s(fd, T_OMIT, 300), 0);
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0);
    ck_assert_int_eq(st.mtime.sec, 300);
    ck_assert_int_eq(futimes_s(fd, 1, T_OMIT), 0); /* mtime kept */
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0);
    ck_assert_int_eq(st.mtime.sec, 300);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(futimes_s(fd, 1, 2), -EBADF);
    ck_assert_int_eq(vfs_symlink(&ctx, "f", "/disk/l"), 0);
    ck_assert_int_eq(utimes_s("/disk/l", false, 7, 8), 0); /* the link itself */
    ck_assert_int_eq(vfs_lstat(&ctx, "/disk/l", &st), 0);
    ck_assert_int_eq(st.mtime.sec, 8);
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/l", &st), 0);
    ck_assert_int_eq(st.mtime.sec, 300);
    ck_assert_int_eq(utimes_s("/f", true, 1, 2), -ENOENT);
    ck_assert_int_eq(put_file("/g", "ram"), 0); /* ramfs, the fixture's root */
    ck_assert_int_eq(utimes_s("/g", true, T_NOW, 42), 0);
    ck_assert_int_eq(vfs_stat(&ctx, "/g", &st), 0);
    ck_assert_int_eq(st.mtime.sec, 42);
}
END_TEST

/* chmod, chown, times with nanoseconds and special nodes on SFS, kept over a
 * remount; FIFOs open their pipe through the VFS as on ramfs. */
static int nul_create(struct vnode **out)
{
    (void)out;
    return -ENOMEM; /* no pipes here: the open must fail cleanly */
}

static const struct vfs_fifo_ops nul_fifo = { .create = nul_create };

START_TEST(test_attributes_persist)
{
    fixture_ns = 250;
    ck_assert_int_eq(put_file("/disk/f", "x"), 0);
    ck_assert_int_eq(vfs_chmod(&ctx, "/disk/f", true, 04751), 0);
    ck_assert_int_eq(vfs_chown(&ctx, "/disk/f", true, 1000, 100), 0); /* drops set-user-ID */
    struct vfs_time t[2] = { { -5, 7 }, { 1234567890, 999999999 } };
    ck_assert_int_eq(vfs_utimens(&ctx, "/disk/f", true, t), 0);
    ck_assert_int_eq(vfs_mknod(&ctx, "/disk/p", VFS_TYPE_FIFO, 0620, 0), 0);
    ck_assert_int_eq(vfs_mknod(&ctx, "/disk/c", VFS_TYPE_CHARDEV, 0600, VFS_MKDEV(1, 3)), 0);
    ck_assert_int_eq(vfs_mknod(&ctx, "/disk/b", VFS_TYPE_BLOCKDEV, 0600, VFS_MKDEV(254, 1)), 0);
    ck_assert_int_eq(vfs_mknod(&ctx, "/disk/s", VFS_TYPE_SOCKET, 0700, 0), 0);
    ck_assert_int_eq(vfs_mknod(&ctx, "/disk/r", VFS_TYPE_FILE, 0600, 0), 0);
    ck_assert_int_eq(vfs_symlink(&ctx, "f", "/disk/l"), 0);
    ck_assert_int_eq(vfs_chown(&ctx, "/disk/l", false, 3, 4), 0);
    ck_assert_int_eq(vfs_chmod(&ctx, "/disk/l", false, 0600), -ENOTSUP);
    ck_assert_int_eq(vfs_open(&ctx, "/disk/s", VFS_O_RDONLY, 0), -ENXIO);
    ck_assert_int_eq(vfs_open(&ctx, "/disk/c", VFS_O_RDONLY, 0), -ENXIO); /* no devfs */
    ck_assert_int_eq(vfs_open(&ctx, "/disk/p", VFS_O_RDONLY, 0), -ENXIO); /* no provider */
    vfs_set_fifo_ops(&nul_fifo);
    ck_assert_int_eq(vfs_open(&ctx, "/disk/p", VFS_O_RDONLY, 0), -ENOMEM);
    vfs_set_fifo_ops(NULL);
    ck_assert_int_eq(vfs_umount(&ctx, "/disk"), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/disk", "sfs", &rd.bdev), 0);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/f", &st), 0);
    ck_assert_uint_eq(st.mode, 0751);
    ck_assert_uint_eq(st.uid, 1000);
    ck_assert_uint_eq(st.gid, 100);
    ck_assert_int_eq(st.atime.sec, -5);
    ck_assert_uint_eq(st.atime.nsec, 7);
    ck_assert_int_eq(st.mtime.sec, 1234567890);
    ck_assert_uint_eq(st.mtime.nsec, 999999999);
    ck_assert_int_eq(st.ctime.sec, 1000);
    ck_assert_uint_eq(st.ctime.nsec, 250);
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/p", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_FIFO);
    ck_assert_uint_eq(st.mode, 0620);
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/c", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_CHARDEV);
    ck_assert_uint_eq(st.rdev, VFS_MKDEV(1, 3));
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/b", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_BLOCKDEV);
    ck_assert_uint_eq(st.rdev, VFS_MKDEV(254, 1));
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/s", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_SOCKET);
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/r", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_FILE);
    ck_assert_int_eq(vfs_lstat(&ctx, "/disk/l", &st), 0);
    ck_assert_uint_eq(st.uid, 3);
    ck_assert_uint_eq(st.gid, 4);
    int fd = vfs_open(&ctx, "/disk", VFS_O_RDONLY, 0);
    struct vfs_dirent de;
    uint32_t types = 0;
    while (vfs_readdir(&ctx, fd, &de) == 1)
        types |= 1u << de.type;
    ck_assert_uint_eq(types, (1u << VFS_TYPE_FILE) | (1u << VFS_TYPE_DIR) |
                                 (1u << VFS_TYPE_SYMLINK) | (1u << VFS_TYPE_FIFO) |
                                 (1u << VFS_TYPE_CHARDEV) | (1u << VFS_TYPE_BLOCKDEV) |
                                 (1u << VFS_TYPE_SOCKET));
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    ck_assert_int_eq(vfs_unlink(&ctx, "/disk/p"), 0);
    ck_assert_int_eq(vfs_unlink(&ctx, "/disk/c"), 0);
}
END_TEST

START_TEST(test_readdir_and_errors)
{
    vfs_mkdir(&ctx, "/disk/d", 0755);
    put_file("/disk/d/x", "1");
    put_file("/disk/d/y", "2");
    int fd = vfs_open(&ctx, "/disk/d", VFS_O_RDONLY, 0);
    struct vfs_dirent de;
    int n = 0, files = 0;
    while (vfs_readdir(&ctx, fd, &de) == 1) {
        n++;
        files += de.type == VFS_TYPE_FILE;
    }
    ck_assert_int_eq(n, 4); /* . .. x y */
    ck_assert_int_eq(files, 2);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, VFS_SEEK_SET), 0);
    ck_assert_int_eq(vfs_readdir(&ctx, fd, &de), 1);
    vfs_close(&ctx, fd);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/disk/d"), -ENOTEMPTY);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/d", 0755), -EEXIST);
    ck_assert_int_eq(vfs_unlink(&ctx, "/disk/d"), -EISDIR);
    ck_assert_int_eq(vfs_open(&ctx, "/disk/d/x/z", VFS_O_RDONLY, 0), -ENOTDIR);
    ck_assert_int_eq(vfs_rename(&ctx, "/disk/d", "/disk/d/sub"), -EINVAL);
    /* write, seek, truncate through descriptors */
    fd = vfs_open(&ctx, "/disk/d/x", VFS_O_RDWR | VFS_O_APPEND, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "23", 2), 2);
    char buf[8] = { 0 };
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, sizeof(buf), 0), 3);
    ck_assert_str_eq(buf, "123");
    ck_assert_int_eq(vfs_ftruncate(&ctx, fd, 1), 0);
    ck_assert_int_eq(vfs_fsync(&ctx, fd), 0);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0);
    ck_assert_uint_eq(st.size, 1);
    vfs_close(&ctx, fd);
    ck_assert_int_eq(vfs_truncate(&ctx, "/disk/d/y", 0), 0);
    struct vfs_statfs sf;
    ck_assert_int_eq(vfs_statfs(&ctx, "/disk", &sf), 0);
    ck_assert_str_eq(sf.type, "sfs");
    ck_assert_uint_gt(sf.blocks_free, 0);
    ck_assert_int_eq(vfs_sync(), 0);
    /* the directory's fsync syncs the volume */
    fd = vfs_open(&ctx, "/disk/d", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_fsync(&ctx, fd), 0);
    vfs_close(&ctx, fd);
}
END_TEST

START_TEST(test_cwd_follows_a_renamed_directory)
{
    int err;
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/a", 0755), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/a/b", 0755), 0);
    ck_assert_int_eq(put_file("/disk/a/b/f", "inside"), 0);
    ck_assert_int_eq(vfs_chdir(&ctx, "/disk/a/b"), 0);
    int fd = vfs_open(&ctx, "f", VFS_O_RDONLY, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_rename(&ctx, "/disk/a", "/disk/z"), 0);
    /* the working directory moved with it: relative names still work */
    ck_assert_str_eq(get_file("f", &err), "inside");
    ck_assert_str_eq(get_file("../b/f", &err), "inside");
    ck_assert_int_eq(put_file("g", "new"), 0);
    ck_assert_str_eq(get_file("/disk/z/b/g", &err), "new");
    struct vfs_stat st;
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0); /* the open file too */
    ck_assert_uint_eq(st.size, 6);
    vfs_close(&ctx, fd);
    /* a sibling whose name merely starts the same is left alone */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/zz", 0755), 0);
    ck_assert_int_eq(vfs_chdir(&ctx, "/disk/zz"), 0);
    ck_assert_int_eq(vfs_rename(&ctx, "/disk/z", "/disk/y"), 0);
    ck_assert_int_eq(put_file("h", "x"), 0);
    ck_assert_str_eq(get_file("/disk/zz/h", &err), "x");
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
}
END_TEST

START_TEST(test_mount_refuses_bad_disks)
{
    ck_assert_int_eq(vfs_umount(&ctx, "/disk"), 0);
    memset(disk, 0, 4096); /* wipe the superblock: not SFS any more */
    disk[100] = 1;
    ck_assert_int_eq(vfs_mount(&ctx, "/disk", "sfs", &rd.bdev), -EMEDIUMTYPE);
    ck_assert_int_eq(sfs_vfs_blank(&rd.bdev), 0); /* never formatted automatically */
    ck_assert_int_eq(vfs_mount(&ctx, "/disk", "sfs", NULL), -ENODEV);
    rd.fail_reads_after = 0;
    ck_assert_int_lt(sfs_vfs_blank(&rd.bdev), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/disk", "sfs", &rd.bdev), -EIO);
}
END_TEST

static void statfs_of(const char *path, struct vfs_statfs *sf)
{
    ck_assert_int_eq(vfs_statfs(&ctx, path, sf), 0);
}

/* Create and remove a file once, so the root directory has the slot and block
 * a later file needs: free counts then return exactly to where they were. */
static void warm_up(void)
{
    ck_assert_int_eq(put_file("/disk/warm-up", "x"), 0);
    ck_assert_int_eq(vfs_unlink(&ctx, "/disk/warm-up"), 0);
}

START_TEST(test_one_vnode_per_inode)
{
    ck_assert_int_eq(put_file("/disk/a", "a"), 0);
    ck_assert_int_eq(vfs_link(&ctx, "/disk/a", "/disk/b"), 0);
    struct vnode *x, *y, *z;
    ck_assert_int_eq(vfs_resolve(&ctx, "/disk/a", true, &x), 0);
    ck_assert_int_eq(vfs_resolve(&ctx, "/disk/a", true, &y), 0);
    ck_assert_int_eq(vfs_resolve(&ctx, "/disk/b", true, &z), 0);
    ck_assert_ptr_eq(x, y);
    ck_assert_ptr_eq(x, z); /* a hard link is the same inode, so the same vnode */
    ck_assert_uint_eq(x->refs, 3);
    struct vnode *r1, *r2;
    ck_assert_int_eq(vfs_resolve(&ctx, "/disk", true, &r1), 0);
    ck_assert_int_eq(vfs_resolve(&ctx, "/disk/.", true, &r2), 0);
    ck_assert_ptr_eq(r1, r2);
    ck_assert_ptr_eq(r1, r1->mnt->root);
    vnode_put(r1);
    vnode_put(r2);
    vnode_put(x);
    vnode_put(y);
    vnode_put(z);
}
END_TEST

START_TEST(test_rename_over_an_open_file)
{
    int err;
    int fd = vfs_open(&ctx, "/disk/log", VFS_O_RDWR | VFS_O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "old contents", 12), 12);
    ck_assert_int_eq(put_file("/disk/new", "n"), 0);
    ck_assert_int_eq(vfs_rename(&ctx, "/disk/new", "/disk/log"), 0);
    /* the descriptor still names the old, now nameless, file */
    struct vfs_stat st;
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0);
    ck_assert_uint_eq(st.size, 12);
    ck_assert_uint_eq(st.nlink, 0);
    ck_assert_int_eq(vfs_ftruncate(&ctx, fd, 3), 0);
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0);
    ck_assert_uint_eq(st.size, 3);
    char buf[16] = { 0 };
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, sizeof(buf), 0), 3);
    ck_assert_str_eq(buf, "old");
    /* and the name's new file was left alone */
    ck_assert_str_eq(get_file("/disk/log", &err), "n");
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/log", &st), 0);
    ck_assert_uint_eq(st.size, 1);
    ck_assert_uint_eq(st.nlink, 1);
    vfs_close(&ctx, fd);
}
END_TEST

START_TEST(test_append_after_rename_appends_to_the_open_file)
{
    int err;
    int fd = vfs_open(&ctx, "/disk/log", VFS_O_WRONLY | VFS_O_CREAT | VFS_O_APPEND, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "abc", 3), 3);
    int rfd = vfs_open(&ctx, "/disk/log", VFS_O_RDONLY, 0);
    ck_assert_int_ge(rfd, 0);
    ck_assert_int_eq(put_file("/disk/new", "0123456789"), 0);
    ck_assert_int_eq(vfs_rename(&ctx, "/disk/new", "/disk/log"), 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "de", 2), 2);
    char buf[32] = { 0 };
    ck_assert_int_eq(vfs_pread(&ctx, rfd, buf, sizeof(buf), 0), 5);
    ck_assert_str_eq(buf, "abcde");
    ck_assert_str_eq(get_file("/disk/log", &err), "0123456789");
    vfs_close(&ctx, fd);
    vfs_close(&ctx, rfd);
}
END_TEST

START_TEST(test_unlinked_open_file_lives_until_its_last_close)
{
    static char data[40000], back[40000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)('a' + i % 23);
    warm_up();
    struct vfs_statfs before, sf;
    statfs_of("/disk", &before);
    int fd = vfs_open(&ctx, "/disk/u", VFS_O_RDWR | VFS_O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, data, sizeof(data)), sizeof(data));
    int fd2 = vfs_open(&ctx, "/disk/u", VFS_O_RDONLY, 0);
    ck_assert_int_ge(fd2, 0);
    ck_assert_int_eq(vfs_unlink(&ctx, "/disk/u"), 0);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_stat(&ctx, "/disk/u", &st), -ENOENT);
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0);
    ck_assert_uint_eq(st.nlink, 0);
    ck_assert_uint_eq(st.size, sizeof(data));
    ck_assert_int_eq(vfs_write(&ctx, fd, "tail", 4), 4);
    ck_assert_int_eq(vfs_pread(&ctx, fd2, back, sizeof(back), 0), sizeof(back));
    ck_assert_mem_eq(back, data, sizeof(data));
    ck_assert_int_eq(vfs_ftruncate(&ctx, fd, 5000), 0);
    ck_assert_int_eq(vfs_fstat(&ctx, fd2, &st), 0);
    ck_assert_uint_eq(st.size, 5000);
    statfs_of("/disk", &sf);
    ck_assert_uint_lt(sf.blocks_free, before.blocks_free);
    ck_assert_uint_eq(sf.files_free, before.files_free - 1);
    vfs_close(&ctx, fd);
    /* one descriptor left: still there */
    ck_assert_int_eq(vfs_pread(&ctx, fd2, back, 10, 4990), 10);
    ck_assert_mem_eq(back, data + 4990, 10);
    statfs_of("/disk", &sf);
    ck_assert_uint_eq(sf.files_free, before.files_free - 1);
    vfs_close(&ctx, fd2);
    /* the last close gives everything back */
    statfs_of("/disk", &sf);
    ck_assert_uint_eq(sf.blocks_free, before.blocks_free);
    ck_assert_uint_eq(sf.files_free, before.files_free);
}
END_TEST

START_TEST(test_removed_cwd_is_not_its_successor)
{
    int err;
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/d", 0755), 0);
    ck_assert_int_eq(vfs_chdir(&ctx, "/disk/d"), 0);
    ck_assert_int_eq(vfs_rmdir(&ctx, "/disk/d"), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/disk/d", 0755), 0);
    /* the working directory is the removed one, not the new /disk/d */
    ck_assert_int_eq(put_file("f", "x"), -ENOENT);
    get_file("/disk/d/f", &err);
    ck_assert_int_eq(err, -ENOENT);
    ck_assert_int_eq(vfs_chdir(&ctx, "/"), 0);
}
END_TEST

/* A copy of the disk taken now is what a power cut would leave. */
static uint8_t *snapshot(void)
{
    uint8_t *copy = malloc((size_t)DISK_BLOCKS * 512);
    memcpy(copy, disk, (size_t)DISK_BLOCKS * 512);
    return copy;
}

START_TEST(test_open_unlinked_file_survives_a_crash_as_an_orphan)
{
    static char data[20000];
    memset(data, 'o', sizeof(data));
    warm_up();
    struct vfs_statfs before, sf;
    statfs_of("/disk", &before);
    int fd = vfs_open(&ctx, "/disk/orphan", VFS_O_RDWR | VFS_O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, data, sizeof(data)), sizeof(data));
    ck_assert_int_eq(vfs_unlink(&ctx, "/disk/orphan"), 0);
    ck_assert_int_eq(vfs_fsync(&ctx, fd), 0);
    uint8_t *crashed = snapshot();
    /* the running system goes on using the file */
    ck_assert_int_eq(vfs_write(&ctx, fd, "more", 4), 4);
    /* the crashed copy mounts with the orphan gone and checks clean */
    struct ramdisk rd2;
    ck_assert_int_eq(ramdisk_init(&rd2, "rd1", crashed, 512, DISK_BLOCKS), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/crash", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/crash", "sfs", &rd2.bdev), 0);
    statfs_of("/crash", &sf);
    ck_assert_uint_eq(sf.blocks_free, before.blocks_free);
    ck_assert_uint_eq(sf.files_free, before.files_free);
    ck_assert_int_eq(vfs_umount(&ctx, "/crash"), 0);
    ck_assert_int_eq(sfs_vfs_check(&rd2.bdev, NULL, NULL), 0);
    free(crashed);
    /* the live file is intact until its close */
    char back[8] = { 0 };
    ck_assert_int_eq(vfs_pread(&ctx, fd, back, 4, sizeof(data)), 4);
    ck_assert_str_eq(back, "more");
    vfs_close(&ctx, fd);
    statfs_of("/disk", &sf);
    ck_assert_uint_eq(sf.blocks_free, before.blocks_free);
    ck_assert_uint_eq(sf.files_free, before.files_free);
}
END_TEST

START_TEST(test_mkfs_and_a_second_mount_refuse_a_mounted_disk)
{
    int err;
    ck_assert_int_eq(put_file("/disk/keep", "kept"), 0);
    ck_assert_int_eq(sfs_vfs_format(&rd.bdev), -EBUSY);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/again", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/again", "sfs", &rd.bdev), -EBUSY);
    ck_assert_str_eq(get_file("/disk/keep", &err), "kept");
    ck_assert_int_eq(vfs_umount(&ctx, "/disk"), 0);
    ck_assert_int_eq(sfs_vfs_format(&rd.bdev), 0); /* unmounted: fine */
    ck_assert_int_eq(vfs_mount(&ctx, "/again", "sfs", &rd.bdev), 0);
    get_file("/again/keep", &err);
    ck_assert_int_eq(err, -ENOENT);
    ck_assert_int_eq(sfs_vfs_format(NULL), -ENODEV);
    ck_assert_int_eq(sfs_vfs_check(NULL, NULL, NULL), -ENODEV);
}
END_TEST

/* A device that records whether the VFS lock was held on each call. */
static const struct block_ops *probe_inner;
static long probe_calls, probe_unlocked;

static void probe_note(void)
{
    probe_calls++;
    probe_unlocked += vfs_fixture_lock_depth() == 0;
}

static int probe_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
    probe_note();
    return probe_inner->read(dev, lba, count, buf);
}

static int probe_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
    probe_note();
    return probe_inner->write(dev, lba, count, buf);
}

static int probe_flush(struct block_device *dev)
{
    probe_note();
    return probe_inner->flush(dev);
}

static const struct block_ops probe_ops = { .read = probe_read,
                                            .write = probe_write,
                                            .flush = probe_flush };

static long report_lines;

static void report_line(void *c, const char *line)
{
    (void)c;
    (void)line;
    ck_assert_int_eq(vfs_fixture_lock_depth(), 0); /* free to use the VFS */
    struct vfs_stat st;
    ck_assert_int_eq(vfs_stat(&ctx, "/", &st), 0);
    report_lines++;
}

/* A second disk behind the probe, formatted and mounted on /p; its memory. */
static struct ramdisk rd2;
static struct block_device probe;

static uint8_t *mount_probe(void)
{
    uint8_t *mem = calloc(DISK_BLOCKS, 512);
    ck_assert_int_eq(ramdisk_init(&rd2, "rd1", mem, 512, DISK_BLOCKS), 0);
    probe = rd2.bdev;
    probe_inner = rd2.bdev.ops;
    probe.ops = &probe_ops;
    ck_assert_int_eq(sfs_vfs_format(&probe), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/p", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/p", "sfs", &probe), 0);
    return mem;
}

START_TEST(test_fsck_of_a_mounted_disk_checks_the_live_volume_under_the_lock)
{
    uint8_t *mem = mount_probe();
    /* an open, unlinked file: a second mount of the device would free it */
    int fd = vfs_open(&ctx, "/p/orphan", VFS_O_RDWR | VFS_O_CREAT, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "still here", 10), 10);
    ck_assert_int_eq(vfs_unlink(&ctx, "/p/orphan"), 0);
    probe_calls = probe_unlocked = 0;
    ck_assert_int_eq(sfs_vfs_check(&probe, report_line, NULL), 0);
    ck_assert_int_gt(probe_calls, 0);
    ck_assert_int_eq(probe_unlocked, 0);
    char buf[16] = { 0 };
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, sizeof(buf), 0), 10);
    ck_assert_str_eq(buf, "still here");
    vfs_close(&ctx, fd);
    ck_assert_int_eq(sfs_vfs_check(&probe, report_line, NULL), 0);
    ck_assert_int_eq(vfs_umount(&ctx, "/p"), 0);
    /* unmounted: checked by a mount of its own, still under the lock */
    probe_calls = probe_unlocked = 0;
    ck_assert_int_eq(sfs_vfs_check(&probe, report_line, NULL), 0);
    ck_assert_int_gt(probe_calls, 0);
    ck_assert_int_eq(probe_unlocked, 0);
    free(mem);
}
END_TEST

/* A large read of a file that is not in the cache lets the namespace lock go
 * while the device reads its blocks, unless another descriptor shares the
 * offset; the bytes are right either way. */
START_TEST(test_large_reads_let_the_lock_go_during_the_disk_wait)
{
    enum { N = 256 * 1024 };
    uint8_t *mem = mount_probe(), *data = malloc(N), *back = malloc(N);
    for (int i = 0; i < N; i++)
        data[i] = (uint8_t)(i * 7 + i / 4096);
    int fd = vfs_open(&ctx, "/p/big", VFS_O_RDWR | VFS_O_CREAT, 0644);
    ck_assert_int_eq(vfs_write(&ctx, fd, data, N), N);
    ck_assert_int_eq(vfs_close(&ctx, fd), 0);
    for (int shared = 0; shared < 2; shared++) {
        /* A cold cache: the volume is mounted again. */
        ck_assert_int_eq(vfs_umount(&ctx, "/p"), 0);
        ck_assert_int_eq(vfs_mount(&ctx, "/p", "sfs", &probe), 0);
        fd = vfs_open(&ctx, "/p/big", VFS_O_RDONLY, 0);
        ck_assert_int_ge(fd, 0);
        int other = shared ? vfs_dup(&ctx, fd) : -1;
        probe_calls = probe_unlocked = 0;
        memset(back, 0, N);
        ck_assert_int_eq(vfs_read(&ctx, fd, back, N), N);
        ck_assert_mem_eq(back, data, N);
        ck_assert_int_gt(probe_calls, 0);
        if (shared)
            ck_assert_int_eq(probe_unlocked, 0);
        else
            ck_assert_int_gt(probe_unlocked, 0);
        ck_assert_int_eq(vfs_umount(&ctx, "/p"), -EBUSY); /* open: the mount stays */
        ck_assert_int_eq(vfs_close(&ctx, fd), 0);
        if (other >= 0)
            ck_assert_int_eq(vfs_close(&ctx, other), 0);
    }
    ck_assert_int_eq(vfs_umount(&ctx, "/p"), 0);
    ck_assert_int_eq(vfs_fixture_lock_depth(), 0);
    free(mem);
    free(data);
    free(back);
}
END_TEST

static uint32_t le32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

START_TEST(test_fsck_reports_after_dropping_the_lock)
{
    ck_assert_int_eq(vfs_umount(&ctx, "/disk"), 0);
    /* mark the volume's last block used in the data bitmap: a leaked block */
    uint32_t bs = le32_at(disk + 8), total = le32_at(disk + 12), dbitmap = le32_at(disk + 28);
    uint32_t last = total - 1;
    uint8_t *map = disk + (uint64_t)(dbitmap + last / (8 * bs)) * bs;
    map[(last % (8 * bs)) / 8] |= (uint8_t)(1u << (last % 8));
    report_lines = 0;
    long r = sfs_vfs_check(&rd.bdev, report_line, NULL);
    ck_assert_int_gt(r, 0);
    ck_assert_int_eq(report_lines, r);
}
END_TEST

Suite *sfs_vfs_suite(void)
{
    Suite *s = suite_create("sfs_vfs");
    TCase *tc = tcase_create("sfs_vfs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_files_dirs_and_persistence);
    tcase_add_test(tc, test_readdir_and_errors);
    tcase_add_test(tc, test_file_times);
    tcase_add_test(tc, test_attributes_persist);
    tcase_add_test(tc, test_cwd_follows_a_renamed_directory);
    tcase_add_test(tc, test_mount_refuses_bad_disks);
    suite_add_tcase(s, tc);
    TCase *ti = tcase_create("sfs_vfs_inodes");
    tcase_add_checked_fixture(ti, setup, teardown);
    tcase_add_test(ti, test_one_vnode_per_inode);
    tcase_add_test(ti, test_rename_over_an_open_file);
    tcase_add_test(ti, test_append_after_rename_appends_to_the_open_file);
    tcase_add_test(ti, test_unlinked_open_file_lives_until_its_last_close);
    tcase_add_test(ti, test_removed_cwd_is_not_its_successor);
    tcase_add_test(ti, test_open_unlinked_file_survives_a_crash_as_an_orphan);
    tcase_add_test(ti, test_mkfs_and_a_second_mount_refuse_a_mounted_disk);
    tcase_add_test(ti, test_fsck_of_a_mounted_disk_checks_the_live_volume_under_the_lock);
    tcase_add_test(ti, test_large_reads_let_the_lock_go_during_the_disk_wait);
    tcase_add_test(ti, test_fsck_reports_after_dropping_the_lock);
    suite_add_tcase(s, ti);
    return s;
}
