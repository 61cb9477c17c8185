/*
 * pipetest.c - pipes and signals between processes.
 *   pipetest big MIB    a child writes MIB MiB of a pseudo-random stream into a
 *                       pipe; the parent reads it all and compares CRC-32s
 *   pipetest epipe      writing to a pipe with no reader: EPIPE, and SIGPIPE
 *                       ends a child that does it
 *   pipetest kill       a child spinning in user mode is killed by SIGTERM
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
        ssize_t r = read(fds[0], buf, sizeof(buf));
        if (r < 0) {
            perror("read");
            return 1;
        }
        if (r == 0)
            break;
        crc = crc32_update(crc, buf, (size_t)r);
        got += (size_t)r;
    }
    int status = wait_child(pid);
    printf("reader crc %08x, %zu bytes, writer status %d\n", crc, got, status);
    return got == total && status == 0 ? 0 : 1;
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

static int killtest(void)
{
    pid_t pid = fork();
    if (pid == 0)
        for (volatile unsigned long i = 0;; i++)
            ;
    usleep(50000);
    if (kill(pid, SIGTERM)) {
        perror("kill");
        return 1;
    }
    int status = wait_child(pid);
    printf("spinning child: %s %d\n", WIFSIGNALED(status) ? "signal" : "exit",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM ? 0 : 1;
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
    if (!strcmp(what, "epipe"))
        return epipe();
    if (!strcmp(what, "kill"))
        return killtest();
    if (!strcmp(what, "inherit"))
        return inherit();
    fprintf(stderr, "usage: pipetest big MIB | epipe | kill | inherit\n");
    return 2;
}
