/*
 * cmd_list.c - the listing and navigation commands: ls, cd, pwd, stat, tree.
 *
 * Layer: on top of libvfs and the shell core (cmd_common.h). ls sorts each
 * directory's names in one static buffer (LS_SORT_NAMES names, LS_SORT_BYTES
 * bytes; a larger directory is listed in its own order), so the shell is not
 * reentrant here; tree descends at most 32 levels in one VFS_PATH_MAX buffer.
 */
#include <k/errno.h>
#include <string.h>

#include "cmd_common.h"

/* ---- ls ---- */

#define LS_LONG 1u
#define LS_ALL  2u

static void ls_line(struct shell *sh, const char *path, const char *name, unsigned opt)
{
    if (!(opt & LS_LONG)) {
        shell_printf(sh, "%s\n", name);
        return;
    }
    struct vfs_stat st;
    int err = vfs_lstat(vctx(sh), path, &st);
    if (err) {
        shell_printf(sh, "?????????? %s\n", name);
        return;
    }
    char m[11];
    shell_fs_mode_string(&st, m);
    shell_printf(sh, "%s %3u %10llu %s", m, st.nlink, (unsigned long long)st.size, name);
    if (st.type == VFS_TYPE_SYMLINK) {
        char target[VFS_PATH_MAX];
        if (vfs_readlink(vctx(sh), path, target, sizeof(target)) >= 0)
            shell_printf(sh, " -> %s", target);
    }
    shell_printf(sh, "\n");
}

/* Names of one directory, sorted for printing. Bounded: a directory with more
 * (or longer) names than fit is listed in its own order instead. */
#define LS_SORT_NAMES 512
#define LS_SORT_BYTES (16 * 1024)

static struct {
    char bytes[LS_SORT_BYTES];
    uint16_t off[LS_SORT_NAMES];
    unsigned n;
    size_t used;
} ls_names;

static bool ls_collect(const char *name)
{
    size_t len = strlen(name) + 1;
    if (ls_names.n == LS_SORT_NAMES || ls_names.used + len > LS_SORT_BYTES)
        return false;
    memcpy(ls_names.bytes + ls_names.used, name, len);
    ls_names.off[ls_names.n++] = (uint16_t)ls_names.used;
    ls_names.used += len;
    return true;
}

static void ls_sort(void)
{
    for (unsigned i = 1; i < ls_names.n; i++) { /* insertion sort: small n */
        uint16_t o = ls_names.off[i];
        unsigned j = i;
        while (j > 0 && strcmp(ls_names.bytes + ls_names.off[j - 1], ls_names.bytes + o) > 0) {
            ls_names.off[j] = ls_names.off[j - 1];
            j--;
        }
        ls_names.off[j] = o;
    }
}

static void ls_entry(struct shell *sh, const char *dir, const char *name, unsigned opt)
{
    char full[VFS_PATH_MAX];
    if (shell_fs_join(full, sizeof(full), dir, name))
        ls_line(sh, full, name, opt);
}

static int ls_one(struct shell *sh, const char *path, unsigned opt, bool header)
{
    struct vfs_ctx *c = vctx(sh);
    struct vfs_stat st;
    int err = vfs_stat(c, path, &st);
    if (err)
        return shell_fs_fail(sh, "ls", path, err);
    if (st.type != VFS_TYPE_DIR) {
        ls_line(sh, path, path, opt);
        return 0;
    }
    int fd = vfs_open(c, path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    if (fd < 0)
        return shell_fs_fail(sh, "ls", path, fd);
    if (header)
        shell_printf(sh, "%s:\n", path);
    struct vfs_dirent de;
    bool sorted = true;
    int r;
    ls_names.n = 0;
    ls_names.used = 0;
    while ((r = vfs_readdir(c, fd, &de)) == 1) {
        if (de.name[0] == '.' && !(opt & LS_ALL))
            continue;
        if (sorted && ls_collect(de.name))
            continue;
        if (sorted) { /* too many to sort: print what we kept, then go on as we read */
            for (unsigned i = 0; i < ls_names.n; i++)
                ls_entry(sh, path, ls_names.bytes + ls_names.off[i], opt);
            sorted = false;
        }
        ls_entry(sh, path, de.name, opt);
    }
    vfs_close(c, fd);
    if (sorted) {
        ls_sort();
        for (unsigned i = 0; i < ls_names.n; i++)
            ls_entry(sh, path, ls_names.bytes + ls_names.off[i], opt);
    }
    return r < 0 ? shell_fs_fail(sh, "ls", path, r) : 0;
}

static int cmd_ls(struct shell *sh, int argc, char **argv)
{
    unsigned opt;
    int i = shell_fs_options(sh, argc, argv, "la", &opt);
    if (i < 0)
        return 2;
    if (i == argc)
        return ls_one(sh, ".", opt, false);
    int status = 0;
    bool several = argc - i > 1; /* name each directory when listing several */
    for (; i < argc; i++)
        status |= ls_one(sh, argv[i], opt, several);
    return status;
}

/* ---- cd, pwd ---- */

static int cmd_cd(struct shell *sh, int argc, char **argv)
{
    if (argc > 2)
        return shell_usage(sh, "cd");
    const char *path = argc == 2 ? argv[1] : "/";
    int err = vfs_chdir(vctx(sh), path);
    return err ? shell_fs_fail(sh, "cd", path, err) : 0;
}

static int cmd_pwd(struct shell *sh, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf(sh, "%s\n", vfs_getcwd(vctx(sh)));
    return 0;
}

/* ---- stat, tree ---- */

static int cmd_stat(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "stat");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct vfs_stat st;
        int err = vfs_lstat(vctx(sh), argv[i], &st);
        if (err) {
            status |= shell_fs_fail(sh, "stat", argv[i], err);
            continue;
        }
        char m[11];
        shell_fs_mode_string(&st, m);
        shell_printf(sh, "  File: %s\n  Type: %s\n  Size: %llu\n Inode: %llu\n Links: %u\n",
                     argv[i], vfs_type_name(st.type), (unsigned long long)st.size,
                     (unsigned long long)st.ino, st.nlink);
        shell_printf(sh, "Blocks: %llu\n  Mode: %s (%04o)\nDevice: %u\n",
                     (unsigned long long)st.blocks, m, st.mode & 07777, st.dev);
    }
    return status;
}

/* List the directory whose path is in @buf (extended and restored while
 * descending); @prefix is the drawing for this depth. */
static void tree_walk(struct shell *sh, char *buf, char *prefix, int depth, unsigned *dirs,
                      unsigned *files)
{
    struct vfs_ctx *c = vctx(sh);
    if (depth > 32)
        return;
    int fd = vfs_open(c, buf, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    if (fd < 0)
        return;
    size_t len = strlen(buf), plen = strlen(prefix);
    struct vfs_dirent de;
    while (vfs_readdir(c, fd, &de) == 1) {
        if (strcmp(de.name, ".") == 0 || strcmp(de.name, "..") == 0)
            continue;
        shell_printf(sh, "%s|-- %s%s\n", prefix, de.name, de.type == VFS_TYPE_DIR ? "/" : "");
        if (de.type != VFS_TYPE_DIR) {
            (*files)++;
            continue;
        }
        (*dirs)++;
        if (!shell_fs_push(buf, len, de.name) || plen + 5 > 4 * 33)
            continue;
        memcpy(prefix + plen, "|   ", 5);
        tree_walk(sh, buf, prefix, depth + 1, dirs, files);
        prefix[plen] = '\0';
        buf[len] = '\0';
    }
    vfs_close(c, fd);
}

static int cmd_tree(struct shell *sh, int argc, char **argv)
{
    if (argc > 2)
        return shell_usage(sh, "tree");
    const char *path = argc == 2 ? argv[1] : ".";
    struct vfs_stat st;
    int err = vfs_stat(vctx(sh), path, &st);
    if (err)
        return shell_fs_fail(sh, "tree", path, err);
    if (st.type != VFS_TYPE_DIR)
        return shell_fs_fail(sh, "tree", path, -ENOTDIR);
    unsigned dirs = 0, files = 0;
    char buf[VFS_PATH_MAX];
    char prefix[4 * 33 + 1] = "";
    size_t n = strlen(path);
    if (n >= sizeof(buf))
        return shell_fs_fail(sh, "tree", path, -ENAMETOOLONG);
    memcpy(buf, path, n + 1);
    shell_printf(sh, "%s\n", path);
    tree_walk(sh, buf, prefix, 0, &dirs, &files);
    shell_printf(sh, "\n%u directories, %u files\n", dirs, files);
    return 0;
}

/* The listing and navigation commands, registered by shell_fs_register() (cmd_fs.c). */
const struct shell_cmd shell_fs_list_cmds[] = {
    { "ls", cmd_ls, "list directory contents",
      "ls [-l] [-a] [PATH]...\nList each directory's entries in name order (-a: include names "
      "starting with '.'; -l: type, permissions, links, size).\n" },
    { "cd", cmd_cd, "change the working directory", "cd [DIR]\nGo to DIR (default /).\n" },
    { "pwd", cmd_pwd, "print the working directory", "pwd\n" },
    { "stat", cmd_stat, "show file attributes", "stat PATH...\n" },
    { "tree", cmd_tree, "show a directory tree", "tree [DIR]\n" },
};

const size_t shell_fs_list_cmds_count = sizeof(shell_fs_list_cmds) / sizeof(shell_fs_list_cmds[0]);
