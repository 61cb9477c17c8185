/*
 * synthfs.c - synthetic file trees (vfs/synthfs.h): the vnode ops of a
 * read-only tree whose files are generated on open.
 *
 * Layer: a file system under the VFS, like ramfs; the trees themselves (procfs)
 * sit above and hand in their callbacks. Vnodes are transient: every lookup
 * makes a new one naming (entry, argument), holding a reference to its parent
 * so that ".." needs no search. Generated contents live in the open file's
 * handle (a struct synthfs_buf) from open to close.
 *
 * Locking: the VFS's namespace lock is held in every op.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <string.h>
#include <vfs/synthfs.h>

#define ARG_SHIFT 10 /* ino = (arg << ARG_SHIFT) | (entry + 1); SYNTHFS_ENTRIES_MAX <= 1 << 10 */
_Static_assert(SYNTHFS_ENTRIES_MAX <= (1 << ARG_SHIFT), "entry indexes fit below the argument");

struct synthfs_node {
    uint16_t entry;
    uint64_t arg;
    struct vnode *parent; /* one reference; NULL for the root */
};

static const struct vnode_ops synthfs_ops;

/* ---- buffers ---- */

int synthfs_write(struct synthfs_buf *b, const void *p, size_t n)
{
    if (b->err)
        return b->err;
    if (n > SYNTHFS_FILE_MAX - b->len) {
        b->err = -EFBIG;
        return b->err;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > SYNTHFS_FILE_MAX)
            cap = SYNTHFS_FILE_MAX;
        char *d = vfs_alloc(cap);
        if (!d) {
            b->err = -ENOMEM;
            return b->err;
        }
        if (b->len)
            memcpy(d, b->data, b->len);
        vfs_free(b->data);
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static void buf_sink(void *ctx, const char *s, size_t n)
{
    synthfs_write(ctx, s, n);
}

int synthfs_printf(struct synthfs_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvformat(buf_sink, b, fmt, ap);
    va_end(ap);
    return b->err;
}

void synthfs_buf_free(struct synthfs_buf *b)
{
    vfs_free(b->data);
    *b = (struct synthfs_buf){ 0 };
}

/* ---- the tree ---- */

uint64_t synthfs_ino(uint16_t entry, uint64_t arg)
{
    return (arg << ARG_SHIFT) | (uint64_t)(entry + 1u);
}

int synthfs_check(const struct synthfs_tree *tree)
{
    if (!tree || !tree->entries || tree->count == 0 || tree->count > SYNTHFS_ENTRIES_MAX ||
        tree->entries[0].type != VFS_TYPE_DIR)
        return -EINVAL;
    for (uint16_t i = 0; i < tree->count; i++) {
        const struct synthfs_entry *e = &tree->entries[i];
        bool ok;
        switch (e->type) {
        case VFS_TYPE_FILE:
            ok = e->show != NULL;
            break;
        case VFS_TYPE_SYMLINK:
            ok = e->link != NULL;
            break;
        case VFS_TYPE_DIR:
            ok = (e->next == NULL) == (e->lookup == NULL) && (e->nkids == 0 || e->kids);
            for (uint16_t k = 0; ok && k < e->nkids; k++)
                ok = e->kids[k] < tree->count && e->kids[k] != 0 && tree->entries[e->kids[k]].name;
            break;
        default:
            ok = false;
        }
        if (!ok)
            return -EINVAL;
    }
    return 0;
}

static const struct synthfs_tree *tree_of(const struct vnode *vn)
{
    return vn->mnt->priv;
}

static struct synthfs_node *node_of(const struct vnode *vn)
{
    return vn->priv;
}

static const struct synthfs_entry *entry_of(const struct vnode *vn)
{
    return &tree_of(vn)->entries[node_of(vn)->entry];
}

/* A vnode for (entry, arg) under @parent (NULL: the root). */
static int make_vnode(struct vfs_mount *mnt, uint16_t entry, uint64_t arg, struct vnode *parent,
                      struct vnode **out)
{
    const struct synthfs_tree *t = mnt->priv;
    if (entry >= t->count || arg >= (1ull << (64 - ARG_SHIFT - 1)))
        return -EIO; /* a callback returned nonsense */
    struct synthfs_node *n = vfs_alloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    *n = (struct synthfs_node){ .entry = entry, .arg = arg, .parent = parent };
    struct vnode *vn =
        vnode_new(mnt, &synthfs_ops, t->entries[entry].type, synthfs_ino(entry, arg), n);
    if (!vn) {
        vfs_free(n);
        return -ENOMEM;
    }
    if (parent)
        vnode_get(parent);
    *out = vn;
    return 0;
}

int synthfs_mount(struct vfs_mount *mnt, const struct synthfs_tree *tree, struct vnode **root)
{
    int err = synthfs_check(tree);
    if (err)
        return err;
    mnt->priv = (void *)tree;
    return make_vnode(mnt, 0, 0, NULL, root);
}

int synthfs_unmount(struct vfs_mount *mnt)
{
    mnt->priv = NULL;
    return 0;
}

/* ---- vnode ops ---- */

static int sy_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
    struct synthfs_node *n = node_of(dir);
    if (strcmp(name, "..") == 0) {
        *out = vnode_get(n->parent ? n->parent : dir);
        return 0;
    }
    const struct synthfs_tree *t = tree_of(dir);
    const struct synthfs_entry *e = entry_of(dir);
    for (uint16_t k = 0; k < e->nkids; k++)
        if (strcmp(t->entries[e->kids[k]].name, name) == 0)
            return make_vnode(dir->mnt, e->kids[k], n->arg, dir, out);
    if (!e->lookup)
        return -ENOENT;
    struct synthfs_child c;
    int err = e->lookup(t->ctx, n->arg, name, &c);
    return err ? err : make_vnode(dir->mnt, c.entry, c.arg, dir, out);
}

static long sy_readlink(struct vnode *vn, char *buf, size_t size)
{
    struct synthfs_buf b = { 0 };
    int err = entry_of(vn)->link(tree_of(vn)->ctx, node_of(vn)->arg, &b);
    if (!err)
        err = b.err;
    long r = err;
    if (!err) {
        r = (long)(b.len < size ? b.len : size);
        memcpy(buf, b.data, (size_t)r);
    }
    synthfs_buf_free(&b);
    return r;
}

static int sy_open(struct vnode *vn, int flags, void **handle)
{
    if ((flags & VFS_O_ACCMODE) != VFS_O_RDONLY || (flags & VFS_O_TRUNC))
        return -EACCES; /* everything here is read-only */
    *handle = NULL;
    if (vn->type != VFS_TYPE_FILE)
        return 0;
    struct synthfs_buf *b = vfs_alloc(sizeof(*b));
    if (!b)
        return -ENOMEM;
    *b = (struct synthfs_buf){ 0 };
    int err = entry_of(vn)->show(tree_of(vn)->ctx, node_of(vn)->arg, b);
    if (!err)
        err = b->err;
    if (err) {
        synthfs_buf_free(b);
        vfs_free(b);
        return err;
    }
    *handle = b;
    return 0;
}

static int sy_close(struct vnode *vn, void *handle)
{
    (void)vn;
    if (handle) {
        synthfs_buf_free(handle);
        vfs_free(handle);
    }
    return 0;
}

static long sy_read(struct vnode *vn, void *handle, uint64_t off, void *buf, size_t n)
{
    (void)vn;
    const struct synthfs_buf *b = handle;
    if (!b || off >= b->len)
        return 0;
    size_t k = b->len - off < n ? b->len - (size_t)off : n;
    memcpy(buf, b->data + off, k);
    return (long)k;
}

static int sy_getattr(struct vnode *vn, struct vfs_stat *st)
{
    const struct synthfs_entry *e = entry_of(vn);
    memset(st, 0, sizeof(*st));
    st->ino = vn->ino;
    st->type = e->type;
    st->mode = e->mode;
    st->nlink = e->type == VFS_TYPE_DIR ? 2 : 1;
    st->blksize = 1024;
    st->atime = st->mtime = st->ctime = vfs_now_time();
    return 0;
}

static int sy_readdir(struct vnode *dir, void *handle, uint64_t *cookie, struct vfs_dirent *out)
{
    (void)handle;
    struct synthfs_node *n = node_of(dir);
    const struct synthfs_tree *t = tree_of(dir);
    const struct synthfs_entry *e = entry_of(dir);
    if (*cookie < 2) {
        struct vnode *d = *cookie == 0 || !n->parent ? dir : n->parent;
        memcpy(out->name, *cookie == 0 ? "." : "..", *cookie == 0 ? 2 : 3);
        out->ino = d->ino;
        out->type = VFS_TYPE_DIR;
        (*cookie)++;
        return 1;
    }
    uint64_t k = *cookie - 2;
    if (k < e->nkids) {
        const struct synthfs_entry *c = &t->entries[e->kids[k]];
        ksnprintf(out->name, sizeof(out->name), "%s", c->name);
        out->ino = synthfs_ino(e->kids[k], n->arg);
        out->type = c->type;
        (*cookie)++;
        return 1;
    }
    if (!e->next)
        return 0;
    /* Dynamic children: the cookie past the fixed ones is the callback's. */
    uint64_t dyn = k - e->nkids;
    struct synthfs_child c;
    int r = e->next(t->ctx, n->arg, &dyn, &c);
    if (r <= 0)
        return r;
    if (c.entry >= t->count)
        return -EIO;
    ksnprintf(out->name, sizeof(out->name), "%s", c.name);
    out->ino = synthfs_ino(c.entry, c.arg);
    out->type = t->entries[c.entry].type;
    *cookie = dyn + e->nkids + 2;
    return 1;
}

static void sy_release(struct vnode *vn)
{
    struct synthfs_node *n = node_of(vn);
    vnode_put(n->parent);
    vfs_free(n);
}

static const struct vnode_ops synthfs_ops = {
    .lookup = sy_lookup,
    .readlink = sy_readlink,
    .open = sy_open,
    .close = sy_close,
    .read = sy_read,
    .getattr = sy_getattr,
    .readdir = sy_readdir,
    .release = sy_release,
};
