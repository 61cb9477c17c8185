/*
 * test_devfs.c - /dev over libdev's RAM disk and a captured console.
 */
#include "cpu_mock.h"
#include "vfs_test.h"
#include <k/console.h>
#include <k/errno.h>
#include <dev/ramdisk.h>
#include <dev/tty.h>
#include <vfs/devfs.h>
#include <string.h>

Suite *devfs_suite(void);

static uint8_t disk_mem[8 * 512];
static struct ramdisk rd;
static char out[256];
static size_t outlen;
static const char *input;

static void cap_write(void *c, const char *s, size_t n)
{
    (void)c;
    memcpy(out + outlen, s, n);
    outlen += n;
}

static int cap_getc(void *c)
{
    (void)c;
    return *input ? (unsigned char)*input++ : -EAGAIN;
}

static const struct console_ops cap_ops = { .write = cap_write, .getc = cap_getc };

static void setup(void)
{
    vfs_fixture_setup();
    console_reset();
    console_register("cap", &cap_ops, NULL);
    outlen = 0;
    input = "";
    memset(disk_mem, 0, sizeof(disk_mem));
    ck_assert_int_eq(ramdisk_init(&rd, "ram0", disk_mem, 512, 8), 0);
    ck_assert_int_eq(blockdev_register(&rd.bdev), 0);
    vfs_mkdir(&ctx, "/dev", 0755);
    ck_assert_int_eq(vfs_mount(&ctx, "/dev", "devfs", NULL), 0);
}

static void teardown(void)
{
    devfs_set_tty(NULL);
    devfs_set_random(NULL);
    vfs_fixture_teardown();
    blockdev_unregister(&rd.bdev);
    console_reset();
}

START_TEST(test_listing)
{
    int fd = vfs_open(&ctx, "/dev", VFS_O_RDONLY, 0);
    struct vfs_dirent de;
    char all[128] = "";
    while (vfs_readdir(&ctx, fd, &de) == 1) {
        strcat(all, de.name);
        strcat(all, " ");
    }
    vfs_close(&ctx, fd);
    ck_assert_str_eq(all, ". .. console null zero tty random urandom ram0 ");
    struct vfs_stat st;
    ck_assert_int_eq(vfs_stat(&ctx, "/dev/ram0", &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_BLOCKDEV);
    ck_assert_uint_eq(st.size, 4096);
    ck_assert_int_eq(vfs_stat(&ctx, "/dev/nope", &st), -ENOENT);
    ck_assert_int_eq(vfs_stat(&ctx, "/dev/..", &st), 0);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/dev/x", 0755), -EPERM);
}
END_TEST

START_TEST(test_null_zero_console)
{
    int err;
    ck_assert_str_eq(get_file("/dev/null", &err), "");
    ck_assert_int_eq(put_file("/dev/null", "gone"), 0);
    int fd = vfs_open(&ctx, "/dev/zero", VFS_O_RDWR, 0);
    char buf[8];
    memset(buf, 1, sizeof(buf));
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, 8), 8);
    ck_assert_int_eq(buf[0] | buf[7], 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, "x", 1), 1);
    vfs_close(&ctx, fd);
    ck_assert_int_eq(put_file("/dev/console", "to the screen"), 0);
    out[outlen] = '\0';
    ck_assert_str_eq(out, "to the screen");
    input = "typed";
    ck_assert_str_eq(get_file("/dev/console", &err), "typed");
}
END_TEST

START_TEST(test_block_device_bytes)
{
    int fd = vfs_open(&ctx, "/dev/ram0", VFS_O_RDWR, 0);
    ck_assert_int_ge(fd, 0);
    /* an unaligned write across a block boundary: read-modify-write */
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 510, VFS_SEEK_SET), 510);
    ck_assert_int_eq(vfs_write(&ctx, fd, "ABCD", 4), 4);
    ck_assert_int_eq(memcmp(disk_mem + 510, "ABCD", 4), 0);
    /* whole blocks */
    static uint8_t blocks[1024];
    memset(blocks, 0x5a, sizeof(blocks));
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 1024, VFS_SEEK_SET), 1024);
    ck_assert_int_eq(vfs_write(&ctx, fd, blocks, sizeof(blocks)), 1024);
    ck_assert_int_eq(disk_mem[1024], 0x5a);
    ck_assert_int_eq(disk_mem[2047], 0x5a);
    char buf[8];
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, 4, 510), 4);
    ck_assert_int_eq(memcmp(buf, "ABCD", 4), 0);
    /* the end of the device */
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, 8, 4092), 4);
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, 8, 4096), 0);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 4096, VFS_SEEK_SET), 4096);
    ck_assert_int_eq(vfs_write(&ctx, fd, "x", 1), -ENOSPC);
    ck_assert_int_eq(vfs_fsync(&ctx, fd), 0);
    ck_assert_uint_eq(rd.flushes, 1);
    ck_assert_int_eq(vfs_ftruncate(&ctx, fd, 0), -EINVAL);
    /* device errors come back as errors */
    rd.fail_reads_after = 0;
    ck_assert_int_eq(vfs_pread(&ctx, fd, buf, 4, 0), -EIO);
    vfs_close(&ctx, fd);
}
END_TEST

static void fill_sevens(void *buf, size_t n)
{
    memset(buf, 7, n);
}

START_TEST(test_random)
{
    char buf[16];
    int fd = vfs_open(&ctx, "/dev/urandom", VFS_O_RDWR, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, sizeof(buf)), -ENXIO); /* no generator */
    devfs_set_random(fill_sevens);
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, sizeof(buf)), 16);
    ck_assert_int_eq(buf[0] + buf[15], 14);
    ck_assert_int_eq(vfs_write(&ctx, fd, "seed", 4), 4);
    vfs_close(&ctx, fd);
    fd = vfs_open(&ctx, "/dev/random", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_read(&ctx, fd, buf, 3), 3);
    vfs_close(&ctx, fd);
}
END_TEST

static int tty_wait(void *c, bool (*ready)(void *), void *arg, uint32_t timeout_ms)
{
    (void)c;
    (void)timeout_ms;
    return ready(arg) ? 0 : -EINTR;
}

static void tty_out(void *c, const char *s, size_t n)
{
    cap_write(c, s, n);
}

START_TEST(test_console_and_tty_are_the_terminal)
{
    static const struct tty_ops ops = { .output = tty_out, .wait = tty_wait };
    static struct tty t;
    tty_init(&t, &ops, NULL, NULL, NULL);
    int fd = vfs_open(&ctx, "/dev/console", VFS_O_RDWR, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_ptr_null(devfs_tty(ctx.fds[fd]->vn)); /* looked up before the tty was set */
    vfs_close(&ctx, fd);
    devfs_set_tty(&t);
    fd = vfs_open(&ctx, "/dev/console", VFS_O_RDWR, 0);
    int fd2 = vfs_open(&ctx, "/dev/tty", VFS_O_RDWR, 0);
    ck_assert_ptr_eq(devfs_tty(ctx.fds[fd]->vn), &t);
    ck_assert_ptr_eq(devfs_tty(ctx.fds[fd2]->vn), &t);
    ck_assert(!devfs_is_dev_tty(ctx.fds[fd]->vn));
    ck_assert(devfs_is_dev_tty(ctx.fds[fd2]->vn));
    ck_assert_int_eq(vfs_write(&ctx, fd, "a\n", 2), 2);
    out[outlen] = '\0';
    ck_assert_str_eq(out, "a\r\n"); /* through the line discipline */
    tty_receive(&t, 'x');
    tty_receive(&t, '\r');
    char buf[8];
    ck_assert_int_eq(vfs_read(&ctx, fd2, buf, sizeof(buf)), 2);
    ck_assert_int_eq(memcmp(buf, "x\n", 2), 0);
    ck_assert_int_eq(vfs_read(&ctx, fd2, buf, sizeof(buf)), -EINTR); /* it would sleep */
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, VFS_SEEK_SET), -ESPIPE);
    struct vfs_stat st;
    ck_assert_int_eq(vfs_fstat(&ctx, fd, &st), 0);
    ck_assert_uint_eq(st.type, VFS_TYPE_CHARDEV);
    vfs_close(&ctx, fd);
    vfs_close(&ctx, fd2);
    ck_assert_int_eq(put_file("/dev/tty", "ok"), 0); /* O_TRUNC on a terminal is fine */
    ck_assert_ptr_null(devfs_tty(NULL));
    int z = vfs_open(&ctx, "/dev/zero", VFS_O_RDONLY, 0);
    ck_assert_ptr_null(devfs_tty(ctx.fds[z]->vn));
    ck_assert(!devfs_is_dev_tty(ctx.fds[z]->vn));
    vfs_close(&ctx, z);
}
END_TEST

/* A block device that records whether the VFS lock was held when it was called. */
static int spy_calls, spy_locked;

static int spy_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
    (void)dev;
    spy_calls++;
    spy_locked += vfs_fixture_lock_depth();
    return rd.bdev.ops->read(&rd.bdev, lba, count, buf);
}

static int spy_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
    (void)dev;
    spy_calls++;
    spy_locked += vfs_fixture_lock_depth();
    return rd.bdev.ops->write(&rd.bdev, lba, count, buf);
}

START_TEST(test_block_device_io_runs_without_the_vfs_lock)
{
    static const struct block_ops spy_ops = { .read = spy_read, .write = spy_write };
    struct block_device spy = {
        .ops = &spy_ops, .name = "spy0", .block_size = 512, .block_count = 8
    };
    ck_assert_int_eq(blockdev_register(&spy), 0);
    spy_calls = spy_locked = 0;
    int fd = vfs_open(&ctx, "/dev/spy0", VFS_O_RDWR, 0);
    ck_assert_int_ge(fd, 0);
    static uint8_t blk[1024];
    memset(blk, 0x3c, sizeof(blk));
    ck_assert_int_eq(vfs_write(&ctx, fd, blk, 1024), 1024);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, VFS_SEEK_CUR), 1024); /* the offset moved */
    ck_assert_int_eq(vfs_pwrite(&ctx, fd, blk, 512, 2048), 512);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, VFS_SEEK_SET), 0);
    memset(blk, 0, sizeof(blk));
    ck_assert_int_eq(vfs_read(&ctx, fd, blk, 1024), 1024);
    ck_assert_int_eq(blk[0] & blk[1023], 0x3c);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, VFS_SEEK_CUR), 1024);
    ck_assert_int_eq(vfs_pread(&ctx, fd, blk, 512, 2048), 512);
    ck_assert_int_eq(vfs_lseek(&ctx, fd, 0, VFS_SEEK_CUR), 1024); /* pread keeps it */
    ck_assert_int_eq(disk_mem[2048], 0x3c);
    vfs_close(&ctx, fd);
    /* Every device call came without the namespace lock: a disk wait must not
     * stall the rest of the file system. */
    ck_assert_int_ge(spy_calls, 4);
    ck_assert_int_eq(spy_locked, 0);
    /* But not where the lock keeps transfers whole: a shared offset, or part
     * of a block written back. */
    fd = vfs_open(&ctx, "/dev/spy0", VFS_O_RDWR, 0);
    int twin = vfs_dup(&ctx, fd);
    spy_calls = spy_locked = 0;
    ck_assert_int_eq(vfs_read(&ctx, fd, blk, 512), 512);
    ck_assert_int_eq(vfs_write(&ctx, twin, blk, 512), 512);
    ck_assert_int_eq(spy_locked, spy_calls);
    ck_assert_int_eq(vfs_pread(&ctx, fd, blk, 512, 0), 512); /* no offset: unlocked */
    ck_assert_int_eq(spy_locked, spy_calls - 1);
    vfs_close(&ctx, twin);
    spy_calls = spy_locked = 0;
    ck_assert_int_eq(vfs_pwrite(&ctx, fd, blk, 100, 600), 100); /* read, patch, write */
    ck_assert_int_eq(spy_calls, 2);
    ck_assert_int_eq(spy_locked, 2);
    ck_assert_int_eq(vfs_write(&ctx, fd, blk, 512), 512); /* alone again, whole */
    ck_assert_int_eq(spy_locked, 2);
    vfs_close(&ctx, fd);
    /* A write-only descriptor still cannot read, nor a read-only one write. */
    fd = vfs_open(&ctx, "/dev/spy0", VFS_O_WRONLY, 0);
    ck_assert_int_eq(vfs_read(&ctx, fd, blk, 512), -EBADF);
    ck_assert_int_eq(vfs_pread(&ctx, fd, blk, 512, 0), -EBADF);
    vfs_close(&ctx, fd);
    fd = vfs_open(&ctx, "/dev/spy0", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_write(&ctx, fd, blk, 512), -EBADF);
    ck_assert_int_eq(vfs_pwrite(&ctx, fd, blk, 512, 0), -EBADF);
    vfs_close(&ctx, fd);
    ck_assert_int_eq(blockdev_unregister(&spy), 0);
}
END_TEST

Suite *devfs_suite(void)
{
    Suite *s = suite_create("devfs");
    TCase *tc = tcase_create("devfs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_listing);
    tcase_add_test(tc, test_null_zero_console);
    tcase_add_test(tc, test_block_device_bytes);
    tcase_add_test(tc, test_block_device_io_runs_without_the_vfs_lock);
    tcase_add_test(tc, test_random);
    tcase_add_test(tc, test_console_and_tty_are_the_terminal);
    suite_add_tcase(s, tc);
    return s;
}
