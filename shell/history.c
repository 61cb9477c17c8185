/*
 * history.c - the command-history ring (shell/history.h).
 *
 * Layer: below the line editor, which reads entries for Up/Down; the shell adds
 * each entered line. Interface: shell_history_init, _add, _count, _get.
 * The ring is a fixed array of SHELL_HISTORY_MAX line buffers; `head` is the
 * slot the next line goes to, so the newest entry is at head - 1.
 */
#include <k/errno.h>
#include <shell/history.h>
#include <string.h>

void shell_history_init(struct shell_history *h)
{
    h->head = 0;
    h->count = 0;
    h->lines[0][0] = '\0';
}

static bool only_blanks(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

int shell_history_add(struct shell_history *h, const char *line, size_t len)
{
    if (len > SHELL_LINE_MAX - 1)
        return -ENAMETOOLONG;
    if (only_blanks(line, len))
        return 0;
    const char *newest = shell_history_get(h, 0);
    if (newest && strlen(newest) == len && memcmp(newest, line, len) == 0)
        return 0;
    char *slot = h->lines[h->head];
    memcpy(slot, line, len);
    slot[len] = '\0';
    h->head = (h->head + 1) % SHELL_HISTORY_MAX;
    if (h->count < SHELL_HISTORY_MAX)
        h->count++;
    return 1;
}

unsigned shell_history_count(const struct shell_history *h)
{
    return h->count;
}

const char *shell_history_get(const struct shell_history *h, unsigned index)
{
    if (index >= h->count)
        return NULL;
    unsigned slot = (h->head + SHELL_HISTORY_MAX - 1 - index) % SHELL_HISTORY_MAX;
    return h->lines[slot];
}
