/*
 * test_posix.c - what POSIX needs from libsfs: sfs_setattr_ino() (chmod,
 * chown, truncate, utimensat with nanoseconds), FIFO/device/socket inodes
 * with rdev, owners of new inodes, the POSIX feature bit and volumes
 * without it, long symlink targets.
 */
#include "../../../libsfs/sfs_priv.h"
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *posix_suite(void);

static uint64_t ns_now = 1700000000123456789ull;

static uint64_t t_clock_ns(void *ctx)
{
    (void)ctx;
    return ns_now;
}

/* A volume whose clock has nanoseconds. */
static void setup_ns(struct tfs *t, uint32_t flags)
{
    struct sfs_format_opts o = { .block_size = 1024, .flags = flags };
    memset(t, 0, sizeof(*t));
    sfs_ramdev_init(&t->rd, 2u << 20, 512);
    tfs_config(t, 0);
    t->cfg.clock = NULL;
    t->cfg.clock_ns = t_clock_ns;
    ck_assert_int_eq(sfs_format(&t->fs, &t->rd.dev, &t->cfg, &o), 0);
    ck_assert_int_eq(sfs_mount(&t->fs, &t->rd.dev, &t->cfg), 0);
}

static struct sfs_stat stat_of(struct tfs *t, uint32_t ino)
{
    struct sfs_stat st;
    ck_assert_ok(sfs_stat_ino(&t->fs, ino, &st));
    return st;
}

START_TEST(setattr_mode_owner_times)
{
    struct tfs t;
    setup_ns(&t, 0);
    ns_now = 1700000000123456789ull;
    uint32_t f;
    ck_assert_ok(sfs_create_at(&t.fs, SFS_ROOT_INO, "f", 1, 0644, &f));
    struct sfs_stat st = stat_of(&t, f);
    ck_assert_uint_eq(st.mode, SFS_S_IFREG | 0644);
    ck_assert_uint_eq(st.uid, 0);
    ck_assert_int_eq(st.mtime, 1700000000);
    ck_assert_uint_eq(st.mtime_nsec, 123456789);
    ck_assert_uint_eq(st.ctime_nsec, 123456789);

    ns_now += 1000;
    struct sfs_setattr sa = { .valid = SFS_SET_MODE | SFS_SET_UID | SFS_SET_GID,
                              .mode = SFS_S_IFDIR | 04755,
                              .uid = 1000,
                              .gid = 100 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
    st = stat_of(&t, f);
    ck_assert_uint_eq(st.mode, SFS_S_IFREG | 04755); /* the type is kept */
    ck_assert_uint_eq(st.uid, 1000);
    ck_assert_uint_eq(st.gid, 100);
    ck_assert_uint_eq(st.ctime_nsec, 123457789);
    ck_assert_uint_eq(st.mtime_nsec, 123456789);

    sa = (struct sfs_setattr){ .valid = SFS_SET_ATIME | SFS_SET_MTIME,
                               .atime_sec = -5,
                               .atime_nsec = 7,
                               .mtime_sec = 4000000000ll,
                               .mtime_nsec = 999999999 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
    tfs_remount(&t);
    st = stat_of(&t, f);
    ck_assert_int_eq(st.atime, -5);
    ck_assert_uint_eq(st.atime_nsec, 7);
    ck_assert_int_eq(st.mtime, 4000000000ll);
    ck_assert_uint_eq(st.mtime_nsec, 999999999);

    /* Out of range: clamped, as Linux clamps to a file system's range. */
    sa = (struct sfs_setattr){ .valid = SFS_SET_ATIME | SFS_SET_MTIME,
                               .atime_sec = INT64_MIN,
                               .mtime_sec = INT64_MAX };
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
    st = stat_of(&t, f);
    ck_assert_int_eq(st.atime, SFS_TIME_SEC_MIN);
    ck_assert_int_eq(st.mtime, SFS_TIME_SEC_MAX);

    /* NOW wins over a given time; a given ctime replaces now. */
    ns_now = 1800000000000000001ull;
    sa = (struct sfs_setattr){ .valid = SFS_SET_ATIME | SFS_SET_ATIME_NOW | SFS_SET_MTIME_NOW |
                                        SFS_SET_CTIME,
                               .atime_sec = 5,
                               .ctime_sec = 77,
                               .ctime_nsec = 8 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
    st = stat_of(&t, f);
    ck_assert_int_eq(st.atime, 1800000000);
    ck_assert_uint_eq(st.atime_nsec, 1);
    ck_assert_int_eq(st.mtime, 1800000000);
    ck_assert_int_eq(st.ctime, 77);
    ck_assert_uint_eq(st.ctime_nsec, 8);

    /* Bad requests change nothing. */
    sa = (struct sfs_setattr){ .valid = SFS_SET_MTIME | SFS_SET_UID,
                               .mtime_nsec = 1000000000,
                               .uid = 5 };
    ck_assert_int_eq(sfs_setattr_ino(&t.fs, f, &sa), SFS_EINVAL);
    sa = (struct sfs_setattr){ .valid = 0x80000000u };
    ck_assert_int_eq(sfs_setattr_ino(&t.fs, f, &sa), SFS_EINVAL);
    ck_assert_int_eq(sfs_setattr_ino(&t.fs, f, NULL), SFS_EINVAL);
    ck_assert_uint_eq(stat_of(&t, f).uid, 1000);
    sa = (struct sfs_setattr){ .valid = 0 }; /* nothing: not even ctime */
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
    ck_assert_int_eq(stat_of(&t, f).ctime, 77);
    ck_assert_int_eq(sfs_setattr_ino(&t.fs, 999, &sa), SFS_ECORRUPT);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(setattr_size_and_kill_suid)
{
    struct tfs t;
    setup_ns(&t, 0);
    uint32_t f, d, s;
    ck_assert_ok(sfs_create_at(&t.fs, SFS_ROOT_INO, "f", 1, 06775, &f));
    ck_assert_ok(sfs_mkdir_at(&t.fs, SFS_ROOT_INO, "d", 1, 06775, &d));
    ck_assert_ok(sfs_symlink_at(&t.fs, SFS_ROOT_INO, "s", 1, "f", &s));
    ns_now = 1700000001000000000ull;
    struct sfs_setattr sa = { .valid = SFS_SET_SIZE, .size = 5000 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
    struct sfs_stat st = stat_of(&t, f);
    ck_assert_uint_eq(st.size, 5000);
    ck_assert_int_eq(st.mtime, 1700000001);
    ck_assert_int_eq(st.ctime, 1700000001);
    ck_assert_int_eq(sfs_setattr_ino(&t.fs, d, &sa), SFS_EISDIR);
    ck_assert_int_eq(sfs_setattr_ino(&t.fs, s, &sa), SFS_EINVAL);
    sa.size = 1ull << 62;
    ck_assert_int_eq(sfs_setattr_ino(&t.fs, f, &sa), SFS_EFBIG);
    /* Size with an explicit mtime: the given time wins. */
    sa = (struct sfs_setattr){ .valid = SFS_SET_SIZE | SFS_SET_MTIME, .size = 10, .mtime_sec = 3 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
    st = stat_of(&t, f);
    ck_assert_uint_eq(st.size, 10);
    ck_assert_int_eq(st.mtime, 3);

    sa = (struct sfs_setattr){ .valid = SFS_SET_KILL_SUID };
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
    ck_assert_uint_eq(stat_of(&t, f).mode, SFS_S_IFREG | 0775);
    ck_assert_uint_eq(stat_of(&t, d).mode, SFS_S_IFDIR | 0775); /* mkdir drops set-ID bits */
    struct sfs_setattr sm = { .valid = SFS_SET_MODE, .mode = 06775 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, d, &sm));
    ck_assert_ok(sfs_setattr_ino(&t.fs, d, &sa)); /* directories keep theirs */
    ck_assert_uint_eq(stat_of(&t, d).mode, SFS_S_IFDIR | 06775);
    sa = (struct sfs_setattr){ .valid = SFS_SET_MODE | SFS_SET_KILL_SUID, .mode = 06745 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa)); /* no group execute: set-group-ID stays */
    ck_assert_uint_eq(stat_of(&t, f).mode, SFS_S_IFREG | 02745);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(mknod_special_inodes)
{
    struct tfs t;
    setup_ns(&t, 0);
    uint32_t p, c, b, so, r;
    ck_assert_ok(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "fifo", 4, SFS_S_IFIFO | 0600, 77, &p));
    ck_assert_ok(
        sfs_mknod_at(&t.fs, SFS_ROOT_INO, "chr", 3, SFS_S_IFCHR | 0620, 0x123456789abcdefull, &c));
    ck_assert_ok(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "blk", 3, SFS_S_IFBLK | 0660, 0x801, &b));
    ck_assert_ok(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "sock", 4, SFS_S_IFSOCK | 0777, 0, &so));
    ck_assert_ok(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "reg", 3, 0640, 0, &r));
    ck_assert_int_eq(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "d", 1, SFS_S_IFDIR | 0755, 0, NULL),
                     SFS_EPERM);
    ck_assert_int_eq(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "l", 1, SFS_S_IFLNK | 0777, 0, NULL),
                     SFS_EINVAL);
    ck_assert_int_eq(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "x", 1, 0xE000 | 0777, 0, NULL), SFS_EINVAL);
    ck_assert_int_eq(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "fifo", 4, SFS_S_IFIFO | 0600, 0, NULL),
                     SFS_EEXIST);
    tfs_remount(&t);
    ck_assert_uint_eq(stat_of(&t, p).mode, SFS_S_IFIFO | 0600);
    ck_assert_uint_eq(stat_of(&t, p).rdev, 0); /* only devices keep one */
    ck_assert_uint_eq(stat_of(&t, c).mode, SFS_S_IFCHR | 0620);
    ck_assert_uint_eq(stat_of(&t, c).rdev, 0x123456789abcdefull);
    ck_assert_uint_eq(stat_of(&t, b).rdev, 0x801);
    ck_assert_uint_eq(stat_of(&t, so).mode, SFS_S_IFSOCK | 0777);
    ck_assert_uint_eq(stat_of(&t, r).mode, SFS_S_IFREG | 0640);
    ck_assert_uint_eq(stat_of(&t, c).size, 0);
    ck_assert_uint_eq(stat_of(&t, c).blocks, 0);

    /* Directory entry types. */
    uint64_t cookie = 0;
    struct sfs_dirent e;
    int seen = 0;
    while (sfs_readdir_at(&t.fs, SFS_ROOT_INO, &cookie, &e) == 1) {
        if (!strcmp(e.name, "fifo")) {
            ck_assert_uint_eq(e.type, SFS_DT_FIFO);
            seen++;
        }
        if (!strcmp(e.name, "chr")) {
            ck_assert_uint_eq(e.type, SFS_DT_CHR);
            seen++;
        }
        if (!strcmp(e.name, "blk")) {
            ck_assert_uint_eq(e.type, SFS_DT_BLK);
            seen++;
        }
        if (!strcmp(e.name, "sock")) {
            ck_assert_uint_eq(e.type, SFS_DT_SOCK);
            seen++;
        }
    }
    ck_assert_int_eq(seen, 4);

    /* Links, renames, chmod and unlink work on them as on files. */
    ck_assert_ok(sfs_link_at(&t.fs, c, SFS_ROOT_INO, "chr2", 4));
    ck_assert_uint_eq(stat_of(&t, c).nlink, 2);
    ck_assert_ok(sfs_rename_at(&t.fs, SFS_ROOT_INO, "chr2", 4, SFS_ROOT_INO, "blk", 3));
    struct sfs_setattr sa = { .valid = SFS_SET_MODE | SFS_SET_UID, .mode = 0, .uid = 9 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, c, &sa));
    ck_assert_uint_eq(stat_of(&t, c).mode, SFS_S_IFCHR);
    ck_assert_uint_eq(stat_of(&t, c).rdev, 0x123456789abcdefull);
    sa = (struct sfs_setattr){ .valid = SFS_SET_SIZE };
    ck_assert_int_eq(sfs_setattr_ino(&t.fs, p, &sa), SFS_EINVAL);
    ck_assert_int_eq(tfs_check(&t), 0);
    ck_assert_ok(sfs_unlink_at(&t.fs, SFS_ROOT_INO, "chr", 3));
    ck_assert_ok(sfs_unlink_at(&t.fs, SFS_ROOT_INO, "blk", 3));
    ck_assert_ok(sfs_unlink_at(&t.fs, SFS_ROOT_INO, "fifo", 4));
    ck_assert_ok(sfs_unlink_at(&t.fs, SFS_ROOT_INO, "sock", 4));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(make_at_owner_and_setgid_dirs)
{
    struct tfs t;
    setup_ns(&t, 0);
    uint32_t d, f, sub, l;
    struct sfs_make mk = { .mode = SFS_S_IFDIR | 06775, .uid = 1000, .gid = 50 };
    ck_assert_ok(sfs_make_at(&t.fs, SFS_ROOT_INO, "d", 1, &mk, &d));
    ck_assert_uint_eq(stat_of(&t, d).mode, SFS_S_IFDIR | 0775); /* as mkdir(2) */
    struct sfs_setattr sa = { .valid = SFS_SET_MODE, .mode = 02775 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, d, &sa));
    struct sfs_stat st = stat_of(&t, d);
    ck_assert_uint_eq(st.uid, 1000);
    ck_assert_uint_eq(st.gid, 50);
    ck_assert_uint_eq(st.mode, SFS_S_IFDIR | 02775);
    /* In a set-group-ID directory: the directory's group, and subdirectories keep the bit. */
    mk = (struct sfs_make){ .mode = 0644, .uid = 7, .gid = 8 };
    ck_assert_ok(sfs_make_at(&t.fs, d, "f", 1, &mk, &f));
    ck_assert_uint_eq(stat_of(&t, f).mode, SFS_S_IFREG | 0644);
    ck_assert_uint_eq(stat_of(&t, f).uid, 7);
    ck_assert_uint_eq(stat_of(&t, f).gid, 50);
    mk = (struct sfs_make){ .mode = SFS_S_IFDIR | 0700, .uid = 7, .gid = 8 };
    ck_assert_ok(sfs_make_at(&t.fs, d, "sub", 3, &mk, &sub));
    ck_assert_uint_eq(stat_of(&t, sub).mode, SFS_S_IFDIR | 02700);
    ck_assert_uint_eq(stat_of(&t, sub).gid, 50);
    mk = (struct sfs_make){ .mode = SFS_S_IFLNK | 0777, .uid = 3, .gid = 4, .target = "f" };
    ck_assert_ok(sfs_make_at(&t.fs, SFS_ROOT_INO, "l", 1, &mk, &l));
    ck_assert_uint_eq(stat_of(&t, l).uid, 3);
    ck_assert_uint_eq(stat_of(&t, l).gid, 4);
    mk.target = NULL;
    ck_assert_int_eq(sfs_make_at(&t.fs, SFS_ROOT_INO, "l2", 2, &mk, NULL), SFS_EINVAL);
    mk.target = "";
    ck_assert_int_eq(sfs_make_at(&t.fs, SFS_ROOT_INO, "l2", 2, &mk, NULL), SFS_ENOENT);
    mk = (struct sfs_make){ .mode = 0x10000 | 0644 };
    ck_assert_int_eq(sfs_make_at(&t.fs, SFS_ROOT_INO, "x", 1, &mk, NULL), SFS_EINVAL);
    ck_assert_int_eq(sfs_make_at(&t.fs, SFS_ROOT_INO, "x", 1, NULL, NULL), SFS_EINVAL);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(feature_bit_and_old_volumes)
{
    struct tfs t;
    setup_ns(&t, 0);
    struct sfs_statfs sf;
    ck_assert_ok(sfs_statfs(&t.fs, &sf));
    ck_assert_uint_eq(sf.feat_incompat & SFS_FEAT_INCOMPAT_POSIX, SFS_FEAT_INCOMPAT_POSIX);
    ck_assert_uint_eq(sf.symlink_max, 4095);
    tfs_teardown(&t);

    /* A volume without the feature: whole seconds, no special inodes, 1023-byte targets. */
    setup_ns(&t, SFS_FORMAT_NO_POSIX);
    ck_assert_ok(sfs_statfs(&t.fs, &sf));
    ck_assert_uint_eq(sf.feat_incompat & SFS_FEAT_INCOMPAT_POSIX, 0);
    ck_assert_uint_eq(sf.symlink_max, 1023);
    uint32_t f;
    ns_now = 1700000000987654321ull;
    ck_assert_ok(sfs_create_at(&t.fs, SFS_ROOT_INO, "f", 1, 0644, &f));
    struct sfs_stat st = stat_of(&t, f);
    ck_assert_int_eq(st.mtime, 1700000000);
    ck_assert_uint_eq(st.mtime_nsec, 0);
    struct sfs_setattr sa = {
        .valid = SFS_SET_MTIME | SFS_SET_UID, .mtime_sec = -3, .mtime_nsec = 5, .uid = 42
    };
    ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
    tfs_remount(&t);
    st = stat_of(&t, f);
    ck_assert_int_eq(st.mtime, -3);
    ck_assert_uint_eq(st.mtime_nsec, 0);
    ck_assert_uint_eq(st.uid, 42);
    ck_assert_int_eq(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "p", 1, SFS_S_IFIFO | 0600, 0, NULL),
                     SFS_EPERM);
    char target[1100];
    memset(target, 'a', sizeof(target) - 1);
    target[sizeof(target) - 1] = 0;
    ck_assert_int_eq(sfs_symlink_at(&t.fs, SFS_ROOT_INO, "l", 1, target, NULL), SFS_ENAMETOOLONG);
    target[1023] = 0;
    ck_assert_ok(sfs_symlink_at(&t.fs, SFS_ROOT_INO, "l", 1, target, NULL));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(long_symlink_targets)
{
    struct tfs t;
    setup_ns(&t, 0);
    static char target[SFS_PATH_MAX + 1];
    memset(target, 'b', sizeof(target) - 1);
    target[SFS_PATH_MAX] = 0;
    ck_assert_int_eq(sfs_symlink_at(&t.fs, SFS_ROOT_INO, "l", 1, target, NULL), SFS_ENAMETOOLONG);
    target[SFS_SYMLINK_MAX] = 0;
    uint32_t l;
    ck_assert_ok(sfs_symlink_at(&t.fs, SFS_ROOT_INO, "l", 1, target, &l));
    tfs_remount(&t);
    static char back[SFS_PATH_MAX];
    ck_assert_int_eq(sfs_readlink_ino(&t.fs, l, back, sizeof(back)), SFS_SYMLINK_MAX);
    ck_assert_int_eq(memcmp(back, target, SFS_SYMLINK_MAX), 0);
    ck_assert_uint_eq(stat_of(&t, l).size, SFS_SYMLINK_MAX);
    /* A 4095-byte target to a directory, then more path: longer than
     * SFS_PATH_MAX in all, which Linux resolves and so does libsfs. */
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    ck_assert_ok(tfs_put(&t, "/d/f", "x", 1));
    size_t n = 0;
    while (n + 2 + 2 <= SFS_SYMLINK_MAX) {
        target[n++] = '.';
        target[n++] = '/';
    }
    while (n + 1 < SFS_SYMLINK_MAX)
        target[n++] = '/';
    target[n++] = 'd';
    target[n] = 0;
    ck_assert_uint_eq(strlen(target), SFS_SYMLINK_MAX);
    ck_assert_ok(sfs_symlink(&t.fs, target, "/ld"));
    ck_assert_ok(sfs_symlink(&t.fs, "/ld/../ld", "/l2"));
    struct sfs_stat st;
    ck_assert_ok(sfs_stat(&t.fs, "/ld/f", &st));
    ck_assert_uint_eq(st.size, 1);
    ck_assert_ok(sfs_stat(&t.fs, "/l2/f", &st)); /* nested: two long walks */
    ck_assert_uint_eq(st.size, 1);
    ck_assert_int_eq(sfs_stat(&t.fs, "/ld/f/", &st), SFS_ENOTDIR);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

/* Fix 1: "l" -> "f/" with f a regular file names nothing: ENOTDIR. */
START_TEST(symlink_target_trailing_slash)
{
    struct tfs t;
    setup_ns(&t, 0);
    ck_assert_ok(tfs_put(&t, "/f", "x", 1));
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    ck_assert_ok(sfs_symlink(&t.fs, "f/", "/l"));
    ck_assert_ok(sfs_symlink(&t.fs, "/d/", "/ld"));
    ck_assert_ok(sfs_symlink(&t.fs, "f//", "/l2"));
    ck_assert_ok(sfs_symlink(&t.fs, "l", "/chain"));
    struct sfs_file f;
    struct sfs_stat st;
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/l", SFS_O_RDONLY, 0), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_stat(&t.fs, "/l", &st), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_stat(&t.fs, "/l2", &st), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_stat(&t.fs, "/chain", &st), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_truncate(&t.fs, "/l", 0), SFS_ENOTDIR);
    ck_assert_ok(sfs_lstat(&t.fs, "/l", &st)); /* the link itself is fine */
    ck_assert_uint_eq(st.mode & SFS_S_IFMT, SFS_S_IFLNK);
    ck_assert_ok(sfs_stat(&t.fs, "/ld", &st)); /* a directory may have one */
    ck_assert_uint_eq(st.mode & SFS_S_IFMT, SFS_S_IFDIR);
    uint32_t ino;
    ck_assert_int_eq(sfs_resolve_path(&t.fs, SFS_ROOT_INO, "l", 1, &ino), SFS_ENOTDIR);
    ck_assert_ok(sfs_resolve_path(&t.fs, SFS_ROOT_INO, "l", 0, &ino));
    tfs_teardown(&t);
}
END_TEST

/* Fix 2: open(O_TRUNC) of an empty file updates mtime and ctime (as Linux). */
START_TEST(otrunc_empty_file_times)
{
    struct tfs t;
    setup_ns(&t, 0);
    ns_now = 1700000000000000000ull;
    ck_assert_ok(sfs_create(&t.fs, "/e", 0644));
    ns_now = 1700000005000000500ull;
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/e", SFS_O_WRONLY | SFS_O_TRUNC, 0));
    struct sfs_stat st;
    ck_assert_ok(sfs_fstat(&t.fs, &f, &st));
    ck_assert_int_eq(st.mtime, 1700000005);
    ck_assert_uint_eq(st.mtime_nsec, 500);
    ck_assert_int_eq(st.ctime, 1700000005);
    ck_assert_int_eq(st.atime, 1700000000);
    ck_assert_ok(sfs_close(&t.fs, &f));
    /* truncate(2) to the same size changes nothing; ftruncate(2) sets the times. */
    ns_now = 1700000009000000000ull;
    ck_assert_ok(sfs_truncate(&t.fs, "/e", 0));
    ck_assert_ok(sfs_stat(&t.fs, "/e", &st));
    ck_assert_int_eq(st.mtime, 1700000005);
    uint32_t e;
    ck_assert_ok(sfs_resolve_path(&t.fs, SFS_ROOT_INO, "/e", 0, &e));
    struct sfs_setattr sa = { .valid = SFS_SET_SIZE, .size = 0 };
    ck_assert_ok(sfs_setattr_ino(&t.fs, e, &sa));
    ck_assert_ok(sfs_stat(&t.fs, "/e", &st));
    ck_assert_int_eq(st.ctime, 1700000005);
    ck_assert_ok(sfs_open(&t.fs, &f, "/e", SFS_O_WRONLY, 0));
    ck_assert_ok(sfs_ftruncate(&t.fs, &f, 0));
    ck_assert_ok(sfs_fstat(&t.fs, &f, &st));
    ck_assert_int_eq(st.mtime, 1700000009);
    ck_assert_int_eq(st.ctime, 1700000009);
    ck_assert_ok(sfs_close(&t.fs, &f));
    /* Linux truncates with O_RDONLY | O_TRUNC too. */
    ck_assert_ok(tfs_put(&t, "/g", "abc", 3));
    ck_assert_ok(sfs_open(&t.fs, &f, "/g", SFS_O_RDONLY | SFS_O_TRUNC, 0));
    ck_assert_ok(sfs_fstat(&t.fs, &f, &st));
    ck_assert_uint_eq(st.size, 0);
    ck_assert_ok(sfs_close(&t.fs, &f));
    tfs_teardown(&t);
}
END_TEST

START_TEST(special_inodes_are_not_opened)
{
    struct tfs t;
    setup_ns(&t, 0);
    uint32_t p;
    ck_assert_ok(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "p", 1, SFS_S_IFIFO | 0644, 0, &p));
    struct sfs_file f;
    ck_assert_int_eq(sfs_open_ino(&t.fs, &f, p, SFS_O_RDWR), SFS_ENXIO);
    ck_assert_int_eq(sfs_open(&t.fs, &f, "/p", SFS_O_WRONLY | SFS_O_TRUNC, 0), SFS_ENXIO);
    ck_assert_str_eq(sfs_strerror(SFS_ENXIO), "no such device or address");
    /* Held and unlinked, it lives until the reference goes. */
    ck_assert_ok(sfs_iget(&t.fs, &f, p));
    ck_assert_ok(sfs_unlink(&t.fs, "/p"));
    ck_assert_uint_eq(stat_of(&t, p).nlink, 0);
    ck_assert_ok(sfs_iput(&t.fs, &f));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

struct codes {
    int n[32];
};

static void collect(void *ctx, const struct sfs_check_problem *pr)
{
    struct codes *c = ctx;
    if (pr->code >= 0 && pr->code < 32)
        c->n[pr->code]++;
}

/* Write inode @ino as @ip straight into the inode table (a corruption). */
static void poke_inode(struct tfs *t, const struct sfs_inode *ip)
{
    uint8_t raw[SFS_INODE_SIZE];
    sfs_inode_encode(&t->fs, ip, raw);
    uint32_t bs = t->fs.block_size, ipb = bs / SFS_INODE_SIZE;
    uint64_t off =
        (uint64_t)(t->fs.itable_start + ip->ino / ipb) * bs + (ip->ino % ipb) * SFS_INODE_SIZE;
    memcpy(t->rd.data + off, raw, sizeof(raw));
}

START_TEST(check_and_repair_special_inodes)
{
    struct tfs t;
    setup_ns(&t, 0);
    uint32_t c, f;
    ck_assert_ok(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "c", 1, SFS_S_IFCHR | 0600, 0x0501, &c));
    ck_assert_ok(tfs_put(&t, "/f", "data", 4));
    ck_assert_ok(sfs_resolve_path(&t.fs, SFS_ROOT_INO, "/f", 0, &f));
    ck_assert_ok(sfs_unmount(&t.fs));
    /* The device claims a block of its own. */
    struct sfs_inode ip;
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    ck_assert_ok(sfs_inode_read(&t.fs, c, &ip));
    ck_assert_ok(sfs_unmount(&t.fs));
    ip.direct[5] = t.fs.data_start + 3;
    ip.size = 10;
    poke_inode(&t, &ip);
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    struct sfs_stat st;
    ck_assert_int_eq(sfs_stat_ino(&t.fs, c, &st), SFS_ECORRUPT);
    struct codes seen = { { 0 } };
    ck_assert_int_gt(sfs_check(&t.fs, NULL, 0, collect, &seen), 0);
    ck_assert_int_gt(seen.n[SFS_CHK_BAD_INODE], 0);
    struct sfs_repair_result res;
    ck_assert_ok(sfs_repair(&t.fs, NULL, 0, NULL, NULL, &res));
    ck_assert_int_eq(tfs_check(&t), 0);
    st = stat_of(&t, c);
    ck_assert_uint_eq(st.mode, SFS_S_IFCHR | 0600);
    ck_assert_uint_eq(st.rdev, 0x0501);
    ck_assert_uint_eq(st.size, 0);

    /* A wrong entry type for a FIFO is put right. */
    uint32_t p;
    ck_assert_ok(sfs_mknod_at(&t.fs, SFS_ROOT_INO, "p", 1, SFS_S_IFIFO | 0600, 0, &p));
    struct sfs_inode root;
    ck_assert_ok(sfs_inode_read(&t.fs, SFS_ROOT_INO, &root));
    uint32_t slot, got;
    ck_assert_ok(sfs_dir_lookup(&t.fs, &root, "p", 1, &got, &slot));
    ck_assert_ok(sfs_dir_set_ino(&t.fs, &root, slot, p, SFS_DT_REG));
    ck_assert_ok(sfs_sync(&t.fs));
    ck_assert_int_gt(tfs_check(&t), 0);
    ck_assert_ok(sfs_repair(&t.fs, NULL, 0, NULL, NULL, &res));
    ck_assert_int_eq(tfs_check(&t), 0);
    uint64_t cookie = 0;
    struct sfs_dirent e;
    while (sfs_readdir_at(&t.fs, SFS_ROOT_INO, &cookie, &e) == 1)
        if (!strcmp(e.name, "p"))
            ck_assert_uint_eq(e.type, SFS_DT_FIFO);
    tfs_teardown(&t);
}
END_TEST

/* Special inodes on a volume without the feature are corruption to check and repair. */
START_TEST(special_inode_without_feature)
{
    struct tfs t;
    setup_ns(&t, SFS_FORMAT_NO_POSIX);
    uint32_t f;
    ck_assert_ok(sfs_create_at(&t.fs, SFS_ROOT_INO, "f", 1, 0644, &f));
    struct sfs_inode ip;
    ck_assert_ok(sfs_inode_read(&t.fs, f, &ip));
    ck_assert_ok(sfs_unmount(&t.fs));
    ip.mode = SFS_S_IFIFO | 0644;
    poke_inode(&t, &ip);
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    struct sfs_stat st;
    ck_assert_int_eq(sfs_stat_ino(&t.fs, f, &st), SFS_ECORRUPT);
    struct codes seen = { { 0 } };
    ck_assert_int_gt(sfs_check(&t.fs, NULL, 0, collect, &seen), 0);
    ck_assert_int_gt(seen.n[SFS_CHK_BAD_INODE], 0);
    struct sfs_repair_result res;
    ck_assert_ok(sfs_repair(&t.fs, NULL, 0, NULL, NULL, &res));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

/* An older reader (one that knows only the journal feature) refuses a POSIX volume. */
START_TEST(older_reader_refuses)
{
    struct tfs t;
    setup_ns(&t, 0);
    ck_assert_ok(sfs_unmount(&t.fs));
    uint32_t inc = sfs_ld32(t.rd.data + SFS_SB_FEAT_INCOMPAT);
    ck_assert_uint_eq(inc & SFS_FEAT_INCOMPAT_POSIX, SFS_FEAT_INCOMPAT_POSIX);
    ck_assert_uint_eq(inc & ~(uint32_t)SFS_FEAT_INCOMPAT_KNOWN, 0);
    /* The same check a version-1 reader makes, with its known mask. */
    ck_assert_uint_ne(inc & ~(uint32_t)SFS_FEAT_INCOMPAT_JOURNAL, 0);
    /* And this reader refuses a feature it does not know. */
    sfs_st32(t.rd.data + SFS_SB_FEAT_INCOMPAT, inc | 0x80u);
    sfs_st32(t.rd.data + SFS_SB_CHECKSUM, sfs_crc32(0, t.rd.data, SFS_SB_CHECKSUM));
    ck_assert_int_eq(sfs_mount(&t.fs, &t.rd.dev, &t.cfg), SFS_ENOTSUP);
    sfs_ramdev_free(&t.rd);
}
END_TEST

/* Nanoseconds past 999999999 in a packed time: read clamped, reported, repaired. */
START_TEST(bad_nanoseconds)
{
    struct tfs t;
    setup_ns(&t, 0);
    uint32_t f;
    ck_assert_ok(sfs_create_at(&t.fs, SFS_ROOT_INO, "f", 1, 0644, &f));
    ck_assert_ok(sfs_unmount(&t.fs));
    uint32_t bs = t.fs.block_size, ipb = bs / SFS_INODE_SIZE;
    uint8_t *raw =
        t.rd.data + (uint64_t)(t.fs.itable_start + f / ipb) * bs + (f % ipb) * SFS_INODE_SIZE;
    sfs_st64(raw + SFS_I_MTIME, (5ull << SFS_TIME_NSEC_BITS) | 0x3FFFFFFFu);
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    struct sfs_stat st = stat_of(&t, f);
    ck_assert_int_eq(st.mtime, 5);
    ck_assert_uint_eq(st.mtime_nsec, 999999999);
    struct codes seen = { { 0 } };
    ck_assert_int_eq(sfs_check(&t.fs, NULL, 0, collect, &seen), 1);
    ck_assert_int_eq(seen.n[SFS_CHK_BAD_INODE], 1);
    struct sfs_repair_result res;
    ck_assert_ok(sfs_repair(&t.fs, NULL, 0, NULL, NULL, &res));
    ck_assert_int_eq(tfs_check(&t), 0);
    st = stat_of(&t, f);
    ck_assert_uint_eq(st.mtime_nsec, 999999999);
    tfs_teardown(&t);
}
END_TEST

/* Packed times: the sign and the full nanosecond range survive a remount. */
START_TEST(packed_time_round_trip)
{
    struct tfs t;
    setup_ns(&t, 0);
    uint32_t f;
    ck_assert_ok(sfs_create_at(&t.fs, SFS_ROOT_INO, "f", 1, 0644, &f));
    static const int64_t secs[] = {
        0, -1, 1, SFS_TIME_SEC_MIN, SFS_TIME_SEC_MAX, -1000000000ll, 1700000000, 8000000000ll
    };
    for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
        struct sfs_setattr sa = { .valid = SFS_SET_ATIME | SFS_SET_MTIME | SFS_SET_CTIME,
                                  .atime_sec = secs[i],
                                  .atime_nsec = 999999999,
                                  .mtime_sec = secs[i],
                                  .mtime_nsec = (uint32_t)i,
                                  .ctime_sec = -secs[i] - 1,
                                  .ctime_nsec = 123 };
        ck_assert_ok(sfs_setattr_ino(&t.fs, f, &sa));
        tfs_remount(&t);
        struct sfs_stat st = stat_of(&t, f);
        ck_assert_int_eq(st.atime, secs[i]);
        ck_assert_uint_eq(st.atime_nsec, 999999999);
        ck_assert_int_eq(st.mtime, secs[i]);
        ck_assert_uint_eq(st.mtime_nsec, i);
        ck_assert_int_eq(st.ctime, -secs[i] - 1);
        ck_assert_uint_eq(st.ctime_nsec, 123);
    }
    tfs_teardown(&t);
}
END_TEST

Suite *posix_suite(void)
{
    Suite *s = suite_create("posix");
    TCase *tc = tcase_create("posix");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, setattr_mode_owner_times);
    tcase_add_test(tc, setattr_size_and_kill_suid);
    tcase_add_test(tc, mknod_special_inodes);
    tcase_add_test(tc, make_at_owner_and_setgid_dirs);
    tcase_add_test(tc, feature_bit_and_old_volumes);
    tcase_add_test(tc, long_symlink_targets);
    tcase_add_test(tc, symlink_target_trailing_slash);
    tcase_add_test(tc, otrunc_empty_file_times);
    tcase_add_test(tc, special_inodes_are_not_opened);
    tcase_add_test(tc, check_and_repair_special_inodes);
    tcase_add_test(tc, special_inode_without_feature);
    tcase_add_test(tc, older_reader_refuses);
    tcase_add_test(tc, packed_time_round_trip);
    tcase_add_test(tc, bad_nanoseconds);
    suite_add_tcase(s, tc);
    return s;
}
