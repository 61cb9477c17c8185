/*
 * sfs_walk.c - a generic path walker (public: sfs_walk_path() in sfs.h).
 *
 * It knows nothing about SFS: nodes are opaque 64-bit handles and the caller
 * supplies lookup, kind and readlink callbacks (and optional get/put for
 * reference-counted nodes, as a VFS's vnodes are). libsfs resolves its own
 * paths with it (sfs_path.c); a VFS can resolve paths across mounts with it
 * by crossing mount points inside its lookup callback.
 *
 * The walk is iterative and bounded: one caller-supplied buffer holds the
 * path still to walk, a symbolic link is spliced in place (its target
 * followed by the rest of the path), at most symloop_max links are followed
 * (-ELOOP), and nothing is allocated. "." stays where it is without a
 * callback; ".." is passed to lookup, so the caller decides what the parent
 * of its root or of a mount's root is.
 */
#include "sfs_priv.h"

static uint64_t ref_get(struct sfs_walk *w, uint64_t node)
{
    return w->ops->get ? w->ops->get(w->ctx, node) : node;
}

static void ref_put(struct sfs_walk *w, uint64_t node)
{
    if (w->ops->put)
        w->ops->put(w->ctx, node);
}

/* Replace the link @link by its target in front of buf[pos...]. */
static int splice(struct sfs_walk *w, uint64_t link, size_t pos)
{
    size_t rlen = strlen(w->buf + pos);
    size_t room = w->buf_size - rlen - 1;
    /* Park the rest at the end of the buffer, read the target at the start. */
    memmove(w->buf + room, w->buf + pos, rlen + 1);
    long n = w->ops->readlink(w->ctx, link, w->buf, room);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return SFS_ENOENT;
    if ((size_t)n > room)
        return SFS_ENAMETOOLONG;
    if (sfs_strnlen(w->buf, (size_t)n) != (size_t)n)
        return SFS_ENOENT; /* a NUL inside a target names nothing */
    memmove(w->buf + n, w->buf + room, rlen + 1);
    return 0;
}

int sfs_walk_path(struct sfs_walk *w, const char *path, int flags)
{
    if (!w || !w->ops || !w->ops->lookup || !w->ops->kind || !w->ops->readlink || !w->buf ||
        !path)
        return SFS_EINVAL;
    size_t name_max = w->name_max ? w->name_max : SFS_NAME_MAX;
    int loop_max = w->symloop_max ? w->symloop_max : SFS_SYMLOOP_MAX;
    size_t plen = sfs_strnlen(path, w->buf_size);
    if (plen == 0)
        return SFS_ENOENT;
    if (plen >= w->buf_size)
        return SFS_ENAMETOOLONG;
    memcpy(w->buf, path, plen + 1);
    w->trailing_slash = path[plen - 1] == '/';
    w->name = NULL;
    w->name_len = 0;

    uint64_t cur = ref_get(w, path[0] == '/' ? w->root : w->start);
    size_t pos = 0;
    int links = 0, r = 0;
    for (;;) {
        while (w->buf[pos] == '/')
            pos++;
        int kind = w->ops->kind(w->ctx, cur);
        if (kind < 0) {
            r = kind;
            break;
        }
        if (w->buf[pos] == 0) {
            /* The path names cur itself (the root, or "x/.."): no last name. */
            if (!(flags & SFS_WALK_PARENT) && w->trailing_slash && kind != SFS_WALK_DIR)
                r = SFS_ENOTDIR;
            break;
        }
        if (kind != SFS_WALK_DIR) {
            r = SFS_ENOTDIR;
            break;
        }
        size_t start = pos;
        while (w->buf[pos] && w->buf[pos] != '/')
            pos++;
        size_t len = pos - start;
        if (len > name_max) {
            r = SFS_ENAMETOOLONG;
            break;
        }
        size_t rest = pos;
        while (w->buf[rest] == '/')
            rest++;
        bool last = w->buf[rest] == 0;
        if (last && (flags & SFS_WALK_PARENT)) {
            w->name = w->buf + start;
            w->name_len = len;
            break;
        }
        if (len == 1 && w->buf[start] == '.')
            continue;
        uint64_t next;
        r = w->ops->lookup(w->ctx, cur, w->buf + start, len, &next);
        if (r < 0)
            break;
        int nkind = w->ops->kind(w->ctx, next);
        bool follow = !last || (flags & SFS_WALK_FOLLOW) || w->trailing_slash;
        if (nkind == SFS_WALK_SYMLINK && follow) {
            r = ++links > loop_max ? SFS_ELOOP : splice(w, next, pos);
            ref_put(w, next);
            if (r < 0)
                break;
            pos = 0;
            if (w->buf[0] == '/') {
                ref_put(w, cur);
                cur = ref_get(w, w->root);
            }
            continue;
        }
        ref_put(w, cur);
        cur = next;
        if (nkind < 0) {
            r = nkind;
            break;
        }
    }
    if (r < 0) {
        ref_put(w, cur);
        return r;
    }
    w->node = cur;
    return 0;
}
