/*
 * proctest.c - /proc as a process sees it: its own cmdline, status, stat,
 * cwd and fd links (a file, a pipe, the console), and a child's entries while
 * it runs, once it is a zombie, and after it is reaped; /proc listing both.
 *
 *   proctest ARGS...   (the arguments are checked in /proc/self/cmdline)
 *   proctest --load    spins until /proc/loadavg's 1-minute figure leaves 0.00
 *                      (at most 120 s), then prints the file
 *
 * Prints one line per check and "proctest: N checks, all passed"; exits 1 at
 * the first failure.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int checks;

#define CHECK(c, what)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("proctest: FAILED: %s (errno %d)\n", what, errno);                              \
            exit(1);                                                                               \
        }                                                                                          \
        checks++;                                                                                  \
        printf("proctest: ok: %s\n", what);                                                        \
    } while (0)

static char buf[8192];

/* Read a whole file into buf; its length, or -1. */
static long slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long total = 0, n;
    while ((n = read(fd, buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
        total += n;
    close(fd);
    buf[total] = '\0';
    return n < 0 ? -1 : total;
}

/* Field @n (1-based) of a stat line, after the ")" that ends the comm. */
static long stat_field(const char *line, int n)
{
    const char *p = strrchr(line, ')');
    if (!p || n < 3)
        return -1;
    p += 2;
    for (int i = 3; i < n; i++) {
        p = strchr(p, ' ');
        if (!p)
            return -1;
        p++;
    }
    return n == 3 ? (long)p[0] : strtol(p, NULL, 10);
}

static int count_fields(const char *line)
{
    int n = 1;
    for (const char *p = line; *p && *p != '\n'; p++)
        n += *p == ' ';
    return n;
}

static int link_is(const char *path, const char *want, int prefix)
{
    char t[256];
    ssize_t n = readlink(path, t, sizeof(t) - 1);
    if (n < 0)
        return 0;
    t[n] = '\0';
    return prefix ? strncmp(t, want, strlen(want)) == 0 : strcmp(t, want) == 0;
}

static int dir_has(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)) != NULL)
        found |= strcmp(e->d_name, name) == 0;
    if (d)
        closedir(d);
    return found;
}

static void test_self(int argc, char **argv)
{
    long n = slurp("/proc/self/cmdline");
    long want = 0;
    for (int i = 0; i < argc; i++)
        want += (long)strlen(argv[i]) + 1;
    CHECK(n == want, "cmdline length is the arguments with their NULs");
    const char *p = buf;
    for (int i = 0; i < argc; i++, p += strlen(p) + 1)
        CHECK(strcmp(p, argv[i]) == 0, "cmdline argument matches");

    char pid[16], path[64];
    snprintf(pid, sizeof(pid), "%d", (int)getpid());
    CHECK(link_is("/proc/self", pid, 0), "/proc/self is the pid");
    CHECK(slurp("/proc/self/status") > 0 && strstr(buf, "Name:\tproctest\n") &&
              strstr(buf, "State:\tR (running)\n"),
          "status: Name and State");
    char line[64];
    snprintf(line, sizeof(line), "\nPid:\t%s\n", pid);
    CHECK(strstr(buf, line) != NULL, "status: Pid");
    snprintf(line, sizeof(line), "\nPPid:\t%d\n", (int)getppid());
    CHECK(strstr(buf, line) != NULL, "status: PPid");
    CHECK(strstr(buf, "\nVmRSS:\t") != NULL && strstr(buf, "\nThreads:\t1\n") != NULL,
          "status: VmRSS and Threads");
    CHECK(slurp("/proc/self/stat") > 0 && count_fields(buf) == 52, "stat has 52 fields");
    snprintf(line, sizeof(line), "%s (proctest) R ", pid);
    CHECK(strncmp(buf, line, strlen(line)) == 0, "stat: pid (comm) state");
    CHECK(stat_field(buf, 4) == getppid() && stat_field(buf, 24) > 0 && stat_field(buf, 23) > 0,
          "stat: ppid, rss and vsize");
    CHECK(slurp("/proc/self/comm") > 0 && strcmp(buf, "proctest\n") == 0, "comm");

    if (argv[0][0] == '/')
        CHECK(link_is("/proc/self/exe", argv[0], 0), "exe link is the program");
    CHECK(chdir("/tmp") == 0 && link_is("/proc/self/cwd", "/tmp", 0), "cwd link");
    int fd = open("/etc/motd", O_RDONLY);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    CHECK(fd >= 0 && link_is(path, "/etc/motd", 0), "fd link names the file");
    int pfd[2];
    CHECK(pipe(pfd) == 0, "pipe");
    snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd[0]);
    CHECK(link_is(path, "pipe:[", 1), "fd link of a pipe: pipe:[N]");
    snprintf(path, sizeof(path), "%d", pfd[1]);
    CHECK(dir_has("/proc/self/fd", path) && dir_has("/proc/self/fd", "0"), "fd/ lists them");
    close(pfd[0]);
    close(pfd[1]);
    close(fd);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd[0]);
    CHECK(readlink(path, line, sizeof(line)) == -1 && errno == ENOENT, "closed fd: ENOENT");
    CHECK(open("/proc/self/status", O_WRONLY) == -1 && errno == EACCES, "read-only: EACCES");
}

static void test_child(const char *argv0)
{
    int go[2];
    CHECK(pipe(go) == 0, "pipe for the child");
    pid_t c = fork();
    if (c == 0) {
        char x;
        close(go[1]);
        read(go[0], &x, 1); /* sleeps until the parent closes its end */
        _exit(3);
    }
    close(go[0]);
    char path[64], name[16];
    snprintf(name, sizeof(name), "%d", (int)c);
    CHECK(dir_has("/proc", name), "/proc lists the child");
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)c);
    long n = 0;
    for (int i = 0; i < 200 && !((n = slurp(path)) > 0 && stat_field(buf, 3) == 'S'); i++)
        usleep(10000); /* until it has run into its read */
    CHECK(n > 0 && stat_field(buf, 3) == 'S' && stat_field(buf, 4) == getpid(),
          "child's stat: sleeping, parent is us");
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)c);
    CHECK(slurp(path) > 0 && strcmp(buf, argv0) == 0, "child's cmdline is the parent's (a fork)");
    close(go[1]);
    /* Let it exit; it stays a zombie until we wait. */
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)c);
    for (int i = 0; i < 200 && !(slurp(path) > 0 && stat_field(buf, 3) == 'Z'); i++)
        usleep(10000);
    CHECK(stat_field(buf, 3) == 'Z' && stat_field(buf, 52) == (3 << 8), "zombie: Z, exit code");
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)c);
    CHECK(slurp(path) == 0, "zombie's cmdline is empty");
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)c);
    CHECK(readlink(path, name, sizeof(name)) == -1 && errno == ENOENT, "zombie's exe: ENOENT");
    snprintf(name, sizeof(name), "%d", (int)c);
    int status;
    CHECK(waitpid(c, &status, 0) == c && WEXITSTATUS(status) == 3, "reaped");
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)c);
    CHECK(slurp(path) == -1 && errno == ENOENT, "reaped child: ENOENT");
    CHECK(!dir_has("/proc", name), "/proc no longer lists it");
}

/* Busy until the load average counts us: the sampler runs every 5 seconds. */
static int spin_until_loaded(void)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 1000000; i++)
            x += (unsigned long)i;
        if (slurp("/proc/loadavg") > 0 && strncmp(buf, "0.00 ", 5) != 0) {
            printf("proctest: load seen: %s", buf);
            return 0;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec - start.tv_sec < 120);
    printf("proctest: FAILED: the load average stayed 0.00: %s", buf);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--load") == 0)
        return spin_until_loaded();
    test_self(argc, argv);
    test_child(argv[0]);
    printf("proctest: %d checks, all passed\n", checks);
    return 0;
}
