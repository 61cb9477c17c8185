/*
 * parse.c - shell text to syntax trees (the POSIX grammar, XCU 2.10).
 *
 * Interface: sh_parser_init(), then sh_parse_command() once per complete
 * command. Layer: above the lexer (lex.c, lex.h); the trees go to exec.c,
 * the raw words in them to expand.c.
 *
 * Recursive descent over the tokens: list, and-or, pipeline, command (simple,
 * compound with trailing redirections, or a function definition). Words keep
 * their raw text, quotes included, and are expanded when they run. Text that
 * stops inside a command (an open quote, `if` without `fi`, a trailing `|`, a
 * missing here-document end) is reported as SH_PARSE_MORE unless the parser
 * was told no more input will come, so the reader can fetch another line and
 * parse again from the command's start.
 *
 * Memory: every node and string lives in the parser's arena (one per complete
 * command), which the caller releases with sh_arena_unref(); functions keep a
 * reference to theirs.
 */
#include "sh.h"
#include "lex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parser ---- */

static bool is_kw(struct sh_parser *p, const char *kw)
{
    return p->tok == T_WORD && !p->tokquoted && strcmp(p->tokword, kw) == 0;
}

static bool ends_list(struct sh_parser *p)
{
    static const char *const kws[] = { "then", "else", "elif", "fi", "do", "done", "esac", "}" };
    if (p->tok == T_EOF || p->tok == T_RPAREN || p->tok == T_DSEMI || p->tok == T_BAD)
        return true;
    for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
        if (is_kw(p, kws[i]))
            return true;
    return false;
}

static void unexpected(struct sh_parser *p)
{
    if (p->tok == T_EOF) {
        sh_need_more(p, "unexpected end of file");
        return;
    }
    if (p->tok == T_BAD)
        return;
    char buf[80];
    const char *t = p->tok == T_WORD ? p->tokword : sh_tok_text[p->tok];
    snprintf(buf, sizeof(buf), "unexpected '%.40s'", t);
    sh_syntax_error(p, buf);
}

static bool failed(struct sh_parser *p)
{
    return p->error || p->incomplete;
}

static void linebreak(struct sh_parser *p)
{
    while (p->tok == T_NEWLINE)
        sh_lex_next(p);
}

static bool expect_kw(struct sh_parser *p, const char *kw)
{
    if (is_kw(p, kw)) {
        sh_lex_next(p);
        return true;
    }
    unexpected(p);
    return false;
}

static struct sh_node *new_node(struct sh_parser *p, int type)
{
    struct sh_node *n = sh_arena_alloc(p->arena, sizeof(*n));
    n->type = type;
    n->lineno = p->lineno;
    return n;
}

static char **to_array(struct sh_parser *p, struct sh_vec *v)
{
    char **a = sh_arena_alloc(p->arena, (v->n + 1) * sizeof(char *));
    for (size_t i = 0; i < v->n; i++)
        a[i] = v->v[i];
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
    return a;
}

static struct sh_node *parse_list(struct sh_parser *p, bool multiline);
static struct sh_node *parse_command(struct sh_parser *p);

static bool is_redir_tok(int t)
{
    return t >= T_LESS && t <= T_CLOBBER;
}

/* Parse one redirection: the current token is its operator (tokfd set from a
 * preceding IO number by the caller). */
static struct sh_redir *parse_redir(struct sh_parser *p, int fd)
{
    struct sh_redir *r = sh_arena_alloc(p->arena, sizeof(*r));
    int t = p->tok;
    static const int kinds[] = { [T_LESS] = SR_IN, [T_GREAT] = SR_OUT, [T_DGREAT] = SR_APPEND,
                                 [T_LESSAND] = SR_DUPIN, [T_GREATAND] = SR_DUPOUT,
                                 [T_LESSGREAT] = SR_RDWR, [T_DLESS] = SR_HEREDOC,
                                 [T_DLESSDASH] = SR_HEREDOC, [T_CLOBBER] = SR_CLOBBER };
    r->kind = kinds[t];
    bool input = t == T_LESS || t == T_LESSAND || t == T_LESSGREAT || t == T_DLESS || t == T_DLESSDASH;
    r->fd = fd >= 0 ? fd : input ? 0 : 1;
    sh_lex_next(p);
    if (p->tok != T_WORD) {
        unexpected(p);
        return NULL;
    }
    r->word = p->tokword;
    if (r->kind == SR_HEREDOC) {
        r->strip_tabs = t == T_DLESSDASH;
        r->quoted = p->tokquoted;
        /* The delimiter is the word after quote removal. */
        struct sh_str d = { 0 };
        for (const char *s = r->word; *s; s++) {
            if (*s == '\\' && s[1])
                sh_str_addc(&d, *++s);
            else if (*s != '\'' && *s != '"')
                sh_str_addc(&d, *s);
        }
        r->word = sh_astrndup(p, d.s ? d.s : "", d.len);
        sh_str_free(&d);
        if (p->nheredocs == (int)(sizeof(p->heredocs) / sizeof(p->heredocs[0]))) {
            sh_syntax_error(p, "too many here-documents on one line");
            return NULL;
        }
        p->heredocs[p->nheredocs++] = r;
    }
    sh_lex_next(p);
    return r;
}

/* Redirections after a compound command. */
static void parse_trailing_redirs(struct sh_parser *p, struct sh_node *n)
{
    struct sh_redir **tail = &n->redirs;
    while (!failed(p) && (is_redir_tok(p->tok) || (p->tok == T_WORD && p->tokfd >= 0))) {
        int fd = -1;
        if (p->tok == T_WORD) {
            fd = p->tokfd;
            sh_lex_next(p);
        }
        struct sh_redir *r = parse_redir(p, fd);
        if (!r)
            return;
        *tail = r;
        tail = &r->next;
    }
}

static struct sh_node *parse_compound_body(struct sh_parser *p, int type, const char *end)
{
    struct sh_node *n = new_node(p, type);
    sh_lex_next(p);
    n->a = parse_list(p, true);
    if (failed(p) || !expect_kw(p, end))
        return NULL;
    return n;
}

static struct sh_node *parse_if(struct sh_parser *p)
{
    struct sh_node *n = new_node(p, SN_IF);
    sh_lex_next(p); /* if or elif */
    n->a = parse_list(p, true);
    if (failed(p) || !expect_kw(p, "then"))
        return NULL;
    n->b = parse_list(p, true);
    if (failed(p))
        return NULL;
    if (is_kw(p, "elif")) {
        n->c = parse_if(p);
        return n->c ? n : NULL;
    }
    if (is_kw(p, "else")) {
        sh_lex_next(p);
        n->c = parse_list(p, true);
        if (failed(p))
            return NULL;
    }
    return expect_kw(p, "fi") ? n : NULL;
}

static struct sh_node *parse_do_group(struct sh_parser *p)
{
    linebreak(p);
    if (!expect_kw(p, "do"))
        return NULL;
    struct sh_node *body = parse_list(p, true);
    if (failed(p) || !expect_kw(p, "done"))
        return NULL;
    return body;
}

static struct sh_node *parse_loop(struct sh_parser *p, int type)
{
    struct sh_node *n = new_node(p, type);
    sh_lex_next(p);
    n->a = parse_list(p, true);
    if (failed(p))
        return NULL;
    n->b = parse_do_group(p);
    return n->b ? n : NULL;
}

static struct sh_node *parse_for(struct sh_parser *p)
{
    struct sh_node *n = new_node(p, SN_FOR);
    sh_lex_next(p);
    if (p->tok != T_WORD || !sh_is_name(p->tokword, strlen(p->tokword))) {
        unexpected(p);
        return NULL;
    }
    n->name = p->tokword;
    sh_lex_next(p);
    linebreak(p);
    if (is_kw(p, "in")) {
        struct sh_vec v = { 0 };
        sh_lex_next(p);
        while (p->tok == T_WORD) {
            sh_vec_push(&v, p->tokword);
            sh_lex_next(p);
        }
        n->words = to_array(p, &v);
        if (p->tok != T_SEMI && p->tok != T_NEWLINE) {
            unexpected(p);
            return NULL;
        }
        sh_lex_next(p);
    } else if (p->tok == T_SEMI) {
        sh_lex_next(p);
    }
    n->b = parse_do_group(p);
    return n->b ? n : NULL;
}

static struct sh_node *parse_case(struct sh_parser *p)
{
    struct sh_node *n = new_node(p, SN_CASE);
    sh_lex_next(p);
    if (p->tok != T_WORD) {
        unexpected(p);
        return NULL;
    }
    n->name = p->tokword;
    sh_lex_next(p);
    linebreak(p);
    if (!expect_kw(p, "in"))
        return NULL;
    struct sh_case_item **tail = &n->items;
    for (;;) {
        linebreak(p);
        if (is_kw(p, "esac"))
            break;
        struct sh_case_item *it = sh_arena_alloc(p->arena, sizeof(*it));
        struct sh_vec v = { 0 };
        if (p->tok == T_LPAREN)
            sh_lex_next(p);
        for (;;) {
            if (p->tok != T_WORD) {
                free(v.v);
                unexpected(p);
                return NULL;
            }
            sh_vec_push(&v, p->tokword);
            sh_lex_next(p);
            if (p->tok != T_PIPE)
                break;
            sh_lex_next(p);
        }
        it->pats = to_array(p, &v);
        if (p->tok != T_RPAREN) {
            unexpected(p);
            return NULL;
        }
        sh_lex_next(p);
        linebreak(p);
        /* an empty body is allowed here, unlike other compound lists */
        it->body = p->tok == T_DSEMI || is_kw(p, "esac") ? NULL : parse_list(p, true);
        if (failed(p))
            return NULL;
        *tail = it;
        tail = &it->next;
        if (p->tok == T_DSEMI) {
            sh_lex_next(p);
            continue;
        }
        if (!is_kw(p, "esac")) {
            unexpected(p);
            return NULL;
        }
    }
    sh_lex_next(p);
    return n;
}

static struct sh_node *parse_simple(struct sh_parser *p)
{
    struct sh_node *n = new_node(p, SN_CMD);
    struct sh_vec words = { 0 }, assigns = { 0 };
    struct sh_redir **tail = &n->redirs;
    for (;;) {
        if (p->tok == T_WORD && p->tokfd < 0) {
            const char *w = p->tokword;
            const char *eq = strchr(w, '=');
            if (words.n == 0 && eq && sh_is_name(w, (size_t)(eq - w)))
                sh_vec_push(&assigns, p->tokword);
            else
                sh_vec_push(&words, p->tokword);
            sh_lex_next(p);
            if (words.n == 1 && assigns.n == 0 && p->tok == T_LPAREN && !n->redirs) {
                /* name ( ) compound-command */
                struct sh_node *f = new_node(p, SN_FUNC);
                f->name = words.v[0];
                free(words.v);
                sh_lex_next(p);
                if (p->tok != T_RPAREN) {
                    unexpected(p);
                    return NULL;
                }
                sh_lex_next(p);
                linebreak(p);
                if (!sh_is_name(f->name, strlen(f->name))) {
                    sh_syntax_error(p, "bad function name");
                    return NULL;
                }
                f->a = parse_command(p);
                if (!f->a || f->a->type == SN_CMD) {
                    if (!failed(p))
                        sh_syntax_error(p, "a function body must be a compound command");
                    return NULL;
                }
                return f;
            }
        } else if (is_redir_tok(p->tok) || (p->tok == T_WORD && p->tokfd >= 0)) {
            int fd = -1;
            if (p->tok == T_WORD) {
                fd = p->tokfd;
                sh_lex_next(p);
            }
            struct sh_redir *r = parse_redir(p, fd);
            if (!r) {
                free(words.v);
                free(assigns.v);
                return NULL;
            }
            *tail = r;
            tail = &r->next;
        } else {
            break;
        }
    }
    if (words.n == 0 && assigns.n == 0 && !n->redirs) {
        unexpected(p);
        return NULL;
    }
    n->words = to_array(p, &words);
    n->assigns = to_array(p, &assigns);
    return n;
}

static struct sh_node *parse_command(struct sh_parser *p)
{
    struct sh_node *n = NULL;
    if (p->tok == T_LPAREN) {
        n = new_node(p, SN_SUBSHELL);
        sh_lex_next(p);
        n->a = parse_list(p, true);
        if (failed(p))
            return NULL;
        if (p->tok != T_RPAREN) {
            unexpected(p);
            return NULL;
        }
        sh_lex_next(p);
    } else if (is_kw(p, "{")) {
        n = parse_compound_body(p, SN_GROUP, "}");
    } else if (is_kw(p, "if")) {
        n = parse_if(p);
    } else if (is_kw(p, "while")) {
        n = parse_loop(p, SN_WHILE);
    } else if (is_kw(p, "until")) {
        n = parse_loop(p, SN_UNTIL);
    } else if (is_kw(p, "for")) {
        n = parse_for(p);
    } else if (is_kw(p, "case")) {
        n = parse_case(p);
    } else {
        return parse_simple(p);
    }
    if (n)
        parse_trailing_redirs(p, n);
    return failed(p) ? NULL : n;
}

static struct sh_node *parse_pipeline(struct sh_parser *p)
{
    bool bang = false;
    while (is_kw(p, "!")) {
        bang = !bang;
        sh_lex_next(p);
    }
    struct sh_node *first = parse_command(p);
    if (!first)
        return NULL;
    if (p->tok != T_PIPE && !bang)
        return first;
    struct sh_node *n = new_node(p, SN_PIPE);
    n->bang = bang;
    struct sh_node *kids[64];
    struct sh_node **many = kids;
    int cap = 64;
    many[n->nkids++] = first;
    while (p->tok == T_PIPE) {
        sh_lex_next(p);
        linebreak(p);
        struct sh_node *k = parse_command(p);
        if (!k)
            break;
        if (n->nkids == cap) {
            struct sh_node **bigger = sh_alloc(sizeof(*bigger) * (size_t)cap * 2);
            memcpy(bigger, many, sizeof(*bigger) * (size_t)cap);
            if (many != kids)
                free(many);
            many = bigger;
            cap *= 2;
        }
        many[n->nkids++] = k;
    }
    n->kids = sh_arena_alloc(p->arena, sizeof(*n->kids) * (size_t)n->nkids);
    memcpy(n->kids, many, sizeof(*n->kids) * (size_t)n->nkids);
    if (many != kids)
        free(many);
    return failed(p) ? NULL : n;
}

static struct sh_node *parse_and_or(struct sh_parser *p)
{
    struct sh_node *left = parse_pipeline(p);
    while (left && (p->tok == T_AND || p->tok == T_OR)) {
        struct sh_node *n = new_node(p, p->tok == T_AND ? SN_AND : SN_OR);
        sh_lex_next(p);
        linebreak(p);
        n->a = left;
        n->b = parse_pipeline(p);
        left = n->b ? n : NULL;
    }
    return left;
}

static struct sh_node *seq(struct sh_parser *p, struct sh_node *a, struct sh_node *b)
{
    if (!a)
        return b;
    struct sh_node *n = new_node(p, SN_SEQ);
    n->a = a;
    n->b = b;
    return n;
}

/* A list. multiline: newlines separate commands too (inside compound
 * commands); otherwise it ends at a newline, which is left as the token. */
static struct sh_node *parse_list(struct sh_parser *p, bool multiline)
{
    struct sh_node *list = NULL;
    for (;;) {
        if (multiline)
            linebreak(p);
        if (ends_list(p) || (!multiline && p->tok == T_NEWLINE))
            break;
        struct sh_node *n = parse_and_or(p);
        if (!n)
            return NULL;
        if (p->tok == T_AMP) {
            struct sh_node *bg = new_node(p, SN_BG);
            bg->a = n;
            n = bg;
        }
        list = seq(p, list, n);
        if (p->tok == T_SEMI || p->tok == T_AMP) {
            sh_lex_next(p);
            continue;
        }
        if (p->tok == T_NEWLINE && multiline)
            continue;
        break;
    }
    if (multiline && !list && !failed(p))
        unexpected(p); /* POSIX: a compound list is never empty */
    return list;
}

void sh_parser_init(struct sh_parser *p, const char *src, size_t len, bool at_eof, int lineno)
{
    memset(p, 0, sizeof(*p));
    p->src = src;
    p->len = len;
    p->at_eof = at_eof;
    p->lineno = lineno;
}

int sh_parse_command(struct sh_parser *p, struct sh_node **out)
{
    *out = NULL;
    p->arena = sh_arena_new();
    p->error = p->incomplete = false;
    p->nheredocs = 0;
    size_t start = p->pos;
    int line = p->lineno;
    sh_lex_next(p);
    if (p->tok == T_EOF)
        return SH_PARSE_EOF;
    if (p->tok == T_NEWLINE)
        return SH_PARSE_EMPTY;
    struct sh_node *n = parse_list(p, false);
    if (!failed(p) && p->tok != T_NEWLINE && p->tok != T_EOF)
        unexpected(p);
    if (!failed(p) && p->nheredocs)
        sh_need_more(p, "here-document without its end");
    if (p->incomplete) {
        p->pos = start;
        p->lineno = line;
        return SH_PARSE_MORE;
    }
    if (p->error) {
        /* Skip the rest of the line so that parsing can resume after it. */
        while (p->pos < p->len && p->src[p->pos] != '\n')
            p->pos++;
        if (p->pos < p->len)
            p->pos++;
        return SH_PARSE_ERR;
    }
    *out = n;
    return n ? SH_PARSE_OK : SH_PARSE_EMPTY;
}
