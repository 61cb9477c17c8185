/*
 * iotest.c - large reads and writes of a regular file, which Kestrel moves in
 * place: the file system copies straight between its cache (or the device)
 * and this process's pages, with no kernel buffer between.
 *
 *   iotest DIR          DIR: a writable directory (its file iotest.dat is
 *                       created and removed)
 *   iotest --image      (run by iotest itself) exit 0 if the initialised
 *                       array in .data still holds its initial bytes
 *
 * Checks: what one large write() stored reads back through small (copied)
 * reads and large (in-place) ones; reads into pages never touched, into an
 * unaligned heap buffer and at odd offsets; a read into this program's .data,
 * whose pages start out shared with every process running the program,
 * reaches only this process; after fork the child's read leaves the parent's
 * copy alone; holes read as zeros; O_APPEND; bad pointers give EFAULT, and a
 * buffer running into unmapped memory moves the file offset by exactly what
 * was returned; large appends from several processes at once land whole.
 * Prints one line per check and "iotest: N checks, all passed"; exits 1 at
 * the first failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KIB  1024
#define MIB  (1024 * KIB)
#define SIZE (3 * MIB + 123) /* not a whole number of blocks */

static int checks;

#define CHECK(c, what)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("iotest: FAILED: %s (errno %d)\n", what, errno);                                \
            exit(1);                                                                               \
        }                                                                                          \
        printf("ok %s\n", what);                                                                   \
        checks++;                                                                                  \
    } while (0)

/* In .data, from the program file: shared with the cached image of it. */
#define IMAGE_BYTES (64 * KIB)
static unsigned char image[IMAGE_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static int image_intact(void)
{
    for (int i = 0; i < IMAGE_BYTES; i++)
        if (image[i] != (i < 8 ? i + 1 : 0))
            return 0;
    return 1;
}

static unsigned char byte_at(long i)
{
    return (unsigned char)(i * 131 + (i >> 12) * 7 + 3);
}

static int matches(const unsigned char *p, long off, long n)
{
    for (long i = 0; i < n; i++)
        if (p[i] != byte_at(off + i))
            return 0;
    return 1;
}

static void *map(size_t len, int prot)
{
    void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* A buffer of @mapped readable-writable bytes followed by an unmapped page. */
static unsigned char *edge_buffer(size_t mapped)
{
    unsigned char *p = map(mapped + 4096, PROT_READ | PROT_WRITE);
    if (p)
        munmap(p + mapped, 4096);
    return p;
}

/*
 * Several processes appending large records to one file, each through its
 * own open file description with O_APPEND: every write(2) must land whole
 * (as Linux's inode lock makes it), although the kernel moves a record in
 * pieces (runs of the buffer's frames, at most 1 MiB pinned at a time). The
 * buffer's pages are touched last to first, so that its frames are not
 * consecutive and the record goes in many pieces; each writer pauses after
 * each record, so that the writers take turns. 1 if every record is whole
 * and the file has them all.
 */
#define APPENDERS 3
#define RECORDS   4
#define RECORD    (MIB + 260 * KIB + 100)

static void appender(const char *path, unsigned char tag)
{
    size_t pages = (RECORD + 4095) / 4096;
    unsigned char *buf = map(pages * 4096, PROT_READ | PROT_WRITE);
    int fd = open(path, O_WRONLY | O_APPEND);
    if (!buf || fd < 0)
        _exit(2);
    for (size_t pg = pages; pg-- > 0;)
        memset(buf + pg * 4096, tag, 4096);
    for (int i = 0; i < RECORDS; i++) {
        if (write(fd, buf, RECORD) != RECORD)
            _exit(3);
        usleep(5000); /* let the others append in between */
    }
    _exit(0);
}

static int appends_stay_whole(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return 0;
    pid_t kids[APPENDERS];
    for (int k = 0; k < APPENDERS; k++) {
        kids[k] = fork();
        if (kids[k] == 0)
            appender(path, (unsigned char)('A' + k));
    }
    int ok = 1;
    for (int k = 0; k < APPENDERS; k++) {
        int status;
        if (kids[k] < 0 || waitpid(kids[k], &status, 0) != kids[k] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            ok = 0;
    }
    struct stat st;
    if (!ok || fstat(fd, &st) != 0 || st.st_size != (off_t)APPENDERS * RECORDS * RECORD)
        ok = 0;
    unsigned char *rec = malloc(RECORD);
    int count[APPENDERS] = { 0 };
    for (int r = 0; ok && rec && r < APPENDERS * RECORDS; r++) {
        if (pread(fd, rec, RECORD, (off_t)r * RECORD) != RECORD || rec[0] < 'A' ||
            rec[0] >= 'A' + APPENDERS) {
            ok = 0;
            break;
        }
        for (long i = 1; i < RECORD; i++)
            if (rec[i] != rec[0]) {
                printf("iotest: record %d is split at byte %ld ('%c' then '%c')\n", r, i, rec[0],
                       rec[i]);
                ok = 0;
                break;
            }
        count[rec[0] - 'A']++;
    }
    for (int k = 0; ok && k < APPENDERS; k++)
        ok = count[k] == RECORDS;
    free(rec);
    close(fd);
    unlink(path);
    return ok && rec != NULL;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--image") == 0)
        return image_intact() ? 0 : 1;
    if (argc != 2) {
        fprintf(stderr, "usage: iotest DIR\n");
        return 2;
    }
    char path[512];
    snprintf(path, sizeof(path), "%s/iotest.dat", argv[1]);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "create the file");

    unsigned char *src = malloc(SIZE);
    CHECK(src != NULL, "malloc");
    for (long i = 0; i < SIZE; i++)
        src[i] = byte_at(i);
    CHECK(write(fd, src, SIZE) == SIZE, "one write() of 3 MiB + 123 bytes");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == SIZE, "the file has that size");

    /* Small reads go through a kernel buffer: an independent witness. */
    unsigned char small[4096];
    int same = 1;
    for (long off = 0; off < SIZE && same; off += (long)sizeof(small)) {
        long want = SIZE - off < (long)sizeof(small) ? SIZE - off : (long)sizeof(small);
        same = pread(fd, small, sizeof(small), off) == want && matches(small, off, want);
    }
    CHECK(same, "4 KiB reads see what the large write stored");

    unsigned char *fresh = map(4 * MIB, PROT_READ | PROT_WRITE); /* no page touched yet */
    CHECK(fresh && lseek(fd, 0, SEEK_SET) == 0, "map 4 MiB");
    CHECK(read(fd, fresh, 4 * MIB) == SIZE, "read() of 4 MiB stops at the end of the file");
    CHECK(matches(fresh, 0, SIZE), "into untouched pages: the right bytes");
    CHECK(lseek(fd, 0, SEEK_CUR) == SIZE, "the offset is at the end");
    CHECK(read(fd, fresh, MIB) == 0, "then end of file");

    /* One whole page, page aligned: in place too. */
    unsigned char *page = map(4096, PROT_READ | PROT_WRITE);
    CHECK(page && pread(fd, page, 4096, 3 * 4096) == 4096 && matches(page, 3 * 4096, 4096),
          "pread of one aligned page");
    CHECK(pwrite(fd, page, 4096, 3 * 4096) == 4096 && pread(fd, small, 4096, 3 * 4096) == 4096 &&
              matches(small, 3 * 4096, 4096),
          "pwrite of one aligned page");
    CHECK(mprotect(page, 4096, PROT_READ) == 0 && pread(fd, page, 4096, 0) == -1 && errno == EFAULT,
          "EFAULT reading a page into a read-only page");

    unsigned char *heap = malloc(MIB + 64);
    CHECK(heap && pread(fd, heap + 1, 200 * KIB, 4093) == 200 * KIB &&
              matches(heap + 1, 4093, 200 * KIB),
          "pread into an unaligned buffer at an odd offset");
    CHECK(pread(fd, heap, MIB, SIZE - 5000) == 5000 && matches(heap, SIZE - 5000, 5000),
          "pread across the end returns the rest");

    /* .data shared with the program's image: the read must copy the page
     * first, so another run of this program still starts with its bytes. */
    CHECK(image_intact(), ".data holds its initial bytes");
    CHECK(pread(fd, image, IMAGE_BYTES, 0) == IMAGE_BYTES && matches(image, 0, IMAGE_BYTES),
          "read into .data");
    pid_t pid = fork();
    if (pid == 0) {
        execl(argv[0], argv[0], "--image", (char *)NULL);
        _exit(127);
    }
    int ws;
    CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0,
          "a new run of the program still sees its own .data");

    /* Copy-on-write after fork: the child's read reaches only its copy. */
    unsigned char *cow = map(64 * KIB, PROT_READ | PROT_WRITE);
    memset(cow, 0x55, 64 * KIB);
    pid = fork();
    if (pid == 0)
        _exit(pread(fd, cow, 64 * KIB, 0) == 64 * KIB && matches(cow, 0, 64 * KIB) ? 0 : 1);
    CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0,
          "the child read into its copy");
    int intact = 1;
    for (int i = 0; i < 64 * KIB; i++)
        intact &= cow[i] == 0x55;
    CHECK(intact, "the parent's copy is untouched");

    /* A hole reads as zeros. */
    CHECK(ftruncate(fd, SIZE + 2 * MIB) == 0, "extend with a hole");
    memset(heap, 0xff, MIB);
    int zeros = pread(fd, heap, MIB, SIZE + 4096) == MIB;
    for (int i = 0; zeros && i < MIB; i++)
        zeros = heap[i] == 0;
    CHECK(zeros, "the hole reads as zeros");
    CHECK(ftruncate(fd, SIZE) == 0, "truncate back");

    /* Large writes in place: at an offset from an unaligned buffer, and from
     * read-only pages. */
    memcpy(heap + 3, src + MIB + 5, 300 * KIB);
    memset(src + MIB + 5, 0, 300 * KIB);
    CHECK(pwrite(fd, heap + 3, 300 * KIB, MIB + 5) == 300 * KIB, "pwrite from an unaligned buffer");
    CHECK(pread(fd, fresh, 400 * KIB, MIB - 50 * KIB) == 400 * KIB &&
              matches(fresh, MIB - 50 * KIB, 400 * KIB),
          "it reads back in place");
    unsigned char *ro = map(64 * KIB, PROT_READ | PROT_WRITE);
    for (int i = 0; i < 64 * KIB; i++)
        ro[i] = byte_at(i);
    CHECK(mprotect(ro, 64 * KIB, PROT_READ) == 0, "make a buffer read-only");
    CHECK(pwrite(fd, ro, 64 * KIB, 0) == 64 * KIB, "a write may come from read-only pages");

    /* O_APPEND: each large write lands at the end. */
    int app = open(path, O_WRONLY | O_APPEND);
    CHECK(app >= 0 && write(app, src, 100 * KIB) == 100 * KIB &&
              write(app, src + 100 * KIB, 100 * KIB) == 100 * KIB,
          "two O_APPEND writes of 100 KiB");
    CHECK(fstat(fd, &st) == 0 && st.st_size == SIZE + 200 * KIB, "the file grew by both");
    CHECK(pread(fd, fresh, 200 * KIB, SIZE) == 200 * KIB && matches(fresh, 0, 200 * KIB),
          "both landed at the end, in order");
    close(app);
    CHECK(ftruncate(fd, SIZE) == 0, "truncate back again");

    /* Bad memory: EFAULT, and the offset moves by exactly what was returned. */
    off_t at = lseek(fd, 0, SEEK_SET);
    errno = 0;
    CHECK(at == 0 && read(fd, (void *)4096, 64 * KIB) == -1 && errno == EFAULT,
          "EFAULT for a bad pointer");
    CHECK(lseek(fd, 0, SEEK_CUR) == 0, "the offset did not move");
    errno = 0;
    CHECK(read(fd, ro, 64 * KIB) == -1 && errno == EFAULT, "EFAULT reading into read-only pages");
    unsigned char *edge = edge_buffer(32 * KIB);
    CHECK(edge != NULL, "a buffer running into unmapped memory");
    long r = read(fd, edge, 64 * KIB);
    CHECK((r == -1 && errno == EFAULT && lseek(fd, 0, SEEK_CUR) == 0) ||
              (r > 0 && r <= 32 * KIB && lseek(fd, 0, SEEK_CUR) == r && matches(edge, 0, r)),
          "reading into it: EFAULT or a short read, and the offset agrees");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "rewind");
    r = write(fd, edge, 64 * KIB);
    CHECK((r == -1 && errno == EFAULT) || (r > 0 && r <= 32 * KIB),
          "writing from it: EFAULT or a short write");
    CHECK(fstat(fd, &st) == 0 && st.st_size == SIZE, "the size did not change");
    errno = 0;
    CHECK(pwrite(fd, (void *)4096, 64 * KIB, 0) == -1 && errno == EFAULT,
          "EFAULT writing from a bad pointer");

    CHECK(fsync(fd) == 0 && close(fd) == 0 && unlink(path) == 0, "fsync, close and remove");

    CHECK(appends_stay_whole(path), "3 processes appending records of 1.25 MiB: each lands whole");
    printf("iotest: %d checks, all passed\n", checks);
    return 0;
}
