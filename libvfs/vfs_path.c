/*
 * vfs_path.c - the calls by path (vfs/vfs.h): open, stat, mkdir, rmdir, unlink,
 * rename, link, symlink, readlink, truncate, chdir. Each takes the namespace
 * lock, resolves, and hands the work to the file system's vnode ops.
 *
 * The *at family resolves relative to an open directory through a temporary
 * context (vfs_ctx_at) whose working directory is that directory, so every
 * call still goes through the one walk (vfs_walk.c). A temporary context's
 * path is unknown (""); vfs_fchdir, and vfs_chdir on such a context, find a
 * directory's path by walking ".." and naming each step in its parent
 * (dir_path), which is bounded: every step adds at least two bytes to a path
 * of at most VFS_PATH_MAX.
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
int vfs_in_parent(struct vfs_ctx *ctx, const char *path,
                  int (*fn)(struct vnode *dir, const char *name, void *arg), void *arg)
{
    vfs_lock();
    struct vnode *dir;
    char name[VFS_NAME_MAX + 1];
    int err = vfs_walk_parent(ctx, path, &dir, name);
    if (!err) {
        err = vfs_check_writable(dir); /* every caller changes the directory */
        if (!err)
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
    return vfs_in_parent(ctx, path, do_mkdir, &mode);
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
    return vfs_in_parent(ctx, path, do_rmdir, NULL);
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
    return vfs_in_parent(ctx, path, do_unlink, NULL);
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
    return vfs_in_parent(ctx, linkpath, do_symlink, (void *)target);
}

/* Would renaming dir/oname over ndir/nname replace something? Then -EEXIST
 * (an old name that does not exist is -ENOENT first, as on Linux). Lock held. */
static int check_noreplace(struct vnode *odir, const char *oname, struct vnode *ndir,
                           const char *nname)
{
    struct vnode *vn;
    int err = odir->ops->lookup ? odir->ops->lookup(odir, oname, &vn) : -ENOTDIR;
    if (err)
        return err;
    vnode_put(vn);
    err = ndir->ops->lookup ? ndir->ops->lookup(ndir, nname, &vn) : -ENOTDIR;
    if (err == 0) {
        vnode_put(vn);
        return -EEXIST;
    }
    return err == -ENOENT ? 0 : err;
}

/* Rename @from (resolved in @octx) to @to (resolved in @nctx). */
static int rename_in(struct vfs_ctx *octx, const char *from, struct vfs_ctx *nctx, const char *to,
                     unsigned flags)
{
    vfs_lock();
    struct vnode *odir = NULL, *ndir = NULL;
    char oname[VFS_NAME_MAX + 1], nname[VFS_NAME_MAX + 1];
    int err = vfs_walk_parent(octx, from, &odir, oname);
    if (!err)
        err = vfs_walk_parent(nctx, to, &ndir, nname);
    if (!err) {
        if (odir->mnt != ndir->mnt)
            err = -EXDEV;
        else if (vfs_check_writable(odir))
            err = -EROFS;
        else if (!odir->ops->rename)
            err = -EPERM;
        else if (flags & VFS_RENAME_NOREPLACE) /* checked under the same hold of the lock */
            err = check_noreplace(odir, oname, ndir, nname);
        if (!err && (is_mount_point(odir, oname) || is_mount_point(ndir, nname)))
            err = -EBUSY;
        if (!err)
            err = odir->ops->rename(odir, oname, ndir, nname);
    }
    vnode_put(odir);
    vnode_put(ndir);
    vfs_unlock();
    return err;
}

int vfs_rename(struct vfs_ctx *ctx, const char *from, const char *to)
{
    return rename_in(ctx, from, ctx, to, 0);
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

/* Link @existing (resolved in @octx) as @newpath (resolved in @nctx). */
static int link_in(struct vfs_ctx *octx, const char *existing, bool follow, struct vfs_ctx *nctx,
                   const char *newpath)
{
    struct vnode *target;
    int err = vfs_resolve(octx, existing, follow, &target);
    if (err)
        return err;
    err = vfs_in_parent(nctx, newpath, do_link, target);
    vfs_lock();
    vnode_put(target);
    vfs_unlock();
    return err;
}

int vfs_link(struct vfs_ctx *ctx, const char *existing, const char *newpath)
{
    return link_in(ctx, existing, false, ctx, newpath);
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
        else if (vn->type == VFS_TYPE_FILE && vfs_check_writable(vn))
            err = -EROFS;
        else if (!vn->ops->truncate)
            err = -EINVAL;
        else
            err = vn->ops->truncate(vn, size);
        vnode_put(vn);
    }
    vfs_unlock();
    return err;
}

/* Find in @dir the entry that names directory @child ("." and ".." aside:
 * a directory has exactly one other name). Lock held. */
static int name_in(struct vnode *dir, struct vnode *child, struct vfs_dirent *de)
{
    if (!dir->ops->readdir)
        return -ENOENT;
    void *handle = NULL;
    int r = dir->ops->open ? dir->ops->open(dir, VFS_O_RDONLY, &handle) : 0;
    if (r)
        return r;
    uint64_t cookie = 0;
    while ((r = dir->ops->readdir(dir, handle, &cookie, de)) == 1) {
        bool dot = de->name[0] == '.' &&
                   (de->name[1] == '\0' || (de->name[1] == '.' && de->name[2] == '\0'));
        if (!dot && de->ino == child->ino && (de->type == 0 || de->type == VFS_TYPE_DIR))
            break;
    }
    if (dir->ops->close)
        dir->ops->close(dir, handle);
    return r == 1 ? 0 : r < 0 ? r : -ENOENT;
}

/* The absolute path of directory @vn under @ctx's root, walking "..": leave
 * each mounted file system through its mount point (as the walk's ".." does),
 * then name the step in the parent. Built right to left in @out. Each step
 * adds at least two bytes, so at most @size / 2 steps. -ENOENT when @vn was
 * removed or lies outside the root. Lock held. */
static int dir_path(struct vfs_ctx *ctx, struct vnode *vn, char *out, size_t size)
{
    struct vfs_dirent *de = vfs_alloc(sizeof(*de));
    if (!de)
        return -ENOMEM;
    size_t pos = size - 1;
    out[pos] = '\0';
    struct vnode *cur = vnode_get(vn);
    int err = 0;
    for (;;) {
        while (!vnode_same(cur, ctx->root) && vnode_same(cur, cur->mnt->root) &&
               cur->mnt->covered) {
            struct vnode *c = vnode_get(cur->mnt->covered);
            vnode_put(cur);
            cur = c;
        }
        if (vnode_same(cur, ctx->root))
            break;
        struct vnode *parent = NULL;
        err = cur->ops->lookup ? cur->ops->lookup(cur, "..", &parent) : -ENOTDIR;
        if (!err && vnode_same(parent, cur))
            err = -ENOENT; /* the top of a tree that is not our root */
        if (!err)
            err = name_in(parent, cur, de);
        if (!err) {
            size_t n = strlen(de->name);
            if (n + 1 > pos) {
                err = -ENAMETOOLONG;
            } else {
                pos -= n;
                memcpy(out + pos, de->name, n);
                out[--pos] = '/';
            }
        }
        vnode_put(cur);
        cur = parent;
        if (err)
            break;
    }
    vnode_put(cur);
    vfs_free(de);
    if (err)
        return err;
    if (pos == size - 1)
        out[--pos] = '/';
    memmove(out, out + pos, size - pos);
    return 0;
}

/* Make @vn (one reference, consumed) the working directory, named @path. */
static void set_cwd(struct vfs_ctx *ctx, struct vnode *vn, const char *path)
{
    ctx->cwd->mnt->busy--;
    vnode_put(ctx->cwd);
    ctx->cwd = vn;
    vn->mnt->busy++;
    memcpy(ctx->cwd_path, path, strlen(path) + 1);
}

int vfs_chdir(struct vfs_ctx *ctx, const char *path)
{
    char *abs = vfs_alloc(VFS_PATH_MAX);
    if (!abs)
        return -ENOMEM;
    vfs_lock();
    struct vnode *vn = NULL;
    int err = 0;
    /* A temporary context (vfs_ctx_at) learns its path only when it needs it. */
    if (ctx->cwd && ctx->cwd_path[0] == '\0' && path[0] != '/')
        err = dir_path(ctx, ctx->cwd, ctx->cwd_path, sizeof(ctx->cwd_path));
    /* Like a shell's cd: ".." undoes the last name given, even when that name
     * was a symlink, so the directory always matches the path it is shown as. */
    if (!err)
        err = vfs_abs_path(ctx, path, abs, VFS_PATH_MAX);
    if (!err)
        err = vfs_walk(ctx, abs, true, &vn);
    if (!err && vn->type != VFS_TYPE_DIR)
        err = -ENOTDIR;
    if (!err) {
        set_cwd(ctx, vn, abs);
        vn = NULL;
    }
    if (err)
        vnode_put(vn);
    vfs_unlock();
    vfs_free(abs);
    return err;
}

int vfs_fchdir(struct vfs_ctx *ctx, int fd)
{
    char *path = vfs_alloc(VFS_PATH_MAX);
    if (!path)
        return -ENOMEM;
    vfs_lock();
    struct vfs_file *f = fd >= 0 && fd < VFS_FD_MAX ? ctx->fds[fd] : NULL;
    int err = !f ? -EBADF : f->vn->type != VFS_TYPE_DIR ? -ENOTDIR : !ctx->root ? -ENOENT : 0;
    if (!err)
        err = dir_path(ctx, f->vn, path, VFS_PATH_MAX);
    if (!err)
        set_cwd(ctx, vnode_get(f->vn), path);
    vfs_unlock();
    vfs_free(path);
    return err;
}

const char *vfs_getcwd(const struct vfs_ctx *ctx)
{
    return ctx->cwd_path;
}

int vfs_ctx_at(struct vfs_ctx *ctx, int dirfd, struct vfs_ctx *tmp)
{
    vfs_ctx_init(tmp, NULL);
    if (dirfd == VFS_AT_FDCWD) {
        vfs_ctx_init(tmp, ctx);
        return tmp->root ? 0 : -ENOENT;
    }
    vfs_lock();
    struct vfs_file *f = dirfd >= 0 && dirfd < VFS_FD_MAX ? ctx->fds[dirfd] : NULL;
    int err = !f ? -EBADF : f->vn->type != VFS_TYPE_DIR ? -ENOTDIR : !ctx->root ? -ENOENT : 0;
    if (!err) {
        tmp->root = vnode_get(ctx->root);
        tmp->cwd = vnode_get(f->vn);
        tmp->cwd->mnt->busy++;   /* as any working directory: no unmount under it */
        tmp->cwd_path[0] = '\0'; /* unknown until asked for (vfs_chdir) */
    }
    vfs_unlock();
    return err;
}

int vfs_at_begin(struct vfs_ctx *ctx, int dirfd, const char *path, struct vfs_ctx **at)
{
    /* Absolute and empty paths ignore the base (the walk fails "" with -ENOENT). */
    if (path[0] == '/' || path[0] == '\0' || dirfd == VFS_AT_FDCWD) {
        *at = ctx;
        return 0;
    }
    struct vfs_ctx *tmp = vfs_alloc(sizeof(*tmp));
    if (!tmp)
        return -ENOMEM;
    int err = vfs_ctx_at(ctx, dirfd, tmp);
    if (err) {
        vfs_free(tmp);
        return err;
    }
    *at = tmp;
    return 0;
}

void vfs_at_end(struct vfs_ctx *ctx, struct vfs_ctx *at)
{
    if (at && at != ctx) {
        vfs_ctx_release(at);
        vfs_free(at);
    }
}

int vfs_renameat(struct vfs_ctx *ctx, int odirfd, const char *from, int ndirfd, const char *to,
                 unsigned flags)
{
    if (flags & ~(unsigned)VFS_RENAME_NOREPLACE)
        return -EINVAL;
    struct vfs_ctx *o = NULL, *n = NULL;
    int err = vfs_at_begin(ctx, odirfd, from, &o);
    if (!err)
        err = vfs_at_begin(ctx, ndirfd, to, &n);
    if (!err)
        err = rename_in(o, from, n, to, flags);
    vfs_at_end(ctx, n);
    vfs_at_end(ctx, o);
    return err;
}

int vfs_linkat(struct vfs_ctx *ctx, int odirfd, const char *existing, int ndirfd,
               const char *newpath, bool follow)
{
    struct vfs_ctx *o = NULL, *n = NULL;
    int err = vfs_at_begin(ctx, odirfd, existing, &o);
    if (!err)
        err = vfs_at_begin(ctx, ndirfd, newpath, &n);
    if (!err)
        err = link_in(o, existing, follow, n, newpath);
    vfs_at_end(ctx, n);
    vfs_at_end(ctx, o);
    return err;
}
