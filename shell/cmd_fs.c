/*
 * cmd_fs.c - the shell's file commands and VFS hooks (shell/fs_cmds.h).
 *
 * Layer: on top of libvfs and the shell core. shell_fs_register() registers
 * the commands, which live by concern in cmd_read.c (cat, hexdump, crc32),
 * cmd_write.c (write, touch, mkdir, rmdir, rm, mv, cp, ln), cmd_list.c (ls,
 * cd, pwd, stat, tree) and cmd_mount.c (mount, umount, sync, df), with their
 * shared helpers in cmd_common.c. This file also holds the hooks the shell
 * core calls: the prompt, path completion and output redirection.
 *
 * Every command reports failures as "CMD: PATH: reason" on the terminal and
 * returns 1, so the shell stays usable whatever the input.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <string.h>

#include "cmd_common.h"

int shell_fs_register(struct shell *sh)
{
    static const struct {
        const struct shell_cmd *cmds;
        const size_t *count;
    } groups[] = {
        { shell_fs_list_cmds, &shell_fs_list_cmds_count },
        { shell_fs_read_cmds, &shell_fs_read_cmds_count },
        { shell_fs_write_cmds, &shell_fs_write_cmds_count },
        { shell_fs_mount_cmds, &shell_fs_mount_cmds_count },
    };
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        int err = shell_register(sh, groups[i].cmds, *groups[i].count);
        if (err)
            return err;
    }
    return 0;
}

void shell_fs_prompt(void *ctx, char *buf, size_t size)
{
    struct shell_env *env = ctx;
    ksnprintf(buf, size, "%s $ ", vfs_getcwd(env->vfs));
}

void shell_fs_complete(void *ctx, const char *word, struct shell_completions *out)
{
    struct shell_env *env = ctx;
    const char *slash = strrchr(word, '/');
    char dir[VFS_PATH_MAX];
    const char *prefix = word;
    size_t dlen = 0;
    if (slash) {
        dlen = (size_t)(slash - word) + 1;
        if (dlen >= sizeof(dir))
            return;
        memcpy(dir, word, dlen);
        dir[dlen] = '\0';
        prefix = slash + 1;
    } else {
        memcpy(dir, ".", 2);
    }
    int fd = vfs_open(env->vfs, dir, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    if (fd < 0)
        return;
    struct vfs_dirent de;
    size_t plen = strlen(prefix);
    while (vfs_readdir(env->vfs, fd, &de) == 1) {
        if (strncmp(de.name, prefix, plen) != 0 || strcmp(de.name, ".") == 0 ||
            strcmp(de.name, "..") == 0)
            continue;
        if (de.name[0] == '.' && plen == 0)
            continue;
        char cand[VFS_PATH_MAX];
        int n = ksnprintf(cand, sizeof(cand), "%.*s%s%s", (int)dlen, word, de.name,
                          de.type == VFS_TYPE_DIR ? "/" : "");
        if (n > 0 && (size_t)n < sizeof(cand))
            shell_completion_add(out, cand);
    }
    vfs_close(env->vfs, fd);
}

struct redirect {
    struct vfs_ctx *vfs;
    int fd;
};

static int redirect_write(void *ctx, const char *buf, size_t n)
{
    struct redirect *r = ctx;
    long w = vfs_write(r->vfs, r->fd, buf, n);
    return w < 0 ? (int)w : (int)w;
}

static int redirect_close(void *ctx)
{
    struct redirect *r = ctx;
    return vfs_close(r->vfs, r->fd);
}

int shell_fs_open_output(void *ctx, const char *path, bool append, struct shell_output *out)
{
    static struct redirect r; /* one redirection at a time per shell */
    struct shell_env *env = ctx;
    int fd = vfs_open(env->vfs, path,
                      VFS_O_WRONLY | VFS_O_CREAT | (append ? VFS_O_APPEND : VFS_O_TRUNC), 0644);
    if (fd < 0)
        return fd;
    struct vfs_stat st;
    if (vfs_fstat(env->vfs, fd, &st) == 0 && st.type == VFS_TYPE_DIR) {
        vfs_close(env->vfs, fd);
        return -EISDIR;
    }
    r.vfs = env->vfs;
    r.fd = fd;
    out->write = redirect_write;
    out->close = redirect_close;
    out->ctx = &r;
    return 0;
}
