/*
 * test_shell_redirect.c - the shell core's hooks: output redirection through
 * the fixture's fake open_output (truncate, append, errors, short writes) and
 * completion of commands and paths.
 */
#include "shell_fixture.h"
#include <k/errno.h>
#include <stdio.h>
#include <string.h>

/* ---- redirection ---- */

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

/* ---- completion ---- */

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

Suite *shell_redirect_suite(void)
{
    Suite *s = suite_create("shell_redirect");
    TCase *tc = tcase_create("redirect");
    tcase_add_checked_fixture(tc, core_setup, core_teardown);
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
    tcase_add_checked_fixture(tc, core_setup, core_teardown);
    tcase_add_test(tc, test_completion);
    tcase_add_test(tc, test_completion_without_path_hook);
    suite_add_tcase(s, tc);
    return s;
}
