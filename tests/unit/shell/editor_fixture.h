/*
 * editor_fixture.h - the line editor under test, its captured output and the
 * helpers the editor suites share (editor_fixture.c).
 */
#ifndef TESTS_UNIT_SHELL_EDITOR_FIXTURE_H
#define TESTS_UNIT_SHELL_EDITOR_FIXTURE_H

#include "suites.h"
#include <shell/editor.h>
#include <stddef.h>

extern struct shell_editor ed;
extern struct shell_history hist;
extern char outbuf[256 * 1024]; /* everything the editor sent to the terminal */
extern size_t outlen;
extern int writes;
extern const char *const *cands; /* what the completion callback offers */
extern char last_word[SHELL_LINE_MAX];
extern int complete_calls;
extern size_t last_start;

void sink(void *ctx, const char *buf, size_t n);
void completer(void *ctx, const char *line, size_t ws, struct shell_completions *out);
void clear_out(void);
void init_cols(unsigned cols);
void setup(void);
/* Feed a string; return how many lines it completed (interrupts count as -100). */
int feed_n(const char *s, size_t n);
int feed(const char *s);
const char *line(void);
void enter(const char *s);

#endif
