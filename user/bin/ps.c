/*
 * ps.c - report process status (POSIX ps, the common options).
 *
 *   ps [-e|-A] [-f] [-p PID[,PID...]]
 *       PID  PPID STAT     TIME CMD
 *   -f: UID        PID  PPID PSR STAT     TIME CMD
 * Without options, the processes with ps's effective user and controlling
 * terminal (as POSIX says); -e or -A every process; -p the processes
 * listed. -f adds UID and PSR (the CPU the process runs on or last ran on,
 * as procps's -F shows it) and shows each command line (a process without
 * one, such as a kernel task, as "[name]"); otherwise CMD is the process name.
 * TIME is user + system CPU time, [DD-]HH:MM:SS.
 *
 * Read from /proc/PID/stat, status and cmdline in Linux's formats, so the
 * same binary works on Kestrel and on Linux. A process that exits while ps
 * reads it is skipped.
 */
#include "system.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct proc {
    long pid, ppid, tty;
    char state;
    char comm[64];
    unsigned long long ticks; /* utime + stime */
    int psr;                  /* processor: field 39 of stat */
    long euid;
};

/* Parse /proc/PID/stat and status. Returns 0, or -1 if the process is gone. */
static int read_proc(long pid, struct proc *p)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    if (sys_read_file(path, text, sizeof(text)) <= 0)
        return -1;
    /* "PID (COMM) S PPID PGRP SESSION TTY_NR TPGID FLAGS MINFLT CMINFLT MAJFLT
     * CMAJFLT UTIME STIME ...": COMM may hold spaces and parentheses, so it
     * ends at the last ')'. */
    char *open = strchr(text, '('), *close = strrchr(text, ')');
    if (!open || !close || close < open)
        return -1;
    memset(p, 0, sizeof(*p));
    p->pid = pid;
    snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(close - open - 1), open + 1);
    long pgrp, session, tpgid;
    unsigned long flags, minflt, cminflt, majflt, cmajflt, utime = 0, stime = 0;
    int n = sscanf(close + 1, " %c %ld %ld %ld %ld %ld %lu %lu %lu %lu %lu %lu %lu", &p->state,
                   &p->ppid, &pgrp, &session, &p->tty, &tpgid, &flags, &minflt, &cminflt, &majflt,
                   &cmajflt, &utime, &stime);
    if (n < 2)
        return -1;
    p->ticks = (unsigned long long)utime + stime;
    /* Field 39 (processor): skip 24 fields after stime. */
    p->psr = -1;
    const char *f = close + 2;
    for (int field = 3; field < 39 && f; field++) {
        f = strchr(f, ' ');
        if (f)
            f++;
    }
    if (f)
        p->psr = atoi(f);
    p->euid = -1;
    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    static char status[4096];
    if (sys_read_file(path, status, sizeof(status)) > 0) {
        char *uid = strstr(status, "\nUid:");
        long ruid;
        if (uid && sscanf(uid + 5, "%ld %ld", &ruid, &p->euid) != 2)
            p->euid = -1;
    }
    return 0;
}

/* The command line of PID with its arguments joined by spaces, or "[COMM]". */
static void command_line(const struct proc *p, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/cmdline", p->pid);
    ssize_t n = sys_read_file(path, out, size);
    while (n > 0 && out[n - 1] == '\0')
        n--;
    if (n <= 0) {
        snprintf(out, size, "[%s]", p->comm);
        return;
    }
    for (ssize_t i = 0; i < n; i++)
        if (out[i] == '\0' || out[i] == '\n')
            out[i] = ' ';
    out[n] = '\0';
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Every process id in /proc, sorted. */
static long *list_pids(size_t *count)
{
    DIR *d = opendir("/proc");
    if (!d)
        return NULL;
    long *pids = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (!isdigit((unsigned char)e->d_name[0]) || *end)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            long *grown = realloc(pids, cap * sizeof(*pids));
            if (!grown) {
                free(pids);
                closedir(d);
                errno = ENOMEM;
                return NULL;
            }
            pids = grown;
        }
        pids[n++] = pid;
    }
    closedir(d);
    qsort(pids, n, sizeof(*pids), cmp_long);
    *count = n;
    if (!pids)
        pids = malloc(sizeof(*pids));
    return pids;
}

static int in_list(const char *list, long pid)
{
    for (const char *p = list; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end != p && v == pid)
            return 1;
        p = end != p ? end : p + 1;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return 0;
}

static int valid_list(const char *list)
{
    for (const char *p = list; *p; p++)
        if (!isdigit((unsigned char)*p) && *p != ',' && *p != ' ')
            return 0;
    return strpbrk(list, "0123456789") != NULL;
}

int main(int argc, char **argv)
{
    const char *usage = "[-e|-A] [-f] [-p PID[,PID...]]";
    util_init("ps");
    int all = 0, full = 0, c;
    const char *pidlist = NULL;
    while ((c = util_getopt(argc, argv, "eAfp:", usage)) != -1) {
        if (c == 'e' || c == 'A')
            all = 1;
        else if (c == 'f')
            full = 1;
        else if (!valid_list(optarg))
            util_usage(usage);
        else
            pidlist = optarg;
    }
    if (optind != argc)
        util_usage(usage);
    struct proc self;
    if (read_proc((long)getpid(), &self) != 0)
        return util_err("/proc/self/stat");
    size_t n;
    long *pids = list_pids(&n);
    if (!pids)
        return util_err("/proc");
    long hz = sysconf(_SC_CLK_TCK);
    if (hz <= 0)
        hz = 100;
    if (full)
        printf("UID        PID  PPID PSR STAT     TIME CMD\n");
    else
        printf("  PID  PPID STAT     TIME CMD\n");
    static char cmd[4096];
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        struct proc p;
        if (read_proc(pids[i], &p) != 0)
            continue;
        if (pidlist ? !in_list(pidlist, p.pid)
                    : !all && (p.tty != self.tty || p.euid != (long)geteuid()))
            continue;
        found = 1;
        unsigned long long s = p.ticks / (unsigned long long)hz;
        char time[32];
        if (s >= 86400)
            snprintf(time, sizeof(time), "%llu-%02llu:%02llu:%02llu", s / 86400, s / 3600 % 24,
                     s / 60 % 60, s % 60);
        else
            snprintf(time, sizeof(time), "%02llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
        if (full) {
            char uid[24];
            if (p.euid >= 0)
                util_id_name((unsigned)p.euid, uid);
            else
                strcpy(uid, "?");
            command_line(&p, cmd, sizeof(cmd));
            printf("%-8s %5ld %5ld %3d %-4c %8s %s\n", uid, p.pid, p.ppid, p.psr, p.state, time,
                   cmd);
        } else {
            printf("%5ld %5ld %-4c %8s %s\n", p.pid, p.ppid, p.state, time, p.comm);
        }
    }
    free(pids);
    /* As procps: selecting nothing is a failure scripts can test. */
    return util_finish(found ? UTIL_OK : UTIL_ERR);
}
