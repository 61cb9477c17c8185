/*
 * shell_fixture.c - the shell under test and its fakes, shared by the shell
 * suites (shell_fixture.h): a captured terminal, a scripted getc, a tiny
 * in-memory "file system" behind open_output, and a few test commands.
 */
#include "shell_fixture.h"
#include <k/errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct shell sh;
char term[64 * 1024];
size_t termlen;

struct fake_file files[4];
int opens, closes;

const char *script; /* what getc returns, then -1 */
int ctx_token;

void term_write(void *ctx, const char *buf, size_t n)
{
    REQUIRE(ctx == &termlen);
    REQUIRE(termlen + n <= sizeof(term) - 1);
    memcpy(term + termlen, buf, n);
    termlen += n;
    term[termlen] = '\0';
}

static int term_getc(void *ctx)
{
    if (!script || !*script)
        return -1;
    return (unsigned char)*script++;
}

void clear_term(void)
{
    termlen = 0;
    term[0] = '\0';
}

static int file_write(void *ctx, const char *buf, size_t n)
{
    struct fake_file *f = ctx;
    REQUIRE(f->open);
    if (f->fail_write)
        return f->fail_write;
    if (f->short_write && n > (size_t)f->short_write)
        n = (size_t)f->short_write;
    if (f->len + n > sizeof(f->data))
        return -EFBIG;
    memcpy(f->data + f->len, buf, n);
    f->len += n;
    return (int)n;
}

static int file_close(void *ctx)
{
    struct fake_file *f = ctx;
    REQUIRE(f->open);
    f->open = false;
    closes++;
    return f->fail_close;
}

static struct fake_file *find_file(const char *name)
{
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        if (strcmp(files[i].name, name) == 0)
            return &files[i];
    return NULL;
}

static int open_output(void *ctx, const char *path, bool append, struct shell_output *out)
{
    REQUIRE(ctx == &ctx_token);
    if (strcmp(path, "nowrite") == 0)
        return 0; /* forgets to fill in write */
    struct fake_file *f = find_file(path);
    if (!f) {
        if (strchr(path, '/'))
            return -ENOENT;
        f = find_file("");
        if (!f)
            return -ENOSPC;
        snprintf(f->name, sizeof(f->name), "%s", path);
    }
    if (!append)
        f->len = 0;
    f->open = true;
    opens++;
    out->write = file_write;
    out->close = file_close;
    out->ctx = f;
    return 0;
}

const char *contents(const char *name)
{
    static char buf[257];
    struct fake_file *f = find_file(name);
    if (!f)
        return NULL;
    memcpy(buf, f->data, f->len);
    buf[f->len] = '\0';
    return buf;
}

void prompt_cwd(void *ctx, char *buf, size_t size)
{
    REQUIRE(ctx == &ctx_token);
    snprintf(buf, size, "/home");
}

char path_word[SHELL_LINE_MAX];

static void complete_path(void *ctx, const char *word, struct shell_completions *out)
{
    REQUIRE(ctx == &ctx_token);
    snprintf(path_word, sizeof(path_word), "%s", word);
    shell_completion_add(out, "/usr/");
    shell_completion_add(out, "/usr2/");
    shell_completion_add(out, "file.txt");
}

/* ---- test commands ---- */

int last_argc;
char last_args[256];

int cmd_true(struct shell *s, int argc, char **argv)
{
    REQUIRE(s == &sh);
    REQUIRE(argv[argc] == NULL);
    last_argc = argc;
    last_args[0] = '\0';
    for (int i = 0; i < argc; i++) {
        strcat(last_args, i ? "|" : "");
        strcat(last_args, argv[i]);
    }
    return 0;
}

static int cmd_false(struct shell *s, int argc, char **argv)
{
    shell_eprintf(s, "false: failing\n");
    return 1;
}

static int cmd_noent(struct shell *s, int argc, char **argv)
{
    return -ENOENT;
}

static int cmd_print(struct shell *s, int argc, char **argv)
{
    int n = shell_printf(s, "%s=%d\n", argc > 1 ? argv[1] : "x", argc);
    REQUIRE(n == (int)strlen(argc > 1 ? argv[1] : "x") + 3);
    return 0;
}

static int vprint(struct shell *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = shell_vprintf(s, fmt, ap);
    va_end(ap);
    return n;
}

static int cmd_vprint(struct shell *s, int argc, char **argv)
{
    return vprint(s, "[%s|%5d|%x]\n", argv[0], argc, 255) == 18 ? 0 : 1;
}

static int cmd_quit(struct shell *s, int argc, char **argv)
{
    shell_stop(s);
    return 0;
}

static int cmd_nested(struct shell *s, int argc, char **argv)
{
    return shell_execute(s, "echo inner");
}

static int cmd_usage(struct shell *s, int argc, char **argv)
{
    return shell_usage(s, argv[0]);
}

const struct shell_cmd test_cmds[] = {
    { "true", cmd_true, "do nothing, successfully", "true [ARG]...\nSucceed.\n" },
    { "false", cmd_false, "fail", NULL },
    { "noent", cmd_noent, "fail with ENOENT", "noent" },
    { "print", cmd_print, "print a word", "print WORD" },
    { "vprint", cmd_vprint, "print through shell_vprintf", NULL },
    { "quit", cmd_quit, "stop the shell", NULL },
    { "nested", cmd_nested, "run a line from a command", NULL },
    { "usage", cmd_usage, "complain about usage", NULL },
};

struct shell_io_ops io = { .write = term_write, .getc = term_getc };

void make_shell(const struct shell_config *cfg)
{
    ck_assert_int_eq(shell_init(&sh, cfg), 0);
    ck_assert_int_eq(shell_register(&sh, test_cmds, sizeof(test_cmds) / sizeof(test_cmds[0])), 0);
    shell_start(&sh);
    clear_term();
}

void core_setup(void)
{
    memset(files, 0, sizeof(files));
    snprintf(files[0].name, sizeof(files[0].name), "full");
    files[0].fail_write = -ENOSPC;
    snprintf(files[1].name, sizeof(files[1].name), "badclose");
    files[1].fail_close = -EIO;
    opens = closes = 0;
    script = NULL;
    clear_term();
    struct shell_config cfg = {
        .io = &io,
        .io_ctx = &termlen,
        .ctx = &ctx_token,
        .open_output = open_output,
        .complete_path = complete_path,
    };
    make_shell(&cfg);
}

void core_teardown(void)
{
    ck_assert_int_eq(opens, closes); /* every redirection was closed */
}

void type(const char *s)
{
    while (*s)
        shell_input_byte(&sh, (uint8_t)*s++);
}
