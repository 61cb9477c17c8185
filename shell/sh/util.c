/*
 * util.c - the lowest layer of /bin/sh: allocation, growable strings and
 * vectors, error messages and the buffered output of the built-ins.
 *
 * Allocation failure ends the shell with a message: there is nothing sensible
 * a shell can do half-way through building a word without memory.
 */
#include "sh.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *sh_alloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        static const char msg[] = "sh: out of memory\n";
        sh_write_all(2, msg, sizeof(msg) - 1);
        _exit(2);
    }
    return p;
}

void *sh_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        static const char msg[] = "sh: out of memory\n";
        sh_write_all(2, msg, sizeof(msg) - 1);
        _exit(2);
    }
    return q;
}

char *sh_strndup(const char *s, size_t n)
{
    char *d = sh_alloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *sh_strdup(const char *s)
{
    return sh_strndup(s, strlen(s));
}

static void str_reserve(struct sh_str *b, size_t more)
{
    if (b->len + more + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32;
        while (cap < b->len + more + 1)
            cap *= 2;
        b->s = sh_realloc(b->s, cap);
        b->cap = cap;
    }
}

void sh_str_addn(struct sh_str *b, const char *s, size_t n)
{
    str_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sh_str_addc(struct sh_str *b, char c)
{
    sh_str_addn(b, &c, 1);
}

void sh_str_adds(struct sh_str *b, const char *s)
{
    sh_str_addn(b, s, strlen(s));
}

void sh_str_free(struct sh_str *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

void sh_vec_push(struct sh_vec *v, char *s)
{
    if (v->n + 2 > v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->v = sh_realloc(v->v, v->cap * sizeof(char *));
    }
    v->v[v->n++] = s;
    v->v[v->n] = NULL;
}

void sh_vec_free(struct sh_vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->v[i]);
    free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}

int sh_write_all(int fd, const char *buf, size_t n)
{
    while (n) {
        ssize_t k = write(fd, buf, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += k;
        n -= (size_t)k;
    }
    return 0;
}

void sh_error(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    int k = snprintf(buf, sizeof(buf), "sh: ");
    va_start(ap, fmt);
    int m = vsnprintf(buf + k, sizeof(buf) - (size_t)k - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)k + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(buf) - 2)
        len = sizeof(buf) - 2;
    buf[len++] = '\n';
    sh_out_flush();
    sh_write_all(2, buf, len);
}

static struct sh_str outbuf;

void sh_out(const char *s, size_t n)
{
    sh_str_addn(&outbuf, s, n);
    if (outbuf.len >= 4096)
        sh_out_flush();
}

void sh_outs(const char *s)
{
    sh_out(s, strlen(s));
}

void sh_outf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n > 0)
        sh_out(s, (size_t)n);
    free(s);
}

void sh_out_flush(void)
{
    if (outbuf.len) {
        sh_write_all(1, outbuf.s, outbuf.len);
        outbuf.len = 0;
    }
    if (outbuf.cap > 65536)
        sh_str_free(&outbuf);
}

bool sh_is_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return false;
    return true;
}
