/*
 * fsx.c - a file exerciser in the style of fsx: random reads, writes,
 * truncates and mmap reads and writes on one file, each checked against a
 * shadow copy in memory. Any difference stops the run with the offset, the
 * bytes and the last operations.
 *
 *   fsx [-n OPS] [-s SEED] [-l MAXLEN] [-o MAXOP] [-d] FILE
 *
 *   -n OPS     operations (default 100000)
 *   -s SEED    random seed (default 1); a failure prints it, so it can be rerun
 *   -l MAXLEN  largest file size (default 256 KiB)
 *   -o MAXOP   largest read or write (default 64 KiB)
 *   -d         direct_io mode: the file is on a mount whose files bypass the
 *              page cache, where Linux refuses shared mappings (ENODEV); map
 *              reads use private mappings and map writes are left out
 *
 * Every 1000th operation closes and reopens the file and every 500th fsyncs
 * it, so cached state is checked against what the file system kept. Exit 0
 * when every check passed, 1 on a difference, 2 on a usage or system error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum op { OP_READ, OP_WRITE, OP_TRUNC, OP_MAPREAD, OP_MAPWRITE, OP_COUNT };
static const char *const op_names[] = { "read", "write", "truncate", "mapread", "mapwrite" };

#define LOG_KEEP 32

struct logent {
    long n;
    enum op op;
    uint64_t off, len, size;
};

static struct logent oplog[LOG_KEEP];
static long ops_done;
static const char *path;
static int fd = -1;
static unsigned char *good, *temp;
static uint64_t file_size, max_len = 256 * 1024, max_op = 64 * 1024;
static unsigned long seed = 1;
static int direct_mode;
static long page;

/* xorshift64*: the same sequence for the same seed on every machine. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static void log_op(enum op op, uint64_t off, uint64_t len)
{
    struct logent *e = &oplog[ops_done % LOG_KEEP];
    *e = (struct logent){ ops_done, op, off, len, file_size };
}

static void dump_log(void)
{
    fprintf(stderr, "fsx: last operations (seed %lu):\n", seed);
    long first = ops_done >= LOG_KEEP ? ops_done - LOG_KEEP + 1 : 0;
    for (long i = first; i <= ops_done; i++) {
        const struct logent *e = &oplog[i % LOG_KEEP];
        fprintf(stderr, "  %7ld %-9s off %#9llx len %#7llx (size before %#llx)\n", e->n,
                op_names[e->op], (unsigned long long)e->off, (unsigned long long)e->len,
                (unsigned long long)e->size);
    }
}

static void fail(const char *what)
{
    fprintf(stderr, "fsx: op %ld: %s: %s\n", ops_done, what, strerror(errno));
    dump_log();
    exit(2);
}

/* Compare @len bytes read at @off with the shadow copy. */
static void check(const unsigned char *got, uint64_t off, uint64_t len, const char *how)
{
    if (memcmp(got, good + off, len) == 0)
        return;
    uint64_t i = 0;
    while (got[i] == good[off + i])
        i++;
    fprintf(stderr, "fsx: op %ld: %s: wrong data at %#llx: got %#04x, expected %#04x\n", ops_done,
            how, (unsigned long long)(off + i), got[i], good[off + i]);
    dump_log();
    exit(1);
}

static void do_read(uint64_t off, uint64_t len)
{
    if (off + len > file_size)
        len = off >= file_size ? 0 : file_size - off;
    ssize_t n = pread(fd, temp, len, (off_t)off);
    if (n < 0)
        fail("pread");
    if ((uint64_t)n != len) {
        fprintf(stderr, "fsx: op %ld: short read %zd of %llu\n", ops_done, n,
                (unsigned long long)len);
        dump_log();
        exit(1);
    }
    check(temp, off, len, "read");
}

static void fill(uint64_t off, uint64_t len)
{
    for (uint64_t i = 0; i < len; i++)
        good[off + i] = (unsigned char)(rnd() >> 56);
    if (off > file_size) /* a hole reads back as zeros */
        memset(good + file_size, 0, off - file_size);
    if (off + len > file_size)
        file_size = off + len;
}

static void do_write(uint64_t off, uint64_t len)
{
    fill(off, len);
    ssize_t n = pwrite(fd, good + off, len, (off_t)off);
    if (n < 0)
        fail("pwrite");
    if ((uint64_t)n != len) {
        fprintf(stderr, "fsx: op %ld: short write %zd\n", ops_done, n);
        exit(1);
    }
}

static void do_truncate(uint64_t size)
{
    if (size > file_size)
        memset(good + file_size, 0, size - file_size);
    else
        memset(good + size, 0, file_size - size);
    file_size = size;
    if (ftruncate(fd, (off_t)size) < 0)
        fail("ftruncate");
}

static void do_mapread(uint64_t off, uint64_t len)
{
    if (off >= file_size)
        return;
    if (off + len > file_size)
        len = file_size - off;
    uint64_t pg = off & ~(uint64_t)(page - 1);
    size_t mlen = (size_t)(off + len - pg);
    void *p = mmap(NULL, mlen, PROT_READ, direct_mode ? MAP_PRIVATE : MAP_SHARED, fd, (off_t)pg);
    if (p == MAP_FAILED)
        fail("mmap (read)");
    check((unsigned char *)p + (off - pg), off, len, "mapread");
    if (munmap(p, mlen) < 0)
        fail("munmap");
}

static void do_mapwrite(uint64_t off, uint64_t len)
{
    if (off + len > file_size) { /* a mapping cannot grow the file */
        if (ftruncate(fd, (off_t)(off + len)) < 0)
            fail("ftruncate (mapwrite)");
        memset(good + file_size, 0, off + len - file_size);
        file_size = off + len;
    }
    uint64_t pg = off & ~(uint64_t)(page - 1);
    size_t mlen = (size_t)(off + len - pg);
    unsigned char *p = mmap(NULL, mlen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)pg);
    if (p == MAP_FAILED)
        fail("mmap (write)");
    fill(off, len);
    memcpy(p + (off - pg), good + off, len);
    if (msync(p, mlen, MS_ASYNC) < 0) /* as fsx: the pages go back through writeback */
        fail("msync");
    if (munmap(p, mlen) < 0)
        fail("munmap");
}

static void reopen(void)
{
    if (fd >= 0 && close(fd) < 0)
        fail("close");
    fd = open(path, O_RDWR);
    if (fd < 0)
        fail("open");
    struct stat st;
    if (fstat(fd, &st) < 0)
        fail("fstat");
    if ((uint64_t)st.st_size != file_size) {
        fprintf(stderr, "fsx: op %ld: size %lld after reopen, expected %llu\n", ops_done,
                (long long)st.st_size, (unsigned long long)file_size);
        dump_log();
        exit(1);
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: fsx [-n OPS] [-s SEED] [-l MAXLEN] [-o MAXOP] [-d] FILE\n");
    exit(2);
}

int main(int argc, char **argv)
{
    long nops = 100000;
    int c;
    while ((c = getopt(argc, argv, "n:s:l:o:d")) != -1) {
        switch (c) {
        case 'n':
            nops = strtol(optarg, NULL, 0);
            break;
        case 's':
            seed = strtoul(optarg, NULL, 0);
            break;
        case 'l':
            max_len = strtoull(optarg, NULL, 0);
            break;
        case 'o':
            max_op = strtoull(optarg, NULL, 0);
            break;
        case 'd':
            direct_mode = 1;
            break;
        default:
            usage();
        }
    }
    if (optind != argc - 1 || nops < 0 || max_len < 2 || max_op < 1 || max_op > max_len)
        usage();
    path = argv[optind];
    page = sysconf(_SC_PAGESIZE);
    rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
    good = calloc(1, max_len);
    temp = malloc(max_len);
    if (!good || !temp)
        fail("malloc");
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        fail("open");

    long counts[OP_COUNT] = { 0 };
    for (ops_done = 0; ops_done < nops; ops_done++) {
        enum op op = (enum op)(rnd() % OP_COUNT);
        if (op == OP_MAPWRITE && direct_mode)
            op = OP_WRITE;
        uint64_t off = rnd() % max_len, len = 1 + rnd() % max_op;
        if (off + len > max_len)
            len = max_len - off;
        log_op(op, off, len);
        counts[op]++;
        switch (op) {
        case OP_READ:
            do_read(off, len);
            break;
        case OP_WRITE:
            do_write(off, len);
            break;
        case OP_TRUNC:
            do_truncate(rnd() % max_len);
            break;
        case OP_MAPREAD:
            do_mapread(off, len);
            break;
        default:
            do_mapwrite(off, len);
            break;
        }
        if (ops_done % 500 == 499 && fsync(fd) < 0)
            fail("fsync");
        if (ops_done % 1000 == 999)
            reopen();
    }
    reopen();
    do_read(0, file_size);
    if (close(fd) < 0)
        fail("close");
    printf("fsx: %ld operations passed (seed %lu, max size %llu%s): %ld reads, %ld writes, "
           "%ld truncates, %ld map reads, %ld map writes\n",
           nops, seed, (unsigned long long)max_len, direct_mode ? ", direct_io" : "",
           counts[OP_READ], counts[OP_WRITE], counts[OP_TRUNC], counts[OP_MAPREAD],
           counts[OP_MAPWRITE]);
    free(good);
    free(temp);
    return 0;
}
