/**
 * @file shell/parse.h
 * @brief The shell's command-line parser: a line in, a list of commands out.
 *
 * Syntax (a small subset of POSIX sh):
 * - words are separated by blanks (space, tab);
 * - `'...'` quotes literally;
 * - `"..."` quotes too, but a backslash in it escapes `"`, `\` and `$` (before
 *   any other byte it stays a backslash);
 * - outside quotes `\x` is a literal `x` (a backslash at the very end of the
 *   line stays a backslash);
 * - `;` separates commands (empty commands are skipped);
 * - `> path` and `>> path` redirect a command's output (truncate / append), with
 *   or without blanks around them: `echo hi>f`, `echo hi >> f`; at most one per
 *   command; a command may be nothing but a redirection (`> f` creates f);
 * - `#` at the start of a word begins a comment running to the end of the line;
 * - `|`, `<` and `&` are reserved: using them unquoted is an error.
 *
 * Errors (unterminated quote, redirection without a target, too many words or
 * commands, a line too long, reserved characters) return a negative code and set
 * `error` to a one-line message; nothing is ever written past the buffers.
 *
 * Memory: all output lives inside `struct shell_cmdline` (argv pointers and the
 * unquoted text), so it stays valid until the structure is reused; the input line
 * is not referenced afterwards.
 */
#ifndef SHELL_PARSE_H
#define SHELL_PARSE_H

#include <shell/limits.h>
#include <stdbool.h>
#include <stddef.h>

/** Most words (arguments, all commands of a line together). */
#define SHELL_MAX_WORDS 64
/** Most commands on one line. */
#define SHELL_MAX_COMMANDS 16

/** @brief One command of a line. */
struct shell_command {
    int argc;             /**< Number of words (0 for a bare redirection). */
    char **argv;          /**< The words, NULL-terminated (argv[argc] == NULL). */
    const char *redirect; /**< Output file, or NULL when output is not redirected. */
    bool append;          /**< `>>` (true) or `>` (false). */
};

/** @brief A parsed line. Treat the storage fields as private. */
struct shell_cmdline {
    int ncommands;                                     /**< Commands found (0 for a blank line). */
    struct shell_command commands[SHELL_MAX_COMMANDS]; /**< The commands, in order. */
    const char *error;                                 /**< Why parsing failed, or NULL. */
    char *argv_pool[SHELL_MAX_WORDS + SHELL_MAX_COMMANDS]; /**< argv arrays with their NULLs. */
    char text[2 * SHELL_LINE_MAX]; /**< The unquoted words, NUL-terminated. */
};

/**
 * @brief Parse one line.
 * @param line the line, NUL-terminated; at most SHELL_LINE_MAX - 1 bytes
 * @param out  receives the commands (and on failure the message in out->error)
 * @return the number of commands (0 for a blank or comment-only line), or
 *         -EINVAL (syntax error), -E2BIG (too many words or commands),
 *         -ENAMETOOLONG (line too long)
 */
int shell_parse(const char *line, struct shell_cmdline *out);

#endif
