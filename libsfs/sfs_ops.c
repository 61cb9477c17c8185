/*
 * sfs_ops.c - namespace layer: create, mkdir, rmdir, unlink, rename, link,
 * symlink, readlink, stat, chdir.
 *
 * Each public function checks the volume is mounted, takes the volume lock
 * (config hooks), resolves its paths with sfs_resolve() and changes
 * directories through sfs_dir_*(). Link counts: a file's nlink is its number
 * of names; a directory's is 2 + its number of subdirectories.
 */
#include "sfs_priv.h"

static bool fs_ok(const struct sfs *fs)
{
    return fs && fs->mounted;
}

static int create_node(struct sfs *fs, const char *path, uint32_t mode, const char *target,
                       uint32_t *out_ino)
{
    struct sfs_res res;
    int r = sfs_resolve(fs, path, SFS_RES_PARENT, &res);
    if (r < 0)
        return r;
    if (sfs_is_dot_name(res.name, res.name_len))
        return SFS_EEXIST;
    struct sfs_inode dp;
    r = sfs_inode_read(fs, res.ino, &dp);
    if (r < 0)
        return r;
    if (dp.nlink == 0)
        return SFS_ENOENT; /* the parent was removed */
    uint32_t existing;
    r = sfs_dir_lookup(fs, &dp, res.name, res.name_len, &existing, NULL);
    if (r == 0)
        return SFS_EEXIST;
    if (r != SFS_ENOENT)
        return r;
    bool is_dir = (mode & SFS_S_IFMT) == SFS_S_IFDIR;
    if (res.trailing_slash && !is_dir)
        return SFS_EISDIR;
    if (is_dir && dp.nlink >= SFS_LINK_MAX)
        return SFS_EMLINK;
    struct sfs_inode ip;
    r = sfs_inode_new(fs, mode, &ip);
    if (r < 0)
        return r;
    ip.nlink = is_dir ? 2 : 1;
    if (is_dir) {
        r = sfs_dir_init(fs, &ip, dp.ino);
    } else if (target) {
        size_t tlen = strlen(target);
        long n = sfs_inode_pwrite(fs, &ip, target, tlen, 0);
        r = n < 0 ? (int)n : (size_t)n != tlen ? SFS_ENOSPC : 0;
    }
    if (r == 0)
        r = sfs_inode_write(fs, &ip);
    if (r == 0)
        r = sfs_dir_add(fs, &dp, res.name, res.name_len, ip.ino, sfs_mode_to_dt(mode));
    if (r < 0) {
        ip.nlink = 0;
        sfs_inode_destroy(fs, &ip);
        return r;
    }
    if (is_dir) {
        dp.nlink++;
        r = sfs_inode_write(fs, &dp);
    }
    if (out_ino)
        *out_ino = ip.ino;
    return r;
}

int sfs_create_locked(struct sfs *fs, const char *path, uint32_t mode, uint32_t *ino)
{
    return create_node(fs, path, SFS_S_IFREG | (mode & 07777), NULL, ino);
}

int sfs_create(struct sfs *fs, const char *path, uint32_t mode)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = create_node(fs, path, SFS_S_IFREG | (mode & 07777), NULL, NULL);
    sfs_unlock(fs);
    return r;
}

int sfs_mkdir(struct sfs *fs, const char *path, uint32_t mode)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = create_node(fs, path, SFS_S_IFDIR | (mode & 07777), NULL, NULL);
    sfs_unlock(fs);
    return r;
}

int sfs_symlink(struct sfs *fs, const char *target, const char *linkpath)
{
    if (!fs_ok(fs) || !target)
        return SFS_EINVAL;
    size_t tlen = sfs_strnlen(target, SFS_PATH_MAX);
    if (tlen == 0)
        return SFS_ENOENT;
    if (tlen > SFS_SYMLINK_MAX)
        return SFS_ENAMETOOLONG;
    sfs_lock(fs);
    int r = create_node(fs, linkpath, SFS_S_IFLNK | 0777, target, NULL);
    sfs_unlock(fs);
    return r;
}

/* Resolve @path to its parent, the named entry and its inode. */
static int lookup_entry(struct sfs *fs, const char *path, struct sfs_res *res, struct sfs_inode *dp,
                        struct sfs_inode *ip, uint32_t *slot)
{
    int r = sfs_resolve(fs, path, SFS_RES_PARENT, res);
    if (r < 0)
        return r;
    r = sfs_inode_read(fs, res->ino, dp);
    if (r < 0)
        return r;
    uint32_t ino;
    r = sfs_dir_lookup(fs, dp, res->name, res->name_len, &ino, slot);
    if (r < 0)
        return r;
    return sfs_inode_read(fs, ino, ip);
}

static int do_unlink(struct sfs *fs, const char *path)
{
    struct sfs_res res;
    struct sfs_inode dp, ip;
    int r = lookup_entry(fs, path, &res, &dp, &ip, NULL);
    if (r < 0)
        return r;
    if (sfs_is_dir(&ip))
        return SFS_EISDIR;
    if (res.trailing_slash)
        return SFS_ENOTDIR;
    r = sfs_dir_remove(fs, &dp, res.name, res.name_len);
    if (r < 0)
        return r;
    return sfs_inode_unref(fs, &ip);
}

int sfs_unlink(struct sfs *fs, const char *path)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_unlink(fs, path);
    sfs_unlock(fs);
    return r;
}

static int do_rmdir(struct sfs *fs, const char *path)
{
    struct sfs_res res;
    struct sfs_inode dp, ip;
    int r = sfs_resolve(fs, path, SFS_RES_PARENT, &res);
    if (r < 0)
        return r;
    if (res.name_len == 1 && res.name[0] == '.')
        return res.ino == SFS_ROOT_INO && path[0] == '/' ? SFS_EBUSY : SFS_EINVAL;
    if (res.name_len == 2 && res.name[0] == '.' && res.name[1] == '.')
        return SFS_ENOTEMPTY;
    r = lookup_entry(fs, path, &res, &dp, &ip, NULL);
    if (r < 0)
        return r;
    if (!sfs_is_dir(&ip))
        return SFS_ENOTDIR;
    if (ip.ino == SFS_ROOT_INO)
        return SFS_EBUSY;
    if (ip.dir_count > 2)
        return SFS_ENOTEMPTY;
    r = sfs_dir_remove(fs, &dp, res.name, res.name_len);
    if (r < 0)
        return r;
    if (dp.nlink > 2)
        dp.nlink--;
    r = sfs_inode_write(fs, &dp);
    if (r < 0)
        return r;
    if (fs->cwd == ip.ino)
        fs->cwd = SFS_ROOT_INO;
    return sfs_inode_unref(fs, &ip);
}

int sfs_rmdir(struct sfs *fs, const char *path)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_rmdir(fs, path);
    sfs_unlock(fs);
    return r;
}

static int do_link(struct sfs *fs, const char *existing, const char *newpath)
{
    struct sfs_res src, dst;
    int r = sfs_resolve(fs, existing, 0, &src);
    if (r < 0)
        return r;
    struct sfs_inode ip, dp;
    r = sfs_inode_read(fs, src.ino, &ip);
    if (r < 0)
        return r;
    if (sfs_is_dir(&ip))
        return SFS_EPERM;
    if (ip.nlink >= SFS_LINK_MAX)
        return SFS_EMLINK;
    r = sfs_resolve(fs, newpath, SFS_RES_PARENT, &dst);
    if (r < 0)
        return r;
    if (sfs_is_dot_name(dst.name, dst.name_len))
        return SFS_EEXIST;
    if (dst.trailing_slash)
        return SFS_ENOENT;
    r = sfs_inode_read(fs, dst.ino, &dp);
    if (r < 0)
        return r;
    if (dp.nlink == 0)
        return SFS_ENOENT;
    uint32_t other;
    r = sfs_dir_lookup(fs, &dp, dst.name, dst.name_len, &other, NULL);
    if (r == 0)
        return SFS_EEXIST;
    if (r != SFS_ENOENT)
        return r;
    r = sfs_dir_add(fs, &dp, dst.name, dst.name_len, ip.ino, sfs_mode_to_dt(ip.mode));
    if (r < 0)
        return r;
    ip.nlink++;
    ip.ctime = sfs_now(fs);
    return sfs_inode_write(fs, &ip);
}

int sfs_link(struct sfs *fs, const char *existing, const char *newpath)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_link(fs, existing, newpath);
    sfs_unlock(fs);
    return r;
}

/* Is directory @dir equal to or below directory @anc? Walks ".." to the root. */
static int is_descendant(struct sfs *fs, uint32_t dir, uint32_t anc, bool *out)
{
    *out = false;
    for (uint32_t n = 0; n < fs->inode_count; n++) {
        if (dir == anc) {
            *out = true;
            return 0;
        }
        if (dir == SFS_ROOT_INO)
            return 0;
        struct sfs_inode ip;
        int r = sfs_inode_read(fs, dir, &ip);
        if (r < 0)
            return r;
        if (!sfs_is_dir(&ip))
            return sfs_corrupt(fs, "\"..\" is not a directory", dir, 0);
        r = sfs_dir_lookup(fs, &ip, "..", 2, &dir, NULL);
        if (r < 0)
            return r == SFS_ENOENT ? sfs_corrupt(fs, "directory has no \"..\"", ip.ino, 0) : r;
    }
    return sfs_corrupt(fs, "directory loop", dir, anc);
}

static int do_rename(struct sfs *fs, const char *from, const char *to)
{
    struct sfs_res sres, dres;
    struct sfs_inode spi, dstore, src, dst;
    uint32_t dst_ino = 0, dst_slot = 0;
    int r = lookup_entry(fs, from, &sres, &spi, &src, NULL);
    if (r < 0)
        return r;
    if (sfs_is_dot_name(sres.name, sres.name_len))
        return SFS_EINVAL;
    r = sfs_resolve(fs, to, SFS_RES_PARENT, &dres);
    if (r < 0)
        return r;
    if (sfs_is_dot_name(dres.name, dres.name_len))
        return SFS_EINVAL;
    bool sdir = sfs_is_dir(&src);
    if ((sres.trailing_slash || dres.trailing_slash) && !sdir)
        return SFS_ENOTDIR;
    struct sfs_inode *dpi = &spi;
    if (dres.ino != spi.ino) {
        dpi = &dstore;
        r = sfs_inode_read(fs, dres.ino, dpi);
        if (r < 0)
            return r;
    }
    if (dpi->nlink == 0)
        return SFS_ENOENT;
    r = sfs_dir_lookup(fs, dpi, dres.name, dres.name_len, &dst_ino, &dst_slot);
    if (r < 0 && r != SFS_ENOENT)
        return r;
    bool have_dst = r == 0;
    if (have_dst) {
        if (dst_ino == src.ino)
            return 0;
        r = sfs_inode_read(fs, dst_ino, &dst);
        if (r < 0)
            return r;
        if (sdir && !sfs_is_dir(&dst))
            return SFS_ENOTDIR;
        if (!sdir && sfs_is_dir(&dst))
            return SFS_EISDIR;
        if (sdir && dst.dir_count > 2)
            return SFS_ENOTEMPTY;
    }
    if (sdir && dpi != &spi) {
        bool below;
        r = is_descendant(fs, dpi->ino, src.ino, &below);
        if (r < 0)
            return r;
        if (below)
            return SFS_EINVAL;
        if (!have_dst && dpi->nlink >= SFS_LINK_MAX)
            return SFS_EMLINK;
    }
    uint32_t dt = sfs_mode_to_dt(src.mode);
    if (have_dst)
        r = sfs_dir_set_ino(fs, dpi, dst_slot, src.ino, dt);
    else
        r = sfs_dir_add(fs, dpi, dres.name, dres.name_len, src.ino, dt);
    if (r < 0)
        return r;
    r = sfs_dir_remove(fs, &spi, sres.name, sres.name_len);
    if (r < 0)
        return r;
    if (sdir && dpi != &spi) {
        uint32_t pslot, pino;
        r = sfs_dir_lookup(fs, &src, "..", 2, &pino, &pslot);
        if (r == 0)
            r = sfs_dir_set_ino(fs, &src, pslot, dpi->ino, SFS_DT_DIR);
        if (r < 0)
            return r;
        spi.nlink--;
        dpi->nlink++;
    }
    if (have_dst && sfs_is_dir(&dst))
        dpi->nlink--;
    r = sfs_inode_write(fs, &spi);
    if (r == 0 && dpi != &spi)
        r = sfs_inode_write(fs, dpi);
    if (r < 0)
        return r;
    src.ctime = sfs_now(fs);
    r = sfs_inode_write(fs, &src);
    if (r == 0 && have_dst) {
        if (fs->cwd == dst.ino)
            fs->cwd = SFS_ROOT_INO;
        r = sfs_inode_unref(fs, &dst);
    }
    return r;
}

int sfs_rename(struct sfs *fs, const char *from, const char *to)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_rename(fs, from, to);
    sfs_unlock(fs);
    return r;
}

static long do_readlink(struct sfs *fs, const char *path, char *buf, size_t len)
{
    struct sfs_res res;
    int r = sfs_resolve(fs, path, 0, &res);
    if (r < 0)
        return r;
    struct sfs_inode ip;
    r = sfs_inode_read(fs, res.ino, &ip);
    if (r < 0)
        return r;
    if (!sfs_is_lnk(&ip))
        return SFS_EINVAL;
    return sfs_inode_pread(fs, &ip, buf, len, 0);
}

long sfs_readlink(struct sfs *fs, const char *path, char *buf, size_t len)
{
    if (!fs_ok(fs) || !buf)
        return SFS_EINVAL;
    sfs_lock(fs);
    long r = do_readlink(fs, path, buf, len);
    sfs_unlock(fs);
    return r;
}

void sfs_fill_stat(const struct sfs *fs, const struct sfs_inode *ip, struct sfs_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->ino = ip->ino;
    st->mode = ip->mode;
    st->nlink = ip->nlink;
    st->uid = ip->uid;
    st->gid = ip->gid;
    st->blksize = fs->block_size;
    st->size = ip->size;
    st->blocks = ip->blocks;
    st->atime = ip->atime;
    st->mtime = ip->mtime;
    st->ctime = ip->ctime;
}

static int do_stat(struct sfs *fs, const char *path, int flags, struct sfs_stat *st)
{
    struct sfs_res res;
    int r = sfs_resolve(fs, path, flags, &res);
    if (r < 0)
        return r;
    struct sfs_inode ip;
    r = sfs_inode_read(fs, res.ino, &ip);
    if (r < 0)
        return r;
    sfs_fill_stat(fs, &ip, st);
    return 0;
}

int sfs_stat(struct sfs *fs, const char *path, struct sfs_stat *st)
{
    if (!fs_ok(fs) || !st)
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_stat(fs, path, SFS_RES_FOLLOW, st);
    sfs_unlock(fs);
    return r;
}

int sfs_lstat(struct sfs *fs, const char *path, struct sfs_stat *st)
{
    if (!fs_ok(fs) || !st)
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_stat(fs, path, 0, st);
    sfs_unlock(fs);
    return r;
}

static int do_chdir(struct sfs *fs, const char *path)
{
    struct sfs_inode ip;
    int r = sfs_resolve_dir(fs, path, &ip);
    if (r < 0)
        return r;
    fs->cwd = ip.ino;
    return 0;
}

int sfs_chdir(struct sfs *fs, const char *path)
{
    if (!fs_ok(fs))
        return SFS_EINVAL;
    sfs_lock(fs);
    int r = do_chdir(fs, path);
    sfs_unlock(fs);
    return r;
}
