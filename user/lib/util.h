/*
 * util.h - what the core utilities of user/bin/ share: error reports in the
 * form "prog: path: reason", usage exits, whole-buffer writes, number parsing,
 * path joining and directory listings.
 *
 * Plain POSIX on musl; nothing here keeps a directory descriptor open or uses
 * an *at call with one, so every helper runs on Kestrel (docs/processes.md).
 * Exit statuses, shared by every utility: UTIL_OK, UTIL_ERR, UTIL_USAGE.
 */
#ifndef USER_UTIL_H
#define USER_UTIL_H

#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

#define UTIL_OK    0 /**< success */
#define UTIL_ERR   1 /**< an operand failed */
#define UTIL_USAGE 2 /**< bad options or operands */

/** @brief The program name used in messages; set by util_init(). */
extern const char *util_prog;

/**
 * @brief Name the program for its messages.
 * @param name what messages start with ("cat")
 */
void util_init(const char *name);

/**
 * @brief Report a failure on @p path as "prog: path: strerror(errno)".
 * @param path the operand that failed (NULL: "prog: reason")
 * @return UTIL_ERR, so callers may write `status = util_err(path)`
 */
int util_err(const char *path);

/**
 * @brief Report a failure on @p path with the reason given as an errno value.
 * @param path the operand that failed
 * @param errnum the reason (an errno value)
 * @return UTIL_ERR
 */
int util_errno(const char *path, int errnum);

/**
 * @brief Report "prog: " followed by a printf-formatted message.
 * @param fmt format, without the trailing newline
 * @return UTIL_ERR
 */
int util_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * @brief Print "usage: prog ARGS" to stderr and exit with UTIL_USAGE.
 * @param args the synopsis after the program name
 */
_Noreturn void util_usage(const char *args);

/**
 * @brief getopt() with our messages: an unknown option or a missing argument
 *        prints "prog: -x: unknown option" (or "needs an argument") and exits
 *        through util_usage(@p usage). Options end at the first operand, as
 *        POSIX says.
 * @return the option character, or -1 at the end of the options
 */
int util_getopt(int argc, char **argv, const char *optstring, const char *usage);

/**
 * @brief Write all of @p buf to @p fd, retrying short writes and EINTR.
 * @return 0, or -1 with errno set
 */
int util_write_all(int fd, const void *buf, size_t n);

/**
 * @brief Flush standard output and report a write error, as every utility
 *        does before exiting.
 * @param status the status the program was about to exit with
 * @return @p status, or UTIL_ERR if the output could not be written
 */
int util_finish(int status);

/**
 * @brief Parse a non-negative decimal count ("10"; a leading '+' is allowed).
 * @param s the text
 * @param out where the value goes
 * @return 0, or -1 if @p s is not a count that fits
 */
int util_parse_count(const char *s, long long *out);

/**
 * @brief Join @p dir and @p name with one '/' into @p out.
 * @return 0, or -1 with errno ENAMETOOLONG if it does not fit
 */
int util_path_join(char *out, size_t size, const char *dir, const char *name);

/**
 * @brief The last component of @p path, ignoring trailing slashes, copied
 *        into @p out ("a/b/" -> "b", "/" -> "/").
 */
void util_last_component(const char *path, char *out, size_t size);

/**
 * @brief Read the names in directory @p path, sorted by strcmp.
 *
 * The directory is opened, read to the end and closed before this returns,
 * so a recursive walk holds no descriptor across levels.
 * @param path the directory
 * @param all also return "." and ".."
 * @param out a malloc'd array of malloc'd names; free with util_free_names()
 * @param count the number of names
 * @return 0, or -1 with errno set (nothing to free)
 */
int util_read_dir(const char *path, int all, char ***out, size_t *count);

/** @brief Free what util_read_dir() returned. */
void util_free_names(char **names, size_t count);

/**
 * @brief The ten-character mode string of ls -l ("drwxr-xr-x", "-rwsr-x--T").
 * @param mode st_mode
 * @param out at least 11 bytes
 */
void util_mode_string(mode_t mode, char *out);

/**
 * @brief The name of a user or group id: "root" for 0, otherwise the number.
 *
 * Names other than root would need /etc/passwd (or musl's nscd query, a
 * socket Kestrel lacks), so they are left as numbers.
 * @param id the uid or gid
 * @param out at least 24 bytes
 */
void util_id_name(unsigned id, char *out);

/**
 * @brief Open @p path for reading; "-" is standard input.
 * @return a descriptor, or -1 with errno set
 */
int util_open_input(const char *path);

#endif
