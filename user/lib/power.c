/*
 * power.c - shutdown's and reboot's common body (see power.h): a signal to
 * init, or with -f sync(2) and reboot(2) directly.
 */
#include "power.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>

int power_main(int argc, char **argv, enum power_action action)
{
    const char *usage = "[-P|-h|-H|-r] [-f] [now]";
    int force = 0, c;
    while ((c = util_getopt(argc, argv, "PhHrf", usage)) != -1) {
        if (c == 'P' || c == 'h')
            action = POWER_OFF;
        else if (c == 'H')
            action = POWER_HALT;
        else if (c == 'r')
            action = POWER_REBOOT;
        else
            force = 1;
    }
    if (argc - optind > 1)
        util_usage(usage);
    if (optind < argc && strcmp(argv[optind], "now") && strcmp(argv[optind], "+0")) {
        util_msg("%s: only \"now\" is supported", argv[optind]);
        util_usage(usage);
    }
    if (force) {
        static const int cmds[] = { RB_POWER_OFF, RB_HALT_SYSTEM, RB_AUTOBOOT };
        sync();
        reboot(cmds[action]);
        return util_err("reboot");
    }
    static const int sigs[] = { SIGUSR2, SIGUSR1, SIGTERM };
    pid_t init = 1;
    const char *test_pid = getenv("KESTREL_INIT_PID");
    if (test_pid) {
        long long v;
        if (util_parse_count(test_pid, &v) != 0 || v < 1 || v != (pid_t)v)
            return util_msg("KESTREL_INIT_PID=%s: not a process id", test_pid);
        init = (pid_t)v;
    }
    if (kill(init, sigs[action]) != 0)
        return util_msg("cannot signal init (process %d): %s", (int)init, strerror(errno));
    return UTIL_OK;
}
