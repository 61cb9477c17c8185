/*
 * redir.c - what a command needs around it: redirections (XCU 2.7), the
 * search for programs on $PATH and their execution (XCU 2.9.1.1), and the
 * table of functions.
 *
 * Interface: sh_apply_redirs() / sh_restore_fds(), sh_find_path(),
 * sh_exec_program(), sh_find_func() / sh_define_func() / sh_unset_func().
 * Layer: below exec.c, above expand.c (redirection targets are expanded here).
 *
 * Redirections of a built-in, function or compound command are undone
 * afterwards: each descriptor changed is first saved with F_DUPFD_CLOEXEC
 * (10 and up) and put back by sh_restore_fds(). Here-documents are pipes; a
 * text larger than a pipe is fed by a small writer child. A file that execve()
 * refuses as ENOEXEC runs as a script of this shell (sh.self).
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

/* ---- functions ---- */

struct func {
    struct func *next;
    char *name;
    struct sh_node *def; /* SN_FUNC */
};

static struct func *funcs;

struct sh_node *sh_find_func(const char *name)
{
    for (struct func *f = funcs; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f->def;
    return NULL;
}

void sh_unset_func(const char *name)
{
    for (struct func **pf = &funcs; *pf; pf = &(*pf)->next) {
        if (strcmp((*pf)->name, name) == 0) {
            struct func *f = *pf;
            *pf = f->next;
            sh_arena_unref(f->def->arena);
            free(f->name);
            free(f);
            return;
        }
    }
}

void sh_define_func(const char *name, struct sh_node *def)
{
    sh_unset_func(name);
    struct func *f = sh_alloc(sizeof(*f));
    f->name = sh_strdup(name);
    f->def = def;
    sh_arena_ref(def->arena);
    f->next = funcs;
    funcs = f;
}

void sh_funcs_free(void)
{
    while (funcs)
        sh_unset_func(funcs->name);
}

/* ---- redirections ---- */


static void save_fd(struct sh_fdsave *sv, int fd)
{
    if (!sv)
        return;
    for (int i = 0; i < sv->n; i++)
        if (sv->s[i].fd == fd)
            return;
    if (sv->n == 32)
        return;
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 10);
    sv->s[sv->n++] = (struct sh_saved_fd){ fd, copy };
}

void sh_restore_fds(struct sh_fdsave *sv)
{
    sh_out_flush();
    while (sv->n > 0) {
        struct sh_saved_fd *s = &sv->s[--sv->n];
        if (s->copy >= 0) {
            dup2(s->copy, s->fd);
            close(s->copy);
        } else {
            close(s->fd);
        }
    }
}

/* A pipe whose read end gives @p text; a helper child writes big texts. */
static int heredoc_fd(const char *text)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    size_t n = strlen(text);
    if (n <= 4096) {
        sh_write_all(p[1], text, n);
    } else {
        sh_out_flush();
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            signal(SIGPIPE, SIG_DFL);
            sh_write_all(p[1], text, n);
            _exit(0);
        }
        /* The writer is reaped with the other children (sh_reap_jobs). */
        if (pid > 0)
            sh_job_add(pid);
    }
    close(p[1]);
    return p[0];
}

int sh_apply_redirs(struct sh_redir *r, struct sh_fdsave *sv)
{
    sh_out_flush();
    for (; r; r = r->next) {
        int fd = -1;
        if (r->kind == SR_HEREDOC) {
            char *text = r->quoted ? sh_strdup(r->body) : sh_expand_one(r->body, SH_EXP_HEREDOC);
            if (!text)
                return -1;
            fd = heredoc_fd(text);
            free(text);
            if (fd < 0) {
                sh_error("here-document: %s", strerror(errno));
                return -1;
            }
        } else {
            char *target = sh_expand_one(r->word, SH_EXP_TILDE);
            if (!target)
                return -1;
            if (r->kind == SR_DUPIN || r->kind == SR_DUPOUT) {
                if (strcmp(target, "-") == 0) {
                    free(target);
                    save_fd(sv, r->fd);
                    close(r->fd);
                    continue;
                }
                char *end;
                long src = strtol(target, &end, 10);
                if (*end || end == target || src < 0 || src > 1023 || fcntl((int)src, F_GETFD) < 0) {
                    sh_error("%s: bad file descriptor", target);
                    free(target);
                    return -1;
                }
                free(target);
                if (src != r->fd) {
                    save_fd(sv, r->fd);
                    dup2((int)src, r->fd);
                }
                continue;
            }
            int flags = r->kind == SR_IN       ? O_RDONLY
                        : r->kind == SR_RDWR   ? O_RDWR | O_CREAT
                        : r->kind == SR_APPEND ? O_WRONLY | O_CREAT | O_APPEND
                                               : O_WRONLY | O_CREAT | O_TRUNC;
            if (r->kind == SR_OUT && sh.opt_C) {
                struct stat st;
                if (stat(target, &st) == 0 && S_ISREG(st.st_mode)) {
                    sh_error("%s: cannot overwrite existing file", target);
                    free(target);
                    return -1;
                }
            }
            fd = open(target, flags | O_CLOEXEC, 0666);
            if (fd < 0) {
                sh_error("%s: %s", target, strerror(errno));
                free(target);
                return -1;
            }
            free(target);
        }
        if (fd != r->fd) {
            save_fd(sv, r->fd);
            if (dup2(fd, r->fd) < 0) {
                sh_error("%d: %s", r->fd, strerror(errno));
                close(fd);
                return -1;
            }
            close(fd);
        } else {
            fcntl(fd, F_SETFD, 0);
        }
    }
    return 0;
}

/* ---- programs ---- */

char *sh_find_path(const char *name)
{
    const char *path = sh_getvar("PATH");
    if (!path)
        path = "/bin:/sbin";
    struct sh_str b = { 0 };
    for (const char *p = path;; p++) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        b.len = 0;
        if (n == 0)
            sh_str_adds(&b, ".");
        else
            sh_str_addn(&b, p, n);
        sh_str_addc(&b, '/');
        sh_str_adds(&b, name);
        struct stat st;
        if (stat(b.s, &st) == 0 && S_ISREG(st.st_mode) && access(b.s, X_OK) == 0)
            return b.s;
        if (!colon)
            break;
        p = colon;
    }
    sh_str_free(&b);
    return NULL;
}

/* Does @p path start like a binary file: a NUL byte in its first line (as
 * bash judges)? Such a file is refused rather than read as a script. */
static bool looks_binary(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof(buf));
    close(fd);
    for (ssize_t i = 0; i < n && buf[i] != '\n'; i++)
        if (buf[i] == '\0')
            return true;
    return false;
}

/* Run a file that is not a program as a shell script (POSIX: execve's
 * ENOEXEC), unless it looks binary. */
static void exec_script(const char *path, char **argv, char **env)
{
    if (looks_binary(path))
        return;
    int argc = 0;
    while (argv[argc])
        argc++;
    char **nargv = sh_alloc(sizeof(char *) * (size_t)(argc + 2));
    nargv[0] = "sh";
    nargv[1] = (char *)path;
    for (int i = 1; i <= argc; i++)
        nargv[i + 1] = argv[i];
    execve(sh.self, nargv, env);
    free(nargv);
}

/* Replace this process with the program argv[0]. Never returns. */
void sh_exec_program(char **argv, char **env)
{
    const char *name = argv[0];
    int err;
    if (strchr(name, '/')) {
        execve(name, argv, env);
        err = errno;
        if (err == ENOEXEC)
            exec_script(name, argv, env);
    } else {
        char *path = sh_find_path(name);
        if (!path) {
            sh_error("%s: command not found", name);
            sh_exit(127);
        }
        execve(path, argv, env);
        err = errno;
        if (err == ENOEXEC)
            exec_script(path, argv, env);
        free(path);
    }
    sh_error("%s: %s", name, strerror(err));
    sh_exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}
