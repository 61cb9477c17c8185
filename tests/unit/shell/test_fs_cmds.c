/*
 * test_fs_cmds.c - the file commands (shell/cmd_fs.c) over a ramfs root, a
 * devfs and an SFS RAM disk, run through shell_execute() with the output
 * captured.
 */
#include "cpu_mock.h"
#include "suites.h"
#include <k/errno.h>
#include <dev/ramdisk.h>
#include <shell/fs_cmds.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vfs/devfs.h>
#include <vfs/ramfs.h>
#include <vfs/sfs_vfs.h>

static struct shell sh;
static struct vfs_ctx vctx;
static struct shell_env env;
static char out[65536];
static size_t outlen;
static uint8_t *disk;
static struct ramdisk rd;
static long live;

static void *t_alloc(size_t n)
{
    live++;
    return malloc(n);
}

static void t_free(void *p)
{
    live--;
    free(p);
}

static void term_write(void *ctx, const char *buf, size_t n)
{
    (void)ctx;
    if (outlen + n < sizeof(out)) {
        memcpy(out + outlen, buf, n);
        outlen += n;
        out[outlen] = '\0';
    }
}

static const struct shell_io_ops io = { .write = term_write };

/* Run a line; return what it printed. */
static const char *run(const char *line)
{
    outlen = 0;
    out[0] = '\0';
    shell_execute(&sh, line);
    return out;
}

static void setup(void)
{
    cpu_mock_reset();
    live = 0;
    struct vfs_config cfg = { .alloc = t_alloc, .free = t_free };
    REQUIRE(vfs_init(&cfg) == 0);
    vfs_register_fs(&ramfs_type);
    vfs_register_fs(&devfs_type);
    vfs_register_fs(&sfs_vfs_type);
    REQUIRE(vfs_mount_root(&vctx, "ramfs", NULL) == 0);
    disk = calloc(4096, 512);
    REQUIRE(ramdisk_init(&rd, "rd0", disk, 512, 4096) == 0);
    REQUIRE(blockdev_register(&rd.bdev) == 0);
    REQUIRE(sfs_vfs_format(&rd.bdev) == 0);
    vfs_mkdir(&vctx, "/dev", 0755);
    vfs_mkdir(&vctx, "/disk", 0755);
    REQUIRE(vfs_mount(&vctx, "/dev", "devfs", NULL) == 0);
    env.vfs = &vctx;
    struct shell_config sc = { .io = &io,
                               .ctx = &env,
                               .prompt = shell_fs_prompt,
                               .complete_path = shell_fs_complete,
                               .open_output = shell_fs_open_output };
    REQUIRE(shell_init(&sh, &sc) == 0);
    REQUIRE(shell_fs_register(&sh) == 0);
}

static void teardown(void)
{
    vfs_ctx_release(&vctx);
    REQUIRE(vfs_umount_all() == 0);
    blockdev_unregister(&rd.bdev);
    free(disk);
    REQUIRE(live == 0);
}

START_TEST(test_write_cat_and_redirection)
{
    ck_assert_str_eq(run("write /f hello world"), "");
    ck_assert_str_eq(run("cat /f"), "hello world\n");
    ck_assert_str_eq(run("echo one > /g; echo two >> /g; cat /g"), "one\ntwo\n");
    ck_assert_str_eq(run("cat /f /g"), "hello world\none\ntwo\n");
    ck_assert_str_eq(run("cat /missing"), "cat: /missing: No such file or directory\n");
    ck_assert_str_eq(run("cat"), "usage: cat FILE...\n");
    ck_assert_str_eq(run("echo x > /dev"), "sh: /dev: Is a directory\n");
    ck_assert_str_eq(run("write"), "usage: write FILE [WORD]...\n");
    ck_assert_str_eq(run("write /nodir/f x"), "write: /nodir/f: No such file or directory\n");
    ck_assert_str_eq(run("write /dev x"), "write: /dev: Is a directory\n");
    ck_assert_str_eq(run("echo to-null > /dev/null; cat /dev/null"), "");
}
END_TEST

START_TEST(test_ls_cd_pwd_and_prompt)
{
    run("mkdir /d; touch /d/b /d/a /d/.hidden");
    ck_assert_str_eq(run("ls /d"), "a\nb\n");
    ck_assert_str_eq(run("ls -a /d"), ".\n..\n.hidden\na\nb\n");
    const char *l = run("ls -l /d/a");
    ck_assert_ptr_nonnull(strstr(l, "-rw-r--r--   1          0 /d/a"));
    ck_assert_ptr_nonnull(strstr(run("ls -la /d"), "drwxr-xr-x"));
    ck_assert_str_eq(run("ls /d/a /d"), "/d/a\n/d:\na\nb\n");
    ck_assert_str_eq(run("ls -x"), "ls: unknown option -x\nusage: ls [-l] [-a] [PATH]...\n");
    ck_assert_str_eq(run("ls /none"), "ls: /none: No such file or directory\n");
    ck_assert_str_eq(run("cd /d; pwd"), "/d\n");
    ck_assert_str_eq(run("ls"), "a\nb\n");
    char prompt[64];
    shell_fs_prompt(&env, prompt, sizeof(prompt));
    ck_assert_str_eq(prompt, "/d $ ");
    ck_assert_str_eq(run("cd; pwd"), "/\n");
    ck_assert_str_eq(run("cd /d/a"), "cd: /d/a: Not a directory\n");
    ck_assert_str_eq(run("cd a b"), "usage: cd [DIR]\n");
    run("ln -s /d/a /sl");
    ck_assert_ptr_nonnull(strstr(run("ls -l /sl"), "/sl -> /d/a"));
}
END_TEST

START_TEST(test_ls_sorts_and_copes_with_huge_directories)
{
    run("mkdir /big");
    char cmd[64];
    for (int i = 599; i >= 0; i--) { /* more names than ls sorts: still all listed */
        snprintf(cmd, sizeof(cmd), "touch /big/f%03d", i);
        run(cmd);
    }
    const char *out_ls = run("ls /big");
    int lines = 0;
    for (const char *p = out_ls; *p; p++)
        lines += *p == '\n';
    ck_assert_int_eq(lines, 600);
    ck_assert_ptr_nonnull(strstr(out_ls, "f000\n"));
    ck_assert_ptr_nonnull(strstr(out_ls, "f599\n"));
    run("rm -r /big; mkdir /s; touch /s/zeta /s/Alpha /s/beta /s/alpha");
    ck_assert_str_eq(run("ls /s"), "Alpha\nalpha\nbeta\nzeta\n");
}
END_TEST

START_TEST(test_mkdir_rmdir_rm)
{
    ck_assert_str_eq(run("mkdir -p /a/b/c"), "");
    ck_assert_str_eq(run("mkdir -p /a/b/c"), ""); /* exists: fine with -p */
    ck_assert_str_eq(run("mkdir /a"), "mkdir: /a: File exists\n");
    ck_assert_str_eq(run("mkdir"), "usage: mkdir [-p] DIR...\n");
    run("touch /a/file");
    ck_assert_str_eq(run("mkdir -p /a/file/x"), "mkdir: /a/file: Not a directory\n");
    ck_assert_str_eq(run("rmdir /a"), "rmdir: /a: Directory not empty\n");
    ck_assert_str_eq(run("rmdir"), "usage: rmdir DIR...\n");
    ck_assert_str_eq(run("rm /a"), "rm: /a: is a directory (use rm -r)\n");
    ck_assert_str_eq(run("rm /zz"), "rm: /zz: No such file or directory\n");
    ck_assert_str_eq(run("rm -f /zz"), "");
    ck_assert_str_eq(run("rm"), "usage: rm [-r] [-f] PATH...\n");
    ck_assert_str_eq(run("rm -r /a; ls /"), "dev\ndisk\n");
    ck_assert_str_eq(run("rm -r //"), "rm: refusing to remove the root directory\n");
    ck_assert_str_eq(run("rmdir /disk"), "");
}
END_TEST

START_TEST(test_mv_cp_ln_stat)
{
    run("mkdir /d; write /f data");
    ck_assert_str_eq(run("cp /f /d; cat /d/f"), "data\n");
    ck_assert_str_eq(run("cp /f /g; cat /g"), "data\n");
    ck_assert_str_eq(run("cp /f /f"), "cp: /f and /f are the same file\n");
    ck_assert_str_eq(run("cp /d /x"), "cp: /d: Is a directory\n");
    ck_assert_str_eq(run("cp /nope /x"), "cp: /nope: No such file or directory\n");
    ck_assert_str_eq(run("cp /f /nodir/x"), "cp: /nodir/x: No such file or directory\n");
    ck_assert_str_eq(run("cp /f"), "usage: cp FROM TO\n");
    ck_assert_str_eq(run("mv /g /d; cat /d/g"), "data\n");
    ck_assert_str_eq(run("mv /d/g /h; cat /h"), "data\n");
    ck_assert_str_eq(run("mv /nope /x"), "mv: /nope: No such file or directory\n");
    ck_assert_str_eq(run("mv /h"), "usage: mv FROM TO\n");
    ck_assert_str_eq(run("ln /f /hard; ln -s /f /soft; cat /soft"), "data\n");
    ck_assert_str_eq(run("ln /f /hard"), "ln: /hard: File exists\n");
    ck_assert_str_eq(run("ln /missing /x"), "ln: /missing: No such file or directory\n");
    ck_assert_str_eq(run("ln /f"), "usage: ln [-s] TARGET LINK\n");
    const char *st = run("stat /hard");
    ck_assert_ptr_nonnull(strstr(st, "Links: 2"));
    ck_assert_ptr_nonnull(strstr(st, "Type: file"));
    ck_assert_ptr_nonnull(strstr(run("stat /soft"), "Type: symlink"));
    ck_assert_str_eq(run("stat /x"), "stat: /x: No such file or directory\n");
    ck_assert_str_eq(run("stat"), "usage: stat PATH...\n");
    ck_assert_str_eq(run("touch"), "usage: touch FILE...\n");
    ck_assert_str_eq(run("touch /nodir/x"), "touch: /nodir/x: No such file or directory\n");
}
END_TEST

START_TEST(test_hexdump_crc32_tree)
{
    run("write /f hello world");
    ck_assert_str_eq(run("crc32 /f"), "af083b2d  /f\n"); /* zlib.crc32(b"hello world\n") */
    ck_assert_str_eq(run("crc32 /none"), "crc32: /none: No such file or directory\n");
    ck_assert_str_eq(run("crc32"), "usage: crc32 FILE...\n");
    char line[720];
    memset(line, 'a', sizeof(line));
    memcpy(line, "write /big ", 11);
    line[11 + 700] = '\0';
    run(line); /* 701 bytes: the CRC chains across two reads */
    ck_assert_str_eq(run("crc32 /big"), "a6c554a3  /big\n"); /* zlib.crc32(b"a" * 700 + b"\n") */
    ck_assert_str_eq(run("hexdump /f"),
                     "00000000  68 65 6c 6c 6f 20 77 6f  72 6c 64 0a              |hello world.|\n"
                     "0000000c\n");
    ck_assert_str_eq(run("hexdump"), "usage: hexdump FILE\n");
    run("mkdir -p /t/a/b; touch /t/a/b/x /t/y");
    ck_assert_str_eq(run("tree /t"),
                     "/t\n|-- a/\n|   |-- b/\n|   |   |-- x\n|-- y\n\n2 directories, 2 files\n");
    ck_assert_str_eq(run("tree /t/y"), "tree: /t/y: Not a directory\n");
    ck_assert_str_eq(run("tree /nope"), "tree: /nope: No such file or directory\n");
    ck_assert_str_eq(run("tree a b"), "usage: tree [DIR]\n");
}
END_TEST

START_TEST(test_mount_umount_df_sync)
{
    ck_assert_str_eq(run("mount"), "ramfs on /\ndevfs on /dev\n");
    ck_assert_str_eq(run("mount sfs /dev/rd0 /disk"), "");
    ck_assert_str_eq(run("write /disk/f on disk; cat /disk/f"), "on disk\n");
    ck_assert_ptr_nonnull(strstr(run("df"), "sfs"));
    ck_assert_str_eq(run("sync"), "");
    ck_assert_str_eq(run("cd /disk; umount /disk"), "umount: /disk: Device or resource busy\n");
    ck_assert_str_eq(run("cd /; umount /disk"), "");
    ck_assert_str_eq(run("umount /disk"), "umount: /disk: not a mount point\n");
    ck_assert_str_eq(run("umount"), "usage: umount DIR\n");
    ck_assert_str_eq(run("mount sfs /dev/nope /disk"), "mount: /dev/nope: No such device\n");
    ck_assert_str_eq(run("mount zfs x /disk"), "mount: unknown file-system type zfs\n");
    ck_assert_str_eq(run("mount ramfs x /none"), "mount: /none: No such file or directory\n");
    ck_assert_str_eq(run("mount ramfs x"), "usage: mount [TYPE SOURCE DIR]\n");
    ck_assert_str_eq(run("mount sfs rd0 /disk; cat /disk/f"), "on disk\n");
}
END_TEST

static struct shell_completions comp;
static char cands[16][64];

START_TEST(test_path_completion)
{
    run("mkdir -p /src/lib; touch /src/main.c /src/make.mk /src/.hidden");
    memset(&comp, 0, sizeof(comp));
    (void)cands;
    /* Drive completion through the editor: type a partial path and press Tab. */
    outlen = 0;
    shell_start(&sh);
    const char *typed = "ls /src/ma\t";
    for (const char *p = typed; *p; p++)
        shell_input_byte(&sh, (uint8_t)*p);
    ck_assert_ptr_nonnull(strstr(out, "ls /src/ma")); /* common prefix: no change yet */
    shell_input_byte(&sh, '\t');                      /* second Tab lists both */
    ck_assert_ptr_nonnull(strstr(out, "main.c"));
    ck_assert_ptr_nonnull(strstr(out, "make.mk"));
    shell_input_byte(&sh, 'i');
    shell_input_byte(&sh, '\t'); /* unique now: completed with a space */
    shell_input_byte(&sh, '\r');
    ck_assert_ptr_nonnull(strstr(out, "/src/main.c\n"));
    outlen = 0;
    for (const char *p = "cd /sr\t"; *p; p++)
        shell_input_byte(&sh, (uint8_t)*p);
    ck_assert_ptr_nonnull(strstr(out, "/src/")); /* a directory ends in '/' */
    shell_input_byte(&sh, '\r');
    outlen = 0;
    for (const char *p = "ls l\t\r"; *p; p++) /* relative to the new cwd */
        shell_input_byte(&sh, (uint8_t)*p);
    ck_assert_ptr_nonnull(strstr(out, "ls lib/"));
    outlen = 0;
    for (const char *p = "ls /none/x\t\r"; *p; p++) /* nothing to complete */
        shell_input_byte(&sh, (uint8_t)*p);
    ck_assert_ptr_nonnull(strstr(out, "No such file"));
}
END_TEST

START_TEST(test_redirect_failures_and_full_disk)
{
    ck_assert_str_eq(run("echo x > /nodir/f"), "sh: /nodir/f: No such file or directory\n");
    run("mount sfs /dev/rd0 /disk");
    /* fill the 2 MiB disk through the shell: the error is reported, nothing breaks */
    run("write /disk/seed 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    const char *r = "";
    for (int i = 0; i < 16 && !strstr(r, "No space"); i++)
        r = run("cp /disk/seed /disk/c1; cat /disk/seed /disk/seed /disk/seed /disk/seed "
                "/disk/seed /disk/seed /disk/seed /disk/seed >> /disk/seed");
    for (int i = 0; i < 6 && !strstr(r, "No space"); i++)
        r = run("cat /disk/seed >> /disk/seed2");
    ck_assert_ptr_nonnull(strstr(r, "No space left on device"));
    ck_assert_str_eq(run("echo still fine"), "still fine\n");
}
END_TEST

Suite *fs_cmds_suite(void)
{
    Suite *s = suite_create("fs_cmds");
    TCase *tc = tcase_create("fs_cmds");
    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_write_cat_and_redirection);
    tcase_add_test(tc, test_ls_cd_pwd_and_prompt);
    tcase_add_test(tc, test_ls_sorts_and_copes_with_huge_directories);
    tcase_add_test(tc, test_mkdir_rmdir_rm);
    tcase_add_test(tc, test_mv_cp_ln_stat);
    tcase_add_test(tc, test_hexdump_crc32_tree);
    tcase_add_test(tc, test_mount_umount_df_sync);
    tcase_add_test(tc, test_path_completion);
    tcase_add_test(tc, test_redirect_failures_and_full_disk);
    suite_add_tcase(s, tc);
    return s;
}
