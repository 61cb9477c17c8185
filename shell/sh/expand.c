/*
 * expand.c - word expansion (XCU 2.6): raw words from the parser to fields.
 *
 * Interface: sh_expand_words() for command words (every step), and
 * sh_expand_one() for words that stay one string (assignments, redirection
 * targets, `case` words and patterns, here-documents). Layer: above vars.c,
 * arith.c and glob.c; command substitution calls back into exec.c.
 *
 * One pass over the raw text does tilde expansion, parameter expansion,
 * command substitution, arithmetic and quote removal together, building the
 * current field twice: `lit` is the text as it will be used, `pat` the same
 * text with quoted pattern characters backslash-escaped, for globbing and
 * pattern matching. Unquoted results of expansions are split on $IFS as they
 * are added; a field is globbed at its end if an unquoted `*`, `?` or `[`
 * went into it.
 */
#include "sh.h"

#include <fnmatch.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xstate {
    struct sh_vec *out; /* fields (SH_EXP_FIELDS) */
    struct sh_str lit, pat;
    bool has_glob;      /* an unquoted glob character is in the field */
    bool started;       /* the field exists even if empty ("" or '') */
    bool after_ifs_ws;  /* the last thing added was an IFS white-space break */
    int flags;
};

static int expand_raw(struct xstate *st, const char *raw, size_t len, bool dq);

static void add_char(struct xstate *st, char c, bool quoted)
{
    sh_str_addc(&st->lit, c);
    if (quoted && strchr("*?[]\\", c)) {
        sh_str_addc(&st->pat, '\\');
    } else if (!quoted && (c == '*' || c == '?' || c == '[')) {
        st->has_glob = true;
    }
    sh_str_addc(&st->pat, c);
    st->after_ifs_ws = false;
}

static void emit_field(struct xstate *st, bool force)
{
    if (!force && !st->started && st->lit.len == 0)
        return;
    const char *lit = st->lit.s ? st->lit.s : "";
    if (st->has_glob && !sh.opt_f && sh_glob(st->pat.s, st->out) > 0) {
        /* the matches were added */
    } else {
        sh_vec_push(st->out, sh_strdup(lit));
    }
    st->lit.len = st->pat.len = 0;
    if (st->lit.s)
        st->lit.s[0] = st->pat.s[0] = '\0';
    st->has_glob = st->started = false;
}

static const char *ifs(void)
{
    const char *s = sh_getvar("IFS");
    return s ? s : " \t\n";
}

/* Add the result of an expansion: split on IFS unless quoted or not splitting. */
static void add_value(struct xstate *st, const char *v, bool quoted)
{
    if (quoted || !(st->flags & SH_EXP_FIELDS)) {
        for (; *v; v++)
            add_char(st, *v, quoted);
        if (quoted)
            st->started = true;
        return;
    }
    const char *sep = ifs();
    for (; *v; v++) {
        if (!strchr(sep, *v) || *v == '\0') {
            add_char(st, *v, false);
            continue;
        }
        bool ws = *v == ' ' || *v == '\t' || *v == '\n';
        if (ws) {
            if (!st->after_ifs_ws) {
                emit_field(st, false);
                st->after_ifs_ws = true;
            }
        } else {
            emit_field(st, !st->after_ifs_ws);
            st->after_ifs_ws = false;
        }
    }
}

static void param_error(const char *name, size_t n, const char *msg)
{
    sh_error("%.*s: %s", (int)n, name, msg);
}

/* The value of a parameter other than @ and *; NULL if unset. */
static const char *param(const char *name, size_t n, char *buf, size_t bufsize)
{
    if (n == 1) {
        switch (name[0]) {
        case '?':
            snprintf(buf, bufsize, "%d", sh.status);
            return buf;
        case '$':
            snprintf(buf, bufsize, "%ld", (long)sh.pid);
            return buf;
        case '!':
            if (!sh.last_bg)
                return NULL;
            snprintf(buf, bufsize, "%ld", (long)sh.last_bg);
            return buf;
        case '#':
            snprintf(buf, bufsize, "%d", sh_nparams);
            return buf;
        case '-': {
            char *p = buf;
            if (sh.opt_e) *p++ = 'e';
            if (sh.opt_f) *p++ = 'f';
            if (sh.interactive) *p++ = 'i';
            if (sh.opt_u) *p++ = 'u';
            if (sh.opt_x) *p++ = 'x';
            *p = '\0';
            return buf;
        }
        case '0':
            return sh.arg0;
        }
    }
    if (name[0] >= '0' && name[0] <= '9') {
        int k = atoi(name);
        return k >= 1 && k <= sh_nparams ? sh_params[k - 1] : NULL;
    }
    char tmp[256];
    if (n >= sizeof(tmp)) {
        char *big = sh_strndup(name, n);
        const char *v = sh_getvar(big);
        free(big);
        return v;
    }
    memcpy(tmp, name, n);
    tmp[n] = '\0';
    return sh_getvar(tmp);
}

/* "$*" joins with the first character of IFS. */
static char *join_params(void)
{
    struct sh_str s = { 0 };
    const char *sep = ifs();
    sh_str_adds(&s, "");
    for (int i = 0; i < sh_nparams; i++) {
        if (i && *sep)
            sh_str_addc(&s, *sep);
        sh_str_adds(&s, sh_params[i]);
    }
    return s.s;
}

static void add_at(struct xstate *st, bool star, bool dq)
{
    if (dq && star) {
        char *j = join_params();
        add_value(st, j, true);
        free(j);
        return;
    }
    for (int i = 0; i < sh_nparams; i++) {
        if (i) {
            if (st->flags & SH_EXP_FIELDS)
                emit_field(st, dq);
            else
                add_char(st, ' ', dq);
        }
        add_value(st, sh_params[i], dq);
    }
}

/* A sub-word (of ${x:-word} and the like) as one string. */
static char *sub_expand(const char *w, size_t n, int flags, bool dq)
{
    struct xstate sub = { .flags = flags };
    struct sh_vec unused = { 0 };
    sub.out = &unused;
    if (expand_raw(&sub, w, n, dq) < 0) {
        sh_str_free(&sub.lit);
        sh_str_free(&sub.pat);
        return NULL;
    }
    char *r = sh_strdup((flags & SH_EXP_PATTERN) ? (sub.pat.s ? sub.pat.s : "")
                                                  : (sub.lit.s ? sub.lit.s : ""));
    sh_str_free(&sub.lit);
    sh_str_free(&sub.pat);
    return r;
}

static char *trim(const char *v, const char *pat, char op, bool longest)
{
    size_t n = strlen(v);
    char *s = sh_strdup(v);
    for (size_t step = 0; step <= n; step++) {
        if (op == '#') {
            size_t k = longest ? n - step : step;
            char c = s[k];
            s[k] = '\0';
            bool m = sh_pattern_match(pat, s);
            s[k] = c;
            if (m) {
                char *r = sh_strdup(v + k);
                free(s);
                return r;
            }
        } else {
            size_t k = longest ? step : n - step;
            if (sh_pattern_match(pat, v + k)) {
                s[k] = '\0';
                return s;
            }
        }
    }
    return s;
}

/* ${...}: raw[i] is just after the '{', end is the index of the '}'. */
static int expand_brace(struct xstate *st, const char *raw, size_t i, size_t end, bool dq)
{
    char buf[64];
    bool length = false;
    if (raw[i] == '#' && i + 1 < end) {
        length = true;
        i++;
    }
    size_t ns = i;
    if (i < end && strchr("@*#?-$!", raw[i]) && !(raw[i] == '#' && !length && i + 1 < end &&
                                                  strchr(":-=?+%#", raw[i + 1]) == NULL)) {
        i++;
    } else if (i < end && raw[i] >= '0' && raw[i] <= '9') {
        while (i < end && raw[i] >= '0' && raw[i] <= '9')
            i++;
    } else {
        while (i < end && (raw[i] == '_' || (raw[i] >= 'a' && raw[i] <= 'z') ||
                           (raw[i] >= 'A' && raw[i] <= 'Z') || (raw[i] >= '0' && raw[i] <= '9')))
            i++;
    }
    const char *name = raw + ns;
    size_t nlen = i - ns;
    if (nlen == 0) {
        sh_error("${%.*s}: bad substitution", (int)(end - ns), raw + ns);
        return -1;
    }
    bool at = nlen == 1 && (name[0] == '@' || name[0] == '*');
    if (length) {
        if (i != end) {
            sh_error("${#%.*s}: bad substitution", (int)(end - ns), raw + ns);
            return -1;
        }
        const char *v = at ? NULL : param(name, nlen, buf, sizeof(buf));
        if (!v && !at && sh.opt_u) {
            param_error(name, nlen, "parameter not set");
            return -1;
        }
        snprintf(buf, sizeof(buf), "%zu", at ? (size_t)sh_nparams : v ? strlen(v) : 0);
        add_value(st, buf, dq);
        return 0;
    }
    if (i == end) {
        if (at) {
            add_at(st, name[0] == '*', dq);
            return 0;
        }
        const char *v = param(name, nlen, buf, sizeof(buf));
        if (!v && sh.opt_u) {
            param_error(name, nlen, "parameter not set");
            return -1;
        }
        add_value(st, v ? v : "", dq);
        return 0;
    }
    bool colon = raw[i] == ':';
    if (colon)
        i++;
    char op = raw[i++];
    bool twice = false;
    if ((op == '%' || op == '#') && !colon && raw[i] == op) {
        twice = true;
        i++;
    }
    if (!strchr("-=?+%#", op) || (colon && (op == '%' || op == '#'))) {
        sh_error("${%.*s}: bad substitution", (int)(end - ns), raw + ns);
        return -1;
    }
    const char *word = raw + i;
    size_t wlen = end - i;
    char *joined = at ? join_params() : NULL;
    const char *v = at ? (sh_nparams ? joined : NULL) : param(name, nlen, buf, sizeof(buf));
    bool use_word = !v || (colon && !*v);
    int r = 0;
    switch (op) {
    case '-':
        if (use_word)
            r = expand_raw(st, word, wlen, dq);
        else if (at)
            add_at(st, name[0] == '*', dq);
        else
            add_value(st, v, dq);
        break;
    case '+':
        if (!use_word)
            r = expand_raw(st, word, wlen, dq);
        break;
    case '=':
    case '?':
        if (!use_word) {
            add_value(st, v, dq);
            break;
        }
        if (op == '=' && (at || !sh_is_name(name, nlen))) {
            sh_error("%.*s: cannot assign in this way", (int)nlen, name);
            r = -1;
            break;
        }
        {
            char *w = sub_expand(word, wlen, SH_EXP_TILDE, false);
            if (!w) {
                r = -1;
                break;
            }
            if (op == '?') {
                param_error(name, nlen, *w ? w : "parameter null or not set");
                r = -1;
            } else {
                char *nm = sh_strndup(name, nlen);
                r = sh_setvar(nm, w, 0);
                free(nm);
                if (r == 0)
                    add_value(st, w, dq);
            }
            free(w);
        }
        break;
    default: { /* % %% # ## */
        char *pat = sub_expand(word, wlen, SH_EXP_PATTERN, false);
        if (!pat) {
            r = -1;
            break;
        }
        if (!v && sh.opt_u) {
            param_error(name, nlen, "parameter not set");
            r = -1;
        } else {
            char *t = trim(v ? v : "", pat, op, twice);
            add_value(st, t, dq);
            free(t);
        }
        free(pat);
        break;
    }
    }
    free(joined);
    return r;
}

/* raw[*i] is '$'. Advances *i past the expansion. */
static int expand_dollar(struct xstate *st, const char *raw, size_t len, size_t *i, bool dq)
{
    size_t p = *i + 1;
    char c = p < len ? raw[p] : '\0';
    char buf[64];
    if (c == '(') {
        long e = sh_scan_subst(raw + p + 1, len - p - 1);
        if (e < 0) {
            sh_error("missing ')'");
            return -1;
        }
        const char *body = raw + p + 1;
        size_t blen = (size_t)e;
        *i = p + 1 + (size_t)e + 1;
        if (blen >= 2 && body[0] == '(' && body[blen - 1] == ')') {
            char *expr = sub_expand(body + 1, blen - 2, 0, true);
            long val;
            if (!expr)
                return -1;
            int r = sh_arith(expr, &val);
            free(expr);
            if (r < 0)
                return -1;
            snprintf(buf, sizeof(buf), "%ld", val);
            add_value(st, buf, dq);
            return 0;
        }
        char *outp = sh_command_output(body, blen);
        if (!outp)
            return -1;
        add_value(st, outp, dq);
        free(outp);
        return 0;
    }
    if (c == '{') {
        long e = sh_skip_part(raw, len, *i);
        if (e < 0) {
            sh_error("missing '}'");
            return -1;
        }
        *i = (size_t)e;
        return expand_brace(st, raw, p + 1, (size_t)e - 1, dq);
    }
    if (c == '@' || c == '*') {
        *i = p + 1;
        add_at(st, c == '*', dq);
        return 0;
    }
    if (c && strchr("?$!#-0123456789", c)) {
        *i = p + 1;
        const char *v = param(raw + p, 1, buf, sizeof(buf));
        if (!v && sh.opt_u && c != '!') {
            param_error(raw + p, 1, "parameter not set");
            return -1;
        }
        add_value(st, v ? v : "", dq);
        return 0;
    }
    size_t q = p;
    while (q < len && (raw[q] == '_' || (raw[q] >= 'a' && raw[q] <= 'z') ||
                       (raw[q] >= 'A' && raw[q] <= 'Z') || (q > p && raw[q] >= '0' && raw[q] <= '9')))
        q++;
    if (q == p) { /* a lone '$' */
        add_char(st, '$', dq);
        *i = p;
        return 0;
    }
    *i = q;
    const char *v = param(raw + p, q - p, buf, sizeof(buf));
    if (!v && sh.opt_u) {
        param_error(raw + p, q - p, "parameter not set");
        return -1;
    }
    add_value(st, v ? v : "", dq);
    return 0;
}

/* `...`: raw[*i] is the opening backquote. */
static int expand_backquote(struct xstate *st, const char *raw, size_t len, size_t *i, bool dq)
{
    struct sh_str cmd = { 0 };
    size_t j = *i + 1;
    for (; j < len && raw[j] != '`'; j++) {
        if (raw[j] == '\\' && j + 1 < len &&
            (raw[j + 1] == '$' || raw[j + 1] == '`' || raw[j + 1] == '\\' ||
             (dq && raw[j + 1] == '"')))
            j++;
        sh_str_addc(&cmd, raw[j]);
    }
    *i = j + 1;
    char *outp = sh_command_output(cmd.s ? cmd.s : "", cmd.len);
    sh_str_free(&cmd);
    if (!outp)
        return -1;
    add_value(st, outp, dq);
    free(outp);
    return 0;
}

/* ~ or ~user at raw[*i]; false if it is not a tilde prefix. */
static bool expand_tilde(struct xstate *st, const char *raw, size_t len, size_t *i)
{
    bool assign = st->flags & SH_EXP_ASSIGN;
    size_t j = *i + 1;
    while (j < len && raw[j] != '/' && !(assign && raw[j] == ':')) {
        if (strchr("\\'\"$`", raw[j]))
            return false;
        j++;
    }
    const char *home = NULL;
    if (j == *i + 1) {
        home = sh_getvar("HOME");
    } else {
        char *user = sh_strndup(raw + *i + 1, j - *i - 1);
        struct passwd *pw = getpwnam(user);
        free(user);
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home)
        return false;
    for (const char *h = home; *h; h++)
        add_char(st, *h, true);
    st->started = true;
    *i = j;
    return true;
}

static int expand_raw(struct xstate *st, const char *raw, size_t len, bool dq)
{
    bool heredoc = st->flags & SH_EXP_HEREDOC;
    size_t i = 0;
    bool seen_eq = false;
    while (i < len) {
        char c = raw[i];
        if (c == '\\') {
            if (i + 1 >= len) {
                add_char(st, '\\', dq || heredoc);
                i++;
            } else if (raw[i + 1] == '\n') {
                i += 2;
            } else if ((dq || heredoc) && !strchr(heredoc ? "$`\\" : "$`\"\\", raw[i + 1])) {
                add_char(st, '\\', true);
                i++;
            } else {
                add_char(st, raw[i + 1], true);
                i += 2;
            }
        } else if (c == '\'' && !dq && !heredoc) {
            const char *q = memchr(raw + i + 1, '\'', len - i - 1);
            size_t e = q ? (size_t)(q - raw) : len;
            for (size_t j = i + 1; j < e; j++)
                add_char(st, raw[j], true);
            st->started = true;
            i = e + 1;
        } else if (c == '"' && !heredoc) {
            if (dq)
                return (int)i; /* the caller's closing quote */
            size_t j = i + 1;
            /* "$@" alone with no parameters gives no field at all. */
            bool empty_at = sh_nparams == 0 &&
                            ((len - j >= 3 && strncmp(raw + j, "$@\"", 3) == 0) ||
                             (len - j >= 5 && strncmp(raw + j, "${@}\"", 5) == 0));
            struct xstate *s = st;
            long r = 0;
            /* Expand the inside up to the closing quote. */
            size_t k = j;
            while (k < len && raw[k] != '"') {
                long e = raw[k] == '\\' ? (long)k + 2
                         : (raw[k] == '$' || raw[k] == '`') ? sh_skip_part(raw, len, k)
                                                            : (long)k + 1;
                if (e < 0 || (raw[k] == '$' && e == (long)k + 1))
                    e = (long)k + 1;
                k = (size_t)e;
            }
            if (k > len)
                k = len;
            r = expand_raw(s, raw + j, k - j, true);
            if (r < 0)
                return -1;
            if (!empty_at)
                st->started = true;
            i = k + 1;
        } else if (c == '$') {
            if (expand_dollar(st, raw, len, &i, dq) < 0)
                return -1;
        } else if (c == '`') {
            if (expand_backquote(st, raw, len, &i, dq) < 0)
                return -1;
        } else if (c == '~' && !dq && !heredoc &&
                   (((st->flags & SH_EXP_TILDE) && i == 0) ||
                    ((st->flags & SH_EXP_ASSIGN) && i > 0 && (raw[i - 1] == ':' ||
                                                              (raw[i - 1] == '=' && !seen_eq)))) &&
                   expand_tilde(st, raw, len, &i)) {
            /* done */
        } else {
            if (c == '=')
                seen_eq = true;
            add_char(st, c, dq || heredoc);
            i++;
        }
        if (c == '=')
            seen_eq = true;
    }
    return 0;
}

int sh_expand_words(char **words, struct sh_vec *out)
{
    for (char **w = words; w && *w; w++) {
        struct xstate st = { .out = out, .flags = SH_EXP_FIELDS | SH_EXP_TILDE };
        int r = expand_raw(&st, *w, strlen(*w), false);
        if (r >= 0)
            emit_field(&st, false);
        sh_str_free(&st.lit);
        sh_str_free(&st.pat);
        if (r < 0)
            return -1;
    }
    if (!out->v)
        sh_vec_push(out, NULL), out->n = 0;
    return 0;
}

char *sh_expand_one(const char *raw, int flags)
{
    return sub_expand(raw, strlen(raw), flags & ~SH_EXP_FIELDS, false);
}

bool sh_pattern_match(const char *pat, const char *s)
{
    return fnmatch(pat, s, 0) == 0;
}
