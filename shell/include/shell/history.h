/**
 * @file shell/history.h
 * @brief The shell's command history: a fixed ring of the last lines entered.
 *
 * The ring holds SHELL_HISTORY_MAX lines of up to SHELL_LINE_MAX - 1 bytes each,
 * stored by value inside `struct shell_history` (no allocation). Adding a line
 * when the ring is full evicts the oldest one; a line equal to the most recent
 * entry is not added again. Entries are numbered from the newest: index 0 is the
 * line entered last. Nothing here locks: one shell owns one history.
 */
#ifndef SHELL_HISTORY_H
#define SHELL_HISTORY_H

#include <shell/limits.h>
#include <stdbool.h>
#include <stddef.h>

/** How many lines the history remembers. */
#define SHELL_HISTORY_MAX 32

/** @brief The history ring. Treat the fields as private. */
struct shell_history {
    char lines[SHELL_HISTORY_MAX][SHELL_LINE_MAX]; /**< NUL-terminated entries. */
    unsigned head;                                 /**< Slot the next line goes to. */
    unsigned count;                                /**< Entries in use. */
};

/**
 * @brief Empty the history.
 * @param h the history
 */
void shell_history_init(struct shell_history *h);

/**
 * @brief Remember a line (the newest entry from now on).
 * @param h    the history
 * @param line the line; need not be NUL-terminated
 * @param len  its length; longer than SHELL_LINE_MAX - 1 is refused
 * @return 1 if added, 0 if skipped (empty, only blanks, or equal to the newest
 *         entry), -ENAMETOOLONG if too long
 */
int shell_history_add(struct shell_history *h, const char *line, size_t len);

/**
 * @brief How many entries the history holds.
 * @param h the history
 * @return 0..SHELL_HISTORY_MAX
 */
unsigned shell_history_count(const struct shell_history *h);

/**
 * @brief One entry, counted from the newest.
 * @param h     the history
 * @param index 0 for the newest entry, shell_history_count() - 1 for the oldest
 * @return the NUL-terminated entry (valid until the next shell_history_add()),
 *         or NULL if @p index is out of range
 */
const char *shell_history_get(const struct shell_history *h, unsigned index);

#endif
