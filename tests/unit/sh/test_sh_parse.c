/*
 * test_sh_parse.c - Check tests of /bin/sh's pure layers: the lexer and
 * parser (text -> trees, shown as S-expressions), incomplete input versus
 * syntax errors, here-documents, and arithmetic over shell variables.
 * Built by mk/sh.mk with ASan/UBSan; part of `make check-unit`.
 */
#include "sh.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sh_state sh; /* main.c's, which this runner does not link */

/* Stubs for what the parser's layers reach above them. */
void sh_history_print(void) {}
void sh_tty_restore(void) {}

static void show(struct sh_str *b, const struct sh_node *n);

static void show_redirs(struct sh_str *b, const struct sh_redir *r)
{
    static const char *const kinds[] = { "<", ">", ">|", ">>", "<&", ">&", "<>", "<<" };
    for (; r; r = r->next) {
        char buf[32];
        snprintf(buf, sizeof(buf), " %d%s", r->fd, kinds[r->kind]);
        sh_str_adds(b, buf);
        sh_str_adds(b, r->word);
        if (r->kind == SR_HEREDOC) {
            sh_str_adds(b, r->quoted ? "[q:" : "[");
            sh_str_adds(b, r->body);
            sh_str_adds(b, "]");
        }
    }
}

static void show_words(struct sh_str *b, char **w)
{
    for (; w && *w; w++) {
        sh_str_addc(b, ' ');
        sh_str_adds(b, *w);
    }
}

static void show(struct sh_str *b, const struct sh_node *n)
{
    static const char *const names[] = { "cmd", "pipe", "and", "or", "seq", "bg", "sub",
                                         "group", "if", "while", "until", "for", "case", "func" };
    if (!n) {
        sh_str_adds(b, "nil");
        return;
    }
    sh_str_addc(b, '(');
    sh_str_adds(b, n->type == SN_PIPE && n->bang ? "not-pipe" : names[n->type]);
    switch (n->type) {
    case SN_CMD:
        if (n->assigns && *n->assigns) {
            sh_str_adds(b, " [");
            show_words(b, n->assigns);
            sh_str_adds(b, " ]");
        }
        show_words(b, n->words);
        break;
    case SN_PIPE:
        for (int i = 0; i < n->nkids; i++) {
            sh_str_addc(b, ' ');
            show(b, n->kids[i]);
        }
        break;
    case SN_FOR:
        sh_str_addc(b, ' ');
        sh_str_adds(b, n->name);
        if (n->words) {
            sh_str_adds(b, " in");
            show_words(b, n->words);
        }
        sh_str_addc(b, ' ');
        show(b, n->b);
        break;
    case SN_CASE:
        sh_str_addc(b, ' ');
        sh_str_adds(b, n->name);
        for (const struct sh_case_item *it = n->items; it; it = it->next) {
            sh_str_adds(b, " [");
            show_words(b, it->pats);
            sh_str_adds(b, " ] ");
            show(b, it->body);
        }
        break;
    case SN_FUNC:
        sh_str_addc(b, ' ');
        sh_str_adds(b, n->name);
        sh_str_addc(b, ' ');
        show(b, n->a);
        break;
    default:
        sh_str_addc(b, ' ');
        show(b, n->a);
        if (n->b || n->type == SN_IF) {
            sh_str_addc(b, ' ');
            show(b, n->b);
        }
        if (n->c) {
            sh_str_addc(b, ' ');
            show(b, n->c);
        }
    }
    show_redirs(b, n->redirs);
    sh_str_addc(b, ')');
}

/* Parse all of @p text (no more input will come): the trees, one a line,
 * or "MORE"/"ERR"/"EMPTY" for each command that is not one. */
static char *parse_all(const char *text, bool at_eof)
{
    struct sh_parser p;
    struct sh_str out = { 0 };
    sh_str_adds(&out, "");
    sh_parser_init(&p, text, strlen(text), at_eof, 1);
    for (;;) {
        struct sh_node *n;
        int r = sh_parse_command(&p, &n);
        if (r == SH_PARSE_OK)
            show(&out, n);
        else if (r == SH_PARSE_MORE)
            sh_str_adds(&out, "MORE");
        else if (r == SH_PARSE_ERR)
            sh_str_adds(&out, "ERR");
        sh_arena_unref(p.arena);
        if (r == SH_PARSE_EOF || r == SH_PARSE_MORE)
            break;
        if (r != SH_PARSE_EMPTY)
            sh_str_adds(&out, "\n");
    }
    return out.s;
}

static void parses_to(const char *text, const char *want)
{
    char *got = parse_all(text, true);
    ck_assert_str_eq(got, want);
    free(got);
}

/* Text that stops inside a command: MORE while input may follow, ERR at the end. */
static void incomplete(const char *text)
{
    char *got = parse_all(text, false);
    ck_assert_msg(strstr(got, "MORE") != NULL, "%s: %s", text, got);
    free(got);
    got = parse_all(text, true);
    ck_assert_msg(strstr(got, "ERR") != NULL, "%s: %s", text, got);
    free(got);
}

START_TEST(lists_and_pipelines)
{
    parses_to("a b c\n", "(cmd a b c)\n");
    parses_to("a | b | c", "(pipe (cmd a) (cmd b) (cmd c))\n");
    parses_to("a && b || c", "(or (and (cmd a) (cmd b)) (cmd c))\n");
    parses_to("a; b & c", "(seq (seq (cmd a) (bg (cmd b))) (cmd c))\n");
    parses_to("! a | b", "(not-pipe (cmd a) (cmd b))\n");
    parses_to("a &&\n b", "(and (cmd a) (cmd b))\n");
    parses_to("a |\n\n b", "(pipe (cmd a) (cmd b))\n");
    parses_to("a\nb\n", "(cmd a)\n(cmd b)\n");
    parses_to("# only a comment\n\n", "");
    parses_to("a # comment ; b\n", "(cmd a)\n");
    parses_to("a\\\nb", "(cmd a\\\nb)\n"); /* the expander drops the pair */
    parses_to("a=1 b=2 cmd c=3", "(cmd [ a=1 b=2 ] cmd c=3)\n");
    parses_to("1a=x", "(cmd 1a=x)\n");
}
END_TEST

START_TEST(words_keep_their_raw_text)
{
    parses_to("echo 'a b' \"c $d\" e\\ f", "(cmd echo 'a b' \"c $d\" e\\ f)\n");
    parses_to("echo $(a | b) `c d` ${x:-y z}", "(cmd echo $(a | b) `c d` ${x:-y z})\n");
    parses_to("echo $(echo \")\") $((1+(2)))", "(cmd echo $(echo \")\") $((1+(2))))\n");
    parses_to("echo a;b&&c", "(seq (cmd echo a) (and (cmd b) (cmd c)))\n");
    parses_to("echo if then fi", "(cmd echo if then fi)\n");
    ck_assert_int_eq(sh_scan_subst("a (b) c) d", 10), 7);
    ck_assert_int_eq(sh_scan_subst("echo ')' \")\" \\) x)", 18), 17);
    ck_assert_int_eq(sh_scan_subst("echo (", 6), -1);
}
END_TEST

START_TEST(compound_commands)
{
    parses_to("if a; then b; elif c; then d; else e; fi",
              "(if (cmd a) (cmd b) (if (cmd c) (cmd d) (cmd e)))\n");
    parses_to("if a\nthen\n b\nfi", "(if (cmd a) (cmd b))\n");
    parses_to("while a; do b; c; done", "(while (cmd a) (seq (cmd b) (cmd c)))\n");
    parses_to("until a; do b; done", "(until (cmd a) (cmd b))\n");
    parses_to("for x in 1 2; do b; done", "(for x in 1 2 (cmd b))\n");
    parses_to("for x; do b; done", "(for x (cmd b))\n");
    parses_to("for x\ndo b\ndone", "(for x (cmd b))\n");
    parses_to("case $x in a|b) c;; (d) e; f;; *) ;; esac",
              "(case $x [ a b ] (cmd c) [ d ] (seq (cmd e) (cmd f)) [ * ] nil)\n");
    parses_to("case x in\n a) b\nesac", "(case x [ a ] (cmd b))\n");
    parses_to("( a; b )", "(sub (seq (cmd a) (cmd b)))\n");
    parses_to("{ a; } > f", "(group (cmd a) 1>f)\n");
    parses_to("f() { a; }", "(func f (group (cmd a)))\n");
    parses_to("f ()\n(a)", "(func f (sub (cmd a)))\n");
    parses_to("while a; do b; done < in | c",
              "(pipe (while (cmd a) (cmd b) 0<in) (cmd c))\n");
}
END_TEST

START_TEST(redirections)
{
    parses_to("a > f < g >> h", "(cmd a 1>f 0<g 1>>h)\n");
    parses_to("a 2>&1 3<&- 4<>x >|y", "(cmd a 2>&1 3<&- 4<>x 1>|y)\n");
    parses_to("a 2 > f", "(cmd a 2 1>f)\n");
    parses_to("> f", "(cmd 1>f)\n");
    parses_to("cat <<E\nhello $x\nE\necho after", "(cmd cat 0<<E[hello $x\n])\n(cmd echo after)\n");
    parses_to("cat <<'E' <<-F\n$a\nE\n\t\tb\n\tF\n", "(cmd cat 0<<E[q:$a\n] 0<<F[b\n])\n");
    parses_to("cat <<E; echo x\nbody\nE\n", "(seq (cmd cat 0<<E[body\n]) (cmd echo x))\n");
}
END_TEST

START_TEST(incomplete_input)
{
    const char *const more[] = {
        "echo 'open",   "echo \"open",     "echo $(a",     "echo ${a",       "echo `a",
        "a |",          "a &&",            "if a; then b", "while a; do",    "for x in a",
        "case x in",    "{ a;",            "( a",
        "f()",          "if a; then b; else",
    };
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
        incomplete(more[i]);
    /* A here-document without its end: more is needed, unless the text is
     * over, where the body runs to the end (as in dash and bash). */
    char *got = parse_all("cat <<E\nbody", false);
    ck_assert_str_eq(got, "MORE");
    free(got);
    got = parse_all("echo a\\", false); /* a backslash at the end of the text */
    ck_assert_str_eq(got, "MORE");
    free(got);
    parses_to("cat <<E\nbody", "(cmd cat 0<<E[body\n])\n");
}
END_TEST

START_TEST(syntax_errors)
{
    const char *const bad[] = { "fi", "a ; ;", "a | | b", "then", "( )", "if a; then fi",
                                "a >", "case x in a b) ;; esac", "for 1 in x; do :; done",
                                "f() a", "a && || b", "done", "{ }", "echo )" };
    sh_out_flush();
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *got = parse_all(bad[i], true);
        ck_assert_msg(strstr(got, "ERR") != NULL, "%s: %s", bad[i], got);
        free(got);
    }
    /* parsing resumes after the bad line */
    parses_to("fi\necho ok\n", "ERR\n(cmd echo ok)\n");
}
END_TEST

static long arith(const char *e)
{
    long v = -999;
    ck_assert_msg(sh_arith(e, &v) == 0, "%s", e);
    return v;
}

START_TEST(arithmetic)
{
    ck_assert_int_eq(arith("1 + 2 * 3"), 7);
    ck_assert_int_eq(arith("(1 + 2) * 3"), 9);
    ck_assert_int_eq(arith("-7 / 2"), -3);
    ck_assert_int_eq(arith("-7 % 3"), -1);
    ck_assert_int_eq(arith("1 << 4 | 1"), 17);
    ck_assert_int_eq(arith("3 > 2 && 2 > 3 || 5 == 5"), 1);
    ck_assert_int_eq(arith("!0 + ~0"), 0);
    ck_assert_int_eq(arith("1 ? 2 : 3"), 2);
    ck_assert_int_eq(arith("0 ? 1 / 0 : 4"), 4);
    ck_assert_int_eq(arith("0 && 1 / 0"), 0);
    ck_assert_int_eq(arith("0x1f + 010"), 39);
    ck_assert_int_eq(arith(""), 0);
    ck_assert_int_eq(arith("x = 5"), 5);
    ck_assert_str_eq(sh_getvar("x"), "5");
    ck_assert_int_eq(arith("x += 2"), 7);
    ck_assert_int_eq(arith("x * (x - 6)"), 7);
}
END_TEST

START_TEST(arithmetic_errors)
{
    long v;
    const char *const bad[] = { "1 / 0", "5 % 0", "1 +", "(1", "2 3", "1 ? 2", "09", "x = " };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(sh_arith(bad[i], &v) < 0, "%s", bad[i]);
    sh_setvar("notnum", "abc", 0);
    ck_assert_int_lt(sh_arith("notnum + 1", &v), 0);
    ck_assert_int_eq(arith("unset_variable + 1"), 1);
    ck_assert_int_eq(arith("-9223372036854775807 - 1"), (long)(-9223372036854775807L - 1));
    ck_assert_int_eq(arith("(-9223372036854775807 - 1) / -1"), (long)(-9223372036854775807L - 1));
}
END_TEST

static void teardown(void)
{
    sh_vars_free();
    sh_out_flush();
}

static Suite *sh_suite(void)
{
    Suite *s = suite_create("sh_parse");
    TCase *tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, lists_and_pipelines);
    tcase_add_test(tc, words_keep_their_raw_text);
    tcase_add_test(tc, compound_commands);
    tcase_add_test(tc, redirections);
    tcase_add_test(tc, incomplete_input);
    tcase_add_test(tc, syntax_errors);
    tcase_add_test(tc, arithmetic);
    tcase_add_test(tc, arithmetic_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sh_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
