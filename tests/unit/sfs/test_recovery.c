/*
 * test_recovery.c - what a mount after a crash must finish: the orphan list
 * (open-but-unlinked files, truncations that committed part way) and a
 * committed transaction still in the journal, on read-write and read-only
 * mounts.
 *
 * A crash here is: cut the power (every later write is lost), let the volume
 * go (the calls still return, their writes vanish), heal the device and
 * mount again. Each test also runs once without the mechanism it checks and
 * shows the difference (space stays lost without the orphan list; without
 * replay the volume is not the committed one).
 */
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *recovery_suite(void);

/* Messages of the log hook this file counts. */
static int recovered, replayed;

static void count_log(void *ctx, const char *msg, uint64_t a, uint64_t b)
{
    (void)ctx, (void)a, (void)b;
    if (!strcmp(msg, "orphan inode recovered"))
        recovered++;
    else if (!strcmp(msg, "journal replayed"))
        replayed++;
}

static void setup(struct tfs *t, uint32_t bs, uint32_t journal_blocks)
{
    struct sfs_format_opts o = { .block_size = bs, .journal_blocks = journal_blocks };
    tfs_setup_opts(t, 4u << 20, &o, 32);
    t->cfg.log = count_log;
    recovered = replayed = 0;
}

static uint32_t free_blocks(struct tfs *t)
{
    struct sfs_statfs st;
    ck_assert_ok(sfs_statfs(&t->fs, &st));
    return (uint32_t)st.free_blocks;
}

/* From now on every write is lost. */
static void power_cut(struct tfs *t)
{
    t->rd.power_cut_after = 0;
}

/* The crash: nothing more reaches the disk; the memory is let go, then the
 * device heals and the volume is mounted again. */
static void crash_and_mount(struct tfs *t, struct sfs_file *open, int nopen)
{
    power_cut(t);
    for (int i = 0; i < nopen; i++)
        sfs_close(&t->fs, &open[i]);
    sfs_unmount(&t->fs);
    sfs_ramdev_heal(&t->rd);
    ck_assert_ok(sfs_mount(&t->fs, &t->rd.dev, &t->cfg));
    ck_assert_int_eq(tfs_check(t), 0);
}

static void put_pattern(struct tfs *t, const char *path, size_t len, uint32_t seed)
{
    void *data = malloc(len);
    tfs_fill(data, len, seed);
    ck_assert_ok(tfs_put(t, path, data, len));
    free(data);
}

/* Files open and unlinked at the crash: their space comes back at the next
 * mount (of three on the list, the oldest - its tail - is closed first). */
START_TEST(open_unlinked_files_freed_after_crash)
{
    struct tfs t;
    setup(&t, 1024, 0);
    ck_assert_ok(sfs_sync(&t.fs));
    uint32_t before = free_blocks(&t);
    const char *names[3] = { "/a", "/b", "/c" };
    struct sfs_file f[3];
    for (int i = 0; i < 3; i++) {
        put_pattern(&t, names[i], 40000 + 5000 * (size_t)i, (uint32_t)i);
        ck_assert_ok(sfs_open(&t.fs, &f[i], names[i], SFS_O_RDWR, 0));
        ck_assert_ok(sfs_unlink(&t.fs, names[i]));
    }
    /* Still readable and writable through the handles. */
    char buf[8];
    ck_assert_int_eq(sfs_write(&t.fs, &f[2], "appended", 8), 8);
    ck_assert_int_eq(sfs_seek(&t.fs, &f[0], 0, SFS_SEEK_SET), 0);
    ck_assert_int_eq(sfs_read(&t.fs, &f[0], buf, sizeof(buf)), (long)sizeof(buf));
    /* Closing the oldest frees it now and unlinks it from the list's tail. */
    ck_assert_ok(sfs_close(&t.fs, &f[0]));
    ck_assert_ok(sfs_sync(&t.fs));
    ck_assert_uint_lt(free_blocks(&t), before);
    ck_assert_uint_ne(t.fs.orphan_head, 0);
    crash_and_mount(&t, &f[1], 2);
    ck_assert_int_eq(recovered, 2);
    ck_assert_uint_eq(t.fs.orphan_head, 0);
    ck_assert_uint_eq(free_blocks(&t), before);
    ck_assert_int_eq(tfs_count(&t, "/"), 0);
    tfs_teardown(&t);
}
END_TEST

/* The same without a journal (no orphan list): the volume mounts, but the
 * space of the open-unlinked file stays lost until fsck repairs it. */
START_TEST(without_journal_the_space_stays_lost)
{
    struct tfs t;
    setup(&t, 1024, UINT32_MAX);
    ck_assert_ok(sfs_sync(&t.fs));
    uint32_t before = free_blocks(&t);
    struct sfs_file f;
    put_pattern(&t, "/a", 40000, 1);
    ck_assert_ok(sfs_open(&t.fs, &f, "/a", SFS_O_RDWR, 0));
    ck_assert_ok(sfs_unlink(&t.fs, "/a"));
    ck_assert_ok(sfs_sync(&t.fs));
    power_cut(&t);
    sfs_close(&t.fs, &f);
    sfs_unmount(&t.fs);
    sfs_ramdev_heal(&t.rd);
    ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
    ck_assert_int_eq(recovered, 0);
    ck_assert_uint_lt(free_blocks(&t), before);
    /* A leaked inode and its blocks. */
    ck_assert_int_gt(sfs_check(&t.fs, NULL, 0, NULL, NULL), 0);
    tfs_teardown(&t);
}
END_TEST

/*
 * Truncating a big file with a small journal commits part way (the file goes
 * on the orphan list first, already at its new size). Cut the power at every
 * write of the truncation: after the mount the file has its old size and
 * contents or the new size, the volume checks clean, and the space is all
 * back when the truncation had begun to commit.
 */
START_TEST(long_truncate_finished_after_crash)
{
    const size_t big = 1200 * 1024;
    uint64_t writes = 0;
    int mid = 0;
    for (uint64_t cut = 0;; cut++) {
        struct tfs t;
        setup(&t, 1024, 32);
        ck_assert_ok(sfs_sync(&t.fs));
        uint32_t empty = free_blocks(&t);
        put_pattern(&t, "/big", big, 7);
        ck_assert_ok(sfs_sync(&t.fs));
        uint64_t w0 = t.rd.writes;
        t.rd.power_cut_after = (long)cut;
        uint64_t commits = t.fs.stat_commits;
        int r = sfs_truncate(&t.fs, "/big", 100);
        bool cut_happened = t.rd.cut;
        if (!cut_happened) { /* the cut point lies past the whole truncation */
            ck_assert_ok(r);
            writes = t.rd.writes - w0;
            ck_assert_uint_gt(t.fs.stat_commits - commits, 1); /* it did commit part way */
            tfs_teardown(&t);
            break;
        }
        sfs_unmount(&t.fs);
        sfs_ramdev_heal(&t.rd);
        ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
        ck_assert_int_eq(tfs_check(&t), 0);
        void *data = NULL;
        long n = tfs_get(&t, "/big", &data);
        void *want = malloc(big);
        tfs_fill(want, big, 7);
        ck_assert_msg(n == (long)big || n == 100, "cut %llu: size %ld", (unsigned long long)cut, n);
        ck_assert_int_eq(memcmp(data, want, (size_t)n), 0);
        if (n == 100) {
            ck_assert_uint_eq(free_blocks(&t), empty - 1);
            mid += recovered > 0;
        }
        free(data);
        free(want);
        tfs_teardown(&t);
    }
    ck_assert_uint_gt(writes, 10);
    ck_assert_int_gt(mid, 0); /* some cuts fell between two of its commits */
}
END_TEST

/* Cut the power while a sync commits, at each of its writes. Whenever the
 * commit block made it, a read-only mount reports the transaction (and
 * sfs_check() says so) without writing a byte; a read-write mount then
 * replays it, and the volume is the committed one. */
START_TEST(committed_transaction_replayed_not_on_read_only_mount)
{
    int pending = 0;
    for (long cut = 0;; cut++) {
        struct tfs t;
        setup(&t, 1024, 0);
        ck_assert_ok(sfs_mkdir(&t.fs, "/d", 0755));
        ck_assert_ok(sfs_sync(&t.fs));
        for (int i = 0; i < 20; i++) {
            char name[32];
            snprintf(name, sizeof(name), "/d/f%02d", i);
            put_pattern(&t, name, 3000, (uint32_t)i);
        }
        t.rd.power_cut_after = cut;
        ck_assert_ok(sfs_sync(&t.fs)); /* the device pretends to write */
        bool done = !t.rd.cut;
        sfs_unmount(&t.fs);
        sfs_ramdev_heal(&t.rd);
        struct sfs_config ro = t.cfg;
        ro.mount_flags = SFS_MOUNT_RDONLY;
        uint64_t w0 = t.rd.writes;
        ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &ro));
        int was_pending = t.fs.needs_recovery;
        long problems = sfs_check(&t.fs, NULL, 0, NULL, NULL);
        ck_assert_ok(sfs_unmount(&t.fs));
        ck_assert_uint_eq(t.rd.writes, w0); /* nothing written */
        if (was_pending) {
            pending++;
            ck_assert_int_gt(problems, 0);
        }
        ck_assert_ok(sfs_mount(&t.fs, &t.rd.dev, &t.cfg));
        ck_assert_int_eq(replayed, was_pending);
        ck_assert_int_eq(tfs_check(&t), 0);
        if (was_pending) /* replayed: every file is there */
            ck_assert_int_eq(tfs_count(&t, "/d"), 20);
        tfs_teardown(&t);
        if (done)
            break;
    }
    ck_assert_int_gt(pending, 0);
}
END_TEST

Suite *recovery_suite(void)
{
    Suite *s = suite_create("recovery");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, open_unlinked_files_freed_after_crash);
    tcase_add_test(tc, without_journal_the_space_stays_lost);
    tcase_add_test(tc, long_truncate_finished_after_crash);
    tcase_add_test(tc, committed_transaction_replayed_not_on_read_only_mount);
    suite_add_tcase(s, tc);
    return s;
}
