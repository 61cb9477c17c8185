/*
 * power.h - what shutdown, poweroff, halt and reboot share: asking init
 * (process 1) to take the system down, as busybox's init is asked, by a
 * signal: SIGUSR2 powers off, SIGUSR1 halts, SIGTERM reboots. init then
 * stops the other processes, syncs, unmounts and calls reboot(2)
 * (user/sbin/init.c). With -f the utility does that last step itself:
 * sync(2), then reboot(2) at once, without init and without unmounting.
 *
 * For tests only, the environment variable KESTREL_INIT_PID names another
 * process to signal instead of process 1 (so that a test on the Linux host
 * can check the signal on a child of its own); -f ignores it.
 */
#ifndef USER_POWER_H
#define USER_POWER_H

/** @brief What to do. */
enum power_action {
    POWER_OFF,    /**< power off (SIGUSR2, RB_POWER_OFF) */
    POWER_HALT,   /**< halt (SIGUSR1, RB_HALT_SYSTEM) */
    POWER_REBOOT, /**< reboot (SIGTERM, RB_AUTOBOOT) */
};

/**
 * @brief The whole of shutdown's and reboot's main().
 *
 * Options: -P or -h power off, -H halt, -r reboot, -f at once (sync and
 * reboot(2) without init); one operand "now" or "+0" is accepted, as the
 * time of shutdown(8), and no other time.
 * @param argc main's argc
 * @param argv main's argv
 * @param action what to do if no option says otherwise
 * @return the exit status: 0 when asked (or not at all with -f, which does
 *         not return on success), 1 if the signal or reboot(2) failed, 2 on
 *         bad usage
 */
int power_main(int argc, char **argv, enum power_action action);

#endif
