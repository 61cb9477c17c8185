/*
 * util.h - what the core utilities of user/bin/ share: error reports in the
 * form "prog: path: reason", usage exits, whole-buffer writes, number parsing,
 * path joining, directory listings, and the walks over operands: each input
 * file ("-" is standard input) read in chunks, each SOURCE copied or moved to
 * a TARGET.
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

#define UTIL_OK    0    /**< success */
#define UTIL_ERR   1    /**< an operand failed */
#define UTIL_USAGE 2    /**< bad options or operands */
#define UTIL_STOP  (-1) /**< from a chunk callback: enough read, stop without an error */

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

/**
 * @brief Read @p fd to its end and hand each chunk read to @p fn.
 *
 * A read interrupted by a signal is retried; a failed read is reported as
 * "prog: name: reason". The chunks live in one static 64 KiB buffer of
 * util.c, valid only during the call to @p fn, so @p fn must not call
 * util_each_chunk() itself.
 * @param fd the descriptor to read (left open)
 * @param name the operand, for the message
 * @param fn called with each chunk (n > 0); returns UTIL_OK to read on,
 *           UTIL_STOP to stop with success, or UTIL_ERR (already reported)
 * @param ctx passed to @p fn
 * @return UTIL_OK at the end of the file or on UTIL_STOP, UTIL_ERR if a read
 *         or @p fn failed
 */
int util_each_chunk(int fd, const char *name, int (*fn)(void *ctx, const char *buf, size_t n),
                    void *ctx);

/** @brief Where util_write_chunk() writes, and the name its failure is reported under. */
struct util_out {
    int fd;           /**< the descriptor written to */
    const char *name; /**< "prog: name: reason" on a failed write */
};

/**
 * @brief A util_each_chunk() callback that writes each chunk to a descriptor.
 * @param ctx a struct util_out
 * @return UTIL_OK, or UTIL_ERR (reported under the util_out's name)
 */
int util_write_chunk(void *ctx, const char *buf, size_t n);

/**
 * @brief Open each input operand in turn and hand it to @p fn.
 *
 * No operand means standard input, named "-"; an operand "-" is standard
 * input too (util_open_input()). An operand that cannot be opened is
 * reported and skipped. Each descriptor other than standard input is closed
 * after @p fn returns.
 * @param argc the number of operands (0: standard input)
 * @param argv the operands
 * @param fn called with each open input, its name and its index among the
 *           operands; returns UTIL_OK or UTIL_ERR (already reported)
 * @param ctx passed to @p fn
 * @return UTIL_OK, or UTIL_ERR if an operand could not be opened or @p fn failed
 */
int util_each_input(int argc, char **argv,
                    int (*fn)(void *ctx, int fd, const char *name, int index), void *ctx);

/**
 * @brief Read each input operand in turn in chunks, as one stream: the
 *        util_each_chunk() of each input of util_each_input().
 * @param argc the number of operands (0: standard input)
 * @param argv the operands
 * @param fn called with each chunk, as by util_each_chunk() (UTIL_STOP ends
 *           the current input only)
 * @param ctx passed to @p fn
 * @return UTIL_OK, or UTIL_ERR if an operand could not be opened or read or
 *         @p fn failed
 */
int util_each_input_chunk(int argc, char **argv, int (*fn)(void *ctx, const char *buf, size_t n),
                          void *ctx);

/**
 * @brief Print head's and tail's "==> NAME <==" header for one of several
 *        files (after an empty line unless it is the first) and flush it.
 * @param name the operand
 * @param index its index among the operands
 */
void util_file_header(const char *name, int index);

/**
 * @brief Take the historical count option "-N" ("head -5") if it is the
 *        first argument: parse it into @p count and drop it from the
 *        arguments, so that getopt sees the rest. Exits through
 *        util_usage(@p usage) if N is not a count.
 * @param argc the argument count, updated
 * @param argv the arguments, updated
 * @param count where N goes (left alone without "-N")
 * @param usage the synopsis for a bad N
 */
void util_old_count(int *argc, char ***argv, long long *count, const char *usage);

/**
 * @brief Apply @p fn to cp's and mv's operands, "SOURCE TARGET" or
 *        "SOURCE... DIRECTORY".
 *
 * With fewer than two operands, exits through util_usage(@p usage). If the
 * last operand is a directory, each SOURCE goes into it under its last
 * component; otherwise there must be exactly one SOURCE, which goes to
 * TARGET itself ("prog: TARGET: Not a directory" if there are more).
 * @param argc the number of operands
 * @param argv the operands
 * @param usage the synopsis for too few operands
 * @param fn called with each source and its destination; returns UTIL_OK or
 *           UTIL_ERR (already reported)
 * @param ctx passed to @p fn
 * @return UTIL_OK, or UTIL_ERR if anything failed
 */
int util_each_source(int argc, char **argv, const char *usage,
                     int (*fn)(void *ctx, const char *src, const char *dst), void *ctx);

#endif
