/*
 * vfs_walk.c - path resolution (vfs_priv.h).
 *
 * A walk starts at the context's root or working directory and looks up one
 * component at a time. "." stays; ".." goes to the parent, leaving a mounted
 * file system through its mount point and never above the context's root. A
 * symbolic link met in the middle of a path (or at its end, when following) is
 * replaced by its target followed by the rest of the path; at most
 * VFS_SYMLINK_MAX links per walk (-ELOOP). A directory that is a mount point is
 * replaced by the root of the file system mounted on it. Lock held throughout.
 */
#include <k/errno.h>
#include <string.h>
#include <vfs/vfs.h>

#include "vfs_priv.h"

struct walk {
    struct vfs_ctx *ctx;
    char *buf;  /* the path still to walk (replaced when a symlink splices in) */
    size_t pos; /* next unread byte of buf */
    int links;
};

/* Next component into @name; returns its length, 0 at the end, <0 on error.
 * *@last is set when nothing but slashes follows it. */
static int next_component(struct walk *w, char *name, bool *last)
{
    const char *p = w->buf + w->pos;
    while (*p == '/')
        p++;
    if (!*p)
        return 0;
    size_t n = 0;
    while (p[n] && p[n] != '/')
        n++;
    if (n > VFS_NAME_MAX)
        return -ENAMETOOLONG;
    memcpy(name, p, n);
    name[n] = '\0';
    const char *q = p + n;
    while (*q == '/')
        q++;
    *last = *q == '\0';
    w->pos = (size_t)(p + n - w->buf);
    return (int)n;
}

static struct vnode *start_of(struct walk *w, const char *path)
{
    return vnode_get(path[0] == '/' ? w->ctx->root : w->ctx->cwd);
}

/* ".." from @cur (consumed); returns the parent (one reference). */
static int dotdot(struct walk *w, struct vnode *cur, struct vnode **out)
{
    while (!vnode_same(cur, w->ctx->root) && vnode_same(cur, cur->mnt->root) && cur->mnt->covered) {
        struct vnode *c = vnode_get(cur->mnt->covered); /* leave the mounted fs */
        vnode_put(cur);
        cur = c;
    }
    if (vnode_same(cur, w->ctx->root)) {
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

/* Splice a symlink's target in front of the rest of the path. */
static int splice_link(struct walk *w, struct vnode *link, struct vnode **cur)
{
    if (++w->links > VFS_SYMLINK_MAX)
        return -ELOOP;
    if (!link->ops->readlink)
        return -EINVAL;
    char *target = vfs_alloc(VFS_PATH_MAX);
    if (!target)
        return -ENOMEM;
    long n = link->ops->readlink(link, target, VFS_PATH_MAX);
    int err = 0;
    if (n < 0) {
        err = (int)n;
    } else if (n == 0) {
        err = -ENOENT;
    } else {
        const char *rest = w->buf + w->pos;
        size_t rlen = strlen(rest);
        if ((size_t)n + 1 + rlen + 1 > VFS_PATH_MAX) {
            err = -ENAMETOOLONG;
        } else {
            memmove(w->buf + n + 1, rest, rlen + 1);
            memcpy(w->buf, target, (size_t)n);
            w->buf[n] = '/';
            w->pos = 0;
            if (target[0] == '/') { /* absolute: start again from the root */
                vnode_put(*cur);
                *cur = vnode_get(w->ctx->root);
            }
        }
    }
    vfs_free(target);
    return err;
}

/* Walk @path; in parent mode stop before the last component and return it. */
static int walk(struct vfs_ctx *ctx, const char *path, bool follow, bool parent_mode,
                struct vnode **out, char *last_name)
{
    if (!ctx->root)
        return -ENOENT;
    size_t plen = strlen(path);
    if (plen == 0)
        return -ENOENT;
    if (plen >= VFS_PATH_MAX)
        return -ENAMETOOLONG;
    struct walk w = { .ctx = ctx, .buf = vfs_alloc(VFS_PATH_MAX) };
    if (!w.buf)
        return -ENOMEM;
    memcpy(w.buf, path, plen + 1);
    bool trailing_slash = path[plen - 1] == '/';

    struct vnode *cur = start_of(&w, path);
    char name[VFS_NAME_MAX + 1];
    int err = 0;
    for (;;) {
        bool last = false;
        int n = next_component(&w, name, &last);
        if (n < 0) {
            err = n;
            break;
        }
        if (n == 0) {
            if (parent_mode)
                err = -EEXIST; /* the path names the root (or a dir via "x/..") */
            break;
        }
        if (cur->type != VFS_TYPE_DIR) {
            err = -ENOTDIR;
            break;
        }
        if (parent_mode && last) {
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                err = -EINVAL;
            else
                memcpy(last_name, name, (size_t)n + 1);
            break;
        }
        if (strcmp(name, ".") == 0)
            continue;
        if (strcmp(name, "..") == 0) {
            err = dotdot(&w, cur, &cur);
            if (err) {
                cur = NULL;
                break;
            }
            continue;
        }
        struct vnode *next;
        err = cur->ops->lookup ? cur->ops->lookup(cur, name, &next) : -ENOTDIR;
        if (err)
            break;
        next = vfs_cross_down(next);
        if (next->type == VFS_TYPE_SYMLINK && (!last || follow || trailing_slash)) {
            err = splice_link(&w, next, &cur);
            vnode_put(next);
            if (err)
                break;
            continue;
        }
        vnode_put(cur);
        cur = next;
    }
    if (!err && !parent_mode && trailing_slash && cur->type != VFS_TYPE_DIR)
        err = -ENOTDIR;
    vfs_free(w.buf);
    if (err) {
        vnode_put(cur);
        return err;
    }
    *out = cur;
    return 0;
}

int vfs_walk(struct vfs_ctx *ctx, const char *path, bool follow, struct vnode **out)
{
    return walk(ctx, path, follow, false, out, NULL);
}

int vfs_walk_parent(struct vfs_ctx *ctx, const char *path, struct vnode **dir, char *name)
{
    return walk(ctx, path, true, true, dir, name);
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
