/*
 * editor.c - the line editor (shell/editor.h).
 *
 * Layer: between the terminal byte stream and the shell. Interface:
 * shell_editor_init, _start, _feed (one byte in, output through the config's
 * write callback), _line, _cursor, _redraw; shell_completion_add for the Tab
 * callback.
 *
 * Input goes through a small escape-sequence parser (ESC, ESC [ params final,
 * ESC O final), then key handling edits `line`. Display: a line that fits in the
 * row is updated with short incremental sequences; anything else redraws the row
 * ("\r", prompt, the visible window of the line, ESC[K, cursor back), scrolling
 * the window so the cursor always shows. Output is batched in `obuf` and flushed
 * at the end of each call, so one key costs one write.
 */
#include <k/errno.h>
#include <shell/editor.h>
#include <string.h>

/* ESC_BAD: inside a malformed sequence, swallowing bytes up to its final byte. */
enum { ESC_NONE, ESC_ESC, ESC_CSI, ESC_SS3, ESC_BAD };

/* Keys after decoding: control bytes keep their value, sequences get these. */
enum {
    KEY_UP = 0x100,
    KEY_DOWN,
    KEY_RIGHT,
    KEY_LEFT,
    KEY_HOME,
    KEY_END,
    KEY_DELETE,
};

#define CTRL(c) ((c)&0x1f)
#define BELL    "\x07"

/* ---- output ---- */

static void flush(struct shell_editor *ed)
{
    if (ed->olen) {
        ed->cfg.write(ed->cfg.write_ctx, ed->obuf, ed->olen);
        ed->olen = 0;
    }
}

static void out(struct shell_editor *ed, const char *s, size_t n)
{
    while (n) {
        if (ed->olen == sizeof(ed->obuf))
            flush(ed);
        size_t k = sizeof(ed->obuf) - ed->olen;
        if (k > n)
            k = n;
        memcpy(ed->obuf + ed->olen, s, k);
        ed->olen += k;
        s += k;
        n -= k;
    }
}

static void outs(struct shell_editor *ed, const char *s)
{
    out(ed, s, strlen(s));
}

/* ESC [ n <final>. Formatted here, not with a printf, so the editor needs
 * nothing but <string.h> and builds unchanged in the kernel and in /bin/sh. */
static void out_csi(struct shell_editor *ed, size_t n, char final)
{
    char buf[24];
    size_t k = sizeof(buf);
    buf[--k] = final;
    do {
        buf[--k] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    buf[--k] = '[';
    buf[--k] = '\x1b';
    out(ed, buf + k, sizeof(buf) - k);
}

static void bell(struct shell_editor *ed)
{
    outs(ed, BELL);
}

/* Columns the line may use: the last column is never written, so no terminal wraps. */
static size_t text_width(const struct shell_editor *ed)
{
    return ed->cfg.cols - 1 - ed->prompt_len;
}

/* The whole line and the cursor fit without scrolling. */
static bool fits(const struct shell_editor *ed)
{
    return ed->len < text_width(ed);
}

/* First byte of the line on the screen: 0 unless the cursor would be past the
 * last usable column. Every update keeps the screen in this state. */
static size_t window_start(const struct shell_editor *ed)
{
    size_t width = text_width(ed);
    return ed->pos >= width ? ed->pos - width + 1 : 0;
}

static void refresh(struct shell_editor *ed)
{
    size_t width = text_width(ed);
    size_t start = window_start(ed);
    size_t end = ed->len - start > width ? start + width : ed->len;
    outs(ed, "\r");
    out(ed, ed->prompt, ed->prompt_len);
    out(ed, ed->line + start, end - start);
    outs(ed, "\x1b[K");
    if (end > ed->pos)
        out_csi(ed, end - ed->pos, 'D');
}

/* ---- editing ---- */

static void set_line(struct shell_editor *ed, const char *s, size_t n)
{
    memcpy(ed->line, s, n);
    ed->line[n] = '\0';
    ed->len = ed->pos = n;
}

static void insert(struct shell_editor *ed, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (ed->len + n > SHELL_LINE_MAX - 1) {
        bell(ed);
        return;
    }
    memmove(ed->line + ed->pos + n, ed->line + ed->pos, ed->len - ed->pos + 1);
    memcpy(ed->line + ed->pos, s, n);
    ed->len += n;
    ed->pos += n;
    if (ed->pos == ed->len && fits(ed))
        out(ed, s, n);
    else
        refresh(ed);
}

/* Needs a backslash in an unquoted word (shell/parse.h); '#' only where it
 * would start a comment. */
static bool needs_escape(char c, bool word_start)
{
    return c == ' ' || c == '\t' || c == '\'' || c == '"' || c == '\\' || c == ';' || c == '>' ||
           c == '<' || c == '|' || c == '&' || (c == '#' && word_start);
}

/* Insert completion text, escaped for the parser. */
static void insert_escaped(struct shell_editor *ed, const char *s, size_t n, bool word_start)
{
    size_t m = n;
    for (size_t i = 0; i < n; i++)
        m += needs_escape(s[i], word_start && i == 0);
    if (m == 0)
        return;
    if (ed->len + m > SHELL_LINE_MAX - 1) {
        bell(ed);
        return;
    }
    char *at = ed->line + ed->pos;
    memmove(at + m, at, ed->len - ed->pos + 1);
    for (size_t i = 0; i < n; i++) {
        if (needs_escape(s[i], word_start && i == 0))
            *at++ = '\\';
        *at++ = s[i];
    }
    ed->len += m;
    ed->pos += m;
    if (ed->pos == ed->len && fits(ed))
        out(ed, ed->line + ed->pos - m, m);
    else
        refresh(ed);
}

/* Delete [from, to) and redraw. */
static void erase(struct shell_editor *ed, size_t from, size_t to)
{
    if (from >= to)
        return;
    bool at_end_fitting = to == ed->len && ed->pos == to && to - from == 1 && fits(ed);
    memmove(ed->line + from, ed->line + to, ed->len - to + 1);
    ed->len -= to - from;
    ed->pos = from;
    if (at_end_fitting)
        outs(ed, "\b \b");
    else
        refresh(ed);
}

static void move_to(struct shell_editor *ed, size_t pos)
{
    if (pos == ed->pos)
        return;
    if (fits(ed)) {
        if (pos < ed->pos)
            out_csi(ed, ed->pos - pos, 'D');
        else
            out_csi(ed, pos - ed->pos, 'C');
        ed->pos = pos;
    } else {
        ed->pos = pos;
        refresh(ed);
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void kill_word_back(struct shell_editor *ed)
{
    size_t p = ed->pos;
    while (p > 0 && is_blank(ed->line[p - 1]))
        p--;
    while (p > 0 && !is_blank(ed->line[p - 1]))
        p--;
    erase(ed, p, ed->pos);
}

/* ---- history ---- */

static void history_move(struct shell_editor *ed, int dir)
{
    struct shell_history *h = ed->cfg.history;
    int target = ed->hist_index + dir;
    if (!h || target < -1 || target >= (int)shell_history_count(h)) {
        bell(ed);
        return;
    }
    if (ed->hist_index == -1) {
        memcpy(ed->saved, ed->line, ed->len + 1);
        ed->saved_len = ed->len;
    }
    ed->hist_index = target;
    if (target == -1) {
        set_line(ed, ed->saved, ed->saved_len);
    } else {
        const char *s = shell_history_get(h, (unsigned)target);
        set_line(ed, s, strlen(s));
    }
    refresh(ed);
}

/* ---- completion ---- */

int shell_completion_add(struct shell_completions *c, const char *cand)
{
    size_t n = strlen(cand);
    if (n < c->word_len || memcmp(cand, c->word, c->word_len) != 0)
        return 0;
    for (unsigned i = 0; i < c->count; i++)
        if (strcmp(c->buf + c->start[i], cand) == 0)
            return 0;
    if (c->count == SHELL_COMPLETION_MAX || c->used + n + 1 > sizeof(c->buf)) {
        c->truncated = true;
        return -ENOSPC;
    }
    c->start[c->count++] = (uint16_t)c->used;
    memcpy(c->buf + c->used, cand, n + 1);
    c->used += n + 1;
    return 1;
}

static const char *cand(const struct shell_completions *c, unsigned i)
{
    return c->buf + c->start[i];
}

static bool is_word_break(char c)
{
    return is_blank(c) || c == ';' || c == '>' || c == '<' || c == '|' || c == '&';
}

/* Candidates in alphabetical order, for listing. */
static void sort_candidates(struct shell_completions *c)
{
    for (unsigned i = 1; i < c->count; i++) {
        uint16_t s = c->start[i];
        unsigned j = i;
        while (j > 0 && strcmp(c->buf + c->start[j - 1], c->buf + s) > 0) {
            c->start[j] = c->start[j - 1];
            j--;
        }
        c->start[j] = s;
    }
}

/* Show the candidates in columns below the line, then redraw the line. Paths are
 * shown from their last '/' in the word on, as `ls` would name them. */
static void list_candidates(struct shell_editor *ed, size_t skip)
{
    struct shell_completions *c = &ed->comp;
    sort_candidates(c);
    size_t widest = 0;
    for (unsigned i = 0; i < c->count; i++) {
        size_t n = strlen(cand(c, i) + skip);
        if (n > widest)
            widest = n;
    }
    size_t colw = widest + 2;
    size_t ncols = (ed->cfg.cols - 1) / colw;
    if (ncols == 0)
        ncols = 1;
    size_t nrows = (c->count + ncols - 1) / ncols;
    outs(ed, "\r\n");
    for (size_t r = 0; r < nrows; r++) {
        for (size_t col = 0; col < ncols; col++) {
            size_t i = col * nrows + r;
            if (i >= c->count)
                break;
            const char *s = cand(c, (unsigned)i) + skip;
            size_t n = strlen(s);
            out(ed, s, n);
            if (col + 1 < ncols && i + nrows < c->count)
                for (; n < colw; n++)
                    outs(ed, " ");
        }
        outs(ed, "\r\n");
    }
    refresh(ed);
}

/* Find the word before the cursor: its start, and its unescaped text in
 * c->word_buf. Returns false if the cursor follows a lone backslash. */
static bool find_word(struct shell_editor *ed, size_t *start)
{
    size_t ws = 0;
    bool esc = false;
    for (size_t i = 0; i < ed->pos; i++) {
        if (esc)
            esc = false;
        else if (ed->line[i] == '\\')
            esc = true;
        else if (is_word_break(ed->line[i]))
            ws = i + 1;
    }
    if (esc)
        return false;
    struct shell_completions *c = &ed->comp;
    size_t n = 0;
    for (size_t i = ws; i < ed->pos; i++) {
        if (ed->line[i] == '\\')
            i++;
        c->word_buf[n++] = ed->line[i];
    }
    c->word_buf[n] = '\0';
    c->word = c->word_buf;
    c->word_len = n;
    *start = ws;
    return true;
}

static void complete(struct shell_editor *ed, bool second_tab)
{
    struct shell_completions *c = &ed->comp;
    size_t ws;
    c->count = 0;
    c->used = 0;
    c->truncated = false;
    if (!find_word(ed, &ws)) {
        bell(ed);
        return;
    }
    if (ed->cfg.complete)
        ed->cfg.complete(ed->cfg.complete_ctx, ed->line, ws, c);
    if (c->count == 0) {
        bell(ed);
        return;
    }
    size_t wl = c->word_len;
    bool at_start = wl == 0;
    if (c->count == 1) {
        const char *s = cand(c, 0);
        size_t n = strlen(s);
        bool dir = n > 0 && s[n - 1] == '/';
        size_t before = ed->len;
        insert_escaped(ed, s + wl, n - wl, at_start);
        if (!dir && (ed->len > before || n == wl))
            insert(ed, " ", 1);
        return;
    }
    size_t common = strlen(cand(c, 0));
    for (unsigned i = 1; i < c->count; i++) {
        const char *s = cand(c, i);
        size_t k = 0;
        while (k < common && s[k] == cand(c, 0)[k])
            k++;
        common = k;
    }
    if (common > wl) {
        insert_escaped(ed, cand(c, 0) + wl, common - wl, at_start);
    } else if (second_tab) {
        size_t skip = wl;
        while (skip > 0 && c->word[skip - 1] != '/')
            skip--;
        list_candidates(ed, skip);
    } else {
        bell(ed);
    }
}

/* ---- keys ---- */

/* Show "^C" at the cursor, as a terminal would, stepping left first if it
 * would reach the last column (the line is being abandoned anyway). */
static void interrupt_echo(struct shell_editor *ed)
{
    size_t col = ed->prompt_len + ed->pos - window_start(ed);
    if (col + 2 > ed->cfg.cols - 1)
        out_csi(ed, col + 3 - ed->cfg.cols, 'D');
    outs(ed, "^C\r\n");
}

static enum shell_editor_result finish(struct shell_editor *ed)
{
    outs(ed, "\r\n");
    ed->finished = true;
    if (ed->cfg.history)
        shell_history_add(ed->cfg.history, ed->line, ed->len);
    return SHELL_EDITOR_LINE;
}

static enum shell_editor_result key(struct shell_editor *ed, int k)
{
    bool tab = ed->last_tab;
    ed->last_tab = false;
    switch (k) {
    case '\r':
    case '\n':
        return finish(ed);
    case CTRL('C'):
        interrupt_echo(ed);
        ed->finished = true;
        ed->len = ed->pos = 0;
        ed->line[0] = '\0';
        return SHELL_EDITOR_INTERRUPT;
    case CTRL('H'):
    case 0x7f:
        if (ed->pos > 0)
            erase(ed, ed->pos - 1, ed->pos);
        break;
    case CTRL('D'):
    case KEY_DELETE:
        if (ed->pos < ed->len)
            erase(ed, ed->pos, ed->pos + 1);
        break;
    case CTRL('B'):
    case KEY_LEFT:
        if (ed->pos > 0)
            move_to(ed, ed->pos - 1);
        break;
    case CTRL('F'):
    case KEY_RIGHT:
        if (ed->pos < ed->len)
            move_to(ed, ed->pos + 1);
        break;
    case CTRL('A'):
    case KEY_HOME:
        move_to(ed, 0);
        break;
    case CTRL('E'):
    case KEY_END:
        move_to(ed, ed->len);
        break;
    case CTRL('P'):
    case KEY_UP:
        history_move(ed, +1);
        break;
    case CTRL('N'):
    case KEY_DOWN:
        history_move(ed, -1);
        break;
    case CTRL('U'):
        erase(ed, 0, ed->pos);
        break;
    case CTRL('K'):
        if (ed->pos < ed->len)
            erase(ed, ed->pos, ed->len);
        break;
    case CTRL('W'):
        kill_word_back(ed);
        break;
    case CTRL('L'):
        outs(ed, "\x1b[2J\x1b[H");
        refresh(ed);
        break;
    case '\t':
        complete(ed, tab);
        ed->last_tab = true;
        break;
    default:
        if (k >= 0x20 && k < 0x7f) {
            char ch = (char)k;
            insert(ed, &ch, 1);
        }
        /* other control bytes and 0x80-0xff: ignored */
        break;
    }
    return SHELL_EDITOR_MORE;
}

/* A complete CSI sequence: ESC [ params final. */
static int csi_key(const struct shell_editor *ed, uint8_t final)
{
    switch (final) {
    case 'A':
        return KEY_UP;
    case 'B':
        return KEY_DOWN;
    case 'C':
        return KEY_RIGHT;
    case 'D':
        return KEY_LEFT;
    case 'H':
        return KEY_HOME;
    case 'F':
        return KEY_END;
    case '~':
        switch (ed->nparams ? ed->params[0] : 0) {
        case 1:
        case 7:
            return KEY_HOME;
        case 4:
        case 8:
            return KEY_END;
        case 3:
            return KEY_DELETE;
        default:
            return -1;
        }
    default:
        return -1;
    }
}

/* Run a byte through the escape parser: returns the key it completes, -1 if it
 * was swallowed, or the byte itself when no sequence is in progress. */
static int decode(struct shell_editor *ed, uint8_t b)
{
    if (ed->esc != ESC_NONE && b < 0x20) {
        /* A control byte cuts a sequence short; it still counts as itself. */
        ed->esc = ESC_NONE;
    }
    switch (ed->esc) {
    case ESC_ESC:
        if (b == '[') {
            ed->esc = ESC_CSI;
            ed->nparams = 0;
            ed->params[0] = ed->params[1] = 0;
        } else if (b == 'O') {
            ed->esc = ESC_SS3;
        } else {
            ed->esc = ESC_NONE; /* Alt-key and the like: ignored */
        }
        return -1;
    case ESC_SS3:
        ed->esc = ESC_NONE;
        if (b == 'A' || b == 'B' || b == 'C' || b == 'D' || b == 'H' || b == 'F') {
            ed->nparams = 0;
            return csi_key(ed, b);
        }
        return -1;
    case ESC_CSI:
        if (b >= '0' && b <= '9') {
            if (ed->nparams == 0)
                ed->nparams = 1;
            if (ed->nparams <= 2) {
                uint16_t *p = &ed->params[ed->nparams - 1];
                if (*p < 1000)
                    *p = (uint16_t)(*p * 10 + (b - '0'));
            }
        } else if (b == ';') {
            if (ed->nparams == 0)
                ed->nparams = 1;
            if (ed->nparams < 3)
                ed->nparams++;
        } else if (b >= 0x40 && b <= 0x7e) {
            ed->esc = ESC_NONE;
            return csi_key(ed, b);
        } else if (b >= 0x80) {
            ed->esc = ESC_BAD; /* malformed: drop it all, up to its final byte */
        }
        /* other parameter and intermediate bytes (0x20-0x3f), and DEL: ignored */
        return -1;
    case ESC_BAD:
        if (b >= 0x40 && b <= 0x7e)
            ed->esc = ESC_NONE;
        return -1;
    default:
        if (b == 0x1b) {
            ed->esc = ESC_ESC;
            return -1;
        }
        return b;
    }
}

/* ---- interface ---- */

void shell_editor_init(struct shell_editor *ed, const struct shell_editor_config *cfg)
{
    memset(ed, 0, sizeof(*ed));
    ed->cfg = *cfg;
    if (ed->cfg.cols == 0)
        ed->cfg.cols = SHELL_EDITOR_COLS;
    if (ed->cfg.cols < 20)
        ed->cfg.cols = 20;
    ed->hist_index = -1;
}

void shell_editor_start(struct shell_editor *ed, const char *prompt)
{
    if (prompt) {
        size_t n = strlen(prompt);
        size_t max = ed->cfg.cols / 2;
        if (max > SHELL_PROMPT_MAX - 1)
            max = SHELL_PROMPT_MAX - 1;
        if (n > max) {
            prompt += n - max;
            n = max;
        }
        memcpy(ed->prompt, prompt, n);
        ed->prompt[n] = '\0';
        ed->prompt_len = n;
    }
    ed->len = ed->pos = 0;
    ed->line[0] = '\0';
    ed->hist_index = -1;
    ed->esc = ESC_NONE;
    ed->last_tab = false;
    ed->finished = false;
    out(ed, ed->prompt, ed->prompt_len);
    flush(ed);
}

enum shell_editor_result shell_editor_feed(struct shell_editor *ed, uint8_t byte)
{
    bool after_cr = ed->last_cr;
    ed->last_cr = byte == '\r';
    if (after_cr && byte == '\n')
        return SHELL_EDITOR_MORE; /* the second half of "\r\n" */
    if (ed->finished)
        shell_editor_start(ed, NULL);
    enum shell_editor_result r = SHELL_EDITOR_MORE;
    int k = decode(ed, byte);
    if (k >= 0)
        r = key(ed, k);
    flush(ed);
    return r;
}

const char *shell_editor_line(const struct shell_editor *ed, size_t *len)
{
    if (len)
        *len = ed->len;
    return ed->line;
}

size_t shell_editor_cursor(const struct shell_editor *ed)
{
    return ed->pos;
}

void shell_editor_redraw(struct shell_editor *ed)
{
    outs(ed, "\r\n");
    refresh(ed);
    flush(ed);
}
