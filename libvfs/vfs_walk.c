/*
 * vfs_walk.c - path resolution (vfs_priv.h): libsfs's generic walker over vnodes.
 *
 * The walk itself is sfs_walk_path() (<sfs/sfs.h>): it splits the path,
 * splices symbolic links in place (at most VFS_SYMLINK_MAX per walk, else
 * -ELOOP), enforces VFS_NAME_MAX and VFS_PATH_MAX, and handles trailing
 * slashes. This file supplies its callbacks, with vnode pointers as the
 * walker's opaque nodes and vnode_get()/vnode_put() as its references:
 *   lookup    a directory's lookup, then into whatever is mounted on the
 *             result (vfs_cross_down); ".." leaves a mounted file system
 *             through its mount point and never goes above the context's root
 *   kind      the vnode's type
 *   readlink  the vnode's readlink
 * A walk starts at the context's root (absolute paths and link targets) or
 * working directory. Its work buffer (VFS_PATH_MAX bytes) comes from the VFS
 * allocator, not the kernel stack. Lock held throughout.
 *
 * vfs_abs_path() is the lexical counterpart: it names a path without walking.
 */
#include <k/errno.h>
#include <sfs/sfs.h>
#include <stdint.h>
#include <string.h>
#include <vfs/vfs.h>

#include "vfs_priv.h"

static struct vnode *vn_of(uint64_t node)
{
    return (struct vnode *)(uintptr_t)node;
}

static uint64_t node_of(struct vnode *vn)
{
    return (uint64_t)(uintptr_t)vn;
}

/* ".." from @cur (consumed); returns the parent (one reference). */
static int dotdot(struct vfs_ctx *ctx, struct vnode *cur, struct vnode **out)
{
    while (!vnode_same(cur, ctx->root) && vnode_same(cur, cur->mnt->root) && cur->mnt->covered) {
        struct vnode *c = vnode_get(cur->mnt->covered); /* leave the mounted fs */
        vnode_put(cur);
        cur = c;
    }
    if (vnode_same(cur, ctx->root)) {
        *out = cur;
        return 0;
    }
    struct vnode *parent;
    int err = cur->ops->lookup ? cur->ops->lookup(cur, "..", &parent) : -ENOTDIR;
    vnode_put(cur);
    if (err)
        return err;
    *out = parent;
    return 0;
}

static int walk_lookup(void *c, uint64_t dir, const char *name, size_t len, uint64_t *out)
{
    struct vfs_ctx *ctx = c;
    struct vnode *cur = vn_of(dir), *next;
    int err;
    if (len == 2 && name[0] == '.' && name[1] == '.') {
        err = dotdot(ctx, vnode_get(cur), &next);
    } else {
        char nul_name[VFS_NAME_MAX + 1]; /* len <= VFS_NAME_MAX: the walker checked */
        memcpy(nul_name, name, len);
        nul_name[len] = '\0';
        err = cur->ops->lookup ? cur->ops->lookup(cur, nul_name, &next) : -ENOTDIR;
        if (!err)
            next = vfs_cross_down(next);
    }
    if (err)
        return err;
    *out = node_of(next);
    return 0;
}

static int walk_kind(void *c, uint64_t node)
{
    (void)c;
    switch (vn_of(node)->type) {
    case VFS_TYPE_DIR:
        return SFS_WALK_DIR;
    case VFS_TYPE_SYMLINK:
        return SFS_WALK_SYMLINK;
    default:
        return SFS_WALK_OTHER;
    }
}

static long walk_readlink(void *c, uint64_t node, char *buf, size_t size)
{
    (void)c;
    struct vnode *link = vn_of(node);
    if (!link->ops->readlink)
        return -EINVAL;
    long n = link->ops->readlink(link, buf, size);
    /* A vnode's readlink stops at @size: a full buffer may hide a longer
     * target, so call it too long (more than @size), as the walker asks. */
    return n >= 0 && (size_t)n >= size ? (long)size + 1 : n;
}

static uint64_t walk_get(void *c, uint64_t node)
{
    (void)c;
    return node_of(vnode_get(vn_of(node)));
}

static void walk_put(void *c, uint64_t node)
{
    (void)c;
    vnode_put(vn_of(node));
}

static const struct sfs_walk_ops walk_ops = {
    .lookup = walk_lookup,
    .kind = walk_kind,
    .readlink = walk_readlink,
    .get = walk_get,
    .put = walk_put,
};

/* Walk @path with SFS_WALK_* @flags. With SFS_WALK_PARENT, @out is the
 * directory and @last_name gets the last component; a path that names a
 * directory itself ("/") gives -EEXIST and a last "." or ".." -EINVAL. */
static int walk(struct vfs_ctx *ctx, const char *path, int flags, struct vnode **out,
                char *last_name)
{
    if (!ctx->root)
        return -ENOENT;
    struct sfs_walk w = {
        .ops = &walk_ops,
        .ctx = ctx,
        .root = node_of(ctx->root),
        .start = node_of(ctx->cwd),
        .buf = vfs_alloc(VFS_PATH_MAX),
        .buf_size = VFS_PATH_MAX,
        .name_max = VFS_NAME_MAX,
        .symloop_max = VFS_SYMLINK_MAX,
    };
    if (!w.buf)
        return -ENOMEM;
    int err = sfs_walk_path(&w, path, flags);
    if (!err && (flags & SFS_WALK_PARENT)) {
        if (!w.name)
            err = -EEXIST;
        else if (w.name[0] == '.' && (w.name_len == 1 || (w.name_len == 2 && w.name[1] == '.')))
            err = -EINVAL;
        if (err) {
            vnode_put(vn_of(w.node));
        } else {
            memcpy(last_name, w.name, w.name_len); /* before w.buf goes */
            last_name[w.name_len] = '\0';
        }
    }
    vfs_free(w.buf);
    if (err)
        return err;
    *out = vn_of(w.node);
    return 0;
}

int vfs_walk(struct vfs_ctx *ctx, const char *path, bool follow, struct vnode **out)
{
    return walk(ctx, path, follow ? SFS_WALK_FOLLOW : 0, out, NULL);
}

int vfs_walk_parent(struct vfs_ctx *ctx, const char *path, struct vnode **dir, char *name)
{
    return walk(ctx, path, SFS_WALK_PARENT, dir, name);
}

int vfs_abs_path(const struct vfs_ctx *ctx, const char *path, char *out, size_t size)
{
    /* Build "cwd/path" (or just "path" when absolute), then fold "." and "..". */
    size_t n = 0;
    char *tmp = vfs_alloc(2 * VFS_PATH_MAX + 2);
    if (!tmp)
        return -ENOMEM;
    if (path[0] != '/') {
        size_t c = strlen(ctx->cwd_path);
        memcpy(tmp, ctx->cwd_path, c);
        n = c;
        tmp[n++] = '/';
    }
    size_t p = strlen(path);
    memcpy(tmp + n, path, p + 1);

    size_t o = 0;
    int err = 0;
    const char *s = tmp;
    out[o++] = '/';
    while (*s) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t len = (size_t)(e - s);
        if (len == 0 || (len == 1 && s[0] == '.')) {
            /* nothing */
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            while (o > 1 && out[o - 1] != '/')
                o--;
            if (o > 1)
                o--; /* drop the slash too, unless it is the root's */
        } else {
            if (o > 1)
                out[o++] = '/';
            if (o + len + 1 > size) {
                err = -ENAMETOOLONG;
                break;
            }
            memcpy(out + o, s, len);
            o += len;
        }
        s = e;
    }
    out[o] = '\0';
    vfs_free(tmp);
    return err;
}
