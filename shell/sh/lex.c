/*
 * lex.c - the arena that holds syntax trees, and the lexer of /bin/sh.
 *
 * Interface: sh_arena_* (sh.h); sh_lex_next() and the error helpers for
 * parse.c (lex.h); sh_scan_subst() and sh_skip_part() for expand.c.
 *
 * The lexer only finds where each word ends (quotes, `$(...)`, `${...}` and
 * backquotes nest) and keeps its raw text; operators become tokens; a newline
 * token reads the bodies of the here-documents its line announced. Text that
 * ends inside a construct sets p->incomplete (more input may come) or reports
 * a syntax error (p->at_eof).
 */
#include "sh.h"
#include "lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) char data[];
};

struct sh_arena {
    struct chunk *chunks;
    int refs;
};

struct sh_arena *sh_arena_new(void)
{
    struct sh_arena *a = sh_alloc(sizeof(*a));
    a->refs = 1;
    return a;
}

void *sh_arena_alloc(struct sh_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct chunk *c = a->chunks;
    if (!c || c->used + n > c->size) {
        size_t size = n > 4000 ? n : 4000;
        c = sh_alloc(sizeof(*c) + size);
        c->size = size;
        c->next = a->chunks;
        a->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

void sh_arena_ref(struct sh_arena *a)
{
    a->refs++;
}

void sh_arena_unref(struct sh_arena *a)
{
    if (!a || --a->refs > 0)
        return;
    while (a->chunks) {
        struct chunk *c = a->chunks;
        a->chunks = c->next;
        free(c);
    }
    free(a);
}

char *sh_astrndup(struct sh_parser *p, const char *s, size_t n)
{
    char *d = sh_arena_alloc(p->arena, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ---- lexer ---- */


const char *const sh_tok_text[] = {
    "end of file", "word", "newline", ";", "&", "|", "&&", "||", ";;", "(", ")",
    "<", ">", ">>", "<&", ">&", "<>", "<<", "<<-", ">|", "?",
};

static bool is_meta(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
           c == ')' || c == '<' || c == '>';
}

/* Skip a quoted or nested construct starting at s[i]; returns the index after
 * it, or -1 if the text ends first. */
static long skip_nested(const char *s, size_t len, size_t i);

static long skip_dq(const char *s, size_t len, size_t i) /* s[i] is after the '"' */
{
    while (i < len) {
        char c = s[i];
        if (c == '"')
            return (long)i + 1;
        if (c == '\\') {
            i += 2;
        } else if (c == '$' || c == '`') {
            long e = skip_nested(s, len, i);
            if (e < 0)
                return -1;
            i = (size_t)e;
        } else {
            i++;
        }
    }
    return -1;
}

long sh_skip_part(const char *s, size_t len, size_t i)
{
    return skip_nested(s, len, i);
}

static long skip_nested(const char *s, size_t len, size_t i)
{
    char c = s[i];
    if (c == '\'') {
        const char *q = memchr(s + i + 1, '\'', len - i - 1);
        return q ? q - s + 1 : -1;
    }
    if (c == '"')
        return skip_dq(s, len, i + 1);
    if (c == '`') {
        for (size_t j = i + 1; j < len; j++) {
            if (s[j] == '\\')
                j++;
            else if (s[j] == '`')
                return (long)j + 1;
        }
        return -1;
    }
    if (c == '$' && i + 1 < len && s[i + 1] == '(') {
        long e = sh_scan_subst(s + i + 2, len - i - 2);
        return e < 0 ? -1 : (long)(i + 2) + e + 1;
    }
    if (c == '$' && i + 1 < len && s[i + 1] == '{') {
        size_t j = i + 2;
        while (j < len && s[j] != '}') {
            if (s[j] == '\\') {
                j += 2;
            } else if (s[j] == '\'' || s[j] == '"' || s[j] == '`' || s[j] == '$') {
                long e = skip_nested(s, len, j);
                if (e < 0)
                    return -1;
                j = (size_t)e;
            } else {
                j++;
            }
        }
        return j < len ? (long)j + 1 : -1;
    }
    return (long)i + 1;
}

long sh_scan_subst(const char *s, size_t len)
{
    int depth = 0;
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '(') {
            depth++;
            i++;
        } else if (c == ')') {
            if (depth-- == 0)
                return (long)i;
            i++;
        } else if (c == '\\') {
            i += 2;
        } else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n')) {
            while (i < len && s[i] != '\n')
                i++;
        } else if (c == '\'' || c == '"' || c == '`' || c == '$') {
            long e = skip_nested(s, len, i);
            if (e < 0)
                return -1;
            i = (size_t)e;
        } else {
            i++;
        }
    }
    return -1;
}

void sh_syntax_error(struct sh_parser *p, const char *what)
{
    if (p->error || p->incomplete)
        return;
    if (sh.interactive)
        sh_error("syntax error: %s", what);
    else
        sh_error("line %d: syntax error: %s", p->lineno, what);
    p->error = true;
}

/* The text ran out where more was needed. */
void sh_need_more(struct sh_parser *p, const char *what)
{
    if (p->at_eof)
        sh_syntax_error(p, what);
    else
        p->incomplete = true;
}

static void read_heredocs(struct sh_parser *p)
{
    for (int h = 0; h < p->nheredocs; h++) {
        struct sh_redir *r = p->heredocs[h];
        size_t dlen = strlen(r->word);
        struct sh_str body = { 0 };
        bool found = false;
        while (p->pos < p->len) {
            const char *line = p->src + p->pos;
            const char *nl = memchr(line, '\n', p->len - p->pos);
            size_t n = nl ? (size_t)(nl - line) : p->len - p->pos;
            p->pos += n + (nl ? 1 : 0);
            p->lineno++;
            if (r->strip_tabs)
                while (n > 0 && *line == '\t')
                    line++, n--;
            if (n == dlen && memcmp(line, r->word, n) == 0) {
                found = true;
                break;
            }
            if (!nl && !p->at_eof) /* a partial last line: wait for the rest */
                break;
            sh_str_addn(&body, line, n);
            sh_str_addc(&body, '\n');
        }
        if (!found && !p->at_eof) {
            sh_str_free(&body);
            p->incomplete = true;
            return;
        }
        r->body = sh_astrndup(p, body.s ? body.s : "", body.len);
        sh_str_free(&body);
    }
    p->nheredocs = 0;
}

void sh_lex_next(struct sh_parser *p)
{
    p->tokword = NULL;
    p->tokquoted = false;
    p->tokfd = -1;
    if (p->error || p->incomplete) {
        p->tok = T_BAD;
        return;
    }
    const char *s = p->src;
    for (;;) {
        if (p->pos < p->len && (s[p->pos] == ' ' || s[p->pos] == '\t')) {
            p->pos++;
        } else if (p->pos + 1 < p->len && s[p->pos] == '\\' && s[p->pos + 1] == '\n') {
            p->pos += 2;
            p->lineno++;
        } else if (p->pos < p->len && s[p->pos] == '#') {
            while (p->pos < p->len && s[p->pos] != '\n')
                p->pos++;
        } else {
            break;
        }
    }
    p->tokstart = p->pos;
    if (p->pos >= p->len) {
        p->tok = T_EOF;
        return;
    }
    char c = s[p->pos];
    char d = p->pos + 1 < p->len ? s[p->pos + 1] : '\0';
    char e = p->pos + 2 < p->len ? s[p->pos + 2] : '\0';
    int t = -1, n = 1;
    switch (c) {
    case '\n':
        p->pos++;
        p->lineno++;
        p->tok = T_NEWLINE;
        if (p->nheredocs)
            read_heredocs(p);
        if (p->incomplete)
            p->tok = T_BAD;
        return;
    case ';': t = d == ';' ? (n = 2, T_DSEMI) : T_SEMI; break;
    case '&': t = d == '&' ? (n = 2, T_AND) : T_AMP; break;
    case '|': t = d == '|' ? (n = 2, T_OR) : T_PIPE; break;
    case '(': t = T_LPAREN; break;
    case ')': t = T_RPAREN; break;
    case '<':
        if (d == '<')
            t = e == '-' ? (n = 3, T_DLESSDASH) : (n = 2, T_DLESS);
        else if (d == '&')
            t = (n = 2, T_LESSAND);
        else if (d == '>')
            t = (n = 2, T_LESSGREAT);
        else
            t = T_LESS;
        break;
    case '>':
        if (d == '>')
            t = (n = 2, T_DGREAT);
        else if (d == '&')
            t = (n = 2, T_GREATAND);
        else if (d == '|')
            t = (n = 2, T_CLOBBER);
        else
            t = T_GREAT;
        break;
    }
    if (t >= 0) {
        p->pos += (size_t)n;
        p->tok = t;
        return;
    }
    /* A word (or an IO number: digits right before < or >). */
    size_t start = p->pos;
    while (p->pos < p->len && !is_meta(s[p->pos])) {
        char ch = s[p->pos];
        if (ch == '\\') {
            if (p->pos + 1 >= p->len && !p->at_eof) {
                sh_need_more(p, "backslash at end");
                p->tok = T_BAD;
                return;
            }
            if (p->pos + 1 < p->len && s[p->pos + 1] == '\n')
                p->lineno++;
            p->pos += 2;
            p->tokquoted = true;
            continue;
        }
        if (ch == '\'' || ch == '"' || ch == '`' || ch == '$') {
            long end = skip_nested(s, p->len, p->pos);
            if (end < 0) {
                sh_need_more(p, ch == '$' ? "missing closing bracket" : "unterminated quoted string");
                p->tok = T_BAD;
                return;
            }
            for (size_t i = p->pos; i < (size_t)end; i++)
                p->lineno += s[i] == '\n';
            if (ch != '$')
                p->tokquoted = true;
            p->pos = (size_t)end;
            continue;
        }
        p->pos++;
    }
    if (p->pos > p->len)
        p->pos = p->len;
    p->tok = T_WORD;
    p->tokword = sh_astrndup(p, s + start, p->pos - start);
    if (p->pos < p->len && (s[p->pos] == '<' || s[p->pos] == '>')) {
        bool digits = true;
        for (size_t i = start; i < p->pos; i++)
            digits = digits && s[i] >= '0' && s[i] <= '9';
        if (digits && p->pos - start <= 4)
            p->tokfd = atoi(p->tokword);
    }
}
