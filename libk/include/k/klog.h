/**
 * @file k/klog.h
 * @brief The kernel log: records with a time since boot, a level and a
 * subsystem, kept in a ring, and shown on the consoles when important enough.
 *
 * Every line the kernel prints with kprintf() is a record at KLOG_INFO whose
 * subsystem is the word before the line's first ": " ("fs: / is SFS on vda"
 * is subsystem "fs"), or "kernel". klogf() gives the level and subsystem
 * explicitly. A record is shown on the consoles when its level is at most the
 * console level (KLOG_INFO by default; `loglevel=N` on the command line sets
 * it), and always kept in the ring, which `dmesg` reads. What the shell and
 * user programs write goes to the consoles only, never into the log.
 *
 * Locking: records are written and copied under the console lock.
 */
#ifndef K_KLOG_H
#define K_KLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @name Levels, as syslog's (lower is more important) */
/** @{ */
#define KLOG_EMERG   0 /**< The system is unusable. */
#define KLOG_ALERT   1 /**< Action must be taken at once. */
#define KLOG_CRIT    2 /**< Critical conditions. */
#define KLOG_ERR     3 /**< Errors. */
#define KLOG_WARNING 4 /**< Warnings. */
#define KLOG_NOTICE  5 /**< Normal but significant. */
#define KLOG_INFO    6 /**< Informational (kprintf). */
#define KLOG_DEBUG   7 /**< Debugging detail. */
/** @} */

#define KLOG_RECORDS    512 /**< Records kept; the oldest are overwritten. */
#define KLOG_TEXT_MAX   120 /**< Longest text kept per record, with the NUL. */
#define KLOG_SUBSYS_MAX 12  /**< Longest subsystem name, with the NUL. */

/** @brief One log record. */
struct klog_record {
    uint64_t seq;                 /**< Sequence number, from 0. */
    uint64_t time_ns;             /**< Time since boot (0 before the clock is set). */
    int level;                    /**< KLOG_*. */
    char subsys[KLOG_SUBSYS_MAX]; /**< Subsystem. */
    char text[KLOG_TEXT_MAX];     /**< The message, without the subsystem or a newline. */
};

/**
 * @brief Log one message at @p level for @p subsys; shown on the consoles as
 * "subsys: text" when the level passes the console level.
 * @param level KLOG_*
 * @param subsys a short name ("fs", "proc"); NULL for "kernel"
 * @param fmt   kvformat() format; a trailing newline is optional
 * @return the length of the formatted text
 */
int klogf(int level, const char *subsys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * @brief Where record times come from (nanoseconds since boot).
 * @param now_ns the clock, or NULL for none (times read 0)
 */
void klog_set_clock(uint64_t (*now_ns)(void));

/** @brief Show records up to @p level on the consoles. @param level KLOG_EMERG..KLOG_DEBUG */
void klog_set_console_level(int level);

/** @brief The console level. @return KLOG_* */
int klog_console_level(void);

/**
 * @brief Call @p fn for every kept record up to @p max_level, oldest first.
 * Each record is copied out under the lock and handed over outside it.
 * @param max_level the least important level wanted
 * @param fn        receives each record
 * @param ctx       passed to @p fn
 * @return how many records were passed
 */
int klog_read(int max_level, void (*fn)(void *ctx, const struct klog_record *r), void *ctx);

/**
 * @brief Parse a level: a number 0-7 or a name ("err", "warning", "info", ...).
 * @param s the text
 * @return the level, or -1
 */
int klog_parse_level(const char *s);

/** @brief A level's name ("emerg" ... "debug"). @param level KLOG_* @return the name */
const char *klog_level_name(int level);

/** @cond INTERNAL */
/* kprintf's side (kprintf.c): bytes printed at KLOG_INFO, with the console
 * lock held; assembles them into records at each newline. */
void klog_capture_locked(const char *s, size_t n);
bool klog_console_shows_info(void);
/** @endcond */

#endif
