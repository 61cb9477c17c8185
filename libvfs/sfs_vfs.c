/*
 * sfs_vfs.c - libsfs under the VFS (vfs/sfs_vfs.h).
 *
 * Identity is the inode number: a vnode is one held inode of one mounted
 * volume. Each volume keeps its live vnodes in a small hash by inode, so a
 * lookup that reaches an inode already in memory returns that same vnode (one
 * vnode per inode per mount). A vnode holds its inode with sfs_iget() for its
 * whole life and sfs_iput()s it in release: stat and truncate go through that
 * reference, so they reach the file the vnode was found as, whatever happened
 * to its names since (a rename over it, an unlink). Names are used only to
 * find inodes: every directory op is a libsfs *_at call on (directory inode,
 * name). An inode whose last name goes while a vnode holds it stays on libsfs's
 * orphan list until the last sfs_iput(), and a crash in between frees it at the
 * next mount.
 *
 * Open files are libsfs handles (sfs_open_ino()); directories need none
 * (readdir is sfs_readdir_at() with the VFS's cookie as libsfs's position).
 * Attributes go through sfs_setattr_ino() with the VFS's ctime, so both
 * clocks agree; FIFO, device and socket inodes (sfs_mknod_at(), on volumes
 * with SFS_FEAT_INCOMPAT_POSIX) get an ops table without read and write, and
 * the VFS opens their pipe or device instead.
 * libsfs's error codes are the kernel's negative errno numbers and pass
 * straight through.
 *
 * Locking: the VFS's namespace lock serialises every call into libsfs. The
 * vnode ops run with it held, except that a read lets it go while the device
 * reads file data (libsfs's io_unlock hook, vfs_io_unlock(): not for a read
 * whose offset another descriptor shares; libsfs reads again, locked, what a
 * concurrent free may have changed meanwhile); sfs_vfs_format() and sfs_vfs_check() take it
 * themselves, so they never race a mount, an unmount or a file operation. The
 * list of mounted volumes (to find a device's volume) is guarded by it too.
 *
 * Memory: volumes, vnode private parts and open-file handles come from the
 * VFS's allocator; the block cache from libsfs through the same allocator.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <sfs/sfs.h>
#include <sfs/sfs_check.h>
#include <sfs/sfs_disk.h>
#include <string.h>
#include <vfs/sfs_vfs.h>

#include "vfs_priv.h"

#define SFS_CACHE_BLOCKS 256 /* 1 MiB of cache with 4 KiB blocks */
#define SV_BUCKETS       64  /* live-vnode hash buckets per volume */
#define CHECK_KEEP       64  /* problems an fsck keeps to report after unlocking */

struct sfs_vol;

/* A live vnode's private part: the held inode, on its volume's hash. */
struct sv_node {
    struct sfs_file ref;  /* from sfs_iget(); libsfs links it on its open list */
    struct sfs_vol *vol;  /* NULL once the volume is unmounted under it */
    struct vnode *vn;     /* the one vnode of this inode */
    struct sv_node *next; /* hash chain */
};

struct sfs_vol {
    struct sfs fs;
    struct sfs_blockdev dev;
    struct block_batch batch;          /* write-back of the cache, many in flight */
    struct sv_node *nodes[SV_BUCKETS]; /* live vnodes by inode */
    struct sfs_vol *next;              /* the mounted list */
};

/* Every mounted volume. VFS lock held. */
static struct sfs_vol *mounted;

static const struct vnode_ops sfs_ops;
static const struct vnode_ops sfs_special_ops;

static struct sfs *vol(struct vnode *vn)
{
    return &((struct sfs_vol *)vn->mnt->priv)->fs;
}

static struct sfs_file *ref_of(struct vnode *vn)
{
    return &((struct sv_node *)vn->priv)->ref;
}

static uint32_t ino_of(struct vnode *vn)
{
    return (uint32_t)vn->ino;
}

static struct sfs_vol *find_mounted(struct block_device *bd)
{
    for (struct sfs_vol *v = mounted; v; v = v->next)
        if (v->dev.ctx == bd)
            return v;
    return NULL;
}

/* libsfs device callbacks over a struct block_device (they return 0 or <0). */
static int bd_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    int r = block_read(ctx, sector, count, buf);
    return r < 0 ? r : 0;
}

static int bd_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    int r = block_write(ctx, sector, count, buf);
    return r < 0 ? r : 0;
}

static int bd_flush(void *ctx)
{
    return block_flush(ctx);
}

static int bd_write_start(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    return block_batch_write(ctx, sector, count, buf);
}

static int bd_write_wait(void *ctx)
{
    return block_batch_finish(ctx);
}

static void *cfg_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return vfs_alloc(n);
}

static void cfg_free(void *ctx, void *p)
{
    (void)ctx;
    vfs_free(p);
}

static uint64_t cfg_clock(void *ctx)
{
    (void)ctx;
    return vfs_now();
}

static uint64_t cfg_clock_ns(void *ctx)
{
    (void)ctx;
    struct vfs_time t = vfs_now_time();
    return (uint64_t)t.sec * 1000000000u + t.nsec;
}

/* Allocate a volume over @bd and mount it, or (@format) format it. On success
 * *@out holds a mounted volume (format: an unmounted one to free). */
/* A read of file data lets the namespace lock go while the device works,
 * when the read allows it (vfs_io_unlock()). */
static int cfg_io_unlock(void *ctx)
{
    (void)ctx;
    return vfs_io_unlock();
}

static void cfg_io_lock(void *ctx)
{
    (void)ctx;
    vfs_lock();
}

static int vol_open(struct block_device *bd, bool format, struct sfs_vol **out)
{
    if (!bd)
        return -ENODEV;
    struct sfs_vol *v = vfs_alloc(sizeof(*v));
    if (!v)
        return -ENOMEM;
    memset(v, 0, sizeof(*v));
    v->dev = (struct sfs_blockdev){ .read = bd_read,
                                    .write = bd_write,
                                    .flush = bd_flush,
                                    .ctx = bd,
                                    .sector_size = bd->block_size,
                                    .sector_count = bd->block_count };
    block_batch_init(&v->batch, bd);
    v->dev.write_start = bd_write_start;
    v->dev.write_wait = bd_write_wait;
    v->dev.async_ctx = &v->batch;
    struct sfs_config cfg = {
        .cache_blocks = SFS_CACHE_BLOCKS, .alloc = cfg_alloc, .free = cfg_free, .clock = cfg_clock
    };
    cfg.clock_ns = cfg_clock_ns;
    cfg.io_unlock = cfg_io_unlock;
    cfg.io_lock = cfg_io_lock;
    struct sfs_format_opts opts;
    memset(&opts, 0, sizeof(opts));
    int err = format ? sfs_format(&v->fs, &v->dev, &cfg, &opts) : sfs_mount(&v->fs, &v->dev, &cfg);
    if (err) {
        vfs_free(v);
        return err;
    }
    *out = v;
    return 0;
}

static uint32_t vfs_type_of(uint32_t mode)
{
    switch (mode & SFS_S_IFMT) {
    case SFS_S_IFDIR:
        return VFS_TYPE_DIR;
    case SFS_S_IFLNK:
        return VFS_TYPE_SYMLINK;
    case SFS_S_IFIFO:
        return VFS_TYPE_FIFO;
    case SFS_S_IFCHR:
        return VFS_TYPE_CHARDEV;
    case SFS_S_IFBLK:
        return VFS_TYPE_BLOCKDEV;
    case SFS_S_IFSOCK:
        return VFS_TYPE_SOCKET;
    default:
        return VFS_TYPE_FILE;
    }
}

static bool is_special(uint32_t type)
{
    return type == VFS_TYPE_FIFO || type == VFS_TYPE_CHARDEV || type == VFS_TYPE_BLOCKDEV ||
           type == VFS_TYPE_SOCKET;
}

/* The vnode of inode @ino of @mnt, with one more reference: the live one if
 * there is one, else a new one holding the inode. */
static int get_vnode(struct vfs_mount *mnt, uint32_t ino, struct vnode **out)
{
    struct sfs_vol *v = mnt->priv;
    struct sv_node **bucket = &v->nodes[ino % SV_BUCKETS];
    for (struct sv_node *n = *bucket; n; n = n->next) {
        if (n->ref.ino == ino) {
            *out = vnode_get(n->vn);
            return 0;
        }
    }
    struct sv_node *n = vfs_alloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    memset(n, 0, sizeof(*n));
    int err = sfs_iget(&v->fs, &n->ref, ino);
    if (err) {
        vfs_free(n);
        return err;
    }
    struct sfs_stat st;
    err = sfs_fstat(&v->fs, &n->ref, &st);
    uint32_t type = vfs_type_of(st.mode);
    n->vn =
        err ? NULL : vnode_new(mnt, is_special(type) ? &sfs_special_ops : &sfs_ops, type, ino, n);
    if (!n->vn) {
        sfs_iput(&v->fs, &n->ref);
        vfs_free(n);
        return err ? err : -ENOMEM;
    }
    n->vol = v;
    n->next = *bucket;
    *bucket = n;
    *out = n->vn;
    return 0;
}

static void sv_release(struct vnode *vn)
{
    struct sv_node *n = vn->priv;
    struct sfs_vol *v = n->vol;
    if (v) {
        struct sv_node **pp = &v->nodes[n->ref.ino % SV_BUCKETS];
        while (*pp != n)
            pp = &(*pp)->next;
        *pp = n->next;
        /* The last name may be gone: this frees the inode. A failure leaves it
         * on the orphan list, for the next mount to free. */
        sfs_iput(&v->fs, &n->ref);
    }
    vfs_free(n);
}

static int sv_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
    uint32_t ino;
    int err = sfs_lookup(vol(dir), ino_of(dir), name, strlen(name), &ino);
    return err ? err : get_vnode(dir->mnt, ino, out);
}

static int sv_create(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out)
{
    uint32_t ino;
    int err = sfs_create_at(vol(dir), ino_of(dir), name, strlen(name), mode & 07777, &ino);
    return err ? err : get_vnode(dir->mnt, ino, out);
}

static int sv_mkdir(struct vnode *dir, const char *name, uint32_t mode)
{
    return sfs_mkdir_at(vol(dir), ino_of(dir), name, strlen(name), mode & 07777, NULL);
}

static int sv_rmdir(struct vnode *dir, const char *name)
{
    return sfs_rmdir_at(vol(dir), ino_of(dir), name, strlen(name));
}

static int sv_unlink(struct vnode *dir, const char *name)
{
    return sfs_unlink_at(vol(dir), ino_of(dir), name, strlen(name));
}

static int sv_rename(struct vnode *odir, const char *oname, struct vnode *ndir, const char *nname)
{
    return sfs_rename_at(vol(odir), ino_of(odir), oname, strlen(oname), ino_of(ndir), nname,
                         strlen(nname));
}

static int sv_link(struct vnode *dir, const char *name, struct vnode *target)
{
    return sfs_link_at(vol(dir), ino_of(target), ino_of(dir), name, strlen(name));
}

static int sv_symlink(struct vnode *dir, const char *name, const char *target)
{
    return sfs_symlink_at(vol(dir), ino_of(dir), name, strlen(name), target, NULL);
}

static long sv_readlink(struct vnode *vn, char *buf, size_t size)
{
    return sfs_readlink_ino(vol(vn), ino_of(vn), buf, size);
}

/* Files get a libsfs handle; a directory needs none (the vnode holds it). */
static int sv_open(struct vnode *vn, int flags, void **handle)
{
    if (vn->type == VFS_TYPE_DIR) {
        *handle = NULL;
        return 0;
    }
    struct sfs_file *f = vfs_alloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    memset(f, 0, sizeof(*f));
    int err = sfs_open_ino(vol(vn), f, ino_of(vn), flags & VFS_O_ACCMODE);
    if (err) {
        vfs_free(f);
        return err;
    }
    *handle = f;
    return 0;
}

static int sv_close(struct vnode *vn, void *handle)
{
    if (!handle)
        return 0;
    int err = sfs_close(vol(vn), handle);
    vfs_free(handle);
    return err;
}

static long sv_read(struct vnode *vn, void *handle, uint64_t off, void *buf, size_t n)
{
    return sfs_pread(vol(vn), handle, buf, n, off);
}

static long sv_write(struct vnode *vn, void *handle, uint64_t off, const void *buf, size_t n)
{
    return sfs_pwrite(vol(vn), handle, buf, n, off);
}

static int sv_truncate(struct vnode *vn, uint64_t size)
{
    return sfs_ftruncate(vol(vn), ref_of(vn), size);
}

static int sv_setattr(struct vnode *vn, const struct vfs_attr *a)
{
    struct sfs_setattr sa = { .valid = SFS_SET_CTIME,
                              .mode = a->mode,
                              .uid = a->uid,
                              .gid = a->gid,
                              .atime_sec = a->atime.sec,
                              .atime_nsec = a->atime.nsec,
                              .mtime_sec = a->mtime.sec,
                              .mtime_nsec = a->mtime.nsec,
                              .ctime_sec = a->ctime.sec,
                              .ctime_nsec = a->ctime.nsec };
    if (a->mask & VFS_ATTR_MODE)
        sa.valid |= SFS_SET_MODE;
    if (a->mask & VFS_ATTR_UID)
        sa.valid |= SFS_SET_UID;
    if (a->mask & VFS_ATTR_GID)
        sa.valid |= SFS_SET_GID;
    if (a->mask & VFS_ATTR_ATIME)
        sa.valid |= SFS_SET_ATIME;
    if (a->mask & VFS_ATTR_MTIME)
        sa.valid |= SFS_SET_MTIME;
    return sfs_setattr_ino(vol(vn), ino_of(vn), &sa);
}

static int sv_mknod(struct vnode *dir, const char *name, uint32_t type, uint32_t mode,
                    uint64_t rdev)
{
    uint32_t fmt = type == VFS_TYPE_FIFO       ? SFS_S_IFIFO
                   : type == VFS_TYPE_CHARDEV  ? SFS_S_IFCHR
                   : type == VFS_TYPE_BLOCKDEV ? SFS_S_IFBLK
                                               : SFS_S_IFSOCK;
    return sfs_mknod_at(vol(dir), ino_of(dir), name, strlen(name), fmt | (mode & 07777), rdev,
                        NULL);
}

static int sv_getattr(struct vnode *vn, struct vfs_stat *st)
{
    struct sfs_stat s;
    int err = sfs_fstat(vol(vn), ref_of(vn), &s);
    if (err)
        return err;
    st->ino = s.ino;
    st->mode = s.mode & 07777;
    st->nlink = s.nlink;
    st->uid = s.uid;
    st->gid = s.gid;
    st->rdev = s.rdev;
    st->size = s.size;
    st->blksize = s.blksize;
    st->blocks = s.blocks * (s.blksize / 512);
    st->atime = (struct vfs_time){ s.atime, s.atime_nsec };
    st->mtime = (struct vfs_time){ s.mtime, s.mtime_nsec };
    st->ctime = (struct vfs_time){ s.ctime, s.ctime_nsec };
    return 0;
}

static int sv_readdir(struct vnode *dir, void *handle, uint64_t *cookie, struct vfs_dirent *out)
{
    (void)handle;
    struct sfs_dirent de;
    int r = sfs_readdir_at(vol(dir), ino_of(dir), cookie, &de);
    if (r <= 0)
        return r;
    out->ino = de.ino;
    switch (de.type) {
    case SFS_DT_DIR:
        out->type = VFS_TYPE_DIR;
        break;
    case SFS_DT_LNK:
        out->type = VFS_TYPE_SYMLINK;
        break;
    case SFS_DT_FIFO:
        out->type = VFS_TYPE_FIFO;
        break;
    case SFS_DT_CHR:
        out->type = VFS_TYPE_CHARDEV;
        break;
    case SFS_DT_BLK:
        out->type = VFS_TYPE_BLOCKDEV;
        break;
    case SFS_DT_SOCK:
        out->type = VFS_TYPE_SOCKET;
        break;
    default:
        out->type = VFS_TYPE_FILE;
    }
    size_t n = de.name_len < VFS_NAME_MAX ? de.name_len : VFS_NAME_MAX;
    memcpy(out->name, de.name, n);
    out->name[n] = '\0';
    return 1;
}

static int sv_fsync(struct vnode *vn, void *handle)
{
    return handle ? sfs_fsync(vol(vn), handle) : sfs_sync(vol(vn));
}

static const struct vnode_ops sfs_ops = {
    .lookup = sv_lookup,
    .create = sv_create,
    .mkdir = sv_mkdir,
    .rmdir = sv_rmdir,
    .unlink = sv_unlink,
    .rename = sv_rename,
    .link = sv_link,
    .symlink = sv_symlink,
    .readlink = sv_readlink,
    .open = sv_open,
    .close = sv_close,
    .read = sv_read,
    .write = sv_write,
    .truncate = sv_truncate,
    .setattr = sv_setattr,
    .mknod = sv_mknod,
    .getattr = sv_getattr,
    .readdir = sv_readdir,
    .fsync = sv_fsync,
    .release = sv_release,
};

/* FIFOs, devices and sockets: attributes only (the VFS does their I/O elsewhere). */
static const struct vnode_ops sfs_special_ops = {
    .setattr = sv_setattr,
    .getattr = sv_getattr,
    .fsync = sv_fsync,
    .release = sv_release,
};

/* VFS lock held (vfs_mount). A device carries at most one mounted volume. */
static int sv_mount(struct vfs_mount *mnt, void *source, struct vnode **root)
{
    if (source && find_mounted(source))
        return -EBUSY;
    struct sfs_vol *v;
    int err = vol_open(source, false, &v);
    if (err)
        return err;
    mnt->priv = v;
    err = get_vnode(mnt, SFS_ROOT_INO, root);
    if (err) {
        sfs_unmount(&v->fs);
        vfs_free(v);
        return err;
    }
    v->next = mounted;
    mounted = v;
    if (source)
        ksnprintf(mnt->source, sizeof(mnt->source), "/dev/%s",
                  ((struct block_device *)source)->name);
    return 0;
}

/* VFS lock held; the VFS has put its root reference. */
static int sv_unmount(struct vfs_mount *mnt)
{
    struct sfs_vol *v = mnt->priv;
    for (struct sfs_vol **pp = &mounted; *pp; pp = &(*pp)->next) {
        if (*pp == v) {
            *pp = v->next;
            break;
        }
    }
    /* Vnodes still referenced (a forced unmount) outlive the volume: they let
     * go of it, and sfs_unmount() closes their handles. */
    for (uint32_t i = 0; i < SV_BUCKETS; i++)
        for (struct sv_node *n = v->nodes[i]; n; n = n->next)
            n->vol = NULL;
    int err = sfs_unmount(&v->fs);
    vfs_free(v);
    return err;
}

static int sv_statfs(struct vfs_mount *mnt, struct vfs_statfs *st)
{
    struct sfs_statfs s;
    int err = sfs_statfs(&((struct sfs_vol *)mnt->priv)->fs, &s);
    if (err)
        return err;
    st->block_size = s.block_size;
    st->blocks = s.total_blocks;
    st->blocks_free = s.free_blocks;
    st->files = s.total_inodes;
    st->files_free = s.free_inodes;
    return 0;
}

static int sv_sync(struct vfs_mount *mnt)
{
    return sfs_sync(&((struct sfs_vol *)mnt->priv)->fs);
}

const struct vfs_fs_type sfs_vfs_type = {
    .name = "sfs",
    .mount = sv_mount,
    .unmount = sv_unmount,
    .statfs = sv_statfs,
    .sync = sv_sync,
    .magic = SFS_MAGIC,
    .requires_dev = true,
};

struct sfs *sfs_vfs_volume(struct vfs_mount *mnt)
{
    return mnt->type == &sfs_vfs_type ? &((struct sfs_vol *)mnt->priv)->fs : NULL;
}

size_t sfs_vfs_cache_bytes(struct vfs_mount *mnt)
{
    struct sfs *fs = sfs_vfs_volume(mnt);
    return fs ? sfs_mem_size(fs->block_size, SFS_CACHE_BLOCKS) : 0;
}

struct block_device *sfs_vfs_device(struct vfs_mount *mnt)
{
    return mnt->type == &sfs_vfs_type ? ((struct sfs_vol *)mnt->priv)->dev.ctx : NULL;
}

int sfs_vfs_format(struct block_device *dev)
{
    vfs_lock();
    struct sfs_vol *v = NULL;
    int err = dev && find_mounted(dev) ? -EBUSY : vol_open(dev, true, &v);
    vfs_unlock();
    vfs_free(v);
    return err;
}

int sfs_vfs_blank(struct block_device *dev)
{
    uint64_t bytes = 1u << 20;
    uint64_t size = dev->block_count * dev->block_size;
    if (bytes > size)
        bytes = size;
    uint8_t *buf = vfs_alloc(dev->block_size);
    if (!buf)
        return -ENOMEM;
    int blank = 1;
    for (uint64_t lba = 0; lba < bytes / dev->block_size && blank; lba++) {
        int r = block_read(dev, lba, 1, buf);
        if (r < 0) {
            blank = r;
            break;
        }
        for (uint32_t i = 0; i < dev->block_size; i++)
            if (buf[i]) {
                blank = 0;
                break;
            }
    }
    vfs_free(buf);
    return blank;
}

/* What a check found, kept while the VFS lock is held and reported after it
 * is dropped: the report callback may write to a file (a redirected fsck). */
struct check_log {
    struct sfs_check_problem kept[CHECK_KEEP];
    long count;
};

static void check_keep(void *ctx, const struct sfs_check_problem *p)
{
    struct check_log *log = ctx;
    if (log->count < CHECK_KEEP)
        log->kept[log->count] = *p;
    log->count++;
}

static long check_locked(struct block_device *dev, struct check_log *log)
{
    struct sfs_vol *v = find_mounted(dev);
    if (v) {
        /* The live volume, never a second mount of its device: that one would
         * replay the journal and free the orphans the live one still uses. */
        sfs_sync(&v->fs);
        return sfs_check(&v->fs, NULL, 0, check_keep, log);
    }
    long r = vol_open(dev, false, &v);
    if (r == 0) {
        r = sfs_check(&v->fs, NULL, 0, check_keep, log);
        sfs_unmount(&v->fs);
        vfs_free(v);
    }
    return r;
}

long sfs_vfs_check(struct block_device *dev, void (*report)(void *ctx, const char *line), void *ctx)
{
    if (!dev)
        return -ENODEV;
    struct check_log *log = vfs_alloc(sizeof(*log));
    if (!log)
        return -ENOMEM;
    log->count = 0;
    vfs_lock();
    long r = check_locked(dev, log);
    vfs_unlock();
    char line[160];
    for (long i = 0; r > 0 && report && i < log->count && i < CHECK_KEEP; i++) {
        const struct sfs_check_problem *p = &log->kept[i];
        ksnprintf(line, sizeof(line), "inode %u: %s (%llu, %llu)", p->ino,
                  sfs_check_describe(p->code), (unsigned long long)p->a, (unsigned long long)p->b);
        report(ctx, line);
    }
    if (r > 0 && report && log->count > CHECK_KEEP) {
        ksnprintf(line, sizeof(line), "... and %ld more", log->count - CHECK_KEEP);
        report(ctx, line);
    }
    vfs_free(log);
    return r;
}
