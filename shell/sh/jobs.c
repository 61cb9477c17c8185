/*
 * jobs.c - children, signals and traps.
 *
 * Interface: sh_wait_pid() for foreground commands, the background job list
 * (sh_job_add, sh_reap_jobs, sh_wait_job for `wait`), the shell's signal
 * dispositions (sh_signals_init, sh_child_signals), traps (sh_set_trap,
 * sh_run_pending_traps) and sh_exit(). Layer: below exec.c.
 *
 * Signals the shell handles only set a flag; the work (a trap's action, a new
 * prompt after ^C) happens between commands. Background jobs are remembered by
 * pid until `wait` collects their status or the list fills up; finished ones
 * are reaped with WNOHANG before each prompt and each `wait`.
 */
#include "sh.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_JOBS 256

struct job {
    pid_t pid;
    int status; /* valid when done */
    bool done;
};

static struct job jobs[MAX_JOBS];
static int njobs;
static volatile sig_atomic_t pending[65];
static volatile sig_atomic_t any_pending;
volatile sig_atomic_t sh_got_sigint;
static bool changed[65]; /* dispositions the shell set, to reset in children */

static const struct {
    const char *name;
    int num;
    const char *text;
} signals[] = {
    { "HUP", SIGHUP, "Hangup" },
    { "INT", SIGINT, "Interrupt" },
    { "QUIT", SIGQUIT, "Quit" },
    { "ILL", SIGILL, "Illegal instruction" },
    { "TRAP", SIGTRAP, "Trace/breakpoint trap" },
    { "ABRT", SIGABRT, "Aborted" },
    { "BUS", SIGBUS, "Bus error" },
    { "FPE", SIGFPE, "Floating point exception" },
    { "KILL", SIGKILL, "Killed" },
    { "USR1", SIGUSR1, "User defined signal 1" },
    { "SEGV", SIGSEGV, "Segmentation fault" },
    { "USR2", SIGUSR2, "User defined signal 2" },
    { "PIPE", SIGPIPE, "Broken pipe" },
    { "ALRM", SIGALRM, "Alarm clock" },
    { "TERM", SIGTERM, "Terminated" },
    { "CHLD", SIGCHLD, "Child exited" },
    { "CONT", SIGCONT, "Continued" },
    { "STOP", SIGSTOP, "Stopped (signal)" },
    { "TSTP", SIGTSTP, "Stopped" },
    { "TTIN", SIGTTIN, "Stopped (tty input)" },
    { "TTOU", SIGTTOU, "Stopped (tty output)" },
    { "URG", SIGURG, "Urgent I/O condition" },
    { "XCPU", SIGXCPU, "CPU time limit exceeded" },
    { "XFSZ", SIGXFSZ, "File size limit exceeded" },
    { "VTALRM", SIGVTALRM, "Virtual timer expired" },
    { "PROF", SIGPROF, "Profiling timer expired" },
    { "WINCH", SIGWINCH, "Window changed" },
    { "SYS", SIGSYS, "Bad system call" },
};
#define NSIGNALS (sizeof(signals) / sizeof(signals[0]))

const char *sh_signame(int sig)
{
    for (size_t i = 0; i < NSIGNALS; i++)
        if (signals[i].num == sig)
            return signals[i].name;
    return NULL;
}

int sh_signum(const char *name)
{
    if (name[0] >= '0' && name[0] <= '9') {
        char *end;
        long n = strtol(name, &end, 10);
        return *end || n < 0 || n > 64 ? -1 : (int)n;
    }
    if (strncasecmp(name, "SIG", 3) == 0)
        name += 3;
    if (strcasecmp(name, "EXIT") == 0)
        return 0;
    for (size_t i = 0; i < NSIGNALS; i++)
        if (strcasecmp(signals[i].name, name) == 0)
            return signals[i].num;
    return -1;
}

void sh_signals_list(void)
{
    for (size_t i = 0; i < NSIGNALS; i++)
        sh_outf("%2d) SIG%s\n", signals[i].num, signals[i].name);
}

int sh_status_of(int wstatus, bool report)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) {
        int sig = WTERMSIG(wstatus);
        if (report && sig == SIGINT) {
            sh_write_all(2, "\n", 1);
        } else if (report && sig != SIGPIPE) {
            const char *text = NULL;
            for (size_t i = 0; i < NSIGNALS; i++)
                if (signals[i].num == sig)
                    text = signals[i].text;
            char buf[96];
            int n = text ? snprintf(buf, sizeof(buf), "%s%s\n", text,
                                    WCOREDUMP(wstatus) ? " (core dumped)" : "")
                         : snprintf(buf, sizeof(buf), "Killed by signal %d\n", sig);
            sh_out_flush();
            sh_write_all(2, buf, (size_t)n);
        }
        return 128 + sig;
    }
    return 1;
}

/* Record the status of a background job that was reaped elsewhere. */
static bool note_job(pid_t pid, int wstatus)
{
    for (int i = 0; i < njobs; i++) {
        if (jobs[i].pid == pid && !jobs[i].done) {
            jobs[i].done = true;
            jobs[i].status = sh_status_of(wstatus, false);
            return true;
        }
    }
    return false;
}

int sh_wait_pid(pid_t pid, int *wstatus)
{
    for (;;) {
        pid_t r = waitpid(pid, wstatus, 0);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

void sh_job_add(pid_t pid)
{
    if (njobs == MAX_JOBS)
        sh_reap_jobs();
    if (njobs == MAX_JOBS) {
        /* Forget the oldest finished job (or the oldest one at all). */
        int k = 0;
        for (int i = 0; i < njobs; i++)
            if (jobs[i].done) {
                k = i;
                break;
            }
        memmove(&jobs[k], &jobs[k + 1], sizeof(jobs[0]) * (size_t)(njobs - k - 1));
        njobs--;
    }
    jobs[njobs++] = (struct job){ .pid = pid };
}

void sh_reap_jobs(void)
{
    for (int i = 0; i < njobs; i++) {
        if (jobs[i].done)
            continue;
        int ws;
        if (waitpid(jobs[i].pid, &ws, WNOHANG) == jobs[i].pid)
            note_job(jobs[i].pid, ws);
    }
}

static void forget(int i)
{
    memmove(&jobs[i], &jobs[i + 1], sizeof(jobs[0]) * (size_t)(njobs - i - 1));
    njobs--;
}

/* Wait for one job; a trapped signal interrupts it (128 + signal). */
static int wait_one(int i)
{
    while (!jobs[i].done) {
        int ws;
        pid_t r = waitpid(jobs[i].pid, &ws, 0);
        if (r == jobs[i].pid) {
            note_job(r, ws);
        } else if (r < 0 && errno == EINTR) {
            for (int s = 1; s < 65; s++)
                if (pending[s] && sh.traps[s])
                    return 128 + s;
        } else if (r < 0) {
            jobs[i].done = true;
            jobs[i].status = 127;
        }
    }
    int st = jobs[i].status;
    forget(i);
    return st;
}

int sh_wait_job(pid_t pid)
{
    sh_reap_jobs();
    if (pid == 0) {
        while (njobs > 0) {
            int st = wait_one(0);
            if (st > 128 && any_pending)
                return st;
        }
        return 0;
    }
    for (int i = 0; i < njobs; i++)
        if (jobs[i].pid == pid)
            return wait_one(i);
    return 127;
}

void sh_jobs_forget(void)
{
    njobs = 0;
}

/* ---- signals ---- */

static void on_signal(int sig)
{
    if (sig == SIGINT)
        sh_got_sigint = 1;
    if (sig > 0 && sig < 65 && sh.traps[sig]) {
        pending[sig] = 1;
        any_pending = 1;
    }
}

static void set_disposition(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    changed[sig] = true;
}

void sh_signals_init(void)
{
    if (sh.interactive) {
        set_disposition(SIGINT, on_signal);
        set_disposition(SIGQUIT, SIG_IGN);
        set_disposition(SIGTERM, SIG_IGN);
    }
    if (sh.jobctl) {
        set_disposition(SIGTSTP, SIG_IGN);
        set_disposition(SIGTTIN, SIG_IGN);
        set_disposition(SIGTTOU, SIG_IGN);
    }
}

void sh_ignore_sigint(bool ignore)
{
    if (!sh.interactive || sh.traps[SIGINT])
        return;
    set_disposition(SIGINT, ignore ? SIG_IGN : on_signal);
}

void sh_child_signals(bool background)
{
    for (int s = 1; s < 65; s++) {
        if (!changed[s])
            continue;
        if (sh.traps[s] && !*sh.traps[s])
            continue; /* trap '' SIG: stays ignored */
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_DFL;
        sigaction(s, &sa, NULL);
        changed[s] = false;
    }
    if (background && !sh.jobctl) {
        set_disposition(SIGINT, SIG_IGN);
        set_disposition(SIGQUIT, SIG_IGN);
    }
    /* A subshell's traps are reset (XCU 2.12). */
    for (int s = 0; s < 65; s++) {
        if (sh.traps[s] && *sh.traps[s]) {
            free(sh.traps[s]);
            sh.traps[s] = NULL;
        }
    }
}

int sh_set_trap(int sig, const char *action)
{
    if (sig == SIGKILL || sig == SIGSTOP) {
        sh_error("trap: %s: cannot be trapped", sh_signame(sig));
        return 1;
    }
    free(sh.traps[sig]);
    sh.traps[sig] = action ? sh_strdup(action) : NULL;
    if (sig == 0)
        return 0;
    if (!action) {
        /* back to the shell's own handling of the signal */
        if (sig == SIGINT && sh.interactive)
            set_disposition(sig, on_signal);
        else if ((sig == SIGQUIT || sig == SIGTERM) && sh.interactive)
            set_disposition(sig, SIG_IGN);
        else
            set_disposition(sig, SIG_DFL);
    } else {
        set_disposition(sig, *action ? on_signal : SIG_IGN);
    }
    return 0;
}

void sh_traps_print(void)
{
    for (int s = 0; s < 65; s++) {
        if (!sh.traps[s])
            continue;
        sh_outs("trap -- '");
        for (const char *p = sh.traps[s]; *p; p++)
            sh_outs(*p == '\'' ? "'\\''" : (char[]){ *p, 0 });
        sh_outf("' %s\n", s ? sh_signame(s) : "EXIT");
    }
}

void sh_run_pending_traps(void)
{
    while (any_pending) {
        any_pending = 0;
        for (int s = 1; s < 65; s++) {
            if (!pending[s])
                continue;
            pending[s] = 0;
            if (!sh.traps[s] || !*sh.traps[s])
                continue;
            int saved = sh.status;
            char *action = sh_strdup(sh.traps[s]);
            sh_eval_string(action, strlen(action), 0);
            free(action);
            sh.status = saved;
        }
    }
}

void sh_exit(int status)
{
    if (sh.traps[0] && !sh.exiting) {
        sh.exiting = true;
        char *action = sh.traps[0];
        sh.traps[0] = NULL;
        sh.status = status;
        sh_eval_string(action, strlen(action), 0);
        free(action);
    }
    sh_out_flush();
    if (sh.in_child)
        _exit(status & 0xff);
    sh_tty_restore();
    sh_cleanup();
    exit(status & 0xff);
}
