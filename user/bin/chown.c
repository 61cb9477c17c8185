/*
 * chown.c - change file owners and groups (POSIX chown).
 *
 *   chown [-R] [-h] OWNER[:GROUP] FILE...
 *   chown [-R] [-h] :GROUP FILE...
 * OWNER and GROUP are names or numbers. A name is looked up in /etc/passwd
 * (or /etc/group) when that file exists, and "root" is always 0; a string of
 * digits that names nobody is the number itself, as POSIX says. "OWNER:"
 * takes the owner's login group from /etc/passwd.
 *
 * A symbolic link operand is followed, unless -h changes the link itself.
 * -R also changes everything under each directory operand; symbolic links
 * met in the walk are changed themselves, never followed.
 *
 * An owner or group that cannot be resolved is a usage error (status 2),
 * found before any file is touched; a file that cannot be changed is
 * reported and the others still are (status 1).
 */
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uid_t new_uid = (uid_t)-1;
static gid_t new_gid = (gid_t)-1;
static int no_follow;

/* Field @field (0-based, numeric) of the line of colon-separated file @file
 * whose first field is @name: 0, or -1 when there is no such line. */
static int file_field(const char *file, const char *name, int field, unsigned long *out)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return -1;
    char line[512];
    int found = -1;
    size_t n = strlen(name);
    while (found < 0 && fgets(line, sizeof(line), f)) {
        if (strncmp(line, name, n) != 0 || line[n] != ':')
            continue;
        char *p = line;
        for (int i = 0; i < field && p; i++) {
            p = strchr(p, ':');
            if (p)
                p++;
        }
        char *end;
        if (p && *p >= '0' && *p <= '9') {
            unsigned long v = strtoul(p, &end, 10);
            if (*end == ':' || *end == '\n' || *end == '\0') {
                *out = v;
                found = 0;
            }
        }
    }
    fclose(f);
    return found;
}

/* A user or group: a name from @file (id in @field), "root", or a number. */
static int resolve(const char *s, const char *file, int field, unsigned long *out)
{
    if (*s == '\0')
        return -1;
    if (file_field(file, s, field, out) == 0)
        return 0;
    if (strcmp(s, "root") == 0) {
        *out = 0;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || errno || v >= 0xffffffffUL)
        return -1;
    *out = v;
    return 0;
}

/* Parse OWNER[:GROUP], :GROUP or OWNER: into new_uid and new_gid. */
static int parse_spec(char *spec)
{
    char *colon = strchr(spec, ':');
    if (colon)
        *colon = '\0';
    unsigned long v;
    if (*spec) {
        if (resolve(spec, "/etc/passwd", 2, &v) != 0)
            return util_msg("%s: invalid user", spec);
        new_uid = (uid_t)v;
    }
    if (colon && colon[1]) {
        if (resolve(colon + 1, "/etc/group", 2, &v) != 0)
            return util_msg("%s: invalid group", colon + 1);
        new_gid = (gid_t)v;
    } else if (colon && *spec) {
        if (file_field("/etc/passwd", spec, 3, &v) != 0)
            return util_msg("%s: no login group", spec);
        new_gid = (gid_t)v;
    } else if (!*spec) {
        return colon ? util_msg(": needs a group") : util_msg("missing owner");
    }
    return UTIL_OK;
}

static int change(const char *path, int follow)
{
    int r = follow ? chown(path, new_uid, new_gid) : lchown(path, new_uid, new_gid);
    return r == 0 ? UTIL_OK : util_err(path);
}

/* tree_each()'s step for -R: a link itself is changed, never its target. */
static int change_entry(void *ctx, const char *path, const struct stat *st)
{
    (void)ctx, (void)st;
    return change(path, 0);
}

int main(int argc, char **argv)
{
    util_init("chown");
    const char *usage = "[-R] [-h] OWNER[:GROUP] FILE...";
    int recurse = 0, c;
    while ((c = util_getopt(argc, argv, "Rh", usage)) != -1) {
        if (c == 'R')
            recurse = 1;
        else
            no_follow = 1;
    }
    if (argc - optind < 2)
        util_usage(usage);
    if (parse_spec(argv[optind++]) != UTIL_OK)
        util_usage(usage);
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        if (change(argv[i], !no_follow) != UTIL_OK) {
            status = UTIL_ERR;
            continue;
        }
        struct stat st;
        if (recurse && lstat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) &&
            tree_each(argv[i], change_entry, NULL) != UTIL_OK)
            status = UTIL_ERR;
    }
    return status;
}
