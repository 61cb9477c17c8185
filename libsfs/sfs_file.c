/*
 * sfs_file.c - handle layer: inode references, open files, open directories.
 *
 * A handle (struct sfs_file, caller-allocated) records an inode, its kind
 * (a bare reference from sfs_iget(), a file, a directory), flags and a
 * position, and sits on the volume's open list while held. The list is what
 * keeps an unlinked inode alive until its last handle goes (sfs_file_release()
 * frees it then; on a journaled volume the orphan list frees it after a crash
 * instead). Handles hold no cached inode state: each call re-reads the inode,
 * so several handles on one file stay coherent, and a handle follows its
 * inode whatever happens to the names.
 *
 * Directory handles walk the slot array: the position is the next slot, so a
 * walk is stable while entries are added or removed elsewhere.
 */
#include "sfs_priv.h"

#define SFS_FILE_MAGIC 0x53464846u

#define KIND_FILE 0
#define KIND_DIR  1
#define KIND_REF  2

static bool handle_open(const struct sfs *fs, const struct sfs_file *f)
{
    if (!f || f->magic != SFS_FILE_MAGIC)
        return false;
    for (const struct sfs_file *p = fs->open_files; p; p = p->next)
        if (p == f)
            return true;
    return false;
}

static void handle_add(struct sfs *fs, struct sfs_file *f, uint32_t ino, int flags, uint32_t kind)
{
    f->ino = ino;
    f->flags = (uint32_t)flags;
    f->pos = 0;
    f->is_dir = kind;
    f->magic = SFS_FILE_MAGIC;
    f->next = fs->open_files;
    fs->open_files = f;
}

/* Truncate @ip (regular file) to @size and store it. The times change with
 * the size (truncate(2)), or always with @touch (ftruncate(2), O_TRUNC). */
static int truncate_inode(struct sfs *fs, struct sfs_inode *ip, uint64_t size, bool touch)
{
    if (sfs_is_dir(ip))
        return SFS_EISDIR;
    if (!sfs_is_reg(ip))
        return SFS_EINVAL;
    int r = sfs_inode_truncate(fs, ip, size);
    if (touch)
        sfs_inode_touch(fs, ip, SFS_TOUCH_M | SFS_TOUCH_C);
    int w = sfs_inode_write(fs, ip);
    return r < 0 ? r : w;
}

/* Open inode @ino (already resolved) with @flags. */
static int open_ino(struct sfs *fs, struct sfs_file *f, uint32_t ino, int flags)
{
    if (!f || (flags & 3) == 3)
        return SFS_EINVAL;
    if (handle_open(fs, f))
        return SFS_EBUSY;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, ino, &ip);
    if (r < 0)
        return r;
    if (sfs_is_dir(&ip)) {
        if ((flags & 3) != SFS_O_RDONLY || (flags & SFS_O_TRUNC))
            return SFS_EISDIR;
        handle_add(fs, f, ino, SFS_O_RDONLY, KIND_DIR);
        return 0;
    }
    if (sfs_is_special(&ip))
        return SFS_ENXIO; /* it has no data here: the port's own driver opens it */
    /* As Linux: O_TRUNC truncates whatever the access mode, and even an
     * empty file gets new modification and change times. */
    if ((flags & SFS_O_TRUNC) && sfs_is_reg(&ip)) {
        if (fs->rdonly)
            return SFS_EROFS;
        r = truncate_inode(fs, &ip, 0, true);
        if (r < 0)
            return r;
    }
    if ((flags & 3) != SFS_O_RDONLY && fs->rdonly)
        return SFS_EROFS;
    handle_add(fs, f, ino, flags, KIND_FILE);
    return 0;
}

/*
 * open(O_CREAT) as Linux walks it: the last component is looked up in its
 * directory; a trailing slash or a path naming a directory itself is EISDIR
 * before anything else; an existing name is EEXIST with O_EXCL, a symbolic
 * link is followed to the name it points at (which is created if missing),
 * and anything else is opened.
 */
static int open_creat(struct sfs *fs, struct sfs_file *f, const char *path, int flags,
                      uint32_t mode)
{
    char target[SFS_PATH_MAX];
    struct sfs_res res;
    uint32_t dir = SFS_ROOT_INO;
    for (int links = 0;; links++) {
        int r = sfs_resolve(fs, dir, path, SFS_RES_PARENT, &res);
        if (r < 0)
            return r;
        if (res.root || sfs_is_dot_name(res.name, res.name_len))
            return (flags & SFS_O_EXCL) ? SFS_EEXIST : SFS_EISDIR;
        if (res.trailing_slash)
            return SFS_EISDIR;
        if (res.name_len > SFS_NAME_MAX)
            return SFS_ENAMETOOLONG;
        struct sfs_inode dp, ip;
        uint32_t ino;
        r = sfs_inode_read(fs, res.ino, &dp);
        if (r == 0)
            r = sfs_dir_lookup(fs, &dp, res.name, res.name_len, &ino, NULL);
        if (r == SFS_ENOENT) {
            if (fs->rdonly)
                return SFS_EROFS;
            r = sfs_create_in(fs, res.ino, res.name, res.name_len, SFS_S_IFREG | (mode & 07777),
                              NULL, &ino);
            return r < 0 ? r : open_ino(fs, f, ino, flags);
        }
        if (r == 0)
            r = sfs_inode_read(fs, ino, &ip);
        if (r < 0)
            return r;
        if (flags & SFS_O_EXCL)
            return SFS_EEXIST;
        if (sfs_is_dir(&ip))
            return SFS_EISDIR;
        if (!sfs_is_lnk(&ip))
            return open_ino(fs, f, ino, flags);
        if (links >= SFS_SYMLOOP_MAX)
            return SFS_ELOOP;
        long n = sfs_inode_pread(fs, &ip, target, sizeof(target) - 1, 0);
        if (n < 0)
            return (int)n;
        if (n == 0 || sfs_strnlen(target, (size_t)n) != (size_t)n)
            return SFS_ENOENT;
        target[n] = 0;
        dir = res.ino;
        path = target;
    }
}

static int path_open(struct sfs *fs, struct sfs_file *f, const char *path, int flags, uint32_t mode)
{
    if (!f || (flags & 3) == 3)
        return SFS_EINVAL;
    if (handle_open(fs, f))
        return SFS_EBUSY;
    if (flags & SFS_O_CREAT)
        return open_creat(fs, f, path, flags, mode);
    struct sfs_res res;
    int r = sfs_resolve(fs, SFS_ROOT_INO, path, SFS_RES_FOLLOW, &res);
    if (r < 0)
        return r;
    struct sfs_inode ip;
    r = sfs_inode_read(fs, res.ino, &ip);
    if (r == 0 && sfs_is_dir(&ip))
        return SFS_EISDIR; /* sfs_open() opens files only */
    return r < 0 ? r : open_ino(fs, f, res.ino, flags);
}

static bool can_read(const struct sfs_file *f)
{
    return f->is_dir == KIND_FILE && (f->flags & 3) != SFS_O_WRONLY;
}

static bool can_write(const struct sfs_file *f)
{
    return f->is_dir == KIND_FILE && (f->flags & 3) != SFS_O_RDONLY;
}

static long do_pread(struct sfs *fs, struct sfs_file *f, void *buf, size_t len, uint64_t off,
                     bool advance)
{
    if (!buf && len)
        return SFS_EINVAL;
    if (!handle_open(fs, f) || !can_read(f))
        return SFS_EBADF;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, f->ino, &ip);
    if (r < 0)
        return r;
    long n = sfs_inode_pread(fs, &ip, buf, len, advance ? f->pos : off);
    if (advance && n > 0)
        f->pos += (uint64_t)n;
    return n;
}

static long do_pwrite(struct sfs *fs, struct sfs_file *f, const void *buf, size_t len, uint64_t off,
                      bool advance)
{
    if (!buf && len)
        return SFS_EINVAL;
    if (!handle_open(fs, f) || !can_write(f))
        return SFS_EBADF;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, f->ino, &ip);
    if (r < 0)
        return r;
    if (advance)
        off = (f->flags & SFS_O_APPEND) ? ip.size : f->pos;
    long n = len ? sfs_inode_pwrite(fs, &ip, buf, len, off) : 0;
    /* Even a failed write may have allocated blocks: always store the inode. */
    r = len ? sfs_inode_write(fs, &ip) : 0;
    if (n >= 0 && r < 0)
        return r;
    if (advance && n >= 0)
        f->pos = off + (uint64_t)n;
    return n;
}

static int64_t do_seek(struct sfs *fs, struct sfs_file *f, int64_t off, int whence)
{
    if (!handle_open(fs, f) || f->is_dir != KIND_FILE)
        return SFS_EBADF;
    int64_t base;
    if (whence == SFS_SEEK_SET) {
        base = 0;
    } else if (whence == SFS_SEEK_CUR) {
        base = (int64_t)f->pos;
    } else if (whence == SFS_SEEK_END) {
        struct sfs_inode ip;
        int r = sfs_inode_read(fs, f->ino, &ip);
        if (r < 0)
            return r;
        base = (int64_t)ip.size;
    } else {
        return SFS_EINVAL;
    }
    if ((off < 0 && base + off < 0) || (off > 0 && base > INT64_MAX - off))
        return SFS_EINVAL;
    f->pos = (uint64_t)(base + off);
    return (int64_t)f->pos;
}

static int64_t do_tell(struct sfs *fs, struct sfs_file *f)
{
    return handle_open(fs, f) ? (int64_t)f->pos : SFS_EBADF;
}

static int truncate_ino(struct sfs *fs, uint32_t ino, uint64_t size, bool touch)
{
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, ino, &ip);
    return r < 0 ? r : truncate_inode(fs, &ip, size, touch);
}

static int do_ftruncate(struct sfs *fs, struct sfs_file *f, uint64_t size)
{
    if (!handle_open(fs, f) || (f->is_dir == KIND_FILE && !can_write(f)))
        return SFS_EBADF;
    return truncate_ino(fs, f->ino, size, true);
}

static int path_truncate(struct sfs *fs, const char *path, uint64_t size)
{
    struct sfs_res res;
    int r = sfs_resolve(fs, SFS_ROOT_INO, path, SFS_RES_FOLLOW, &res);
    return r < 0 ? r : truncate_ino(fs, res.ino, size, false);
}

static int do_fstat(struct sfs *fs, struct sfs_file *f, struct sfs_stat *st)
{
    if (!st)
        return SFS_EINVAL;
    if (!handle_open(fs, f))
        return SFS_EBADF;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, f->ino, &ip);
    if (r == 0)
        sfs_fill_stat(fs, &ip, st);
    return r;
}

static int do_fsync(struct sfs *fs, struct sfs_file *f)
{
    return handle_open(fs, f) ? sfs_sync_locked(fs) : SFS_EBADF;
}

static int path_dir_open(struct sfs *fs, struct sfs_dir *d, const char *path)
{
    if (!d)
        return SFS_EINVAL;
    if (handle_open(fs, d))
        return SFS_EBUSY;
    struct sfs_inode ip;
    int r = sfs_resolve_dir(fs, SFS_ROOT_INO, path, &ip);
    if (r < 0)
        return r;
    handle_add(fs, d, ip.ino, SFS_O_RDONLY, KIND_DIR);
    return 0;
}

static int do_dir_read(struct sfs *fs, struct sfs_dir *d, struct sfs_dirent *ent)
{
    if (!ent)
        return SFS_EINVAL;
    if (!handle_open(fs, d) || d->is_dir != KIND_DIR)
        return SFS_EBADF;
    return sfs_readdir_ino(fs, d->ino, &d->pos, ent);
}

static int do_dir_rewind(struct sfs *fs, struct sfs_dir *d)
{
    if (!handle_open(fs, d) || d->is_dir != KIND_DIR)
        return SFS_EBADF;
    d->pos = 0;
    return 0;
}

static int do_iget(struct sfs *fs, struct sfs_file *ref, uint32_t ino)
{
    if (!ref)
        return SFS_EINVAL;
    if (handle_open(fs, ref))
        return SFS_EBUSY;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, ino, &ip);
    if (r < 0)
        return r;
    handle_add(fs, ref, ino, SFS_O_RDONLY, KIND_REF);
    return 0;
}

static int do_close(struct sfs *fs, struct sfs_file *f)
{
    return handle_open(fs, f) ? sfs_file_release(fs, f) : SFS_EBADF;
}

int sfs_open(struct sfs *fs, struct sfs_file *f, const char *path, int flags, uint32_t mode)
{
    SFS_CALL(fs, (flags & (SFS_O_CREAT | SFS_O_TRUNC)) ? SFS_OP_WRITE : SFS_OP_READ,
             path_open(fs, f, path, flags, mode));
}

int sfs_open_ino(struct sfs *fs, struct sfs_file *f, uint32_t ino, int flags)
{
    SFS_CALL(fs, (flags & SFS_O_TRUNC) ? SFS_OP_WRITE : SFS_OP_READ, open_ino(fs, f, ino, flags));
}

int sfs_iget(struct sfs *fs, struct sfs_file *ref, uint32_t ino)
{
    SFS_CALL(fs, SFS_OP_READ, do_iget(fs, ref, ino));
}

int sfs_close(struct sfs *fs, struct sfs_file *f)
{
    SFS_CALL(fs, SFS_OP_RELEASE, do_close(fs, f));
}

int sfs_iput(struct sfs *fs, struct sfs_file *ref)
{
    SFS_CALL(fs, SFS_OP_RELEASE, do_close(fs, ref));
}

long sfs_read(struct sfs *fs, struct sfs_file *f, void *buf, size_t len)
{
    SFS_CALL(fs, SFS_OP_READ, do_pread(fs, f, buf, len, 0, true));
}

long sfs_pread(struct sfs *fs, struct sfs_file *f, void *buf, size_t len, uint64_t off)
{
    SFS_CALL(fs, SFS_OP_READ, do_pread(fs, f, buf, len, off, false));
}

long sfs_write(struct sfs *fs, struct sfs_file *f, const void *buf, size_t len)
{
    SFS_CALL(fs, SFS_OP_WRITE, do_pwrite(fs, f, buf, len, 0, true));
}

long sfs_pwrite(struct sfs *fs, struct sfs_file *f, const void *buf, size_t len, uint64_t off)
{
    SFS_CALL(fs, SFS_OP_WRITE, do_pwrite(fs, f, buf, len, off, false));
}

int64_t sfs_seek(struct sfs *fs, struct sfs_file *f, int64_t off, int whence)
{
    SFS_CALL(fs, SFS_OP_READ, do_seek(fs, f, off, whence));
}

int64_t sfs_tell(struct sfs *fs, struct sfs_file *f)
{
    SFS_CALL(fs, SFS_OP_READ, do_tell(fs, f));
}

int sfs_ftruncate(struct sfs *fs, struct sfs_file *f, uint64_t size)
{
    SFS_CALL(fs, SFS_OP_WRITE, do_ftruncate(fs, f, size));
}

int sfs_truncate(struct sfs *fs, const char *path, uint64_t size)
{
    SFS_CALL(fs, SFS_OP_WRITE, path_truncate(fs, path, size));
}

int sfs_truncate_ino(struct sfs *fs, uint32_t ino, uint64_t size)
{
    SFS_CALL(fs, SFS_OP_WRITE, truncate_ino(fs, ino, size, false));
}

int sfs_fsync(struct sfs *fs, struct sfs_file *f)
{
    SFS_CALL(fs, SFS_OP_SYNC, do_fsync(fs, f));
}

int sfs_fstat(struct sfs *fs, struct sfs_file *f, struct sfs_stat *st)
{
    SFS_CALL(fs, SFS_OP_READ, do_fstat(fs, f, st));
}

int sfs_dir_open(struct sfs *fs, struct sfs_dir *d, const char *path)
{
    SFS_CALL(fs, SFS_OP_READ, path_dir_open(fs, d, path));
}

int sfs_dir_read(struct sfs *fs, struct sfs_dir *d, struct sfs_dirent *ent)
{
    SFS_CALL(fs, SFS_OP_READ, do_dir_read(fs, d, ent));
}

int sfs_dir_rewind(struct sfs *fs, struct sfs_dir *d)
{
    SFS_CALL(fs, SFS_OP_READ, do_dir_rewind(fs, d));
}

int sfs_dir_close(struct sfs *fs, struct sfs_dir *d)
{
    return sfs_close(fs, d);
}
