/*
 * vars.c - shell variables and positional parameters.
 *
 * Interface: sh_getvar, sh_setvar, sh_unsetvar, the flags (export,
 * readonly), sh_environ for execve, sh_vars_print for `set`/`export -p`;
 * sh_setparams and save/restore for $1... around functions and `.`.
 *
 * Variables are kept in one array sorted by name (binary search); a shell has
 * tens of them, so insertion by memmove is cheap and listing is sorted for free.
 */
#include "sh.h"

#include <stdlib.h>
#include <string.h>

struct var {
    char *name;
    char *value; /* NULL: declared (export/readonly) but unset */
    int flags;
};

static struct var *vars;
static size_t nvars, capvars;

char **sh_params;
int sh_nparams;

static long find(const char *name, bool *found)
{
    size_t lo = 0, hi = nvars;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(vars[mid].name, name);
        if (c == 0) {
            *found = true;
            return (long)mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return (long)lo;
}

static struct var *lookup(const char *name)
{
    bool found;
    long i = find(name, &found);
    return found ? &vars[i] : NULL;
}

static struct var *create(const char *name)
{
    bool found;
    long i = find(name, &found);
    if (found)
        return &vars[i];
    if (nvars == capvars) {
        capvars = capvars ? capvars * 2 : 64;
        vars = sh_realloc(vars, capvars * sizeof(*vars));
    }
    memmove(&vars[i + 1], &vars[i], (nvars - (size_t)i) * sizeof(*vars));
    nvars++;
    vars[i].name = sh_strdup(name);
    vars[i].value = NULL;
    vars[i].flags = 0;
    return &vars[i];
}

void sh_vars_init(char **envp)
{
    for (char **e = envp; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || !sh_is_name(*e, (size_t)(eq - *e)))
            continue;
        char *name = sh_strndup(*e, (size_t)(eq - *e));
        sh_setvar(name, eq + 1, SH_VAR_EXPORT);
        free(name);
    }
    if (!sh_getvar("IFS"))
        sh_setvar("IFS", " \t\n", 0);
    if (!sh_getvar("PATH"))
        sh_setvar("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", SH_VAR_EXPORT);
    if (!sh_getvar("PS2"))
        sh_setvar("PS2", "> ", 0);
}

const char *sh_getvar(const char *name)
{
    struct var *v = lookup(name);
    return v ? v->value : NULL;
}

int sh_setvar(const char *name, const char *value, int flags)
{
    struct var *v = create(name);
    if ((v->flags & SH_VAR_READONLY) && value) {
        sh_error("%s: is read only", name);
        return -1;
    }
    if (value) {
        char *copy = sh_strdup(value);
        free(v->value);
        v->value = copy;
    }
    v->flags |= flags;
    return 0;
}

int sh_unsetvar(const char *name)
{
    bool found;
    long i = find(name, &found);
    if (!found)
        return 0;
    if (vars[i].flags & SH_VAR_READONLY) {
        sh_error("%s: is read only", name);
        return -1;
    }
    free(vars[i].name);
    free(vars[i].value);
    memmove(&vars[i], &vars[i + 1], (nvars - (size_t)i - 1) * sizeof(*vars));
    nvars--;
    return 0;
}

void sh_setvar_flags(const char *name, int flags)
{
    create(name)->flags |= flags;
}

int sh_var_flags(const char *name)
{
    struct var *v = lookup(name);
    return v ? v->flags : 0;
}

char **sh_environ(char **extra)
{
    struct sh_vec env = { 0 };
    for (char **e = extra; e && *e; e++)
        sh_vec_push(&env, sh_strdup(*e));
    for (size_t i = 0; i < nvars; i++) {
        if (!(vars[i].flags & SH_VAR_EXPORT) || !vars[i].value)
            continue;
        size_t n = strlen(vars[i].name);
        bool overridden = false;
        for (char **e = extra; e && *e && !overridden; e++)
            overridden = strncmp(*e, vars[i].name, n) == 0 && (*e)[n] == '=';
        if (overridden)
            continue;
        struct sh_str s = { 0 };
        sh_str_adds(&s, vars[i].name);
        sh_str_addc(&s, '=');
        sh_str_adds(&s, vars[i].value);
        sh_vec_push(&env, s.s);
    }
    if (!env.v)
        sh_vec_push(&env, NULL), env.n = 0;
    return env.v;
}

void sh_environ_free(char **env)
{
    for (char **e = env; e && *e; e++)
        free(*e);
    free(env);
}

/* Print a value quoted so that the shell reads it back unchanged. */
static void print_quoted(const char *s)
{
    sh_outs("'");
    for (; *s; s++) {
        if (*s == '\'')
            sh_outs("'\\''");
        else
            sh_out(s, 1);
    }
    sh_outs("'");
}

void sh_vars_print(int only_flags, const char *prefix)
{
    for (size_t i = 0; i < nvars; i++) {
        struct var *v = &vars[i];
        if (only_flags && !(v->flags & only_flags))
            continue;
        if (!only_flags && !v->value)
            continue;
        if (prefix)
            sh_outf("%s ", prefix);
        sh_outs(v->name);
        if (v->value) {
            sh_outs("=");
            print_quoted(v->value);
        }
        sh_outs("\n");
    }
}

void sh_vars_free(void)
{
    for (size_t i = 0; i < nvars; i++) {
        free(vars[i].name);
        free(vars[i].value);
    }
    free(vars);
    vars = NULL;
    nvars = capvars = 0;
    sh_setparams(0, NULL);
}

void sh_setparams(int argc, char **argv)
{
    for (int i = 0; i < sh_nparams; i++)
        free(sh_params[i]);
    free(sh_params);
    sh_params = sh_alloc(sizeof(char *) * (size_t)(argc + 1));
    for (int i = 0; i < argc; i++)
        sh_params[i] = sh_strdup(argv[i]);
    sh_nparams = argc;
}

void sh_params_save(char ***argv, int *argc)
{
    *argv = sh_params;
    *argc = sh_nparams;
    sh_params = sh_alloc(sizeof(char *));
    sh_nparams = 0;
}

void sh_params_restore(char **argv, int argc)
{
    sh_setparams(0, NULL);
    free(sh_params);
    sh_params = argv;
    sh_nparams = argc;
}
