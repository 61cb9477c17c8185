/*
 * shell_fixture.h - the shell under test, its fakes and the helpers the shell
 * suites share (shell_fixture.c).
 */
#ifndef TESTS_UNIT_SHELL_SHELL_FIXTURE_H
#define TESTS_UNIT_SHELL_SHELL_FIXTURE_H

#include "suites.h"
#include <shell/shell.h>
#include <stddef.h>

/* A tiny in-memory "file system" for redirection. */
struct fake_file {
    char name[32];
    char data[256];
    size_t len;
    int fail_write; /* error returned by write, 0 for none */
    int fail_close;
    int short_write; /* write at most this many bytes per call, 0 for no limit */
    bool open;
};

extern struct shell sh;
extern char term[64 * 1024]; /* everything the shell sent to the terminal */
extern size_t termlen;
extern struct fake_file files[4];
extern int opens, closes;              /* redirections opened and closed */
extern const char *script;             /* what getc returns, then -1 */
extern int ctx_token;                  /* the shell's context pointer in core_setup() */
extern char path_word[SHELL_LINE_MAX]; /* the last word given to the path hook */
extern int last_argc;                  /* what `true` was called with */
extern char last_args[256];
extern const struct shell_cmd test_cmds[];
extern struct shell_io_ops io;

void term_write(void *ctx, const char *buf, size_t n);
void clear_term(void);
/* A fake file's contents, NUL-terminated (NULL if there is no such file). */
const char *contents(const char *name);
void prompt_cwd(void *ctx, char *buf, size_t size);
int cmd_true(struct shell *s, int argc, char **argv);
/* shell_init() with @cfg, register test_cmds, start, clear the terminal. */
void make_shell(const struct shell_config *cfg);
void core_setup(void);
void core_teardown(void); /* checks that every redirection was closed */
/* Feed a string to the shell byte by byte. */
void type(const char *s);

#endif
