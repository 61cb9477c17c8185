/*
 * sfs_path.c - name layer: path resolution on top of the inode operations.
 *
 * sfs_resolve() runs the generic walker (sfs_walk.c) with callbacks over
 * directory inodes: lookup is sfs_dir_lookup(), readlink reads a symlink's
 * data. Relative paths start at a directory the caller names (the library
 * keeps no working directory). The path buffer is one SFS_PATH_MAX array on
 * the stack; the walk needs no recursion and no heap.
 *
 * With SFS_RES_PARENT it stops before the last component and returns the
 * parent directory and that component's name (for create, unlink, rename).
 */
#include "sfs_priv.h"

bool sfs_is_dot_name(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* Walker context: the volume and the last inode read, so kind() after
 * lookup() costs no second read. */
struct res_ctx {
    struct sfs *fs;
    struct sfs_inode last;
};

static int load(struct res_ctx *c, uint32_t ino)
{
    if (c->last.ino == ino && ino)
        return 0;
    c->last.ino = 0;
    int r = sfs_inode_read(c->fs, ino, &c->last);
    if (r < 0)
        c->last.ino = 0;
    return r;
}

static int res_lookup(void *ctx, uint64_t dir, const char *name, size_t len, uint64_t *out)
{
    struct res_ctx *c = ctx;
    int r = load(c, (uint32_t)dir);
    if (r < 0)
        return r;
    uint32_t ino;
    r = sfs_dir_lookup(c->fs, &c->last, name, len, &ino, NULL);
    if (r < 0)
        return r;
    *out = ino;
    return load(c, ino);
}

static int res_kind(void *ctx, uint64_t node)
{
    struct res_ctx *c = ctx;
    int r = load(c, (uint32_t)node);
    if (r < 0)
        return r;
    return sfs_is_dir(&c->last)   ? SFS_WALK_DIR
           : sfs_is_lnk(&c->last) ? SFS_WALK_SYMLINK
                                  : SFS_WALK_OTHER;
}

static long res_readlink(void *ctx, uint64_t node, char *buf, size_t size)
{
    struct res_ctx *c = ctx;
    int r = load(c, (uint32_t)node);
    if (r < 0)
        return r;
    size_t tlen = (size_t)c->last.size;
    if (tlen > size)
        return (long)tlen;
    long n = sfs_inode_pread(c->fs, &c->last, buf, tlen, 0);
    if (n >= 0 && ((size_t)n != tlen || sfs_strnlen(buf, tlen) != tlen))
        return sfs_corrupt(c->fs, "bad symlink target", c->last.ino, tlen);
    return n;
}

static const struct sfs_walk_ops res_ops = {
    .lookup = res_lookup,
    .kind = res_kind,
    .readlink = res_readlink,
};

int sfs_resolve(struct sfs *fs, uint32_t dir, const char *path, int flags, struct sfs_res *res)
{
    char buf[SFS_PATH_MAX];
    struct res_ctx c = { .fs = fs };
    struct sfs_walk w = {
        .ops = &res_ops,
        .ctx = &c,
        .root = SFS_ROOT_INO,
        .start = dir,
        .buf = buf,
        .buf_size = sizeof(buf),
    };
    int wf = (flags & SFS_RES_FOLLOW ? SFS_WALK_FOLLOW : 0) |
             (flags & SFS_RES_PARENT ? SFS_WALK_PARENT | SFS_WALK_LONG_LAST : 0);
    int r = sfs_walk_path(&w, path, wf);
    if (r < 0)
        return r;
    res->ino = (uint32_t)w.node;
    res->trailing_slash = w.trailing_slash;
    if (flags & SFS_RES_PARENT) {
        res->root = !w.name;
        if (!w.name) { /* the path names a directory itself ("/") */
            res->name_len = 1;
            res->name[0] = '.';
        } else {
            /* A name past SFS_NAME_MAX keeps its length (callers refuse it
             * with SFS_ENAMETOOLONG in their own order) but not its bytes. */
            res->name_len = (uint32_t)w.name_len;
            size_t n = w.name_len > SFS_NAME_MAX ? SFS_NAME_MAX : w.name_len;
            memcpy(res->name, w.name, n);
            res->name[n] = 0;
        }
        if (res->root)
            res->name[res->name_len] = 0;
    }
    return 0;
}

int sfs_resolve_dir(struct sfs *fs, uint32_t dir, const char *path, struct sfs_inode *ip)
{
    struct sfs_res res;
    int r = sfs_resolve(fs, dir, path, SFS_RES_FOLLOW, &res);
    if (r < 0)
        return r;
    r = sfs_inode_read(fs, res.ino, ip);
    if (r < 0)
        return r;
    return sfs_is_dir(ip) ? 0 : SFS_ENOTDIR;
}
