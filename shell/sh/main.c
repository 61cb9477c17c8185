/*
 * main.c - /bin/sh's entry point: options, the read-parse-run loop, and the
 * interactive terminal.
 *
 *   sh [-eux...] [-i] [-c text [name [arg...]]]
 *   sh [-eux...] [-s] [arg...]          commands from stdin
 *   sh [-eux...] script [arg...]
 *
 * Input comes one line at a time and is parsed as it arrives; a command that
 * goes on (an open quote, `if` without `fi`, a pending here-document) makes the
 * loop read another line (prompt $PS2) and parse again from its start. stdin
 * is read a byte at a time when it is not a terminal, so that commands see the
 * rest of it (`read`, `cat` in a script piped to sh).
 *
 * Interactive (stdin and stderr are terminals, or -i): lines come through the
 * line editor of shell/editor.c with the history of shell/history.c and Tab
 * completion (commands from $PATH and built-ins for the first word, file names
 * after). The terminal is put in raw mode with termios only while a line is
 * edited and restored before each command runs. Where termios is missing (a
 * console without a line discipline) the editor still runs on the bytes as
 * they come, and a read of 0 bytes means "nothing yet" rather than end of
 * file; ^D on an empty line ends the shell either way.
 */
#include "sh.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <shell/editor.h>
#include <shell/history.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct sh_state sh;

static struct shell_history hist;
static struct shell_editor ed;
static struct termios tty_orig;
static bool tty_termios; /* tcgetattr works: raw mode around editing */
static bool tty_raw;     /* raw mode is on now */
static bool use_editor;  /* stdin is a terminal: lines come through the editor */
static int in_fd = 0;    /* where commands come from */
static char *in_buf;     /* buffered input of a script file */
static size_t in_len, in_pos;

void sh_tty_restore(void)
{
    if (tty_raw) {
        tcsetattr(0, TCSADRAIN, &tty_orig);
        tty_raw = false;
    }
}

static void tty_make_raw(void)
{
    if (!tty_termios || tty_raw)
        return;
    struct termios t = tty_orig;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
    t.c_iflag &= ~(tcflag_t)(ICRNL | INLCR | IXON);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(0, TCSADRAIN, &t) == 0)
        tty_raw = true;
}

void sh_history_print(void)
{
    unsigned n = shell_history_count(&hist);
    for (unsigned i = n; i > 0; i--)
        sh_outf("%5u  %s\n", n - i + 1, shell_history_get(&hist, i - 1));
}

void sh_cleanup(void)
{
    sh_vars_free();
    sh_funcs_free();
    for (int s = 0; s < 65; s++) {
        free(sh.traps[s]);
        sh.traps[s] = NULL;
    }
    free(sh.self);
    sh.self = NULL;
    free(in_buf);
    in_buf = NULL;
    sh_out_flush();
}

/* ---- completion ---- */

static void complete_files(const char *word, struct shell_completions *out, bool only_exec)
{
    const char *slash = strrchr(word, '/');
    char *dir = slash ? sh_strndup(word, (size_t)(slash - word) + 1) : sh_strdup("");
    const char *base = slash ? slash + 1 : word;
    DIR *d = opendir(*dir ? dir : ".");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            if (e->d_name[0] == '.' && base[0] != '.')
                continue;
            if (strncmp(e->d_name, base, strlen(base)) != 0)
                continue;
            struct sh_str c = { 0 };
            sh_str_adds(&c, dir);
            sh_str_adds(&c, e->d_name);
            struct stat st;
            bool isdir = stat(c.s, &st) == 0 && S_ISDIR(st.st_mode);
            if (isdir)
                sh_str_addc(&c, '/');
            if (isdir || !only_exec || access(c.s, X_OK) == 0)
                shell_completion_add(out, c.s);
            sh_str_free(&c);
        }
        closedir(d);
    }
    free(dir);
}

static void complete(void *ctx, const char *line, size_t start, struct shell_completions *out)
{
    size_t i = start;
    while (i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\t'))
        i--;
    bool first = i == 0 || strchr(";|&(", line[i - 1]);
    if (!first || strchr(out->word, '/')) {
        complete_files(out->word, out, first);
        return;
    }
    for (const struct sh_builtin *b = sh_builtins; b->name; b++)
        shell_completion_add(out, b->name);
    const char *path = sh_getvar("PATH");
    while (path && *path) {
        const char *colon = strchr(path, ':');
        char *dir = colon ? sh_strndup(path, (size_t)(colon - path)) : sh_strdup(path);
        DIR *d = opendir(*dir ? dir : ".");
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL)
                if (e->d_name[0] != '.' && strncmp(e->d_name, out->word, out->word_len) == 0)
                    shell_completion_add(out, e->d_name);
            closedir(d);
        }
        free(dir);
        path = colon ? colon + 1 : NULL;
    }
}

static void term_write(void *ctx, const char *buf, size_t n)
{
    sh_write_all(2, buf, n);
}

/* ---- input ---- */

static char *prompt_text(bool continued)
{
    const char *ps = sh_getvar(continued ? "PS2" : "PS1");
    if (ps)
        return sh_expand_one(ps, 0);
    if (continued)
        return sh_strdup("> ");
    char *cwd = getcwd(NULL, 0);
    struct sh_str p = { 0 };
    sh_str_adds(&p, cwd ? cwd : "?");
    sh_str_adds(&p, " $ ");
    free(cwd);
    return p.s;
}

static unsigned term_cols(void)
{
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* One line from the editor into @p buf (with its newline); false at EOF. */
static bool edit_line(struct sh_str *buf, bool continued)
{
    struct shell_editor_config cfg = { .write = term_write, .complete = complete,
                                       .history = &hist, .cols = term_cols() };
    if (!ed.cfg.write || ed.cfg.cols != cfg.cols)
        shell_editor_init(&ed, &cfg);
    char *prompt = prompt_text(continued);
    sh_out_flush();
    tty_make_raw();
    shell_editor_start(&ed, prompt ? prompt : "$ ");
    free(prompt);
    sh_got_sigint = 0;
    for (;;) {
        unsigned char c;
        ssize_t k = read(0, &c, 1);
        if (k < 0 && errno == EINTR) {
            if (sh_got_sigint) {
                sh_got_sigint = 0;
                c = 3; /* as if ^C was typed: a new line */
            } else {
                sh_run_pending_traps();
                continue;
            }
        } else if (k == 0 && !tty_termios) {
            /* No line discipline: nothing typed yet. Poll gently. */
            struct timespec ts = { 0, 20 * 1000 * 1000 };
            nanosleep(&ts, NULL);
            continue;
        } else if (k <= 0) {
            sh_tty_restore();
            term_write(NULL, "\n", 1);
            return false;
        }
        size_t len;
        shell_editor_line(&ed, &len);
        if (c == 4 && len == 0) {
            sh_tty_restore();
            term_write(NULL, "\n", 1);
            return false;
        }
        enum shell_editor_result r = shell_editor_feed(&ed, c);
        if (r == SHELL_EDITOR_LINE) {
            const char *line = shell_editor_line(&ed, &len);
            sh_str_addn(buf, line, len);
            sh_str_addc(buf, '\n');
            sh_tty_restore();
            return true;
        }
        if (r == SHELL_EDITOR_INTERRUPT) {
            sh.status = 130;
            buf->len = 0;
            if (buf->s)
                buf->s[0] = '\0';
            char *p = prompt_text(false);
            shell_editor_start(&ed, p);
            free(p);
        }
    }
}

/* One line of plain input (with its newline, if any); false at EOF. */
static bool plain_line(struct sh_str *buf)
{
    bool any = false;
    for (;;) {
        char c;
        if (in_buf || in_fd != 0) {
            if (in_pos == in_len) {
                if (!in_buf)
                    in_buf = sh_alloc(65536);
                ssize_t k = read(in_fd, in_buf, 65536);
                if (k < 0 && errno == EINTR)
                    continue;
                if (k <= 0)
                    return any;
                in_len = (size_t)k;
                in_pos = 0;
            }
            c = in_buf[in_pos++];
        } else {
            ssize_t k = read(0, &c, 1);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                return any;
        }
        any = true;
        sh_str_addc(buf, c);
        if (c == '\n')
            return true;
    }
}

static bool read_line(struct sh_str *buf, bool continued)
{
    size_t before = buf->len;
    bool ok;
    if (use_editor) {
        ok = edit_line(buf, continued);
    } else {
        if (sh.interactive) {
            char *p = prompt_text(continued);
            term_write(NULL, p, strlen(p));
            free(p);
        }
        ok = plain_line(buf);
    }
    if (ok && sh.opt_v)
        sh_write_all(2, buf->s + before, buf->len - before);
    return ok;
}

/* The read-parse-run loop over in_fd (or the editor). */
static void run_input(void)
{
    struct sh_str buf = { 0 };
    size_t done = 0; /* bytes of buf already run */
    int lineno = 1;
    bool eof = false;
    sh_str_adds(&buf, "");
    while (!eof) {
        sh_reap_jobs();
        if (!read_line(&buf, done < buf.len))
            eof = true;
        struct sh_parser p;
        sh_parser_init(&p, buf.s + done, buf.len - done, eof, lineno);
        for (;;) {
            struct sh_node *n;
            int r = sh_parse_command(&p, &n);
            if (r == SH_PARSE_MORE) {
                sh_arena_unref(p.arena);
                break;
            }
            done += p.pos;
            lineno = p.lineno;
            p.src += p.pos;
            p.len -= p.pos;
            p.pos = 0;
            if (r == SH_PARSE_OK) {
                sh.cur_arena = p.arena;
                sh_eval(n, 0);
                sh.cur_arena = NULL;
                sh.skip = SH_SKIP_NONE;
            } else if (r == SH_PARSE_ERR) {
                sh.status = 2;
                if (!sh.interactive) {
                    sh_arena_unref(p.arena);
                    sh_str_free(&buf);
                    sh_exit(2);
                }
            }
            sh_arena_unref(p.arena);
            if (r == SH_PARSE_EOF || r == SH_PARSE_ERR) {
                buf.len = done = 0;
                buf.s[0] = '\0';
                break;
            }
        }
        /* Keep the unparsed rest only; the parsed text is no longer needed. */
        if (done > 0) {
            memmove(buf.s, buf.s + done, buf.len - done + 1);
            buf.len -= done;
            done = 0;
        }
    }
    sh_str_free(&buf);
}

static char *find_self(const char *argv0)
{
    if (strchr(argv0, '/')) {
        char *r = realpath(argv0, NULL);
        if (r)
            return r;
    } else {
        char *p = sh_find_path(argv0);
        if (p)
            return p;
    }
    return sh_strdup("/bin/sh");
}

static void setup_interactive(void)
{
    use_editor = isatty(0);
    if (!use_editor)
        return; /* sh -i on a pipe: prompts, but plain lines */
    tty_termios = tcgetattr(0, &tty_orig) == 0;
    sh.tty_fd = fcntl(0, F_DUPFD_CLOEXEC, 10);
    /* Job control needs a real terminal: termios and process groups. */
    if (tty_termios && sh.tty_fd >= 0 && tcgetpgrp(sh.tty_fd) >= 0) {
        sh.pgid = getpgrp();
        /* Lead our own process group and own the terminal. */
        if (getpid() != getsid(0) && setpgid(0, 0) == 0)
            sh.pgid = getpid();
        sh.jobctl = tcsetpgrp(sh.tty_fd, sh.pgid) == 0;
    }
    shell_history_init(&hist);
}

int main(int argc, char **argv)
{
    extern char **environ;
    sh.pid = getpid();
    sh.tty_fd = -1;
    sh_vars_init(environ);
    sh.self = find_self(argv[0]);
    sh.arg0 = argv[0];
    bool opt_c = false, opt_s = false, opt_i = false;
    int next = 1;
    for (; next < argc; next++) {
        const char *a = argv[next];
        if (strcmp(a, "--") == 0) {
            next++;
            break;
        }
        if ((a[0] != '-' && a[0] != '+') || !a[1])
            break;
        bool on = a[0] == '-';
        if (a[1] == 'o' && !a[2]) {
            if (next + 1 < argc && sh_set_long_option(argv[++next], on) < 0) {
                sh_cleanup();
                return 2;
            }
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            if (*c == 'c')
                opt_c = on;
            else if (*c == 's')
                opt_s = on;
            else if (*c == 'i')
                opt_i = on;
            else if (sh_set_option(*c, on) < 0) {
                sh_error("-%c: unknown option", *c);
                sh_cleanup();
                return 2;
            }
        }
    }
    char *cwd = getcwd(NULL, 0);
    if (cwd) {
        sh_setvar("PWD", cwd, SH_VAR_EXPORT);
        free(cwd);
    }
    if (opt_c) {
        if (next >= argc) {
            sh_error("-c: option requires an argument");
            sh_cleanup();
            return 2;
        }
        const char *text = argv[next++];
        if (next < argc)
            sh.arg0 = argv[next++];
        sh_setparams(argc - next, argv + next);
        sh.interactive = opt_i;
        sh_signals_init();
        sh_eval_string(text, strlen(text), SH_EV_EXIT);
    }
    if (!opt_s && next < argc) {
        const char *script = argv[next++];
        int fd = open(script, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            sh_error("%s: %s", script, strerror(errno));
            sh_cleanup();
            return errno == ENOENT ? 127 : 126;
        }
        in_fd = fcntl(fd, F_DUPFD_CLOEXEC, 10);
        close(fd);
        sh.arg0 = (char *)script;
    }
    sh_setparams(argc - next, argv + next);
    sh.interactive = opt_i || (in_fd == 0 && isatty(0) && isatty(2));
    if (sh.interactive && in_fd == 0)
        setup_interactive();
    sh_signals_init();
    run_input();
    sh_exit(sh.status);
}
