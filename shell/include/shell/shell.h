/**
 * @file shell/shell.h
 * @brief The kernel shell's core: prompt, line editing, parsing, dispatch to a
 * table of commands, and output redirection, with no knowledge of devices or
 * file systems.
 *
 * The embedder (the kernel) supplies everything outside the core through
 * `struct shell_config`:
 * - terminal I/O: `io->write` for output, and either feeds input bytes with
 *   shell_input_byte() or gives `io->getc` and calls shell_run();
 * - `prompt`: writes the prompt text (e.g. the working directory); the core
 *   makes sure it ends in "$ ";
 * - `complete_path`: path candidates for Tab (command names are completed by
 *   the core from the command table);
 * - `open_output`: opens a file for `>`/`>>`, returning a `struct shell_output`.
 *
 * Commands are `struct shell_cmd` entries registered with shell_register();
 * `help`, `echo`, `clear` and `history` are built in. A handler prints with
 * shell_printf() (the command's output: the terminal or the redirection target)
 * and shell_eprintf() (errors: always the terminal), and returns its status.
 *
 * Terminal output: command text uses plain "\n"; the editor itself writes
 * "\r\n". The terminal's write should turn "\n" into "\r\n" as the serial
 * console does.
 *
 * Memory: `struct shell` holds every buffer (line editor, 32-entry history,
 * parsed line, command table), about 45 KiB: the caller owns it and keeps it in
 * static storage or the heap, never on a kernel stack. The config, command
 * tables and their strings must outlive the shell. Not thread-safe: one thread
 * drives a shell; handlers run on that thread.
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <shell/editor.h>
#include <shell/history.h>
#include <shell/parse.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct shell;

/** Most commands one shell can hold (built-ins included). */
#define SHELL_MAX_CMDS 64

/** Status of a command that was not found (as in POSIX shells). */
#define SHELL_STATUS_NOT_FOUND 127
/** Status after a syntax error. */
#define SHELL_STATUS_SYNTAX 2
/** Status after Ctrl-C abandoned a line. */
#define SHELL_STATUS_INTERRUPT 130

/**
 * @brief A command's entry point.
 * @param sh   the shell running it
 * @param argc number of words, the command name included
 * @param argv the words; argv[argc] is NULL. Valid only during the call.
 * @return 0 on success; a positive status on failure (1 in general, 2 for bad
 *         usage); or a negative -E code, which the shell reports as
 *         "NAME: <error text>" and turns into status 1
 */
typedef int (*shell_cmd_fn)(struct shell *sh, int argc, char **argv);

/** @brief One command. Keep tables in static storage: the shell keeps pointers. */
struct shell_cmd {
    const char *name;    /**< What the user types. */
    shell_cmd_fn run;    /**< The handler. */
    const char *summary; /**< One line for `help`, e.g. "print arguments". */
    /** @brief `help NAME` text: a synopsis line, then optional details, e.g.
     * "echo [-n] [WORD]...\nPrint the words...\n". May be NULL. */
    const char *usage;
};

/** @brief Where a redirected command's output goes, filled in by `open_output`. */
struct shell_output {
    /** @brief Write bytes: return how many were written, or a negative -E code. */
    int (*write)(void *ctx, const char *buf, size_t n);
    /** @brief Finish (flush, close); may be NULL. Return 0 or a negative -E code. */
    int (*close)(void *ctx);
    void *ctx; /**< Passed to @ref write and @ref close. */
};

/** @brief The terminal. */
struct shell_io_ops {
    /** @brief Write bytes to the terminal (required). */
    void (*write)(void *ctx, const char *buf, size_t n);
    /** @brief Wait for one input byte: 0..255, or negative to end shell_run().
     * Only needed by shell_run(); may be NULL. */
    int (*getc)(void *ctx);
};

/** @brief How the embedder plugs into the shell. */
struct shell_config {
    const struct shell_io_ops *io; /**< The terminal (required). */
    void *io_ctx;                  /**< Passed to the io ops. */
    void *ctx; /**< Passed to the hooks below; handlers get it with shell_context(). */
    /**
     * @brief Write the prompt into @p buf (NUL-terminated, at most @p size
     * bytes). May be NULL: the prompt is then "$ ". If the text does not end in
     * "$ ", the core appends it.
     */
    void (*prompt)(void *ctx, char *buf, size_t size);
    /**
     * @brief Offer path completions for @p word (NUL-terminated) with
     * shell_completion_add(): whole words as they should read, directories
     * ending in '/'. May be NULL (no path completion).
     */
    void (*complete_path)(void *ctx, const char *word, struct shell_completions *out);
    /**
     * @brief Open @p path for a command's output: truncated (`>`) or appended to
     * (`>>`), created if missing. Fill in @p out. May be NULL: redirection then
     * fails with "redirection is not supported".
     * @return 0 or a negative -E code (reported as "PATH: <error text>")
     */
    int (*open_output)(void *ctx, const char *path, bool append, struct shell_output *out);
    /**
     * @brief Run a program: called for a command that is not built in and whose
     * name contains a '/' (`./hello`, `/bin/prog`). May be NULL: such names are
     * then "command not found".
     * @return the command's status (0-255), reported by the embedder itself
     */
    int (*run_program)(void *ctx, int argc, char **argv);
    unsigned cols; /**< Terminal width for the editor (0: 80). */
};

/** @brief A shell. Treat the fields as private; see the file comment for its size. */
struct shell {
    struct shell_config cfg;                      /**< Copy of the config. */
    struct shell_editor ed;                       /**< The line editor. */
    struct shell_history history;                 /**< Lines entered. */
    struct shell_cmdline cmdline;                 /**< The line being run. */
    const struct shell_cmd *cmds[SHELL_MAX_CMDS]; /**< Registered commands. */
    unsigned ncmds;                               /**< How many. */
    int status;                                   /**< Status of the last command. */
    bool stop;                                    /**< shell_stop() was called. */
    bool running;                                 /**< A line is being executed. */
    const struct shell_output *out;               /**< Current output; NULL: terminal. */
    int out_err;                                  /**< First write error on @ref out. */
    bool partial_line; /**< Command output left the terminal row open (no final newline). */
    char prompt[SHELL_PROMPT_MAX]; /**< Scratch for the prompt. */
};

/**
 * @brief Set up a shell and register the built-in commands. Prints nothing.
 * @param sh  the shell (caller-owned, see the file comment)
 * @param cfg the config; copied, but everything it points to must outlive @p sh
 * @return 0, or -EINVAL if the config lacks `io` or `io->write`
 */
int shell_init(struct shell *sh, const struct shell_config *cfg);

/**
 * @brief Add commands.
 * @param sh   the shell
 * @param cmds a table of @p n commands; must outlive @p sh (pointers are kept)
 * @param n    how many
 * @return 0; -EEXIST if a name is already taken, -EINVAL for an entry without a
 *         name or handler, -ENOSPC past SHELL_MAX_CMDS (the entries before the
 *         bad one stay registered)
 */
int shell_register(struct shell *sh, const struct shell_cmd *cmds, size_t n);

/**
 * @brief Find a registered command.
 * @param sh   the shell
 * @param name its name
 * @return the entry, or NULL
 */
const struct shell_cmd *shell_find(const struct shell *sh, const char *name);

/**
 * @brief Print the first prompt. Call once before feeding input bytes.
 * @param sh the shell
 */
void shell_start(struct shell *sh);

/**
 * @brief Feed one terminal input byte; a completed line runs before this returns,
 * and the next prompt is printed.
 * @param sh   the shell
 * @param byte the byte
 */
void shell_input_byte(struct shell *sh, uint8_t byte);

/**
 * @brief Print the prompt, then read bytes with `io->getc` and handle them until
 * getc returns a negative value or a command calls shell_stop().
 * @param sh the shell
 * @return 0 when stopped by shell_stop(), -EINVAL without `getc`, or getc's
 *         negative value
 */
int shell_run(struct shell *sh);

/**
 * @brief Redraw the prompt and the line being edited on a fresh row, after
 * something else (a kernel message) printed over them.
 * @param sh the shell
 */
void shell_redraw(struct shell *sh);

/**
 * @brief Make shell_run() return once the current line is done. No prompt
 * follows that line; shell_run() or shell_start() resumes.
 * @param sh the shell
 */
void shell_stop(struct shell *sh);

/**
 * @brief Parse and run one line as if typed (no echo, no history).
 * @param sh   the shell
 * @param line the line, NUL-terminated
 * @return the status of the last command run (also shell_status())
 */
int shell_execute(struct shell *sh, const char *line);

/**
 * @brief The status of the last command: 0 success, 1 failure, 2 syntax error or
 * bad usage, 127 not found, 130 interrupted by Ctrl-C.
 * @param sh the shell
 * @return the status
 */
int shell_status(const struct shell *sh);

/**
 * @brief The config's `ctx`, for command handlers.
 * @param sh the shell
 * @return the pointer given in the config
 */
void *shell_context(const struct shell *sh);

/**
 * @brief The history (read-only), e.g. for a command that lists it.
 * @param sh the shell
 * @return the shell's history
 */
const struct shell_history *shell_get_history(const struct shell *sh);

/**
 * @brief Write bytes to the current output (the terminal, or the file a
 * redirection opened).
 * @param sh  the shell
 * @param buf the bytes
 * @param n   how many
 */
void shell_write(struct shell *sh, const char *buf, size_t n);

/**
 * @brief printf-style output to the current output (see k/kprintf.h for the
 * conversions).
 * @param sh  the shell
 * @param fmt the format, then its arguments
 * @return the number of characters produced
 */
int shell_printf(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * @brief shell_printf() with a va_list.
 * @param sh  the shell
 * @param fmt the format
 * @param ap  the arguments
 * @return the number of characters produced
 */
int shell_vprintf(struct shell *sh, const char *fmt, va_list ap);

/**
 * @brief printf-style output to the terminal even while output is redirected:
 * for error messages ("rm: /a/b: No such file or directory").
 * @param sh  the shell
 * @param fmt the format, then its arguments
 * @return the number of characters produced
 */
int shell_eprintf(struct shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * @brief Print "usage: " and the synopsis of a command (the first line of its
 * usage text) to the terminal, for handlers given bad arguments.
 * @param sh   the shell
 * @param name the command
 * @return 2, the status for bad usage, so a handler can `return shell_usage(sh, argv[0]);`
 */
int shell_usage(struct shell *sh, const char *name);

#endif
