/*
 * test_dir.c - directory layer: many entries, index growth, long names,
 * slot reuse, readdir stability under modification, mkdir/rmdir.
 */
#include "../../../libsfs/sfs_priv.h"
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *dir_suite(void);

static const uint32_t block_sizes[] = { 1024, 4096 };

START_TEST(many_entries)
{
    struct tfs t;
    struct sfs_format_opts o = { .block_size = block_sizes[_i], .inode_count = 4096 };
    tfs_setup_opts(&t, 16u << 20, &o, 0);
    ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
    char name[64];
    const int n = 3000;
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "/d/file-%d", i);
        ck_assert_ok(sfs_create(&t.fs, name, 0644));
    }
    ck_assert_int_eq(tfs_count(&t, "/d"), n);
    struct sfs_res res;
    ck_assert_ok(sfs_resolve(&t.fs, SFS_ROOT_INO, "/d", 0, &res));
    struct sfs_inode dp;
    ck_assert_ok(sfs_inode_read(&t.fs, res.ino, &dp));
    ck_assert_uint_ge(dp.dir_icap, 2 * (n + 2));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_remount(&t);
    for (int i = 0; i < n; i += 2) {
        snprintf(name, sizeof(name), "/d/file-%d", i);
        ck_assert_ok(sfs_unlink(&t.fs, name));
    }
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "/d/file-%d", i);
        struct sfs_stat st;
        ck_assert_int_eq(sfs_stat(&t.fs, name, &st), i % 2 ? 0 : SFS_ENOENT);
    }
    ck_assert_int_eq(tfs_count(&t, "/d"), n / 2);
    ck_assert_int_eq(tfs_check(&t), 0);
    /* Freed slots are reused: the directory does not grow. */
    ck_assert_ok(sfs_inode_read(&t.fs, res.ino, &dp));
    uint32_t slots = dp.dir_slots;
    for (int i = 0; i < n; i += 2) {
        snprintf(name, sizeof(name), "/d/again-%d", i);
        ck_assert_ok(sfs_create(&t.fs, name, 0644));
    }
    ck_assert_ok(sfs_inode_read(&t.fs, res.ino, &dp));
    ck_assert_uint_eq(dp.dir_slots, slots);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(name_lengths)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    char path[300];
    path[0] = '/';
    memset(path + 1, 'n', 255);
    path[256] = 0;
    ck_assert_ok(sfs_create(&t.fs, path, 0644));
    path[256] = 'n';
    path[257] = 0;
    ck_assert_int_eq(sfs_create(&t.fs, path, 0644), SFS_ENAMETOOLONG);
    ck_assert_int_eq(sfs_stat(&t.fs, path, &(struct sfs_stat){ 0 }), SFS_ENAMETOOLONG);
    struct sfs_dir d;
    struct sfs_dirent e;
    ck_assert_ok(sfs_dir_open(&t.fs, &d, "/"));
    int found = 0;
    while (sfs_dir_read(&t.fs, &d, &e) == 1)
        if (e.name_len == 255)
            found++;
    ck_assert_ok(sfs_dir_close(&t.fs, &d));
    ck_assert_int_eq(found, 1);
    /* Names with odd bytes. */
    ck_assert_ok(sfs_create(&t.fs, "/sp ace\x01\xff", 0644));
    ck_assert_ok(sfs_stat(&t.fs, "/sp ace\x01\xff", &(struct sfs_stat){ 0 }));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(readdir_stable_under_modification)
{
    struct tfs t;
    tfs_setup(&t, 4u << 20, 1024);
    char name[64];
    const int n = 200;
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "/e%d", i);
        ck_assert_ok(sfs_create(&t.fs, name, 0644));
    }
    int seen[200] = { 0 };
    struct sfs_dir d;
    struct sfs_dirent e;
    ck_assert_ok(sfs_dir_open(&t.fs, &d, "/"));
    int k = 0, r;
    while ((r = sfs_dir_read(&t.fs, &d, &e)) == 1) {
        int i;
        if (sscanf(e.name, "e%d", &i) == 1 && e.name[0] == 'e')
            seen[i]++;
        /* Remove the odd ones as we go (some already seen, some not), and add new names. */
        if (k < n / 2) {
            snprintf(name, sizeof(name), "/e%d", 2 * k + 1);
            sfs_unlink(&t.fs, name);
            snprintf(name, sizeof(name), "/new%d", k);
            ck_assert_ok(sfs_create(&t.fs, name, 0644));
            k++;
        }
    }
    ck_assert_int_eq(r, 0);
    /* Every even entry (never touched) is seen exactly once. */
    for (int i = 0; i < n; i += 2)
        ck_assert_int_eq(seen[i], 1);
    for (int i = 1; i < n; i += 2)
        ck_assert_int_le(seen[i], 1);
    ck_assert_ok(sfs_dir_rewind(&t.fs, &d));
    int total = 0;
    while (sfs_dir_read(&t.fs, &d, &e) == 1)
        total++;
    ck_assert_int_eq(total, 2 + n / 2 + n / 2);
    ck_assert_ok(sfs_dir_close(&t.fs, &d));
    ck_assert_int_eq(sfs_dir_read(&t.fs, &d, &e), SFS_EBADF);
    ck_assert_int_eq(sfs_dir_rewind(&t.fs, &d), SFS_EBADF);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(mkdir_rmdir)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    struct sfs_statfs s0, s1;
    ck_assert_ok(sfs_statfs(&t.fs, &s0));
    ck_assert_ok(sfs_mkdir(&t.fs, "/a", 0755));
    ck_assert_ok(sfs_mkdir(&t.fs, "/a/b", 0700));
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/a/b", 0700), SFS_EEXIST);
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/a/b/", 0700), SFS_EEXIST);
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/", 0700), SFS_EEXIST);
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/a/.", 0700), SFS_EEXIST);
    ck_assert_int_eq(sfs_mkdir(&t.fs, "/x/y", 0700), SFS_ENOENT);
    ck_assert_ok(sfs_mkdir(&t.fs, "/a/c/", 0700));
    struct sfs_stat st;
    ck_assert_ok(sfs_stat(&t.fs, "/a", &st));
    ck_assert_uint_eq(st.nlink, 4);
    ck_assert_ok(sfs_stat(&t.fs, "/", &st));
    ck_assert_uint_eq(st.nlink, 3);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/a"), SFS_ENOTEMPTY);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/"), SFS_EBUSY);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/a/."), SFS_EINVAL);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/a/b/.."), SFS_ENOTEMPTY);
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/a/zz"), SFS_ENOENT);
    ck_assert_ok(tfs_put(&t, "/a/f", "x", 1));
    ck_assert_int_eq(sfs_rmdir(&t.fs, "/a/f"), SFS_ENOTDIR);
    ck_assert_int_eq(sfs_unlink(&t.fs, "/a/b"), SFS_EISDIR);
    ck_assert_int_eq(sfs_unlink(&t.fs, "/a/f/"), SFS_ENOTDIR);
    ck_assert_ok(sfs_unlink(&t.fs, "/a/f"));
    ck_assert_ok(sfs_rmdir(&t.fs, "/a/b/"));
    ck_assert_ok(sfs_rmdir(&t.fs, "/a/c"));
    ck_assert_ok(sfs_stat(&t.fs, "/a", &st));
    ck_assert_uint_eq(st.nlink, 2);
    ck_assert_ok(sfs_rmdir(&t.fs, "/a"));
    ck_assert_ok(sfs_statfs(&t.fs, &s1));
    ck_assert_uint_eq(s1.free_blocks, s0.free_blocks);
    ck_assert_uint_eq(s1.free_inodes, s0.free_inodes);
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(rmdir_open_dir)
{
    struct tfs t;
    tfs_setup(&t, 2u << 20, 1024);
    ck_assert_ok(sfs_mkdir(&t.fs, "/a", 0755));
    struct sfs_dir d;
    struct sfs_dirent e;
    ck_assert_ok(sfs_dir_open(&t.fs, &d, "/a"));
    ck_assert_ok(sfs_rmdir(&t.fs, "/a"));
    ck_assert_int_eq(sfs_dir_read(&t.fs, &d, &e), 0);
    ck_assert_int_eq(sfs_create(&t.fs, "/a/x", 0644), SFS_ENOENT);
    ck_assert_ok(sfs_dir_close(&t.fs, &d));
    ck_assert_int_eq(sfs_dir_open(&t.fs, &d, "/a"), SFS_ENOENT);
    ck_assert_ok(tfs_put(&t, "/f", "x", 1));
    ck_assert_int_eq(sfs_dir_open(&t.fs, &d, "/f"), SFS_ENOTDIR);
    ck_assert_ok(sfs_dir_open(&t.fs, &d, "/"));
    ck_assert_int_eq(sfs_dir_open(&t.fs, &d, "/"), SFS_EBUSY);
    ck_assert_int_eq(sfs_read(&t.fs, &d, &e, 1), SFS_EBADF);
    ck_assert_ok(sfs_dir_close(&t.fs, &d));
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

START_TEST(index_collisions_and_removal_order)
{
    /* Fill a directory to its first index size and remove in an interleaved
     * order, so backward-shift deletion handles wrapped probe runs. */
    struct tfs t;
    tfs_setup(&t, 4u << 20, 1024);
    char name[32];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 63; i++) {
            snprintf(name, sizeof(name), "/k%d", i);
            ck_assert_ok(sfs_create(&t.fs, name, 0644));
        }
        for (int step = 0; step < 7; step++)
            for (int i = step; i < 63; i += 7) {
                snprintf(name, sizeof(name), "/k%d", i);
                ck_assert_ok(sfs_unlink(&t.fs, name));
                if (i % 5 == 0)
                    ck_assert_int_eq(tfs_check(&t), 0);
            }
        ck_assert_int_eq(tfs_count(&t, "/"), 0);
    }
    ck_assert_int_eq(tfs_check(&t), 0);
    tfs_teardown(&t);
}
END_TEST

Suite *dir_suite(void)
{
    Suite *s = suite_create("dir");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, many_entries, 0, 2);
    tcase_add_test(tc, name_lengths);
    tcase_add_test(tc, readdir_stable_under_modification);
    tcase_add_test(tc, mkdir_rmdir);
    tcase_add_test(tc, rmdir_open_dir);
    tcase_add_test(tc, index_collisions_and_removal_order);
    suite_add_tcase(s, tc);
    return s;
}
