/*
 * sigtest.c - signal handlers, masks and ignoring, as a POSIX program sees
 * them. Prints one line per check and "sigtest: all passed" at the end; exits
 * 1 at the first failure.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got, got_sig, chld;
static volatile double fsum;
static sigjmp_buf escape;

#define CHECK(c, what)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("sigtest: FAILED: %s\n", what);                                                 \
            exit(1);                                                                               \
        }                                                                                          \
        printf("sigtest: ok: %s\n", what);                                                         \
    } while (0)

static void on_usr1(int sig)
{
    got++;
    got_sig = sig;
    volatile double x = 0.25; /* uses SSE registers inside the handler */
    fsum += x * 4;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)si;
    (void)uc;
    siglongjmp(escape, sig);
}

static void on_chld(int sig)
{
    (void)sig;
    chld++;
}

static void on_term(int sig)
{
    (void)sig;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction installs a handler");
    volatile double keep = 1.5;
    raise(SIGUSR1);
    CHECK(got == 1 && got_sig == SIGUSR1, "raise runs the handler once");
    CHECK(keep == 1.5 && fsum == 1.0, "FPU state survives the handler");

    sigset_t set, old, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    raise(SIGUSR1);
    CHECK(got == 1, "a blocked signal waits");
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGUSR1), "sigpending shows it");
    sigprocmask(SIG_SETMASK, &old, NULL);
    CHECK(got == 2, "unblocking delivers it");

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    int caught = sigsetjmp(escape, 1);
    volatile int *volatile bad = (volatile int *)16;
    if (!caught)
        *bad = 1;
    CHECK(caught == SIGSEGV, "a SIGSEGV handler escapes a bad write");

    signal(SIGPIPE, SIG_IGN);
    int fds[2];
    pipe(fds);
    close(fds[0]);
    errno = 0;
    CHECK(write(fds[1], "x", 1) == -1 && errno == EPIPE, "ignored SIGPIPE: write fails with EPIPE");
    close(fds[1]);

    signal(SIGCHLD, on_chld);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    int status;
    waitpid(pid, &status, 0);
    CHECK(chld == 1, "SIGCHLD handler runs when a child exits");

    /* A signal cuts a blocked read short with EINTR. */
    pipe(fds);
    pid = fork();
    if (pid == 0) {
        signal(SIGTERM, on_term); /* a handler: the read returns instead of dying */
        char c;
        close(fds[1]);
        ssize_t r = read(fds[0], &c, 1);
        _exit(r == -1 && errno == EINTR ? 42 : 1);
    }
    close(fds[0]);
    usleep(100000);
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    close(fds[1]);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42, "a handled signal interrupts a pipe read");

    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    CHECK(1, "an ignored signal is dropped");
    printf("sigtest: all passed\n");
    return 0;
}
