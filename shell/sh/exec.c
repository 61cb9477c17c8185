/*
 * exec.c - running syntax trees (XCU 2.9): simple commands, pipelines,
 * lists, compound commands and function calls.
 *
 * Interface: sh_eval(), sh_eval_string(), sh_command_output(). Layer: above
 * expand.c, redir.c and jobs.c; calls the built-ins of builtin*.c.
 *
 * Processes: a command runs in a child made with fork() unless it is a
 * built-in or function, or SH_EV_EXIT says this process is about to end
 * anyway (the last command of `sh -c`, of a subshell or of a pipeline stage),
 * in which case it replaces the process. Each stage of a pipeline is a child.
 * With job control (an interactive shell on a terminal) each foreground
 * pipeline gets its own process group, which becomes the terminal's
 * foreground group until it ends, so ^C reaches the job and not the shell.
 *
 * Redirections of a built-in, function or compound command are undone
 * afterwards (redir.c); a program's are made in its child.
 */
#include "sh.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* ---- processes ---- */

/* Fork a child. Job control: the child joins *pgid (a new group if 0), which
 * becomes the terminal's foreground group if @p fg. */
static pid_t fork_child(pid_t *pgid, bool fg, bool background)
{
    sh_out_flush();
    pid_t pid = fork();
    if (pid < 0) {
        sh_error("fork: %s", strerror(errno));
        return -1;
    }
    bool jc = sh.jobctl && pgid;
    if (pid == 0) {
        if (jc) {
            setpgid(0, *pgid);
            if (fg && sh.tty_fd >= 0)
                tcsetpgrp(sh.tty_fd, *pgid ? *pgid : getpid());
        }
        sh_child_signals(background);
        sh.in_child = true;
        sh.jobctl = false;
        sh.interactive = false;
        sh_jobs_forget();
        return 0;
    }
    if (jc) {
        setpgid(pid, *pgid ? *pgid : pid);
        if (!*pgid) {
            *pgid = pid;
            if (fg && sh.tty_fd >= 0)
                tcsetpgrp(sh.tty_fd, pid);
        }
    }
    return pid;
}

/* Take the terminal back after a foreground job. */
static void reclaim_tty(void)
{
    if (sh.jobctl && sh.tty_fd >= 0)
        tcsetpgrp(sh.tty_fd, sh.pgid);
}

static int check_e(int status, int flags)
{
    sh.status = status;
    if (sh.opt_e && status != 0 && !(flags & SH_EV_TESTED) && !sh.exiting)
        sh_exit(status);
    return status;
}

static void xtrace(char **argv, char **assigns)
{
    struct sh_str b = { 0 };
    sh_str_adds(&b, "+");
    for (char **a = assigns; a && *a; a++) {
        sh_str_addc(&b, ' ');
        sh_str_adds(&b, *a);
    }
    for (char **a = argv; a && *a; a++) {
        sh_str_addc(&b, ' ');
        sh_str_adds(&b, *a);
    }
    sh_str_addc(&b, '\n');
    sh_out_flush();
    sh_write_all(2, b.s, b.len);
    sh_str_free(&b);
}

static int call_function(struct sh_node *f, int argc, char **argv, int flags)
{
    char **saved;
    int nsaved;
    if (sh.func_depth >= 1000) {
        sh_error("%s: functions nested too deeply", argv[0]);
        return 2;
    }
    sh_params_save(&saved, &nsaved);
    sh_setparams(argc - 1, argv + 1);
    struct sh_arena *a = f->arena;
    sh_arena_ref(a); /* the function may redefine itself */
    sh.func_depth++;
    int loops = sh.loop_depth;
    sh.loop_depth = 0;
    int st = sh_eval(f->a, flags & ~SH_EV_EXIT);
    sh.loop_depth = loops;
    sh.func_depth--;
    if (sh.skip == SH_SKIP_RETURN) {
        sh.skip = SH_SKIP_NONE;
        st = sh.status;
    }
    sh_arena_unref(a);
    sh_params_restore(saved, nsaved);
    return st;
}

/* Assignments before a regular built-in last only for it. */
struct tmpvar {
    char *name, *old;
    bool had;
};

static int eval_simple(struct sh_node *n, int flags)
{
    struct sh_vec argv = { 0 }, assigns = { 0 };
    int status = 0;
    sh.status_subst = 0;
    if (sh_expand_words(n->words, &argv) < 0)
        goto expand_failed;
    for (char **a = n->assigns; a && *a; a++) {
        const char *eq = strchr(*a, '=');
        char *v = sh_expand_one(eq + 1, SH_EXP_TILDE | SH_EXP_ASSIGN);
        if (!v)
            goto expand_failed;
        struct sh_str s = { 0 };
        sh_str_addn(&s, *a, (size_t)(eq - *a + 1));
        sh_str_adds(&s, v);
        free(v);
        sh_vec_push(&assigns, s.s);
    }
    if (sh.opt_x)
        xtrace(argv.v, assigns.v);

    if (argv.n == 0) {
        /* Assignments and redirections only, in this shell. */
        for (size_t i = 0; i < assigns.n; i++) {
            char *eq = strchr(assigns.v[i], '=');
            *eq = '\0';
            if (sh_setvar(assigns.v[i], eq + 1, 0) < 0)
                status = 1;
        }
        struct sh_fdsave sv = { .n = 0 };
        if (sh_apply_redirs(n->redirs, &sv) < 0)
            status = 1;
        sh_restore_fds(&sv);
        if (status == 0)
            status = sh.status_subst;
        goto done;
    }

    const char *name = argv.v[0];
    const struct sh_builtin *b = sh_find_builtin(name);
    struct sh_node *f = (b && b->special) ? NULL : sh_find_func(name);
    if (b || f) {
        struct tmpvar tmp[16];
        int ntmp = 0;
        for (size_t i = 0; i < assigns.n; i++) {
            char *eq = strchr(assigns.v[i], '=');
            *eq = '\0';
            if (!(b && b->special) && !f && ntmp < 16) {
                const char *old = sh_getvar(assigns.v[i]);
                tmp[ntmp++] = (struct tmpvar){ sh_strdup(assigns.v[i]), old ? sh_strdup(old) : NULL,
                                               old != NULL };
            }
            sh_setvar(assigns.v[i], eq + 1, 0);
        }
        struct sh_fdsave sv = { .n = 0 };
        bool keep = b && strcmp(b->name, "exec") == 0 && argv.n == 1;
        if (sh_apply_redirs(n->redirs, keep ? NULL : &sv) < 0) {
            status = 1;
        } else if (f) {
            status = call_function(f, (int)argv.n, argv.v, flags);
        } else {
            status = b->fn((int)argv.n, argv.v);
            sh_out_flush();
        }
        sh_restore_fds(&sv);
        while (ntmp-- > 0) {
            if (tmp[ntmp].had)
                sh_setvar(tmp[ntmp].name, tmp[ntmp].old, 0);
            else
                sh_unsetvar(tmp[ntmp].name);
            free(tmp[ntmp].name);
            free(tmp[ntmp].old);
        }
        goto done;
    }

    /* A program. */
    pid_t pgid = 0;
    bool forked = !(flags & SH_EV_EXIT);
    pid_t pid = forked ? fork_child(&pgid, true, false) : 0;
    if (pid < 0) {
        status = 2;
        goto done;
    }
    if (pid == 0) {
        if (sh_apply_redirs(n->redirs, NULL) < 0)
            sh_exit(1);
        char **env = sh_environ(assigns.v);
        sh_exec_program(argv.v, env);
    }
    sh_ignore_sigint(true);
    int ws = 0;
    sh_wait_pid(pid, &ws);
    reclaim_tty();
    sh_ignore_sigint(false);
    status = sh_status_of(ws, true);
done:
    sh_vec_free(&argv);
    sh_vec_free(&assigns);
    return check_e(status, flags);
expand_failed:
    sh_vec_free(&argv);
    sh_vec_free(&assigns);
    if (!sh.interactive)
        sh_exit(2);
    sh.status = 1;
    return 1;
}

static int eval_pipe(struct sh_node *n, int flags)
{
    pid_t pgid = 0;
    pid_t *pids = sh_alloc(sizeof(pid_t) * (size_t)n->nkids);
    int in = -1, nstarted = 0;
    for (int i = 0; i < n->nkids; i++) {
        int p[2] = { -1, -1 };
        if (i + 1 < n->nkids && pipe2(p, O_CLOEXEC) < 0) {
            sh_error("pipe: %s", strerror(errno));
            break;
        }
        pid_t pid = fork_child(&pgid, true, false);
        if (pid == 0) {
            if (in >= 0) {
                dup2(in, 0);
                close(in);
            }
            if (p[1] >= 0) {
                dup2(p[1], 1);
                close(p[1]);
                close(p[0]);
            }
            sh_exit(sh_eval(n->kids[i], SH_EV_EXIT));
        }
        if (in >= 0)
            close(in);
        if (p[1] >= 0)
            close(p[1]);
        in = p[0];
        if (pid < 0) {
            if (in >= 0)
                close(in);
            break;
        }
        pids[nstarted++] = pid;
    }
    sh_ignore_sigint(true);
    int status = 1;
    for (int i = 0; i < nstarted; i++) {
        int ws = 0;
        sh_wait_pid(pids[i], &ws);
        int st = sh_status_of(ws, i == nstarted - 1 || !WIFSIGNALED(ws) || WTERMSIG(ws) != SIGINT);
        if (i == n->nkids - 1)
            status = st;
    }
    reclaim_tty();
    sh_ignore_sigint(false);
    free(pids);
    if (n->bang) {
        sh.status = !status;
        return sh.status;
    }
    return check_e(status, flags);
}

static int eval_background(struct sh_node *n)
{
    bool jc = sh.jobctl;
    pid_t pid = fork_child(NULL, false, true);
    if (pid < 0)
        return sh.status = 2;
    if (pid == 0) {
        if (jc)
            setpgid(0, 0);
        /* Without job control a background job must not read the terminal. */
        if (!jc) {
            int fd = open("/dev/null", O_RDONLY);
            if (fd > 0) {
                dup2(fd, 0);
                close(fd);
            }
        }
        sh_exit(sh_eval(n, SH_EV_EXIT));
    }
    sh.last_bg = pid;
    sh_job_add(pid);
    return sh.status = 0;
}

/* After a loop's body or condition: act on `break` and `continue` (each
 * consumes one level). True when this loop must end: a break, a continue
 * aimed at an outer loop, or a return or exit under way. */
static bool loop_ends(void)
{
    if (sh.skip == SH_SKIP_BREAK) {
        if (--sh.skip_count == 0)
            sh.skip = SH_SKIP_NONE;
        return true;
    }
    if (sh.skip == SH_SKIP_CONTINUE) {
        if (--sh.skip_count == 0) {
            sh.skip = SH_SKIP_NONE;
            return false;
        }
        return true;
    }
    return sh.skip != SH_SKIP_NONE;
}

static int eval_loop(struct sh_node *n, int flags)
{
    int status = 0;
    sh.loop_depth++;
    for (;;) {
        int c = sh_eval(n->a, (flags & ~SH_EV_EXIT) | SH_EV_TESTED);
        if (!sh.skip) { /* else a break or continue in the condition */
            if ((c == 0) != (n->type == SN_WHILE))
                break;
            status = sh_eval(n->b, flags & ~SH_EV_EXIT);
        }
        if (loop_ends())
            break;
    }
    sh.loop_depth--;
    return sh.status = status;
}

static int eval_for(struct sh_node *n, int flags)
{
    struct sh_vec items = { 0 };
    if (n->words) {
        if (sh_expand_words(n->words, &items) < 0) {
            sh_vec_free(&items);
            return sh.status = 1;
        }
    } else {
        for (int i = 0; i < sh_nparams; i++)
            sh_vec_push(&items, sh_strdup(sh_params[i]));
    }
    int status = 0;
    sh.loop_depth++;
    for (size_t i = 0; i < items.n; i++) {
        if (sh_setvar(n->name, items.v[i], 0) < 0) {
            status = 1;
            break;
        }
        status = sh_eval(n->b, flags & ~SH_EV_EXIT);
        if (loop_ends())
            break;
    }
    sh.loop_depth--;
    sh_vec_free(&items);
    return sh.status = status;
}

static int eval_case(struct sh_node *n, int flags)
{
    char *word = sh_expand_one(n->name, SH_EXP_TILDE);
    if (!word)
        return sh.status = 1;
    int status = 0;
    for (struct sh_case_item *it = n->items; it; it = it->next) {
        for (char **p = it->pats; *p; p++) {
            char *pat = sh_expand_one(*p, SH_EXP_TILDE | SH_EXP_PATTERN);
            bool m = pat && sh_pattern_match(pat, word);
            free(pat);
            if (m) {
                free(word);
                status = it->body ? sh_eval(it->body, flags) : 0;
                return sh.status = status;
            }
        }
    }
    free(word);
    return sh.status = status;
}

static int eval_node(struct sh_node *n, int flags)
{
    int tested = flags & SH_EV_TESTED;
    switch (n->type) {
    case SN_CMD:
        return eval_simple(n, flags);
    case SN_PIPE:
        if (n->nkids == 1) {
            int st = sh_eval(n->kids[0], n->bang ? (flags & ~SH_EV_EXIT) | SH_EV_TESTED : flags);
            return sh.status = n->bang ? !st : st;
        }
        return eval_pipe(n, flags);
    case SN_AND:
    case SN_OR: {
        int st = sh_eval(n->a, (flags & ~SH_EV_EXIT) | SH_EV_TESTED);
        if (sh.skip)
            return st;
        if ((n->type == SN_AND) == (st == 0))
            st = sh_eval(n->b, flags);
        return st;
    }
    case SN_SEQ:
        sh_eval(n->a, flags & ~SH_EV_EXIT);
        if (sh.skip)
            return sh.status;
        return sh_eval(n->b, flags);
    case SN_BG:
        return eval_background(n->a);
    case SN_SUBSHELL: {
        if (flags & SH_EV_EXIT)
            sh_exit(sh_eval(n->a, SH_EV_EXIT | tested));
        pid_t pgid = 0;
        pid_t pid = fork_child(&pgid, true, false);
        if (pid < 0)
            return sh.status = 2;
        if (pid == 0)
            sh_exit(sh_eval(n->a, SH_EV_EXIT | tested));
        int ws = 0;
        sh_ignore_sigint(true);
        sh_wait_pid(pid, &ws);
        reclaim_tty();
        sh_ignore_sigint(false);
        return check_e(sh_status_of(ws, true), flags);
    }
    case SN_GROUP:
        return sh_eval(n->a, flags);
    case SN_IF: {
        int c = sh_eval(n->a, (flags & ~SH_EV_EXIT) | SH_EV_TESTED);
        if (sh.skip)
            return c;
        if (c == 0)
            return sh_eval(n->b, flags);
        if (n->c)
            return sh_eval(n->c, flags);
        return sh.status = 0;
    }
    case SN_WHILE:
    case SN_UNTIL:
        return eval_loop(n, flags);
    case SN_FOR:
        return eval_for(n, flags);
    case SN_CASE:
        return eval_case(n, flags);
    case SN_FUNC:
        n->arena = sh.cur_arena;
        sh_define_func(n->name, n);
        return sh.status = 0;
    }
    return sh.status = 2;
}

int sh_eval(struct sh_node *n, int flags)
{
    if (!n)
        return sh.status = 0;
    if (sh.opt_n && !sh.interactive)
        return 0;
    int status;
    if (n->redirs && n->type != SN_CMD) {
        if (n->type == SN_SUBSHELL || (flags & SH_EV_EXIT)) {
            /* redirections inside the subshell's own process */
            if (!(flags & SH_EV_EXIT)) {
                pid_t pid = fork_child(NULL, false, false);
                if (pid == 0) {
                    if (sh_apply_redirs(n->redirs, NULL) < 0)
                        sh_exit(1);
                    struct sh_node copy = *n;
                    copy.redirs = NULL;
                    sh_exit(sh_eval(&copy, SH_EV_EXIT));
                }
                int ws = 0;
                sh_ignore_sigint(true);
                sh_wait_pid(pid, &ws);
                sh_ignore_sigint(false);
                return sh.status = sh_status_of(ws, true);
            }
            if (sh_apply_redirs(n->redirs, NULL) < 0)
                sh_exit(1);
            status = eval_node(n, flags);
        } else {
            struct sh_fdsave sv = { .n = 0 };
            if (sh_apply_redirs(n->redirs, &sv) < 0) {
                sh_restore_fds(&sv);
                return sh.status = 1;
            }
            status = eval_node(n, flags);
            sh_restore_fds(&sv);
        }
    } else {
        status = eval_node(n, flags);
    }
    sh.status = status;
    sh_run_pending_traps();
    if (sh_got_sigint && !sh.interactive && !sh.in_child) {
        /* not reached in practice: a non-interactive shell dies of SIGINT */
    }
    if ((flags & SH_EV_EXIT) && !sh.skip)
        sh_exit(status);
    return status;
}

int sh_eval_string(const char *src, size_t len, int flags)
{
    struct sh_parser p;
    sh_parser_init(&p, src, len, true, 1);
    int status = 0;
    struct sh_arena *outer = sh.cur_arena;
    for (;;) {
        struct sh_node *n;
        int r = sh_parse_command(&p, &n);
        if (r == SH_PARSE_EOF) {
            sh_arena_unref(p.arena);
            break;
        }
        if (r == SH_PARSE_ERR) {
            sh_arena_unref(p.arena);
            status = 2;
            if (!sh.interactive)
                sh_exit(2);
            break;
        }
        if (r == SH_PARSE_OK) {
            bool last = true;
            for (size_t i = p.pos; i < p.len; i++)
                if (p.src[i] != ' ' && p.src[i] != '\t' && p.src[i] != '\n')
                    last = false;
            sh.cur_arena = p.arena;
            status = sh_eval(n, last ? flags : flags & ~SH_EV_EXIT);
        }
        sh_arena_unref(p.arena);
        if (sh.skip)
            break;
    }
    sh.cur_arena = outer;
    if (flags & SH_EV_EXIT)
        sh_exit(status);
    return status;
}

char *sh_command_output(const char *src, size_t len)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        sh_error("pipe: %s", strerror(errno));
        return NULL;
    }
    pid_t pid = fork_child(NULL, false, false);
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return NULL;
    }
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 1);
        close(p[1]);
        sh_eval_string(src, len, SH_EV_EXIT);
        sh_exit(sh.status);
    }
    close(p[1]);
    struct sh_str out = { 0 };
    sh_str_adds(&out, "");
    char buf[4096];
    for (;;) {
        ssize_t k = read(p[0], buf, sizeof(buf));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        sh_str_addn(&out, buf, (size_t)k);
    }
    close(p[0]);
    int ws = 0;
    sh_wait_pid(pid, &ws);
    sh.status_subst = sh_status_of(ws, true);
    while (out.len > 0 && out.s[out.len - 1] == '\n')
        out.s[--out.len] = '\0';
    return out.s;
}
