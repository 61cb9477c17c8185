/*
 * test_shell.c - the shell core: prompt, dispatch, status, built-ins, output
 * redirection through a fake open_output, completion and the run loop.
 */
#include "suites.h"
#include <k/errno.h>
#include <shell/shell.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct shell sh;
static char term[64 * 1024];
static size_t termlen;

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
static struct fake_file files[4];
static int opens, closes;

static const char *script; /* what getc returns, then -1 */
static int ctx_token;

static void term_write(void *ctx, const char *buf, size_t n)
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

static void clear_term(void)
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

static const char *contents(const char *name)
{
    static char buf[257];
    struct fake_file *f = find_file(name);
    if (!f)
        return NULL;
    memcpy(buf, f->data, f->len);
    buf[f->len] = '\0';
    return buf;
}

static void prompt_cwd(void *ctx, char *buf, size_t size)
{
    REQUIRE(ctx == &ctx_token);
    snprintf(buf, size, "/home");
}

static char path_word[SHELL_LINE_MAX];

static void complete_path(void *ctx, const char *word, struct shell_completions *out)
{
    REQUIRE(ctx == &ctx_token);
    snprintf(path_word, sizeof(path_word), "%s", word);
    shell_completion_add(out, "/usr/");
    shell_completion_add(out, "/usr2/");
    shell_completion_add(out, "file.txt");
}

/* ---- test commands ---- */

static int last_argc;
static char last_args[256];

static int cmd_true(struct shell *s, int argc, char **argv)
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

static const struct shell_cmd test_cmds[] = {
    { "true", cmd_true, "do nothing, successfully", "true [ARG]...\nSucceed.\n" },
    { "false", cmd_false, "fail", NULL },
    { "noent", cmd_noent, "fail with ENOENT", "noent" },
    { "print", cmd_print, "print a word", "print WORD" },
    { "vprint", cmd_vprint, "print through shell_vprintf", NULL },
    { "quit", cmd_quit, "stop the shell", NULL },
    { "nested", cmd_nested, "run a line from a command", NULL },
    { "usage", cmd_usage, "complain about usage", NULL },
};

static struct shell_io_ops io = { .write = term_write, .getc = term_getc };

static void make_shell(const struct shell_config *cfg)
{
    ck_assert_int_eq(shell_init(&sh, cfg), 0);
    ck_assert_int_eq(shell_register(&sh, test_cmds, sizeof(test_cmds) / sizeof(test_cmds[0])), 0);
    shell_start(&sh);
    clear_term();
}

static void setup(void)
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

static void teardown(void)
{
    ck_assert_int_eq(opens, closes); /* every redirection was closed */
}

static void type(const char *s)
{
    while (*s)
        shell_input_byte(&sh, (uint8_t)*s++);
}

/* ---- tests ---- */

START_TEST(test_init_rejects_bad_config)
{
    struct shell_config cfg = { 0 };
    ck_assert_int_eq(shell_init(&sh, &cfg), -EINVAL);
    struct shell_io_ops no_write = { 0 };
    cfg.io = &no_write;
    ck_assert_int_eq(shell_init(&sh, &cfg), -EINVAL);
    ck_assert_int_eq(shell_init(&sh, NULL), -EINVAL);
    setup(); /* leave a valid shell for the teardown */
}
END_TEST

START_TEST(test_default_prompt)
{
    struct shell_config cfg = { .io = &io, .io_ctx = &termlen };
    ck_assert_int_eq(shell_init(&sh, &cfg), 0);
    clear_term();
    shell_start(&sh);
    ck_assert_str_eq(term, "$ ");
}
END_TEST

START_TEST(test_prompt_callback_gets_dollar)
{
    struct shell_config cfg = {
        .io = &io, .io_ctx = &termlen, .ctx = &ctx_token, .prompt = prompt_cwd
    };
    ck_assert_int_eq(shell_init(&sh, &cfg), 0);
    clear_term();
    shell_start(&sh);
    ck_assert_str_eq(term, "/home$ ");
}
END_TEST

static void prompt_with_dollar(void *ctx, char *buf, size_t size)
{
    snprintf(buf, size, "root:/\x01$ ");
}

static void prompt_too_long(void *ctx, char *buf, size_t size)
{
    memset(buf, 'p', size); /* and no NUL: the core must cope */
}

START_TEST(test_prompt_sanitised)
{
    struct shell_config cfg = { .io = &io, .io_ctx = &termlen, .prompt = prompt_with_dollar };
    ck_assert_int_eq(shell_init(&sh, &cfg), 0);
    clear_term();
    shell_start(&sh);
    ck_assert_str_eq(term, "root:/?$ ");
    cfg.prompt = prompt_too_long;
    cfg.cols = 1000;
    ck_assert_int_eq(shell_init(&sh, &cfg), 0);
    clear_term();
    shell_start(&sh);
    ck_assert_uint_eq(termlen, SHELL_PROMPT_MAX - 1);
    ck_assert_str_eq(term + termlen - 3, "p$ ");
}
END_TEST

START_TEST(test_typed_line_runs)
{
    type("echo hi there\r\n");
    ck_assert_str_eq(term, "echo hi there\r\nhi there\n$ ");
    ck_assert_int_eq(shell_status(&sh), 0);
    clear_term();
    type("true 'a b' c\n");
    ck_assert_int_eq(last_argc, 3);
    ck_assert_str_eq(last_args, "true|a b|c");
    ck_assert_str_eq(term, "true 'a b' c\r\n$ ");
}
END_TEST

START_TEST(test_unknown_command)
{
    ck_assert_int_eq(shell_execute(&sh, "nosuch arg"), SHELL_STATUS_NOT_FOUND);
    ck_assert_str_eq(term, "nosuch: command not found (try 'help')\n");
    ck_assert_int_eq(shell_status(&sh), 127);
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "echo still here"), 0);
    ck_assert_str_eq(term, "still here\n");
}
END_TEST

static char ran[64];

static int run_program(void *ctx, int argc, char **argv)
{
    ck_assert_ptr_eq(ctx, &ctx_token);
    snprintf(ran, sizeof(ran), "%s:%d", argv[0], argc);
    return 42;
}

START_TEST(test_program_paths_go_to_the_embedder)
{
    struct shell_config cfg = {
        .io = &io, .io_ctx = &termlen, .ctx = &ctx_token, .run_program = run_program
    };
    make_shell(&cfg);
    ran[0] = '\0';
    ck_assert_int_eq(shell_execute(&sh, "./prog a b"), 42);
    ck_assert_str_eq(ran, "./prog:3");
    ck_assert_int_eq(shell_status(&sh), 42);
    ran[0] = '\0';
    /* a name without '/' is still looked up among the commands only */
    ck_assert_int_eq(shell_execute(&sh, "prog"), SHELL_STATUS_NOT_FOUND);
    ck_assert_str_eq(ran, "");
    ck_assert_int_eq(shell_execute(&sh, "true /x"), 0); /* built-ins win */
    ck_assert_str_eq(ran, "");
}
END_TEST

START_TEST(test_status)
{
    ck_assert_int_eq(shell_execute(&sh, "false"), 1);
    ck_assert_str_eq(term, "false: failing\n");
    ck_assert_int_eq(shell_status(&sh), 1);
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "noent"), 1);
    ck_assert_str_eq(term, "noent: No such file or directory\n");
    ck_assert_int_eq(shell_execute(&sh, "true"), 0);
    ck_assert_int_eq(shell_execute(&sh, "false; true"), 0); /* the last command's */
    ck_assert_int_eq(shell_execute(&sh, "true; false"), 1);
    ck_assert_int_eq(shell_execute(&sh, ""), 1); /* a blank line keeps the status */
    ck_assert_int_eq(shell_execute(&sh, "usage"), 2);
}
END_TEST

START_TEST(test_syntax_error)
{
    ck_assert_int_eq(shell_execute(&sh, "echo 'oops"), SHELL_STATUS_SYNTAX);
    ck_assert_str_eq(term, "sh: unterminated single quote\n");
    clear_term();
    type("echo >\r");
    ck_assert_str_eq(term, "echo >\r\nsh: redirection without a target\n$ ");
    ck_assert_int_eq(shell_status(&sh), 2);
}
END_TEST

START_TEST(test_redraw)
{
    type("echo ab\x1b[D");
    clear_term();
    shell_redraw(&sh);
    ck_assert_str_eq(term, "\r\n\r$ echo ab\x1b[K\x1b[1D");
}
END_TEST

START_TEST(test_ctrl_c_status)
{
    type("echo x\x03");
    ck_assert_str_eq(term, "echo x^C\r\n$ ");
    ck_assert_int_eq(shell_status(&sh), SHELL_STATUS_INTERRUPT);
}
END_TEST

START_TEST(test_help_lists_sorted)
{
    ck_assert_int_eq(shell_execute(&sh, "help"), 0);
    ck_assert_str_eq(term, "Commands ('help CMD' for details):\n"
                           "  clear    clear the screen\n"
                           "  echo     print arguments\n"
                           "  false    fail\n"
                           "  help     list commands, or show how to use one\n"
                           "  history  show the lines entered\n"
                           "  nested   run a line from a command\n"
                           "  noent    fail with ENOENT\n"
                           "  print    print a word\n"
                           "  quit     stop the shell\n"
                           "  true     do nothing, successfully\n"
                           "  usage    complain about usage\n"
                           "  vprint   print through shell_vprintf\n");
}
END_TEST

START_TEST(test_help_command)
{
    ck_assert_int_eq(shell_execute(&sh, "help echo"), 0);
    ck_assert_str_eq(term, "echo - print arguments\n"
                           "usage: echo [-n] [WORD]...\n"
                           "Print the WORDs separated by spaces, then a newline.\n"
                           "  -n  do not print the newline\n");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "help noent"), 0); /* usage without a newline */
    ck_assert_str_eq(term, "noent - fail with ENOENT\nusage: noent\n");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "help false"), 0); /* no usage text */
    ck_assert_str_eq(term, "false - fail\n");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "help nosuch"), 1);
    ck_assert_str_eq(term, "help: nosuch: no such command (try 'help')\n");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "help a b"), 2);
    ck_assert_str_eq(term, "usage: help [COMMAND]\n");
}
END_TEST

START_TEST(test_usage_helper)
{
    ck_assert_int_eq(shell_execute(&sh, "usage"), 2);
    ck_assert_str_eq(term, "usage: usage ...\n");
    clear_term();
    ck_assert_int_eq(shell_usage(&sh, "print"), 2);
    ck_assert_str_eq(term, "usage: print WORD\n");
    clear_term();
    ck_assert_int_eq(shell_usage(&sh, "true"), 2);
    ck_assert_str_eq(term, "usage: true [ARG]...\n");
}
END_TEST

START_TEST(test_vprintf)
{
    ck_assert_int_eq(shell_execute(&sh, "vprint"), 0);
    ck_assert_str_eq(term, "[vprint|    1|ff]\n");
    ck_assert_int_eq(shell_execute(&sh, "vprint >f"), 0);
    ck_assert_str_eq(contents("f"), "[vprint|    1|ff]\n");
}
END_TEST

START_TEST(test_echo)
{
    shell_execute(&sh, "echo");
    ck_assert_str_eq(term, "\n");
    clear_term();
    shell_execute(&sh, "echo -n");
    ck_assert_str_eq(term, "");
    shell_execute(&sh, "echo -n -n a  b");
    ck_assert_str_eq(term, "a b");
    clear_term();
    shell_execute(&sh, "echo a -n \"\" b");
    ck_assert_str_eq(term, "a -n  b\n");
}
END_TEST

START_TEST(test_prompt_after_partial_line)
{
    type("echo -n hi\r");
    ck_assert_str_eq(term, "echo -n hi\r\nhi\n$ ");
    clear_term();
    type("clear\r");
    ck_assert_str_eq(term, "clear\r\n\x1b[2J\x1b[H$ ");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "clear now"), 2);
}
END_TEST

START_TEST(test_redirect_truncate_and_append)
{
    ck_assert_int_eq(shell_execute(&sh, "echo hello > out"), 0);
    ck_assert_str_eq(term, "");
    ck_assert_str_eq(contents("out"), "hello\n");
    ck_assert_int_eq(shell_execute(&sh, "echo world>>out"), 0);
    ck_assert_str_eq(contents("out"), "hello\nworld\n");
    ck_assert_int_eq(shell_execute(&sh, "print v>out; echo after"), 0);
    ck_assert_str_eq(contents("out"), "v=2\n");
    ck_assert_str_eq(term, "after\n");
    ck_assert_int_eq(opens, 3);
}
END_TEST

START_TEST(test_redirect_bare_creates_file)
{
    ck_assert_int_eq(shell_execute(&sh, "echo x > f; > f"), 0);
    ck_assert_str_eq(contents("f"), "");
    ck_assert_int_eq(opens, 2);
}
END_TEST

START_TEST(test_redirect_errors_go_to_terminal)
{
    ck_assert_int_eq(shell_execute(&sh, "false > f"), 1);
    ck_assert_str_eq(term, "false: failing\n");
    ck_assert_str_eq(contents("f"), "");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "nosuch > g"), 127);
    ck_assert_str_eq(term, "nosuch: command not found (try 'help')\n");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "help nosuch >> g"), 1);
    ck_assert_str_eq(contents("g"), "");
}
END_TEST

START_TEST(test_redirect_open_fails)
{
    last_argc = -1;
    ck_assert_int_eq(shell_execute(&sh, "true > /no/dir/f"), 1);
    ck_assert_str_eq(term, "sh: /no/dir/f: No such file or directory\n");
    ck_assert_int_eq(last_argc, -1); /* the command did not run */
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "echo x > nowrite"), 1);
    ck_assert_str_eq(term, "sh: nowrite: Invalid argument\n");
}
END_TEST

START_TEST(test_redirect_write_and_close_errors)
{
    ck_assert_int_eq(shell_execute(&sh, "help > full"), 1);
    ck_assert_str_eq(term, "sh: full: No space left on device\n");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "echo x > badclose"), 1);
    ck_assert_str_eq(term, "sh: badclose: Input/output error\n");
    ck_assert_str_eq(contents("badclose"), "x\n");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "false > full"), 1); /* no write, no error */
    ck_assert_str_eq(term, "false: failing\n");
}
END_TEST

START_TEST(test_redirect_short_writes)
{
    files[2].short_write = 3;
    snprintf(files[2].name, sizeof(files[2].name), "slow");
    ck_assert_int_eq(shell_execute(&sh, "echo abcdefghij > slow"), 0);
    ck_assert_str_eq(contents("slow"), "abcdefghij\n");
}
END_TEST

static int zero_write(void *ctx, const char *buf, size_t n)
{
    return 0;
}

static int zero_closes;

static int zero_close(void *ctx)
{
    zero_closes++;
    return 0;
}

static int open_zero(void *ctx, const char *path, bool append, struct shell_output *out)
{
    if (strcmp(path, "closeonly") == 0) {
        out->close = zero_close; /* but no write */
        return 0;
    }
    out->write = zero_write; /* no close */
    return 0;
}

START_TEST(test_redirect_zero_write_and_no_close)
{
    struct shell_config cfg = { .io = &io, .io_ctx = &termlen, .open_output = open_zero };
    make_shell(&cfg);
    ck_assert_int_eq(shell_execute(&sh, "echo x > z"), 1);
    ck_assert_str_eq(term, "sh: z: Input/output error\n");
    zero_closes = 0;
    ck_assert_int_eq(shell_execute(&sh, "echo x > closeonly"), 1);
    ck_assert_int_eq(zero_closes, 1); /* opened without write: closed again */
}
END_TEST

START_TEST(test_redirect_unsupported)
{
    struct shell_config cfg = { .io = &io, .io_ctx = &termlen };
    make_shell(&cfg);
    ck_assert_int_eq(shell_execute(&sh, "echo x > f"), 1);
    ck_assert_str_eq(term, "sh: f: redirection is not supported\n");
}
END_TEST

START_TEST(test_register)
{
    static const struct shell_cmd dup[] = { { "echo", cmd_true, "x", NULL } };
    static const struct shell_cmd noname[] = { { "", cmd_true, "x", NULL } };
    static const struct shell_cmd nofn[] = { { "zz", NULL, "x", NULL } };
    ck_assert_int_eq(shell_register(&sh, dup, 1), -EEXIST);
    ck_assert_int_eq(shell_register(&sh, noname, 1), -EINVAL);
    ck_assert_int_eq(shell_register(&sh, nofn, 1), -EINVAL);
    ck_assert_ptr_eq(shell_find(&sh, "true"), &test_cmds[0]);
    ck_assert_ptr_null(shell_find(&sh, "zz"));

    static struct shell_cmd many[SHELL_MAX_CMDS];
    static char names[SHELL_MAX_CMDS][16];
    for (int i = 0; i < SHELL_MAX_CMDS; i++) {
        snprintf(names[i], sizeof(names[i]), "c%d", i);
        many[i] = (struct shell_cmd){ names[i], cmd_true, "many", NULL };
    }
    ck_assert_int_eq(shell_register(&sh, many, SHELL_MAX_CMDS), -ENOSPC);
    ck_assert_uint_eq(sh.ncmds, SHELL_MAX_CMDS);
    ck_assert_int_eq(shell_execute(&sh, "c10 x"), 0);
    ck_assert_str_eq(last_args, "c10|x");
}
END_TEST

START_TEST(test_history_builtin)
{
    type("echo a\r");
    type("true\r");
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "history"), 0);
    ck_assert_str_eq(term, "    1  echo a\n    2  true\n");
    ck_assert_uint_eq(shell_history_count(shell_get_history(&sh)), 2);
    clear_term();
    ck_assert_int_eq(shell_execute(&sh, "history x"), 2);
    ck_assert_int_eq(shell_execute(&sh, "history -c"), 0);
    ck_assert_uint_eq(shell_history_count(shell_get_history(&sh)), 0);
    /* history through the editor: Up recalls, Enter runs again */
    type("echo again\r");
    clear_term();
    type("\x1b[A\r");
    ck_assert_str_eq(term, "\r$ echo again\x1b[K\r\nagain\n$ ");
}
END_TEST

START_TEST(test_completion)
{
    type("ec\t");
    ck_assert_str_eq(shell_editor_line(&sh.ed, NULL), "echo ");
    type("/u\t");
    ck_assert_str_eq(path_word, "/u");
    ck_assert_str_eq(shell_editor_line(&sh.ed, NULL), "echo /usr");
    type("\x15hi;  tr\t");
    ck_assert_str_eq(shell_editor_line(&sh.ed, NULL), "hi;  true ");
    type("> fi\t");
    ck_assert_str_eq(path_word, "fi");
    ck_assert_str_eq(shell_editor_line(&sh.ed, NULL), "hi;  true > file.txt ");
    type("\x15"
         "cat my\\ f\t");
    ck_assert_str_eq(path_word, "my f"); /* unescaped for the hook */
    clear_term();
    type("\x15h\t\t");
    ck_assert_str_eq(term, "\r$ \x1b[Kh\x07\r\nhelp     history\r\n\r$ h\x1b[K");
}
END_TEST

START_TEST(test_completion_without_path_hook)
{
    struct shell_config cfg = { .io = &io, .io_ctx = &termlen };
    make_shell(&cfg);
    type("echo /u\t");
    ck_assert_str_eq(term, "echo /u\x07");
}
END_TEST

START_TEST(test_run_loop)
{
    struct shell_config cfg = { .io = &io, .io_ctx = &termlen, .ctx = &ctx_token };
    make_shell(&cfg);
    script = "echo one\r\nquit\r\necho never\r\n";
    ck_assert_int_eq(shell_run(&sh), 0);
    ck_assert_str_eq(term, "$ echo one\r\none\n$ quit\r\n");
    ck_assert_str_eq(script, "\necho never\r\n");
    clear_term();
    script = "\necho two\r";
    ck_assert_int_eq(shell_run(&sh), -1); /* getc ran out */
    ck_assert_str_eq(term, "$ echo two\r\ntwo\n$ ");
    ck_assert_ptr_eq(shell_context(&sh), &ctx_token);
}
END_TEST

START_TEST(test_run_without_getc)
{
    static const struct shell_io_ops write_only = { .write = term_write };
    struct shell_config cfg = { .io = &write_only, .io_ctx = &termlen };
    make_shell(&cfg);
    ck_assert_int_eq(shell_run(&sh), -EINVAL);
}
END_TEST

START_TEST(test_nested_execute_refused)
{
    ck_assert_int_eq(shell_execute(&sh, "nested"), 1);
    ck_assert_str_eq(term, "sh: a command cannot run another command line\n");
}
END_TEST

START_TEST(test_many_lines_of_garbage)
{
    srand(7);
    for (int i = 0; i < 50000; i++) {
        uint8_t b = (uint8_t)(rand() % 3 ? 0x20 + rand() % 95 : rand() % 256);
        if (b == 0x0c)
            continue;
        shell_input_byte(&sh, b);
        if (termlen > sizeof(term) / 2)
            clear_term();
    }
    type("\x03");
    clear_term();
    type("echo ok\r");
    ck_assert_str_eq(term, "echo ok\r\nok\n$ ");
}
END_TEST

Suite *shell_suite(void)
{
    Suite *s = suite_create("shell");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_init_rejects_bad_config);
    tcase_add_test(tc, test_default_prompt);
    tcase_add_test(tc, test_prompt_callback_gets_dollar);
    tcase_add_test(tc, test_prompt_sanitised);
    tcase_add_test(tc, test_typed_line_runs);
    tcase_add_test(tc, test_unknown_command);
    tcase_add_test(tc, test_program_paths_go_to_the_embedder);
    tcase_add_test(tc, test_status);
    tcase_add_test(tc, test_syntax_error);
    tcase_add_test(tc, test_ctrl_c_status);
    tcase_add_test(tc, test_redraw);
    tcase_add_test(tc, test_register);
    tcase_add_test(tc, test_run_loop);
    tcase_add_test(tc, test_run_without_getc);
    tcase_add_test(tc, test_nested_execute_refused);
    tcase_add_test(tc, test_many_lines_of_garbage);
    suite_add_tcase(s, tc);

    tc = tcase_create("builtins");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_help_lists_sorted);
    tcase_add_test(tc, test_help_command);
    tcase_add_test(tc, test_usage_helper);
    tcase_add_test(tc, test_echo);
    tcase_add_test(tc, test_vprintf);
    tcase_add_test(tc, test_prompt_after_partial_line);
    tcase_add_test(tc, test_history_builtin);
    suite_add_tcase(s, tc);

    tc = tcase_create("redirect");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_redirect_truncate_and_append);
    tcase_add_test(tc, test_redirect_bare_creates_file);
    tcase_add_test(tc, test_redirect_errors_go_to_terminal);
    tcase_add_test(tc, test_redirect_open_fails);
    tcase_add_test(tc, test_redirect_write_and_close_errors);
    tcase_add_test(tc, test_redirect_short_writes);
    tcase_add_test(tc, test_redirect_zero_write_and_no_close);
    tcase_add_test(tc, test_redirect_unsupported);
    suite_add_tcase(s, tc);

    tc = tcase_create("completion");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_completion);
    tcase_add_test(tc, test_completion_without_path_hook);
    suite_add_tcase(s, tc);
    return s;
}
