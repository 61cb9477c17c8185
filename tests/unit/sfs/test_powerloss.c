/*
 * test_powerloss.c - power loss, littlefs style.
 *
 * A deterministic random workload (creates with data, appends, truncates,
 * mkdir/rmdir, unlink, rename of files and directories, hard and symbolic
 * links, syncs) runs once without faults; after every operation the harness
 * records a fingerprint of the whole tree (names, types, sizes, link counts,
 * contents, link targets) and the device write count. Then, for every write
 * index N (or a dense sample), it replays the workload on a fresh device
 * that loses power at write N: the write may tear (half its sectors land)
 * and, with a volatile cache, every write since the last flush is lost.
 * After the cut it asserts:
 *   - the volume mounts and sfs_check() finds 0 problems;
 *   - its fingerprint is that of the state after some operation j, with
 *     j >= the last sync that finished before the cut and j <= the operation
 *     the cut fell in: each operation is wholly there or wholly absent, and
 *     everything synced is intact.
 * The same harness runs with the journal switched off and must fail there;
 * the test prints both tallies.
 *
 * Writes only ever extend files (appends, new files), so file data, which
 * the journal orders but does not log, can be compared exactly.
 */
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Suite *powerloss_suite(void);

#define MAXOPS 160

struct run {
    uint32_t fp[MAXOPS + 1]; /* fp[j + 1]: after op j; fp[0]: before any */
    uint64_t end[MAXOPS];    /* device writes when op j returned */
    bool sync[MAXOPS];
    int ops;
};

static uint32_t next(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Fingerprint of the tree under @path (CRC chain; order is the slot order,
 * which is part of the on-disk state). */
static uint32_t fingerprint(struct tfs *t, const char *path, uint32_t crc, int depth)
{
    struct sfs_dir d;
    struct sfs_dirent e;
    if (depth > 8 || sfs_dir_open(&t->fs, &d, path) < 0)
        return crc ^ 0xDEAD;
    while (sfs_dir_read(&t->fs, &d, &e) == 1) {
        if (!strcmp(e.name, ".") || !strcmp(e.name, ".."))
            continue;
        char p[SFS_PATH_MAX];
        snprintf(p, sizeof(p), "%s/%s", strcmp(path, "/") ? path : "", e.name);
        struct sfs_stat st;
        if (sfs_lstat(&t->fs, p, &st) < 0)
            return crc ^ 0xBEEF;
        uint32_t meta[4] = { st.mode, st.nlink, (uint32_t)st.size, (uint32_t)strlen(p) };
        crc = sfs_crc32(crc, p, strlen(p));
        crc = sfs_crc32(crc, meta, sizeof(meta));
        if ((st.mode & SFS_S_IFMT) == SFS_S_IFDIR) {
            crc = fingerprint(t, p, crc, depth + 1);
        } else if ((st.mode & SFS_S_IFMT) == SFS_S_IFLNK) {
            char target[SFS_PATH_MAX];
            long n = sfs_readlink(&t->fs, p, target, sizeof(target));
            crc = sfs_crc32(crc, target, n > 0 ? (size_t)n : 0);
        } else {
            void *data = NULL;
            long n = tfs_get(t, p, &data);
            crc = sfs_crc32(crc, data, n > 0 ? (size_t)n : 0);
            free(data);
        }
    }
    sfs_dir_close(&t->fs, &d);
    return crc;
}

static void pick(uint32_t *x, char *out, bool dir)
{
    static const char *dirs[] = { "", "/d1", "/d2", "/d1/d3" };
    static const char *names[] = { "a", "b", "c", "dd" };
    if (dir)
        snprintf(out, 64, "%s", dirs[1 + next(x) % 3]);
    else
        snprintf(out, 64, "%s/%s", dirs[next(x) % 4], names[next(x) % 4]);
}

/* Operation @k: returns true if it was a sync. Results are not checked here
 * (the differential fuzzer does that); only their effect on the tree is. */
static bool do_op(struct tfs *t, uint32_t *x, int k)
{
    char a[64], b[64];
    static uint8_t buf[5000];
    tfs_fill(buf, sizeof(buf), (uint32_t)k);
    uint32_t r = next(x) % 16;
    pick(x, a, false);
    pick(x, b, false);
    size_t len = next(x) % 3000;
    struct sfs_file f;
    switch (r) {
    case 0:
    case 1: /* a new file with data */
        if (sfs_open(&t->fs, &f, a, SFS_O_WRONLY | SFS_O_CREAT | SFS_O_EXCL, 0644) == 0) {
            sfs_write(&t->fs, &f, buf, len);
            sfs_close(&t->fs, &f);
        }
        break;
    case 2:
    case 3: /* append */
        if (sfs_open(&t->fs, &f, a, SFS_O_WRONLY | SFS_O_APPEND, 0) == 0) {
            sfs_write(&t->fs, &f, buf, len);
            sfs_close(&t->fs, &f);
        }
        break;
    case 4: /* shrink (or grow: a hole) */
        sfs_truncate(&t->fs, a, len / 2);
        break;
    case 5:
        pick(x, a, true);
        sfs_mkdir(&t->fs, a, 0755);
        break;
    case 6:
        pick(x, a, true);
        sfs_rmdir(&t->fs, a);
        break;
    case 7:
    case 8:
        sfs_unlink(&t->fs, a);
        break;
    case 9:
    case 10:
        sfs_rename(&t->fs, a, b);
        break;
    case 11:
        pick(x, a, true);
        pick(x, b, true);
        sfs_rename(&t->fs, a, b);
        break;
    case 12:
        sfs_link(&t->fs, a, b);
        break;
    case 13:
        sfs_symlink(&t->fs, a, b);
        break;
    default:
        sfs_sync(&t->fs);
        return true;
    }
    return false;
}

struct cfg {
    uint32_t seed, bs, cache;
    int ops;
    bool journal, tear, lose;
};

static void setup(struct tfs *t, const struct cfg *c)
{
    struct sfs_format_opts o = { .block_size = c->bs,
                                 .journal_blocks = c->journal ? 0 : UINT32_MAX };
    tfs_setup_opts(t, 1u << 20, &o, c->cache);
    ck_assert_ok(sfs_mkdir(&t->fs, "/d1", 0755));
    ck_assert_ok(sfs_mkdir(&t->fs, "/d2", 0755));
    ck_assert_ok(sfs_sync(&t->fs));
}

static void reference(const struct cfg *c, struct run *ref)
{
    struct tfs t;
    setup(&t, c);
    uint64_t base = t.rd.writes;
    uint32_t x = c->seed;
    ref->ops = c->ops;
    ref->fp[0] = fingerprint(&t, "/", 0, 0);
    for (int k = 0; k < c->ops; k++) {
        ref->sync[k] = do_op(&t, &x, k);
        ref->end[k] = t.rd.writes - base;
        ref->fp[k + 1] = fingerprint(&t, "/", 0, 0);
    }
    tfs_teardown(&t);
}

/* Cut at write @n (counted from the end of setup): 0 if the guarantee holds. */
static int cut_at(const struct cfg *c, const struct run *ref, uint64_t n, char *why, size_t wl)
{
    struct tfs t;
    setup(&t, c);
    t.rd.power_cut_after = (long)n;
    t.rd.tear = c->tear;
    t.rd.volatile_cache = c->lose;
    uint32_t x = c->seed;
    int k = 0;
    for (; k < c->ops && !t.rd.cut; k++)
        do_op(&t, &x, k);
    (void)sfs_unmount(&t.fs); /* the device is dead: nothing lands */
    sfs_ramdev_power_off(&t.rd);
    int bad = 0;
    int m = sfs_mount(&t.fs, &t.rd.dev, &t.cfg);
    if (m < 0) {
        snprintf(why, wl, "cut at write %llu: mount failed (%d)", (unsigned long long)n, m);
        bad = 1;
    } else {
        long p = sfs_check(&t.fs, NULL, 0, NULL, NULL);
        /* A corrupt tree may hold directory cycles: fingerprint clean ones only. */
        uint32_t fp = p == 0 ? fingerprint(&t, "/", 0, 0) : 0;
        /* Candidates: after the last sync finished before the cut ... up to
         * the operation the cut fell in. */
        int lo = 0, hi = c->ops;
        for (int j = 0; j < c->ops; j++) {
            if (ref->sync[j] && ref->end[j] <= n)
                lo = j + 1;
            if (ref->end[j] > n && hi == c->ops)
                hi = j + 1;
        }
        bool match = false;
        for (int j = lo; j <= hi && !match && p == 0; j++)
            match = ref->fp[j] == fp;
        if (getenv("SFS_PL_DEBUG"))
            fprintf(stderr, "cut %llu: k=%d cut=%d mount=%d problems=%ld match=%d writes=%llu\n",
                    (unsigned long long)n, k, 0, m, p, match, (unsigned long long)t.rd.writes);
        if (p != 0 || !match) {
            snprintf(why, wl, "cut at write %llu (ops %d..%d): %ld problems, state %s",
                     (unsigned long long)n, lo, hi, p, match ? "ok" : "matches no operation");
            bad = 1;
        }
        sfs_unmount(&t.fs);
    }
    ck_assert_int_eq(t.allocs, 0);
    sfs_ramdev_free(&t.rd);
    return bad;
}

/* Run one configuration over @samples cut points (all if the run is short). */
static int sweep(const struct cfg *c, int samples, int *points)
{
    struct run *ref = calloc(1, sizeof(*ref));
    reference(c, ref);
    uint64_t total = ref->end[c->ops - 1];
    uint64_t step = total > (uint64_t)samples ? total / (uint64_t)samples : 1;
    uint32_t x = c->seed ^ 0x5bd1e995u;
    int failures = 0;
    char why[160], first[160] = "";
    *points = 0;
    for (uint64_t n = 0; n < total; n += step) {
        uint64_t at = step > 1 ? n + next(&x) % step : n; /* dense random sample */
        (*points)++;
        if (cut_at(c, ref, at, why, sizeof(why))) {
            if (!failures)
                snprintf(first, sizeof(first), "%s", why);
            failures++;
        }
    }
    if (failures && c->journal)
        fprintf(stderr, "powerloss: seed %u bs %u: first failure: %s\n", c->seed, c->bs, first);
    free(ref);
    return failures;
}

static const struct cfg configs[] = {
    { 1, 1024, 8, 60, true, false, false },
    { 2, 1024, 16, 60, true, true, false },
    { 3, 1024, 8, 80, true, true, true },
    { 4, 2048, 32, 80, true, false, true },
    { 5, 4096, 12, 100, true, true, true },
    { 6, 1024, 64, 140, true, true, true },
};

START_TEST(journal_survives_power_loss)
{
    const struct cfg *c = &configs[_i];
    int points;
    int failures = sweep(c, 160, &points);
    fprintf(stderr, "powerloss: journal on, seed %u, bs %u, cache %u%s%s: %d of %d cut points fail\n",
            c->seed, c->bs, c->cache, c->tear ? ", torn writes" : "",
            c->lose ? ", volatile cache" : "", failures, points);
    ck_assert_int_eq(failures, 0);
}
END_TEST

START_TEST(same_harness_fails_without_journal)
{
    struct cfg c = configs[_i];
    c.journal = false;
    int points;
    int failures = sweep(&c, 120, &points);
    fprintf(stderr, "powerloss: journal OFF, seed %u, bs %u: %d of %d cut points fail "
                    "(expected: some)\n",
            c.seed, c.bs, failures, points);
    ck_assert_int_gt(failures, 0);
}
END_TEST

Suite *powerloss_suite(void)
{
    Suite *s = suite_create("powerloss");
    TCase *tc = tcase_create("cuts");
    tcase_set_timeout(tc, 600);
    int n = (int)(sizeof(configs) / sizeof(configs[0]));
    tcase_add_loop_test(tc, journal_survives_power_loss, 0, n);
    tcase_add_loop_test(tc, same_harness_fails_without_journal, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
