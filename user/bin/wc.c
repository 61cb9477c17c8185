/*
 * wc.c - count lines, words and bytes (POSIX wc).
 *
 *   wc [-c|-m] [-l] [-w] [FILE...]
 * Counts in the order lines, words, bytes (-m counts bytes too: the C locale
 * has one byte per character); a "total" line follows when there are several
 * files. Columns are as wide as GNU wc makes them: the number of digits of
 * the regular files' total size (7 if any input is not a regular file), or
 * unpadded for a single count of a single input.
 */
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

struct counts {
    unsigned long long lines, words, bytes;
};

/* One input being counted: a word may span two chunks. */
struct count_ctx {
    struct counts *c;
    int in_word;
};

static int count_chunk(void *ctx, const char *buf, size_t n)
{
    struct count_ctx *cc = ctx;
    struct counts *c = cc->c;
    c->bytes += (unsigned long long)n;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch == '\n')
            c->lines++;
        if (isspace(ch)) {
            cc->in_word = 0;
        } else if (!cc->in_word) {
            cc->in_word = 1;
            c->words++;
        }
    }
    return UTIL_OK;
}

static int count_fd(int fd, const char *name, struct counts *c)
{
    struct count_ctx cc = { c, 0 };
    return util_each_chunk(fd, name, count_chunk, &cc);
}

static int show_lines, show_words, show_bytes, width;

static void print_counts(const struct counts *c, const char *name)
{
    const char *sep = "";
    if (show_lines) {
        printf("%*llu", width, c->lines);
        sep = " ";
    }
    if (show_words) {
        printf("%s%*llu", sep, width, c->words);
        sep = " ";
    }
    if (show_bytes)
        printf("%s%*llu", sep, width, c->bytes);
    if (name)
        printf(" %s", name);
    putchar('\n');
}

int main(int argc, char **argv)
{
    util_init("wc");
    int c;
    while ((c = util_getopt(argc, argv, "clmw", "[-c|-m] [-l] [-w] [FILE...]")) != -1) {
        if (c == 'l')
            show_lines = 1;
        else if (c == 'w')
            show_words = 1;
        else
            show_bytes = 1;
    }
    if (!show_lines && !show_words && !show_bytes)
        show_lines = show_words = show_bytes = 1;
    int nfiles = argc - optind;
    char *stdin_name[] = { "-", NULL };
    char **files = nfiles ? argv + optind : stdin_name;
    int n = nfiles ? nfiles : 1;
    int *fds = calloc((size_t)n, sizeof(*fds));
    if (!fds)
        return util_err(NULL);

    /* Open everything first: the column width depends on every input's size. */
    unsigned long long regular_total = 0;
    int min_width = 1, status = UTIL_OK;
    for (int i = 0; i < n; i++) {
        struct stat st;
        fds[i] = util_open_input(files[i]);
        if (fds[i] < 0) {
            status = util_err(files[i]);
            continue;
        }
        if (fstat(fds[i], &st) == 0 && S_ISREG(st.st_mode))
            regular_total += (unsigned long long)st.st_size;
        else
            min_width = 7;
    }
    width = 1;
    for (; regular_total >= 10; regular_total /= 10)
        width++;
    if (width < min_width)
        width = min_width;
    if (n == 1 && show_lines + show_words + show_bytes == 1)
        width = 1;

    struct counts total = { 0, 0, 0 };
    for (int i = 0; i < n; i++) {
        if (fds[i] < 0)
            continue;
        struct counts one = { 0, 0, 0 };
        status |= count_fd(fds[i], files[i], &one);
        if (fds[i] != STDIN_FILENO)
            close(fds[i]);
        print_counts(&one, nfiles ? files[i] : NULL);
        total.lines += one.lines;
        total.words += one.words;
        total.bytes += one.bytes;
    }
    if (nfiles > 1)
        print_counts(&total, "total");
    free(fds);
    return util_finish(status);
}
