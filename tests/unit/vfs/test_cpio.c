/*
 * test_cpio.c - the cpio newc reader and unpacker (vfs/cpio.h): archives built
 * here by a small writer, each kind of malformation, and a byte-flip fuzz.
 * Every test runs on the shared ramfs fixture, which checks for leaks.
 */
#include "vfs_test.h"
#include <k/errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vfs/cpio.h>
#include <vfs/ramfs.h>

Suite *cpio_suite(void);

#define FIELD_FILESIZE 6 /* header field indexes, after the 6-byte magic */
#define FIELD_NAMESIZE 11

/* An archive being written: a growable buffer. */
struct ar {
    uint8_t *buf;
    size_t len, cap;
    uint32_t ino;
};

static void ar_bytes(struct ar *a, const void *p, size_t n)
{
    if (a->len + n > a->cap) {
        a->cap = (a->len + n) * 2 + 256;
        a->buf = realloc(a->buf, a->cap);
        ck_assert_ptr_nonnull(a->buf);
    }
    memcpy(a->buf + a->len, p, n);
    a->len += n;
}

static void ar_pad(struct ar *a)
{
    static const uint8_t zeros[4];
    ar_bytes(a, zeros, (4 - a->len % 4) % 4);
}

/* Append one entry; namesize counts the NUL, as the format does. */
static void ar_add(struct ar *a, const char *name, uint32_t mode, const void *data, size_t size)
{
    char h[VFS_CPIO_HEADER_SIZE + 1];
    size_t namesize = strlen(name) + 1;
    snprintf(h, sizeof(h), "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", ++a->ino,
             mode, 0, 0, 1, 0, (unsigned)size, 0, 0, 0, 0, (unsigned)namesize, 0);
    ar_bytes(a, h, VFS_CPIO_HEADER_SIZE);
    ar_bytes(a, name, namesize);
    ar_pad(a);
    ar_bytes(a, data, size);
    ar_pad(a);
}

static void ar_file(struct ar *a, const char *name, const char *text)
{
    ar_add(a, name, 0100755, text, strlen(text));
}

static void ar_trailer(struct ar *a)
{
    ar_add(a, "TRAILER!!!", 0, "", 0);
}

/* The archive most tests use: bin/ with two programs, etc/ with a symlink. */
static struct ar sample(void)
{
    struct ar a = { 0 };
    ar_add(&a, ".", 040755, "", 0);
    ar_add(&a, "bin", 040755, "", 0);
    ar_file(&a, "bin/ls", "ELF ls");
    ar_add(&a, "bin/cat", 0100700, "ELF cat!", 8);
    ar_add(&a, "etc", 040700, "", 0);
    ar_file(&a, "etc/motd", "welcome\n");
    ar_add(&a, "etc/hello", 0120777, "motd", 4);
    ar_trailer(&a);
    return a;
}

static char reported[256];
static int reports;

static void report(void *rctx, const char *msg)
{
    (void)rctx;
    reports++;
    snprintf(reported, sizeof(reported), "%s", msg);
}

static int unpack(const struct ar *a, const char *dest, const char *subdir,
                  struct vfs_cpio_stats *st)
{
    reports = 0;
    reported[0] = '\0';
    return vfs_cpio_unpack(&ctx, dest, subdir, a->buf, a->len, st, report, NULL);
}

static uint32_t mode_of(const char *path)
{
    struct vfs_stat st;
    ck_assert_int_eq(vfs_lstat(&ctx, path, &st), 0);
    return st.mode;
}

START_TEST(test_unpack_everything)
{
    struct ar a = sample();
    struct vfs_cpio_stats st;
    ck_assert_int_eq(vfs_cpio_check(a.buf, a.len, NULL), 7);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/root", 0755), 0);
    ck_assert_int_eq(unpack(&a, "/root", NULL, &st), 0);
    ck_assert_int_eq(reports, 0);
    ck_assert_uint_eq(st.files, 3);
    ck_assert_uint_eq(st.dirs, 2); /* bin and etc; "." is the destination */
    ck_assert_uint_eq(st.symlinks, 1);
    int err;
    ck_assert_str_eq(get_file("/root/bin/ls", &err), "ELF ls");
    ck_assert_str_eq(get_file("/root/bin/cat", &err), "ELF cat!");
    ck_assert_str_eq(get_file("/root/etc/hello", &err), "welcome\n");
    ck_assert_uint_eq(mode_of("/root/bin/cat"), 0700);
    ck_assert_uint_eq(mode_of("/root/bin/ls"), 0755);
    ck_assert_uint_eq(mode_of("/root/etc"), 0700);
    char buf[16];
    ck_assert_int_eq(vfs_readlink(&ctx, "/root/etc/hello", buf, sizeof(buf)), 4);
    ck_assert_str_eq(buf, "motd");
    free(a.buf);
}
END_TEST

START_TEST(test_unpack_one_top_level_directory)
{
    struct ar a = sample();
    struct vfs_cpio_stats st;
    ck_assert_int_eq(vfs_mkdir(&ctx, "/bin", 0755), 0);
    ck_assert_int_eq(vfs_mount(&ctx, "/bin", "ramfs", NULL), 0);
    ck_assert_int_eq(unpack(&a, "/bin", "bin", &st), 0);
    ck_assert_uint_eq(st.files, 2);
    ck_assert_uint_eq(st.dirs, 0);
    int err;
    ck_assert_str_eq(get_file("/bin/ls", &err), "ELF ls");
    get_file("/bin/motd", &err);
    ck_assert_int_eq(err, -ENOENT);
    /* "b" is a prefix of "bin" but not a directory of the archive */
    ck_assert_int_eq(vfs_mkdir(&ctx, "/b", 0755), 0);
    ck_assert_int_eq(unpack(&a, "/b", "b", &st), 0);
    ck_assert_uint_eq(st.files + st.dirs + st.symlinks, 0);
    ck_assert_int_eq(unpack(&a, "/", "etc", &st), 0); /* dest "/" joins as "/motd" */
    ck_assert_str_eq(get_file("/motd", &err), "welcome\n");
    free(a.buf);
}
END_TEST

START_TEST(test_missing_parents_are_made_and_dot_slash_dropped)
{
    struct ar a = { 0 };
    ar_file(&a, "./usr/share/doc/x", "deep");
    ar_trailer(&a);
    struct vfs_cpio_stats st;
    ck_assert_int_eq(unpack(&a, "/", NULL, &st), 0);
    int err;
    ck_assert_str_eq(get_file("/usr/share/doc/x", &err), "deep");
    ck_assert_uint_eq(mode_of("/usr/share"), 0755);
    free(a.buf);
}
END_TEST

START_TEST(test_entries_that_fail_are_reported_and_skipped)
{
    struct ar a = { 0 };
    ar_add(&a, "dev", 040755, "", 0);
    ar_add(&a, "dev/null", 020666, "", 0); /* a character device: unsupported */
    ar_file(&a, "f", "one");
    ar_file(&a, "f/g", "under a file"); /* its parent is a file */
    ar_file(&a, "h", "two");
    ar_trailer(&a);
    struct vfs_cpio_stats st;
    ck_assert_int_eq(unpack(&a, "/", NULL, &st), 0);
    ck_assert_int_eq(reports, 2);
    ck_assert_uint_eq(st.skipped, 2);
    ck_assert_uint_eq(st.files, 2);
    ck_assert_ptr_nonnull(strstr(reported, "f/g: cannot create"));
    int err;
    ck_assert_str_eq(get_file("/h", &err), "two");
    free(a.buf);
}
END_TEST

/* Expect @p a to be rejected with a reason containing @p why, and nothing made. */
static void expect_malformed(struct ar *a, const char *why)
{
    const char *got = NULL;
    ck_assert_int_eq(vfs_cpio_check(a->buf, a->len, &got), -EINVAL);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(strstr(got, why), "expected '%s', got '%s'", why, got);
    ck_assert_int_eq(vfs_mkdir(&ctx, "/d", 0755), 0);
    ck_assert_int_eq(unpack(a, "/d", NULL, NULL), -EINVAL);
    ck_assert_int_eq(reports, 1);
    ck_assert_str_eq(reported, got);
    int fd = vfs_open(&ctx, "/d", VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    ck_assert_int_ge(fd, 0);
    struct vfs_dirent de;
    int n = 0;
    while (vfs_readdir(&ctx, fd, &de) == 1)
        if (strcmp(de.name, ".") && strcmp(de.name, ".."))
            n++;
    vfs_close(&ctx, fd);
    ck_assert_int_eq(n, 0); /* a malformed archive changes nothing */
    ck_assert_int_eq(vfs_rmdir(&ctx, "/d"), 0);
    free(a->buf);
}

START_TEST(test_truncated_header)
{
    struct ar a = sample();
    a.len = VFS_CPIO_HEADER_SIZE - 1;
    expect_malformed(&a, "truncated header");
}
END_TEST

START_TEST(test_truncated_anywhere)
{
    struct ar full = sample();
    for (size_t n = 0; n < full.len; n++) {
        ck_assert_int_eq(vfs_cpio_check(full.buf, n, NULL), -EINVAL);
    }
    ck_assert_int_eq(vfs_cpio_check(full.buf, full.len, NULL), 7);
    free(full.buf);
}
END_TEST

START_TEST(test_empty_archive)
{
    struct ar a = { .buf = malloc(1) };
    expect_malformed(&a, "no TRAILER");
}
END_TEST

START_TEST(test_bad_magic)
{
    struct ar a = sample();
    a.buf[5] = '7'; /* 070707 is the old binary-ish odc format */
    expect_malformed(&a, "bad magic");
}
END_TEST

START_TEST(test_bad_hex)
{
    struct ar a = sample();
    a.buf[6 + 8 * FIELD_FILESIZE + 3] = 'g'; /* in filesize */
    expect_malformed(&a, "not hexadecimal");
}
END_TEST

START_TEST(test_name_without_nul)
{
    struct ar a = { 0 };
    ar_file(&a, "abc", "x");
    a.buf[VFS_CPIO_HEADER_SIZE + 3] = 'd';
    ar_trailer(&a);
    expect_malformed(&a, "not NUL-terminated");
}
END_TEST

START_TEST(test_nul_inside_name)
{
    struct ar a = { 0 };
    ar_file(&a, "abc", "x");
    a.buf[VFS_CPIO_HEADER_SIZE + 1] = '\0';
    ar_trailer(&a);
    expect_malformed(&a, "NUL inside");
}
END_TEST

START_TEST(test_empty_and_huge_names)
{
    struct ar a = { 0 };
    ar_add(&a, "", 0100644, "", 0);
    ar_trailer(&a);
    expect_malformed(&a, "empty name");

    a = (struct ar){ 0 };
    ar_file(&a, "x", "x");
    memcpy(a.buf + 6 + 8 * FIELD_NAMESIZE, "7fffffff", 8);
    expect_malformed(&a, "name too long");

    a = (struct ar){ 0 };
    ar_file(&a, "x", "x");
    memcpy(a.buf + 6 + 8 * FIELD_NAMESIZE, "00000100", 8);
    expect_malformed(&a, "name runs past the end");
}
END_TEST

START_TEST(test_size_beyond_end)
{
    struct ar a = { 0 };
    ar_file(&a, "x", "x");
    ar_trailer(&a);
    memcpy(a.buf + 6 + 8 * FIELD_FILESIZE, "ffffffff", 8);
    expect_malformed(&a, "runs past the end");
}
END_TEST

START_TEST(test_missing_trailer)
{
    struct ar a = { 0 };
    ar_file(&a, "x", "x");
    expect_malformed(&a, "no TRAILER");
}
END_TEST

START_TEST(test_dotdot_and_absolute_paths)
{
    static const char *const bad[] = { "../x", "a/../../x", "a/..", "/etc/passwd",
                                       "a//b", "a/./b",     "a/" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct ar a = { 0 };
        ar_file(&a, bad[i], "x");
        ar_trailer(&a);
        const char *why = NULL;
        ck_assert_msg(vfs_cpio_check(a.buf, a.len, &why) == -EINVAL, "%s accepted", bad[i]);
        expect_malformed(&a, why);
    }
    struct ar a = { 0 };
    ar_file(&a, "../x", "x");
    ar_trailer(&a);
    expect_malformed(&a, "'..'");
    a = (struct ar){ 0 };
    ar_file(&a, "/x", "x");
    ar_trailer(&a);
    expect_malformed(&a, "absolute");
}
END_TEST

START_TEST(test_bad_types)
{
    struct ar a = { 0 };
    ar_add(&a, "d", 040755, "data", 4);
    ar_trailer(&a);
    expect_malformed(&a, "directory with data");
    a = (struct ar){ 0 };
    ar_add(&a, "l", 0120777, "", 0);
    ar_trailer(&a);
    expect_malformed(&a, "symbolic link");
    a = (struct ar){ 0 };
    ar_add(&a, "l", 0120777, "a\0b", 3);
    ar_trailer(&a);
    expect_malformed(&a, "NUL inside a symbolic link");
}
END_TEST

/* A fixed-seed xorshift, so a failure reproduces. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

START_TEST(test_byte_flip_fuzz)
{
    struct ar a = sample();
    /* Each copy is exactly as long as the archive, in its own allocation, so
     * ASan catches any read past the end. */
    for (int i = 0; i < 10000; i++) {
        uint8_t *copy = malloc(a.len);
        memcpy(copy, a.buf, a.len);
        int flips = 1 + (int)(next_rand() % 4);
        for (int k = 0; k < flips; k++)
            copy[next_rand() % a.len] ^= (uint8_t)(1u << (next_rand() % 8));
        size_t len = next_rand() % 8 == 0 ? next_rand() % (a.len + 1) : a.len;
        char dir[32];
        snprintf(dir, sizeof(dir), "/f%d", i % 4);
        vfs_mkdir(&ctx, dir, 0755);
        int err = vfs_cpio_unpack(&ctx, dir, NULL, copy, len, NULL, NULL, NULL);
        ck_assert(err == 0 || err == -EINVAL);
        free(copy);
    }
    free(a.buf);
}
END_TEST

Suite *cpio_suite(void)
{
    Suite *s = suite_create("cpio");
    TCase *tc = tcase_create("cpio");
    tcase_add_checked_fixture(tc, vfs_fixture_setup, vfs_fixture_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_unpack_everything);
    tcase_add_test(tc, test_unpack_one_top_level_directory);
    tcase_add_test(tc, test_missing_parents_are_made_and_dot_slash_dropped);
    tcase_add_test(tc, test_entries_that_fail_are_reported_and_skipped);
    tcase_add_test(tc, test_truncated_header);
    tcase_add_test(tc, test_truncated_anywhere);
    tcase_add_test(tc, test_empty_archive);
    tcase_add_test(tc, test_bad_magic);
    tcase_add_test(tc, test_bad_hex);
    tcase_add_test(tc, test_name_without_nul);
    tcase_add_test(tc, test_nul_inside_name);
    tcase_add_test(tc, test_empty_and_huge_names);
    tcase_add_test(tc, test_size_beyond_end);
    tcase_add_test(tc, test_missing_trailer);
    tcase_add_test(tc, test_dotdot_and_absolute_paths);
    tcase_add_test(tc, test_bad_types);
    tcase_add_test(tc, test_byte_flip_fuzz);
    suite_add_tcase(s, tc);
    return s;
}
