/*
 * glob.c - pathname expansion (XCU 2.13): `*`, `?` and `[...]` in words.
 *
 * Interface: sh_glob(). Layer: below expand.c; uses opendir/readdir and the C
 * library's fnmatch() for one name at a time. The pattern arrives with quoted
 * characters backslash-escaped (expand.c's `pat`). It is split at '/': a
 * component without pattern characters is appended as it is (unescaped),
 * one with them is matched against the directory's entries, depth first.
 * Names starting with '.' match only a pattern that starts with '.'; the
 * results are sorted with strcmp().
 */
#include "sh.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool has_magic(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '*' || s[i] == '?' || s[i] == '[')
            return true;
    }
    return false;
}

static void unescape_into(struct sh_str *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++;
        sh_str_addc(b, s[i]);
    }
}

/* Match the rest of the pattern @p pat below the directory path @p base. */
static void walk(struct sh_str *base, const char *pat, struct sh_vec *out)
{
    while (*pat == '/') {
        sh_str_addc(base, '/');
        pat++;
    }
    if (!*pat) {
        struct stat st;
        if (base->len && lstat(base->s, &st) == 0)
            sh_vec_push(out, sh_strdup(base->s));
        return;
    }
    const char *slash = strchr(pat, '/');
    size_t n = slash ? (size_t)(slash - pat) : strlen(pat);
    size_t keep = base->len;
    if (!has_magic(pat, n)) {
        unescape_into(base, pat, n);
        walk(base, pat + n, out);
        base->len = keep;
        if (base->s)
            base->s[keep] = '\0';
        return;
    }
    char *comp = sh_strndup(pat, n);
    DIR *d = opendir(base->len ? base->s : ".");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' && comp[0] != '.')
                continue;
            if ((strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) &&
                strcmp(comp, e->d_name) != 0)
                continue;
            if (fnmatch(comp, e->d_name, FNM_PERIOD) != 0)
                continue;
            sh_str_adds(base, e->d_name);
            if (slash) {
                struct stat st;
                if (stat(base->s, &st) == 0 && S_ISDIR(st.st_mode))
                    walk(base, pat + n, out);
            } else {
                sh_vec_push(out, sh_strdup(base->s));
            }
            base->len = keep;
            base->s[keep] = '\0';
        }
        closedir(d);
    }
    free(comp);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t sh_glob(const char *pat, struct sh_vec *out)
{
    if (!pat || !has_magic(pat, strlen(pat)))
        return 0;
    size_t first = out->n;
    struct sh_str base = { 0 };
    sh_str_adds(&base, "");
    walk(&base, pat, out);
    sh_str_free(&base);
    size_t added = out->n - first;
    if (added > 1)
        qsort(out->v + first, added, sizeof(char *), cmp);
    return added;
}
