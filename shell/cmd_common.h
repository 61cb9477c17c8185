/*
 * cmd_common.h - private: what the file commands share (cmd_common.c), and
 * the command tables that cmd_fs.c registers.
 *
 * Every helper reports through the shell's terminal and keeps no state; the
 * buffers are the caller's.
 */
#ifndef SHELL_CMD_COMMON_H
#define SHELL_CMD_COMMON_H

#include <shell/fs_cmds.h>

/* Bytes read or copied at a time, in a buffer on the stack. */
#define IO_CHUNK 512

/* The VFS context the shell's commands act in (its struct shell_env). */
static inline struct vfs_ctx *vctx(struct shell *sh)
{
    return ((struct shell_env *)shell_context(sh))->vfs;
}

/* Report "CMD: PATH: reason" (or "CMD: reason" when @path is NULL) on the
 * terminal; returns 1, the command's status. */
int shell_fs_fail(struct shell *sh, const char *cmd, const char *path, int err);

/* Parse leading "-abc" options into a bitmask of allowed letters; returns the
 * index of the first operand, or -1 after reporting an unknown option. */
int shell_fs_options(struct shell *sh, int argc, char **argv, const char *allowed, unsigned *set);

/* The last component of @path, ignoring trailing slashes (points into @path). */
const char *shell_fs_base_name(const char *path);

/* dir + "/" + name into buf; false if it does not fit. */
bool shell_fs_join(char *buf, size_t size, const char *dir, const char *name);

/* "drwxr-xr-x": the type letter and permission bits of @st. */
void shell_fs_mode_string(const struct vfs_stat *st, char out[11]);

/* Append "/name" to the path in @buf (of length @len, VFS_PATH_MAX bytes);
 * false if it does not fit. */
bool shell_fs_push(char *buf, size_t len, const char *name);

/* The commands by concern, each table with its length. */
extern const struct shell_cmd shell_fs_read_cmds[]; /* cmd_read.c */
extern const size_t shell_fs_read_cmds_count;
extern const struct shell_cmd shell_fs_write_cmds[]; /* cmd_write.c */
extern const size_t shell_fs_write_cmds_count;
extern const struct shell_cmd shell_fs_list_cmds[]; /* cmd_list.c */
extern const size_t shell_fs_list_cmds_count;
extern const struct shell_cmd shell_fs_mount_cmds[]; /* cmd_mount.c */
extern const size_t shell_fs_mount_cmds_count;

#endif
