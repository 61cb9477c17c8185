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
 * piece being walked (the path, or a link's target); a followed link
 * suspends the rest of its piece on a small stack (an offset and the link,
 * whose target is read again on resuming), so as in Linux the path and the
 * targets need not fit in the buffer together. At most symloop_max links are
 * followed (-ELOOP), and nothing is allocated. "." stays where it is without a
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

/* A suspended piece of the path: the rest of the original path (src_path)
 * or of a link's target (node), from offset off, to resume when the link
 * followed in it has been walked. */
struct seg {
    uint64_t node; /* the link whose target this is (one reference) */
    uint32_t off;  /* < buf_size: pieces are paths or targets */
    uint32_t src_path;
};

/* Load link @link's target into the buffer. */
static int load_target(struct sfs_walk *w, uint64_t link)
{
    size_t room = w->buf_size - 1;
    long n = w->ops->readlink(w->ctx, link, w->buf, room);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return SFS_ENOENT;
    if ((size_t)n > room)
        return SFS_ENAMETOOLONG;
    if (sfs_strnlen(w->buf, (size_t)n) != (size_t)n)
        return SFS_ENOENT; /* a NUL inside a target names nothing */
    w->buf[n] = 0;
    return 0;
}

/* Resume suspended piece @s: its text back in the buffer, the position at its offset. */
static int resume(struct sfs_walk *w, const char *path, const struct seg *s, size_t *pos)
{
    int r = 0;
    if (s->src_path)
        memcpy(w->buf, path, strlen(path) + 1);
    else
        r = load_target(w, s->node);
    *pos = s->off;
    return r;
}

int sfs_walk_path(struct sfs_walk *w, const char *path, int flags)
{
    if (!w || !w->ops || !w->ops->lookup || !w->ops->kind || !w->ops->readlink || !w->buf || !path)
        return SFS_EINVAL;
    size_t name_max = w->name_max ? w->name_max : SFS_NAME_MAX;
    int loop_max = w->symloop_max ? w->symloop_max : SFS_SYMLOOP_MAX;
    if (loop_max > SFS_SYMLOOP_MAX)
        loop_max = SFS_SYMLOOP_MAX; /* the bound of the stack below */
    size_t plen = sfs_strnlen(path, w->buf_size);
    if (plen == 0)
        return SFS_ENOENT;
    if (plen >= w->buf_size)
        return SFS_ENAMETOOLONG;
    memcpy(w->buf, path, plen + 1);
    w->trailing_slash = path[plen - 1] == '/';
    w->name = NULL;
    w->name_len = 0;

    /* Like Linux, a followed link is a new piece walked before the rest of
     * the piece it was in, so no limit applies to their total length. */
    struct seg stack[SFS_SYMLOOP_MAX + 1];
    int depth = 0;
    bool cur_path = true;       /* the buffer holds the original path */
    uint64_t cur_link = 0;      /* else the target of this link (one reference) */
    bool pending_slash = false; /* a finished piece ended in '/' after the final name */
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
        if (w->buf[pos] == 0 && depth > 0) {
            /* This piece is done: back to the one whose link it was. */
            if (!cur_path)
                ref_put(w, cur_link);
            struct seg *s = &stack[--depth];
            cur_path = s->src_path;
            cur_link = s->node;
            r = resume(w, path, s, &pos);
            if (r < 0)
                break;
            continue;
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
        size_t rest = pos;
        while (w->buf[rest] == '/')
            rest++;
        bool last = w->buf[rest] == 0 && depth == 0;
        if (len > name_max &&
            !(last && (flags & SFS_WALK_PARENT) && (flags & SFS_WALK_LONG_LAST))) {
            r = SFS_ENAMETOOLONG;
            break;
        }
        /* The slash that counts is the one after the final name as walked: a
         * link's target ending in '/' ("l" -> "f/") puts one there, and it
         * must name a directory as much as the caller's would. */
        if (last)
            w->trailing_slash = w->buf[pos] == '/' || pending_slash;
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
            if (++links > loop_max) {
                ref_put(w, next);
                r = SFS_ELOOP;
                break;
            }
            if (w->buf[rest]) { /* more to walk here afterwards: suspend it */
                stack[depth++] = (struct seg){ cur_link, (uint32_t)rest, cur_path };
            } else {
                /* The link ends its piece: its target's last name is the
                 * path's if this was the last name. */
                if (last)
                    pending_slash = w->trailing_slash;
                if (!cur_path)
                    ref_put(w, cur_link);
            }
            cur_path = false;
            cur_link = next;
            r = load_target(w, next);
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
    if (!cur_path)
        ref_put(w, cur_link);
    while (depth > 0) {
        struct seg *s = &stack[--depth];
        if (!s->src_path)
            ref_put(w, s->node);
    }
    if (r < 0) {
        ref_put(w, cur);
        return r;
    }
    w->node = cur;
    return 0;
}
