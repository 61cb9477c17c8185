/*
 * test_inode.c - the inode API (files by number, names by directory inode and
 * name), handles that follow their inode across rename and unlink, the
 * generic path walker, the chainable CRC-32 and the entry-point lock.
 */
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *inode_suite(void);

static uint32_t ino_of(struct tfs *t, const char *path)
{
    uint32_t ino = 0;
    return sfs_resolve_path(&t->fs, SFS_ROOT_INO, path, 0, &ino) < 0 ? 0 : ino;
}

START_TEST(ops_by_directory_inode)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    uint32_t d, f, s, g, got;
    ck_assert_ok(sfs_mkdir_at(&t.fs, SFS_ROOT_INO, "dir", 3, 0755, &d));
    ck_assert_ok(sfs_create_at(&t.fs, d, "file", 4, 0644, &f));
    ck_assert_ok(sfs_symlink_at(&t.fs, d, "sym", 3, "file", &s));
    ck_assert_int_eq(sfs_create_at(&t.fs, d, "file", 4, 0644, NULL), SFS_EEXIST);
    ck_assert_int_eq(sfs_create_at(&t.fs, f, "x", 1, 0644, NULL), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_create_at(&t.fs, d, "a/b", 3, 0644, NULL), SFS_EINVAL);
    ck_assert_int_eq(sfs_create_at(&t.fs, d, "", 0, 0644, NULL), SFS_ENOENT);
    ck_assert_ok(sfs_lookup(&t.fs, d, "file", 4, &got));
    ck_assert_uint_eq(got, f);
    ck_assert_ok(sfs_lookup(&t.fs, d, "..", 2, &got));
    ck_assert_uint_eq(got, SFS_ROOT_INO);
    ck_assert_int_eq(sfs_lookup(&t.fs, d, "nope", 4, &got), SFS_ENOENT);
    ck_assert_ok(sfs_link_at(&t.fs, f, SFS_ROOT_INO, "hard", 4));
    ck_assert_int_eq(sfs_link_at(&t.fs, d, SFS_ROOT_INO, "dl", 2), SFS_EPERM);
    struct sfs_stat st;
    ck_assert_ok(sfs_stat_ino(&t.fs, f, &st));
    ck_assert_uint_eq(st.nlink, 2);
    ck_assert_ok(sfs_set_times_ino(&t.fs, f, 1111, 2222)); /* utimensat */
    ck_assert_ok(sfs_stat_ino(&t.fs, f, &st));
    ck_assert_uint_eq(st.atime, 1111);
    ck_assert_uint_eq(st.mtime, 2222);
    ck_assert_ok(sfs_set_times_ino(&t.fs, d, 3, 4)); /* directories too */
    ck_assert_ok(sfs_stat_ino(&t.fs, d, &st));
    ck_assert_uint_eq(st.mtime, 4);
    char buf[16];
    ck_assert_int_eq(sfs_readlink_ino(&t.fs, s, buf, sizeof(buf)), 4);
    ck_assert_int_eq(sfs_readlink_ino(&t.fs, f, buf, sizeof(buf)), SFS_EINVAL);
    ck_assert_ok(sfs_rename_at(&t.fs, d, "file", 4, SFS_ROOT_INO, "moved", 5));
    ck_assert_uint_eq(ino_of(&t, "/moved"), f);
    ck_assert_ok(sfs_unlink_at(&t.fs, SFS_ROOT_INO, "hard", 4));
    ck_assert_ok(sfs_mkdir_at(&t.fs, d, "sub", 3, 0755, &g));
    ck_assert_int_eq(sfs_rmdir_at(&t.fs, SFS_ROOT_INO, "dir", 3), SFS_ENOTEMPTY);
    ck_assert_ok(sfs_rmdir_at(&t.fs, d, "sub", 3));
    /* Readdir by cookie. */
    uint64_t cookie = 0;
    struct sfs_dirent e;
    int n = 0;
    while (sfs_readdir_at(&t.fs, d, &cookie, &e) == 1)
        n++;
    ck_assert_int_eq(n, 3); /* ., .., sym */
    ck_assert_int_eq(sfs_readdir_at(&t.fs, f, &cookie, &e), SFS_ENOTDIR);
    ck_assert_ok(sfs_truncate_ino(&t.fs, f, 5000));
    ck_assert_ok(sfs_stat_ino(&t.fs, f, &st));
    ck_assert_uint_eq(st.size, 5000);
    ck_assert_int_eq(sfs_truncate_ino(&t.fs, d, 0), SFS_EISDIR);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(handles_follow_the_inode)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    ck_assert_ok(tfs_put(&t, "/log", "old-contents", 12));
    ck_assert_ok(tfs_put(&t, "/new", "n", 1));
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/log", SFS_O_RDWR | SFS_O_APPEND, 0));
    /* rename /new over the open /log: the handle keeps the old file. */
    ck_assert_ok(sfs_rename(&t.fs, "/new", "/log"));
    struct sfs_stat st;
    ck_assert_ok(sfs_fstat(&t.fs, &f, &st));
    ck_assert_uint_eq(st.size, 12);
    ck_assert_uint_eq(st.nlink, 0);
    ck_assert_int_eq(sfs_write(&t.fs, &f, "+", 1), 1); /* appends at 12, not at 1 */
    ck_assert_ok(sfs_fstat(&t.fs, &f, &st));
    ck_assert_uint_eq(st.size, 13);
    ck_assert_ok(sfs_ftruncate(&t.fs, &f, 4));
    ck_assert_ok(sfs_stat(&t.fs, "/log", &st));
    ck_assert_uint_eq(st.size, 1); /* the new file is untouched */
    ck_assert_int_eq(tfs_check(&t), 0);
    struct sfs_statfs before, after;
    ck_assert_ok(sfs_statfs(&t.fs, &before));
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_ok(sfs_statfs(&t.fs, &after));
    ck_assert_uint_eq(after.free_inodes, before.free_inodes + 1);
    /* A bare reference keeps an unlinked inode too. */
    ck_assert_ok(tfs_put(&t, "/x", "abc", 3));
    struct sfs_file ref;
    ck_assert_ok(sfs_iget(&t.fs, &ref, ino_of(&t, "/x")));
    ck_assert_int_eq(sfs_iget(&t.fs, &ref, ino_of(&t, "/x")), SFS_EBUSY);
    ck_assert_ok(sfs_unlink(&t.fs, "/x"));
    ck_assert_ok(sfs_fstat(&t.fs, &ref, &st));
    ck_assert_uint_eq(st.size, 3);
    ck_assert_ok(sfs_ftruncate(&t.fs, &ref, 0));
    ck_assert_int_eq(sfs_link_at(&t.fs, st.ino, SFS_ROOT_INO, "back", 4), SFS_ENOENT);
    ck_assert_ok(sfs_iput(&t.fs, &ref));
    ck_assert_int_eq(sfs_iput(&t.fs, &ref), SFS_EBADF);
    ck_assert_int_eq(sfs_iget(&t.fs, &ref, 0), SFS_ECORRUPT);
    /* Open by number: directories read-only. */
    ck_assert_ok(sfs_open_ino(&t.fs, &f, SFS_ROOT_INO, SFS_O_RDONLY));
    struct sfs_dirent e;
    ck_assert_int_eq(sfs_dir_read(&t.fs, &f, &e), 1);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(sfs_open_ino(&t.fs, &f, SFS_ROOT_INO, SFS_O_RDWR), SFS_EISDIR);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

/* ---- the generic walker over a toy tree ---- */

/* Nodes: 1 "/", 2 "/d" (dir), 3 "/d/f", 4 "/l" -> "d/f", 5 "/loop" -> "loop",
 * 6 "/abs" -> "/d". Counts references to check get/put balance. */
struct toy {
    int refs;
};

static int toy_lookup(void *ctx, uint64_t dir, const char *name, size_t len, uint64_t *out)
{
    struct toy *t = ctx;
    static const struct {
        uint64_t dir;
        const char *name;
        uint64_t node;
    } tab[] = { { 1, "d", 2 },    { 2, "f", 3 },    { 1, "l", 4 },  { 1, "loop", 5 },
                { 1, "abs", 6 },  { 2, "..", 1 },   { 1, "..", 1 } };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (tab[i].dir == dir && strlen(tab[i].name) == len && !memcmp(tab[i].name, name, len)) {
            t->refs++;
            *out = tab[i].node;
            return 0;
        }
    return SFS_ENOENT;
}

static int toy_kind(void *ctx, uint64_t node)
{
    (void)ctx;
    return node <= 2 ? SFS_WALK_DIR : node == 3 ? SFS_WALK_OTHER : SFS_WALK_SYMLINK;
}

static long toy_readlink(void *ctx, uint64_t node, char *buf, size_t size)
{
    (void)ctx;
    const char *t = node == 4 ? "d/f" : node == 5 ? "loop" : "/d";
    size_t n = strlen(t);
    if (n <= size)
        memcpy(buf, t, n);
    return (long)n;
}

static uint64_t toy_get(void *ctx, uint64_t node)
{
    ((struct toy *)ctx)->refs++;
    return node;
}

static void toy_put(void *ctx, uint64_t node)
{
    (void)node;
    ((struct toy *)ctx)->refs--;
}

static const struct sfs_walk_ops toy_ops = { toy_lookup, toy_kind, toy_readlink, toy_get,
                                             toy_put };

static int toy_walk(struct toy *t, const char *path, int flags, uint64_t *node, size_t bufsz)
{
    char buf[64];
    struct sfs_walk w = { .ops = &toy_ops, .ctx = t, .root = 1, .start = 2, .buf = buf,
                          .buf_size = bufsz };
    int r = sfs_walk_path(&w, path, flags);
    if (r == 0) {
        *node = w.node;
        toy_put(t, w.node);
    }
    return r;
}

START_TEST(generic_walker)
{
    struct toy t = { 0 };
    uint64_t n = 0;
    ck_assert_ok(toy_walk(&t, "/d/f", 0, &n, 64));
    ck_assert_uint_eq(n, 3);
    ck_assert_ok(toy_walk(&t, "f", 0, &n, 64)); /* relative: from start */
    ck_assert_uint_eq(n, 3);
    ck_assert_ok(toy_walk(&t, "/l", SFS_WALK_FOLLOW, &n, 64));
    ck_assert_uint_eq(n, 3);
    ck_assert_ok(toy_walk(&t, "/l", 0, &n, 64));
    ck_assert_uint_eq(n, 4);
    ck_assert_ok(toy_walk(&t, "/abs/f", 0, &n, 64));
    ck_assert_uint_eq(n, 3);
    ck_assert_ok(toy_walk(&t, "/abs/", 0, &n, 64)); /* trailing slash follows */
    ck_assert_uint_eq(n, 2);
    ck_assert_ok(toy_walk(&t, "/d/./../d/", 0, &n, 64));
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(toy_walk(&t, "/d/f/", 0, &n, 64), SFS_ENOTDIR);
    ck_assert_int_eq(toy_walk(&t, "/d/f/x", 0, &n, 64), SFS_ENOTDIR);
    ck_assert_int_eq(toy_walk(&t, "/loop", SFS_WALK_FOLLOW, &n, 64), SFS_ELOOP);
    ck_assert_int_eq(toy_walk(&t, "/nope", 0, &n, 64), SFS_ENOENT);
    ck_assert_int_eq(toy_walk(&t, "", 0, &n, 64), SFS_ENOENT);
    /* The target need not fit beside the rest of the path, only on its own. */
    ck_assert_int_eq(toy_walk(&t, "/l/", 0, &n, 4), SFS_ENOTDIR);
    ck_assert_int_eq(toy_walk(&t, "/l", SFS_WALK_FOLLOW, &n, 3), SFS_ENAMETOOLONG);
    ck_assert_int_eq(toy_walk(&t, "/abcdefgh", 0, &n, 8), SFS_ENAMETOOLONG);
    ck_assert_int_eq(t.refs, 0); /* every reference taken was dropped */
    /* Parent mode: the last name, or none when the path names a directory. */
    char buf[64];
    struct sfs_walk w = { .ops = &toy_ops, .ctx = &t, .root = 1, .start = 1, .buf = buf,
                          .buf_size = sizeof(buf), .name_max = 4 };
    ck_assert_ok(sfs_walk_path(&w, "/abs/new", SFS_WALK_PARENT));
    ck_assert_uint_eq(w.node, 2);
    ck_assert_uint_eq(w.name_len, 3);
    ck_assert_mem_eq(w.name, "new", 3);
    toy_put(&t, w.node);
    ck_assert_ok(sfs_walk_path(&w, "/d/..//", SFS_WALK_PARENT));
    ck_assert_uint_eq(w.node, 2);
    ck_assert_mem_eq(w.name, "..", 2);
    ck_assert(w.trailing_slash);
    toy_put(&t, w.node);
    ck_assert_ok(sfs_walk_path(&w, "/", SFS_WALK_PARENT));
    ck_assert_ptr_null(w.name);
    toy_put(&t, w.node);
    ck_assert_int_eq(sfs_walk_path(&w, "/abcde", 0), SFS_ENAMETOOLONG);
    ck_assert_int_eq(sfs_walk_path(NULL, "/", 0), SFS_EINVAL);
    ck_assert_int_eq(t.refs, 0);
}
END_TEST

START_TEST(crc32_chains)
{
    ck_assert_uint_eq(sfs_crc32(0, "123456789", 9), 0xCBF43926u);
    ck_assert_uint_eq(sfs_crc32(sfs_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
    ck_assert_uint_eq(sfs_crc32(0, "", 0), 0);
    ck_assert_uint_eq(sfs_crc32(0, "a", 1), 0xE8B7BE43u);
}
END_TEST

struct lockcount {
    int locks, unlocks;
};

static struct lockcount lc;
static void lc_lock(void *ctx)
{
    (void)ctx;
    lc.locks++;
}
static void lc_unlock(void *ctx)
{
    (void)ctx;
    lc.unlocks++;
}

START_TEST(mounted_check_under_the_lock)
{
    struct tfs t;
    tfs_setup(&t, 1u << 20, 1024);
    ck_assert_ok(sfs_unmount(&t.fs));
    t.cfg.lock = lc_lock;
    t.cfg.unlock = lc_unlock;
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    memset(&lc, 0, sizeof(lc));
    struct sfs_stat st;
    ck_assert_ok(sfs_stat(&t.fs, "/", &st));
    ck_assert_int_eq(lc.locks, 1);
    ck_assert_ok(sfs_unmount(&t.fs));
    /* Calls on an unmounted volume take the lock to find out. */
    memset(&lc, 0, sizeof(lc));
    ck_assert_int_eq(sfs_stat(&t.fs, "/", &st), SFS_EINVAL);
    ck_assert_int_eq(sfs_create(&t.fs, "/x", 0644), SFS_EINVAL);
    ck_assert_int_eq(sfs_unmount(&t.fs), SFS_EINVAL);
    ck_assert_int_eq(lc.locks, 3);
    ck_assert_int_eq(lc.unlocks, 3);
    tfs_teardown(&t);
}
END_TEST

Suite *inode_suite(void)
{
    Suite *s = suite_create("inode");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, ops_by_directory_inode);
    tcase_add_test(tc, handles_follow_the_inode);
    tcase_add_test(tc, generic_walker);
    tcase_add_test(tc, crc32_chains);
    tcase_add_test(tc, mounted_check_under_the_lock);
    suite_add_tcase(s, tc);
    return s;
}
