/*
 * vfs.c - vnodes, file-system types, mounts and the path walk (vfs/vfs.h).
 *
 * Layer: under the path calls (vfs_path.c) and the descriptor calls
 * (vfs_file.c); over the file systems' vnode ops. Locking: vnode_get/put and
 * the helpers (vfs_cross_down, vfs_statfs_locked, vfs_for_each_mount_locked)
 * run with the namespace lock (vfs_lock()) held by their caller; the mount
 * calls, vfs_sync and vfs_statfs take it themselves. `mounts` and
 * `next_mount_id` are guarded by it; `cfg` and `fs_types` are set at boot
 * (vfs_init, vfs_register_fs) and only read afterwards.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <string.h>
#include <vfs/vfs.h>

#include "vfs_priv.h"

#define FS_TYPES_MAX 8

static struct vfs_config cfg;
static const struct vfs_fs_type *fs_types[FS_TYPES_MAX];
static struct vfs_mount *mounts; /* in mount order */
static uint32_t next_mount_id;

int vfs_init(const struct vfs_config *c)
{
    if (!c || !c->alloc || !c->free)
        return -EINVAL;
    cfg = *c;
    memset(fs_types, 0, sizeof(fs_types));
    mounts = NULL;
    next_mount_id = 1;
    return 0;
}

void *vfs_alloc(size_t n)
{
    return cfg.alloc(n);
}

void vfs_free(void *p)
{
    if (p)
        cfg.free(p);
}

uint64_t vfs_now(void)
{
    if (cfg.now_ns)
        return cfg.now_ns() / 1000000000u;
    return cfg.now ? cfg.now() : 0;
}

struct vfs_time vfs_now_time(void)
{
    if (!cfg.now_ns)
        return (struct vfs_time){ .sec = (int64_t)vfs_now() };
    uint64_t ns = cfg.now_ns();
    return (struct vfs_time){ .sec = (int64_t)(ns / 1000000000u),
                              .nsec = (uint32_t)(ns % 1000000000u) };
}

void vfs_lock(void)
{
    if (cfg.lock)
        cfg.lock(cfg.lock_ctx);
}

void vfs_unlock(void)
{
    if (cfg.unlock)
        cfg.unlock(cfg.lock_ctx);
}

static bool io_unlock_ok; /* namespace lock held to read or write it */

void vfs_io_allow_unlock(bool ok)
{
    io_unlock_ok = ok;
}

bool vfs_io_unlock(void)
{
    if (!io_unlock_ok)
        return false;
    vfs_unlock();
    return true;
}

struct vnode *vnode_new(struct vfs_mount *mnt, const struct vnode_ops *ops, uint32_t type,
                        uint64_t ino, void *priv)
{
    struct vnode *vn = cfg.alloc(sizeof(*vn));
    if (!vn)
        return NULL;
    *vn =
        (struct vnode){ .ops = ops, .mnt = mnt, .refs = 1, .type = type, .ino = ino, .priv = priv };
    return vn;
}

struct vnode *vnode_get(struct vnode *vn)
{
    vn->refs++;
    return vn;
}

void vnode_put(struct vnode *vn)
{
    if (!vn || --vn->refs > 0)
        return;
    if (vn->ops && vn->ops->release)
        vn->ops->release(vn);
    cfg.free(vn);
}

bool vnode_same(const struct vnode *a, const struct vnode *b)
{
    return a == b || (a && b && a->mnt == b->mnt && a->ino == b->ino);
}

int vfs_register_fs(const struct vfs_fs_type *type)
{
    int free_slot = -1;
    for (int i = 0; i < FS_TYPES_MAX; i++) {
        if (fs_types[i] && strcmp(fs_types[i]->name, type->name) == 0)
            return -EEXIST;
        if (!fs_types[i] && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0)
        return -ENOSPC;
    fs_types[free_slot] = type;
    return 0;
}

void vfs_for_each_fs_type(void (*fn)(const struct vfs_fs_type *type, void *arg), void *arg)
{
    for (int i = 0; i < FS_TYPES_MAX; i++)
        if (fs_types[i])
            fn(fs_types[i], arg);
}

static const struct vfs_fs_type *find_type(const char *name)
{
    for (int i = 0; i < FS_TYPES_MAX; i++)
        if (fs_types[i] && strcmp(fs_types[i]->name, name) == 0)
            return fs_types[i];
    return NULL;
}

/* The mount whose mount point is @vn, if any. */
static struct vfs_mount *mount_on(const struct vnode *vn)
{
    for (struct vfs_mount *m = mounts; m; m = m->next)
        if (m->covered && vnode_same(m->covered, vn))
            return m;
    return NULL;
}

struct vnode *vfs_cross_down(struct vnode *vn)
{
    struct vfs_mount *m;
    while (vn->type == VFS_TYPE_DIR && (m = mount_on(vn)) != NULL) {
        struct vnode *root = vnode_get(m->root);
        vnode_put(vn);
        vn = root;
    }
    return vn;
}

/* Create the mount record and ask the file system for its root. */
static int do_mount(const char *typename, void *source, struct vnode *covered, const char *path,
                    const struct vfs_mount_options *opts, struct vfs_mount **out)
{
    const struct vfs_fs_type *type = find_type(typename);
    if (!type)
        return -ENODEV;
    if (opts && (opts->flags & ~(uint32_t)VFS_MNT_FLAGS))
        return -EINVAL;
    for (struct vfs_mount *o = mounts; source && o; o = o->next)
        if (o->source_ptr == source)
            return -EBUSY; /* one device, one mount */
    struct vfs_mount *m = cfg.alloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    memset(m, 0, sizeof(*m));
    m->type = type;
    m->id = next_mount_id++;
    m->flags = opts ? opts->flags : 0;
    m->source_ptr = source;
    ksnprintf(m->path, sizeof(m->path), "%s", path);
    ksnprintf(m->source, sizeof(m->source), "%s",
              opts && opts->source_name ? opts->source_name : type->name);
    int err = type->mount(m, source, &m->root);
    if (err) {
        cfg.free(m);
        return err;
    }
    m->covered = covered;
    struct vfs_mount **pp = &mounts;
    while (*pp)
        pp = &(*pp)->next;
    *pp = m;
    *out = m;
    return 0;
}

int vfs_mount_root(struct vfs_ctx *ctx, const char *type, void *source)
{
    vfs_lock();
    int err = -EBUSY;
    struct vfs_mount *m;
    if (!mounts && (err = do_mount(type, source, NULL, "/", NULL, &m)) == 0) {
        vfs_ctx_init(ctx, NULL);
        ctx->root = vnode_get(m->root);
        ctx->cwd = vnode_get(m->root);
        m->busy++; /* the context's working directory */
        memcpy(ctx->cwd_path, "/", 2);
    }
    vfs_unlock();
    return err;
}

int vfs_mount(struct vfs_ctx *ctx, const char *path, const char *type, void *source)
{
    return vfs_mount_opts(ctx, path, type, source, NULL);
}

int vfs_mount_opts(struct vfs_ctx *ctx, const char *path, const char *type, void *source,
                   const struct vfs_mount_options *opts)
{
    vfs_lock();
    struct vnode *dir;
    int err = vfs_walk(ctx, path, true, &dir);
    if (err)
        goto out;
    if (dir->type != VFS_TYPE_DIR) {
        err = -ENOTDIR;
    } else if (mount_on(dir) || vnode_same(dir, dir->mnt->root)) {
        err = -EBUSY; /* the root of a mounted file system: no stacking */
    } else {
        char abs[VFS_PATH_MAX];
        err = vfs_abs_path(ctx, path, abs, sizeof(abs));
        struct vfs_mount *m;
        if (!err)
            err = do_mount(type, source, dir, abs, opts, &m);
        if (!err)
            dir = NULL; /* the mount keeps the reference */
    }
    vnode_put(dir);
out:
    vfs_unlock();
    return err;
}

static int unmount_locked(struct vfs_mount *m)
{
    if (m->busy)
        return -EBUSY;
    for (struct vfs_mount *o = mounts; o; o = o->next)
        if (o != m && o->covered && o->covered->mnt == m)
            return -EBUSY;
    if (m->type->sync)
        m->type->sync(m);
    vnode_put(m->root);
    int err = m->type->unmount ? m->type->unmount(m) : 0;
    vnode_put(m->covered);
    for (struct vfs_mount **pp = &mounts; *pp; pp = &(*pp)->next) {
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    }
    cfg.free(m);
    return err;
}

int vfs_umount(struct vfs_ctx *ctx, const char *path)
{
    vfs_lock();
    struct vnode *vn;
    int err = vfs_walk(ctx, path, true, &vn);
    if (!err) {
        struct vfs_mount *m = vn->mnt;
        if (!vnode_same(m->root, vn))
            err = -EINVAL; /* not a mount point */
        else if (!m->covered)
            err = -EBUSY; /* the root: always in use, as on Linux */
        else {
            vnode_put(vn);
            vn = NULL;
            err = unmount_locked(m);
        }
        vnode_put(vn);
    }
    vfs_unlock();
    return err;
}

int vfs_remount(struct vfs_ctx *ctx, const char *path, uint32_t flags)
{
    if (flags & ~(uint32_t)VFS_MNT_FLAGS)
        return -EINVAL;
    vfs_lock();
    struct vnode *vn;
    int err = vfs_walk(ctx, path, true, &vn);
    if (!err) {
        struct vfs_mount *m = vn->mnt;
        if (!vnode_same(m->root, vn))
            err = -EINVAL; /* not where a file system is mounted */
        else if ((flags & VFS_MNT_RDONLY) && !(m->flags & VFS_MNT_RDONLY) && m->writers)
            err = -EBUSY;
        else if ((flags & VFS_MNT_RDONLY) && m->type->sync)
            err = m->type->sync(m);
        if (!err)
            m->flags = flags;
        vnode_put(vn);
    }
    vfs_unlock();
    return err;
}

int vfs_umount_all(void)
{
    vfs_lock();
    int first = 0;
    while (mounts) {
        struct vfs_mount *last = mounts;
        while (last->next)
            last = last->next;
        last->busy = 0; /* shutting down: contexts are gone */
        int err = unmount_locked(last);
        if (err && !first)
            first = err;
    }
    vfs_unlock();
    return first;
}

void vfs_for_each_mount_locked(void (*fn)(struct vfs_mount *mnt, void *arg), void *arg)
{
    for (struct vfs_mount *m = mounts; m; m = m->next)
        fn(m, arg);
}

void vfs_for_each_mount(void (*fn)(struct vfs_mount *mnt, void *arg), void *arg)
{
    vfs_lock();
    vfs_for_each_mount_locked(fn, arg);
    vfs_unlock();
}

int vfs_sync(void)
{
    vfs_lock();
    int first = 0;
    for (struct vfs_mount *m = mounts; m; m = m->next) {
        int err = m->type->sync ? m->type->sync(m) : 0;
        if (err && !first)
            first = err;
    }
    vfs_unlock();
    return first;
}

/* Fill @st for mount @m; the fs's statfs may override the defaults. Lock held. */
int vfs_statfs_locked(struct vfs_mount *m, struct vfs_statfs *st)
{
    memset(st, 0, sizeof(*st));
    ksnprintf(st->type, sizeof(st->type), "%s", m->type->name);
    st->magic = m->type->magic;
    st->name_max = VFS_NAME_MAX;
    int err = m->type->statfs ? m->type->statfs(m, st) : 0;
    st->flags = m->flags;
    st->mount_id = m->id;
    return err;
}

int vfs_statfs(struct vfs_ctx *ctx, const char *path, struct vfs_statfs *st)
{
    vfs_lock();
    struct vnode *vn;
    int err = vfs_walk(ctx, path, true, &vn);
    if (!err) {
        err = vfs_statfs_locked(vn->mnt, st);
        vnode_put(vn);
    }
    vfs_unlock();
    return err;
}

const char *vfs_type_name(uint32_t type)
{
    switch (type) {
    case VFS_TYPE_FILE:
        return "file";
    case VFS_TYPE_DIR:
        return "dir";
    case VFS_TYPE_SYMLINK:
        return "symlink";
    case VFS_TYPE_CHARDEV:
        return "chardev";
    case VFS_TYPE_BLOCKDEV:
        return "blockdev";
    case VFS_TYPE_FIFO:
        return "fifo";
    default:
        return "unknown";
    }
}
