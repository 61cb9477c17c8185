/*
 * system.c - the helpers of the system utilities (see system.h): small
 * /proc files read whole, the mount table decoded line by line, human-
 * readable sizes, signal names.
 */
#include "system.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

ssize_t sys_read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got + 1 < size) {
        ssize_t n = read(fd, buf + got, size - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(fd);
    return (ssize_t)got;
}

/* Copy the field at *p (up to a space, tab or the end) into out, decoding
 * the octal escapes of the mount table, and step *p past it. */
static void mount_field(char **p, char *out, size_t size)
{
    char *s = *p;
    size_t n = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
        char c = *s++;
        if (c == '\\' && s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
            s[2] <= '7') {
            c = (char)((s[0] - '0') * 64 + (s[1] - '0') * 8 + (s[2] - '0'));
            s += 3;
        }
        if (n + 1 < size)
            out[n++] = c;
    }
    out[n] = '\0';
    *p = s;
}

int sys_mount_next(FILE *f, struct sys_mount *m)
{
    char line[4096];
    while (fgets(line, sizeof(line), f)) {
        size_t len = strlen(line);
        /* The rest of a line too long for the buffer is dropped. */
        if (len > 0 && line[len - 1] != '\n') {
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n')
                ;
        }
        char *p = line;
        mount_field(&p, m->src, sizeof(m->src));
        mount_field(&p, m->dir, sizeof(m->dir));
        mount_field(&p, m->type, sizeof(m->type));
        mount_field(&p, m->opts, sizeof(m->opts));
        if (m->src[0] && m->dir[0] && m->type[0] && m->opts[0])
            return 1;
    }
    return 0;
}

void sys_human(uint64_t bytes, char *out, int flags)
{
    static const char units[] = "KMGTPE";
    int iec = flags & SYS_HUMAN_FREE;
    if (bytes < 1024) {
        snprintf(out, 16, "%llu%s", (unsigned long long)bytes, iec ? "B" : "");
        return;
    }
    /* The smallest unit that shows the size in at most three digits, rounded up. */
    unsigned __int128 scale = 1024;
    for (int u = 0; u < 6; u++, scale *= 1024) {
        unsigned __int128 up = iec ? 0 : scale - 1; /* free rounds down, df and du up */
        unsigned __int128 tenths = ((unsigned __int128)bytes * 10 + up) / scale;
        if (tenths < 100) {
            snprintf(out, 16, "%u.%u%c%s", (unsigned)(tenths / 10), (unsigned)(tenths % 10),
                     units[u], iec ? "i" : "");
            return;
        }
        unsigned __int128 whole = ((unsigned __int128)bytes + up) / scale;
        if (whole < 1024) {
            snprintf(out, 16, "%u%c%s", (unsigned)whole, units[u], iec ? "i" : "");
            return;
        }
    }
    snprintf(out, 16, "%lluE%s", (unsigned long long)(bytes >> 60), iec ? "i" : "");
}

/* Linux's signal numbers on x86-64, by their names without "SIG". */
static const char *const signal_names[SYS_SIGNAL_MAX + 1] = {
    [SIGHUP] = "HUP",   [SIGINT] = "INT",       [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
    [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",     [SIGBUS] = "BUS",   [SIGFPE] = "FPE",
    [SIGKILL] = "KILL", [SIGUSR1] = "USR1",     [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
    [SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",     [SIGTERM] = "TERM", [SIGSTKFLT] = "STKFLT",
    [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",     [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
    [SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",     [SIGURG] = "URG",   [SIGXCPU] = "XCPU",
    [SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
    [SIGIO] = "POLL",   [SIGPWR] = "PWR",       [SIGSYS] = "SYS",
};

/* Other names Linux accepts for the same signals. */
static const struct {
    const char *name;
    int sig;
} signal_aliases[] = { { "IOT", SIGABRT }, { "IO", SIGIO }, { "CLD", SIGCHLD } };

const char *sys_signal_name(int sig)
{
    if (sig < 1 || sig > SYS_SIGNAL_MAX)
        return NULL;
    return signal_names[sig];
}

int sys_signal_number(const char *name)
{
    if (isdigit((unsigned char)name[0])) {
        char *end;
        errno = 0;
        long v = strtol(name, &end, 10);
        if (*end || errno || v < 0 || v > SYS_SIGNAL_MAX)
            return -1;
        return (int)v;
    }
    if (!strncasecmp(name, "SIG", 3))
        name += 3;
    for (int s = 1; s <= SYS_SIGNAL_MAX; s++)
        if (signal_names[s] && !strcasecmp(name, signal_names[s]))
            return s;
    for (size_t i = 0; i < sizeof(signal_aliases) / sizeof(signal_aliases[0]); i++)
        if (!strcasecmp(name, signal_aliases[i].name))
            return signal_aliases[i].sig;
    return -1;
}
