/*
 * sfs_fuse_ops.c - sfs-fuse's low-level FUSE operations on libsfs's inode API.
 *
 * Layer: the edge between the kernel's FUSE protocol (through libfuse3's
 * low-level API) and libsfs. Every request names inodes by number, and so
 * does libsfs: a node id is an SFS inode number, a directory operation is a
 * libsfs *_at call on (directory inode, name), an open file is a libsfs
 * handle (struct sfs_file) whose address is the FUSE file handle.
 *
 * Lookup counts (sfs_fuse.h): every reply that hands the kernel an inode
 * (lookup, create, mkdir, mknod, symlink, link, readdirplus) counts one
 * lookup of it in the node table; forget takes them back. Before a name is
 * removed (unlink, rmdir, rename over an existing name) the inode behind it,
 * if the kernel knows it, is held with sfs_iget(): it becomes an orphan and
 * is freed by libsfs at the kernel's last forget (or at unmount, or by the
 * journal's orphan list at the next mount after a crash).
 *
 * Errors: libsfs's codes are Linux errno values and pass through, except that
 * the ones that mean the image cannot be trusted (a device error, a corrupt
 * structure) all become EIO. Nothing here aborts.
 *
 * Permissions are the kernel's (the mount always has default_permissions);
 * new inodes belong to the request's uid and gid (sfs_make_at()).
 */
#include "sfs_fuse.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

/* ---- conversions ---- */

static int fuse_err(struct sfs_fuse *sf, long r)
{
    if (r == SFS_EIO || r == SFS_ECORRUPT || r == SFS_EMEDIUMTYPE) {
        if (!sf->io_error)
            fprintf(stderr, "sfs-fuse: %s: further errors are reported as EIO\n",
                    sfs_strerror((int)r));
        sf->io_error = 1;
        return EIO;
    }
    return (int)-r;
}

static void to_stat(const struct sfs_stat *s, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = s->ino;
    st->st_mode = s->mode;
    st->st_nlink = s->nlink;
    st->st_uid = s->uid;
    st->st_gid = s->gid;
    st->st_rdev = (dev_t)s->rdev;
    st->st_size = (off_t)s->size;
    st->st_blksize = s->blksize;
    st->st_blocks = (blkcnt_t)(s->blocks * (s->blksize / 512));
    st->st_atim.tv_sec = s->atime;
    st->st_atim.tv_nsec = s->atime_nsec;
    st->st_mtim.tv_sec = s->mtime;
    st->st_mtim.tv_nsec = s->mtime_nsec;
    st->st_ctim.tv_sec = s->ctime;
    st->st_ctim.tv_nsec = s->ctime_nsec;
}

/* SFS_DT_* to the S_IF* bits a directory entry carries. */
static mode_t dt_mode(uint32_t type)
{
    switch (type) {
    case SFS_DT_DIR:
        return S_IFDIR;
    case SFS_DT_LNK:
        return S_IFLNK;
    case SFS_DT_CHR:
        return S_IFCHR;
    case SFS_DT_BLK:
        return S_IFBLK;
    case SFS_DT_FIFO:
        return S_IFIFO;
    case SFS_DT_SOCK:
        return S_IFSOCK;
    default:
        return S_IFREG;
    }
}

static struct sfs_fuse *state(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

/* Fill @e for inode @ino; counts no lookup. */
static int fill_entry(struct sfs_fuse *sf, uint32_t ino, struct fuse_entry_param *e)
{
    struct sfs_stat s;
    int r = sfs_stat_ino(&sf->fs, ino, &s);
    if (r < 0)
        return r;
    memset(e, 0, sizeof(*e));
    e->ino = ino;
    to_stat(&s, &e->attr);
    e->attr_timeout = sf->timeout;
    e->entry_timeout = sf->timeout;
    return 0;
}

/* Reply with inode @ino (or libsfs error @r), counting one lookup. */
static void reply_entry(fuse_req_t req, int r, uint32_t ino)
{
    struct sfs_fuse *sf = state(req);
    struct fuse_entry_param e;
    if (r == 0)
        r = fill_entry(sf, ino, &e);
    if (r == 0 && sfs_fuse_node_ref(sf, ino) < 0)
        r = -ENOMEM;
    if (r < 0) {
        fuse_reply_err(req, fuse_err(sf, r));
        return;
    }
    if (fuse_reply_entry(req, &e) != 0)
        sfs_fuse_node_forget(sf, ino, 1); /* interrupted: the kernel never saw it */
}

/* Before (@dir, @name) loses its name: hold its inode if the kernel knows it. */
static int hold_name(struct sfs_fuse *sf, fuse_ino_t dir, const char *name)
{
    uint32_t ino;
    if (sfs_lookup(&sf->fs, (uint32_t)dir, name, strlen(name), &ino) < 0)
        return 0; /* the call itself will report it */
    struct sfs_fuse_node *n = sfs_fuse_node_find(sf, ino);
    if (!n || n->held)
        return 0;
    int r = sfs_iget(&sf->fs, &n->ref, ino);
    if (r == 0)
        n->held = 1;
    return r;
}

/* ---- operations ---- */

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    /* The kernel clears set-user-ID bits itself (through setattr). */
    conn->want &= ~(unsigned)FUSE_CAP_HANDLE_KILLPRIV;
    /* One thread serves every request; nothing is gained by sending several. */
    conn->want &= ~(unsigned)FUSE_CAP_ASYNC_DIO;
    /* Always readdirplus: an entry's attributes cost libsfs one inode read,
     * far less than the lookup round trip they save (ls -l, find, du, rm -r). */
    if (conn->capable & FUSE_CAP_READDIRPLUS)
        conn->want &= ~(unsigned)FUSE_CAP_READDIRPLUS_AUTO;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct sfs_fuse *sf = state(req);
    uint32_t ino;
    int r = sfs_lookup(&sf->fs, (uint32_t)parent, name, strlen(name), &ino);
    if (r == SFS_ENOENT) {
        /* A negative entry: only this daemon changes the image (it holds a lock). */
        struct fuse_entry_param e = { .ino = 0, .entry_timeout = sf->timeout };
        fuse_reply_entry(req, &e);
        return;
    }
    reply_entry(req, r, ino);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    sfs_fuse_node_forget(state(req), (uint32_t)ino, nlookup);
    fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    for (size_t i = 0; i < count; i++)
        sfs_fuse_node_forget(state(req), (uint32_t)forgets[i].ino, forgets[i].nlookup);
    fuse_reply_none(req);
}

static void reply_attr(fuse_req_t req, fuse_ino_t ino)
{
    struct sfs_fuse *sf = state(req);
    struct sfs_stat s;
    int r = sfs_stat_ino(&sf->fs, (uint32_t)ino, &s);
    if (r < 0) {
        fuse_reply_err(req, fuse_err(sf, r));
        return;
    }
    struct stat st;
    to_stat(&s, &st);
    fuse_reply_attr(req, &st, sf->timeout);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)fi;
    reply_attr(req, ino);
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
                       struct fuse_file_info *fi)
{
    struct sfs_fuse *sf = state(req);
    struct sfs_setattr sa = { 0 };
    if (to_set & FUSE_SET_ATTR_MODE) {
        sa.valid |= SFS_SET_MODE;
        sa.mode = attr->st_mode & 07777;
    }
    if (to_set & FUSE_SET_ATTR_UID) {
        sa.valid |= SFS_SET_UID;
        sa.uid = attr->st_uid;
    }
    if (to_set & FUSE_SET_ATTR_GID) {
        sa.valid |= SFS_SET_GID;
        sa.gid = attr->st_gid;
    }
    if (to_set & FUSE_SET_ATTR_SIZE) {
        sa.valid |= SFS_SET_SIZE;
        sa.size = (uint64_t)attr->st_size;
        /* ftruncate() makes mtime and ctime now even when the size stays,
         * and the kernel leaves that to us; truncate(2) by name changes
         * them only with the size (libsfs). */
        if (fi && !(to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW)))
            sa.valid |= SFS_SET_MTIME_NOW;
    }
    if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
        sa.valid |= SFS_SET_ATIME_NOW;
    } else if (to_set & FUSE_SET_ATTR_ATIME) {
        sa.valid |= SFS_SET_ATIME;
        sa.atime_sec = attr->st_atim.tv_sec;
        sa.atime_nsec = (uint32_t)attr->st_atim.tv_nsec;
    }
    if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
        sa.valid |= SFS_SET_MTIME_NOW;
    } else if (to_set & FUSE_SET_ATTR_MTIME) {
        sa.valid |= SFS_SET_MTIME;
        sa.mtime_sec = attr->st_mtim.tv_sec;
        sa.mtime_nsec = (uint32_t)attr->st_mtim.tv_nsec;
    }
    if (to_set & FUSE_SET_ATTR_CTIME) {
        sa.valid |= SFS_SET_CTIME;
        sa.ctime_sec = attr->st_ctim.tv_sec;
        sa.ctime_nsec = (uint32_t)attr->st_ctim.tv_nsec;
    }
    int r = 0;
    if (sa.valid == 0) {
        /* Nothing but ctime: Linux's chown(f, -1, -1) changes only that, and
         * FUSE has no request for it. Setting the owner to itself does. */
        struct sfs_stat st;
        r = sfs_stat_ino(&sf->fs, (uint32_t)ino, &st);
        sa.valid = SFS_SET_UID;
        sa.uid = st.uid;
    }
    if (r == 0)
        r = sfs_setattr_ino(&sf->fs, (uint32_t)ino, &sa);
    sf->dirty = 1;
    if (r < 0) {
        fuse_reply_err(req, fuse_err(sf, r));
        return;
    }
    reply_attr(req, ino);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
    struct sfs_fuse *sf = state(req);
    char buf[SFS_SYMLINK_MAX + 1];
    long n = sfs_readlink_ino(&sf->fs, (uint32_t)ino, buf, sizeof(buf) - 1);
    if (n < 0) {
        fuse_reply_err(req, fuse_err(sf, n));
        return;
    }
    buf[n] = '\0';
    fuse_reply_readlink(req, buf);
}

/* Create @name in @parent as described by @mode (type and permissions). */
static int make(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev,
                const char *target, uint32_t *ino)
{
    struct sfs_fuse *sf = state(req);
    const struct fuse_ctx *ctx = fuse_req_ctx(req);
    struct sfs_make mk = {
        .mode = (uint32_t)mode, .uid = ctx->uid, .gid = ctx->gid, .rdev = rdev, .target = target
    };
    sf->dirty = 1;
    return sfs_make_at(&sf->fs, (uint32_t)parent, name, strlen(name), &mk, ino);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
    uint32_t ino = 0;
    int r = S_ISDIR(mode) ? SFS_EPERM : make(req, parent, name, mode, rdev, NULL, &ino);
    reply_entry(req, r, ino);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    uint32_t ino = 0;
    int r = make(req, parent, name, S_IFDIR | (mode & 07777), 0, NULL, &ino);
    reply_entry(req, r, ino);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
    uint32_t ino = 0;
    int r = make(req, parent, name, S_IFLNK | 0777, 0, link, &ino);
    reply_entry(req, r, ino);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct sfs_fuse *sf = state(req);
    sf->dirty = 1;
    int r = hold_name(sf, parent, name);
    if (r == 0)
        r = sfs_unlink_at(&sf->fs, (uint32_t)parent, name, strlen(name));
    fuse_reply_err(req, r < 0 ? fuse_err(sf, r) : 0);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct sfs_fuse *sf = state(req);
    sf->dirty = 1;
    int r = hold_name(sf, parent, name);
    if (r == 0)
        r = sfs_rmdir_at(&sf->fs, (uint32_t)parent, name, strlen(name));
    fuse_reply_err(req, r < 0 ? fuse_err(sf, r) : 0);
}

/*
 * RENAME_NOREPLACE is a lookup then a rename: nothing can come between them,
 * with one thread. RENAME_EXCHANGE is libsfs's atomic exchange, one
 * transaction; it unlinks nothing, so no inode needs holding.
 */
static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                      const char *newname, unsigned int flags)
{
    struct sfs_fuse *sf = state(req);
    const unsigned both = RENAME_NOREPLACE | RENAME_EXCHANGE;
    if ((flags & ~both) || (flags & both) == both) {
        fuse_reply_err(req, EINVAL);
        return;
    }
    uint32_t ino;
    int r = 0;
    if (flags & RENAME_EXCHANGE) {
        sf->dirty = 1;
        r = sfs_rename_exchange_at(&sf->fs, (uint32_t)parent, name, strlen(name),
                                   (uint32_t)newparent, newname, strlen(newname));
        fuse_reply_err(req, r < 0 ? fuse_err(sf, r) : 0);
        return;
    }
    if ((flags & RENAME_NOREPLACE) &&
        sfs_lookup(&sf->fs, (uint32_t)newparent, newname, strlen(newname), &ino) == 0)
        r = SFS_EEXIST;
    sf->dirty = 1;
    if (r == 0)
        r = hold_name(sf, newparent, newname);
    if (r == 0)
        r = sfs_rename_at(&sf->fs, (uint32_t)parent, name, strlen(name), (uint32_t)newparent,
                          newname, strlen(newname));
    fuse_reply_err(req, r < 0 ? fuse_err(sf, r) : 0);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
    struct sfs_fuse *sf = state(req);
    sf->dirty = 1;
    int r = sfs_link_at(&sf->fs, (uint32_t)ino, (uint32_t)newparent, newname, strlen(newname));
    reply_entry(req, r, (uint32_t)ino);
}

/* Open @ino for @fi; sets fi->fh. Returns 0 or a libsfs error. */
static int open_file(struct sfs_fuse *sf, uint32_t ino, struct fuse_file_info *fi)
{
    struct sfs_file *f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    /* Only the access mode: the kernel gives every write its offset, O_APPEND included. */
    int r = sfs_open_ino(&sf->fs, f, ino, fi->flags & O_ACCMODE);
    if (r < 0) {
        free(f);
        return r;
    }
    fi->fh = (uint64_t)(uintptr_t)f;
    fi->direct_io = sf->direct_io ? 1 : 0;
    /* Only this daemon writes the image: cached pages stay valid across opens. */
    fi->keep_cache = sf->direct_io ? 0 : 1;
    return 0;
}

static void close_file(struct sfs_fuse *sf, struct fuse_file_info *fi)
{
    struct sfs_file *f = (struct sfs_file *)(uintptr_t)fi->fh;
    int r = sfs_close(&sf->fs, f);
    if (r < 0)
        (void)fuse_err(sf, r);
    free(f);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct sfs_fuse *sf = state(req);
    int r = 0;
    if (fi->flags & O_TRUNC) {
        /* Atomic O_TRUNC, as Linux does it: also with O_RDONLY (the kernel
         * has checked write permission); mtime and ctime become now even
         * for an empty file (unlike truncate(2)); privileges go. */
        struct sfs_setattr sa = { .valid = SFS_SET_SIZE | SFS_SET_MTIME_NOW, .size = 0 };
        sf->dirty = 1;
        r = sfs_fuse_kill_privs(req, sf, (uint32_t)ino, &sa);
        if (r == 0)
            r = sfs_setattr_ino(&sf->fs, (uint32_t)ino, &sa);
    }
    if (r == 0)
        r = open_file(sf, (uint32_t)ino, fi);
    if (r < 0) {
        fuse_reply_err(req, fuse_err(sf, r));
        return;
    }
    if (fuse_reply_open(req, fi) != 0)
        close_file(sf, fi);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                      struct fuse_file_info *fi)
{
    struct sfs_fuse *sf = state(req);
    uint32_t ino = 0;
    struct fuse_entry_param e;
    int r = make(req, parent, name, S_IFREG | (mode & 07777), 0, NULL, &ino);
    if (r == 0)
        r = fill_entry(sf, ino, &e);
    if (r == 0)
        r = open_file(sf, ino, fi);
    if (r == 0 && sfs_fuse_node_ref(sf, ino) < 0) {
        close_file(sf, fi);
        r = -ENOMEM;
    }
    if (r < 0) {
        fuse_reply_err(req, fuse_err(sf, r));
        return;
    }
    if (fuse_reply_create(req, &e, fi) != 0) {
        close_file(sf, fi);
        sfs_fuse_node_forget(sf, ino, 1);
    }
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
    (void)ino;
    struct sfs_fuse *sf = state(req);
    if (size > sf->buf_size) {
        char *b = realloc(sf->buf, size);
        if (!b) {
            fuse_reply_err(req, ENOMEM);
            return;
        }
        sf->buf = b;
        sf->buf_size = size;
    }
    long n = sfs_pread(&sf->fs, (struct sfs_file *)(uintptr_t)fi->fh, sf->buf, size, (uint64_t)off);
    if (n < 0)
        fuse_reply_err(req, fuse_err(sf, n));
    else
        fuse_reply_buf(req, sf->buf, (size_t)n);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
    struct sfs_fuse *sf = state(req);
    sf->dirty = 1;
    if (sf->direct_io) {
        /* The kernel drops privileges before a cached write only. */
        struct sfs_setattr sa = { 0 };
        int r = sfs_fuse_kill_privs(req, sf, (uint32_t)ino, &sa);
        if (r == 0 && sa.valid)
            r = sfs_setattr_ino(&sf->fs, (uint32_t)ino, &sa);
        if (r < 0) {
            fuse_reply_err(req, fuse_err(sf, r));
            return;
        }
    }
    long n = sfs_pwrite(&sf->fs, (struct sfs_file *)(uintptr_t)fi->fh, buf, size, (uint64_t)off);
    if (n < 0)
        fuse_reply_err(req, fuse_err(sf, n));
    else
        fuse_reply_write(req, (size_t)n);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    close_file(state(req), fi);
    fuse_reply_err(req, 0);
}

/* libsfs's fsync commits the journal and flushes the image: the whole volume. */
static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    (void)ino;
    (void)datasync;
    struct sfs_fuse *sf = state(req);
    int r =
        fi && fi->fh ? sfs_fsync(&sf->fs, (struct sfs_file *)(uintptr_t)fi->fh) : sfs_sync(&sf->fs);
    if (r == 0)
        sf->dirty = 0;
    fuse_reply_err(req, r < 0 ? fuse_err(sf, r) : 0);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    (void)fi;
    op_fsync(req, ino, datasync, NULL);
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct sfs_fuse *sf = state(req);
    struct sfs_stat s;
    int r = sfs_stat_ino(&sf->fs, (uint32_t)ino, &s);
    if (r == 0 && (s.mode & SFS_S_IFMT) != SFS_S_IFDIR)
        r = SFS_ENOTDIR;
    if (r < 0) {
        fuse_reply_err(req, fuse_err(sf, r));
        return;
    }
    fi->fh = 0;
    /* The kernel may keep what it read: every change comes through it. */
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
    fuse_reply_open(req, fi);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int plus)
{
    struct sfs_fuse *sf = state(req);
    if (size > sf->buf_size) {
        char *b = realloc(sf->buf, size);
        if (!b) {
            fuse_reply_err(req, ENOMEM);
            return;
        }
        sf->buf = b;
        sf->buf_size = size;
    }
    size_t used = 0;
    uint64_t cookie = (uint64_t)off;
    for (;;) {
        struct sfs_dirent de;
        uint64_t next = cookie;
        int r = sfs_readdir_at(&sf->fs, (uint32_t)ino, &next, &de);
        if (r < 0 && used == 0) {
            fuse_reply_err(req, fuse_err(sf, r));
            return;
        }
        if (r <= 0)
            break;
        size_t room = size - used, n;
        if (plus) {
            struct fuse_entry_param e = { 0 };
            int dots = !strcmp(de.name, ".") || !strcmp(de.name, "..");
            if (dots) {
                /* Node id 0: the kernel makes no dentry and counts no lookup. */
                e.attr.st_ino = de.ino;
                e.attr.st_mode = dt_mode(de.type);
            } else if ((r = fill_entry(sf, de.ino, &e)) < 0) {
                if (used == 0) {
                    fuse_reply_err(req, fuse_err(sf, r));
                    return;
                }
                break;
            }
            n = fuse_add_direntry_plus(req, sf->buf + used, room, de.name, &e, (off_t)next);
            if (n > room)
                break;
            if (!dots && sfs_fuse_node_ref(sf, de.ino) < 0) {
                if (used == 0) {
                    fuse_reply_err(req, ENOMEM);
                    return;
                }
                break;
            }
        } else {
            struct stat st = { .st_ino = de.ino, .st_mode = dt_mode(de.type) };
            n = fuse_add_direntry(req, sf->buf + used, room, de.name, &st, (off_t)next);
            if (n > room)
                break;
        }
        used += n;
        cookie = next;
    }
    fuse_reply_buf(req, sf->buf, used);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
    (void)fi;
    do_readdir(req, ino, size, off, 0);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                           struct fuse_file_info *fi)
{
    (void)fi;
    do_readdir(req, ino, size, off, 1);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    (void)fi;
    fuse_reply_err(req, 0);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
    (void)ino;
    struct sfs_fuse *sf = state(req);
    struct sfs_statfs s;
    int r = sfs_statfs(&sf->fs, &s);
    if (r < 0) {
        fuse_reply_err(req, fuse_err(sf, r));
        return;
    }
    struct statvfs v = {
        .f_bsize = s.block_size,
        .f_frsize = s.block_size,
        .f_blocks = s.data_blocks,
        .f_bfree = s.free_blocks,
        .f_bavail = s.free_blocks,
        .f_files = s.total_inodes,
        .f_ffree = s.free_inodes,
        .f_favail = s.free_inodes,
        .f_namemax = s.name_max,
    };
    fuse_reply_statfs(req, &v);
}

const struct fuse_lowlevel_ops sfs_fuse_ops = {
    .init = op_init,
    .lookup = op_lookup,
    .forget = op_forget,
    .forget_multi = op_forget_multi,
    .getattr = op_getattr,
    .setattr = op_setattr,
    .readlink = op_readlink,
    .mknod = op_mknod,
    .mkdir = op_mkdir,
    .symlink = op_symlink,
    .unlink = op_unlink,
    .rmdir = op_rmdir,
    .rename = op_rename,
    .link = op_link,
    .open = op_open,
    .create = op_create,
    .read = op_read,
    .write = op_write,
    /* No flush: close(2) promises no durability (fsync does), and without the
     * operation the kernel stops sending it, one round trip less per close. */
    .release = op_release,
    .fsync = op_fsync,
    .opendir = op_opendir,
    .readdir = op_readdir,
    .readdirplus = op_readdirplus,
    .releasedir = op_releasedir,
    .fsyncdir = op_fsyncdir,
    .statfs = op_statfs,
};
