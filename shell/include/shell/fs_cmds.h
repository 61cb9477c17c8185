/**
 * @file shell/fs_cmds.h
 * @brief The shell's file commands over the VFS, and the VFS-backed hooks for
 * the shell core (prompt with the working directory, path completion, output
 * redirection).
 *
 * Commands: `ls cd pwd cat write touch mkdir rmdir rm mv cp ln stat df tree
 * hexdump crc32 mount umount sync`. Errors are reported POSIX style:
 * `rm: /a/b: No such file or directory`.
 *
 * The shell's context (shell_config.ctx) must be a `struct shell_env`.
 */
#ifndef SHELL_FS_CMDS_H
#define SHELL_FS_CMDS_H

#include <shell/shell.h>
#include <vfs/vfs.h>

/** @brief What the file commands and hooks need: the VFS context they act in. */
struct shell_env {
    struct vfs_ctx *vfs; /**< Root, working directory, descriptors. */
    void *kernel;        /**< For the kernel's own commands (may be NULL). */
};

/**
 * @brief Register the file commands.
 * @param sh the shell (its context must be a struct shell_env)
 * @return 0 or -ENOSPC when the command table is full
 */
int shell_fs_register(struct shell *sh);

/**
 * @brief Prompt hook: "WORKING-DIRECTORY $ ".
 * @param ctx  the struct shell_env
 * @param buf  destination
 * @param size its size
 */
void shell_fs_prompt(void *ctx, char *buf, size_t size);

/**
 * @brief Path-completion hook: the entries of the word's directory that start
 * with its last component (directories get a trailing '/').
 * @param ctx  the struct shell_env
 * @param word the word being completed
 * @param out  where candidates go
 */
void shell_fs_complete(void *ctx, const char *word, struct shell_completions *out);

/**
 * @brief Redirection hook: open @p path for writing (truncated or appended).
 * @param ctx    the struct shell_env
 * @param path   the file
 * @param append `>>` rather than `>`
 * @param out    filled in
 * @return 0 or a negative error
 */
int shell_fs_open_output(void *ctx, const char *path, bool append, struct shell_output *out);

#endif
