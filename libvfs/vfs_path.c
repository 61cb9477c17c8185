/*
 * vfs_path.c - the calls by path (vfs/vfs.h): open, stat, mkdir, rmdir, unlink,
 * rename, link, symlink, readlink, truncate, chdir. Each takes the namespace
 * lock, resolves, and hands the work to the file system's vnode ops.
 */
#include <k/errno.h>
#include <string.h>
#include <vfs/vfs.h>

#include "vfs_priv.h"

void vfs_ctx_init(struct vfs_ctx *ctx, const struct vfs_ctx *from)
{
    memset(ctx, 0, sizeof(*ctx));
    memcpy(ctx->cwd_path, "/", 2);
    if (from && from->root) {
        vfs_lock();
        ctx->root = vnode_get(from->root);
        ctx->cwd = vnode_get(from->cwd);
        ctx->cwd->mnt->busy++;
        memcpy(ctx->cwd_path, from->cwd_path, sizeof(ctx->cwd_path));
        vfs_unlock();
    }
}

void vfs_ctx_release(struct vfs_ctx *ctx)
{
    for (int fd = 0; fd < VFS_FD_MAX; fd++)
        if (ctx->fds[fd])
            vfs_close(ctx, fd);
    vfs_lock();
    if (ctx->cwd)
        ctx->cwd->mnt->busy--;
    vnode_put(ctx->cwd);
    vnode_put(ctx->root);
    ctx->cwd = ctx->root = NULL;
    vfs_unlock();
}

int vfs_resolve(struct vfs_ctx *ctx, const char *path, bool follow, struct vnode **out)
{
    vfs_lock();
    int err = vfs_walk(ctx, path, follow, out);
    vfs_unlock();
    return err;
}

static int getattr(struct vnode *vn, struct vfs_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->ino = vn->ino;
    st->type = vn->type;
    st->nlink = 1;
    int err = vn->ops->getattr ? vn->ops->getattr(vn, st) : 0;
    st->type = vn->type;
    st->dev = vn->mnt->id;
    return err;
}

int vfs_getattr_locked(struct vnode *vn, struct vfs_stat *st)
{
    return getattr(vn, st);
}

static int stat_common(struct vfs_ctx *ctx, const char *path, bool follow, struct vfs_stat *st)
{
    vfs_lock();
    struct vnode *vn;
    int err = vfs_walk(ctx, path, follow, &vn);
    if (!err) {
        err = getattr(vn, st);
        vnode_put(vn);
    }
    vfs_unlock();
    return err;
}

int vfs_stat(struct vfs_ctx *ctx, const char *path, struct vfs_stat *st)
{
    return stat_common(ctx, path, true, st);
}

int vfs_lstat(struct vfs_ctx *ctx, const char *path, struct vfs_stat *st)
{
    return stat_common(ctx, path, false, st);
}

/* Resolve the parent, then run @fn on (dir, name). */
static int in_parent(struct vfs_ctx *ctx, const char *path,
                     int (*fn)(struct vnode *dir, const char *name, void *arg), void *arg)
{
    vfs_lock();
    struct vnode *dir;
    char name[VFS_NAME_MAX + 1];
    int err = vfs_walk_parent(ctx, path, &dir, name);
    if (!err) {
        err = fn(dir, name, arg);
        vnode_put(dir);
    }
    vfs_unlock();
    return err;
}

static int do_mkdir(struct vnode *dir, const char *name, void *arg)
{
    if (!dir->ops->mkdir)
        return -EPERM;
    return dir->ops->mkdir(dir, name, *(uint32_t *)arg);
}

int vfs_mkdir(struct vfs_ctx *ctx, const char *path, uint32_t mode)
{
    return in_parent(ctx, path, do_mkdir, &mode);
}

/* Is there a mount on dir/name? (It must not be removed or renamed away.) */
static bool is_mount_point(struct vnode *dir, const char *name)
{
    struct vnode *vn;
    if (!dir->ops->lookup || dir->ops->lookup(dir, name, &vn) != 0)
        return false;
    struct vnode *top = vfs_cross_down(vnode_get(vn));
    bool mp = top != vn;
    vnode_put(top);
    vnode_put(vn);
    return mp;
}

static int do_rmdir(struct vnode *dir, const char *name, void *arg)
{
    (void)arg;
    if (!dir->ops->rmdir)
        return -EPERM;
    if (is_mount_point(dir, name))
        return -EBUSY;
    return dir->ops->rmdir(dir, name);
}

int vfs_rmdir(struct vfs_ctx *ctx, const char *path)
{
    return in_parent(ctx, path, do_rmdir, NULL);
}

static int do_unlink(struct vnode *dir, const char *name, void *arg)
{
    (void)arg;
    if (!dir->ops->unlink)
        return -EPERM;
    return dir->ops->unlink(dir, name);
}

int vfs_unlink(struct vfs_ctx *ctx, const char *path)
{
    return in_parent(ctx, path, do_unlink, NULL);
}

static int do_symlink(struct vnode *dir, const char *name, void *arg)
{
    if (!dir->ops->symlink)
        return -EPERM;
    return dir->ops->symlink(dir, name, arg);
}

int vfs_symlink(struct vfs_ctx *ctx, const char *target, const char *linkpath)
{
    size_t n = strlen(target);
    if (n == 0)
        return -ENOENT;
    if (n >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    return in_parent(ctx, linkpath, do_symlink, (void *)target);
}

int vfs_rename(struct vfs_ctx *ctx, const char *from, const char *to)
{
    vfs_lock();
    struct vnode *odir = NULL, *ndir = NULL;
    char oname[VFS_NAME_MAX + 1], nname[VFS_NAME_MAX + 1];
    int err = vfs_walk_parent(ctx, from, &odir, oname);
    if (!err)
        err = vfs_walk_parent(ctx, to, &ndir, nname);
    if (!err) {
        if (odir->mnt != ndir->mnt)
            err = -EXDEV;
        else if (!odir->ops->rename)
            err = -EPERM;
        else if (is_mount_point(odir, oname) || is_mount_point(ndir, nname))
            err = -EBUSY;
        else
            err = odir->ops->rename(odir, oname, ndir, nname);
    }
    vnode_put(odir);
    vnode_put(ndir);
    vfs_unlock();
    return err;
}

static int do_link(struct vnode *dir, const char *name, void *arg)
{
    struct vnode *target = arg;
    if (target->mnt != dir->mnt)
        return -EXDEV;
    if (target->type == VFS_TYPE_DIR)
        return -EPERM;
    if (!dir->ops->link)
        return -EPERM;
    return dir->ops->link(dir, name, target);
}

int vfs_link(struct vfs_ctx *ctx, const char *existing, const char *newpath)
{
    struct vnode *target;
    int err = vfs_resolve(ctx, existing, false, &target);
    if (err)
        return err;
    err = in_parent(ctx, newpath, do_link, target);
    vfs_lock();
    vnode_put(target);
    vfs_unlock();
    return err;
}

long vfs_readlink(struct vfs_ctx *ctx, const char *path, char *buf, size_t size)
{
    if (size == 0)
        return -EINVAL;
    vfs_lock();
    struct vnode *vn;
    long r = vfs_walk(ctx, path, false, &vn);
    if (!r) {
        if (vn->type != VFS_TYPE_SYMLINK || !vn->ops->readlink)
            r = -EINVAL;
        else
            r = vn->ops->readlink(vn, buf, size - 1);
        if (r >= 0)
            buf[r] = '\0';
        vnode_put(vn);
    }
    vfs_unlock();
    return r;
}

int vfs_truncate(struct vfs_ctx *ctx, const char *path, uint64_t size)
{
    vfs_lock();
    struct vnode *vn;
    int err = vfs_walk(ctx, path, true, &vn);
    if (!err) {
        if (vn->type == VFS_TYPE_DIR)
            err = -EISDIR;
        else if (!vn->ops->truncate)
            err = -EINVAL;
        else
            err = vn->ops->truncate(vn, size);
        vnode_put(vn);
    }
    vfs_unlock();
    return err;
}

int vfs_chdir(struct vfs_ctx *ctx, const char *path)
{
    char *abs = vfs_alloc(VFS_PATH_MAX);
    if (!abs)
        return -ENOMEM;
    vfs_lock();
    struct vnode *vn = NULL;
    /* Like a shell's cd: ".." undoes the last name given, even when that name
     * was a symlink, so the directory always matches the path it is shown as. */
    int err = vfs_abs_path(ctx, path, abs, VFS_PATH_MAX);
    if (!err)
        err = vfs_walk(ctx, abs, true, &vn);
    if (!err && vn->type != VFS_TYPE_DIR)
        err = -ENOTDIR;
    if (!err) {
        ctx->cwd->mnt->busy--;
        vnode_put(ctx->cwd);
        ctx->cwd = vn;
        vn->mnt->busy++;
        memcpy(ctx->cwd_path, abs, strlen(abs) + 1);
        vn = NULL;
    }
    if (err)
        vnode_put(vn);
    vfs_unlock();
    vfs_free(abs);
    return err;
}

const char *vfs_getcwd(const struct vfs_ctx *ctx)
{
    return ctx->cwd_path;
}
