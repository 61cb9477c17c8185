/*
 * procbench.c - process and pipe micro-benchmarks, the same static binary on
 * Kestrel and on Linux (tests/bench/proc_vs_linux.py runs it on both).
 *
 *   procbench [-d DIV] [ROW...]
 *
 * Rows, each with a fixed iteration count (DIV divides the counts, for smoke
 * runs only), a short untimed warm-up, and CLOCK_MONOTONIC read just before and
 * just after the timed loop:
 *
 *   getppid_ns      one getppid() system call
 *   fork_exit_us    fork(); the child _exit(0)s; the parent waitpid()s
 *   fork_exec_us    the same, the child execve()s true_static first, from the
 *                   directory procbench was started from (/bin/true_static
 *                   when started as /bin/procbench)
 *   pipe_rtt_us     two processes, two pipes: 1 byte there, 1 byte back
 *   pipe_bw_mibs    1 GiB from a child to its parent through one pipe, 64 KiB
 *                   writes and reads, timed from fork() to waitpid()
 *
 * Output, one line per row, for a script to parse:
 *
 *   procbench start NAME                  before the warm-up
 *   procbench clock NAME                  just before the clock is first read
 *   procbench NAME VALUE iters=N secs=S
 *   procbench NAME unsupported REASON     the row could not run (a missing
 *                                         system call, a missing program)
 *   procbench NAME error REASON           it started but failed part way
 *   procbench error unknown row 'X'       an argument names no row
 *   procbench done
 *
 * Kestrel's clock has millisecond resolution, so the counts are chosen so that
 * each timed loop spans more than a second on both systems under TCG. The
 * `clock` line lets the host time the same loop from outside the guest.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* true_static beside this program (main() sets it from argv[0]). */
static char true_path[96] = "/bin/true_static";
#define TRUE_PATH true_path
#define BW_BYTES  (1ul << 30)
#define BW_CHUNK  65536

static long divisor = 1;

static double now_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts))
        return -1.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long iters(long n)
{
    n /= divisor;
    return n > 0 ? n : 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("procbench ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
    fflush(stdout); /* before any fork: a child must not inherit buffered text */
}

static void result(const char *name, double value, long n, double secs)
{
    say("%s %.1f iters=%ld secs=%.3f", name, value, n, secs);
}

/* Reap @pid; 0 if it exited with status 0, else -1 with a reason in @why. */
static int reap(pid_t pid, char *why, size_t len)
{
    int st;
    pid_t r;
    do
        r = waitpid(pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (r != pid) {
        snprintf(why, len, "waitpid: %s", strerror(errno));
        return -1;
    }
    if (WIFSIGNALED(st)) {
        snprintf(why, len, "child killed by signal %d", WTERMSIG(st));
        return -1;
    }
    if (WEXITSTATUS(st) != 0) {
        snprintf(why, len, "child exited with %d", WEXITSTATUS(st));
        return -1;
    }
    return 0;
}

static void row_getppid(void)
{
    const char *name = "getppid_ns";
    errno = 0;
    if (getppid() < 0 || errno) {
        say("%s unsupported getppid: %s", name, strerror(errno));
        return;
    }
    for (int i = 0; i < 10000; i++)
        getppid();
    long n = iters(4000000);
    say("clock %s", name);
    double t0 = now_s();
    for (long i = 0; i < n; i++)
        getppid();
    double secs = now_s() - t0;
    result(name, secs / (double)n * 1e9, n, secs);
}

/* One fork + (execve) + exit + wait; 0, or -1 with a reason. */
static int fork_once(int exec, char *why, size_t len)
{
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, len, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (exec) {
            char *argv[] = { TRUE_PATH, NULL };
            char *envp[] = { NULL };
            execve(TRUE_PATH, argv, envp);
            _exit(errno == ENOENT ? 126 : 127);
        }
        _exit(0);
    }
    return reap(pid, why, len);
}

static void row_fork(int exec)
{
    const char *name = exec ? "fork_exec_us" : "fork_exit_us";
    char why[128];
    if (fork_once(exec, why, sizeof(why))) { /* the first one decides: can it run? */
        if (exec && strcmp(why, "child exited with 126") == 0)
            snprintf(why, sizeof(why), "%s: no such file", TRUE_PATH);
        else if (exec && strcmp(why, "child exited with 127") == 0)
            snprintf(why, sizeof(why), "execve %s failed", TRUE_PATH);
        say("%s unsupported %s", name, why);
        return;
    }
    for (int i = 0; i < 10; i++)
        if (fork_once(exec, why, sizeof(why))) {
            say("%s error %s", name, why);
            return;
        }
    long n = iters(exec ? 1500 : 4000);
    say("clock %s", name);
    double t0 = now_s();
    for (long i = 0; i < n; i++)
        if (fork_once(exec, why, sizeof(why))) {
            say("%s error %s (iteration %ld)", name, why, i);
            return;
        }
    double secs = now_s() - t0;
    result(name, secs / (double)n * 1e6, n, secs);
}

/* The echoing child of the ping-pong: a byte in, the same byte out, until EOF. */
static void echo_child(int in, int out)
{
    char c;
    for (;;) {
        ssize_t r = read(in, &c, 1);
        if (r == 0)
            _exit(0);
        if (r != 1 || write(out, &c, 1) != 1)
            _exit(1);
    }
}

static int ping(int out, int in, long n)
{
    char c = 'x';
    for (long i = 0; i < n; i++)
        if (write(out, &c, 1) != 1 || read(in, &c, 1) != 1)
            return -1;
    return 0;
}

static void row_pipe_rtt(void)
{
    const char *name = "pipe_rtt_us";
    int there[2], back[2];
    char why[128];
    if (pipe(there) || pipe(back)) {
        say("%s unsupported pipe: %s", name, strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        say("%s unsupported fork: %s", name, strerror(errno));
        return;
    }
    if (pid == 0) {
        close(there[1]);
        close(back[0]);
        echo_child(there[0], back[1]);
    }
    close(there[0]);
    close(back[1]);
    long n = iters(50000);
    double t0 = 0, secs = 0;
    int err = ping(there[1], back[0], 1000);
    if (!err) {
        say("clock %s", name); /* the child is blocked in read(): it prints nothing */
        t0 = now_s();
        err = ping(there[1], back[0], n);
        secs = now_s() - t0;
    }
    int e = errno;
    close(there[1]); /* EOF ends the child */
    close(back[0]);
    if (reap(pid, why, sizeof(why)) || err) {
        say("%s error %s", name, err ? strerror(e) : why);
        return;
    }
    result(name, secs / (double)n * 1e6, n, secs);
}

static void row_pipe_bw(void)
{
    const char *name = "pipe_bw_mibs";
    static char buf[BW_CHUNK];
    int fds[2];
    char why[128];
    size_t total = BW_BYTES / (size_t)divisor;
    memset(buf, 0x5a, sizeof(buf)); /* touch the pages before the clock starts */
    if (pipe(fds)) {
        say("%s unsupported pipe: %s", name, strerror(errno));
        return;
    }
    say("clock %s", name);
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        say("%s unsupported fork: %s", name, strerror(errno));
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        for (size_t done = 0; done < total;) {
            size_t want = total - done < sizeof(buf) ? total - done : sizeof(buf);
            ssize_t w = write(fds[1], buf, want);
            if (w <= 0)
                _exit(1);
            done += (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fds[0], buf, sizeof(buf));
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fds[0]);
    int bad = reap(pid, why, sizeof(why));
    double secs = now_s() - t0;
    if (bad || got != total) {
        say("%s error %s", name, bad ? why : "short transfer");
        return;
    }
    result(name, (double)total / (1 << 20) / secs, (long)(total / BW_CHUNK), secs);
}

static const struct {
    const char *name;
    void (*run)(void);
} rows[] = {
    { "getppid_ns", row_getppid },   { "fork_exit_us", NULL },        { "fork_exec_us", NULL },
    { "pipe_rtt_us", row_pipe_rtt }, { "pipe_bw_mibs", row_pipe_bw },
};

static void run_row(unsigned i)
{
    say("start %s", rows[i].name);
    if (rows[i].run)
        rows[i].run();
    else
        row_fork(i == 2);
}

int main(int argc, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    if (slash && (size_t)(slash - argv[0]) + sizeof("/true_static") <= sizeof(true_path))
        snprintf(true_path, sizeof(true_path), "%.*s/true_static", (int)(slash - argv[0]), argv[0]);
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "-d") == 0) {
        divisor = atol(argv[a + 1]);
        if (divisor < 1)
            divisor = 1;
        a += 2;
    }
    if (now_s() < 0) {
        say("error clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
        return 1;
    }
    const unsigned nrows = sizeof(rows) / sizeof(rows[0]);
    for (int k = a; k < argc; k++) { /* a misspelt row must not pass silently */
        unsigned i = 0;
        while (i < nrows && strcmp(argv[k], rows[i].name) != 0)
            i++;
        if (i == nrows)
            say("error unknown row '%s'", argv[k]);
    }
    for (unsigned i = 0; i < nrows; i++) {
        int wanted = a == argc;
        for (int k = a; k < argc; k++)
            wanted |= strcmp(argv[k], rows[i].name) == 0;
        if (wanted)
            run_row(i);
    }
    say("done");
    return 0;
}
