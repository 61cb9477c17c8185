/*
 * cmd_write.c - the file commands that change files and names: write, touch,
 * mkdir, rmdir, rm, mv, cp, ln.
 *
 * Layer: on top of libvfs and the shell core (cmd_common.h). rm -r walks the
 * tree depth first in one VFS_PATH_MAX buffer (bounded to 64 levels); cp
 * copies in IO_CHUNK pieces on the stack. mv, cp and ln put the result inside
 * the destination when it is a directory.
 */
#include <k/errno.h>
#include <string.h>

#include "cmd_common.h"

/* ---- write, touch ---- */

static int cmd_write(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "write");
    struct vfs_ctx *c = vctx(sh);
    int fd = vfs_open(c, argv[1], VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, 0644);
    if (fd < 0)
        return shell_fs_fail(sh, "write", argv[1], fd);
    long r = 0;
    for (int i = 2; i < argc && r >= 0; i++) {
        r = vfs_write(c, fd, argv[i], strlen(argv[i]));
        if (r >= 0)
            r = vfs_write(c, fd, i + 1 < argc ? " " : "\n", 1);
    }
    int err = vfs_close(c, fd);
    if (r < 0)
        return shell_fs_fail(sh, "write", argv[1], (int)r);
    return err ? shell_fs_fail(sh, "write", argv[1], err) : 0;
}

static int cmd_touch(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "touch");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int fd = vfs_open(vctx(sh), argv[i], VFS_O_WRONLY | VFS_O_CREAT, 0644);
        if (fd < 0)
            status |= shell_fs_fail(sh, "touch", argv[i], fd);
        else
            vfs_close(vctx(sh), fd);
    }
    return status;
}

/* ---- mkdir, rmdir, rm ---- */

static int mkdir_p(struct shell *sh, const char *path)
{
    char buf[VFS_PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof(buf))
        return shell_fs_fail(sh, "mkdir", path, -ENAMETOOLONG);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        int err = vfs_mkdir(vctx(sh), buf, 0755);
        struct vfs_stat st;
        if (err == -EEXIST && vfs_stat(vctx(sh), buf, &st) == 0 && st.type == VFS_TYPE_DIR)
            err = 0;
        if (err && err != -EINVAL)
            return shell_fs_fail(sh, "mkdir", buf, err == -EEXIST ? -ENOTDIR : err);
        buf[i] = saved;
    }
    return 0;
}

static int cmd_mkdir(struct shell *sh, int argc, char **argv)
{
    unsigned opt;
    int i = shell_fs_options(sh, argc, argv, "p", &opt);
    if (i < 0)
        return 2;
    if (i == argc)
        return shell_usage(sh, "mkdir");
    int status = 0;
    for (; i < argc; i++) {
        if (opt) {
            status |= mkdir_p(sh, argv[i]);
        } else {
            int err = vfs_mkdir(vctx(sh), argv[i], 0755);
            if (err)
                status |= shell_fs_fail(sh, "mkdir", argv[i], err);
        }
    }
    return status;
}

static int cmd_rmdir(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "rmdir");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int err = vfs_rmdir(vctx(sh), argv[i]);
        if (err)
            status |= shell_fs_fail(sh, "rmdir", argv[i], err);
    }
    return status;
}

/* Remove the path in @buf and, if it is a directory, everything in it. The
 * buffer (VFS_PATH_MAX bytes) is extended and restored on the way down, so the
 * recursion costs little stack. */
static int remove_tree(struct shell *sh, char *buf, int depth)
{
    struct vfs_ctx *c = vctx(sh);
    struct vfs_stat st;
    int err = vfs_lstat(c, buf, &st);
    if (err)
        return err;
    if (st.type != VFS_TYPE_DIR)
        return vfs_unlink(c, buf);
    if (depth > 64)
        return -ELOOP;
    size_t len = strlen(buf);
    /* Delete entries one by one, reopening after each so removal never races
     * the directory position. */
    for (;;) {
        int fd = vfs_open(c, buf, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
        if (fd < 0)
            return fd;
        struct vfs_dirent de;
        bool found = false;
        int r;
        while ((r = vfs_readdir(c, fd, &de)) == 1) {
            if (strcmp(de.name, ".") && strcmp(de.name, "..")) {
                found = true;
                break;
            }
        }
        vfs_close(c, fd);
        if (r < 0)
            return r;
        if (!found)
            break;
        if (!shell_fs_push(buf, len, de.name))
            return -ENAMETOOLONG;
        err = remove_tree(sh, buf, depth + 1);
        buf[len] = '\0';
        if (err)
            return err;
    }
    return vfs_rmdir(c, buf);
}

static int cmd_rm(struct shell *sh, int argc, char **argv)
{
    unsigned opt;
    int i = shell_fs_options(sh, argc, argv, "rf", &opt);
    if (i < 0)
        return 2;
    if (i == argc)
        return shell_usage(sh, "rm");
    int status = 0;
    for (; i < argc; i++) {
        int err;
        const char *p = argv[i];
        while (*p == '/')
            p++;
        if (*p == '\0' && argv[i][0] == '/') {
            shell_eprintf(sh, "rm: refusing to remove the root directory\n");
            status = 1;
            continue;
        }
        if (opt & 1) {
            char path[VFS_PATH_MAX];
            if (strlen(argv[i]) >= sizeof(path)) {
                status |= shell_fs_fail(sh, "rm", argv[i], -ENAMETOOLONG);
                continue;
            }
            memcpy(path, argv[i], strlen(argv[i]) + 1);
            err = remove_tree(sh, path, 0);
        } else {
            err = vfs_unlink(vctx(sh), argv[i]);
        }
        if (err == -EISDIR)
            shell_eprintf(sh, "rm: %s: is a directory (use rm -r)\n", argv[i]), status = 1;
        else if (err && !((opt & 2) && err == -ENOENT))
            status |= shell_fs_fail(sh, "rm", argv[i], err);
    }
    return status;
}

/* ---- mv, cp, ln ---- */

/* If @dst is a directory, the target is dst/basename(src). */
static const char *target_in(struct shell *sh, const char *src, const char *dst, char *buf,
                             size_t size)
{
    struct vfs_stat st;
    if (vfs_stat(vctx(sh), dst, &st) == 0 && st.type == VFS_TYPE_DIR &&
        shell_fs_join(buf, size, dst, shell_fs_base_name(src)))
        return buf;
    return dst;
}

static int cmd_mv(struct shell *sh, int argc, char **argv)
{
    if (argc != 3)
        return shell_usage(sh, "mv");
    char buf[VFS_PATH_MAX];
    const char *to = target_in(sh, argv[1], argv[2], buf, sizeof(buf));
    int err = vfs_rename(vctx(sh), argv[1], to);
    return err ? shell_fs_fail(sh, "mv", err == -ENOENT ? argv[1] : to, err) : 0;
}

static int copy_file(struct shell *sh, const char *from, const char *to)
{
    struct vfs_ctx *c = vctx(sh);
    struct vfs_stat a, b;
    if (vfs_stat(c, from, &a) == 0 && vfs_stat(c, to, &b) == 0 && a.dev == b.dev &&
        a.ino == b.ino) {
        shell_eprintf(sh, "cp: %s and %s are the same file\n", from, to);
        return 1;
    }
    int in = vfs_open(c, from, VFS_O_RDONLY, 0);
    if (in < 0)
        return shell_fs_fail(sh, "cp", from, in);
    if (vfs_fstat(c, in, &a) == 0 && a.type == VFS_TYPE_DIR) {
        vfs_close(c, in);
        return shell_fs_fail(sh, "cp", from, -EISDIR);
    }
    int out = vfs_open(c, to, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, 0644);
    if (out < 0) {
        vfs_close(c, in);
        return shell_fs_fail(sh, "cp", to, out);
    }
    uint8_t buf[IO_CHUNK];
    long n, w = 0;
    while ((n = vfs_read(c, in, buf, sizeof(buf))) > 0) {
        w = vfs_write(c, out, buf, (size_t)n);
        if (w != n)
            break;
    }
    vfs_close(c, in);
    vfs_close(c, out);
    if (n < 0)
        return shell_fs_fail(sh, "cp", from, (int)n);
    if (w < 0)
        return shell_fs_fail(sh, "cp", to, (int)w);
    return 0;
}

static int cmd_cp(struct shell *sh, int argc, char **argv)
{
    if (argc != 3)
        return shell_usage(sh, "cp");
    char buf[VFS_PATH_MAX];
    return copy_file(sh, argv[1], target_in(sh, argv[1], argv[2], buf, sizeof(buf)));
}

static int cmd_ln(struct shell *sh, int argc, char **argv)
{
    unsigned opt;
    int i = shell_fs_options(sh, argc, argv, "s", &opt);
    if (i < 0)
        return 2;
    if (argc - i != 2)
        return shell_usage(sh, "ln");
    char buf[VFS_PATH_MAX];
    const char *to = target_in(sh, argv[i], argv[i + 1], buf, sizeof(buf));
    int err = opt ? vfs_symlink(vctx(sh), argv[i], to) : vfs_link(vctx(sh), argv[i], to);
    return err ? shell_fs_fail(sh, "ln", err == -EEXIST ? to : argv[i], err) : 0;
}

/* The file writing and making commands, registered by shell_fs_register() (cmd_fs.c). */
const struct shell_cmd shell_fs_write_cmds[] = {
    { "write", cmd_write, "write words to a file",
      "write FILE [WORD]...\nReplace FILE's contents with the words, separated by spaces and "
      "ending in a newline.\n" },
    { "touch", cmd_touch, "create empty files", "touch FILE...\nCreate each FILE if missing.\n" },
    { "mkdir", cmd_mkdir, "make directories",
      "mkdir [-p] DIR...\n-p: make missing parents and accept existing directories.\n" },
    { "rmdir", cmd_rmdir, "remove empty directories", "rmdir DIR...\n" },
    { "rm", cmd_rm, "remove files",
      "rm [-r] [-f] PATH...\n-r: remove directories and their contents; -f: ignore missing "
      "files.\n" },
    { "mv", cmd_mv, "move or rename", "mv FROM TO\nTO may be an existing directory.\n" },
    { "cp", cmd_cp, "copy a file", "cp FROM TO\nTO may be an existing directory.\n" },
    { "ln", cmd_ln, "make links",
      "ln [-s] TARGET LINK\nA hard link, or with -s a symbolic link holding TARGET.\n" },
};

const size_t shell_fs_write_cmds_count =
    sizeof(shell_fs_write_cmds) / sizeof(shell_fs_write_cmds[0]);
