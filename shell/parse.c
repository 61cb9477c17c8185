/*
 * parse.c - the command-line parser (shell/parse.h).
 *
 * Layer: between the line editor and command dispatch; pure (no I/O, no shell
 * state), so the tests feed it strings. Interface: shell_parse().
 *
 * One pass over the line with a cursor. Each word is unquoted straight into
 * out->text; a word may mix quoted and unquoted parts (`a"b c"'d'`). Operators
 * (`;`, `>`, `>>`) end the current word. Every unquoted byte written takes at
 * least one input byte, and each NUL at least one more, so out->text (twice the
 * line limit) cannot overflow; the checks are there anyway.
 */
#include <k/errno.h>
#include <shell/parse.h>
#include <string.h>

struct parser {
    const char *p; /* next input byte */
    struct shell_cmdline *out;
    size_t used;               /* bytes of out->text in use */
    int nwords;                /* words so far, all commands together */
    int npool;                 /* argv_pool slots used */
    struct shell_command *cmd; /* the command being built */
};

static int fail(struct parser *ps, int err, const char *msg)
{
    ps->out->error = msg;
    return err;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Ends an unquoted word. */
static bool is_special(char c)
{
    return c == '\0' || is_blank(c) || c == ';' || c == '>' || c == '<' || c == '|' || c == '&';
}

static int put(struct parser *ps, char c)
{
    if (ps->used >= sizeof(ps->out->text))
        return fail(ps, -ENAMETOOLONG, "line too long");
    ps->out->text[ps->used++] = c;
    return 0;
}

/* Read one word at ps->p (which is not blank or special) into out->text.
 * Returns 0 and the word's start in *word, or a negative error. */
static int read_word(struct parser *ps, char **word)
{
    *word = ps->out->text + ps->used;
    int err = 0;
    while (!err && !is_special(*ps->p)) {
        char c = *ps->p++;
        if (c == '\'') {
            while (*ps->p != '\'') {
                if (*ps->p == '\0')
                    return fail(ps, -EINVAL, "unterminated single quote");
                if ((err = put(ps, *ps->p++)))
                    return err;
            }
            ps->p++;
        } else if (c == '"') {
            while (*ps->p != '"') {
                if (*ps->p == '\0')
                    return fail(ps, -EINVAL, "unterminated double quote");
                if (*ps->p == '\\' && (ps->p[1] == '"' || ps->p[1] == '\\' || ps->p[1] == '$'))
                    ps->p++;
                if ((err = put(ps, *ps->p++)))
                    return err;
            }
            ps->p++;
        } else if (c == '\\' && *ps->p != '\0') {
            err = put(ps, *ps->p++);
        } else {
            err = put(ps, c);
        }
    }
    return err ? err : put(ps, '\0');
}

static void skip_blanks(struct parser *ps)
{
    while (is_blank(*ps->p))
        ps->p++;
}

/* Close the command being built, if any, with the NULL that ends its argv. A
 * command is opened only for a word or a redirection, so none is empty, and the
 * pool has a slot for every word (SHELL_MAX_WORDS) and every NULL
 * (SHELL_MAX_COMMANDS). */
static void end_command(struct parser *ps)
{
    if (ps->cmd) {
        ps->out->argv_pool[ps->npool++] = NULL;
        ps->cmd = NULL;
    }
}

static int begin_command(struct parser *ps)
{
    if (ps->cmd)
        return 0;
    if (ps->out->ncommands >= SHELL_MAX_COMMANDS)
        return fail(ps, -E2BIG, "too many commands (the limit is 16)");
    ps->cmd = &ps->out->commands[ps->out->ncommands++];
    ps->cmd->argc = 0;
    ps->cmd->argv = &ps->out->argv_pool[ps->npool];
    ps->cmd->redirect = NULL;
    ps->cmd->append = false;
    return 0;
}

static int redirection(struct parser *ps)
{
    ps->p++; /* '>' */
    bool append = false;
    if (*ps->p == '>') {
        append = true;
        ps->p++;
    }
    if (ps->cmd->redirect)
        return fail(ps, -EINVAL, "only one output redirection per command");
    skip_blanks(ps);
    if (is_special(*ps->p) || *ps->p == '#')
        return fail(ps, -EINVAL, "redirection without a target");
    char *target;
    int err = read_word(ps, &target);
    if (err)
        return err;
    if (target[0] == '\0')
        return fail(ps, -EINVAL, "redirection to an empty file name");
    ps->cmd->redirect = target;
    ps->cmd->append = append;
    return 0;
}

int shell_parse(const char *line, struct shell_cmdline *out)
{
    struct parser ps = { .p = line, .out = out };
    out->ncommands = 0;
    out->error = NULL;
    if (strnlen(line, SHELL_LINE_MAX) >= SHELL_LINE_MAX)
        return fail(&ps, -ENAMETOOLONG, "line too long (the limit is 1023 bytes)");
    int err = 0;
    for (;;) {
        skip_blanks(&ps);
        char c = *ps.p;
        if (c == '\0' || c == '#') /* '#' here starts a word: a comment */
            break;
        if (c == ';') {
            ps.p++;
            end_command(&ps);
        } else if (c == '|') {
            err = fail(&ps, -EINVAL, "pipes ('|') are not supported");
        } else if (c == '<') {
            err = fail(&ps, -EINVAL, "input redirection ('<') is not supported");
        } else if (c == '&') {
            err = fail(&ps, -EINVAL, "'&' is not supported (separate commands with ';')");
        } else if ((err = begin_command(&ps)) == 0) {
            if (c == '>') {
                err = redirection(&ps);
            } else if (ps.nwords >= SHELL_MAX_WORDS) {
                err = fail(&ps, -E2BIG, "too many words (the limit is 64)");
            } else {
                char *word;
                if ((err = read_word(&ps, &word)) == 0) {
                    out->argv_pool[ps.npool++] = word;
                    ps.cmd->argc++;
                    ps.nwords++;
                }
            }
        }
        if (err)
            break;
    }
    end_command(&ps);
    if (err) {
        out->ncommands = 0;
        return err;
    }
    return out->ncommands;
}
