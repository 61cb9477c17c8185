/*
 * editor_fixture.c - shared state and helpers of the editor suites.
 */
#include "editor_fixture.h"
#include <check.h>
#include <stdio.h>
#include <string.h>

struct shell_editor ed;
struct shell_history hist;
char outbuf[256 * 1024];
size_t outlen;
int writes;

const char *const *cands; /* what the completion callback offers */
char last_word[SHELL_LINE_MAX];
int complete_calls;

void sink(void *ctx, const char *buf, size_t n)
{
    REQUIRE(ctx == &outlen);
    REQUIRE(n > 0);
    REQUIRE(outlen + n <= sizeof(outbuf) - 1);
    memcpy(outbuf + outlen, buf, n);
    outlen += n;
    outbuf[outlen] = '\0';
    writes++;
}

size_t last_start;

void completer(void *ctx, const char *line, size_t ws, struct shell_completions *out)
{
    REQUIRE(ctx == &complete_calls);
    REQUIRE(strlen(out->word) == out->word_len);
    complete_calls++;
    last_start = ws;
    snprintf(last_word, sizeof(last_word), "%s", out->word);
    for (const char *const *c = cands; c && *c; c++)
        shell_completion_add(out, *c);
}

void clear_out(void)
{
    outlen = 0;
    outbuf[0] = '\0';
    writes = 0;
}

void init_cols(unsigned cols)
{
    struct shell_editor_config cfg = {
        .write = sink,
        .write_ctx = &outlen,
        .complete = completer,
        .complete_ctx = &complete_calls,
        .history = &hist,
        .cols = cols,
    };
    shell_history_init(&hist);
    shell_editor_init(&ed, &cfg);
    shell_editor_start(&ed, "$ ");
    ck_assert_str_eq(outbuf, "$ ");
    clear_out();
}

void setup(void)
{
    clear_out();
    cands = NULL;
    complete_calls = 0;
    init_cols(0);
}

/* Feed a string; return how many lines it completed (interrupts count as -100). */
int feed_n(const char *s, size_t n)
{
    int lines = 0;
    for (size_t i = 0; i < n; i++) {
        enum shell_editor_result r = shell_editor_feed(&ed, (uint8_t)s[i]);
        if (r == SHELL_EDITOR_LINE)
            lines++;
        else if (r == SHELL_EDITOR_INTERRUPT)
            lines -= 100;
    }
    return lines;
}

int feed(const char *s)
{
    return feed_n(s, strlen(s));
}

const char *line(void)
{
    return shell_editor_line(&ed, NULL);
}

void enter(const char *s)
{
    feed(s);
    ck_assert_int_eq(feed("\r"), 1);
}
