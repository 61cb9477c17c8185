/*
 * shell.c - the shell core (shell/shell.h): prompt, run loop, dispatch and
 * output redirection.
 *
 * Layer: on top of the line editor (editor.c), history (history.c) and parser
 * (parse.c); below the commands, which reach the world only through the hooks
 * in `struct shell_config`. Interface: shell_init, _register, _start,
 * _input_byte, _run, _execute, and the output calls for handlers
 * (shell_write, shell_printf, shell_eprintf, shell_usage).
 *
 * Flow: input byte -> editor; a finished line -> shell_parse -> for each
 * command: open the redirection (cfg.open_output), look the name up, call the
 * handler with sh->out pointing at the redirection, close it, record the status
 * -> the next prompt. Command output that did not end in a newline gets one
 * before the prompt, so the prompt always starts a row.
 */
#include "builtins.h"
#include <k/errno.h>
#include <k/kprintf.h>
#include <shell/shell.h>
#include <string.h>

/* ---- output ---- */

static void term_write(struct shell *sh, const char *buf, size_t n)
{
    if (n)
        sh->cfg.io->write(sh->cfg.io_ctx, buf, n);
}

/* Command output to the terminal: remember whether the row was left open. */
static void term_output(struct shell *sh, const char *buf, size_t n)
{
    if (n) {
        term_write(sh, buf, n);
        sh->partial_line = buf[n - 1] != '\n';
    }
}

void shell_write(struct shell *sh, const char *buf, size_t n)
{
    const struct shell_output *o = sh->out;
    if (!o) {
        term_output(sh, buf, n);
        return;
    }
    /* After the first failed write, drop the rest: the error is reported once. */
    while (n && !sh->out_err) {
        int r = o->write(o->ctx, buf, n);
        if (r < 0)
            sh->out_err = r;
        else if (r == 0 || (size_t)r > n)
            sh->out_err = -EIO;
        else {
            buf += r;
            n -= (size_t)r;
        }
    }
}

static void out_sink(void *ctx, const char *s, size_t n)
{
    shell_write(ctx, s, n);
}

static void err_sink(void *ctx, const char *s, size_t n)
{
    term_output(ctx, s, n);
}

int shell_vprintf(struct shell *sh, const char *fmt, va_list ap)
{
    return kvformat(out_sink, sh, fmt, ap);
}

int shell_printf(struct shell *sh, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvformat(out_sink, sh, fmt, ap);
    va_end(ap);
    return n;
}

int shell_eprintf(struct shell *sh, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvformat(err_sink, sh, fmt, ap);
    va_end(ap);
    return n;
}

int shell_usage(struct shell *sh, const char *name)
{
    const struct shell_cmd *c = shell_find(sh, name);
    if (c && c->usage) {
        const char *nl = strchr(c->usage, '\n');
        int n = nl ? (int)(nl - c->usage) : (int)strlen(c->usage);
        shell_eprintf(sh, "usage: %.*s\n", n, c->usage);
    } else {
        shell_eprintf(sh, "usage: %s ...\n", name);
    }
    return SHELL_STATUS_SYNTAX;
}

/* ---- the editor's hooks ---- */

static void editor_write(void *ctx, const char *buf, size_t n)
{
    term_write(ctx, buf, n);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Tab: command names for the first word of a command, paths for the others. */
static void complete(void *ctx, const char *line, size_t word_start, struct shell_completions *out)
{
    struct shell *sh = ctx;
    size_t i = word_start;
    while (i > 0 && is_blank(line[i - 1]))
        i--;
    if (i == 0 || line[i - 1] == ';') {
        for (unsigned k = 0; k < sh->ncmds; k++)
            shell_completion_add(out, sh->cmds[k]->name);
        return;
    }
    if (sh->cfg.complete_path)
        sh->cfg.complete_path(sh->cfg.ctx, out->word, out);
}

/* ---- setup ---- */

int shell_init(struct shell *sh, const struct shell_config *cfg)
{
    if (!cfg || !cfg->io || !cfg->io->write)
        return -EINVAL;
    memset(sh, 0, sizeof(*sh));
    sh->cfg = *cfg;
    shell_history_init(&sh->history);
    struct shell_editor_config ec = {
        .write = editor_write,
        .write_ctx = sh,
        .complete = complete,
        .complete_ctx = sh,
        .history = &sh->history,
        .cols = cfg->cols,
    };
    shell_editor_init(&sh->ed, &ec);
    return shell_builtins_register(sh);
}

const struct shell_cmd *shell_find(const struct shell *sh, const char *name)
{
    for (unsigned i = 0; i < sh->ncmds; i++)
        if (strcmp(sh->cmds[i]->name, name) == 0)
            return sh->cmds[i];
    return NULL;
}

int shell_register(struct shell *sh, const struct shell_cmd *cmds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct shell_cmd *c = &cmds[i];
        if (!c->name || !c->name[0] || !c->run)
            return -EINVAL;
        if (shell_find(sh, c->name))
            return -EEXIST;
        if (sh->ncmds == SHELL_MAX_CMDS)
            return -ENOSPC;
        sh->cmds[sh->ncmds++] = c;
    }
    return 0;
}

/* ---- running commands ---- */

static int open_redirect(struct shell *sh, const struct shell_command *cmd, struct shell_output *o)
{
    if (!sh->cfg.open_output) {
        shell_eprintf(sh, "sh: %s: redirection is not supported\n", cmd->redirect);
        return -ENOSYS;
    }
    memset(o, 0, sizeof(*o));
    int r = sh->cfg.open_output(sh->cfg.ctx, cmd->redirect, cmd->append, o);
    if (r == 0 && !o->write) {
        if (o->close)
            o->close(o->ctx);
        r = -EINVAL;
    }
    if (r < 0)
        shell_eprintf(sh, "sh: %s: %s\n", cmd->redirect, k_strerror(r));
    return r;
}

static int dispatch(struct shell *sh, const struct shell_command *cmd)
{
    if (cmd->argc == 0)
        return 0; /* a bare redirection: opening the file was the point */
    const struct shell_cmd *c = shell_find(sh, cmd->argv[0]);
    if (!c && sh->cfg.run_program && strchr(cmd->argv[0], '/'))
        return sh->cfg.run_program(sh->cfg.ctx, cmd->argc, cmd->argv);
    if (!c) {
        shell_eprintf(sh, "%s: command not found (try 'help')\n", cmd->argv[0]);
        return SHELL_STATUS_NOT_FOUND;
    }
    int r = c->run(sh, cmd->argc, cmd->argv);
    if (r < 0) {
        shell_eprintf(sh, "%s: %s\n", cmd->argv[0], k_strerror(r));
        return 1;
    }
    return r;
}

static int run_command(struct shell *sh, const struct shell_command *cmd)
{
    struct shell_output o;
    if (cmd->redirect) {
        if (open_redirect(sh, cmd, &o) < 0)
            return 1;
        sh->out = &o;
        sh->out_err = 0;
    }
    int status = dispatch(sh, cmd);
    if (cmd->redirect) {
        sh->out = NULL;
        int err = sh->out_err;
        int cerr = o.close ? o.close(o.ctx) : 0;
        if (!err)
            err = cerr;
        if (err < 0) {
            shell_eprintf(sh, "sh: %s: %s\n", cmd->redirect, k_strerror(err));
            if (status == 0)
                status = 1;
        }
    }
    return status;
}

int shell_execute(struct shell *sh, const char *line)
{
    if (sh->running) {
        /* The parsed line (and the argv of the command running) would be overwritten. */
        shell_eprintf(sh, "sh: a command cannot run another command line\n");
        return 1;
    }
    int n = shell_parse(line, &sh->cmdline);
    if (n < 0) {
        shell_eprintf(sh, "sh: %s\n", sh->cmdline.error);
        sh->status = SHELL_STATUS_SYNTAX;
        return sh->status;
    }
    sh->running = true;
    for (int i = 0; i < n; i++)
        sh->status = run_command(sh, &sh->cmdline.commands[i]);
    sh->running = false;
    return sh->status;
}

/* ---- the prompt and input ---- */

static void prompt(struct shell *sh)
{
    char *p = sh->prompt;
    p[0] = '\0';
    if (sh->cfg.prompt) {
        /* Leave room for the "$ " the core may have to add. */
        sh->cfg.prompt(sh->cfg.ctx, p, SHELL_PROMPT_MAX - 2);
        p[SHELL_PROMPT_MAX - 3] = '\0';
    }
    size_t n = strlen(p);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] >= 0x7f)
            p[i] = '?';
    if (n < 2 || p[n - 2] != '$' || p[n - 1] != ' ')
        memcpy(p + n, "$ ", 3);
    if (sh->partial_line)
        term_write(sh, "\n", 1);
    sh->partial_line = false;
    shell_editor_start(&sh->ed, p);
}

void shell_start(struct shell *sh)
{
    prompt(sh);
}

void shell_input_byte(struct shell *sh, uint8_t byte)
{
    switch (shell_editor_feed(&sh->ed, byte)) {
    case SHELL_EDITOR_LINE:
        shell_execute(sh, shell_editor_line(&sh->ed, NULL));
        if (!sh->stop)
            prompt(sh);
        break;
    case SHELL_EDITOR_INTERRUPT:
        sh->status = SHELL_STATUS_INTERRUPT;
        prompt(sh);
        break;
    default:
        break;
    }
}

int shell_run(struct shell *sh)
{
    if (!sh->cfg.io->getc)
        return -EINVAL;
    sh->stop = false;
    shell_start(sh);
    while (!sh->stop) {
        int c = sh->cfg.io->getc(sh->cfg.io_ctx);
        if (c < 0)
            return c;
        shell_input_byte(sh, (uint8_t)c);
    }
    return 0;
}

void shell_redraw(struct shell *sh)
{
    shell_editor_redraw(&sh->ed);
}

void shell_stop(struct shell *sh)
{
    sh->stop = true;
}

int shell_status(const struct shell *sh)
{
    return sh->status;
}

void *shell_context(const struct shell *sh)
{
    return sh->cfg.ctx;
}

const struct shell_history *shell_get_history(const struct shell *sh)
{
    return &sh->history;
}
