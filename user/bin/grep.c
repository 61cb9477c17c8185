/*
 * grep.c - search files for lines matching a pattern (POSIX grep).
 *
 *   grep [-E|-F] [-c|-l|-q] [-i] [-n] [-s] [-v] [-h|-H] -e PATTERN... [FILE...]
 *   grep [-E|-F] [-c|-l|-q] [-i] [-n] [-s] [-v] [-h|-H] PATTERN [FILE...]
 * Basic regular expressions (musl's regcomp), extended with -E, fixed strings
 * with -F; a PATTERN holding newlines is several patterns. -i ignores case,
 * -v selects the lines that do not match, -n numbers them, -c counts them,
 * -l names the files with one, -q prints nothing. With several files each
 * line is prefixed by "FILE:" (-h drops it, -H forces it). -s is silent about
 * unreadable files. Exit status: 0 a line was selected, 1 none, 2 an error
 * (unless -q found a line).
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MODE_BRE, MODE_ERE, MODE_FIXED };

static int mode = MODE_BRE, icase, invert, numbers, count_only, list_only, quiet, silent;
static int with_names = -1;

static char **patterns;
static size_t npatterns;
static regex_t *regs;

static void add_patterns(const char *arg)
{
    /* each line of the argument is a pattern of its own */
    const char *p = arg;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char **g = realloc(patterns, (npatterns + 1) * sizeof(*patterns));
        char *copy = strndup(p, len);
        if (!g || !copy) {
            util_err(NULL);
            exit(2);
        }
        patterns = g;
        patterns[npatterns++] = copy;
        if (!nl)
            break;
        p = nl + 1;
    }
}

/* strstr, ignoring case if -i. */
static int fixed_match(const char *line, const char *pat)
{
    if (!icase)
        return strstr(line, pat) != NULL;
    size_t pl = strlen(pat);
    for (const char *s = line; *s || pl == 0; s++) {
        size_t i = 0;
        while (i < pl && s[i] && tolower((unsigned char)s[i]) == tolower((unsigned char)pat[i]))
            i++;
        if (i == pl)
            return 1;
        if (!*s)
            break;
    }
    return 0;
}

static int line_matches(const char *line)
{
    for (size_t i = 0; i < npatterns; i++) {
        if (mode == MODE_FIXED ? fixed_match(line, patterns[i])
                               : regexec(&regs[i], line, 0, NULL, 0) == 0)
            return 1;
    }
    return 0;
}

/* Search one stream; return 0 if a line was selected, 1 if not. */
static int grep_stream(FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long long lineno = 0, selected = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (line_matches(line) == invert)
            continue;
        selected++;
        if (quiet)
            break;
        if (list_only)
            break;
        if (count_only)
            continue;
        if (with_names)
            printf("%s:", name);
        if (numbers)
            printf("%lld:", lineno);
        fwrite(line, 1, (size_t)len, stdout);
        putchar('\n');
    }
    free(line);
    if (count_only && !quiet) {
        if (with_names)
            printf("%s:", name);
        printf("%lld\n", selected);
    }
    if (list_only && selected && !quiet)
        printf("%s\n", name);
    return selected ? 0 : 1;
}

int main(int argc, char **argv)
{
    util_init("grep");
    const char *usage = "[-E|-F] [-c|-l|-q] [-i] [-n] [-s] [-v] [-h|-H] [-e] PATTERN [FILE...]";
    int c;
    while ((c = util_getopt(argc, argv, "EFGce:hHilnqsv", usage)) != -1) {
        switch (c) {
        case 'E':
            mode = MODE_ERE;
            break;
        case 'F':
            mode = MODE_FIXED;
            break;
        case 'G':
            mode = MODE_BRE;
            break;
        case 'c':
            count_only = 1;
            break;
        case 'e':
            add_patterns(optarg);
            break;
        case 'h':
            with_names = 0;
            break;
        case 'H':
            with_names = 1;
            break;
        case 'i':
            icase = 1;
            break;
        case 'l':
            list_only = 1;
            break;
        case 'n':
            numbers = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 's':
            silent = 1;
            break;
        case 'v':
            invert = 1;
            break;
        }
    }
    if (npatterns == 0) {
        if (optind == argc)
            util_usage(usage);
        add_patterns(argv[optind++]);
    }
    if (mode != MODE_FIXED) {
        regs = calloc(npatterns, sizeof(*regs));
        if (!regs) {
            util_err(NULL);
            return 2;
        }
        int cflags = REG_NOSUB | (mode == MODE_ERE ? REG_EXTENDED : 0) | (icase ? REG_ICASE : 0);
        for (size_t i = 0; i < npatterns; i++) {
            int r = regcomp(&regs[i], patterns[i], cflags);
            if (r != 0) {
                char msg[256];
                regerror(r, &regs[i], msg, sizeof(msg));
                util_msg("%s: %s", patterns[i], msg);
                return 2;
            }
        }
    }
    int nfiles = argc - optind;
    if (with_names < 0)
        with_names = nfiles > 1;
    int found = 0, error = 0;
    if (nfiles == 0) {
        found = grep_stream(stdin, "(standard input)") == 0;
    }
    for (int i = optind; i < argc && !(quiet && found); i++) {
        FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;
        const char *name = f == stdin ? "(standard input)" : argv[i];
        if (!f) {
            if (!silent)
                util_err(argv[i]);
            error = 1;
            continue;
        }
        if (grep_stream(f, name) == 0)
            found = 1;
        if (ferror(f)) {
            if (!silent)
                util_err(argv[i]);
            error = 1;
        }
        if (f != stdin)
            fclose(f);
    }
    if (util_finish(0) != 0)
        return 2;
    if (error && !(quiet && found))
        return 2;
    return found ? 0 : 1;
}
