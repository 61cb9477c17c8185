/*
 * test_shell.c - the shell core: prompt, dispatch, status, built-ins and the
 * run loop (redirection and completion: test_shell_redirect.c).
 */
#include "shell_fixture.h"
#include <k/errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tests ---- */

START_TEST(test_init_rejects_bad_config)
{
    struct shell_config cfg = { 0 };
    ck_assert_int_eq(shell_init(&sh, &cfg), -EINVAL);
    struct shell_io_ops no_write = { 0 };
    cfg.io = &no_write;
    ck_assert_int_eq(shell_init(&sh, &cfg), -EINVAL);
    ck_assert_int_eq(shell_init(&sh, NULL), -EINVAL);
    core_setup(); /* leave a valid shell for the teardown */
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
    tcase_add_checked_fixture(tc, core_setup, core_teardown);
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
    tcase_add_checked_fixture(tc, core_setup, core_teardown);
    tcase_add_test(tc, test_help_lists_sorted);
    tcase_add_test(tc, test_help_command);
    tcase_add_test(tc, test_usage_helper);
    tcase_add_test(tc, test_echo);
    tcase_add_test(tc, test_vprintf);
    tcase_add_test(tc, test_prompt_after_partial_line);
    tcase_add_test(tc, test_history_builtin);
    suite_add_tcase(s, tc);
    return s;
}
