/*
 * test_errors.c - injected device faults: every failing call returns SFS_EIO
 * (never crashes, never leaks); with a journal big enough to hold the work,
 * write failures lose nothing once the device heals; with a journal, any
 * read or write failure at any point leaves a volume that mounts and checks
 * clean; without one, an image the library mounts or rejects without
 * crashing. (Power loss: test_powerloss.c.)
 */
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *errors_suite(void);

/* After a power cut a volume without a journal may be inconsistent: then
 * SFS_ECORRUPT is an acceptable answer too. */
static bool allow_corrupt;

static bool ok_or(long r, long also)
{
    return r >= 0 || r == SFS_EIO || r == also || (allow_corrupt && r == SFS_ECORRUPT);
}

/* A workload touching every layer; asserts each result is success or EIO. */
static void workload(struct tfs *t, int salt)
{
    static uint8_t buf[6000];
    tfs_fill(buf, sizeof(buf), (uint32_t)salt);
    char p[64];
    for (int i = 0; i < 6; i++) {
        snprintf(p, sizeof(p), "/w%d", i);
        long r = sfs_mkdir(&t->fs, p, 0755);
        ck_assert_msg(ok_or(r, SFS_EEXIST), "mkdir %ld", r);
        snprintf(p, sizeof(p), "/w%d/f", i);
        r = tfs_put(t, p, buf, sizeof(buf) - (size_t)i * 100);
        ck_assert_msg(ok_or(r, SFS_ENOENT), "put %ld", r);
    }
    long r = sfs_rename(&t->fs, "/w1/f", "/w2/g");
    ck_assert_msg(ok_or(r, SFS_ENOENT), "rename %ld", r);
    r = sfs_unlink(&t->fs, "/w3/f");
    ck_assert_msg(ok_or(r, SFS_ENOENT), "unlink %ld", r);
    r = sfs_truncate(&t->fs, "/w4/f", 100);
    ck_assert_msg(ok_or(r, SFS_ENOENT), "truncate %ld", r);
    r = sfs_symlink(&t->fs, "/w0/f", "/sl");
    ck_assert_msg(ok_or(r, SFS_EEXIST), "symlink %ld", r);
    r = sfs_link(&t->fs, "/w0/f", "/hard");
    ck_assert_msg(ok_or(r, SFS_EEXIST) || r == SFS_ENOENT, "link %ld", r);
    struct sfs_stat st;
    r = sfs_stat(&t->fs, "/sl", &st);
    ck_assert_msg(ok_or(r, SFS_ENOENT), "stat %ld", r);
    void *d = NULL;
    r = tfs_get(t, "/w5/f", &d);
    ck_assert_msg(ok_or(r, SFS_ENOENT), "get %ld", r);
    free(d);
    r = tfs_count(t, "/");
    r = sfs_sync(&t->fs);
    ck_assert_msg(ok_or(r, 0), "sync %ld", r);
}

START_TEST(write_failures_big_cache_lose_nothing)
{
    /* 256 buffers hold the whole workload: failures only hit sync. */
    for (long n = 0; n < 6; n++) {
        struct tfs t;
        struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = 256 };
        tfs_setup_opts(&t, 1u << 20, &o, 256);
        t.rd.fail_writes_after = n;
        workload(&t, 1);
        sfs_ramdev_heal(&t.rd);
        ck_assert_ok(sfs_sync(&t.fs));
        ck_assert_int_eq(tfs_check(&t), 0);
        tfs_remount(&t);
        ck_assert_int_eq(tfs_check(&t), 0);
        ck_assert_int_eq(tfs_count(&t, "/"), 8);
        tfs_teardown(&t);
    }
}
END_TEST

START_TEST(faults_at_every_point)
{
    /* A small cache forces evictions mid-operation; fail the Nth read or
     * write. With the journal (_i < 2) the half-done call aborts it and the
     * volume is clean at the next mount; without (_i >= 2) it need not be. */
    bool reads = _i % 2 == 1, journal = _i < 2;
    for (long n = 0; n < 400; n += 7) {
        struct tfs t;
        struct sfs_format_opts o = { .block_size = 1024,
                                     .journal_blocks = journal ? 0 : UINT32_MAX };
        tfs_setup_opts(&t, 1u << 20, &o, 8);
        if (reads)
            t.rd.fail_reads_after = n;
        else
            t.rd.fail_writes_after = n;
        workload(&t, 2);
        sfs_ramdev_heal(&t.rd);
        int u = sfs_unmount(&t.fs);
        ck_assert(u == 0 || u == SFS_EIO);
        ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
        long p = sfs_check(&t.fs, NULL, 0, NULL, NULL);
        if (journal)
            ck_assert_msg(p == 0, "fault after %ld %s: %ld problems", n, reads ? "reads" : "writes",
                          p);
        else
            ck_assert_int_ge(p, 0);
        workload(&t, 3); /* the volume stays usable */
        tfs_teardown(&t);
    }
}
END_TEST

START_TEST(power_cut_after_n_writes)
{
    /* Without a journal: a cut image may be inconsistent, never a crash. */
    int mounted = 0, clean = 0;
    /* Reads after the cut return stale blocks: even the first run may see corruption. */
    allow_corrupt = true;
    for (long n = 0; n < 200; n += 3) {
        struct tfs t;
        struct sfs_format_opts o = { .block_size = 1024, .journal_blocks = UINT32_MAX };
        tfs_setup_opts(&t, 1u << 20, &o, 8 + (uint32_t)(n % 3) * 8);
        ck_assert_ok(sfs_mkdir(&t.fs, "/base", 0755));
        ck_assert_ok(sfs_sync(&t.fs));
        t.rd.power_cut_after = n;
        workload(&t, 4);
        ck_assert_ok(sfs_unmount(&t.fs)); /* writes vanish silently */
        sfs_ramdev_heal(&t.rd);
        if (sfs_mount(&t.fs, &t.rd.dev, &t.cfg) == 0) {
            mounted++;
            long p = sfs_check(&t.fs, NULL, 0, NULL, NULL);
            ck_assert_int_ge(p, 0);
            clean += p == 0;
            workload(&t, 5);
            (void)sfs_unmount(&t.fs);
        }
        ck_assert_int_eq(t.allocs, 0);
        sfs_ramdev_free(&t.rd);
    }
    allow_corrupt = false;
    ck_assert_int_gt(mounted, 0);
    ck_assert_int_gt(clean, 0);
    if (getenv("SFS_TEST_LOG"))
        fprintf(stderr, "power cut: %d mounted, %d clean\n", mounted, clean);
}
END_TEST

Suite *errors_suite(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, write_failures_big_cache_lose_nothing);
    tcase_add_loop_test(tc, faults_at_every_point, 0, 4);
    tcase_add_test(tc, power_cut_after_n_writes);
    suite_add_tcase(s, tc);
    return s;
}
