/*
 * system.h - what the system utilities of user/bin/ share: small files of
 * /proc read whole, the mount table (/proc/mounts, Linux's format: one
 * "SOURCE DIR TYPE OPTIONS 0 0" per line, with space, tab, newline and
 * backslash written as \040 \011 \012 \134), sizes in the human-readable
 * forms of df, du and free, and signal names for kill.
 *
 * Plain POSIX and Linux interfaces on musl, so each helper works the same on
 * Kestrel and on the Linux host.
 */
#ifndef USER_SYSTEM_H
#define USER_SYSTEM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/** @brief Where the mount table is read from. */
#define SYS_MOUNTS "/proc/mounts"

/**
 * @brief Read the whole of a small file (such as /proc/uptime) into @p buf,
 *        NUL-terminated; what does not fit is left unread.
 * @param path the file
 * @param buf where the text goes
 * @param size the size of @p buf (at least 1)
 * @return the number of bytes read, or -1 with errno set
 */
ssize_t sys_read_file(const char *path, char *buf, size_t size);

/** @brief One line of the mount table, decoded. */
struct sys_mount {
    char src[256];  /**< what is mounted ("/dev/vda", "proc") */
    char dir[1024]; /**< where */
    char type[64];  /**< the file-system type ("sfs", "ext4") */
    char opts[512]; /**< the options ("rw,relatime") */
};

/**
 * @brief Read the next entry of a mount table opened with fopen().
 *
 * Lines that do not have at least four fields are skipped; a field too long
 * for its array is cut short.
 * @param f the open table
 * @param m where the entry goes
 * @return 1 with an entry, 0 at the end of the file
 */
int sys_mount_next(FILE *f, struct sys_mount *m);

#define SYS_HUMAN_FREE 0x1 /**< sys_human(): free's form ("15Gi", "9.1Mi", "0B"), rounded down */

/**
 * @brief A size as `df -h` and `du -h` show it: powers of 1024 with the
 *        suffixes K M G T P E, rounded up, one decimal below 10 ("4.0K",
 *        "58G", "1.5M"); below 1024 bytes, the plain number ("512", "0").
 * @param bytes the size
 * @param out at least 16 bytes
 * @param flags 0, or SYS_HUMAN_FREE for procps free's form: "i" after the
 *        suffix, "B" after a plain number, and rounded down
 */
void sys_human(uint64_t bytes, char *out, int flags);

/**
 * @brief The number of a signal named @p name: "TERM", "SIGTERM", "term"
 *        or a decimal number ("15").
 * @return the signal number (0 for "0"), or -1 if the name is unknown
 */
int sys_signal_number(const char *name);

/**
 * @brief The name of signal @p sig without "SIG" ("TERM").
 * @return the name, or NULL for a number no signal has
 */
const char *sys_signal_name(int sig);

/** @brief The highest signal number sys_signal_name() knows. */
#define SYS_SIGNAL_MAX 31

#endif
