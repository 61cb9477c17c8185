/*
 * test_editor_complete.c - the line editor's Tab completion.
 */
#include "editor_fixture.h"
#include <k/errno.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

/* ---- completion ---- */

static const char *const commands[] = { "echo", "exit", "help", "hexdump", "history", NULL };

START_TEST(test_complete_single)
{
    cands = commands;
    feed("ec");
    clear_out();
    feed("\t");
    ck_assert_str_eq(line(), "echo ");
    ck_assert_str_eq(outbuf, "ho ");
    ck_assert_str_eq(last_word, "ec");
}
END_TEST

START_TEST(test_complete_directory_adds_no_space)
{
    static const char *const paths[] = { "/usr/local/", "/usr/lib/", "/var/", NULL };
    cands = paths;
    feed("cd /usr/lo\t");
    ck_assert_str_eq(line(), "cd /usr/local/");
    ck_assert_str_eq(last_word, "/usr/lo");
}
END_TEST

START_TEST(test_complete_common_prefix_then_list)
{
    cands = commands;
    feed("h");
    clear_out();
    feed("\t"); /* help, hexdump, history: common prefix "h" is no progress */
    ck_assert_str_eq(outbuf, "\x07");
    clear_out();
    feed("\t");
    ck_assert_str_eq(outbuf, "\r\nhelp     hexdump  history\r\n\r$ h\x1b[K");
    ck_assert_str_eq(line(), "h");
    clear_out();
    feed("e\t"); /* help, hexdump: a new first Tab */
    ck_assert_str_eq(outbuf, "e\x07");
    feed("x\t");
    ck_assert_str_eq(line(), "hexdump ");
}
END_TEST

START_TEST(test_complete_extends_common_prefix)
{
    static const char *const c[] = { "hexedit", "hexdump", NULL };
    cands = c;
    feed("h\t");
    ck_assert_str_eq(line(), "hex");
    clear_out();
    feed("\t"); /* no more progress and the previous key was Tab: list */
    ck_assert_str_eq(outbuf, "\r\nhexdump  hexedit\r\n\r$ hex\x1b[K");
}
END_TEST

START_TEST(test_complete_lists_basenames_in_columns)
{
    static const char *const c[] = { "/bin/aa", "/bin/bb", "/bin/cc", "/bin/dd", "/bin/ee", NULL };
    cands = c;
    init_cols(20); /* 4-wide columns: 19 / 4 = 4 per row, so 2 rows */
    feed("x /bin/\t\t");
    ck_assert_str_eq(outbuf, "x /bin/\x07\r\naa  cc  ee\r\nbb  dd\r\n\r$ x /bin/\x1b[K");
}
END_TEST

START_TEST(test_complete_lists_wide_and_many)
{
    static char names[SHELL_COMPLETION_MAX][8];
    static const char *c[SHELL_COMPLETION_MAX + 2];
    for (int i = 0; i < SHELL_COMPLETION_MAX; i++) {
        snprintf(names[i], sizeof(names[i]), "w%03d", SHELL_COMPLETION_MAX - 1 - i);
        c[i] = names[i];
    }
    cands = c;
    feed("w\t\t");
    /* 128 names, 6 columns each, 13 per row: 10 rows; sorted, down the columns. */
    ck_assert_uint_gt(outlen, 256); /* more than one output batch */
    ck_assert_ptr_nonnull(strstr(outbuf, "\r\nw000  w010  w020"));
    ck_assert_ptr_nonnull(strstr(outbuf, "w120\r\nw001  w011"));
    /* A candidate wider than the terminal: one per row. */
    static char wide[100];
    memset(wide, 'v', sizeof(wide) - 1);
    static const char *const w[] = { wide, "vv", NULL };
    cands = w;
    setup();
    cands = w;
    feed("v\t\t\t");
    ck_assert_ptr_nonnull(strstr(outbuf, "\r\nvv\r\nvvvvvvvvvv"));
}
END_TEST

START_TEST(test_complete_filters_and_dedups)
{
    static const char *const c[] = { "apple", "banana", "apple", "apricot", "", NULL };
    cands = c;
    feed("ap\t\t");
    ck_assert_str_eq(line(), "ap");
    ck_assert_uint_eq(ed.comp.count, 2);
}
END_TEST

START_TEST(test_complete_none_rings_bell)
{
    cands = commands;
    feed("zz");
    clear_out();
    feed("\t");
    ck_assert_str_eq(outbuf, "\x07");
    ck_assert_str_eq(line(), "zz");
}
END_TEST

START_TEST(test_complete_word_boundaries)
{
    cands = commands;
    feed("ls;ec\t");
    ck_assert_str_eq(last_word, "ec");
    ck_assert_str_eq(line(), "ls;echo ");
    feed("x>he\t");
    ck_assert_str_eq(last_word, "he");
    /* In the middle of a line: the word ends at the cursor. */
    setup();
    cands = commands;
    feed("ec foo\x01\x1b[C\x1b[C\t");
    ck_assert_str_eq(line(), "echo  foo");
    ck_assert_uint_eq(shell_editor_cursor(&ed), 5);
}
END_TEST

START_TEST(test_complete_escapes_special_characters)
{
    static const char *const c[] = { "my file.txt", "my fold/", "a;b", NULL };
    cands = c;
    feed("cat my\\ fi\t");
    ck_assert_str_eq(last_word, "my fi");
    ck_assert_uint_eq(last_start, 4);
    ck_assert_str_eq(line(), "cat my\\ file.txt ");
    /* The common prefix is escaped too; listing shows the plain names. */
    setup();
    cands = c;
    feed("cat m\t");
    ck_assert_str_eq(line(), "cat my\\ f");
    clear_out();
    feed("\t");
    ck_assert_str_eq(outbuf, "\r\nmy file.txt  my fold/\r\n\r$ cat my\\ f\x1b[K");
    /* An escaped break character stays in the word. */
    setup();
    cands = c;
    feed("x a\\;\t");
    ck_assert_str_eq(last_word, "a;");
    ck_assert_str_eq(line(), "x a\\;b ");
    /* An escaped backslash does not escape the blank after it. */
    feed("\x15ls a\\\\ b\t");
    ck_assert_str_eq(last_word, "b");
    ck_assert_uint_eq(last_start, 7);
}
END_TEST

START_TEST(test_complete_hash_and_lone_backslash)
{
    static const char *const c[] = { "#notes", NULL };
    cands = c;
    feed("cat \t");
    ck_assert_str_eq(line(), "cat \\#notes ");
    static const char *const d[] = { "a#b", NULL };
    cands = d;
    feed("a\t");
    ck_assert_str_eq(line(), "cat \\#notes a#b ");
    clear_out();
    int calls = complete_calls;
    feed("x\\\t"); /* after a lone backslash: nothing to complete */
    ck_assert_str_eq(outbuf, "x\\\x07");
    ck_assert_int_eq(complete_calls, calls);
}
END_TEST

START_TEST(test_complete_whole_word_adds_space)
{
    static const char *const c[] = { "echo", NULL };
    cands = c;
    feed("echo\t");
    ck_assert_str_eq(line(), "echo ");
}
END_TEST

START_TEST(test_complete_refused_when_line_full)
{
    static char big[SHELL_LINE_MAX];
    memset(big, 'x', sizeof(big));
    big[SHELL_LINE_MAX - 4] = ' ';
    big[SHELL_LINE_MAX - 3] = 'e';
    feed_n(big, SHELL_LINE_MAX - 2); /* "...x e": one byte of room, "echo " needs 4 */
    static const char *const c[] = { "echo", NULL };
    cands = c;
    clear_out();
    feed("\t");
    ck_assert_str_eq(outbuf, "\x07");
    feed("\x01\x1b[3~\x1b[3~\x1b[3~\x05\t"); /* make room: exactly enough */
    ck_assert_uint_eq(strlen(line()), SHELL_LINE_MAX - 1);
    ck_assert_str_eq(line() + SHELL_LINE_MAX - 7, " echo ");
    /* Escaping needs room too. */
    static const char *const sp[] = { "e f", NULL };
    cands = sp;
    feed("\x01\x1b[3~\x1b[3~\x05"
         "e\t");
    ck_assert_uint_eq(strlen(line()), SHELL_LINE_MAX - 2);
    ck_assert_msg(line()[SHELL_LINE_MAX - 3] == 'e', "%s", line() + 1000);
}
END_TEST

START_TEST(test_completion_add_limits)
{
    struct shell_completions *c = &ed.comp;
    c->word = "";
    c->word_len = 0;
    c->count = 0;
    c->used = 0;
    c->truncated = false;
    char name[16];
    int added = 0;
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "n%03d", i);
        if (shell_completion_add(c, name) == 1)
            added++;
    }
    ck_assert_int_eq(added, SHELL_COMPLETION_MAX);
    ck_assert(c->truncated);
    ck_assert_int_eq(shell_completion_add(c, "more"), -ENOSPC);
    /* The byte limit too. */
    c->count = 0;
    c->used = 0;
    static char longname[SHELL_COMPLETION_BUF + 1];
    memset(longname, 'l', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ck_assert_int_eq(shell_completion_add(c, longname), -ENOSPC);
    longname[SHELL_COMPLETION_BUF - 1] = '\0';
    ck_assert_int_eq(shell_completion_add(c, longname), 1);
}
END_TEST

Suite *editor_complete_suite(void)
{
    Suite *s = suite_create("editor_complete");
    TCase *tc;
    tc = tcase_create("completion");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_complete_single);
    tcase_add_test(tc, test_complete_directory_adds_no_space);
    tcase_add_test(tc, test_complete_common_prefix_then_list);
    tcase_add_test(tc, test_complete_extends_common_prefix);
    tcase_add_test(tc, test_complete_lists_basenames_in_columns);
    tcase_add_test(tc, test_complete_lists_wide_and_many);
    tcase_add_test(tc, test_complete_filters_and_dedups);
    tcase_add_test(tc, test_complete_none_rings_bell);
    tcase_add_test(tc, test_complete_word_boundaries);
    tcase_add_test(tc, test_complete_escapes_special_characters);
    tcase_add_test(tc, test_complete_hash_and_lone_backslash);
    tcase_add_test(tc, test_complete_whole_word_adds_space);
    tcase_add_test(tc, test_complete_refused_when_line_full);
    tcase_add_test(tc, test_completion_add_limits);
    suite_add_tcase(s, tc);
    return s;
}
