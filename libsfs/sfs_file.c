/*
 * sfs_file.c - handle layer: open files and open directories.
 *
 * A handle (struct sfs_file, caller-allocated) records an inode, flags and a
 * position, and sits on the volume's open list while open. The list is what
 * keeps an unlinked inode alive until its last handle closes
 * (sfs_file_release() frees it then). Handles hold no cached inode state: each
 * call re-reads the inode, so several handles on one file stay coherent.
 *
 * Directory handles walk the slot array: the position is the next slot, so a
 * walk is stable while entries are added or removed elsewhere.
 */
#include "sfs_priv.h"

#define SFS_FILE_MAGIC 0x53464846u

static bool fs_ok(const struct sfs *fs)
{
    return fs && fs->mounted;
}

static bool handle_open(const struct sfs *fs, const struct sfs_file *f)
{
    if (!f || f->magic != SFS_FILE_MAGIC)
        return false;
    for (const struct sfs_file *p = fs->open_files; p; p = p->next)
        if (p == f)
            return true;
    return false;
}

static void handle_add(struct sfs *fs, struct sfs_file *f, uint32_t ino, int flags, bool dir)
{
    f->ino = ino;
    f->flags = (uint32_t)flags;
    f->pos = 0;
    f->is_dir = dir;
    f->magic = SFS_FILE_MAGIC;
    f->next = fs->open_files;
    fs->open_files = f;
}

static int do_open(struct sfs *fs, struct sfs_file *f, const char *path, int flags, uint32_t mode)
{
    if ((flags & 3) == 3)
        return SFS_EINVAL;
    if (handle_open(fs, f))
        return SFS_EBUSY;
    struct sfs_res res;
    uint32_t ino;
    int r = sfs_resolve(fs, path, SFS_RES_FOLLOW, &res);
    if (r == 0) {
        if ((flags & SFS_O_CREAT) && (flags & SFS_O_EXCL))
            return SFS_EEXIST;
        ino = res.ino;
    } else if (r == SFS_ENOENT && (flags & SFS_O_CREAT)) {
        r = sfs_create_locked(fs, path, mode, &ino);
        if (r < 0)
            return r;
    } else {
        return r;
    }
    struct sfs_inode ip;
    r = sfs_inode_read(fs, ino, &ip);
    if (r < 0)
        return r;
    if (sfs_is_dir(&ip))
        return SFS_EISDIR;
    if ((flags & SFS_O_TRUNC) && (flags & 3) != SFS_O_RDONLY && ip.size) {
        r = sfs_inode_truncate(fs, &ip, 0);
        int w = sfs_inode_write(fs, &ip);
        if (r < 0 || w < 0)
            return r < 0 ? r : w;
    }
    handle_add(fs, f, ino, flags, false);
    return 0;
}

int sfs_open(struct sfs *fs, struct sfs_file *f, const char *path, int flags, uint32_t mode)
{
    if (!fs_ok(fs) || !f)
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_open(fs, f, path, flags, mode);
    sfs_unlock(fs);
    return r;
}

int sfs_close(struct sfs *fs, struct sfs_file *f)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = handle_open(fs, f) ? sfs_file_release(fs, f) : SFS_EBADF;
    sfs_unlock(fs);
    return r;
}

static bool can_read(const struct sfs_file *f)
{
    return !f->is_dir && (f->flags & 3) != SFS_O_WRONLY;
}

static bool can_write(const struct sfs_file *f)
{
    return !f->is_dir && (f->flags & 3) != SFS_O_RDONLY;
}

static long do_pread(struct sfs *fs, struct sfs_file *f, void *buf, size_t len, uint64_t off)
{
    if (!handle_open(fs, f) || !can_read(f))
        return SFS_EBADF;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, f->ino, &ip);
    if (r < 0)
        return r;
    return sfs_inode_pread(fs, &ip, buf, len, off);
}

static long do_pwrite(struct sfs *fs, struct sfs_file *f, const void *buf, size_t len,
                      uint64_t *off, bool append)
{
    if (!handle_open(fs, f) || !can_write(f))
        return SFS_EBADF;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, f->ino, &ip);
    if (r < 0)
        return r;
    if (append)
        *off = ip.size;
    if (len == 0)
        return 0;
    long n = sfs_inode_pwrite(fs, &ip, buf, len, *off);
    /* Even a failed write may have allocated blocks: always store the inode. */
    r = sfs_inode_write(fs, &ip);
    if (n >= 0 && r < 0)
        return r;
    return n;
}

long sfs_read(struct sfs *fs, struct sfs_file *f, void *buf, size_t len)
{
    if (!fs_ok(fs) || (!buf && len))
        return SFS_EINVAL;
    sfs_lock(fs);
    long n = handle_open(fs, f) ? do_pread(fs, f, buf, len, f->pos) : SFS_EBADF;
    if (n > 0)
        f->pos += (uint64_t)n;
    sfs_unlock(fs);
    return n;
}

long sfs_pread(struct sfs *fs, struct sfs_file *f, void *buf, size_t len, uint64_t off)
{
    if (!fs_ok(fs) || (!buf && len))
        return SFS_EINVAL;
    sfs_lock(fs);
    long n = do_pread(fs, f, buf, len, off);
    sfs_unlock(fs);
    return n;
}

long sfs_write(struct sfs *fs, struct sfs_file *f, const void *buf, size_t len)
{
    if (!fs_ok(fs) || (!buf && len))
        return SFS_EINVAL;
    sfs_lock(fs);
    long n = SFS_EBADF;
    if (handle_open(fs, f)) {
        uint64_t off = f->pos;
        n = do_pwrite(fs, f, buf, len, &off, (f->flags & SFS_O_APPEND) != 0);
        if (n >= 0)
            f->pos = off + (uint64_t)n;
    }
    sfs_unlock(fs);
    return n;
}

long sfs_pwrite(struct sfs *fs, struct sfs_file *f, const void *buf, size_t len, uint64_t off)
{
    if (!fs_ok(fs) || (!buf && len))
        return SFS_EINVAL;
    sfs_lock(fs);
    long n = do_pwrite(fs, f, buf, len, &off, false);
    sfs_unlock(fs);
    return n;
}

static int64_t do_seek(struct sfs *fs, struct sfs_file *f, int64_t off, int whence)
{
    if (!handle_open(fs, f) || f->is_dir)
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

int64_t sfs_seek(struct sfs *fs, struct sfs_file *f, int64_t off, int whence)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int64_t r = do_seek(fs, f, off, whence);
    sfs_unlock(fs);
    return r;
}

int64_t sfs_tell(struct sfs *fs, struct sfs_file *f)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int64_t r = handle_open(fs, f) ? (int64_t)f->pos : SFS_EBADF;
    sfs_unlock(fs);
    return r;
}

static int truncate_ino(struct sfs *fs, uint32_t ino, uint64_t size)
{
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, ino, &ip);
    if (r < 0)
        return r;
    if (sfs_is_dir(&ip))
        return SFS_EISDIR;
    if (!sfs_is_reg(&ip))
        return SFS_EINVAL;
    r = sfs_inode_truncate(fs, &ip, size);
    int w = sfs_inode_write(fs, &ip);
    return r < 0 ? r : w;
}

int sfs_ftruncate(struct sfs *fs, struct sfs_file *f, uint64_t size)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = handle_open(fs, f) && can_write(f) ? truncate_ino(fs, f->ino, size) : SFS_EBADF;
    sfs_unlock(fs);
    return r;
}

int sfs_truncate(struct sfs *fs, const char *path, uint64_t size)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    struct sfs_res res;
    int r = sfs_resolve(fs, path, SFS_RES_FOLLOW, &res);
    if (r == 0)
        r = truncate_ino(fs, res.ino, size);
    sfs_unlock(fs);
    return r;
}

int sfs_fsync(struct sfs *fs, struct sfs_file *f)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    bool ok = handle_open(fs, f);
    sfs_unlock(fs);
    return ok ? sfs_sync(fs) : SFS_EBADF;
}

int sfs_fstat(struct sfs *fs, struct sfs_file *f, struct sfs_stat *st)
{
    if (!fs_ok(fs) || !st)
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = SFS_EBADF;
    struct sfs_inode ip;
    if (handle_open(fs, f)) {
        r = sfs_inode_read(fs, f->ino, &ip);
        if (r == 0)
            sfs_fill_stat(fs, &ip, st);
    }
    sfs_unlock(fs);
    return r;
}

static int do_dir_open(struct sfs *fs, struct sfs_dir *d, const char *path)
{
    if (handle_open(fs, d))
        return SFS_EBUSY;
    struct sfs_inode ip;
    int r = sfs_resolve_dir(fs, path, &ip);
    if (r < 0)
        return r;
    handle_add(fs, d, ip.ino, SFS_O_RDONLY, true);
    return 0;
}

int sfs_dir_open(struct sfs *fs, struct sfs_dir *d, const char *path)
{
    if (!fs_ok(fs) || !d)
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_dir_open(fs, d, path);
    sfs_unlock(fs);
    return r;
}

static int do_dir_read(struct sfs *fs, struct sfs_dir *d, struct sfs_dirent *ent)
{
    if (!handle_open(fs, d) || !d->is_dir)
        return SFS_EBADF;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, d->ino, &ip);
    if (r < 0)
        return r;
    if (!sfs_is_dir(&ip))
        return SFS_ECORRUPT;
    while (d->pos < ip.dir_slots) {
        struct sfs_dslot s;
        r = sfs_dir_read_slot(fs, &ip, (uint32_t)d->pos, &s);
        if (r < 0)
            return r;
        d->pos++;
        if (s.ino) {
            ent->ino = s.ino;
            ent->type = s.type;
            ent->name_len = s.name_len;
            memcpy(ent->name, s.name, s.name_len + 1);
            return 1;
        }
    }
    return 0;
}

int sfs_dir_read(struct sfs *fs, struct sfs_dir *d, struct sfs_dirent *ent)
{
    if (!fs_ok(fs) || !ent)
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_dir_read(fs, d, ent);
    sfs_unlock(fs);
    return r;
}

int sfs_dir_rewind(struct sfs *fs, struct sfs_dir *d)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = handle_open(fs, d) && d->is_dir ? 0 : SFS_EBADF;
    if (r == 0)
        d->pos = 0;
    sfs_unlock(fs);
    return r;
}

int sfs_dir_close(struct sfs *fs, struct sfs_dir *d)
{
    return sfs_close(fs, d);
}
