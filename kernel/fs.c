/*
 * fs.c - the VFS in the kernel and the boot-time mounts (kernel/fs.h).
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <arch/timer.h>
#include <dev/block.h>
#include <kernel/fs.h>
#include <mm/heap.h>
#include <sched/sync.h>
#include <string.h>
#include <vfs/devfs.h>
#include <vfs/ramfs.h>
#include <vfs/sfs_vfs.h>

static struct mutex vfs_mutex;
static struct vfs_ctx kctx;
static int root_error;

static void lock(void *ctx)
{
    mutex_lock(ctx);
}

static void unlock(void *ctx)
{
    mutex_unlock(ctx);
}

/* File times: the RTC's date when it could be read at boot, else seconds
 * since boot (timer_realtime_s() falls back by itself). */
static uint64_t now(void)
{
    return timer_realtime_s();
}

/* The root disk: vda, the first virtio-blk disk found on PCI. Other disks are
 * left for the user to mount. */
static struct block_device *root_disk(void)
{
    return blockdev_find("vda");
}

static int mount_disk_root(struct block_device *disk)
{
    int blank = sfs_vfs_blank(disk);
    if (blank < 0)
        return blank;
    if (blank) {
        kprintf("fs: %s is blank (its first MiB is zeros): formatting it with SFS\n", disk->name);
        int err = sfs_vfs_format(disk);
        if (err) {
            kprintf("fs: formatting %s failed: %s\n", disk->name, k_strerror(err));
            return err;
        }
    }
    return vfs_mount_root(&kctx, "sfs", disk);
}

static void ensure_dir(const char *path)
{
    int err = vfs_mkdir(&kctx, path, 0755);
    if (err && err != -EEXIST)
        kprintf("fs: cannot create %s: %s\n", path, k_strerror(err));
}

int kernel_fs_init(void)
{
    mutex_init(&vfs_mutex);
    struct vfs_config cfg = { .alloc = kmalloc,
                              .free = kfree,
                              .lock = lock,
                              .unlock = unlock,
                              .lock_ctx = &vfs_mutex,
                              .now = now };
    int err = vfs_init(&cfg);
    if (err)
        return err;
    vfs_register_fs(&ramfs_type);
    vfs_register_fs(&devfs_type);
    vfs_register_fs(&sfs_vfs_type);

    struct block_device *disk = root_disk();
    root_error = disk ? mount_disk_root(disk) : -ENODEV;
    if (root_error == 0) {
        kprintf("fs: / is SFS on %s\n", disk->name);
    } else {
        if (disk)
            kprintf("fs: cannot mount %s: %s; it was left untouched. / is a ramfs (try "
                    "'fsck /dev/%s' or 'mkfs /dev/%s')\n",
                    disk->name, k_strerror(root_error), disk->name, disk->name);
        else
            kprintf("fs: no disk: / is a ramfs (nothing will be kept)\n");
        err = vfs_mount_root(&kctx, "ramfs", NULL);
        if (err)
            return err;
    }
    ensure_dir("/dev");
    ensure_dir("/tmp");
    err = vfs_mount(&kctx, "/dev", "devfs", NULL);
    if (!err)
        err = vfs_mount(&kctx, "/tmp", "ramfs", NULL);
    if (err)
        kprintf("fs: mounting /dev and /tmp failed: %s\n", k_strerror(err));
    vfs_sync(); /* a fresh format and the new directories reach the disk now */
    return err;
}

struct vfs_ctx *kernel_vfs_ctx(void)
{
    return &kctx;
}

int kernel_fs_root_error(void)
{
    return root_error;
}

int kernel_fs_shutdown(void)
{
    int err = vfs_sync();
    vfs_ctx_release(&kctx);
    int err2 = vfs_umount_all();
    return err ? err : err2;
}
