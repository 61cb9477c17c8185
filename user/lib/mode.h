/*
 * mode.h - the mode operand of chmod(1), shared with mkfifo -m and anything
 * else that takes one: an octal number, or POSIX's symbolic form.
 *
 *   symbolic: CLAUSE[,CLAUSE]...   CLAUSE: [ugoa]*( [+-=] ( [rwxXst]* | [ugo] ) )+
 *
 * Without a who letter a clause acts on every class, but leaves alone the
 * bits that the umask has set (POSIX). X is x when the file is a directory or
 * already has an execute bit; s is set-user-ID with u and set-group-ID with
 * g; t is the sticky bit (with o, a, or no who letter). A copy (u, g or o
 * after the operator) takes that class's bits as they stand at that point.
 */
#ifndef USER_MODE_H
#define USER_MODE_H

#include <sys/types.h>

/**
 * @brief Apply mode operand @p spec to @p old.
 * @param spec  the operand ("755", "u+x,go-w", "a=rX")
 * @param old   the file's current permission bits (07777 used)
 * @param isdir whether the file is a directory (for X)
 * @param umask the process's umask (for clauses without a who letter)
 * @param out   the new permission bits (07777)
 * @return 0, or -1 when @p spec is not a valid mode
 */
int util_mode_apply(const char *spec, mode_t old, int isdir, mode_t umask, mode_t *out);

#endif
