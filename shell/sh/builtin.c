/*
 * builtin.c - the built-in commands that change the shell itself: variables,
 * options, control flow, directories, jobs, traps (XCU 2.14 and the regular
 * built-ins of XCU 1.7). test, echo and printf are in builtin_io.c.
 *
 * Interface: the table sh_builtins[] and sh_find_builtin(). A built-in is
 * `int fn(int argc, char **argv)` returning its exit status; it writes with
 * sh_out*() (flushed by the caller) and reports errors with sh_error().
 */
#include "sh.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int usage(const char *msg)
{
    sh_error("usage: %s", msg);
    return 2;
}

static int bi_colon(int argc, char **argv)
{
    return 0;
}

static int bi_false(int argc, char **argv)
{
    return 1;
}

static int bi_dot(int argc, char **argv)
{
    if (argc < 2)
        return usage(". file [args...]");
    char *path = NULL;
    if (strchr(argv[1], '/'))
        path = sh_strdup(argv[1]);
    else if (!(path = sh_find_path(argv[1])))
        path = access(argv[1], R_OK) == 0 ? sh_strdup(argv[1]) : NULL;
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) {
        sh_error(".: %s: %s", argv[1], path ? strerror(errno) : "not found");
        free(path);
        if (!sh.interactive)
            sh_exit(2);
        return 2;
    }
    struct sh_str text = { 0 };
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof(buf), f)) > 0)
        sh_str_addn(&text, buf, k);
    fclose(f);
    free(path);
    if (sh.dot_depth >= 100) {
        sh_str_free(&text);
        sh_error(".: nested too deeply");
        return 2;
    }
    char **saved = NULL;
    int nsaved = 0;
    if (argc > 2) {
        sh_params_save(&saved, &nsaved);
        sh_setparams(argc - 2, argv + 2);
    }
    sh.dot_depth++;
    int st = sh_eval_string(text.s ? text.s : "", text.len, 0);
    sh.dot_depth--;
    if (sh.skip == SH_SKIP_RETURN && sh.func_depth == 0) {
        sh.skip = SH_SKIP_NONE;
        st = sh.status;
    }
    if (argc > 2)
        sh_params_restore(saved, nsaved);
    sh_str_free(&text);
    return st;
}

static int bi_eval(int argc, char **argv)
{
    struct sh_str s = { 0 };
    for (int i = 1; i < argc; i++) {
        if (i > 1)
            sh_str_addc(&s, ' ');
        sh_str_adds(&s, argv[i]);
    }
    int st = s.s ? sh_eval_string(s.s, s.len, 0) : 0;
    sh_str_free(&s);
    return st;
}

static int bi_exec(int argc, char **argv)
{
    if (argc < 2)
        return 0; /* the redirections stay (exec.c) */
    sh_out_flush();
    sh_tty_restore();
    char **env = sh_environ(NULL);
    sh_child_signals(false);
    sh.in_child = true; /* a failure ends the shell, as POSIX asks */
    sh_exec_program(argv + 1, env);
}

static int parse_status(const char *name, const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end) {
        sh_error("%s: %s: numeric argument required", name, s);
        return -1;
    }
    *out = (int)(v & 0xff);
    return 0;
}

static int bi_exit(int argc, char **argv)
{
    int st = sh.status;
    if (argc > 1 && parse_status("exit", argv[1], &st) < 0)
        st = 2;
    sh_exit(st);
}

static int bi_export(int argc, char **argv)
{
    int flag = strcmp(argv[0], "export") == 0 ? SH_VAR_EXPORT : SH_VAR_READONLY;
    int i = 1;
    if (i < argc && strcmp(argv[i], "-p") == 0)
        i++;
    if (i == argc) {
        sh_vars_print(flag, argv[0]);
        return 0;
    }
    int st = 0;
    for (; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
        if (!sh_is_name(argv[i], n)) {
            sh_error("%s: %s: bad variable name", argv[0], argv[i]);
            st = 1;
            continue;
        }
        char *name = sh_strndup(argv[i], n);
        if (eq) {
            if (sh_setvar(name, eq + 1, flag) < 0)
                st = 1;
        } else {
            sh_setvar_flags(name, flag);
        }
        free(name);
    }
    return st;
}

static int bi_return(int argc, char **argv)
{
    int st = sh.status;
    if (argc > 1 && parse_status("return", argv[1], &st) < 0)
        st = 2;
    if (sh.func_depth == 0 && sh.dot_depth == 0) {
        sh_error("return: can only return from a function or sourced script");
        return 1;
    }
    sh.skip = SH_SKIP_RETURN;
    sh.status = st;
    return st;
}

static int bi_break(int argc, char **argv)
{
    int n = 1;
    if (argc > 1 && ((n = atoi(argv[1])) < 1)) {
        sh_error("%s: %s: bad number", argv[0], argv[1]);
        return 1;
    }
    if (sh.loop_depth == 0)
        return 0;
    if (n > sh.loop_depth)
        n = sh.loop_depth;
    sh.skip = strcmp(argv[0], "break") == 0 ? SH_SKIP_BREAK : SH_SKIP_CONTINUE;
    sh.skip_count = n;
    return 0;
}

static bool *option(char c)
{
    switch (c) {
    case 'e': return &sh.opt_e;
    case 'u': return &sh.opt_u;
    case 'x': return &sh.opt_x;
    case 'f': return &sh.opt_f;
    case 'n': return &sh.opt_n;
    case 'v': return &sh.opt_v;
    case 'C': return &sh.opt_C;
    default: return NULL;
    }
}

static const struct {
    const char *name;
    char letter;
} long_opts[] = { { "errexit", 'e' }, { "nounset", 'u' }, { "xtrace", 'x' }, { "noglob", 'f' },
                  { "noexec", 'n' },  { "verbose", 'v' }, { "noclobber", 'C' } };

int sh_set_option(char c, bool on)
{
    bool *o = option(c);
    if (!o)
        return -1;
    *o = on;
    return 0;
}

int sh_set_long_option(const char *name, bool on)
{
    for (size_t k = 0; k < sizeof(long_opts) / sizeof(long_opts[0]); k++) {
        if (strcmp(long_opts[k].name, name) == 0)
            return sh_set_option(long_opts[k].letter, on);
    }
    sh_error("set: %s: unknown option", name);
    return -1;
}

/* set's options; *next: the first parameter. Returns 1 if the parameters
 * are to be replaced, 0 if not, -1 on a bad option. */
static int set_options(int argc, char **argv, int *next)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            *next = i + 1;
            return 1; /* parameters follow, even none */
        }
        if ((a[0] != '-' && a[0] != '+') || !a[1])
            break;
        bool on = a[0] == '-';
        if (a[1] == 'o' && !a[2]) {
            if (i + 1 >= argc) {
                for (size_t k = 0; k < sizeof(long_opts) / sizeof(long_opts[0]); k++)
                    sh_outf("%-12s%s\n", long_opts[k].name,
                            *option(long_opts[k].letter) ? "on" : "off");
                continue;
            }
            if (sh_set_long_option(argv[++i], on) < 0)
                return -1;
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            if (sh_set_option(*c, on) < 0) {
                sh_error("set: -%c: unknown option", *c);
                return -1;
            }
        }
    }
    *next = i;
    return i < argc;
}

static int bi_set(int argc, char **argv)
{
    if (argc == 1) {
        sh_vars_print(0, NULL);
        return 0;
    }
    int next;
    int r = set_options(argc, argv, &next);
    if (r < 0)
        return 2;
    if (r > 0)
        sh_setparams(argc - next, argv + next);
    return 0;
}

static int bi_shift(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 0 || n > sh_nparams) {
        sh_error("shift: can't shift that many");
        return 1;
    }
    for (int i = 0; i < n; i++)
        free(sh_params[i]);
    memmove(sh_params, sh_params + n, sizeof(char *) * (size_t)(sh_nparams - n + 1));
    sh_nparams -= n;
    return 0;
}

static int bi_trap(int argc, char **argv)
{
    if (argc == 1) {
        sh_traps_print();
        return 0;
    }
    if (strcmp(argv[1], "-l") == 0) {
        sh_signals_list();
        return 0;
    }
    int i = 1;
    if (strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc)
        return 0;
    const char *action = argv[i];
    /* "trap N ..." with a number first resets, as does "-" */
    bool reset = strcmp(action, "-") == 0 || sh_signum(action) >= 0;
    if (!reset || strcmp(action, "-") == 0)
        i++;
    int st = 0;
    for (; i < argc; i++) {
        int sig = sh_signum(argv[i]);
        if (sig < 0) {
            sh_error("trap: %s: bad trap", argv[i]);
            st = 1;
            continue;
        }
        if (sh_set_trap(sig, reset ? NULL : action))
            st = 1;
    }
    return st;
}

static int bi_unset(int argc, char **argv)
{
    bool funcs = false;
    int i = 1, st = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-f") == 0)
            funcs = true;
        else if (strcmp(argv[i], "-v") != 0)
            break;
    }
    for (; i < argc; i++) {
        if (funcs)
            sh_unset_func(argv[i]);
        else if (sh_unsetvar(argv[i]) < 0)
            st = 1;
    }
    return st;
}

static int bi_cd(int argc, char **argv)
{
    int i = 1;
    while (i < argc && (strcmp(argv[i], "-L") == 0 || strcmp(argv[i], "-P") == 0))
        i++;
    const char *dir = i < argc ? argv[i] : sh_getvar("HOME");
    bool print = false;
    if (!dir || !*dir) {
        sh_error("cd: HOME not set");
        return 1;
    }
    if (strcmp(dir, "-") == 0) {
        dir = sh_getvar("OLDPWD");
        if (!dir) {
            sh_error("cd: OLDPWD not set");
            return 1;
        }
        print = true;
    }
    char *old = getcwd(NULL, 0);
    if (chdir(dir) < 0) {
        sh_error("cd: %s: %s", dir, strerror(errno));
        free(old);
        return 1;
    }
    char *now = getcwd(NULL, 0);
    if (old)
        sh_setvar("OLDPWD", old, 0);
    if (now)
        sh_setvar("PWD", now, 0);
    if (print && now)
        sh_outf("%s\n", now);
    free(old);
    free(now);
    return 0;
}

static int bi_pwd(int argc, char **argv)
{
    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        sh_error("pwd: %s", strerror(errno));
        return 1;
    }
    sh_outf("%s\n", cwd);
    free(cwd);
    return 0;
}

static int bi_wait(int argc, char **argv)
{
    if (argc == 1)
        return sh_wait_job(0);
    int st = 0;
    for (int i = 1; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (*end || pid <= 0) {
            sh_error("wait: %s: not a pid", argv[i]);
            return 2;
        }
        st = sh_wait_job((pid_t)pid);
    }
    return st;
}

static int bi_umask(int argc, char **argv)
{
    bool sym = argc > 1 && strcmp(argv[1], "-S") == 0;
    int i = sym ? 2 : 1;
    mode_t m = umask(0);
    umask(m);
    if (i >= argc) {
        if (sym) {
            mode_t p = ~m & 0777;
            char buf[32];
            snprintf(buf, sizeof(buf), "u=%s%s%s,g=%s%s%s,o=%s%s%s", p & 0400 ? "r" : "",
                     p & 0200 ? "w" : "", p & 0100 ? "x" : "", p & 040 ? "r" : "",
                     p & 020 ? "w" : "", p & 010 ? "x" : "", p & 04 ? "r" : "", p & 02 ? "w" : "",
                     p & 01 ? "x" : "");
            sh_outf("%s\n", buf);
        } else {
            sh_outf("%04o\n", (unsigned)m);
        }
        return 0;
    }
    char *end;
    long v = strtol(argv[i], &end, 8);
    if (*end || v < 0 || v > 0777) {
        sh_error("umask: %s: only octal masks are supported", argv[i]);
        return 1;
    }
    umask((mode_t)v);
    return 0;
}

/* read [-r] name...: one line from stdin, a byte at a time so that the rest
 * stays for the next reader. */
static int bi_read(int argc, char **argv)
{
    bool raw = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "-r") == 0)
            raw = true;
        else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else
            return usage("read [-r] [name...]");
    }
    struct sh_str line = { 0 };
    sh_str_adds(&line, "");
    /* escaped[k]: line.s[k] was escaped with a backslash (not a separator) */
    struct sh_str escaped = { 0 };
    sh_str_adds(&escaped, "");
    bool eof = true;
    for (;;) {
        char c;
        ssize_t k = read(0, &c, 1);
        if (k < 0 && errno == EINTR) {
            if (sh_got_sigint)
                break;
            continue;
        }
        if (k <= 0)
            break;
        if (c == '\n') {
            eof = false;
            break;
        }
        if (c == '\\' && !raw) {
            k = read(0, &c, 1);
            if (k <= 0)
                break;
            if (c == '\n')
                continue;
            sh_str_addc(&line, c);
            sh_str_addc(&escaped, 1);
            continue;
        }
        sh_str_addc(&line, c);
        sh_str_addc(&escaped, 0);
    }
    const char *ifs = sh_getvar("IFS");
    if (!ifs)
        ifs = " \t\n";
    const char *names_default[] = { "REPLY", NULL };
    char **names = i < argc ? argv + i : (char **)names_default;
    size_t pos = 0, n = line.len;
#define IS_SEP(k) (!escaped.s[k] && strchr(ifs, line.s[k]) && line.s[k])
#define IS_WS(k) (IS_SEP(k) && strchr(" \t\n", line.s[k]))
    while (pos < n && IS_WS(pos))
        pos++;
    for (char **nm = names; *nm; nm++) {
        size_t start = pos, end;
        if (!nm[1]) {
            end = n;
            while (end > start && IS_WS(end - 1))
                end--;
            pos = n;
        } else {
            while (pos < n && !IS_SEP(pos))
                pos++;
            end = pos;
            while (pos < n && IS_WS(pos))
                pos++;
            if (pos < n && IS_SEP(pos)) {
                pos++;
                while (pos < n && IS_WS(pos))
                    pos++;
            }
        }
        char *v = sh_strndup(line.s + start, end - start);
        int r = sh_setvar(*nm, v, 0);
        free(v);
        if (r < 0) {
            eof = true;
            break;
        }
    }
#undef IS_SEP
#undef IS_WS
    sh_str_free(&line);
    sh_str_free(&escaped);
    return eof ? 1 : 0;
}

static int describe(const char *name, bool brief)
{
    static const char *const keywords[] = { "if", "then", "else", "elif", "fi", "while", "until",
                                            "for", "do", "done", "case", "esac", "in", "{", "}",
                                            "!" };
    for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
        if (strcmp(name, keywords[i]) == 0) {
            sh_outf(brief ? "%s\n" : "%s is a shell keyword\n", name);
            return 0;
        }
    }
    if (sh_find_func(name)) {
        sh_outf(brief ? "%s\n" : "%s is a function\n", name);
        return 0;
    }
    const struct sh_builtin *b = sh_find_builtin(name);
    if (b) {
        sh_outf(brief ? "%s\n" : "%s is a %sshell builtin\n", name, b->special ? "special " : "");
        return 0;
    }
    char *path = strchr(name, '/') ? (access(name, X_OK) == 0 ? sh_strdup(name) : NULL)
                                   : sh_find_path(name);
    if (path) {
        sh_outf(brief ? "%s\n" : "%s is %s\n", brief ? path : name, path);
        free(path);
        return 0;
    }
    if (!brief)
        sh_error("%s: not found", name);
    return 1;
}

static int bi_type(int argc, char **argv)
{
    int st = 0;
    for (int i = 1; i < argc; i++)
        st |= describe(argv[i], false);
    return st;
}

static int bi_command(int argc, char **argv)
{
    int i = 1;
    bool v = false, V = false;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0)
            v = true;
        else if (strcmp(argv[i], "-V") == 0)
            V = true;
        else if (strcmp(argv[i], "-p") != 0)
            break;
    }
    if (i >= argc)
        return 0;
    if (v || V) {
        int st = 0;
        for (; i < argc; i++)
            st |= describe(argv[i], v);
        return st;
    }
    /* command name args: skip functions */
    const struct sh_builtin *b = sh_find_builtin(argv[i]);
    if (b)
        return b->fn(argc - i, argv + i);
    sh_out_flush();
    pid_t pid = fork();
    if (pid == 0) {
        sh_child_signals(false);
        sh.in_child = true;
        sh_exec_program(argv + i, sh_environ(NULL));
    }
    if (pid < 0) {
        sh_error("fork: %s", strerror(errno));
        return 2;
    }
    int ws;
    sh_ignore_sigint(true);
    sh_wait_pid(pid, &ws);
    sh_ignore_sigint(false);
    return sh_status_of(ws, true);
}

static int bi_history(int argc, char **argv)
{
    sh_history_print();
    return 0;
}

static int bi_help(int argc, char **argv)
{
    sh_outs("Kestrel sh: a POSIX shell. Built-in commands:\n");
    for (const struct sh_builtin *b = sh_builtins; b->name; b++)
        sh_outf("  %-10s %s\n", b->name, b->help);
    sh_outs("Grammar: ; & && || | ! ( ) { } if while until for case, functions,\n"
            "redirections < > >> >| <> <& >& << <<-, $VAR ${VAR...} $(cmd) `cmd` $((expr)),\n"
            "globs * ? [...], ~. Programs are found through $PATH.\n");
    return 0;
}

const struct sh_builtin sh_builtins[] = {
    { ".", bi_dot, true, "run a file's commands in this shell" },
    { ":", bi_colon, true, "do nothing, successfully" },
    { "[", sh_builtin_test, false, "test an expression: [ expr ]" },
    { "break", bi_break, true, "leave the innermost N loops" },
    { "cd", bi_cd, false, "change directory (cd -: the previous one)" },
    { "command", bi_command, false, "run a command, not a function; -v: say what a name is" },
    { "continue", bi_break, true, "next iteration of the innermost N loops" },
    { "echo", sh_builtin_echo, false, "print arguments (-n: no newline)" },
    { "eval", bi_eval, true, "run arguments as shell text" },
    { "exec", bi_exec, true, "replace the shell with a program, or keep redirections" },
    { "exit", bi_exit, true, "leave the shell with a status" },
    { "export", bi_export, true, "export variables to programs" },
    { "false", bi_false, false, "fail" },
    { "help", bi_help, false, "this list" },
    { "history", bi_history, false, "the lines entered at the terminal" },
    { "printf", sh_builtin_printf, false, "formatted output" },
    { "pwd", bi_pwd, false, "print the working directory" },
    { "read", bi_read, false, "read a line into variables (-r: raw)" },
    { "readonly", bi_export, true, "make variables read-only" },
    { "return", bi_return, true, "return from a function" },
    { "set", bi_set, true, "options (-e -u -x -f -n -v -C, -o name) and $1..." },
    { "shift", bi_shift, true, "drop the first N positional parameters" },
    { "test", sh_builtin_test, false, "test an expression" },
    { "trap", bi_trap, true, "run a command on a signal or at EXIT" },
    { "true", bi_colon, false, "succeed" },
    { "type", bi_type, false, "say what a name is" },
    { "umask", bi_umask, false, "file creation mask" },
    { "unset", bi_unset, true, "remove variables (-f: functions)" },
    { "wait", bi_wait, false, "wait for background jobs" },
    { NULL, NULL, false, NULL },
};

const struct sh_builtin *sh_find_builtin(const char *name)
{
    for (const struct sh_builtin *b = sh_builtins; b->name; b++)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}
