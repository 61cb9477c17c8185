/*
 * kill.c - send a signal to processes (POSIX kill).
 *
 *   kill [-s NAME | -NAME | -N] PID...   default SIGTERM; a negative PID is
 *                                        a process group ("kill -- -42"),
 *                                        -1 every process allowed; signal 0
 *                                        only checks that PID exists
 *   kill -l [N...]                       the signal names (without "SIG"),
 *                                        or the name of each N: a signal
 *                                        number, or an exit status 128+N
 * Names are taken with or without "SIG", in any case. Exit status 0 if every
 * PID was signalled, 1 if any was not ("kill: PID: reason"), 2 bad usage.
 */
#include "system.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char *usage = "[-s NAME | -NAME | -N] PID... | -l [N...]";

static int list(int argc, char **argv)
{
    if (argc == 0) {
        for (int s = 1; s <= SYS_SIGNAL_MAX; s++)
            printf("%s%c", sys_signal_name(s), s % 16 == 0 || s == SYS_SIGNAL_MAX ? '\n' : ' ');
        return util_finish(UTIL_OK);
    }
    int status = UTIL_OK;
    for (int i = 0; i < argc; i++) {
        long long n;
        if (util_parse_count(argv[i], &n) != 0) {
            int s = sys_signal_number(argv[i]);
            if (s > 0) {
                printf("%d\n", s);
                continue;
            }
        } else {
            /* An exit status of a process killed by signal N is 128 + N. */
            if (n > 128)
                n -= 128;
            if (n <= SYS_SIGNAL_MAX && sys_signal_name((int)n)) {
                printf("%s\n", sys_signal_name((int)n));
                continue;
            }
        }
        status = util_msg("%s: unknown signal", argv[i]);
    }
    return util_finish(status);
}

static int signal_arg(const char *name)
{
    int s = sys_signal_number(name);
    if (s < 0) {
        util_msg("%s: unknown signal", name);
        util_usage(usage);
    }
    return s;
}

int main(int argc, char **argv)
{
    util_init("kill");
    int sig = SIGTERM, i = 1;
    /* Options by hand: "-9", "-KILL" and "-l" are not getopt's business, and
     * a negative PID after the signal must stay an operand. */
    if (i < argc && !strcmp(argv[i], "-l"))
        return list(argc - 2, argv + 2);
    if (i < argc && !strncmp(argv[i], "-l", 2) && argv[i][2])
        return list(1, (char *[]){ argv[i] + 2 });
    if (i < argc && !strcmp(argv[i], "-s")) {
        if (i + 1 >= argc)
            util_usage(usage);
        sig = signal_arg(argv[i + 1]);
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--")) {
        sig = signal_arg(argv[i] + 1);
        i++;
    }
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    if (i >= argc)
        util_usage(usage);
    int status = UTIL_OK;
    for (; i < argc; i++) {
        char *end;
        errno = 0;
        long pid = strtol(argv[i], &end, 10);
        if (!argv[i][0] || *end || errno || pid != (pid_t)pid) {
            status = util_msg("%s: not a process id", argv[i]);
            continue;
        }
        if (kill((pid_t)pid, sig) != 0)
            status = util_err(argv[i]);
    }
    return status;
}
