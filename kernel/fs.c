/*
 * fs.c - the VFS in the kernel and the boot-time mounts (kernel/fs.h): the
 * root (the SFS disk, else a ramfs), /dev, and the initrd's top-level
 * directories, each unpacked into its own ramfs mounted over the root. That
 * is what init needs to start; init mounts the rest (/proc, /tmp) from the
 * initrd's /etc/fstab.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <arch/timer.h>
#include <dev/block.h>
#include <kernel/boot.h>
#include <kernel/fs.h>
#include <kernel/procinfo.h>
#include <mm/heap.h>
#include <mm/phys.h>
#include <proc/procfs.h>
#include <sched/sync.h>
#include <string.h>
#include <vfs/cpio.h>
#include <vfs/devfs.h>
#include <vfs/ramfs.h>
#include <vfs/sfs_vfs.h>

/* Locking: the VFS's lock is this sleeping mutex (libvfs holds it across disk
 * I/O, which sleeps), taken under the big kernel lock and before any spinlock.
 * `kctx`, `root_error` and `root_changed` are set at boot, by one thread. */
static struct mutex vfs_mutex;
static struct vfs_ctx kctx;
static int root_error;
/* Whether booting changed the root (a format, a new directory): only then
 * does kernel_fs_init() sync, as a flush costs the host an fdatasync. */
static bool root_changed;

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

/* The same clock with nanoseconds, for file times. */
static uint64_t now_ns(void)
{
    return timer_epoch() * 1000000000ull + timer_now_ns();
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
        root_changed = true;
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
    if (err == 0)
        root_changed = true;
    if (err && err != -EEXIST)
        kprintf("fs: cannot create %s: %s\n", path, k_strerror(err));
}

#define INITRD_TOPS_MAX 16 /* top-level directories of the initrd that are mounted */

/* The module GRUB loaded with the string "initrd", else the first one. */
static const struct boot_module *find_initrd(const struct boot_info *bi)
{
    for (uint32_t i = 0; i < bi->module_count; i++)
        if (strcmp(bi->modules[i].name, "initrd") == 0)
            return &bi->modules[i];
    return bi->module_count ? &bi->modules[0] : NULL;
}

static void initrd_report(void *rctx, const char *msg)
{
    kprintf("initrd: %s: %s\n", (const char *)rctx, msg);
}

/* Check the whole archive and collect its top-level directory names into
 * tops (each VFS_NAME_MAX + 1 bytes). Returns how many, or -EINVAL after
 * saying why. */
static int initrd_scan(const void *data, size_t len, char (*tops)[VFS_NAME_MAX + 1])
{
    struct vfs_cpio_iter it;
    struct vfs_cpio_entry e;
    int ntops = 0, r;
    vfs_cpio_begin(&it, data, len);
    while ((r = vfs_cpio_next(&it, &e)) > 0) {
        const char *slash = strchr(e.name, '/');
        size_t n = slash ? (size_t)(slash - e.name) : strlen(e.name);
        if (n == 0)
            continue; /* "." */
        if (!slash && e.type != VFS_TYPE_DIR) {
            kprintf("initrd: /%s skipped (only directories are mounted)\n", e.name);
            continue;
        }
        int seen = 0;
        for (int i = 0; i < ntops && !seen; i++)
            seen = strncmp(tops[i], e.name, n) == 0 && tops[i][n] == '\0';
        if (seen)
            continue;
        if (ntops == INITRD_TOPS_MAX) {
            kprintf("initrd: more than %d top-level directories; /%.*s skipped\n", INITRD_TOPS_MAX,
                    (int)n, e.name);
            continue;
        }
        memcpy(tops[ntops], e.name, n); /* n <= VFS_NAME_MAX: checked by the parser */
        tops[ntops++][n] = '\0';
    }
    if (r < 0) {
        kprintf("initrd: malformed archive: %s (entry at byte %zu of %zu); nothing unpacked\n",
                it.error, it.error_off, len);
        return r;
    }
    return ntops;
}

/* Mount a ramfs at /name (making the directory on the root if it is missing)
 * and unpack the archive's name/ into it. Appends "/name (N files)" to line. */
static void initrd_mount_one(const char *name, const void *data, size_t len, char *line,
                             size_t size)
{
    char path[VFS_NAME_MAX + 2];
    ksnprintf(path, sizeof(path), "/%s", name);
    int err = vfs_mkdir(&kctx, path, 0755);
    if (err == 0)
        root_changed = true;
    if (err && err != -EEXIST) {
        kprintf("initrd: cannot create %s on the root: %s; %s skipped\n", path, k_strerror(err),
                path);
        return;
    }
    err = vfs_mount(&kctx, path, "ramfs", NULL);
    if (err) {
        kprintf("initrd: cannot mount a ramfs at %s: %s; %s skipped\n", path, k_strerror(err),
                path);
        return;
    }
    struct vfs_cpio_stats st;
    err = vfs_cpio_unpack(&kctx, path, name, data, len, &st, initrd_report, path);
    if (err) {
        kprintf("initrd: unpacking %s failed: %s\n", path, k_strerror(err));
        return;
    }
    size_t used = strlen(line);
    ksnprintf(line + used, size - used, "%s%s (%u file%s", used ? ", " : "", path, st.files,
              st.files == 1 ? "" : "s");
    used = strlen(line);
    if (st.symlinks)
        ksnprintf(line + used, size - used, ", %u symbolic link%s", st.symlinks,
                  st.symlinks == 1 ? "" : "s");
    used = strlen(line);
    ksnprintf(line + used, size - used, "%s)", st.skipped ? ", some skipped" : "");
}

/* The initrd (docs/architecture.md, "File systems"): validated whole first,
 * so a malformed archive mounts nothing; then each top-level directory is its
 * own ramfs over the root, hiding (never changing) what the disk has there. */
static void mount_initrd(void)
{
    const struct boot_module *m = find_initrd(kernel_boot_info());
    if (!m) {
        kprintf("initrd: none (no system programs in /bin)\n");
        return;
    }
    if (m->end <= m->start) {
        kprintf("initrd: malformed archive: the module \"%s\" is empty\n", m->name);
        return;
    }
    const void *data = mm_phys_to_virt(m->start); /* reserved by mm_init(), kept for good */
    size_t len = m->end - m->start;
    char(*tops)[VFS_NAME_MAX + 1] = kmalloc(INITRD_TOPS_MAX * sizeof(*tops));
    char *line = kmalloc(512);
    if (!tops || !line) {
        kprintf("initrd: out of memory; not unpacked\n");
        kfree(tops);
        kfree(line);
        return;
    }
    int ntops = initrd_scan(data, len, tops);
    line[0] = '\0';
    for (int i = 0; i < ntops; i++)
        initrd_mount_one(tops[i], data, len, line, 512);
    if (ntops >= 0)
        kprintf("initrd: %s\n", line[0] ? line : "empty (no directories)");
    kfree(tops);
    kfree(line);
}

int kernel_fs_init(void)
{
    mutex_init(&vfs_mutex);
    struct vfs_config cfg = { .alloc = kmalloc,
                              .free = kfree,
                              .lock = lock,
                              .unlock = unlock,
                              .lock_ctx = &vfs_mutex,
                              .now = now,
                              .now_ns = now_ns };
    int err = vfs_init(&cfg);
    if (err)
        return err;
    vfs_register_fs(&ramfs_type);
    vfs_register_fs(&devfs_type);
    vfs_register_fs(&sfs_vfs_type);
    vfs_register_fs(&procfs_type);

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
    err = vfs_mount(&kctx, "/dev", "devfs", NULL);
    if (err)
        kprintf("fs: mounting /dev failed: %s\n", k_strerror(err));
    if (kernel_procinfo_init())
        kprintf("fs: no load-average sampler (out of memory)\n");
    mount_initrd();
    if (root_changed)
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
