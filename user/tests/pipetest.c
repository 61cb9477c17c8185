/*
 * pipetest.c - pipes and signals between processes.
 *   pipetest big MIB    a child writes MIB MiB of a pseudo-random stream into a
 *                       pipe; the parent reads it all and compares CRC-32s
 *   pipetest shortread  a read larger than the pipe's contents returns them
 *   pipetest epipe      writing to a pipe with no reader: EPIPE, and SIGPIPE
 *                       ends a child that does it
 *   pipetest kill       a child spinning in user mode is killed by SIGTERM,
 *                       SIGINT and SIGKILL
 *   pipetest cloexec    execve closes O_CLOEXEC descriptors, keeps the rest
 *   pipetest orphan     an orphaned grandchild is handed to pid 1, which reaps it
 *   pipetest inherit    descriptors and the working directory pass to a child
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

static void fill(uint8_t *buf, size_t n, uint64_t *state)
{
    for (size_t i = 0; i < n; i++) {
        *state = *state * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = (uint8_t)(*state >> 56);
    }
}

static int wait_child(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        exit(1);
    }
    return status;
}

static int big(long mib)
{
    int fds[2];
    if (pipe(fds)) {
        perror("pipe");
        return 1;
    }
    static uint8_t buf[65536];
    size_t total = (size_t)mib << 20;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        uint64_t st = 42;
        uint32_t crc = 0;
        for (size_t done = 0; done < total;) {
            size_t n = 1 + (done * 7919 % sizeof(buf)); /* odd sizes too */
            if (n > total - done)
                n = total - done;
            fill(buf, n, &st);
            crc = crc32_update(crc, buf, n);
            for (size_t off = 0; off < n;) {
                ssize_t w = write(fds[1], buf + off, n - off);
                if (w <= 0)
                    _exit(3);
                off += (size_t)w;
            }
            done += n;
        }
        printf("writer crc %08x\n", crc);
        _exit(0);
    }
    close(fds[1]);
    uint32_t crc = 0;
    size_t got = 0;
    for (;;) {
        /* Ask for more than the pipe holds: the read must return what is
         * there, not wait for the rest. */
        static uint8_t big[3 * 65536];
        ssize_t r = read(fds[0], big, sizeof(big));
        if (r < 0) {
            perror("read");
            return 1;
        }
        if (r == 0)
            break;
        crc = crc32_update(crc, big, (size_t)r);
        got += (size_t)r;
    }
    int status = wait_child(pid);
    printf("reader crc %08x, %zu bytes, writer status %d\n", crc, got, status);
    return got == total && status == 0 ? 0 : 1;
}

/* A read larger than what is in the pipe returns what is there: the writer
 * fills the pipe, then waits for an answer that only comes after the read. */
static int shortread(void)
{
    int data[2], ack[2];
    if (pipe(data) || pipe(ack))
        return 1;
    static uint8_t block[65536], big[3 * 65536];
    pid_t pid = fork();
    if (pid == 0) {
        close(data[0]);
        close(ack[1]);
        memset(block, 'x', sizeof(block));
        if (write(data[1], block, sizeof(block)) != (ssize_t)sizeof(block))
            _exit(2);
        char c;
        _exit(read(ack[0], &c, 1) == 1 ? 0 : 3);
    }
    close(data[1]);
    close(ack[0]);
    size_t got = 0;
    while (got < sizeof(block)) {
        ssize_t r = read(data[0], big, sizeof(big));
        if (r <= 0)
            return 1;
        got += (size_t)r;
    }
    write(ack[1], "k", 1);
    int status = wait_child(pid);
    printf("short read: %zu bytes, writer status %d\n", got, status);
    return got == sizeof(block) && status == 0 ? 0 : 1;
}

static int epipe(void)
{
    int fds[2];
    if (pipe(fds))
        return 1;
    close(fds[0]);
    pid_t pid = fork();
    if (pid == 0) {
        write(fds[1], "x", 1);
        _exit(0); /* not reached: SIGPIPE ends the child */
    }
    int status = wait_child(pid);
    printf("writer without reader: %s %d\n", WIFSIGNALED(status) ? "signal" : "exit",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE ? 0 : 1;
}

/* A child spinning in user mode ends with each default-action signal. */
static int killtest(void)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGKILL };
    int bad = 0;
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        pid_t pid = fork();
        if (pid == 0)
            for (volatile unsigned long n = 0;; n++)
                ;
        usleep(50000);
        if (kill(pid, sigs[i])) {
            perror("kill");
            return 1;
        }
        int status = wait_child(pid);
        printf("spinning child: %s %d\n", WIFSIGNALED(status) ? "signal" : "exit",
               WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        bad |= !(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i]);
    }
    return bad;
}

/* execve closes O_CLOEXEC descriptors and keeps the others: exec ourselves
 * with "fdcheck CLOSED KEPT". */
static int cloexec(const char *self)
{
    int closed = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int kept = open("/dev/null", O_RDONLY);
    int dupped = fcntl(kept, F_DUPFD_CLOEXEC, 20);
    if (closed < 0 || kept < 0 || dupped < 20)
        return 1;
    pid_t pid = fork();
    if (pid == 0) {
        char a[16], b[16], c[16];
        snprintf(a, sizeof(a), "%d", closed);
        snprintf(b, sizeof(b), "%d", kept);
        snprintf(c, sizeof(c), "%d", dupped);
        execl(self, self, "fdcheck", a, b, c, (char *)NULL);
        _exit(127);
    }
    int status = wait_child(pid);
    printf("cloexec: exec'd child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* A grandchild whose parent exits is handed to pid 1 (init), which reaps
 * it: the grandchild sees its parent become 1 and says so through a pipe;
 * once it has exited, it must be gone (no zombie left behind). */
static int orphan(void)
{
    int fds[2];
    if (pipe(fds))
        return 1;
    pid_t mid = fork();
    if (mid == 0) {
        pid_t g = fork();
        if (g == 0) {
            usleep(200000); /* outlive the middle process */
            pid_t pp = getppid();
            write(fds[1], &pp, sizeof(pp));
            _exit(7);
        }
        write(fds[1], &g, sizeof(g));
        _exit(0);
    }
    close(fds[1]);
    pid_t g = 0, pp = 0;
    read(fds[0], &g, sizeof(g));
    wait_child(mid);
    read(fds[0], &pp, sizeof(pp));
    int gone = 0;
    for (int i = 0; i < 100 && !gone; i++) { /* up to 2 s for init to reap it */
        usleep(20000);
        gone = kill(g, 0) == -1 && errno == ESRCH;
    }
    printf("orphan: the grandchild's parent became %d; reaped: %s\n", (int)pp, gone ? "yes" : "no");
    return pp == 1 && gone ? 0 : 1;
}

static int fdcheck(int closed, int kept, int dupped)
{
    int ok = fcntl(closed, F_GETFD) == -1 && errno == EBADF && fcntl(kept, F_GETFD) == 0 &&
             fcntl(dupped, F_GETFD) == -1;
    return ok ? 0 : 1;
}

static int inherit(void)
{
    if (chdir("/tmp")) {
        perror("chdir");
        return 1;
    }
    int fd = open("inherit.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    write(fd, "shared offset", 13);
    lseek(fd, 0, SEEK_SET);
    pid_t pid = fork();
    if (pid == 0) {
        char cwd[64], b[7] = { 0 };
        if (!getcwd(cwd, sizeof(cwd)) || read(fd, b, 6) != 6)
            _exit(2);
        printf("child: cwd %s, read '%s'\n", cwd, b);
        _exit(strcmp(cwd, "/tmp") || strcmp(b, "shared") ? 1 : 0);
    }
    int status = wait_child(pid);
    char rest[8] = { 0 };
    read(fd, rest, 7); /* the child moved the shared offset */
    printf("parent: read '%s' after the child\n", rest);
    close(fd);
    unlink("inherit.txt");
    return status == 0 && !strcmp(rest, " offset") ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "big"))
        return big(argc > 2 ? atol(argv[2]) : 1);
    if (!strcmp(what, "shortread"))
        return shortread();
    if (!strcmp(what, "epipe"))
        return epipe();
    if (!strcmp(what, "kill"))
        return killtest();
    if (!strcmp(what, "orphan"))
        return orphan();
    if (!strcmp(what, "cloexec"))
        return cloexec(argv[0]);
    if (!strcmp(what, "fdcheck") && argc == 5)
        return fdcheck(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (!strcmp(what, "inherit"))
        return inherit();
    fprintf(stderr,
            "usage: pipetest big MIB | shortread | epipe | kill | cloexec | orphan | inherit\n");
    return 2;
}
