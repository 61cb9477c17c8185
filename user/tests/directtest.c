/*
 * directtest.c - O_DIRECT on a raw block device: reads and writes that go in
 * place between the device and this process's pages.
 *
 *   directtest DEV      DEV: a spare disk whose contents may be overwritten
 *                       at 1 MiB (e.g. /dev/vdb, at least 2 MiB)
 *
 * Checks: direct reads match ordinary (copied) reads, into pages never
 * touched (mmap) and into the heap; /proc/diskstats counts the in-place
 * requests (Kestrel's 21st field) when it has them; a bad pointer, a
 * read-only buffer and a buffer running into unmapped memory give EFAULT;
 * after fork, a direct read in the child leaves the parent's copy alone;
 * unaligned buffers still work (copied); direct writes land on the disk.
 * Prints one line per check and "directtest: N checks, all passed"; exits 1
 * at the first failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1 << 20)

static int checks;

#define CHECK(c, what)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("directtest: FAILED: %s (errno %d)\n", what, errno);                            \
            exit(1);                                                                               \
        }                                                                                          \
        printf("ok %s\n", what);                                                                   \
        checks++;                                                                                  \
    } while (0)

/* Kestrel's in-place request count for @dev (-1: not reported). */
static long in_place(const char *dev)
{
    const char *name = strrchr(dev, '/') ? strrchr(dev, '/') + 1 : dev;
    FILE *f = fopen("/proc/diskstats", "r");
    if (!f)
        return -1;
    char line[512];
    long r = -1;
    while (fgets(line, sizeof(line), f)) {
        char n[32];
        unsigned long long v[19];
        int got = sscanf(line,
                         "%*u %*u %31s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
                         "%llu %llu %llu %llu %llu %llu %llu %llu %llu",
                         n, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
                         &v[10], &v[11], &v[12], &v[13], &v[14], &v[15], &v[16], &v[17], &v[18]);
        if (got >= 19 && strcmp(n, name) == 0)
            r = (long)v[17];
    }
    fclose(f);
    return r;
}

static void *map(size_t len, int prot)
{
    void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: directtest DEV\n");
        return 2;
    }
    const char *dev = argv[1];
    int fd = open(dev, O_RDWR | O_DIRECT);
    CHECK(fd >= 0, "open O_DIRECT");
    CHECK(fcntl(fd, F_GETFL) & O_DIRECT, "F_GETFL shows O_DIRECT");
    int plain = open(dev, O_RDONLY);
    CHECK(plain >= 0, "open without O_DIRECT");

    /* The reference: 1 MiB read the ordinary way. */
    char *ref = malloc(MIB);
    CHECK(ref && pread(plain, ref, MIB, 0) == MIB, "ordinary read of 1 MiB");

    long before = in_place(dev);
    char *fresh = map(MIB, PROT_READ | PROT_WRITE); /* no page touched yet */
    CHECK(fresh && pread(fd, fresh, MIB, 0) == MIB, "direct read into untouched pages");
    CHECK(memcmp(fresh, ref, MIB) == 0, "it matches the ordinary read");
    long after = in_place(dev);
    if (before >= 0)
        CHECK(after > before, "diskstats counts in-place requests");
    char *heap = aligned_alloc(4096, 64 * 1024);
    CHECK(lseek(fd, 4096, SEEK_SET) == 4096 && read(fd, heap, 64 * 1024) == 64 * 1024 &&
              memcmp(heap, ref + 4096, 64 * 1024) == 0,
          "direct read(2) at the file offset");
    CHECK(lseek(fd, 0, SEEK_CUR) == 4096 + 64 * 1024, "the offset moved by what was read");
    if (before >= 0) {
        long now = in_place(dev);
        CHECK(pread(plain, heap, 4096, 0) == 4096 && in_place(dev) == now,
              "an ordinary read is not in place");
    }

    /* Bad memory: EFAULT, and nothing else happens. */
    errno = 0;
    CHECK(pread(fd, (void *)4096, 4096, 0) == -1 && errno == EFAULT, "EFAULT for a bad pointer");
    char *ro = map(8192, PROT_READ);
    errno = 0;
    CHECK(pread(fd, ro, 8192, 0) == -1 && errno == EFAULT, "EFAULT reading into read-only pages");
    CHECK(pwrite(fd, ro, 4096, MIB) == 4096, "a direct write may come from read-only pages");
    char *edge = map(2 * 4096, PROT_READ | PROT_WRITE);
    munmap(edge + 4096, 4096);
    errno = 0;
    CHECK(pread(fd, edge, 2 * 4096, 0) == -1 && errno == EFAULT,
          "EFAULT for a buffer running into unmapped memory");
    errno = 0;
    CHECK(pread(fd, (void *)0xffff800000000000ull, 4096, 0) == -1 && errno == EFAULT,
          "EFAULT for a kernel address");

    /* Copy-on-write: the child's direct read must not reach the parent's page. */
    char *cow = map(4096, PROT_READ | PROT_WRITE);
    memset(cow, 0x55, 4096);
    pid_t pid = fork();
    if (pid == 0) {
        int ok = pread(fd, cow, 4096, 0) == 4096 && memcmp(cow, ref, 4096) == 0;
        _exit(ok ? 0 : 1);
    }
    int st;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "the child read into its copy");
    int intact = 1;
    for (int i = 0; i < 4096; i++)
        intact &= cow[i] == 0x55;
    CHECK(intact, "the parent's copy is untouched");

    /* Unaligned buffer or length: copied, still correct. */
    CHECK(pread(fd, heap + 1, 4096, 0) == 4096 && memcmp(heap + 1, ref, 4096) == 0,
          "unaligned buffer");
    CHECK(pread(fd, heap, 1000, 512) == 1000 && memcmp(heap, ref + 512, 1000) == 0,
          "unaligned length");

    /* Direct writes, read back the ordinary way. */
    for (int i = 0; i < 64 * 1024; i++)
        heap[i] = (char)(i * 13 + 7);
    CHECK(pwrite(fd, heap, 64 * 1024, MIB) == 64 * 1024, "direct write of 64 KiB");
    char *back = malloc(64 * 1024);
    CHECK(pread(plain, back, 64 * 1024, MIB) == 64 * 1024 && memcmp(back, heap, 64 * 1024) == 0,
          "it reads back");
    errno = 0;
    CHECK(pwrite(fd, (void *)4096, 4096, MIB) == -1 && errno == EFAULT,
          "EFAULT writing from a bad pointer");
    CHECK(fsync(fd) == 0, "fsync");
    close(plain);
    close(fd);
    printf("directtest: %d checks, all passed\n", checks);
    return 0;
}
