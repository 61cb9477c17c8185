/*
 * test_parse.c - the command-line parser: words, quoting, escapes, ';',
 * redirection, comments and every error.
 */
#include "suites.h"
#include <k/errno.h>
#include <shell/parse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct shell_cmdline cl;

static void setup(void)
{
    memset(&cl, 0x5a, sizeof(cl));
}

static int parse(const char *s)
{
    return shell_parse(s, &cl);
}

/* Check command i's words against a NULL-terminated list. */
static void words_are(int i, const char *const *want)
{
    const struct shell_command *c = &cl.commands[i];
    int n = 0;
    while (want[n])
        n++;
    ck_assert_int_eq(c->argc, n);
    for (int k = 0; k < n; k++)
        ck_assert_str_eq(c->argv[k], want[k]);
    ck_assert_ptr_null(c->argv[n]);
}

#define WORDS(i, ...) words_are(i, (const char *const[]){ __VA_ARGS__, NULL })

START_TEST(test_words_and_blanks)
{
    ck_assert_int_eq(parse("  echo \thello   world\t "), 1);
    WORDS(0, "echo", "hello", "world");
    ck_assert_ptr_null(cl.commands[0].redirect);
    ck_assert_ptr_null(cl.error);
}
END_TEST

START_TEST(test_blank_and_comment_lines)
{
    ck_assert_int_eq(parse(""), 0);
    ck_assert_int_eq(parse(" \t "), 0);
    ck_assert_int_eq(parse("# just a comment"), 0);
    ck_assert_int_eq(parse("   #x 'unterminated"), 0);
    ck_assert_int_eq(parse(";;  ; "), 0);
}
END_TEST

START_TEST(test_single_quotes)
{
    ck_assert_int_eq(parse("echo 'a  b' 'it''s' '\\n' '\"' ';#>'"), 1);
    WORDS(0, "echo", "a  b", "its", "\\n", "\"", ";#>");
}
END_TEST

START_TEST(test_double_quotes)
{
    ck_assert_int_eq(parse("echo \"a \\\"b\\\" \\\\ \\$x \\n 'q'\""), 1);
    WORDS(0, "echo", "a \"b\" \\ $x \\n 'q'");
    ck_assert_int_eq(parse("echo \"a\\`b\\c\""), 1); /* other backslashes stay */
    WORDS(0, "echo", "a\\`b\\c");
    ck_assert_int_eq(parse("echo \"; > # |\""), 1);
    WORDS(0, "echo", "; > # |");
}
END_TEST

START_TEST(test_backslash_outside_quotes)
{
    ck_assert_int_eq(parse("a\\ b \\'x\\' c\\;d e\\>f \\# g\\"), 1);
    WORDS(0, "a b", "'x'", "c;d", "e>f", "#", "g\\");
}
END_TEST

START_TEST(test_mixed_and_empty_words)
{
    ck_assert_int_eq(parse("a\"b c\"'d'e '' \"\""), 1);
    WORDS(0, "ab cde", "", "");
}
END_TEST

START_TEST(test_semicolons)
{
    ck_assert_int_eq(parse("a;b ; c d;"), 3);
    WORDS(0, "a");
    WORDS(1, "b");
    WORDS(2, "c", "d");
    ck_assert_int_eq(parse(";; x ;;"), 1);
    WORDS(0, "x");
}
END_TEST

START_TEST(test_redirection)
{
    ck_assert_int_eq(parse("echo hi>f"), 1);
    WORDS(0, "echo", "hi");
    ck_assert_str_eq(cl.commands[0].redirect, "f");
    ck_assert(!cl.commands[0].append);

    ck_assert_int_eq(parse("echo hi >> /tmp/log"), 1);
    WORDS(0, "echo", "hi");
    ck_assert_str_eq(cl.commands[0].redirect, "/tmp/log");
    ck_assert(cl.commands[0].append);

    ck_assert_int_eq(parse("echo >'my file' a b"), 1); /* words may follow */
    WORDS(0, "echo", "a", "b");
    ck_assert_str_eq(cl.commands[0].redirect, "my file");

    ck_assert_int_eq(parse("echo a>>b;echo c > d # done"), 2);
    ck_assert_str_eq(cl.commands[0].redirect, "b");
    ck_assert(cl.commands[0].append);
    WORDS(1, "echo", "c");
    ck_assert_str_eq(cl.commands[1].redirect, "d");
    ck_assert(!cl.commands[1].append);

    ck_assert_int_eq(parse("> empty"), 1); /* a bare redirection */
    ck_assert_int_eq(cl.commands[0].argc, 0);
    ck_assert_ptr_null(cl.commands[0].argv[0]);
    ck_assert_str_eq(cl.commands[0].redirect, "empty");

    ck_assert_int_eq(parse("echo x>f#y"), 1); /* '#' inside a word */
    ck_assert_str_eq(cl.commands[0].redirect, "f#y");
}
END_TEST

START_TEST(test_comments)
{
    ck_assert_int_eq(parse("echo a # b c"), 1);
    WORDS(0, "echo", "a");
    ck_assert_int_eq(parse("echo a#b '#' \"#\""), 1);
    WORDS(0, "echo", "a#b", "#", "#");
    ck_assert_int_eq(parse("echo a;#echo b"), 1);
    WORDS(0, "echo", "a");
}
END_TEST

static void fails(const char *line, int err, const char *msg)
{
    ck_assert_int_eq(parse(line), err);
    ck_assert_int_eq(cl.ncommands, 0);
    ck_assert_ptr_nonnull(cl.error);
    ck_assert_msg(strstr(cl.error, msg), "'%s': got '%s', want '%s'", line, cl.error, msg);
}

START_TEST(test_errors)
{
    fails("echo 'abc", -EINVAL, "unterminated single quote");
    fails("echo \"abc", -EINVAL, "unterminated double quote");
    fails("echo \"abc\\\"", -EINVAL, "unterminated double quote");
    fails("echo >", -EINVAL, "redirection without a target");
    fails("echo >>   ", -EINVAL, "redirection without a target");
    fails("echo > ; ls", -EINVAL, "redirection without a target");
    fails("echo > >f", -EINVAL, "redirection without a target");
    fails("echo > # c", -EINVAL, "redirection without a target");
    fails("echo > ''", -EINVAL, "empty file name");
    fails("echo > a > b", -EINVAL, "only one output redirection");
    fails("ls | more", -EINVAL, "pipes");
    fails("cat < f", -EINVAL, "input redirection");
    fails("sleep 1 &", -EINVAL, "'&'");
    fails("a && b", -EINVAL, "'&'");
}
END_TEST

START_TEST(test_word_limit)
{
    char line[SHELL_LINE_MAX];
    size_t n = 0;
    for (int i = 0; i < SHELL_MAX_WORDS; i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, "w%d ", i);
    ck_assert_int_eq(parse(line), 1);
    ck_assert_int_eq(cl.commands[0].argc, SHELL_MAX_WORDS);
    ck_assert_str_eq(cl.commands[0].argv[63], "w63");
    ck_assert_ptr_null(cl.commands[0].argv[64]);
    strcat(line, "x");
    fails(line, -E2BIG, "too many words");
    /* The limit counts every command of the line. */
    n = 0;
    for (int i = 0; i < SHELL_MAX_WORDS + 1; i++)
        n += (size_t)snprintf(line + n, sizeof(line) - n, "w;");
    fails(line, -E2BIG, "too many");
}
END_TEST

START_TEST(test_command_limit)
{
    char line[256] = "";
    for (int i = 0; i < SHELL_MAX_COMMANDS; i++)
        strcat(line, "a;");
    ck_assert_int_eq(parse(line), SHELL_MAX_COMMANDS);
    for (int i = 0; i < SHELL_MAX_COMMANDS; i++)
        WORDS(i, "a");
    strcat(line, "b");
    fails(line, -E2BIG, "too many commands");
    /* Sixteen commands with the most words between them. */
    strcpy(line, "");
    for (int i = 0; i < SHELL_MAX_COMMANDS; i++)
        strcat(line, "a b c d;");
    ck_assert_int_eq(parse(line), SHELL_MAX_COMMANDS);
    WORDS(15, "a", "b", "c", "d");
    WORDS(0, "a", "b", "c", "d");
}
END_TEST

START_TEST(test_line_too_long)
{
    static char line[SHELL_LINE_MAX + 10];
    memset(line, 'x', SHELL_LINE_MAX);
    line[SHELL_LINE_MAX] = '\0';
    fails(line, -ENAMETOOLONG, "line too long");
    line[SHELL_LINE_MAX - 1] = '\0'; /* the longest line: one long word */
    ck_assert_int_eq(parse(line), 1);
    ck_assert_uint_eq(strlen(cl.commands[0].argv[0]), SHELL_LINE_MAX - 1);
}
END_TEST

START_TEST(test_random_lines_never_overflow)
{
    static const char alphabet[] = "ab \t'\"\\;>#|&<$x";
    static char line[SHELL_LINE_MAX];
    srand(42u + (unsigned)_i);
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = (size_t)(rand() % (SHELL_LINE_MAX - 1));
        if (iter % 2)
            n %= 40;
        for (size_t i = 0; i < n; i++)
            line[i] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
        line[n] = '\0';
        int r = parse(line);
        if (r < 0) {
            REQUIRE(cl.error != NULL);
            continue;
        }
        REQUIRE(cl.error == NULL);
        REQUIRE(r <= SHELL_MAX_COMMANDS);
        int words = 0;
        for (int c = 0; c < r; c++) {
            const struct shell_command *cmd = &cl.commands[c];
            REQUIRE(cmd->argc > 0 || cmd->redirect);
            REQUIRE(cmd->argv[cmd->argc] == NULL);
            for (int k = 0; k < cmd->argc; k++)
                REQUIRE(strlen(cmd->argv[k]) <= n);
            words += cmd->argc;
        }
        REQUIRE(words <= SHELL_MAX_WORDS);
    }
}
END_TEST

Suite *parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("syntax");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_words_and_blanks);
    tcase_add_test(tc, test_blank_and_comment_lines);
    tcase_add_test(tc, test_single_quotes);
    tcase_add_test(tc, test_double_quotes);
    tcase_add_test(tc, test_backslash_outside_quotes);
    tcase_add_test(tc, test_mixed_and_empty_words);
    tcase_add_test(tc, test_semicolons);
    tcase_add_test(tc, test_redirection);
    tcase_add_test(tc, test_comments);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_word_limit);
    tcase_add_test(tc, test_command_limit);
    tcase_add_test(tc, test_line_too_long);
    tcase_add_loop_test(tc, test_random_lines_never_overflow, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}
