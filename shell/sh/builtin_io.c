/*
 * builtin_io.c - the built-ins that scripts call most: echo, printf and
 * test / [ (XCU test, printf, echo).
 *
 * Interface: sh_builtin_echo, sh_builtin_printf, sh_builtin_test. Layer:
 * leaves; they print through sh_out*() and need nothing of the shell's state.
 */
#include "sh.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sh_builtin_echo(int argc, char **argv)
{
    int i = 1;
    bool newline = true;
    while (i < argc && strcmp(argv[i], "-n") == 0) {
        newline = false;
        i++;
    }
    for (; i < argc; i++) {
        sh_outs(argv[i]);
        if (i + 1 < argc)
            sh_outs(" ");
    }
    if (newline)
        sh_outs("\n");
    return 0;
}

/* One backslash escape at *s (after the '\\'); returns false for \c. */
static bool escape(const char **s, struct sh_str *out, bool octal_zero)
{
    const char *p = *s;
    char c = *p++;
    int v;
    switch (c) {
    case 'a': sh_str_addc(out, '\a'); break;
    case 'b': sh_str_addc(out, '\b'); break;
    case 'f': sh_str_addc(out, '\f'); break;
    case 'n': sh_str_addc(out, '\n'); break;
    case 'r': sh_str_addc(out, '\r'); break;
    case 't': sh_str_addc(out, '\t'); break;
    case 'v': sh_str_addc(out, '\v'); break;
    case '\\': sh_str_addc(out, '\\'); break;
    case 'c': *s = p; return false;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        v = c - '0';
        for (int k = 0; k < (octal_zero && c == '0' ? 3 : 2) && *p >= '0' && *p <= '7'; k++)
            v = v * 8 + (*p++ - '0');
        sh_str_addc(out, (char)v);
        break;
    case '\0':
        sh_str_addc(out, '\\');
        p--;
        break;
    default:
        sh_str_addc(out, '\\');
        sh_str_addc(out, c);
    }
    *s = p;
    return true;
}

static int printf_error;

static long long num_arg(const char *s)
{
    if (!s)
        return 0;
    if (*s == '\'' || *s == '"')
        return (unsigned char)s[1];
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (*end || end == s || errno) {
        sh_error("printf: %s: invalid number", s);
        printf_error = 1;
    }
    return v;
}

int sh_builtin_printf(int argc, char **argv)
{
    if (argc < 2) {
        sh_error("usage: printf format [arguments...]");
        return 2;
    }
    const char *fmt = argv[1];
    int ai = 2;
    printf_error = 0;
    struct sh_str out = { 0 };
    sh_str_adds(&out, "");
    bool stop = false;
    do {
        int used_before = ai;
        for (const char *p = fmt; *p && !stop;) {
            if (*p == '\\') {
                p++;
                if (!escape(&p, &out, true))
                    stop = true;
                continue;
            }
            if (*p != '%') {
                sh_str_addc(&out, *p++);
                continue;
            }
            if (p[1] == '%') {
                sh_str_addc(&out, '%');
                p += 2;
                continue;
            }
            /* %[flags][width][.precision]conv */
            char spec[64];
            size_t k = 0;
            spec[k++] = *p++;
            while (*p && strchr("-+ #0", *p) && k < 40)
                spec[k++] = *p++;
            if (*p == '*') {
                k += (size_t)snprintf(spec + k, 12, "%d", (int)num_arg(ai < argc ? argv[ai++] : NULL));
                p++;
            }
            while (isdigit((unsigned char)*p) && k < 50)
                spec[k++] = *p++;
            if (*p == '.') {
                spec[k++] = *p++;
                if (*p == '*') {
                    k += (size_t)snprintf(spec + k, 12, "%d",
                                          (int)num_arg(ai < argc ? argv[ai++] : NULL));
                    p++;
                }
                while (isdigit((unsigned char)*p) && k < 60)
                    spec[k++] = *p++;
            }
            char conv = *p ? *p++ : '\0';
            const char *arg = ai < argc ? argv[ai++] : NULL;
            char *piece = NULL;
            switch (conv) {
            case 'd':
            case 'i':
                spec[k++] = 'l', spec[k++] = 'l', spec[k++] = 'd', spec[k] = '\0';
                if (asprintf(&piece, spec, num_arg(arg)) < 0)
                    piece = NULL;
                break;
            case 'o':
            case 'u':
            case 'x':
            case 'X':
                spec[k++] = 'l', spec[k++] = 'l', spec[k++] = conv, spec[k] = '\0';
                if (asprintf(&piece, spec, (unsigned long long)num_arg(arg)) < 0)
                    piece = NULL;
                break;
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G': {
                double d = 0;
                if (arg) {
                    char *end;
                    d = strtod(arg, &end);
                    if (*end || end == arg) {
                        sh_error("printf: %s: invalid number", arg);
                        printf_error = 1;
                    }
                }
                spec[k++] = conv, spec[k] = '\0';
                if (asprintf(&piece, spec, d) < 0)
                    piece = NULL;
                break;
            }
            case 'c':
                spec[k++] = 'c', spec[k] = '\0';
                if (arg && *arg && asprintf(&piece, spec, *arg) < 0)
                    piece = NULL;
                break;
            case 's':
                spec[k++] = 's', spec[k] = '\0';
                if (asprintf(&piece, spec, arg ? arg : "") < 0)
                    piece = NULL;
                break;
            case 'b': {
                struct sh_str b = { 0 };
                sh_str_adds(&b, "");
                for (const char *q = arg ? arg : ""; *q;) {
                    if (*q == '\\') {
                        q++;
                        if (!escape(&q, &b, true)) {
                            stop = true;
                            break;
                        }
                    } else {
                        sh_str_addc(&b, *q++);
                    }
                }
                spec[k++] = 's', spec[k] = '\0';
                if (asprintf(&piece, spec, b.s) < 0)
                    piece = NULL;
                sh_str_free(&b);
                break;
            }
            default:
                sh_error("printf: %%%c: invalid conversion", conv ? conv : ' ');
                sh_str_free(&out);
                return 1;
            }
            if (piece) {
                sh_str_adds(&out, piece);
                free(piece);
            }
        }
        if (ai == used_before)
            break; /* the format takes no arguments: do not loop */
    } while (ai < argc && !stop);
    sh_out(out.s, out.len);
    sh_str_free(&out);
    return printf_error;
}

/* ---- test ---- */

struct tst {
    char **av;
    int ac, i;
    bool err;
};

static bool t_or(struct tst *t);

static long long t_num(struct tst *t, const char *s)
{
    char *end;
    while (isspace((unsigned char)*s))
        s++;
    long long v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (*end || end == s) {
        sh_error("test: %s: integer expected", s);
        t->err = true;
    }
    return v;
}

static bool unary(const char *op, const char *a)
{
    struct stat st;
    switch (op[1]) {
    case 'n': return *a != '\0';
    case 'z': return *a == '\0';
    case 'e': return stat(a, &st) == 0;
    case 'f': return stat(a, &st) == 0 && S_ISREG(st.st_mode);
    case 'd': return stat(a, &st) == 0 && S_ISDIR(st.st_mode);
    case 'c': return stat(a, &st) == 0 && S_ISCHR(st.st_mode);
    case 'b': return stat(a, &st) == 0 && S_ISBLK(st.st_mode);
    case 'p': return stat(a, &st) == 0 && S_ISFIFO(st.st_mode);
    case 'S': return stat(a, &st) == 0 && S_ISSOCK(st.st_mode);
    case 'h':
    case 'L': return lstat(a, &st) == 0 && S_ISLNK(st.st_mode);
    case 's': return stat(a, &st) == 0 && st.st_size > 0;
    case 'r': return access(a, R_OK) == 0;
    case 'w': return access(a, W_OK) == 0;
    case 'x': return access(a, X_OK) == 0;
    case 'u': return stat(a, &st) == 0 && (st.st_mode & S_ISUID);
    case 'g': return stat(a, &st) == 0 && (st.st_mode & S_ISGID);
    case 't': return isatty(atoi(a));
    }
    return false;
}

static bool is_unary(const char *s)
{
    return s[0] == '-' && s[1] && !s[2] && strchr("nzefdcbpShLsrwxugt", s[1]);
}

static bool is_binary(const char *s)
{
    static const char *const ops[] = { "=", "!=", "==", "-eq", "-ne", "-lt", "-le", "-gt", "-ge",
                                       "-nt", "-ot", "-ef", "<", ">" };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
        if (strcmp(s, ops[i]) == 0)
            return true;
    return false;
}

static bool binary(struct tst *t, const char *a, const char *op, const char *b)
{
    if (!strcmp(op, "=") || !strcmp(op, "=="))
        return strcmp(a, b) == 0;
    if (!strcmp(op, "!="))
        return strcmp(a, b) != 0;
    if (!strcmp(op, "<"))
        return strcmp(a, b) < 0;
    if (!strcmp(op, ">"))
        return strcmp(a, b) > 0;
    if (!strcmp(op, "-nt") || !strcmp(op, "-ot") || !strcmp(op, "-ef")) {
        struct stat sa, sb;
        bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
        if (op[1] == 'e')
            return ea && eb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
        if (op[1] == 'n')
            return ea && (!eb || sa.st_mtime > sb.st_mtime);
        return eb && (!ea || sa.st_mtime < sb.st_mtime);
    }
    long long x = t_num(t, a), y = t_num(t, b);
    if (!strcmp(op, "-eq")) return x == y;
    if (!strcmp(op, "-ne")) return x != y;
    if (!strcmp(op, "-lt")) return x < y;
    if (!strcmp(op, "-le")) return x <= y;
    if (!strcmp(op, "-gt")) return x > y;
    return x >= y;
}

static const char *t_peek(struct tst *t, int k)
{
    return t->i + k < t->ac ? t->av[t->i + k] : NULL;
}

static bool t_primary(struct tst *t)
{
    const char *a = t_peek(t, 0);
    if (!a) {
        sh_error("test: argument expected");
        t->err = true;
        return false;
    }
    if (strcmp(a, "!") == 0) {
        t->i++;
        return !t_primary(t);
    }
    if (strcmp(a, "(") == 0 && !(t_peek(t, 1) && t_peek(t, 2) && is_binary(t_peek(t, 1)) &&
                                 strcmp(t_peek(t, 2), ")") != 0)) {
        t->i++;
        bool v = t_or(t);
        if (!t_peek(t, 0) || strcmp(t_peek(t, 0), ")") != 0) {
            sh_error("test: missing ')'");
            t->err = true;
            return false;
        }
        t->i++;
        return v;
    }
    if (t_peek(t, 1) && is_binary(t_peek(t, 1)) && t_peek(t, 2)) {
        t->i += 3;
        return binary(t, a, t->av[t->i - 2], t->av[t->i - 1]);
    }
    if (is_unary(a) && t_peek(t, 1)) {
        t->i += 2;
        return unary(a, t->av[t->i - 1]);
    }
    t->i++;
    return *a != '\0';
}

static bool t_and(struct tst *t)
{
    bool v = t_primary(t);
    while (t_peek(t, 0) && strcmp(t_peek(t, 0), "-a") == 0) {
        t->i++;
        bool w = t_primary(t);
        v = v && w;
    }
    return v;
}

static bool t_or(struct tst *t)
{
    bool v = t_and(t);
    while (t_peek(t, 0) && strcmp(t_peek(t, 0), "-o") == 0) {
        t->i++;
        bool w = t_and(t);
        v = v || w;
    }
    return v;
}

int sh_builtin_test(int argc, char **argv)
{
    if (strcmp(argv[0], "[") == 0) {
        if (strcmp(argv[argc - 1], "]") != 0) {
            sh_error("[: missing ']'");
            return 2;
        }
        argc--;
    }
    struct tst t = { .av = argv + 1, .ac = argc - 1 };
    if (t.ac == 0)
        return 1;
    bool v;
    /* POSIX's rules by argument count, which settle "test ! = x" and the like. */
    if (t.ac == 1) {
        v = *t.av[0] != '\0';
    } else if (t.ac == 2 && strcmp(t.av[0], "!") == 0) {
        v = *t.av[1] == '\0';
    } else if (t.ac == 3 && is_binary(t.av[1])) {
        v = binary(&t, t.av[0], t.av[1], t.av[2]);
        t.i = 3;
    } else {
        v = t_or(&t);
    }
    if (!t.err && t.i < t.ac && t.ac != 1 && !(t.ac == 2 && strcmp(t.av[0], "!") == 0)) {
        sh_error("test: %s: unexpected argument", t.av[t.i]);
        return 2;
    }
    return t.err ? 2 : !v;
}
