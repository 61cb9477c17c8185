/*
 * cmd_mount.c - the commands about whole file systems: mount, umount, sync, df.
 *
 * Layer: on top of libvfs, libdev's block-device registry (mount sfs finds
 * its device by name) and the shell core (cmd_common.h). vfs_for_each_mount()
 * holds the namespace lock while it calls back, so mount and df copy the list
 * of mounts first (at most 16) and ask the VFS about each afterwards.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <dev/block.h>
#include <string.h>

#include "cmd_common.h"

/* ---- df ---- */

/* vfs_for_each_mount holds the namespace lock: collect paths first, then statfs. */
struct mount_list {
    char paths[16][64];
    const struct vfs_fs_type *types[16];
    int n;
};

static void collect_mount(struct vfs_mount *m, void *arg)
{
    struct mount_list *l = arg;
    if (l->n < 16) {
        ksnprintf(l->paths[l->n], sizeof(l->paths[0]), "%s", m->path);
        l->types[l->n] = m->type;
        l->n++;
    }
}

static int cmd_df(struct shell *sh, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static struct mount_list l;
    l.n = 0;
    vfs_for_each_mount(collect_mount, &l);
    shell_printf(sh, "%-8s %10s %10s %10s %4s %s\n", "Type", "KiB", "Used", "Free", "Use",
                 "Mounted on");
    for (int i = 0; i < l.n; i++) {
        struct vfs_statfs st;
        int err = vfs_statfs(vctx(sh), l.paths[i], &st);
        if (err) {
            shell_printf(sh, "%-8s %s: %s\n", l.types[i]->name, l.paths[i], k_strerror(err));
            continue;
        }
        uint64_t kib = st.blocks * st.block_size / 1024;
        uint64_t free_kib = st.blocks_free * st.block_size / 1024;
        shell_printf(sh, "%-8s %10llu %10llu %10llu %3llu%% %s\n", st.type, (unsigned long long)kib,
                     (unsigned long long)(kib - free_kib), (unsigned long long)free_kib,
                     (unsigned long long)(kib ? (kib - free_kib) * 100 / kib : 0), l.paths[i]);
    }
    return 0;
}

/* ---- mount, umount, sync ---- */

static int cmd_mount(struct shell *sh, int argc, char **argv)
{
    if (argc == 1) {
        static struct mount_list l;
        l.n = 0;
        vfs_for_each_mount(collect_mount, &l);
        for (int i = 0; i < l.n; i++)
            shell_printf(sh, "%s on %s\n", l.types[i]->name, l.paths[i]);
        return 0;
    }
    if (argc != 4)
        return shell_usage(sh, "mount");
    void *source = NULL;
    if (strcmp(argv[1], "sfs") == 0) {
        const char *dev = argv[2];
        if (strncmp(dev, "/dev/", 5) == 0)
            dev += 5;
        source = blockdev_find(dev);
        if (!source)
            return shell_fs_fail(sh, "mount", argv[2], -ENODEV);
    }
    int err = vfs_mount(vctx(sh), argv[3], argv[1], source);
    if (err == -ENODEV && !source)
        shell_eprintf(sh, "mount: unknown file-system type %s\n", argv[1]);
    else if (err)
        return shell_fs_fail(sh, "mount", argv[3], err);
    return err ? 1 : 0;
}

static int cmd_umount(struct shell *sh, int argc, char **argv)
{
    if (argc != 2)
        return shell_usage(sh, "umount");
    int err = vfs_umount(vctx(sh), argv[1]);
    if (err == -EINVAL) {
        shell_eprintf(sh, "umount: %s: not a mount point\n", argv[1]);
        return 1;
    }
    return err ? shell_fs_fail(sh, "umount", argv[1], err) : 0;
}

static int cmd_sync(struct shell *sh, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int err = vfs_sync();
    return err ? shell_fs_fail(sh, "sync", NULL, err) : 0;
}

/* The file-system commands, registered by shell_fs_register() (cmd_fs.c). */
const struct shell_cmd shell_fs_mount_cmds[] = {
    { "df", cmd_df, "show file-system space", "df\nSize, use and free space of every mount.\n" },
    { "mount", cmd_mount, "mount a file system or list mounts",
      "mount [TYPE SOURCE DIR]\nWithout arguments, list mounts. TYPE is sfs (SOURCE a block "
      "device such as /dev/vdb), ramfs or devfs (SOURCE ignored).\n" },
    { "umount", cmd_umount, "unmount a file system", "umount DIR\n" },
    { "sync", cmd_sync, "write cached data to disk", "sync\n" },
};

const size_t shell_fs_mount_cmds_count =
    sizeof(shell_fs_mount_cmds) / sizeof(shell_fs_mount_cmds[0]);
