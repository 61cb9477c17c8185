/*
 * cmd_common.c - what the file commands share (cmd_common.h): error reports,
 * option parsing, path joining and naming, and mode strings.
 *
 * Layer: helpers for cmd_read.c, cmd_write.c, cmd_list.c and cmd_mount.c, on
 * top of libvfs and the shell core. No state; buffers are the caller's.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <string.h>

#include "cmd_common.h"

int shell_fs_fail(struct shell *sh, const char *cmd, const char *path, int err)
{
    if (path)
        shell_eprintf(sh, "%s: %s: %s\n", cmd, path, k_strerror(err));
    else
        shell_eprintf(sh, "%s: %s\n", cmd, k_strerror(err));
    return 1;
}

/* Parse leading "-abc" options into a bitmask of allowed letters; returns the
 * index of the first operand, or -1 after reporting an unknown option. */
int shell_fs_options(struct shell *sh, int argc, char **argv, const char *allowed, unsigned *set)
{
    *set = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0)
            return i + 1;
        for (const char *p = argv[i] + 1; *p; p++) {
            const char *at = strchr(allowed, *p);
            if (!at) {
                shell_eprintf(sh, "%s: unknown option -%c\n", argv[0], *p);
                shell_usage(sh, argv[0]);
                return -1;
            }
            *set |= 1u << (at - allowed);
        }
    }
    return i;
}

const char *shell_fs_base_name(const char *path)
{
    const char *end = path + strlen(path);
    while (end > path + 1 && end[-1] == '/')
        end--;
    const char *b = end;
    while (b > path && b[-1] != '/')
        b--;
    return b;
}

/* dir + "/" + name into buf; false if it does not fit. */
bool shell_fs_join(char *buf, size_t size, const char *dir, const char *name)
{
    size_t d = strlen(dir);
    while (d > 1 && dir[d - 1] == '/')
        d--;
    int n = ksnprintf(buf, size, "%.*s%s%s", (int)d, dir, dir[d - 1] == '/' ? "" : "/", name);
    return n >= 0 && (size_t)n < size;
}

static char mode_char(uint32_t type)
{
    switch (type) {
    case VFS_TYPE_DIR:
        return 'd';
    case VFS_TYPE_SYMLINK:
        return 'l';
    case VFS_TYPE_CHARDEV:
        return 'c';
    case VFS_TYPE_BLOCKDEV:
        return 'b';
    default:
        return '-';
    }
}

void shell_fs_mode_string(const struct vfs_stat *st, char out[11])
{
    out[0] = mode_char(st->type);
    static const char rwx[] = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        out[1 + i] = (st->mode & (0400u >> i)) ? rwx[i] : '-';
    out[10] = '\0';
}

/* Append "/name" to the path in @buf (of length @len); false if it does not fit. */
bool shell_fs_push(char *buf, size_t len, const char *name)
{
    size_t n = strlen(name);
    bool slash = len > 0 && buf[len - 1] != '/';
    if (len + slash + n + 1 > VFS_PATH_MAX)
        return false;
    if (slash)
        buf[len++] = '/';
    memcpy(buf + len, name, n + 1);
    return true;
}
