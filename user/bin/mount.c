/*
 * mount.c - mount file systems, or list them.
 *
 *   mount [-t TYPE]                        list /proc/mounts (of TYPE only) as
 *                                          "SOURCE on DIR type TYPE (OPTIONS)"
 *   mount [-r|-w] [-t TYPE] [-o OPTS] SOURCE DIR
 *   mount [-r|-w] [-o OPTS] SOURCE|DIR    the other half from /etc/fstab
 * mount(2) with the flags of OPTS (ro rw nosuid suid nodev dev noexec exec
 * sync async remount bind noatime atime relatime nodiratime; "defaults" is
 * none) and the other options passed to the file system as its data.
 * Without -t each type of /proc/filesystems not marked "nodev" is tried in
 * turn, as util-linux does. Exit status 0, 1 if the mount failed
 * ("mount: DIR: reason"), 2 bad usage.
 */
#include "system.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static const char *usage = "[-t TYPE] | [-r|-w] [-t TYPE] [-o OPTIONS] [SOURCE] DIR";

static const struct {
    const char *name;
    unsigned long set, clear;
} flag_opts[] = {
    { "ro", MS_RDONLY, 0 },         { "rw", 0, MS_RDONLY },
    { "nosuid", MS_NOSUID, 0 },     { "suid", 0, MS_NOSUID },
    { "nodev", MS_NODEV, 0 },       { "dev", 0, MS_NODEV },
    { "noexec", MS_NOEXEC, 0 },     { "exec", 0, MS_NOEXEC },
    { "sync", MS_SYNCHRONOUS, 0 },  { "async", 0, MS_SYNCHRONOUS },
    { "remount", MS_REMOUNT, 0 },   { "bind", MS_BIND, 0 },
    { "noatime", MS_NOATIME, 0 },   { "atime", 0, MS_NOATIME },
    { "relatime", MS_RELATIME, 0 }, { "nodiratime", MS_NODIRATIME, 0 },
    { "defaults", 0, 0 },
};

/* Split OPTS into mount flags (*flags) and file-system data (appended to data). */
static void parse_options(const char *opts, unsigned long *flags, char *data, size_t size)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", opts);
    for (char *save, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++)
            if (!strcmp(o, flag_opts[i].name))
                break;
        if (i < sizeof(flag_opts) / sizeof(flag_opts[0])) {
            *flags = (*flags & ~flag_opts[i].clear) | flag_opts[i].set;
        } else {
            size_t len = strlen(data);
            snprintf(data + len, size - len, "%s%s", len ? "," : "", o);
        }
    }
}

static int list(const char *type)
{
    FILE *f = fopen(SYS_MOUNTS, "r");
    if (!f)
        return util_err(SYS_MOUNTS);
    struct sys_mount m;
    while (sys_mount_next(f, &m))
        if (!type || !strcmp(type, m.type))
            printf("%s on %s type %s (%s)\n", m.src, m.dir, m.type, m.opts);
    fclose(f);
    return util_finish(UTIL_OK);
}

/* Mount with each type /proc/filesystems lists without "nodev". */
static int mount_any(const char *src, const char *dir, unsigned long flags, const char *data)
{
    FILE *f = fopen("/proc/filesystems", "r");
    if (!f)
        return util_msg("%s: give the type with -t (/proc/filesystems: %s)", dir, strerror(errno));
    char line[128];
    int err = EINVAL;
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "nodev", 5))
            continue;
        char type[64];
        if (sscanf(line, " %63s", type) != 1)
            continue;
        if (mount(src, dir, type, flags, data) == 0) {
            fclose(f);
            return UTIL_OK;
        }
        err = errno;
        /* Only a file system of another type is a reason to try the next. */
        if (err != EINVAL && err != ENODEV)
            break;
    }
    fclose(f);
    return util_errno(dir, err);
}

/* Find the /etc/fstab line whose source or directory is ARG. */
static int from_fstab(const char *arg, struct sys_mount *m)
{
    FILE *f = fopen("/etc/fstab", "r");
    if (!f)
        return util_msg("%s: not in /etc/fstab (%s)", arg, strerror(errno));
    int found = 0;
    while (!found && sys_mount_next(f, m))
        found = m->src[0] != '#' && (!strcmp(m->src, arg) || !strcmp(m->dir, arg));
    fclose(f);
    return found ? UTIL_OK : util_msg("%s: not in /etc/fstab", arg);
}

int main(int argc, char **argv)
{
    util_init("mount");
    const char *type = NULL;
    char opts[512] = "";
    int c, ro = -1;
    while ((c = util_getopt(argc, argv, "t:o:rw", usage)) != -1) {
        if (c == 't')
            type = optarg;
        else if (c == 'r' || c == 'w')
            ro = c == 'r';
        else {
            size_t len = strlen(opts);
            snprintf(opts + len, sizeof(opts) - len, "%s%s", len ? "," : "", optarg);
        }
    }
    int nops = argc - optind;
    if (nops == 0 && !opts[0] && ro < 0)
        return list(type);
    if (nops < 1 || nops > 2)
        util_usage(usage);
    struct sys_mount m;
    const char *src, *dir;
    if (nops == 1) {
        if (from_fstab(argv[optind], &m) != UTIL_OK)
            return UTIL_ERR;
        src = m.src;
        dir = m.dir;
        if (!type && strcmp(m.type, "auto"))
            type = m.type;
        char merged[sizeof(m.opts) + sizeof(opts) + 1];
        snprintf(merged, sizeof(merged), "%s%s%s", m.opts, opts[0] ? "," : "", opts);
        if (strlen(merged) >= sizeof(opts))
            return util_msg("%s: options too long", argv[optind]);
        memcpy(opts, merged, strlen(merged) + 1);
    } else {
        src = argv[optind];
        dir = argv[optind + 1];
    }
    unsigned long flags = 0;
    char data[512] = "";
    parse_options(opts, &flags, data, sizeof(data));
    if (ro >= 0)
        flags = ro ? flags | MS_RDONLY : flags & ~(unsigned long)MS_RDONLY;
    if (!type && !(flags & (MS_BIND | MS_REMOUNT)))
        return mount_any(src, dir, flags, data[0] ? data : NULL);
    if (mount(src, dir, type, flags, data[0] ? data : NULL) != 0)
        return util_err(dir);
    return UTIL_OK;
}
