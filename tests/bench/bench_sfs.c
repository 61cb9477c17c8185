/*
 * bench_sfs.c - `make bench`: libsfs on a RAM block device (optimised build).
 *
 * Every speed row runs with the journal on (the default) and off, side by
 * side, with the time ratio on/off:
 *   - sequential write (+ fsync) and read of a 256 MiB file in 1 MiB calls,
 *     against memcpy of the same bytes (target: at least 50% of memcpy;
 *     journal cost on the write: at most 1.05x);
 *   - create + write of 10,000 small files, then sync (journal cost: at most
 *     1.3x); stat, readdir, and delete (+ sync) of them;
 * then, journal on:
 *   - recovery: mount time after a crash that leaves a full transaction in
 *     the journal (committed, not yet written home), against a clean mount;
 *   - lookup (stat) and create cost per operation in a directory of 100,000
 *     entries against one of 1,000 (target: at most 3x - no linear scans).
 *
 * Timing: the process's CPU time (user + system), not wall time: the device
 * is RAM, so nothing waits for I/O, and on a shared machine wall time moves
 * by +-50% with other load. One untimed warm-up of each mode (the first pass
 * over fresh memory runs up to 3x slower on a VM, whatever is measured), then
 * TRIALS rounds alternating which mode goes first; each row keeps its best
 * time. Writes are timed up to a sync, so a commit deferred past the loop is
 * still counted.
 *
 * 4 KiB blocks, 512-byte sectors, a 2048-block (8 MiB) cache (64 MiB for the
 * directory rows, so both directories fit and the rows compare algorithms).
 */
#include <sfs/sfs.h>
#include <sfs/sfs_check.h>
#include <sfs/sfs_disk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECTOR   512u
#define MIB      (1ull << 20)
#define BIG_FILE (256 * MIB)
#define CHUNK    MIB
#define TRIALS   9
#define NSMALL   10000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The RAM device. Armed for a crash, it drops every write after the first
 * journal commit block: the volume is left as a power cut right after the
 * commit would leave it. */
struct ram {
    uint8_t *data;
    int crash_armed;
    int crashed;
};

static int ram_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    struct ram *r = ctx;
    memcpy(buf, r->data + sector * SECTOR, (size_t)count * SECTOR);
    return 0;
}

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int ram_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    struct ram *r = ctx;
    if (r->crashed)
        return 0;
    memcpy(r->data + sector * SECTOR, buf, (size_t)count * SECTOR);
    if (r->crash_armed && ld32(buf) == SFS_JCOMMIT_MAGIC)
        r->crashed = 1;
    return 0;
}

static void *b_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}

static void b_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static int replays;

static void b_log(void *ctx, const char *msg, uint64_t a, uint64_t b)
{
    (void)ctx, (void)a, (void)b;
    if (!strcmp(msg, "journal replayed"))
        replays++;
}

static struct ram ram;
static struct sfs_blockdev dev;
static struct sfs_config cfg;

static void die(const char *what, long r)
{
    fprintf(stderr, "bench_sfs: %s: %s\n", what, sfs_strerror((int)r));
    exit(1);
}

static double min(double a, double b)
{
    return a < b ? a : b;
}

/* Journal on (the default size) or off. */
static void fresh(struct sfs *fs, uint64_t bytes, uint32_t inodes, int journal)
{
    memset(ram.data, 0, bytes);
    dev.sector_count = bytes / SECTOR;
    struct sfs_format_opts o = { .block_size = 4096,
                                 .inode_count = inodes,
                                 .journal_blocks = journal ? 0 : UINT32_MAX };
    long r = sfs_format(fs, &dev, &cfg, &o);
    if (r == 0)
        r = sfs_mount(fs, &dev, &cfg);
    if (r < 0)
        die("format/mount", r);
    if (!!fs->jcap != !!journal)
        die("journal setting", SFS_EINVAL);
}

/* Best times of one mode (seconds), and what the create row cost. */
struct best {
    double write, read, create, stat, readdir, del;
    unsigned long long commits, writes, seq_writes;
};

static void best_init(struct best *b)
{
    b->write = b->read = b->create = b->stat = b->readdir = b->del = 1e9;
}

/* Write the file (and fsync), then read it back. (Not inlined, so that
 * `valgrind --tool=callgrind --toggle-collect=seq_pass` can count it.) */
__attribute__((noinline)) static void seq_pass(int journal, uint8_t *buf, struct best *b)
{
    struct sfs fs;
    fresh(&fs, BIG_FILE + 32 * MIB, 1024, journal);
    struct sfs_file f;
    long r = sfs_open(&fs, &f, "/big", SFS_O_WRONLY | SFS_O_CREAT, 0644);
    if (r < 0)
        die("open", r);
    uint64_t w0 = fs.stat_writes;
    double t0 = now();
    for (uint64_t off = 0; off < BIG_FILE; off += CHUNK)
        if ((r = sfs_write(&fs, &f, buf, CHUNK)) != (long)CHUNK)
            die("write", r);
    r = sfs_fsync(&fs, &f);
    b->write = min(b->write, now() - t0);
    b->seq_writes = fs.stat_writes - w0;
    sfs_close(&fs, &f);
    if (r < 0)
        die("fsync", r);
    if ((r = sfs_open(&fs, &f, "/big", SFS_O_RDONLY, 0)) < 0)
        die("open", r);
    t0 = now();
    for (uint64_t off = 0; off < BIG_FILE; off += CHUNK)
        if ((r = sfs_read(&fs, &f, buf, CHUNK)) != (long)CHUNK)
            die("read", r);
    b->read = min(b->read, now() - t0);
    sfs_close(&fs, &f);
    sfs_unmount(&fs);
}

/* Create, stat, readdir and delete NSMALL small files in one directory. */
__attribute__((noinline)) static void small_pass(int journal, struct best *b)
{
    struct sfs fs;
    fresh(&fs, 128 * MIB, 16384, journal);
    char name[64];
    long r = sfs_mkdir(&fs, "/d", 0755);
    if (r == 0)
        r = sfs_sync(&fs);
    if (r < 0)
        die("mkdir", r);
    uint64_t c0 = fs.stat_commits, w0 = fs.stat_writes;
    double t0 = now();
    for (int i = 0; i < NSMALL; i++) {
        struct sfs_file f;
        snprintf(name, sizeof(name), "/d/file%05d", i);
        if ((r = sfs_open(&fs, &f, name, SFS_O_WRONLY | SFS_O_CREAT | SFS_O_EXCL, 0644)) < 0)
            die("create", r);
        if ((r = sfs_write(&fs, &f, name, 12)) != 12)
            die("write", r);
        sfs_close(&fs, &f);
    }
    if ((r = sfs_sync(&fs)) < 0)
        die("sync", r);
    double t = now() - t0;
    if (t < b->create) {
        b->create = t;
        b->commits = fs.stat_commits - c0;
        b->writes = fs.stat_writes - w0;
    }
    t0 = now();
    for (int i = 0; i < NSMALL; i++) {
        struct sfs_stat st;
        snprintf(name, sizeof(name), "/d/file%05d", (i * 7919) % NSMALL);
        if ((r = sfs_stat(&fs, name, &st)) < 0)
            die("stat", r);
    }
    b->stat = min(b->stat, now() - t0);
    t0 = now();
    struct sfs_dir d;
    struct sfs_dirent e;
    int n = 0;
    if ((r = sfs_dir_open(&fs, &d, "/d")) < 0)
        die("opendir", r);
    while (sfs_dir_read(&fs, &d, &e) == 1)
        n++;
    sfs_dir_close(&fs, &d);
    b->readdir = min(b->readdir, now() - t0);
    if (n != NSMALL + 2)
        die("readdir count", SFS_EIO);
    t0 = now();
    for (int i = 0; i < NSMALL; i++) {
        snprintf(name, sizeof(name), "/d/file%05d", i);
        if ((r = sfs_unlink(&fs, name)) < 0)
            die("unlink", r);
    }
    if ((r = sfs_sync(&fs)) < 0)
        die("sync", r);
    b->del = min(b->del, now() - t0);
    sfs_unmount(&fs);
}

static void row(const char *what, const char *unit, double amount, double t_on, double t_off,
                const char *target)
{
    printf("%-40s %10.0f %-5s %10.0f %-5s %6.2fx  %s\n", what, amount / t_on, unit, amount / t_off,
           unit, t_on / t_off, target);
}

static void speed(int only_small)
{
    uint8_t *buf = malloc(CHUNK), *big = malloc(BIG_FILE);
    if (!buf || !big)
        die("malloc", SFS_ENOMEM);
    for (size_t i = 0; i < CHUNK; i++)
        buf[i] = (uint8_t)(i * 7);
    struct best b[2];
    best_init(&b[0]);
    best_init(&b[1]);
    double t_in = 1e9, t_out = 1e9;
    if (!only_small) {
        memset(big, 1, BIG_FILE); /* fault the pages in before timing */
        /* The baselines move the same bytes the same way: a 1 MiB user
         * buffer to or from 256 MiB of memory. */
        for (int trial = 0; trial < TRIALS; trial++) {
            double t0 = now();
            for (uint64_t off = 0; off < BIG_FILE; off += CHUNK)
                memcpy(big + off, buf, CHUNK);
            t_in = min(t_in, now() - t0);
            t0 = now();
            for (uint64_t off = 0; off < BIG_FILE; off += CHUNK)
                memcpy(buf, big + off, CHUNK);
            t_out = min(t_out, now() - t0);
        }
    }
    free(big);
    for (int trial = -1; trial < TRIALS; trial++) {
        struct best warm;
        best_init(&warm);
        for (int k = 0; k < 2; k++) {
            int journal = (k + trial + 1) % 2; /* alternate which mode goes first */
            struct best *into = trial < 0 ? &warm : &b[!journal];
            if (!only_small)
                seq_pass(journal, buf, into);
            small_pass(journal, into);
        }
    }
    free(buf);
    printf("%-40s %16s %16s %7s  %s\n", "", "journal on", "journal off", "on/off",
           "target (on/off time)");
    double mb = (double)BIG_FILE / MIB;
    if (!only_small) {
        row("sequential write 256 MiB + fsync", "MiB/s", mb, b[0].write, b[1].write, "<= 1.05x");
        row("sequential read 256 MiB", "MiB/s", mb, b[0].read, b[1].read, "");
    }
    row("create+write 10,000 small files + sync", "ops/s", NSMALL, b[0].create, b[1].create,
        "<= 1.3x");
    row("stat 10,000 small files", "ops/s", NSMALL, b[0].stat, b[1].stat, "");
    row("readdir 10,000 entries", "ent/s", NSMALL, b[0].readdir, b[1].readdir, "");
    row("delete 10,000 small files + sync", "ops/s", NSMALL, b[0].del, b[1].del, "");
    printf("%-40s %10llu commits %6llu commits\n", "  create row: transactions", b[0].commits,
           b[1].commits);
    printf("%-40s %10llu blocks  %6llu blocks\n", "  create row: device block writes", b[0].writes,
           b[1].writes);
    if (only_small)
        return;
    printf("%-40s %10llu blocks  %6llu blocks\n", "  sequential write: device block writes",
           b[0].seq_writes, b[1].seq_writes);
    printf("%-40s %10.0f MiB/s (journal on: write %.0f%%, read %.0f%% of it; target >= 50%%)\n",
           "memcpy 1 MiB <-> 256 MiB (in / out)", mb / t_in, 100 * t_in / b[0].write,
           100 * t_out / b[0].read);
    printf("%-40s %10.0f MiB/s\n", "", mb / t_out);
}

/* Fill the running transaction with directory creations until one more call
 * could make it commit on its own, then sync with the device set to lose
 * every write after the commit block: the journal holds a whole transaction
 * that never went home. Time mounting that (replay), and a clean mount. */
static void recovery(void)
{
    const uint64_t bytes = 128 * MIB;
    struct sfs fs;
    fresh(&fs, bytes, 16384, 1);
    char name[64];
    long r = sfs_sync(&fs);
    int dirs = 0;
    uint64_t c0 = fs.stat_commits;
    while (r == 0 && fs.jcount + 64 + 16 <= fs.jcap) {
        snprintf(name, sizeof(name), "/r%05d", dirs++);
        r = sfs_mkdir(&fs, name, 0755);
    }
    if (r < 0 || fs.stat_commits != c0)
        die("filling the journal", r < 0 ? r : SFS_EIO);
    uint32_t logged = fs.jcount, cap = fs.jcap;
    ram.crash_armed = 1;
    sfs_sync(&fs); /* returns 0: the device pretends to write */
    if (!ram.crashed)
        die("no commit block was written", SFS_EIO);
    sfs_unmount(&fs); /* lost too: the power is off */
    ram.crash_armed = ram.crashed = 0;
    uint8_t *image = malloc(bytes);
    if (!image)
        die("malloc", SFS_ENOMEM);
    memcpy(image, ram.data, bytes);
    double t_replay = 1e9, t_clean = 1e9;
    for (int trial = 0; trial < TRIALS; trial++) {
        memcpy(ram.data, image, bytes);
        replays = 0;
        double t0 = now();
        r = sfs_mount(&fs, &dev, &cfg);
        double t = now() - t0;
        if (r < 0)
            die("mount after the crash", r);
        if (replays != 1)
            die("mount did not replay the journal", SFS_EIO);
        t_replay = min(t_replay, t);
        struct sfs_stat st;
        snprintf(name, sizeof(name), "/r%05d", dirs - 1);
        if ((r = sfs_stat(&fs, name, &st)) < 0)
            die("the last directory after replay", r);
        if ((r = sfs_check(&fs, NULL, 0, NULL, NULL)) != 0)
            die("sfs_check after replay", r < 0 ? r : SFS_ECORRUPT);
        if ((r = sfs_unmount(&fs)) < 0)
            die("unmount", r);
        t0 = now();
        r = sfs_mount(&fs, &dev, &cfg);
        t_clean = min(t_clean, now() - t0);
        if (r < 0 || fs.was_dirty)
            die("clean mount", r < 0 ? r : SFS_EIO);
        sfs_unmount(&fs);
    }
    free(image);
    printf("%-40s %8.3f ms  (%u of %u journal slots, %d mkdirs, replayed and checked clean)\n",
           "recovery: mount after a crash, full txn", t_replay * 1e3, logged, cap, dirs);
    printf("%-40s %8.3f ms\n", "clean mount of the same volume", t_clean * 1e3);
}

/* Fill a directory with @n entries, then time 2,000 lookups and 1,000 creates. */
static void dir_cost(int n, double *lookup_us, double *create_us, double *lookup_blocks)
{
    struct sfs fs;
    fresh(&fs, 256 * MIB, (uint32_t)n + 4096, 1);
    char name[64];
    sfs_mkdir(&fs, "/d", 0755);
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "/d/entry-%07d", i);
        long r = sfs_create(&fs, name, 0644);
        if (r < 0)
            die("create", r);
    }
    sfs_sync(&fs); /* time lookups, not the write-back of the fill */
    enum { L = 2000, C = 1000 };
    uint64_t b0 = fs.stat_lookups;
    double t0 = now();
    for (int i = 0; i < L; i++) {
        struct sfs_stat st;
        snprintf(name, sizeof(name), "/d/entry-%07d", (int)(((uint64_t)i * 2654435761u) % n));
        long r = sfs_stat(&fs, name, &st);
        if (r < 0)
            die("lookup", r);
    }
    *lookup_us = (now() - t0) / L * 1e6;
    *lookup_blocks = (double)(fs.stat_lookups - b0) / L;
    t0 = now();
    for (int i = 0; i < C; i++) {
        snprintf(name, sizeof(name), "/d/new-%07d", i);
        long r = sfs_create(&fs, name, 0644);
        if (r < 0)
            die("create", r);
    }
    *create_us = (now() - t0) / C * 1e6;
    sfs_unmount(&fs);
}

static void big_directory(void)
{
    double l1, c1, l2, c2, b1, b2;
    /* A cache that holds both directories, so the rows compare algorithms
     * (index probes) rather than cache sizes. */
    cfg.cache_blocks = 16384;
    dir_cost(1000, &l1, &c1, &b1);
    dir_cost(100000, &l2, &c2, &b2);
    cfg.cache_blocks = 2048;
    printf("%-44s %8.2f us   %8.2f us  %5.2fx (target <= 3x)\n",
           "lookup per op: 1,000 vs 100,000 entries", l1, l2, l2 / l1);
    printf("%-44s %8.2f us   %8.2f us  %5.2fx (target <= 3x)\n",
           "create per op: 1,000 vs 100,000 entries", c1, c2, c2 / c1);
    printf("%-44s %8.1f      %8.1f     %5.2fx\n", "cached blocks read per lookup", b1, b2, b2 / b1);
}

int main(int argc, char **argv)
{
    /* `bench_sfs small`: only the small-file rows.
     * `bench_sfs profile seq|small on|off`: one pass of those rows in one
     * journal mode, untimed, for a profiler (callgrind counts instructions,
     * which the load on a shared machine does not move). */
    int only_small = argc > 1 && !strcmp(argv[1], "small");
    int profile = argc > 3 && !strcmp(argv[1], "profile");
    ram.data = malloc(BIG_FILE + 32 * MIB);
    if (!ram.data) {
        fprintf(stderr, "bench_sfs: out of memory\n");
        return 1;
    }
    dev.read = ram_read;
    dev.write = ram_write;
    dev.ctx = &ram;
    dev.sector_size = SECTOR;
    cfg.cache_blocks = 2048;
    cfg.alloc = b_alloc;
    cfg.free = b_free;
    cfg.log = b_log;
    printf("libsfs %s, on-disk format %u, RAM device, 4 KiB blocks, 8 MiB cache, "
           "CPU time, best of %d alternating runs after a warm-up\n",
           SFS_VERSION_STRING, SFS_FORMAT_VERSION, TRIALS);
    if (profile) {
        struct best b;
        best_init(&b);
        int journal = !strcmp(argv[3], "on");
        if (!strcmp(argv[2], "seq")) {
            uint8_t *buf = calloc(1, CHUNK);
            if (!buf)
                die("malloc", SFS_ENOMEM);
            seq_pass(journal, buf, &b);
            free(buf);
        } else {
            small_pass(journal, &b);
        }
        free(ram.data);
        return 0;
    }
    speed(only_small);
    if (!only_small) {
        recovery();
        big_directory();
    }
    free(ram.data);
    return 0;
}
