/*
 * test_devfs.c - /dev over libdev's RAM disk and a captured console.
 */
#include "cpu_mock.h"
#include "vfs_test.h"
#include <k/console.h>
#include <k/errno.h>
#include <dev/ramdisk.h>
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
    ck_assert_str_eq(all, ". .. console null zero ram0 ");
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

Suite *devfs_suite(void)
{
    Suite *s = suite_create("devfs");
    TCase *tc = tcase_create("devfs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_listing);
    tcase_add_test(tc, test_null_zero_console);
    tcase_add_test(tc, test_block_device_bytes);
    suite_add_tcase(s, tc);
    return s;
}
