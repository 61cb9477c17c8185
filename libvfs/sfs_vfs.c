/*
 * sfs_vfs.c - libsfs under the VFS (vfs/sfs_vfs.h).
 *
 * Each vnode's priv is its absolute path inside the volume (allocated with the
 * VFS's allocator, freed in release). libsfs's error codes are the same
 * negative errno numbers as the kernel's, so they pass straight through.
 * Locking: the VFS's namespace lock serialises every call into libsfs.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <sfs/sfs.h>
#include <sfs/sfs_check.h>
#include <sfs/sfs_disk.h>
#include <string.h>
#include <vfs/sfs_vfs.h>

#define SFS_CACHE_BLOCKS 256 /* 1 MiB of cache with 4 KiB blocks */

/* A live vnode's private part: its path, on the volume's list so a directory
 * rename can correct the paths of vnodes below it. */
struct sv_node {
    char *path;
    struct sv_node *prev, *next;
};

struct sfs_vol {
    struct sfs fs;
    struct sfs_blockdev dev;
    struct sv_node *live; /* every live vnode of this volume */
};

static const struct vnode_ops sfs_ops;

static struct sfs *vol(struct vnode *vn)
{
    return &((struct sfs_vol *)vn->mnt->priv)->fs;
}

static const char *path_of(struct vnode *vn)
{
    return ((struct sv_node *)vn->priv)->path;
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

/* Allocate a volume over @bd and mount it, or (@format) format it. On success
 * *@out holds a mounted volume (format: an unmounted one to free). */
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
    struct sfs_config cfg = {
        .cache_blocks = SFS_CACHE_BLOCKS, .alloc = cfg_alloc, .free = cfg_free, .clock = cfg_clock
    };
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

/* "dir" + "/" + "name", in a new allocation. */
static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    bool root = a == 1 && dir[0] == '/';
    char *p = vfs_alloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t n = a;
    if (!root)
        p[n++] = '/';
    memcpy(p + n, name, b + 1);
    return p;
}

/* The parent of an absolute path ("/a/b" -> "/a", "/a" -> "/"). */
static char *parent_of(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] != '/')
        n--;
    if (n > 1)
        n--;
    char *p = vfs_alloc(n + 1);
    if (p) {
        memcpy(p, path, n);
        p[n] = '\0';
    }
    return p;
}

static uint32_t vfs_type_of(uint32_t mode)
{
    switch (mode & SFS_S_IFMT) {
    case SFS_S_IFDIR:
        return VFS_TYPE_DIR;
    case SFS_S_IFLNK:
        return VFS_TYPE_SYMLINK;
    default:
        return VFS_TYPE_FILE;
    }
}

/* Make a vnode for @path (taken over: freed on failure). */
static int make_vnode(struct vfs_mount *mnt, char *path, struct vnode **out)
{
    if (!path)
        return -ENOMEM;
    struct sfs_stat st;
    int err = sfs_lstat(&((struct sfs_vol *)mnt->priv)->fs, path, &st);
    if (err) {
        vfs_free(path);
        return err;
    }
    struct sv_node *node = vfs_alloc(sizeof(*node));
    struct vnode *vn = node ? vnode_new(mnt, &sfs_ops, vfs_type_of(st.mode), st.ino, node) : NULL;
    if (!vn) {
        vfs_free(node);
        vfs_free(path);
        return -ENOMEM;
    }
    struct sfs_vol *v = mnt->priv;
    *node = (struct sv_node){ .path = path, .next = v->live };
    if (v->live)
        v->live->prev = node;
    v->live = node;
    *out = vn;
    return 0;
}

/* After "@from" became "@to", move every live path at or under @from. A path
 * that cannot be rebuilt (no memory) keeps the old name: lookups through that
 * vnode then fail with -ENOENT until it is looked up again. */
static void renamed(struct sfs_vol *v, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    for (struct sv_node *n = v->live; n; n = n->next) {
        if (strncmp(n->path, from, fl) != 0 || (n->path[fl] != '\0' && n->path[fl] != '/'))
            continue;
        size_t rest = strlen(n->path + fl);
        char *p = vfs_alloc(tl + rest + 1);
        if (!p)
            continue;
        memcpy(p, to, tl);
        memcpy(p + tl, n->path + fl, rest + 1);
        vfs_free(n->path);
        n->path = p;
    }
}

static int sv_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
    char *p = strcmp(name, "..") == 0 ? parent_of(path_of(dir)) : join(path_of(dir), name);
    return make_vnode(dir->mnt, p, out);
}

/* Run a path call on dir/name. */
static int on_child(struct vnode *dir, const char *name,
                    int (*fn)(struct sfs *, const char *, uint32_t), uint32_t arg)
{
    char *p = join(path_of(dir), name);
    if (!p)
        return -ENOMEM;
    int err = fn(vol(dir), p, arg);
    vfs_free(p);
    return err;
}

static int sv_create(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out)
{
    char *p = join(path_of(dir), name);
    if (!p)
        return -ENOMEM;
    int err = sfs_create(vol(dir), p, mode & 07777);
    if (err) {
        vfs_free(p);
        return err;
    }
    return make_vnode(dir->mnt, p, out);
}

static int sv_mkdir(struct vnode *dir, const char *name, uint32_t mode)
{
    return on_child(dir, name, sfs_mkdir, mode & 07777);
}

static int rmdir2(struct sfs *fs, const char *p, uint32_t unused)
{
    (void)unused;
    return sfs_rmdir(fs, p);
}

static int unlink2(struct sfs *fs, const char *p, uint32_t unused)
{
    (void)unused;
    return sfs_unlink(fs, p);
}

static int sv_rmdir(struct vnode *dir, const char *name)
{
    return on_child(dir, name, rmdir2, 0);
}

static int sv_unlink(struct vnode *dir, const char *name)
{
    return on_child(dir, name, unlink2, 0);
}

static int sv_rename(struct vnode *odir, const char *oname, struct vnode *ndir, const char *nname)
{
    char *a = join(path_of(odir), oname), *b = join(path_of(ndir), nname);
    int err = a && b ? sfs_rename(vol(odir), a, b) : -ENOMEM;
    if (!err)
        renamed(odir->mnt->priv, a, b);
    vfs_free(a);
    vfs_free(b);
    return err;
}

static int sv_link(struct vnode *dir, const char *name, struct vnode *target)
{
    char *p = join(path_of(dir), name);
    int err = p ? sfs_link(vol(dir), path_of(target), p) : -ENOMEM;
    vfs_free(p);
    return err;
}

static int sv_symlink(struct vnode *dir, const char *name, const char *target)
{
    char *p = join(path_of(dir), name);
    int err = p ? sfs_symlink(vol(dir), target, p) : -ENOMEM;
    vfs_free(p);
    return err;
}

static long sv_readlink(struct vnode *vn, char *buf, size_t size)
{
    return sfs_readlink(vol(vn), path_of(vn), buf, size);
}

static int sv_open(struct vnode *vn, int flags, void **handle)
{
    struct sfs_file *f = vfs_alloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    memset(f, 0, sizeof(*f));
    int err = vn->type == VFS_TYPE_DIR
                  ? sfs_dir_open(vol(vn), f, path_of(vn))
                  : sfs_open(vol(vn), f, path_of(vn), flags & VFS_O_ACCMODE, 0);
    if (err) {
        vfs_free(f);
        return err;
    }
    *handle = f;
    return 0;
}

static int sv_close(struct vnode *vn, void *handle)
{
    int err =
        vn->type == VFS_TYPE_DIR ? sfs_dir_close(vol(vn), handle) : sfs_close(vol(vn), handle);
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
    return sfs_truncate(vol(vn), path_of(vn), size);
}

static int sv_getattr(struct vnode *vn, struct vfs_stat *st)
{
    struct sfs_stat s;
    int err = sfs_lstat(vol(vn), path_of(vn), &s);
    if (err)
        return err;
    st->ino = s.ino;
    st->mode = s.mode & 07777;
    st->nlink = s.nlink;
    st->size = s.size;
    st->blksize = s.blksize;
    st->blocks = s.blocks * (s.blksize / 512);
    st->mtime = s.mtime;
    return 0;
}

static int sv_readdir(struct vnode *dir, void *handle, uint64_t *cookie, struct vfs_dirent *out)
{
    if (*cookie == 0) { /* a rewind (or the first call) */
        int err = sfs_dir_rewind(vol(dir), handle);
        if (err)
            return err;
    }
    struct sfs_dirent de;
    int r = sfs_dir_read(vol(dir), handle, &de);
    if (r <= 0)
        return r;
    out->ino = de.ino;
    out->type = de.type == SFS_DT_DIR   ? VFS_TYPE_DIR
                : de.type == SFS_DT_LNK ? VFS_TYPE_SYMLINK
                                        : VFS_TYPE_FILE;
    size_t n = de.name_len < VFS_NAME_MAX ? de.name_len : VFS_NAME_MAX;
    memcpy(out->name, de.name, n);
    out->name[n] = '\0';
    (*cookie)++;
    return 1;
}

static int sv_fsync(struct vnode *vn, void *handle)
{
    return vn->type == VFS_TYPE_DIR ? sfs_sync(vol(vn)) : sfs_fsync(vol(vn), handle);
}

static void sv_release(struct vnode *vn)
{
    struct sv_node *n = vn->priv;
    struct sfs_vol *v = vn->mnt->priv;
    if (n->prev)
        n->prev->next = n->next;
    else
        v->live = n->next;
    if (n->next)
        n->next->prev = n->prev;
    vfs_free(n->path);
    vfs_free(n);
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
    .getattr = sv_getattr,
    .readdir = sv_readdir,
    .fsync = sv_fsync,
    .release = sv_release,
};

static int sv_mount(struct vfs_mount *mnt, void *source, struct vnode **root)
{
    struct sfs_vol *v;
    int err = vol_open(source, false, &v);
    if (err)
        return err;
    mnt->priv = v;
    char *p = vfs_alloc(2);
    if (p)
        memcpy(p, "/", 2);
    err = make_vnode(mnt, p, root);
    if (err) {
        sfs_unmount(&v->fs);
        vfs_free(v);
    }
    return err;
}

static int sv_unmount(struct vfs_mount *mnt)
{
    struct sfs_vol *v = mnt->priv;
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
};

struct sfs *sfs_vfs_volume(struct vfs_mount *mnt)
{
    return mnt->type == &sfs_vfs_type ? &((struct sfs_vol *)mnt->priv)->fs : NULL;
}

struct block_device *sfs_vfs_device(struct vfs_mount *mnt)
{
    return mnt->type == &sfs_vfs_type ? ((struct sfs_vol *)mnt->priv)->dev.ctx : NULL;
}

int sfs_vfs_format(struct block_device *dev)
{
    struct sfs_vol *v;
    int err = vol_open(dev, true, &v);
    if (!err)
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

struct check_ctx {
    void (*report)(void *ctx, const char *line);
    void *ctx;
};

static void check_report(void *ctx, const struct sfs_check_problem *p)
{
    struct check_ctx *c = ctx;
    if (!c->report)
        return;
    char line[160];
    ksnprintf(line, sizeof(line), "inode %u: %s (%llu, %llu)", p->ino, sfs_check_describe(p->code),
              (unsigned long long)p->a, (unsigned long long)p->b);
    c->report(c->ctx, line);
}

long sfs_vfs_check(struct block_device *dev, struct vfs_mount *mounted,
                   void (*report)(void *ctx, const char *line), void *ctx)
{
    struct check_ctx c = { report, ctx };
    struct sfs *fs = mounted ? sfs_vfs_volume(mounted) : NULL;
    if (fs) {
        sfs_sync(fs);
        return sfs_check(fs, NULL, 0, check_report, &c);
    }
    struct sfs_vol *v;
    long r = vol_open(dev, false, &v);
    if (r == 0) {
        r = sfs_check(&v->fs, NULL, 0, check_report, &c);
        sfs_unmount(&v->fs);
        vfs_free(v);
    }
    return r;
}
