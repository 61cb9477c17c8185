/*
 * sh.h - the private interface between the files of /bin/sh (shell/sh/).
 *
 * /bin/sh is a POSIX shell program built twice from the same sources: with
 * musl-gcc -static for Kestrel's initrd and with the host compiler (ASan and
 * UBSan) for the tests of tests/sh/ (mk/sh.mk). Layers, lowest first:
 *
 *   util.c     allocation that never fails quietly, growable strings and
 *              vectors, error messages ("sh: ...")
 *   vars.c     shell variables, the environment, positional parameters
 *   lex.c      the arena of syntax trees; source text -> tokens (lex.h)
 *   parse.c    tokens -> syntax tree (struct sh_node), in an arena
 *   expand.c   words -> fields: tilde, parameters, command substitution,
 *              arithmetic (arith.c), field splitting, globbing (glob.c),
 *              quote removal
 *   jobs.c     children, background jobs, signals, traps, exit
 *   redir.c    redirections, $PATH search and execve, the function table
 *   exec.c     running trees: simple commands, pipelines, lists, compound
 *              commands, subshells, command substitution
 *   builtin*.c the built-in commands
 *   main.c     options, the read-parse-run loop, the interactive terminal
 *              (the line editor of shell/editor.c, history, completion)
 *
 * Everything is single-threaded; one shell per process, so the state lives in
 * the globals declared at the end of this header.
 */
#ifndef SH_SH_H
#define SH_SH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- util.c ---- */

/** A growable, always NUL-terminated string. */
struct sh_str {
    char *s;
    size_t len, cap;
};

/** A growable, NULL-terminated vector of strings (each malloc'ed). */
struct sh_vec {
    char **v;
    size_t n, cap;
};

/** calloc/realloc/strdup that end the shell ("sh: out of memory", status 2)
 * rather than return NULL. */
void *sh_alloc(size_t n);
void *sh_realloc(void *p, size_t n);
char *sh_strdup(const char *s);
char *sh_strndup(const char *s, size_t n);
/** Append to a string (a zeroed struct sh_str is an empty one). */
void sh_str_addc(struct sh_str *b, char c);
void sh_str_addn(struct sh_str *b, const char *s, size_t n);
void sh_str_adds(struct sh_str *b, const char *s);
void sh_str_free(struct sh_str *b);
/** Append @p s (the vector owns it from now on). */
void sh_vec_push(struct sh_vec *v, char *s);
void sh_vec_free(struct sh_vec *v);
/** "sh: " + message on stderr. */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Write all of @p n bytes to @p fd (retrying on EINTR); -1 on error. */
int sh_write_all(int fd, const char *buf, size_t n);
/** Output of the built-ins: buffered, flushed by sh_out_flush(). */
void sh_out(const char *s, size_t n);
void sh_outs(const char *s);
void sh_outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sh_out_flush(void);
/** A valid variable name: [A-Za-z_][A-Za-z0-9_]*. */
bool sh_is_name(const char *s, size_t n);

/* ---- arena (lex.c) ---- */

/** Where a syntax tree lives: freed as a whole when its last user lets go. */
struct sh_arena;
/** A new arena with one reference; sh_arena_unref() frees it at zero. */
struct sh_arena *sh_arena_new(void);
/** Zeroed memory that lives as long as the arena. */
void *sh_arena_alloc(struct sh_arena *a, size_t n);
/** Take or drop a reference (a function keeps its definition's arena). */
void sh_arena_ref(struct sh_arena *a);
void sh_arena_unref(struct sh_arena *a);

/* ---- parse.c ---- */

enum sh_node_type {
    SN_CMD,      /* simple command */
    SN_PIPE,     /* kids[0..nkids) connected by pipes; bang: negate */
    SN_AND,      /* a && b */
    SN_OR,       /* a || b */
    SN_SEQ,      /* a ; b */
    SN_BG,       /* a & */
    SN_SUBSHELL, /* ( a ) */
    SN_GROUP,    /* { a ; } */
    SN_IF,       /* if a then b else c */
    SN_WHILE,    /* while a do b */
    SN_UNTIL,    /* until a do b */
    SN_FOR,      /* for name in words do b */
    SN_CASE,     /* case word in items esac */
    SN_FUNC,     /* name () a */
};

enum sh_redir_kind { SR_IN, SR_OUT, SR_CLOBBER, SR_APPEND, SR_DUPIN, SR_DUPOUT, SR_RDWR, SR_HEREDOC };

struct sh_redir {
    struct sh_redir *next;
    int fd;           /* the descriptor redirected */
    int kind;         /* enum sh_redir_kind */
    char *word;       /* target (raw word), or the here-document's delimiter */
    char *body;       /* here-document text (raw unless quoted) */
    bool quoted;      /* here-document: delimiter was quoted (no expansion) */
    bool strip_tabs;  /* <<- */
};

struct sh_case_item {
    struct sh_case_item *next;
    char **pats; /* raw words, NULL-terminated */
    struct sh_node *body;
};

struct sh_node {
    int type;                /* enum sh_node_type */
    struct sh_redir *redirs; /* applied around the node */
    char **words;            /* SN_CMD: raw words; SN_FOR: the list (NULL: "$@") */
    char **assigns;          /* SN_CMD: raw NAME=value words */
    struct sh_node *a, *b, *c;
    struct sh_node **kids; /* SN_PIPE */
    int nkids;
    bool bang;             /* SN_PIPE: ! pipeline */
    char *name;            /* SN_FOR variable, SN_FUNC name, SN_CASE word */
    struct sh_case_item *items;
    struct sh_arena *arena; /* SN_FUNC: the arena holding the body */
    int lineno;
};

/** A parser over one buffer of source text. */
struct sh_parser {
    const char *src;
    size_t len, pos;
    int lineno;
    struct sh_arena *arena;
    bool at_eof;      /* no more input will come: end the text as it stands */
    bool incomplete;  /* the text ended inside a command: more is needed */
    bool error;       /* a syntax error was reported */
    struct sh_redir *heredocs[16]; /* here-documents waiting for their bodies */
    int nheredocs;
    /* the current token */
    int tok;
    char *tokword;
    bool tokquoted;
    int tokfd;
    size_t tokstart;
};

enum { SH_PARSE_OK = 0, SH_PARSE_EMPTY = 1, SH_PARSE_EOF = 2, SH_PARSE_MORE = 3, SH_PARSE_ERR = 4 };

/** Start parsing @p src (not copied: it must outlive the parser and the trees). */
void sh_parser_init(struct sh_parser *p, const char *src, size_t len, bool at_eof, int lineno);
/**
 * Parse one complete command (a list ended by a newline or the end). The tree
 * lives in p->arena (a new arena per call). Returns SH_PARSE_OK (*out set),
 * SH_PARSE_EMPTY (a blank line or comment), SH_PARSE_EOF (nothing left),
 * SH_PARSE_MORE (the text ends inside the command) or SH_PARSE_ERR.
 */
int sh_parse_command(struct sh_parser *p, struct sh_node **out);
/** Find the end of `$(...)` whose text starts at @p s (after the "$("): index of ')' or -1. */
long sh_scan_subst(const char *s, size_t len);
/** Skip the quoted or nested part (quote, `$(`, `${`, backquote) at s[i]: the index after it, or -1. */
long sh_skip_part(const char *s, size_t len, size_t i);

/* ---- vars.c ---- */

#define SH_VAR_EXPORT 1
#define SH_VAR_READONLY 2

/** Import the environment (exported); set IFS, PATH and PS2 if missing. */
void sh_vars_init(char **envp);
/** A variable's value, or NULL if unset (owned by the table). */
const char *sh_getvar(const char *name);
/** Set a variable; returns -1 (after an error message) if it is read-only. */
int sh_setvar(const char *name, const char *value, int flags);
int sh_unsetvar(const char *name);
void sh_setvar_flags(const char *name, int flags);
int sh_var_flags(const char *name);
/** The environment for execve: exported variables plus @p extra ("N=V"). */
char **sh_environ(char **extra);
void sh_environ_free(char **env);
/** List variables (set, export -p, readonly -p). */
void sh_vars_print(int only_flags, const char *prefix);
void sh_vars_free(void);
void sh_setparams(int argc, char **argv); /* $1.. (copied) */
void sh_params_save(char ***argv, int *argc);
void sh_params_restore(char **argv, int argc);
extern char **sh_params;
extern int sh_nparams;

/* ---- expand.c ---- */

#define SH_EXP_FIELDS 1   /* split fields and expand paths */
#define SH_EXP_TILDE 2    /* ~ at the start */
#define SH_EXP_ASSIGN 4   /* ~ after = and : too */
#define SH_EXP_PATTERN 8  /* keep quoted pattern characters escaped */
#define SH_EXP_HEREDOC 16 /* here-document body: quotes are plain */

/** Expand raw words into fields appended to @p out; -1 on an expansion error. */
int sh_expand_words(char **words, struct sh_vec *out);
/** Expand one word into one string (no field splitting); NULL on error. */
char *sh_expand_one(const char *raw, int flags);
/** Match @p s against a pattern expanded with SH_EXP_PATTERN. */
bool sh_pattern_match(const char *pat, const char *s);

/* ---- arith.c ---- */

/** Evaluate an (already expanded) arithmetic expression; -1 on error. */
int sh_arith(const char *expr, long *result);

/* ---- glob.c ---- */

/** Expand a pattern (backslash-escaped) into sorted paths; the count added. */
size_t sh_glob(const char *pat, struct sh_vec *out);

/* ---- redir.c ---- */

struct sh_saved_fd {
    int fd, copy; /* copy -1: fd was closed */
};

/** Descriptors changed by redirections, to put back afterwards. */
struct sh_fdsave {
    struct sh_saved_fd s[32];
    int n;
};

/** Apply redirections; @p sv (may be NULL: for good) records what to restore. 0 or -1. */
int sh_apply_redirs(struct sh_redir *r, struct sh_fdsave *sv);
void sh_restore_fds(struct sh_fdsave *sv);

/* ---- exec.c ---- */

#define SH_EV_EXIT 1   /* the last command may replace this process */
#define SH_EV_TESTED 2 /* its status is tested: set -e does not apply */

/** Run a tree (flags: SH_EV_*); sets and returns $?. */
int sh_eval(struct sh_node *n, int flags);
/** Run @p src as shell text (eval, ., sh -c, command substitution). */
int sh_eval_string(const char *src, size_t len, int flags);
/** Output of `$(...)` with its trailing newlines removed; NULL on failure. */
char *sh_command_output(const char *src, size_t len);
/** Leave: the EXIT trap, flush, terminal restored; _exit in a subshell. */
void sh_exit(int status) __attribute__((noreturn));
/** The shell's own dispositions (interactive, job control). */
void sh_signals_init(void);
/** Run the actions of trapped signals that arrived. */
void sh_run_pending_traps(void);
/** Reap finished background jobs without waiting. */
void sh_reap_jobs(void);
/** The `wait` built-in's work: one pid (0: all); returns its status. */
int sh_wait_job(pid_t pid);
/** Signal name without SIG ("INT"), or NULL. */
const char *sh_signame(int sig);
/** Signal number of a name (INT, SIGINT, int), a number, or EXIT (0); -1 if unknown. */
int sh_signum(const char *name);
/** Child side of fork: signals back to their defaults. */
void sh_child_signals(bool background);
/* jobs.c */
#include <signal.h>
extern volatile sig_atomic_t sh_got_sigint;
/** $? for a wait status; reports death by a signal on stderr if @p report. */
int sh_status_of(int wstatus, bool report);
/** waitpid() for one child, through EINTR; 0 or -1. */
int sh_wait_pid(pid_t pid, int *wstatus);
/** Remember a background child for `wait`. */
void sh_job_add(pid_t pid);
/** A subshell does not wait for its parent's jobs. */
void sh_jobs_forget(void);
/** Interactive: ignore SIGINT while a foreground job runs, then catch it again. */
void sh_ignore_sigint(bool ignore);
/** Set (action non-NULL; "" ignores) or reset (NULL) a trap. */
int sh_set_trap(int sig, const char *action);
void sh_traps_print(void);
void sh_signals_list(void);
/** Free everything before exit (so leak checkers see a clean heap). */
void sh_cleanup(void);
/** Replace this process with the program argv[0] (never returns). */
void sh_exec_program(char **argv, char **env) __attribute__((noreturn));
/** Find a program on $PATH; malloc'ed path or NULL. */
char *sh_find_path(const char *name);

/* ---- builtin*.c ---- */

typedef int (*sh_builtin_fn)(int argc, char **argv);
struct sh_builtin {
    const char *name;
    sh_builtin_fn fn;
    bool special;
    const char *help;
};
/** The built-in called @p name, or NULL. */
const struct sh_builtin *sh_find_builtin(const char *name);
extern const struct sh_builtin sh_builtins[];
int sh_builtin_test(int argc, char **argv);
int sh_builtin_echo(int argc, char **argv);
/** Set one option of `set` by letter (e u x f n v C); -1 if unknown. */
int sh_set_option(char c, bool on);
/** Set one option by its -o name; -1 (reported) if unknown. */
int sh_set_long_option(const char *name, bool on);
int sh_builtin_printf(int argc, char **argv);

/** Functions (exec.c). */
struct sh_node *sh_find_func(const char *name);
/** Define (or replace) a function; keeps a reference to def->arena. */
void sh_define_func(const char *name, struct sh_node *def);
void sh_unset_func(const char *name);
void sh_funcs_free(void);

/* ---- main.c ---- */

/** The `history` built-in's listing. */
void sh_history_print(void);
/** Put the terminal back in the mode it had before line editing. */
void sh_tty_restore(void);

/* ---- state ---- */

enum { SH_SKIP_NONE, SH_SKIP_BREAK, SH_SKIP_CONTINUE, SH_SKIP_RETURN };

struct sh_state {
    int status;        /* $? */
    pid_t pid;         /* $$ */
    pid_t last_bg;     /* $! */
    char *arg0;        /* $0 */
    bool interactive;
    bool jobctl;       /* process groups and the terminal's foreground */
    int tty_fd;        /* the terminal for tcsetpgrp, or -1 */
    pid_t pgid;        /* the shell's own process group */
    bool in_child;     /* a forked subshell: exit, not return */
    bool opt_e, opt_u, opt_x, opt_f, opt_n, opt_v, opt_C;
    int skip;          /* break/continue/return in progress */
    int skip_count;    /* levels of loops left to break */
    int loop_depth;
    int func_depth;
    int dot_depth;
    char *self;        /* this program, to run scripts that lack #! */
    int lineno;
    bool exiting;
    char *traps[65];   /* trap actions, by signal number (0: EXIT) */
    int status_subst;  /* status of the last command substitution */
    struct sh_arena *cur_arena; /* arena of the command running (for functions) */
};

extern struct sh_state sh;

#endif
