/*
 * ramfs.c - the in-memory file system (vfs/ramfs.h).
 *
 * Every node has one vnode for its whole life. The tree holds one reference to
 * it while the node has links; lookups hand out more. When the last link goes
 * (unlink, rmdir, a rename replacing it) the tree's reference is dropped, and
 * the node's memory is freed in `release` once nobody else holds the vnode
 * (an open file keeps an unlinked file readable, as POSIX wants).
 *
 * Directory entries keep the order they were added in and each has a cookie
 * that only grows, so readdir resumes correctly while entries come and go.
 *
 * Attributes: mode, owner, group and three times with nanoseconds, kept as
 * given (the VFS applies the rules, vfs/vfs_attr.h). Contents changes set
 * mtime and ctime, attribute and link changes ctime; reads leave atime alone
 * (as a noatime mount). FIFO, device and socket nodes (mknod) have an ops
 * table without read and write: the VFS opens their pipe or device instead.
 * Locking: the VFS's namespace lock.
 */
#include <k/errno.h>
#include <string.h>
#include <vfs/ramfs.h>

#define RAMFS_DIR_SIZE 4096 /* what stat shows for a directory */

struct ramfs_entry;

struct ramfs_node {
    struct vnode *vn;
    struct ramfs *fs;
    uint32_t nlink;
    uint32_t mode;
    uint32_t uid, gid;
    uint64_t rdev; /* device nodes */
    struct vfs_time atime, mtime, ctime;
    struct ramfs_node *parent;   /* directories */
    struct ramfs_entry *entries; /* directories, in insertion order */
    struct ramfs_entry *tail;
    uint64_t next_cookie;
    char *data; /* files and symlinks */
    uint64_t size;
    uint64_t cap;
};

struct ramfs_entry {
    char *name;
    struct ramfs_node *node;
    uint64_t cookie;
    struct ramfs_entry *next;
};

struct ramfs {
    struct ramfs_node *root;
    uint64_t next_ino;
    uint64_t bytes, max_bytes;
    uint64_t nodes, max_nodes;
};

static const struct vnode_ops ramfs_ops;
static const struct vnode_ops ramfs_special_ops;

static struct ramfs_node *node_of(struct vnode *vn)
{
    return vn->priv;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = vfs_alloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static struct ramfs_node *new_node(struct vfs_mount *mnt, struct ramfs *fs, uint32_t type,
                                   uint32_t mode)
{
    if (fs->max_nodes && fs->nodes >= fs->max_nodes)
        return NULL;
    struct ramfs_node *n = vfs_alloc(sizeof(*n));
    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    bool special = type == VFS_TYPE_FIFO || type == VFS_TYPE_CHARDEV || type == VFS_TYPE_BLOCKDEV ||
                   type == VFS_TYPE_SOCKET;
    n->vn = vnode_new(mnt, special ? &ramfs_special_ops : &ramfs_ops, type, fs->next_ino, n);
    if (!n->vn) {
        vfs_free(n);
        return NULL;
    }
    fs->next_ino++;
    fs->nodes++;
    n->fs = fs;
    n->mode = mode & 07777;
    n->atime = n->mtime = n->ctime = vfs_now_time();
    n->next_cookie = 2; /* 0 and 1 are "." and ".." */
    return n;
}

static struct ramfs_entry *find(struct ramfs_node *dir, const char *name, struct ramfs_entry **prev)
{
    struct ramfs_entry *p = NULL;
    if (prev)
        *prev = NULL;
    for (struct ramfs_entry *e = dir->entries; e; p = e, e = e->next) {
        if (strcmp(e->name, name) == 0) {
            if (prev)
                *prev = p;
            return e;
        }
    }
    return NULL;
}

static int add_entry(struct ramfs_node *dir, const char *name, struct ramfs_node *node)
{
    struct ramfs_entry *e = vfs_alloc(sizeof(*e));
    char *nm = dupstr(name);
    if (!e || !nm) {
        vfs_free(e);
        vfs_free(nm);
        return -ENOMEM;
    }
    *e = (struct ramfs_entry){ .name = nm, .node = node, .cookie = dir->next_cookie++ };
    if (dir->tail)
        dir->tail->next = e;
    else
        dir->entries = e;
    dir->tail = e;
    dir->mtime = dir->ctime = vfs_now_time();
    return 0;
}

/* One link fewer; the tree lets go of the node when none is left. */
static void drop_link(struct ramfs_node *n)
{
    n->ctime = vfs_now_time();
    if (n->nlink > 0 && --n->nlink == 0)
        vnode_put(n->vn);
}

static void remove_entry(struct ramfs_node *dir, struct ramfs_entry *e, struct ramfs_entry *prev)
{
    if (prev)
        prev->next = e->next;
    else
        dir->entries = e->next;
    if (dir->tail == e)
        dir->tail = prev;
    dir->mtime = dir->ctime = vfs_now_time();
    struct ramfs_node *n = e->node;
    vfs_free(e->name);
    vfs_free(e);
    drop_link(n);
}

static int ramfs_lookup(struct vnode *dir, const char *name, struct vnode **out)
{
    struct ramfs_node *d = node_of(dir);
    if (strcmp(name, "..") == 0) {
        *out = vnode_get(d->parent ? d->parent->vn : dir);
        return 0;
    }
    struct ramfs_entry *e = find(d, name, NULL);
    if (!e)
        return -ENOENT;
    *out = vnode_get(e->node->vn);
    return 0;
}

/* Make a node of @type named @name in @dir. */
static int make(struct vnode *dir, const char *name, uint32_t type, uint32_t mode,
                struct ramfs_node **out)
{
    struct ramfs_node *d = node_of(dir);
    if (d->nlink == 0)
        return -ENOENT; /* the directory was removed while we were in it */
    if (find(d, name, NULL))
        return -EEXIST;
    struct ramfs_node *n = new_node(dir->mnt, d->fs, type, mode);
    if (!n)
        return -ENOSPC;
    n->nlink = 1;
    if (type == VFS_TYPE_DIR)
        n->parent = d;
    int err = add_entry(d, name, n);
    if (err) {
        drop_link(n);
        return err;
    }
    *out = n;
    return 0;
}

static int ramfs_create(struct vnode *dir, const char *name, uint32_t mode, struct vnode **out)
{
    struct ramfs_node *n;
    int err = make(dir, name, VFS_TYPE_FILE, mode, &n);
    if (!err)
        *out = vnode_get(n->vn);
    return err;
}

static int ramfs_mkdir(struct vnode *dir, const char *name, uint32_t mode)
{
    struct ramfs_node *n;
    return make(dir, name, VFS_TYPE_DIR, mode, &n);
}

static int ramfs_mknod(struct vnode *dir, const char *name, uint32_t type, uint32_t mode,
                       uint64_t rdev)
{
    struct ramfs_node *n;
    int err = make(dir, name, type, mode, &n);
    if (!err)
        n->rdev = rdev;
    return err;
}

static int ramfs_symlink(struct vnode *dir, const char *name, const char *target)
{
    struct ramfs *fs = node_of(dir)->fs;
    size_t len = strlen(target);
    if (fs->bytes + len > fs->max_bytes)
        return -ENOSPC;
    struct ramfs_node *n;
    int err = make(dir, name, VFS_TYPE_SYMLINK, 0777, &n);
    if (err)
        return err;
    n->data = vfs_alloc(len);
    if (!n->data) {
        struct ramfs_entry *prev = NULL;
        remove_entry(node_of(dir), find(node_of(dir), name, &prev), prev);
        return -ENOMEM;
    }
    memcpy(n->data, target, len);
    n->size = n->cap = len;
    fs->bytes += len;
    return 0;
}

static long ramfs_readlink(struct vnode *vn, char *buf, size_t size)
{
    struct ramfs_node *n = node_of(vn);
    size_t len = n->size < size ? n->size : size;
    memcpy(buf, n->data, len);
    return (long)len;
}

static int ramfs_unlink(struct vnode *dir, const char *name)
{
    struct ramfs_entry *prev = NULL;
    struct ramfs_entry *e = find(node_of(dir), name, &prev);
    if (!e)
        return -ENOENT;
    if (e->node->vn->type == VFS_TYPE_DIR)
        return -EISDIR;
    remove_entry(node_of(dir), e, prev);
    return 0;
}

static int ramfs_rmdir(struct vnode *dir, const char *name)
{
    struct ramfs_entry *prev = NULL;
    struct ramfs_entry *e = find(node_of(dir), name, &prev);
    if (!e)
        return -ENOENT;
    if (e->node->vn->type != VFS_TYPE_DIR)
        return -ENOTDIR;
    if (e->node->entries)
        return -ENOTEMPTY;
    remove_entry(node_of(dir), e, prev);
    return 0;
}

static bool is_ancestor(struct ramfs_node *a, struct ramfs_node *d)
{
    for (; d; d = d->parent) {
        if (d == a)
            return true;
        if (d->parent == d)
            break;
    }
    return false;
}

static int ramfs_rename(struct vnode *odir, const char *oname, struct vnode *ndir,
                        const char *nname)
{
    struct ramfs_node *od = node_of(odir), *nd = node_of(ndir);
    struct ramfs_entry *oprev = NULL, *nprev = NULL;
    struct ramfs_entry *oe = find(od, oname, &oprev);
    if (!oe)
        return -ENOENT;
    struct ramfs_node *n = oe->node;
    bool is_dir = n->vn->type == VFS_TYPE_DIR;
    if (is_dir && is_ancestor(n, nd))
        return -EINVAL; /* into itself */
    struct ramfs_entry *ne = find(nd, nname, &nprev);
    if (ne) {
        if (ne->node == n)
            return 0; /* two links to the same file: nothing to do */
        bool target_dir = ne->node->vn->type == VFS_TYPE_DIR;
        if (is_dir && !target_dir)
            return -ENOTDIR;
        if (!is_dir && target_dir)
            return -EISDIR;
        if (target_dir && ne->node->entries)
            return -ENOTEMPTY;
    }
    /* Add the new name first, so running out of memory changes nothing. */
    n->nlink++;
    int err = add_entry(nd, nname, n);
    if (err) {
        n->nlink--;
        return err;
    }
    if (ne) {
        find(nd, nname, &nprev); /* the old target entry: the first match */
        remove_entry(nd, ne, nprev);
    }
    oe = find(od, oname, &oprev);
    remove_entry(od, oe, oprev);
    if (is_dir)
        n->parent = nd;
    n->ctime = vfs_now_time();
    return 0;
}

static int ramfs_link(struct vnode *dir, const char *name, struct vnode *target)
{
    struct ramfs_node *d = node_of(dir), *t = node_of(target);
    if (find(d, name, NULL))
        return -EEXIST;
    if (t->nlink == 0)
        return -ENOENT;
    t->nlink++;
    int err = add_entry(d, name, t);
    if (err)
        t->nlink--;
    else
        t->ctime = d->mtime;
    return err;
}

static int reserve(struct ramfs_node *n, uint64_t size)
{
    if (size <= n->cap)
        return 0;
    struct ramfs *fs = n->fs;
    uint64_t cap = n->cap ? n->cap : 64;
    while (cap < size)
        cap *= 2;
    if (fs->bytes - n->cap + cap > fs->max_bytes) {
        cap = size; /* try the exact size before giving up */
        if (fs->bytes - n->cap + cap > fs->max_bytes)
            return -ENOSPC;
    }
    char *d = vfs_alloc(cap);
    if (!d)
        return -ENOSPC;
    if (n->data)
        memcpy(d, n->data, n->size);
    vfs_free(n->data);
    fs->bytes = fs->bytes - n->cap + cap;
    n->data = d;
    n->cap = cap;
    return 0;
}

static long ramfs_read(struct vnode *vn, void *handle, uint64_t off, void *buf, size_t len)
{
    (void)handle;
    struct ramfs_node *n = node_of(vn);
    if (off >= n->size)
        return 0;
    uint64_t k = n->size - off < len ? n->size - off : len;
    memcpy(buf, n->data + off, k);
    return (long)k;
}

static long ramfs_write(struct vnode *vn, void *handle, uint64_t off, const void *buf, size_t len)
{
    (void)handle;
    struct ramfs_node *n = node_of(vn);
    if (len == 0)
        return 0;
    if (off + len < off)
        return -EFBIG;
    int err = reserve(n, off + len);
    if (err)
        return err;
    if (off > n->size)
        memset(n->data + n->size, 0, off - n->size); /* a hole reads as zeros */
    memcpy(n->data + off, buf, len);
    if (off + len > n->size)
        n->size = off + len;
    n->mtime = n->ctime = vfs_now_time();
    return (long)len;
}

static int ramfs_truncate(struct vnode *vn, uint64_t size)
{
    struct ramfs_node *n = node_of(vn);
    if (size > n->size) {
        int err = reserve(n, size);
        if (err)
            return err;
        memset(n->data + n->size, 0, size - n->size);
    }
    n->size = size;
    n->mtime = n->ctime = vfs_now_time();
    return 0;
}

static int ramfs_setattr(struct vnode *vn, const struct vfs_attr *a)
{
    struct ramfs_node *n = node_of(vn);
    if (a->mask & VFS_ATTR_MODE)
        n->mode = a->mode & 07777;
    if (a->mask & VFS_ATTR_UID)
        n->uid = a->uid;
    if (a->mask & VFS_ATTR_GID)
        n->gid = a->gid;
    if (a->mask & VFS_ATTR_ATIME)
        n->atime = a->atime;
    if (a->mask & VFS_ATTR_MTIME)
        n->mtime = a->mtime;
    n->ctime = a->ctime;
    return 0;
}

static int ramfs_getattr(struct vnode *vn, struct vfs_stat *st)
{
    struct ramfs_node *n = node_of(vn);
    st->mode = n->mode;
    st->nlink = n->nlink;
    st->size = vn->type == VFS_TYPE_DIR ? RAMFS_DIR_SIZE : n->size;
    st->blocks = (n->cap + 511) / 512;
    st->blksize = 4096;
    st->uid = n->uid;
    st->gid = n->gid;
    st->rdev = n->rdev;
    st->atime = n->atime;
    st->mtime = n->mtime;
    st->ctime = n->ctime;
    return 0;
}

static int ramfs_readdir(struct vnode *dir, void *handle, uint64_t *cookie, struct vfs_dirent *out)
{
    (void)handle;
    struct ramfs_node *d = node_of(dir);
    if (*cookie < 2) {
        struct ramfs_node *t = *cookie == 0 ? d : (d->parent ? d->parent : d);
        memcpy(out->name, *cookie == 0 ? "." : "..", *cookie == 0 ? 2 : 3);
        out->ino = t->vn->ino;
        out->type = VFS_TYPE_DIR;
        (*cookie)++;
        return 1;
    }
    for (struct ramfs_entry *e = d->entries; e; e = e->next) {
        if (e->cookie >= *cookie) {
            size_t n = strlen(e->name);
            memcpy(out->name, e->name, n + 1);
            out->ino = e->node->vn->ino;
            out->type = e->node->vn->type;
            *cookie = e->cookie + 1;
            return 1;
        }
    }
    return 0;
}

static void ramfs_release(struct vnode *vn)
{
    struct ramfs_node *n = node_of(vn);
    n->fs->bytes -= n->cap;
    n->fs->nodes--;
    vfs_free(n->data);
    vfs_free(n);
}

static const struct vnode_ops ramfs_ops = {
    .lookup = ramfs_lookup,
    .create = ramfs_create,
    .mkdir = ramfs_mkdir,
    .rmdir = ramfs_rmdir,
    .unlink = ramfs_unlink,
    .rename = ramfs_rename,
    .link = ramfs_link,
    .symlink = ramfs_symlink,
    .readlink = ramfs_readlink,
    .read = ramfs_read,
    .write = ramfs_write,
    .truncate = ramfs_truncate,
    .setattr = ramfs_setattr,
    .mknod = ramfs_mknod,
    .getattr = ramfs_getattr,
    .readdir = ramfs_readdir,
    .release = ramfs_release,
};

/* FIFOs, devices and sockets: attributes only (the VFS does their I/O elsewhere). */
static const struct vnode_ops ramfs_special_ops = {
    .setattr = ramfs_setattr,
    .getattr = ramfs_getattr,
    .release = ramfs_release,
};

static int ramfs_mount(struct vfs_mount *mnt, void *source, struct vnode **root)
{
    const struct ramfs_options *opt = source;
    struct ramfs *fs = vfs_alloc(sizeof(*fs));
    if (!fs)
        return -ENOMEM;
    *fs = (struct ramfs){ .next_ino = 1,
                          .max_bytes = opt && opt->max_bytes ? opt->max_bytes : RAMFS_DEFAULT_MAX,
                          .max_nodes = opt ? opt->max_nodes : 0 };
    struct ramfs_node *r = new_node(mnt, fs, VFS_TYPE_DIR, 0755);
    if (!r) {
        vfs_free(fs);
        return -ENOMEM;
    }
    r->nlink = 1;
    fs->root = r;
    mnt->priv = fs;
    *root = vnode_get(r->vn); /* one for the tree, one for the mount */
    return 0;
}

/* Drop every link in the tree under @d (the VFS holds no other references). */
static void teardown(struct ramfs_node *d)
{
    while (d->entries) {
        struct ramfs_entry *e = d->entries;
        if (e->node->vn->type == VFS_TYPE_DIR)
            teardown(e->node);
        remove_entry(d, e, NULL);
    }
}

static int ramfs_unmount(struct vfs_mount *mnt)
{
    struct ramfs *fs = mnt->priv;
    /* The mount's reference to the root was dropped: the tree's is the last. */
    teardown(fs->root);
    drop_link(fs->root);
    vfs_free(fs);
    return 0;
}

static int ramfs_statfs(struct vfs_mount *mnt, struct vfs_statfs *st)
{
    struct ramfs *fs = mnt->priv;
    st->block_size = 4096;
    st->blocks = fs->max_bytes / 4096;
    st->blocks_free = (fs->max_bytes - fs->bytes) / 4096;
    st->files = fs->max_nodes;
    st->files_free = fs->max_nodes ? fs->max_nodes - fs->nodes : 0;
    return 0;
}

const struct vfs_fs_type ramfs_type = {
    .name = "ramfs",
    .mount = ramfs_mount,
    .unmount = ramfs_unmount,
    .statfs = ramfs_statfs,
    .magic = 0x858458f6u, /* Linux's RAMFS_MAGIC */
};
