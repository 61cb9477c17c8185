/*
 * init.c - process 1 (docs/processes.md, "init").
 *
 *   /sbin/init        started by the kernel once its own mounts are done
 *
 * What it does, in order:
 * 1. Mounts every entry of /etc/fstab that is not mounted yet ("proc /proc
 *    proc defaults 0 0", one per line, '#' starts a comment), making the
 *    mount point when it is missing.
 * 2. Prints /etc/motd once.
 * 3. Starts the shell on the console in a session of its own, with the
 *    console as its controlling terminal, and starts it again when it exits
 *    (after a pause if it keeps dying at once).
 * 4. Reaps every child, its own and the orphans the kernel gives it.
 * 5. Takes the system down when asked, the way busybox's init is asked, by a
 *    signal: SIGTERM reboots, SIGUSR2 powers off, SIGUSR1 halts (which under
 *    QEMU is a power off too). `shutdown` and `reboot` send them. It then
 *    sends SIGTERM and SIGHUP to every other process, gives them two
 *    seconds, sends SIGKILL to the rest, syncs, unmounts what it can
 *    (deepest first) and calls reboot(2), which makes the kernel sync and
 *    unmount the rest.
 *
 * init never exits: the kernel has nothing to fall back to.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SHELL        "/bin/sh"
#define CONSOLE      "/dev/console"
#define FSTAB        "/etc/fstab"
#define MOTD         "/etc/motd"
#define MOUNTS       "/proc/mounts"
#define MAX_MOUNTS   64
#define FAST_DEATH_S 2 /* a shell that dies sooner than this counts as failing */
#define FAST_DEATHS  5 /* that many in a row: pause before the next start */

static volatile sig_atomic_t down_request; /* the signal that asked, or 0 */

static void on_signal(int sig)
{
    down_request = sig;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "init: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* mount(2)'s flags for the options init understands; the rest go as data. */
static unsigned long mount_flags(const char *opts)
{
    unsigned long flags = 0;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", opts);
    for (char *save, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        if (strcmp(o, "ro") == 0)
            flags |= MS_RDONLY;
        else if (strcmp(o, "nosuid") == 0)
            flags |= MS_NOSUID;
        else if (strcmp(o, "nodev") == 0)
            flags |= MS_NODEV;
        else if (strcmp(o, "noexec") == 0)
            flags |= MS_NOEXEC;
    }
    return flags;
}

/* Is @p dir a mount point already, by /proc/mounts (absent before /proc is
 * mounted: then nothing is reported mounted, and mount(2) says EBUSY)? */
static int is_mounted(const char *dir)
{
    FILE *f = fopen(MOUNTS, "r");
    if (!f)
        return 0;
    char line[512], dev[256], mnt[256];
    int found = 0;
    while (!found && fgets(line, sizeof(line), f))
        found = sscanf(line, "%255s %255s", dev, mnt) == 2 && strcmp(mnt, dir) == 0;
    fclose(f);
    return found;
}

static void mount_fstab(void)
{
    FILE *f = fopen(FSTAB, "r");
    if (!f) {
        if (errno != ENOENT)
            say("%s: %s", FSTAB, strerror(errno));
        return;
    }
    char line[512];
    int lineno = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char spec[256], dir[256], type[64], opts[256] = "defaults";
        int n = sscanf(line, "%255s %255s %63s %255s", spec, dir, type, opts);
        if (n <= 0)
            continue;
        if (n < 3) {
            say("%s:%d: expected SPEC DIR TYPE [OPTIONS]; line skipped", FSTAB, lineno);
            continue;
        }
        if (strcmp(type, "swap") == 0 || strstr(opts, "noauto") || is_mounted(dir))
            continue;
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            say("cannot create %s: %s", dir, strerror(errno));
            continue;
        }
        if (mount(spec, dir, type, mount_flags(opts), NULL) != 0 && errno != EBUSY)
            say("mount %s: %s", dir, strerror(errno));
    }
    fclose(f);
}

static void print_motd(void)
{
    int fd = open(MOTD, O_RDONLY);
    if (fd < 0)
        return;
    char buf[1024];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0)
        if (write(STDOUT_FILENO, buf, (size_t)n) != n)
            break;
    close(fd);
}

/* In the child: a session of its own on the console, default signals, the
 * shell. Never returns. */
static void exec_shell(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL);
    setsid();
    int fd = open(CONSOLE, O_RDWR);
    if (fd >= 0) {
        ioctl(fd, TIOCSCTTY, 0);
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
        tcsetpgrp(STDIN_FILENO, getpid());
    }
    if (chdir(getenv("HOME") ? getenv("HOME") : "/") != 0)
        (void)chdir("/");
    char *argv[] = { "-sh", NULL };
    execv(SHELL, argv);
    say("cannot run %s: %s", SHELL, strerror(errno));
    _exit(127);
}

static pid_t start_shell(void)
{
    pid_t pid = fork();
    if (pid == 0)
        exec_shell();
    if (pid < 0)
        say("cannot start %s: %s", SHELL, strerror(errno));
    return pid;
}

/* Unmount what /proc/mounts lists, deepest (last mounted) first, except the
 * root; what is busy stays for the kernel, which syncs it at reboot(2). */
static void unmount_all(void)
{
    static char dirs[MAX_MOUNTS][256];
    int n = 0;
    FILE *f = fopen(MOUNTS, "r");
    if (!f)
        return;
    char line[512], dev[256];
    while (n < MAX_MOUNTS && fgets(line, sizeof(line), f))
        if (sscanf(line, "%255s %255s", dev, dirs[n]) == 2 && strcmp(dirs[n], "/") != 0)
            n++;
    fclose(f);
    while (n-- > 0)
        if (umount(dirs[n]) != 0 && errno != EBUSY && errno != EINVAL)
            say("umount %s: %s", dirs[n], strerror(errno));
}

static void reap(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
}

static _Noreturn void go_down(int sig)
{
    const char *what = sig == SIGTERM ? "rebooting" : "powering off";
    say("%s: stopping every process", what);
    kill(-1, SIGTERM);
    kill(-1, SIGHUP); /* the terminal goes away: interactive shells ignore SIGTERM */
    double until = now_s() + 2;
    while (now_s() < until) {
        pid_t r = waitpid(-1, NULL, WNOHANG);
        if (r < 0 && errno == ECHILD)
            break;
        if (r <= 0) {
            struct timespec tick = { 0, 50 * 1000 * 1000 };
            nanosleep(&tick, NULL);
        }
    }
    kill(-1, SIGKILL);
    reap();
    sync();
    unmount_all();
    sync();
    reboot(sig == SIGTERM ? RB_AUTOBOOT : RB_POWER_OFF);
    say("reboot(2) failed: %s; halting here", strerror(errno));
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (getpid() != 1) {
        say("must be process 1 (this is %d)", (int)getpid());
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    signal(SIGINT, SIG_IGN); /* ^C on the console is for the shell's jobs */
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    setenv("HOME", "/", 0);
    setenv("PATH", "/bin:/sbin", 0);
    setenv("TERM", "vt100", 0);
    setenv("SHELL", SHELL, 1);

    mount_fstab();
    print_motd();

    int fast = 0;
    double started = now_s();
    pid_t shell = start_shell();
    for (;;) {
        if (down_request)
            go_down(down_request == SIGUSR1 ? SIGUSR2 : down_request);
        int status;
        pid_t pid = shell > 0 ? wait(&status) : -1;
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid > 0 && pid != shell)
            continue; /* an orphan, reaped */
        if (pid == shell) {
            if (WIFSIGNALED(status))
                say("%s killed by signal %d; starting a new one", SHELL, WTERMSIG(status));
            else if (WEXITSTATUS(status) != 0)
                say("%s exited with status %d; starting a new one", SHELL, WEXITSTATUS(status));
        }
        fast = now_s() - started < FAST_DEATH_S ? fast + 1 : 0;
        if (fast >= FAST_DEATHS) {
            say("%s keeps failing; trying again in 5 seconds", SHELL);
            struct timespec pause_ts = { 5, 0 };
            while (nanosleep(&pause_ts, &pause_ts) != 0 && !down_request)
                ;
            fast = 0;
        }
        if (down_request)
            continue;
        started = now_s();
        shell = start_shell();
    }
}
