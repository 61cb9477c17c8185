/**
 * @file shell/editor.h
 * @brief The line editor: turns terminal input bytes into a finished line.
 *
 * The editor does no I/O of its own. The caller feeds it input bytes one at a
 * time with shell_editor_feed(); it writes what the terminal should show (echo,
 * redraws, the bell) through the `write` callback of its config, and says when a
 * line is complete. Output uses VT100 sequences only: `\r`, `\b`, `ESC[K`,
 * `ESC[nC`, `ESC[nD`, `ESC[2J`, `ESC[H` (the VGA console understands them all).
 *
 * Keys: printable ASCII is inserted at the cursor; Backspace (0x08) and DEL
 * (0x7f) delete before it, Delete (`ESC[3~`) and Ctrl-D under it; Left/Right
 * (`ESC[D`/`ESC[C`, Ctrl-B/Ctrl-F), Home (`ESC[H`, `ESC[1~`, `ESC[7~`, `ESC OH`,
 * Ctrl-A), End (`ESC[F`, `ESC[4~`, `ESC[8~`, `ESC OF`, Ctrl-E); Up/Down (and
 * Ctrl-P/Ctrl-N) walk the history; Ctrl-U kills to the start of the line, Ctrl-K
 * to its end, Ctrl-W the word before the cursor; Ctrl-L clears the screen; Tab
 * completes through the `complete` callback; Ctrl-C abandons the line (shows
 * `^C`). Enter is `\r`, `\n` or `\r\n`: a `\n` straight after a `\r` is
 * swallowed, so each ends the line exactly once. Other control bytes, bytes
 * 0x80-0xff and unknown or malformed escape sequences are ignored, never
 * inserted. A full line refuses more input with the bell (0x07).
 *
 * Lines longer than the terminal scroll horizontally inside one row (the editor
 * never relies on the terminal wrapping), so the display stays right on both a
 * serial terminal and the 80-column VGA console. The prompt must be plain
 * printable text (no escape sequences): its length is its width.
 *
 * Memory: `struct shell_editor` holds every buffer (line, saved line, prompt,
 * completion candidates, output batch), about 8 KiB; the caller owns it (keep it
 * static or in the heap, not on a kernel stack). The history, if any, is the
 * caller's and must outlive the editor. Not thread-safe: one feeder at a time.
 */
#ifndef SHELL_EDITOR_H
#define SHELL_EDITOR_H

#include <shell/history.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Longest prompt kept, including its NUL; longer prompts keep their end. */
#define SHELL_PROMPT_MAX 128
/** Most completion candidates offered for one Tab. */
#define SHELL_COMPLETION_MAX 128
/** Bytes of candidate text (with NULs) one Tab may offer. */
#define SHELL_COMPLETION_BUF 4096
/** Terminal width assumed when the config says 0. */
#define SHELL_EDITOR_COLS 80

/** @brief Candidates collected for one Tab press. Fill it with shell_completion_add(). */
struct shell_completions {
    const char *word; /**< The word being completed, unescaped, NUL-terminated. */
    size_t word_len;  /**< Its length: candidates must start with it. */
    unsigned count;   /**< Candidates kept. */
    bool truncated;   /**< Some were dropped for lack of room. */
    size_t used;      /**< Bytes of @ref buf in use. */
    uint16_t start[SHELL_COMPLETION_MAX]; /**< Offset of each candidate in @ref buf. */
    char buf[SHELL_COMPLETION_BUF];       /**< The candidates, NUL-terminated. */
    char word_buf[SHELL_LINE_MAX];        /**< Storage for @ref word. */
};

/**
 * @brief Offer one completion candidate: the whole word as it should read, e.g.
 * "/usr/local/" for the word "/usr/lo" (end directories with '/', so no space is
 * added after them).
 * @param c    the candidate list passed to the completion callback
 * @param cand the candidate, NUL-terminated; copied
 * @return 1 if kept, 0 if ignored (does not start with the word, or a
 *         duplicate), -ENOSPC if the list is full
 */
int shell_completion_add(struct shell_completions *c, const char *cand);

/**
 * @brief Complete the word under the cursor.
 *
 * The word ends at the cursor and begins after the last blank or `; > < | &`
 * before it that is not escaped with a backslash (quotes are not interpreted).
 * It is handed over unescaped in `out->word` (`my\ fi` becomes "my fi"). Add
 * the candidates with shell_completion_add(), as plain text; the editor then
 * completes a single candidate (adding a space unless it ends in '/'), extends
 * the word to the candidates' common prefix, or on a second Tab lists them,
 * backslash-escaping what it inserts where the parser would need it.
 *
 * @param ctx        the config's `complete_ctx`
 * @param line       the whole line, NUL-terminated (read only)
 * @param word_start where the word starts in @p line
 * @param out        the word, and where to add candidates
 */
typedef void (*shell_complete_fn)(void *ctx, const char *line, size_t word_start,
                                  struct shell_completions *out);

/** @brief How an editor reaches its terminal and its helpers. */
struct shell_editor_config {
    /** @brief Terminal output (required). Called with batches of bytes. */
    void (*write)(void *ctx, const char *buf, size_t n);
    void *write_ctx;               /**< Passed to @ref write. */
    shell_complete_fn complete;    /**< Tab completion; NULL rings the bell. */
    void *complete_ctx;            /**< Passed to @ref complete. */
    struct shell_history *history; /**< Up/Down and where lines are added; may be NULL. */
    unsigned cols;                 /**< Terminal width (0: SHELL_EDITOR_COLS; at least 20). */
};

/** @brief What shell_editor_feed() reports. */
enum shell_editor_result {
    SHELL_EDITOR_MORE = 0,      /**< Keep feeding. */
    SHELL_EDITOR_LINE = 1,      /**< A line is complete: read it with shell_editor_line(). */
    SHELL_EDITOR_INTERRUPT = 2, /**< Ctrl-C: the line was abandoned. */
};

/** @brief Editor state. Treat the fields as private. */
struct shell_editor {
    struct shell_editor_config cfg; /**< Copy of the config. */
    char line[SHELL_LINE_MAX];      /**< The line, NUL-terminated at @ref len. */
    size_t len;                     /**< Bytes in the line. */
    size_t pos;                     /**< Cursor: 0..len. */
    char saved[SHELL_LINE_MAX];     /**< The new line while browsing history. */
    size_t saved_len;               /**< Its length. */
    int hist_index;                 /**< -1: the new line; else the history entry shown. */
    char prompt[SHELL_PROMPT_MAX];  /**< The prompt shown. */
    size_t prompt_len;              /**< Its length (= width). */
    uint8_t esc;                    /**< Escape-sequence parser state. */
    uint8_t nparams;                /**< CSI parameters seen. */
    uint16_t params[2];             /**< The first two CSI parameters. */
    bool last_cr;                   /**< The previous byte was a carriage return. */
    bool last_tab;                  /**< The previous key was Tab. */
    bool finished;                  /**< A line was reported; the next key starts anew. */
    size_t olen;                    /**< Bytes waiting in @ref obuf. */
    char obuf[256];                 /**< Output batched within one feed. */
    struct shell_completions comp;  /**< Candidates of the current Tab. */
};

/**
 * @brief Set up an editor. Prints nothing; call shell_editor_start() next.
 * @param ed  the editor (caller-owned)
 * @param cfg its config; copied
 */
void shell_editor_init(struct shell_editor *ed, const struct shell_editor_config *cfg);

/**
 * @brief Begin a new, empty line: print @p prompt and wait for input.
 * @param ed     the editor
 * @param prompt the prompt, plain printable text; NULL keeps the previous one.
 *               Only the last SHELL_PROMPT_MAX - 1 bytes, and at most half the
 *               terminal width, are shown.
 */
void shell_editor_start(struct shell_editor *ed, const char *prompt);

/**
 * @brief Feed one input byte.
 *
 * After SHELL_EDITOR_LINE the line stays readable until the next
 * shell_editor_start(); a byte fed before that starts a new line with the same
 * prompt (except the `\n` of a `\r\n`, which is swallowed).
 *
 * @param ed   the editor
 * @param byte the byte, any value 0..255
 * @return SHELL_EDITOR_MORE, SHELL_EDITOR_LINE or SHELL_EDITOR_INTERRUPT
 */
enum shell_editor_result shell_editor_feed(struct shell_editor *ed, uint8_t byte);

/**
 * @brief The line being edited (or just completed).
 * @param ed  the editor
 * @param len if not NULL, receives its length
 * @return the NUL-terminated line, owned by the editor
 */
const char *shell_editor_line(const struct shell_editor *ed, size_t *len);

/**
 * @brief Where the cursor is.
 * @param ed the editor
 * @return 0..length of the line
 */
size_t shell_editor_cursor(const struct shell_editor *ed);

/**
 * @brief Redraw the prompt and the line on a fresh row, e.g. after something
 * else printed on the terminal.
 * @param ed the editor
 */
void shell_editor_redraw(struct shell_editor *ed);

#endif
