/*
 * sort.c - sort lines of text (POSIX sort, the whole line as the key).
 *
 *   sort [-n] [-r] [-u] [-o OUTPUT] [FILE...]
 * Lines compare byte by byte (the C locale), or with -n by the number at
 * their start (blanks, an optional '-', digits, an optional fraction; no
 * number counts as 0), equal numbers then by their bytes as a last resort.
 * -r reverses the order; -u keeps only the first line of each run that
 * compares equal (for -n: equal numbers). The sort is a stable merge sort.
 * All input is read into memory first, so -o may name an input file.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line {
    char *s;
    size_t len; /* without the '\n' */
};

static int numeric, reverse, unique;

static int cmp_bytes(const struct line *a, const struct line *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int r = memcmp(a->s, b->s, n);
    if (r)
        return r;
    return (a->len > b->len) - (a->len < b->len);
}

/* The number at the start of a line: sign, integer digits without leading
 * zeros, fraction digits without trailing zeros. */
struct num {
    int neg;
    const char *ip, *fp;
    size_t il, fl;
};

static void parse_num(const struct line *l, struct num *n)
{
    const char *p = l->s, *end = l->s + l->len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    n->neg = p < end && *p == '-';
    if (n->neg)
        p++;
    while (p < end && *p == '0')
        p++;
    n->ip = p;
    while (p < end && isdigit((unsigned char)*p))
        p++;
    n->il = (size_t)(p - n->ip);
    n->fp = p;
    n->fl = 0;
    if (p < end && *p == '.') {
        n->fp = ++p;
        while (p < end && isdigit((unsigned char)*p))
            p++;
        n->fl = (size_t)(p - n->fp);
        while (n->fl > 0 && n->fp[n->fl - 1] == '0')
            n->fl--;
    }
    if (n->il == 0 && n->fl == 0)
        n->neg = 0; /* -0, 0 and no number at all are the same */
}

static int cmp_num(const struct line *a, const struct line *b)
{
    struct num x, y;
    parse_num(a, &x);
    parse_num(b, &y);
    if (x.neg != y.neg)
        return x.neg ? -1 : 1;
    int r;
    if (x.il != y.il) {
        r = x.il < y.il ? -1 : 1;
    } else if ((r = memcmp(x.ip, y.ip, x.il)) == 0) {
        size_t n = x.fl < y.fl ? x.fl : y.fl;
        r = memcmp(x.fp, y.fp, n);
        if (r == 0)
            r = (x.fl > y.fl) - (x.fl < y.fl);
    }
    return x.neg ? -r : r;
}

/* The key comparison, which -u uses to tell lines apart. */
static int cmp_key(const struct line *a, const struct line *b)
{
    return numeric ? cmp_num(a, b) : cmp_bytes(a, b);
}

static int cmp_full(const struct line *a, const struct line *b)
{
    int r = cmp_key(a, b);
    if (r == 0 && numeric && !unique)
        r = cmp_bytes(a, b);
    return reverse ? -r : r;
}

static void merge_sort(struct line *v, struct line *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(v, tmp, h);
    merge_sort(v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_full(&v[j], &v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

static struct line *lines;
static size_t nlines, cap;

static int read_lines(const char *name)
{
    FILE *f = strcmp(name, "-") ? fopen(name, "r") : stdin;
    if (!f)
        return util_err(name);
    char *buf = NULL;
    size_t bcap = 0;
    ssize_t len;
    int status = UTIL_OK;
    while ((len = getline(&buf, &bcap, f)) >= 0) {
        if (nlines == cap) {
            cap = cap ? cap * 2 : 1024;
            struct line *g = realloc(lines, cap * sizeof(*lines));
            if (!g) {
                status = util_err(name);
                break;
            }
            lines = g;
        }
        if (len > 0 && buf[len - 1] == '\n')
            len--;
        lines[nlines].s = buf;
        lines[nlines].len = (size_t)len;
        nlines++;
        buf = NULL; /* the line keeps getline's buffer */
        bcap = 0;
    }
    if (ferror(f))
        status = util_err(name);
    free(buf);
    if (f != stdin)
        fclose(f);
    return status;
}

int main(int argc, char **argv)
{
    util_init("sort");
    const char *usage = "[-n] [-r] [-u] [-o OUTPUT] [FILE...]";
    const char *output = NULL;
    int c;
    while ((c = util_getopt(argc, argv, "nruo:", usage)) != -1) {
        if (c == 'n')
            numeric = 1;
        else if (c == 'r')
            reverse = 1;
        else if (c == 'u')
            unique = 1;
        else
            output = optarg;
    }
    int status = UTIL_OK;
    if (optind == argc)
        status = read_lines("-");
    for (int i = optind; i < argc; i++)
        status |= read_lines(argv[i]);
    if (status != UTIL_OK)
        return 2; /* as GNU sort: an unreadable input is an error, not a partial sort */
    struct line *tmp = malloc((nlines ? nlines : 1) * sizeof(*tmp));
    if (!tmp)
        return util_err(NULL);
    merge_sort(lines, tmp, nlines);
    free(tmp);
    if (output && !freopen(output, "w", stdout))
        return util_err(output);
    for (size_t i = 0; i < nlines; i++) {
        if (unique && i > 0 && cmp_key(&lines[i - 1], &lines[i]) == 0)
            continue;
        fwrite(lines[i].s, 1, lines[i].len, stdout);
        putchar('\n');
    }
    return util_finish(UTIL_OK);
}
