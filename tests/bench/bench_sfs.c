/*
 * bench_sfs.c - `make bench`: libsfs on a RAM block device (optimised build).
 *
 * Rows, all from one run:
 *   - sequential write and read of a 256 MiB file in 1 MiB calls, against
 *     memcpy of the same bytes (target: at least 50% of memcpy);
 *   - create, stat, readdir and delete of 10,000 small files (ops/s);
 *   - lookup (stat) and create cost per operation in a directory of 100,000
 *     entries against one of 1,000 (target: at most 3x - no linear scans).
 *
 * 4 KiB blocks, 512-byte sectors, a 2048-block (8 MiB) cache (64 MiB for the
 * directory rows, so both directories fit and the rows compare algorithms).
 */
#include <sfs/sfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECTOR   512u
#define MIB      (1ull << 20)
#define BIG_FILE (256 * MIB)
#define CHUNK    MIB

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct ram {
    uint8_t *data;
};

static int ram_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    struct ram *r = ctx;
    memcpy(buf, r->data + sector * SECTOR, (size_t)count * SECTOR);
    return 0;
}

static int ram_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    struct ram *r = ctx;
    memcpy(r->data + sector * SECTOR, buf, (size_t)count * SECTOR);
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

static struct ram ram;
static struct sfs_blockdev dev;
static struct sfs_config cfg;

static void die(const char *what, long r)
{
    fprintf(stderr, "bench_sfs: %s: %s\n", what, sfs_strerror((int)r));
    exit(1);
}

/* 0: the default journal; UINT32_MAX: none (the journal-off rows). */
static uint32_t journal_blocks;

static void fresh(struct sfs *fs, uint64_t bytes, uint32_t inodes)
{
    memset(ram.data, 0, bytes);
    dev.sector_count = bytes / SECTOR;
    struct sfs_format_opts o = { .block_size = 4096, .inode_count = inodes,
                                 .journal_blocks = journal_blocks };
    long r = sfs_format(fs, &dev, &cfg, &o);
    if (r == 0)
        r = sfs_mount(fs, &dev, &cfg);
    if (r < 0)
        die("format/mount", r);
}

/* One timed pass: write the file (and fsync), then read it back. */
static void seq_pass(uint8_t *buf, double *t_write, double *t_read)
{
    struct sfs fs;
    fresh(&fs, BIG_FILE + 32 * MIB, 1024);
    struct sfs_file f;
    long r = sfs_open(&fs, &f, "/big", SFS_O_WRONLY | SFS_O_CREAT, 0644);
    if (r < 0)
        die("open", r);
    double t0 = now();
    for (uint64_t off = 0; off < BIG_FILE; off += CHUNK)
        if ((r = sfs_write(&fs, &f, buf, CHUNK)) != (long)CHUNK)
            die("write", r);
    r = sfs_fsync(&fs, &f);
    *t_write = now() - t0;
    sfs_close(&fs, &f);
    if (r < 0)
        die("fsync", r);
    r = sfs_open(&fs, &f, "/big", SFS_O_RDONLY, 0);
    t0 = now();
    for (uint64_t off = 0; off < BIG_FILE; off += CHUNK)
        if ((r = sfs_read(&fs, &f, buf, CHUNK)) != (long)CHUNK)
            die("read", r);
    *t_read = now() - t0;
    sfs_close(&fs, &f);
    sfs_unmount(&fs);
}

static double min(double a, double b)
{
    return a < b ? a : b;
}

static void sequential(void)
{
    uint8_t *buf = malloc(CHUNK), *big = malloc(BIG_FILE);
    for (size_t i = 0; i < CHUNK; i++)
        buf[i] = (uint8_t)(i * 7);
    memset(big, 1, BIG_FILE); /* fault the pages in before timing */
    /* Best of three of everything. The baselines move the same bytes the same
     * way: a 1 MiB user buffer to or from 256 MiB of memory. */
    double t_in = 1e9, t_out = 1e9, t_write = 1e9, t_read = 1e9;
    for (int trial = 0; trial < 3; trial++) {
        double t0 = now();
        for (uint64_t off = 0; off < BIG_FILE; off += CHUNK)
            memcpy(big + off, buf, CHUNK);
        t_in = min(t_in, now() - t0);
        t0 = now();
        for (uint64_t off = 0; off < BIG_FILE; off += CHUNK)
            memcpy(buf, big + off, CHUNK);
        t_out = min(t_out, now() - t0);
    }
    free(big);
    for (int trial = 0; trial < 3; trial++) {
        double w, r;
        seq_pass(buf, &w, &r);
        t_write = min(t_write, w);
        t_read = min(t_read, r);
    }
    free(buf);
    double mb = (double)BIG_FILE / MIB;
    printf("%-44s %10.0f MiB/s\n", "memcpy 1 MiB buffer -> 256 MiB", mb / t_in);
    printf("%-44s %10.0f MiB/s  %5.0f%% of memcpy (target >= 50%%)\n",
           "sequential write 256 MiB + fsync", mb / t_write, 100 * t_in / t_write);
    printf("%-44s %10.0f MiB/s\n", "memcpy 256 MiB -> 1 MiB buffer", mb / t_out);
    printf("%-44s %10.0f MiB/s  %5.0f%% of memcpy (target >= 50%%)\n", "sequential read 256 MiB",
           mb / t_read, 100 * t_out / t_read);
}

static void small_files(void)
{
    enum { N = 10000 };
    struct sfs fs;
    fresh(&fs, 128 * MIB, 16384);
    char name[64];
    long r = sfs_mkdir(&fs, "/d", 0755);
    uint64_t c0 = fs.stat_commits, w0 = fs.stat_writes;
    double t0 = now();
    for (int i = 0; i < N; i++) {
        struct sfs_file f;
        snprintf(name, sizeof(name), "/d/file%05d", i);
        if ((r = sfs_open(&fs, &f, name, SFS_O_WRONLY | SFS_O_CREAT | SFS_O_EXCL, 0644)) < 0)
            die("create", r);
        sfs_write(&fs, &f, name, 12);
        sfs_close(&fs, &f);
    }
    double t_create = now() - t0;
    uint64_t commits = fs.stat_commits - c0, writes = fs.stat_writes - w0;
    t0 = now();
    for (int i = 0; i < N; i++) {
        struct sfs_stat st;
        snprintf(name, sizeof(name), "/d/file%05d", (i * 7919) % N);
        if ((r = sfs_stat(&fs, name, &st)) < 0)
            die("stat", r);
    }
    double t_stat = now() - t0;
    t0 = now();
    struct sfs_dir d;
    struct sfs_dirent e;
    int n = 0;
    sfs_dir_open(&fs, &d, "/d");
    while (sfs_dir_read(&fs, &d, &e) == 1)
        n++;
    sfs_dir_close(&fs, &d);
    double t_readdir = now() - t0;
    if (n != N + 2)
        die("readdir count", SFS_EIO);
    t0 = now();
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "/d/file%05d", i);
        if ((r = sfs_unlink(&fs, name)) < 0)
            die("unlink", r);
    }
    double t_delete = now() - t0;
    sfs_unmount(&fs);
    printf("%-44s %10.0f ops/s  (%llu commits, %llu block writes)\n",
           "create+write 10,000 small files", N / t_create, (unsigned long long)commits,
           (unsigned long long)writes);
    printf("%-44s %10.0f ops/s\n", "stat 10,000 small files", N / t_stat);
    printf("%-44s %10.0f entries/s\n", "readdir 10,000 entries", N / t_readdir);
    printf("%-44s %10.0f ops/s\n", "delete 10,000 small files", N / t_delete);
}

/* Fill a directory with @n entries, then time 2,000 lookups and 1,000 creates. */
static void dir_cost(int n, double *lookup_us, double *create_us, double *lookup_blocks)
{
    struct sfs fs;
    fresh(&fs, 256 * MIB, (uint32_t)n + 4096);
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
    printf("%-44s %8.2f us   %8.2f us  %5.2fx (target <= 3x)\n",
           "lookup per op: 1,000 vs 100,000 entries", l1, l2, l2 / l1);
    printf("%-44s %8.2f us   %8.2f us  %5.2fx (target <= 3x)\n",
           "create per op: 1,000 vs 100,000 entries", c1, c2, c2 / c1);
    printf("%-44s %8.1f      %8.1f     %5.2fx\n", "cached blocks read per lookup", b1, b2, b2 / b1);
}

int main(int argc, char **argv)
{
    /* `bench_sfs small`: only the small-file rows (for profiling). */
    int only_small = argc > 1 && !strcmp(argv[1], "small");
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
    printf("libsfs %s, on-disk format %u, RAM device, 4 KiB blocks, 8 MiB cache\n",
           SFS_VERSION_STRING, SFS_FORMAT_VERSION);
    for (int j = 0; j < 2; j++) {
        journal_blocks = j ? UINT32_MAX : 0;
        printf("-- journal %s --\n", j ? "off" : "on (default)");
        if (!only_small)
            sequential();
        small_files();
    }
    if (only_small)
        return 0;
    journal_blocks = 0;
    big_directory();
    free(ram.data);
    return 0;
}
