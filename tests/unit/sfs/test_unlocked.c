/*
 * test_unlocked.c - reads that let the volume's lock go while the device
 * reads file data (sfs_config::io_unlock/io_lock): the hooks are called
 * around uncached streaming reads only, a port that declines keeps the lock,
 * and a block freed and reused while the lock was down is never returned as
 * the reader's data: the read looks at the inode again and reads that piece
 * with the lock held.
 */
#include "sfs_test.h"
#include <stdlib.h>
#include <string.h>

Suite *unlocked_suite(void);

#define FILE_BYTES (1024u * 1024u)

static struct tfs t;
static int unlocks, relocks, declined;
static int answer;              /* what io_unlock returns */
static void (*meanwhile)(void); /* what "another thread" does while the lock is down */

static int t_io_unlock(void *ctx)
{
    ck_assert_ptr_eq(ctx, &t);
    if (!answer) {
        declined++;
        return 0;
    }
    unlocks++;
    if (meanwhile) {
        void (*f)(void) = meanwhile;
        meanwhile = NULL; /* once */
        f();
    }
    return 1;
}

static void t_io_lock(void *ctx)
{
    ck_assert_ptr_eq(ctx, &t);
    relocks++;
    ck_assert_int_eq(relocks, unlocks);
}

/* A volume with /a (FILE_BYTES of seed 1), remounted with the hooks and a
 * cold cache. */
static void setup(void)
{
    tfs_setup(&t, 16u * 1024u * 1024u, 4096);
    void *data = malloc(FILE_BYTES);
    tfs_fill(data, FILE_BYTES, 1);
    ck_assert_ok(tfs_put(&t, "/a", data, FILE_BYTES));
    free(data);
    t.cfg.io_unlock = t_io_unlock;
    t.cfg.io_lock = t_io_lock;
    tfs_remount(&t);
    unlocks = relocks = declined = 0;
    answer = 1;
    meanwhile = NULL;
}

static long read_a(void *buf)
{
    struct sfs_file f;
    ck_assert_ok(sfs_open(&t.fs, &f, "/a", SFS_O_RDONLY, 0));
    long n = sfs_pread(&t.fs, &f, buf, FILE_BYTES, 0);
    ck_assert_ok(sfs_close(&t.fs, &f));
    return n;
}

START_TEST(uncached_reads_let_the_lock_go)
{
    setup();
    uint8_t *buf = malloc(FILE_BYTES), *want = malloc(FILE_BYTES);
    tfs_fill(want, FILE_BYTES, 1);
    ck_assert_int_eq(read_a(buf), FILE_BYTES);
    ck_assert_mem_eq(buf, want, FILE_BYTES);
    ck_assert_int_gt(unlocks, 0);
    ck_assert_int_eq(relocks, unlocks);
    ck_assert_uint_eq(t.fs.stat_unlocked_reads, (uint64_t)unlocks);
    /* Small reads and cached blocks never let it go. */
    struct sfs_file f;
    int before = unlocks;
    ck_assert_ok(sfs_open(&t.fs, &f, "/a", SFS_O_RDONLY, 0));
    ck_assert_int_eq(sfs_pread(&t.fs, &f, buf, 4096, 8192), 4096);
    ck_assert_mem_eq(buf, want + 8192, 4096);
    ck_assert_ok(sfs_close(&t.fs, &f));
    ck_assert_int_eq(unlocks, before);
    free(buf);
    free(want);
    tfs_teardown(&t);
}
END_TEST

START_TEST(a_port_that_declines_keeps_the_lock)
{
    setup();
    answer = 0;
    uint8_t *buf = malloc(FILE_BYTES), *want = malloc(FILE_BYTES);
    tfs_fill(want, FILE_BYTES, 1);
    ck_assert_int_eq(read_a(buf), FILE_BYTES);
    ck_assert_mem_eq(buf, want, FILE_BYTES);
    ck_assert_int_gt(declined, 0);
    ck_assert_int_eq(unlocks + relocks, 0);
    ck_assert_uint_eq(t.fs.stat_unlocked_reads, 0);
    free(buf);
    free(want);
    tfs_teardown(&t);
}
END_TEST

/* "Another thread", while the reader's device request is in flight: /a is
 * truncated away, the space goes to /b (seed 2) and reaches the disk. */
static void truncate_and_reuse(void)
{
    ck_assert_ok(sfs_truncate(&t.fs, "/a", 0));
    ck_assert_ok(sfs_sync(&t.fs));
    void *data = malloc(FILE_BYTES);
    tfs_fill(data, FILE_BYTES, 2);
    ck_assert_ok(tfs_put(&t, "/b", data, FILE_BYTES));
    free(data);
    ck_assert_ok(sfs_sync(&t.fs));
}

START_TEST(blocks_freed_meanwhile_are_not_returned)
{
    setup();
    meanwhile = truncate_and_reuse;
    uint8_t *buf = malloc(FILE_BYTES), *a = malloc(FILE_BYTES), *b = malloc(FILE_BYTES);
    tfs_fill(a, FILE_BYTES, 1);
    tfs_fill(b, FILE_BYTES, 2);
    long n = read_a(buf);
    ck_assert(meanwhile == NULL); /* it ran */
    /* /a is empty now: the read stops where the file ends, and whatever it
     * returned is /a's, never /b's, though /b took /a's blocks on the disk. */
    ck_assert_int_ge(n, 0);
    ck_assert_mem_eq(buf, a, (size_t)n);
    ck_assert_int_lt(n, FILE_BYTES);
    ck_assert_int_eq(unlocks, 1); /* the rest was read with the lock held */
    void *got;
    ck_assert_int_eq(tfs_get(&t, "/b", &got), FILE_BYTES);
    ck_assert_mem_eq(got, b, FILE_BYTES);
    free(got);
    ck_assert_int_eq(tfs_check(&t), 0);
    free(buf);
    free(a);
    free(b);
    tfs_teardown(&t);
}
END_TEST

Suite *unlocked_suite(void)
{
    Suite *s = suite_create("unlocked");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, uncached_reads_let_the_lock_go);
    tcase_add_test(tc, a_port_that_declines_keeps_the_lock);
    tcase_add_test(tc, blocks_freed_meanwhile_are_not_returned);
    suite_add_tcase(s, tc);
    return s;
}
