/*
 * ttytest.c - the terminal through termios and the process-group calls, as
 * a program uses them (musl's tcgetattr, tcsetattr, tcgetpgrp, ...).
 *   ttytest raw      raw mode (VMIN 1, VTIME 0): reads three single bytes
 *   ttytest canon    one canonical read: prints the line it got
 *   ttytest poll     raw with VMIN 0: VTIME 0 returns at once, VTIME 3
 *                    after about 0.3 s
 *   ttytest info     isatty, the window size, the foreground group, the
 *                    session, /dev/tty, and what is not a terminal
 *   ttytest groups   setpgid, getpgid, getsid, setsid, kill(-pgrp),
 *                    wait4 on a group, tcsetpgrp and its errors
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
    printf("ttytest: %s: %s\n", ok ? "ok" : "FAILED", what);
    if (!ok)
        failures++;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int raw(void)
{
    struct termios old, t;
    if (tcgetattr(0, &old)) {
        perror("tcgetattr");
        return 1;
    }
    t = old;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
    t.c_iflag &= ~(tcflag_t)ICRNL;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSAFLUSH, &t)) {
        perror("tcsetattr");
        return 1;
    }
    printf("raw: ready\n");
    fflush(stdout);
    for (int i = 0; i < 3; i++) {
        unsigned char c;
        ssize_t n = read(0, &c, 1);
        printf("raw: read %zd byte 0x%02x\n", n, c);
        fflush(stdout);
    }
    tcsetattr(0, TCSANOW, &old);
    struct termios back;
    tcgetattr(0, &back);
    printf("raw: restored %s\n", (back.c_lflag & ICANON) && (back.c_lflag & ECHO) ? "yes" : "no");
    return 0;
}

static int canon(void)
{
    char buf[256];
    printf("canon: ready\n");
    fflush(stdout);
    ssize_t n = read(0, buf, sizeof(buf) - 1);
    if (n < 0) {
        perror("read");
        return 1;
    }
    buf[n] = '\0';
    printf("canon: got %zd [", n);
    for (ssize_t i = 0; i < n; i++)
        printf(buf[i] == '\n' ? "\\n" : "%c", buf[i]);
    printf("]\n");
    return 0;
}

static int poll_reads(void)
{
    struct termios old, t;
    tcgetattr(0, &old);
    t = old;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    tcsetattr(0, TCSANOW, &t);
    char c;
    double t0 = now();
    ssize_t n = read(0, &c, 1);
    double t1 = now();
    check(n == 0 && t1 - t0 < 0.2, "VMIN 0 VTIME 0 returns 0 at once");
    t.c_cc[VTIME] = 3;
    tcsetattr(0, TCSANOW, &t);
    t0 = now();
    n = read(0, &c, 1);
    t1 = now();
    printf("ttytest: VTIME 3 waited %.2f s\n", t1 - t0);
    check(n == 0 && t1 - t0 >= 0.25 && t1 - t0 < 3, "VMIN 0 VTIME 3 times out after 0.3 s");
    tcsetattr(0, TCSANOW, &old);
    return failures != 0;
}

static int info(void)
{
    struct winsize ws;
    check(isatty(0) && isatty(1) && isatty(2), "stdio is a terminal");
    check(ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row == 25 && ws.ws_col == 80,
          "TIOCGWINSZ is 80x25");
    printf("ttytest: winsize %dx%d\n", ws.ws_col, ws.ws_row);
    check(tcgetpgrp(0) == getpgrp(), "our group is in the foreground");
    /* Run by the shell: it leads the session (init made it), we lead our
     * own group in it, which is the terminal's foreground group. */
    check(getpgrp() == getpid() && getsid(0) == getsid(getppid()) && getsid(0) != getpid(),
          "we lead a group in the shell's session");
    pid_t sid = -1;
    check(ioctl(0, TIOCGSID, &sid) == 0 && sid == getsid(0), "TIOCGSID");
    int fd = open("/dev/tty", O_RDWR);
    check(fd >= 0 && isatty(fd), "/dev/tty opens");
    if (fd >= 0)
        close(fd);
    int null = open("/dev/null", O_RDWR);
    errno = 0;
    check(!isatty(null) && errno == ENOTTY, "/dev/null is not a terminal");
    close(null);
    int p[2];
    pipe(p);
    check(ioctl(p[0], TIOCGWINSZ, &ws) == -1 && errno == ENOTTY, "a pipe is not a terminal");
    int n = -1;
    check(ioctl(0, FIONREAD, &n) == 0 && n == 0, "FIONREAD: nothing typed");
    check(ioctl(0, 0x54ff, 0) == -1 && errno == ENOTTY, "an unknown request is ENOTTY");
    check(ioctl(99, TIOCGWINSZ, &ws) == -1 && errno == EBADF, "a closed descriptor is EBADF");
    check(tcgetattr(0, (struct termios *)8) == -1 && errno == EFAULT, "a bad pointer is EFAULT");
    unsigned char rnd[32] = { 0 };
    int r = open("/dev/urandom", O_RDONLY);
    int nonzero = 0;
    check(r >= 0 && read(r, rnd, sizeof(rnd)) == (ssize_t)sizeof(rnd), "/dev/urandom reads");
    for (size_t i = 0; i < sizeof(rnd); i++)
        nonzero += rnd[i] != 0;
    check(nonzero > 16, "/dev/urandom is not zeros");
    close(r);
    struct winsize big = { 50, 132, 0, 0 };
    check(ioctl(0, TIOCSWINSZ, &big) == 0 && ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_col == 132,
          "TIOCSWINSZ");
    big.ws_row = 25;
    big.ws_col = 80;
    ioctl(0, TIOCSWINSZ, &big);
    printf("ttytest: info %s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}

static int groups(void)
{
    pid_t me = getpid();
    check(setsid() == -1 && errno == EPERM, "a group leader cannot setsid");
    /* The shell runs us as the leader of a group in its session. */
    pid_t sid = getsid(0);
    check(getpgid(0) == me && sid == getsid(getppid()) && sid != me,
          "getpgid and getsid of ourselves");
    check(setpgid(0, 0) == 0 && getpgrp() == me, "a group leader may setpgid(0, 0)");
    pid_t l = fork();
    if (l == 0) /* a session leader cannot change group */
        _exit(setsid() == getpid() && setpgid(0, 0) == -1 && errno == EPERM ? 0 : 1);
    int lst = -1;
    check(l > 0 && waitpid(l, &lst, 0) == l && WIFEXITED(lst) && WEXITSTATUS(lst) == 0,
          "a session leader cannot change group");
    check(getpgid(99999) == -1 && errno == ESRCH, "getpgid of nobody: ESRCH");
    check(kill(-99999, 0) == -1 && errno == ESRCH, "kill of an empty group: ESRCH");
    check(kill(0, 0) == 0, "kill(0, 0): our group exists");

    /* A child in its own group: found by kill(-pgrp) and wait4(-pgrp). */
    int go[2];
    pipe(go);
    pid_t c = fork();
    if (c == 0) {
        char b;
        read(go[0], &b, 1);
        for (;;)
            pause();
    }
    check(setpgid(c, c) == 0, "setpgid of a child into a new group");
    check(getpgid(c) == c && getsid(c) == sid, "the child's group and session");
    check(setpgid(c, 99999) == -1 && errno == EPERM, "joining a group that does not exist: EPERM");
    check(setpgid(1234567, 0) == -1 && errno == ESRCH, "setpgid of a stranger: ESRCH");
    check(setpgid(0, -1) == -1 && errno == EINVAL, "a negative group: EINVAL");
    check(tcsetpgrp(0, c) == 0 && tcgetpgrp(0) == c, "tcsetpgrp gives the terminal to the child");
    check(tcsetpgrp(0, 99999) == -1 && errno == ESRCH, "tcsetpgrp to no group: ESRCH");
    check(tcsetpgrp(0, me) == 0, "and back to us");
    int res[2];
    pipe(res);
    pid_t b = fork();
    if (b == 0) { /* a background group reading the terminal */
        setpgid(0, 0);
        char ch;
        errno = 0;
        int eio = read(0, &ch, 1) == -1 && errno == EIO;
        write(res[1], eio ? "y" : "n", 1);
        _exit(0);
    }
    char verdict = 0;
    read(res[0], &verdict, 1);
    waitpid(b, NULL, 0);
    check(verdict == 'y', "a background group reading the terminal gets EIO");
    write(go[1], "x", 1);
    check(kill(-c, SIGTERM) == 0, "kill(-pgrp) signals the group");
    int st = 0;
    check(waitpid(-c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
          "waitpid(-pgrp) reaps it");

    /* A child that starts a session: it loses the terminal. */
    c = fork();
    if (c == 0) {
        int ok = setsid() == getpid() && getsid(0) == getpid() && getpgrp() == getpid();
        errno = 0;
        ok = ok && tcgetpgrp(0) == -1 && errno == ENOTTY;
        ok = ok && open("/dev/tty", O_RDWR) == -1 && errno == ENXIO;
        ok = ok && isatty(0); /* still a terminal, just not ours */
        _exit(ok ? 0 : 1);
    }
    check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "setsid in a child: a new session without a terminal");

    /* A child that has called execve may not be moved. */
    c = fork();
    if (c == 0) {
        execl("/bin/sleep", "sleep", "1", (char *)NULL);
        _exit(127);
    }
    struct timespec ts = { 0, 300 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    check(setpgid(c, c) == -1 && errno == EACCES, "setpgid after the child's execve: EACCES");
    waitpid(c, &st, 0);
    printf("ttytest: groups %s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: ttytest raw|canon|poll|info|groups\n");
        return 2;
    }
    if (!strcmp(argv[1], "raw"))
        return raw();
    if (!strcmp(argv[1], "canon"))
        return canon();
    if (!strcmp(argv[1], "poll"))
        return poll_reads();
    if (!strcmp(argv[1], "info"))
        return info();
    if (!strcmp(argv[1], "groups"))
        return groups();
    fprintf(stderr, "ttytest: %s: unknown test\n", argv[1]);
    return 2;
}
