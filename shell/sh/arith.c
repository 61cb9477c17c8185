/*
 * arith.c - arithmetic expansion, $((...)) (XCU 2.6.4), on signed longs.
 *
 * Interface: sh_arith(). Layer: above vars.c (names in the expression are
 * variables, read and assigned). The text arrives already expanded; this is a
 * precedence-climbing parser that evaluates as it parses, with `skip` set in
 * the branch that && || ?: do not take (no assignment happens there, no
 * division by zero is reported).
 *
 * Operators, loosest first: = *= /= %= += -= <<= >>= &= ^= |=, ?:, ||, &&, |,
 * ^, &, == !=, < <= > >=, << >>, + -, * / %, unary + - ! ~, ( ).
 */
#include "sh.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ar {
    const char *s;
    bool err;
    int skip;
};

static long expr(struct ar *a, int min);

static void ws(struct ar *a)
{
    while (isspace((unsigned char)*a->s))
        a->s++;
}

static void fail(struct ar *a, const char *msg)
{
    if (!a->err)
        sh_error("arithmetic: %s", msg);
    a->err = true;
}

static long var_value(struct ar *a, const char *name)
{
    const char *v = sh_getvar(name);
    if (!v || !*v) {
        if (!v && sh.opt_u) {
            sh_error("%s: parameter not set", name);
            a->err = true;
        }
        return 0;
    }
    char *end;
    long n = strtol(v, &end, 0);
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        fail(a, "a variable is not a number");
    return n;
}

static long primary(struct ar *a)
{
    ws(a);
    char c = *a->s;
    if (c == '(') {
        a->s++;
        long v = expr(a, 0);
        ws(a);
        if (*a->s != ')')
            fail(a, "missing ')'");
        else
            a->s++;
        return v;
    }
    if (c == '-' || c == '+' || c == '!' || c == '~') {
        a->s++;
        long v = primary(a);
        return c == '-' ? (long)(0UL - (unsigned long)v) : c == '+' ? v : c == '!' ? !v : ~v;
    }
    if (isdigit((unsigned char)c)) {
        char *end;
        long v = strtol(a->s, &end, 0);
        if (isalnum((unsigned char)*end) || *end == '_')
            fail(a, "bad number");
        a->s = end;
        return v;
    }
    if (isalpha((unsigned char)c) || c == '_') {
        const char *start = a->s;
        while (isalnum((unsigned char)*a->s) || *a->s == '_')
            a->s++;
        char name[256];
        size_t n = (size_t)(a->s - start);
        if (n >= sizeof(name)) {
            fail(a, "name too long");
            return 0;
        }
        memcpy(name, start, n);
        name[n] = '\0';
        ws(a);
        /* assignment operators */
        static const char *const ops[] = { "=", "*=", "/=", "%=", "+=", "-=", "<<=", ">>=",
                                           "&=", "^=", "|=" };
        for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
            size_t k = strlen(ops[i]);
            if (strncmp(a->s, ops[i], k) == 0 && !(k == 1 && a->s[1] == '=')) {
                a->s += k;
                long rhs = expr(a, 0);
                long old = i ? var_value(a, name) : 0;
                long v = rhs;
                switch (ops[i][0]) {
                case '*': v = (long)((unsigned long)old * (unsigned long)rhs); break;
                case '/':
                case '%':
                    if (rhs == 0) {
                        if (!a->skip)
                            fail(a, "division by zero");
                        return 0;
                    }
                    v = ops[i][0] == '/' ? (old == -__LONG_MAX__ - 1 && rhs == -1 ? old : old / rhs)
                                         : (rhs == -1 ? 0 : old % rhs);
                    break;
                case '+': v = (long)((unsigned long)old + (unsigned long)rhs); break;
                case '-': v = (long)((unsigned long)old - (unsigned long)rhs); break;
                case '<': v = (long)((unsigned long)old << (rhs & 63)); break;
                case '>': v = old >> (rhs & 63); break;
                case '&': v = old & rhs; break;
                case '^': v = old ^ rhs; break;
                case '|': v = old | rhs; break;
                }
                if (!a->skip && !a->err) {
                    char buf[32];
                    snprintf(buf, sizeof(buf), "%ld", v);
                    if (sh_setvar(name, buf, 0) < 0)
                        a->err = true;
                }
                return v;
            }
        }
        return var_value(a, name);
    }
    fail(a, *a->s ? "syntax error" : "missing operand");
    return 0;
}

struct binop {
    const char *op;
    int prec;
};

/* Longest operators first so "<<" is not read as "<". */
static const struct binop binops[] = {
    { "||", 1 }, { "&&", 2 }, { "==", 6 }, { "!=", 6 }, { "<=", 7 }, { ">=", 7 }, { "<<", 8 },
    { ">>", 8 }, { "|", 3 },  { "^", 4 },  { "&", 5 },  { "<", 7 },  { ">", 7 },  { "+", 9 },
    { "-", 9 },  { "*", 10 }, { "/", 10 }, { "%", 10 },
};

static const struct binop *peek_op(struct ar *a)
{
    ws(a);
    for (size_t i = 0; i < sizeof(binops) / sizeof(binops[0]); i++) {
        size_t k = strlen(binops[i].op);
        if (strncmp(a->s, binops[i].op, k) == 0) {
            if (a->s[k] == '=' && k == 1 && binops[i].op[0] != '<' && binops[i].op[0] != '>')
                return NULL; /* an assignment operator, not ours */
            return &binops[i];
        }
    }
    return NULL;
}

static long apply(struct ar *a, const char *op, long l, long r)
{
    unsigned long ul = (unsigned long)l, ur = (unsigned long)r;
    switch (op[0]) {
    case '|': return op[1] ? (l || r) : (l | r);
    case '&': return op[1] ? (l && r) : (l & r);
    case '^': return l ^ r;
    case '=': return l == r;
    case '!': return l != r;
    case '<': return op[1] == '<' ? (long)(ul << (r & 63)) : op[1] ? l <= r : l < r;
    case '>': return op[1] == '>' ? l >> (r & 63) : op[1] ? l >= r : l > r;
    case '+': return (long)(ul + ur);
    case '-': return (long)(ul - ur);
    case '*': return (long)(ul * ur);
    default:
        if (r == 0) {
            if (!a->skip)
                fail(a, "division by zero");
            return 0;
        }
        if (r == -1)
            return op[0] == '/' ? (long)(0UL - ul) : 0;
        return op[0] == '/' ? l / r : l % r;
    }
}

static long expr(struct ar *a, int min)
{
    long l = primary(a);
    for (;;) {
        if (a->err)
            return 0;
        ws(a);
        if (*a->s == '?' && min <= 0) {
            a->s++;
            a->skip += !l;
            long t = expr(a, 0);
            a->skip -= !l;
            ws(a);
            if (*a->s != ':') {
                fail(a, "missing ':'");
                return 0;
            }
            a->s++;
            a->skip += !!l;
            long f = expr(a, 0);
            a->skip -= !!l;
            l = l ? t : f;
            continue;
        }
        const struct binop *b = peek_op(a);
        if (!b || b->prec < min || (min == 0 && b->prec < 1))
            return l;
        a->s += strlen(b->op);
        bool shortcut = (b->prec == 1 && l) || (b->prec == 2 && !l);
        a->skip += shortcut;
        long r = expr(a, b->prec + 1);
        a->skip -= shortcut;
        l = apply(a, b->op, l, r);
    }
}

int sh_arith(const char *text, long *result)
{
    struct ar a = { .s = text };
    ws(&a);
    if (!*a.s) {
        *result = 0;
        return 0;
    }
    long v = expr(&a, 0);
    ws(&a);
    if (!a.err && *a.s)
        fail(&a, "syntax error");
    if (a.err)
        return -1;
    *result = v;
    return 0;
}
