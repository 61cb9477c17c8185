/*
 * sfs_test.c - fixtures shared by the libsfs suites.
 */
#include "sfs_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *t_alloc(void *ctx, size_t size)
{
    struct tfs *t = ctx;
    t->allocs++;
    return malloc(size);
}

static void t_free(void *ctx, void *p)
{
    struct tfs *t = ctx;
    t->allocs--;
    free(p);
}

static void t_log(void *ctx, const char *msg, uint64_t a, uint64_t b)
{
    struct tfs *t = ctx;
    if (getenv("SFS_TEST_LOG"))
        fprintf(stderr, "sfs: %s (%llu, %llu)\n", msg, (unsigned long long)a,
                (unsigned long long)b);
    t->log_lines++;
}

static uint64_t t_clock(void *ctx)
{
    (void)ctx;
    return 1700000000;
}

void tfs_config(struct tfs *t, uint32_t cache)
{
    memset(&t->cfg, 0, sizeof(t->cfg));
    t->cfg.cache_blocks = cache;
    t->cfg.alloc = t_alloc;
    t->cfg.free = t_free;
    t->cfg.log = t_log;
    t->cfg.clock = t_clock;
    t->cfg.hook_ctx = t;
}

void tfs_setup_opts(struct tfs *t, uint64_t bytes, const struct sfs_format_opts *o, uint32_t cache)
{
    memset(t, 0, sizeof(*t));
    sfs_ramdev_init(&t->rd, bytes, 512);
    tfs_config(t, cache);
    ck_assert_int_eq(sfs_format(&t->fs, &t->rd.dev, &t->cfg, o), 0);
    ck_assert_int_eq(t->allocs, 0);
    ck_assert_int_eq(sfs_mount(&t->fs, &t->rd.dev, &t->cfg), 0);
}

void tfs_setup(struct tfs *t, uint64_t bytes, uint32_t bs)
{
    struct sfs_format_opts o = { .block_size = bs };
    tfs_setup_opts(t, bytes, &o, 0);
}

void tfs_teardown(struct tfs *t)
{
    if (t->fs.mounted)
        ck_assert_int_eq(sfs_unmount(&t->fs), 0);
    ck_assert_int_eq(t->allocs, 0);
    sfs_ramdev_free(&t->rd);
}

void tfs_remount(struct tfs *t)
{
    ck_assert_int_eq(sfs_unmount(&t->fs), 0);
    ck_assert_int_eq(sfs_mount(&t->fs, &t->rd.dev, &t->cfg), 0);
}

static void print_problem(void *ctx, const struct sfs_check_problem *p)
{
    (void)ctx;
    fprintf(stderr, "check: %s (code %d) ino %u a=%llu b=%llu\n", sfs_check_describe(p->code),
            p->code, p->ino, (unsigned long long)p->a, (unsigned long long)p->b);
}

long tfs_check(struct tfs *t)
{
    return sfs_check(&t->fs, NULL, 0, print_problem, NULL);
}

int tfs_put(struct tfs *t, const char *path, const void *data, size_t len)
{
    struct sfs_file f;
    int r = sfs_open(&t->fs, &f, path, SFS_O_WRONLY | SFS_O_CREAT | SFS_O_TRUNC, 0644);
    if (r < 0)
        return r;
    size_t done = 0;
    long n = 0;
    while (done < len && (n = sfs_write(&t->fs, &f, (const char *)data + done, len - done)) > 0)
        done += (size_t)n;
    int c = sfs_close(&t->fs, &f);
    if (n < 0)
        return (int)n;
    return c;
}

long tfs_get(struct tfs *t, const char *path, void **data)
{
    struct sfs_stat st;
    int r = sfs_stat(&t->fs, path, &st);
    if (r < 0)
        return r;
    struct sfs_file f;
    r = sfs_open(&t->fs, &f, path, SFS_O_RDONLY, 0);
    if (r < 0)
        return r;
    *data = malloc(st.size + 1);
    long n = sfs_read(&t->fs, &f, *data, st.size + 1);
    sfs_close(&t->fs, &f);
    if (n < 0) {
        free(*data);
        *data = NULL;
    }
    return n;
}

long tfs_count(struct tfs *t, const char *path)
{
    struct sfs_dir d;
    struct sfs_dirent e;
    if (sfs_dir_open(&t->fs, &d, path) < 0)
        return -1;
    long n = 0;
    int r;
    while ((r = sfs_dir_read(&t->fs, &d, &e)) == 1)
        if (strcmp(e.name, ".") && strcmp(e.name, ".."))
            n++;
    sfs_dir_close(&t->fs, &d);
    return r < 0 ? -1 : n;
}

void tfs_fill(void *buf, size_t len, uint32_t seed)
{
    uint8_t *p = buf;
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (uint8_t)x;
    }
}
