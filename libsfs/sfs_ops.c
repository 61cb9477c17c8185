/*
 * sfs_ops.c - namespace layer: create, mkdir, symlink, link, unlink, rmdir,
 * rename, readlink, stat and readdir by (directory inode, name), and the
 * path-based calls as thin wrappers over them.
 *
 * Every public function is one SFS_CALL() line (sfs_priv.h): it takes the
 * volume lock, checks under it that the volume is mounted (and writable, for
 * a change) and runs the operation inside one journal transaction. Link
 * counts: a file's nlink is its number of names; a directory's is 2 + its
 * number of subdirectories.
 */
#include "sfs_priv.h"

/* Read directory @dir for a change: it must be a live directory. */
static int load_dir(struct sfs *fs, uint32_t dir, struct sfs_inode *dp)
{
    int r = sfs_inode_read(fs, dir, dp);
    if (r < 0)
        return r;
    if (!sfs_is_dir(dp))
        return SFS_ENOTDIR;
    return dp->nlink == 0 ? SFS_ENOENT : 0; /* removed while still held */
}

static int check_name(const char *name, size_t len)
{
    if (!name || len == 0)
        return SFS_ENOENT;
    if (len > SFS_NAME_MAX)
        return SFS_ENAMETOOLONG;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '/' || name[i] == 0)
            return SFS_EINVAL;
    return 0;
}

/* Is @mode (type bits) something sfs_make_in() can create on this volume? */
static int check_type(const struct sfs *fs, uint32_t mode)
{
    switch (mode & SFS_S_IFMT) {
    case SFS_S_IFREG:
    case SFS_S_IFDIR:
    case SFS_S_IFLNK:
        return 0;
    case SFS_S_IFIFO:
    case SFS_S_IFCHR:
    case SFS_S_IFBLK:
    case SFS_S_IFSOCK:
        return sfs_has_posix(fs) ? 0 : SFS_EPERM;
    default:
        return SFS_EINVAL;
    }
}

int sfs_make_in(struct sfs *fs, uint32_t dir, const char *name, size_t len,
                const struct sfs_make *mk, uint32_t *out_ino)
{
    uint32_t mode = mk->mode;
    const char *target = (mode & SFS_S_IFMT) == SFS_S_IFLNK ? mk->target : NULL;
    int r = check_name(name, len);
    if (r < 0)
        return r;
    if (sfs_is_dot_name(name, len))
        return SFS_EEXIST;
    struct sfs_inode dp;
    r = load_dir(fs, dir, &dp);
    if (r < 0)
        return r;
    uint32_t existing;
    r = sfs_dir_lookup(fs, &dp, name, len, &existing, NULL);
    if (r == 0)
        return SFS_EEXIST;
    if (r != SFS_ENOENT)
        return r;
    bool is_dir = (mode & SFS_S_IFMT) == SFS_S_IFDIR;
    if (is_dir && dp.nlink >= SFS_LINK_MAX)
        return SFS_EMLINK;
    r = sfs_dir_reserve(fs, &dp);
    if (r < 0)
        return r;
    uint32_t gid = mk->gid;
    if (is_dir) /* as Linux's mkdir: set-ID bits come only from the parent */
        mode &= SFS_S_IFMT | 01777;
    if (dp.mode & SFS_S_ISGID) { /* BSD group semantics for a set-group-ID directory */
        gid = dp.gid;
        if (is_dir)
            mode |= SFS_S_ISGID;
    }
    struct sfs_inode ip;
    r = sfs_inode_new(fs, mode, &ip);
    if (r < 0)
        return r;
    ip.nlink = is_dir ? 2 : 1;
    ip.uid = mk->uid;
    ip.gid = gid;
    if ((mode & SFS_S_IFMT) == SFS_S_IFCHR || (mode & SFS_S_IFMT) == SFS_S_IFBLK)
        ip.rdev = mk->rdev;
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
        r = sfs_dir_add(fs, &dp, name, len, ip.ino, sfs_mode_to_dt(mode));
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

int sfs_create_in(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
                  const char *target, uint32_t *ino)
{
    struct sfs_make mk = { .mode = mode, .target = target };
    return sfs_make_in(fs, dir, name, len, &mk, ino);
}

/* sfs_make_at(): check the request, then create. */
static int make_at(struct sfs *fs, uint32_t dir, const char *name, size_t len,
                   const struct sfs_make *mk, uint32_t *ino)
{
    if (!mk || (mk->mode & ~(SFS_S_IFMT | 07777)))
        return SFS_EINVAL;
    struct sfs_make m = *mk;
    if ((m.mode & SFS_S_IFMT) == 0)
        m.mode |= SFS_S_IFREG;
    int r = check_type(fs, m.mode);
    if (r < 0)
        return r;
    if ((m.mode & SFS_S_IFMT) == SFS_S_IFLNK) {
        if (!m.target)
            return SFS_EINVAL;
        size_t tlen = sfs_strnlen(m.target, SFS_PATH_MAX);
        if (tlen == 0)
            return SFS_ENOENT;
        if (tlen > sfs_symlink_max(fs))
            return SFS_ENAMETOOLONG;
    }
    return sfs_make_in(fs, dir, name, len, &m, ino);
}

static int symlink_in(struct sfs *fs, uint32_t dir, const char *name, size_t len,
                      const char *target, uint32_t *ino)
{
    struct sfs_make mk = { .mode = SFS_S_IFLNK | 0777, .target = target };
    return make_at(fs, dir, name, len, &mk, ino);
}

static int mknod_at(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
                    uint64_t rdev, uint32_t *ino)
{
    uint32_t t = mode & SFS_S_IFMT;
    if (t == SFS_S_IFDIR)
        return SFS_EPERM;
    if (t == SFS_S_IFLNK)
        return SFS_EINVAL;
    struct sfs_make mk = { .mode = mode, .rdev = rdev };
    return make_at(fs, dir, name, len, &mk, ino);
}

static int lookup_in(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
    int r = check_name(name, len);
    if (r < 0)
        return r;
    struct sfs_inode dp;
    r = sfs_inode_read(fs, dir, &dp);
    if (r < 0)
        return r;
    if (!sfs_is_dir(&dp))
        return SFS_ENOTDIR;
    return sfs_dir_lookup(fs, &dp, name, len, ino, NULL);
}

/* Find @name in @dir: the directory, the entry's inode and its slot. */
static int lookup_entry(struct sfs *fs, uint32_t dir, const char *name, size_t len,
                        struct sfs_inode *dp, struct sfs_inode *ip, uint32_t *slot)
{
    int r = check_name(name, len);
    if (r < 0)
        return r;
    r = sfs_inode_read(fs, dir, dp);
    if (r < 0)
        return r;
    if (!sfs_is_dir(dp))
        return SFS_ENOTDIR;
    uint32_t ino;
    r = sfs_dir_lookup(fs, dp, name, len, &ino, slot);
    if (r < 0)
        return r;
    return sfs_inode_read(fs, ino, ip);
}

static int unlink_in(struct sfs *fs, uint32_t dir, const char *name, size_t len)
{
    struct sfs_inode dp, ip;
    if (sfs_is_dot_name(name, len))
        return SFS_EISDIR;
    int r = lookup_entry(fs, dir, name, len, &dp, &ip, NULL);
    if (r < 0)
        return r;
    if (sfs_is_dir(&ip))
        return SFS_EISDIR;
    r = sfs_dir_remove(fs, &dp, name, len);
    if (r < 0)
        return r;
    return sfs_inode_unref(fs, &ip);
}

static int rmdir_in(struct sfs *fs, uint32_t dir, const char *name, size_t len)
{
    if (len == 1 && name && name[0] == '.')
        return SFS_EINVAL;
    if (len == 2 && name && name[0] == '.' && name[1] == '.')
        return SFS_ENOTEMPTY;
    struct sfs_inode dp, ip;
    int r = lookup_entry(fs, dir, name, len, &dp, &ip, NULL);
    if (r < 0)
        return r;
    if (!sfs_is_dir(&ip))
        return SFS_ENOTDIR;
    if (ip.ino == SFS_ROOT_INO)
        return SFS_EBUSY;
    if (ip.dir_count > 2)
        return SFS_ENOTEMPTY;
    r = sfs_dir_remove(fs, &dp, name, len);
    if (r < 0)
        return r;
    if (dp.nlink > 2)
        dp.nlink--;
    r = sfs_inode_write(fs, &dp);
    if (r < 0)
        return r;
    return sfs_inode_unref(fs, &ip);
}

static int link_in(struct sfs *fs, uint32_t ino, uint32_t dir, const char *name, size_t len)
{
    int r = check_name(name, len);
    if (r < 0)
        return r;
    if (sfs_is_dot_name(name, len))
        return SFS_EEXIST;
    struct sfs_inode ip, dp;
    r = sfs_inode_read(fs, ino, &ip);
    if (r < 0)
        return r;
    /* Linux's order: the new name (EEXIST) before what the inode allows. */
    r = load_dir(fs, dir, &dp);
    if (r < 0)
        return r;
    uint32_t other;
    r = sfs_dir_lookup(fs, &dp, name, len, &other, NULL);
    if (r == 0)
        return SFS_EEXIST;
    if (r != SFS_ENOENT)
        return r;
    if (sfs_is_dir(&ip))
        return SFS_EPERM;
    if (ip.nlink == 0)
        return SFS_ENOENT; /* no linking an unlinked file back in */
    if (ip.nlink >= SFS_LINK_MAX)
        return SFS_EMLINK;
    r = sfs_dir_reserve(fs, &dp);
    if (r == 0)
        r = sfs_dir_add(fs, &dp, name, len, ip.ino, sfs_mode_to_dt(ip.mode));
    if (r < 0)
        return r;
    ip.nlink++;
    sfs_inode_touch(fs, &ip, SFS_TOUCH_C);
    return sfs_inode_write(fs, &ip);
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

/*
 * Rename in Linux's order of checks, so that a call with several problems
 * fails as it would there: dot names (EBUSY), the source (ENAMETOOLONG,
 * ENOENT), the target name, trailing slashes on a non-directory (ENOTDIR,
 * @slashes), the source an ancestor of the target (EINVAL), the target an
 * ancestor of the source (ENOTEMPTY), the same inode (nothing to do), the
 * types (ENOTDIR, EISDIR), EMLINK, and a non-empty target (ENOTEMPTY).
 */
static int rename_in(struct sfs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
                     const char *dname, size_t dlen, bool slashes)
{
    struct sfs_inode spi, dstore, src, dst;
    uint32_t dst_ino = 0, dst_slot = 0;
    if ((sname && sfs_is_dot_name(sname, slen)) || (dname && sfs_is_dot_name(dname, dlen)))
        return SFS_EBUSY;
    int r = lookup_entry(fs, sdir, sname, slen, &spi, &src, NULL);
    if (r < 0)
        return r;
    r = check_name(dname, dlen);
    if (r < 0)
        return r;
    bool sdir_is = sfs_is_dir(&src);
    struct sfs_inode *dpi = &spi;
    if (ddir != spi.ino) {
        dpi = &dstore;
        r = load_dir(fs, ddir, dpi);
        if (r < 0)
            return r;
    }
    if (dpi->nlink == 0)
        return SFS_ENOENT;
    r = sfs_dir_lookup(fs, dpi, dname, dlen, &dst_ino, &dst_slot);
    if (r < 0 && r != SFS_ENOENT)
        return r;
    bool have_dst = r == 0;
    if (slashes && !sdir_is)
        return SFS_ENOTDIR;
    if (have_dst) {
        r = sfs_inode_read(fs, dst_ino, &dst);
        if (r < 0)
            return r;
    }
    if (dpi != &spi) {
        bool below;
        if (sdir_is) {
            r = is_descendant(fs, dpi->ino, src.ino, &below);
            if (r < 0)
                return r;
            if (below)
                return SFS_EINVAL;
        }
        if (have_dst && sfs_is_dir(&dst)) {
            r = is_descendant(fs, spi.ino, dst.ino, &below);
            if (r < 0)
                return r;
            if (below)
                return SFS_ENOTEMPTY;
        }
    }
    if (have_dst) {
        if (dst_ino == src.ino)
            return 0;
        if (sdir_is && !sfs_is_dir(&dst))
            return SFS_ENOTDIR;
        if (!sdir_is && sfs_is_dir(&dst))
            return SFS_EISDIR;
    }
    if (sdir_is && dpi != &spi && !have_dst && dpi->nlink >= SFS_LINK_MAX)
        return SFS_EMLINK;
    if (have_dst && sdir_is && dst.dir_count > 2)
        return SFS_ENOTEMPTY;
    uint32_t dt = sfs_mode_to_dt(src.mode);
    if (!have_dst) {
        r = sfs_dir_reserve(fs, dpi);
        if (r < 0)
            return r;
    }
    /* Hold the source inode's block, so that its link count can still be
     * written if the old name can't be removed nor the new one taken out. */
    struct sfs_buf *sib;
    uint32_t sioff;
    r = sfs_inode_pin(fs, src.ino, &sib, &sioff);
    if (r < 0)
        return r;
    if (have_dst)
        r = sfs_dir_set_ino(fs, dpi, dst_slot, src.ino, dt);
    else
        r = sfs_dir_add(fs, dpi, dname, dlen, src.ino, dt);
    if (r == 0)
        r = sfs_dir_remove(fs, &spi, sname, slen);
    else
        dt = 0; /* no new name to undo */
    if (r < 0 && dt) {
        /* Undo the new name so the inode keeps one name, as its nlink says. */
        int u = have_dst ? sfs_dir_set_ino(fs, dpi, dst_slot, dst.ino, sfs_mode_to_dt(dst.mode))
                         : sfs_dir_remove(fs, dpi, dname, dlen);
        if (u < 0) {
            /* Both names stay (an I/O error, no journal): the inode counts
             * them both, so unlinking one can never free it under the other. */
            src.nlink++;
            sfs_inode_encode(fs, &src, sib->data + sioff);
            sfs_bdirty(fs, sib);
            sfs_log(fs, "rename failed half way: inode keeps both names", src.ino, 0);
        }
    }
    sfs_bput(fs, sib);
    if (r < 0)
        return r;
    if (sdir_is && dpi != &spi) {
        uint32_t pslot, pino;
        struct sfs_ts mtime = src.mtime; /* a new ".." is no change to its contents (Linux) */
        r = sfs_dir_lookup(fs, &src, "..", 2, &pino, &pslot);
        if (r == 0)
            r = sfs_dir_set_ino(fs, &src, pslot, dpi->ino, SFS_DT_DIR);
        if (r < 0)
            return r;
        src.mtime = mtime;
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
    sfs_inode_touch(fs, &src, SFS_TOUCH_C);
    r = sfs_inode_write(fs, &src);
    if (r == 0 && have_dst)
        r = sfs_inode_unref(fs, &dst);
    return r;
}

/* Point @dir's ".." at @parent, leaving its mtime (a new ".." is no change to
 * its contents, as on Linux). */
static int set_dotdot(struct sfs *fs, struct sfs_inode *dir, uint32_t parent)
{
    uint32_t pslot, pino;
    struct sfs_ts mtime = dir->mtime;
    int r = sfs_dir_lookup(fs, dir, "..", 2, &pino, &pslot);
    if (r == 0)
        r = sfs_dir_set_ino(fs, dir, pslot, parent, SFS_DT_DIR);
    dir->mtime = mtime;
    return r;
}

/* Swap the inodes two names refer to, in one transaction (Linux's
 * RENAME_EXCHANGE): either may be a directory, and each keeps its other names. */
static int exchange_in(struct sfs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
                       const char *dname, size_t dlen)
{
    struct sfs_inode spi, dstore, src, dst;
    uint32_t sslot, dslot, dino;
    if (sfs_is_dot_name(sname, slen) || sfs_is_dot_name(dname, dlen))
        return SFS_EBUSY;
    int r = lookup_entry(fs, sdir, sname, slen, &spi, &src, &sslot);
    if (r < 0)
        return r;
    r = check_name(dname, dlen);
    if (r < 0)
        return r;
    struct sfs_inode *dpi = &spi;
    if (ddir != spi.ino) {
        dpi = &dstore;
        r = load_dir(fs, ddir, dpi);
        if (r < 0)
            return r;
    }
    r = sfs_dir_lookup(fs, dpi, dname, dlen, &dino, &dslot);
    if (r < 0)
        return r;
    if (dino == src.ino)
        return 0;
    r = sfs_inode_read(fs, dino, &dst);
    if (r < 0)
        return r;
    bool sd = sfs_is_dir(&src), dd = sfs_is_dir(&dst), moves = dpi != &spi;
    if (moves) {
        /* Neither directory may end up inside itself. */
        bool below = false;
        if (sd)
            r = is_descendant(fs, dpi->ino, src.ino, &below);
        if (r == 0 && !below && dd)
            r = is_descendant(fs, spi.ino, dst.ino, &below);
        if (r < 0)
            return r;
        if (below)
            return SFS_EINVAL;
        if ((sd && !dd && dpi->nlink >= SFS_LINK_MAX) || (dd && !sd && spi.nlink >= SFS_LINK_MAX))
            return SFS_EMLINK;
    }
    r = sfs_dir_set_ino(fs, &spi, sslot, dst.ino, sfs_mode_to_dt(dst.mode));
    if (r < 0)
        return r;
    r = sfs_dir_set_ino(fs, dpi, dslot, src.ino, sfs_mode_to_dt(src.mode));
    if (r < 0) {
        /* Without a journal, put the first name back (with one, the
         * transaction is dropped anyway). */
        sfs_dir_set_ino(fs, &spi, sslot, src.ino, sfs_mode_to_dt(src.mode));
        return r;
    }
    if (moves && sd != dd) {
        /* A directory changed parents and a non-directory went the other
         * way: the parents' link counts follow the ".." entries. */
        struct sfs_inode *gains = sd ? dpi : &spi, *loses = sd ? &spi : dpi;
        gains->nlink++;
        loses->nlink--;
    }
    if (moves && sd)
        r = set_dotdot(fs, &src, dpi->ino);
    if (r == 0 && moves && dd)
        r = set_dotdot(fs, &dst, spi.ino);
    if (r == 0)
        r = sfs_inode_write(fs, &spi);
    if (r == 0 && moves)
        r = sfs_inode_write(fs, dpi);
    sfs_inode_touch(fs, &src, SFS_TOUCH_C);
    sfs_inode_touch(fs, &dst, SFS_TOUCH_C);
    if (r == 0)
        r = sfs_inode_write(fs, &src);
    if (r == 0)
        r = sfs_inode_write(fs, &dst);
    return r;
}

static long readlink_ino(struct sfs *fs, uint32_t ino, char *buf, size_t len)
{
    if (!buf)
        return SFS_EINVAL;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, ino, &ip);
    if (r < 0)
        return r;
    if (!sfs_is_lnk(&ip))
        return SFS_EINVAL;
    return sfs_inode_pread(fs, &ip, buf, len, 0);
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
    st->atime = ip->atime.sec;
    st->mtime = ip->mtime.sec;
    st->ctime = ip->ctime.sec;
    st->atime_nsec = ip->atime.nsec;
    st->mtime_nsec = ip->mtime.nsec;
    st->ctime_nsec = ip->ctime.nsec;
    st->rdev = ip->rdev;
}

static int stat_ino(struct sfs *fs, uint32_t ino, struct sfs_stat *st)
{
    if (!st)
        return SFS_EINVAL;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, ino, &ip);
    if (r == 0)
        sfs_fill_stat(fs, &ip, st);
    return r;
}

int sfs_readdir_ino(struct sfs *fs, uint32_t dir, uint64_t *cookie, struct sfs_dirent *ent)
{
    if (!cookie || !ent)
        return SFS_EINVAL;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, dir, &ip);
    if (r < 0)
        return r;
    if (!sfs_is_dir(&ip))
        return SFS_ENOTDIR;
    while (*cookie < ip.dir_slots) {
        struct sfs_dslot s;
        r = sfs_dir_read_slot(fs, &ip, (uint32_t)*cookie, &s);
        if (r < 0)
            return r;
        ++*cookie;
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

/* ---- the inode API ---- */

int sfs_lookup(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
    SFS_CALL(fs, SFS_OP_READ, ino ? lookup_in(fs, dir, name, len, ino) : SFS_EINVAL);
}

int sfs_create_at(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
                  uint32_t *ino)
{
    SFS_CALL(fs, SFS_OP_WRITE,
             sfs_create_in(fs, dir, name, len, SFS_S_IFREG | (mode & 07777), NULL, ino));
}

int sfs_mkdir_at(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
                 uint32_t *ino)
{
    SFS_CALL(fs, SFS_OP_WRITE,
             sfs_create_in(fs, dir, name, len, SFS_S_IFDIR | (mode & 07777), NULL, ino));
}

int sfs_symlink_at(struct sfs *fs, uint32_t dir, const char *name, size_t len, const char *target,
                   uint32_t *ino)
{
    SFS_CALL(fs, SFS_OP_WRITE, symlink_in(fs, dir, name, len, target, ino));
}

int sfs_mknod_at(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
                 uint64_t rdev, uint32_t *ino)
{
    SFS_CALL(fs, SFS_OP_WRITE, mknod_at(fs, dir, name, len, mode, rdev, ino));
}

int sfs_make_at(struct sfs *fs, uint32_t dir, const char *name, size_t len,
                const struct sfs_make *mk, uint32_t *ino)
{
    SFS_CALL(fs, SFS_OP_WRITE, make_at(fs, dir, name, len, mk, ino));
}

int sfs_link_at(struct sfs *fs, uint32_t ino, uint32_t dir, const char *name, size_t len)
{
    SFS_CALL(fs, SFS_OP_WRITE, link_in(fs, ino, dir, name, len));
}

int sfs_unlink_at(struct sfs *fs, uint32_t dir, const char *name, size_t len)
{
    SFS_CALL(fs, SFS_OP_WRITE, unlink_in(fs, dir, name, len));
}

int sfs_rmdir_at(struct sfs *fs, uint32_t dir, const char *name, size_t len)
{
    SFS_CALL(fs, SFS_OP_WRITE, rmdir_in(fs, dir, name, len));
}

int sfs_rename_at(struct sfs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
                  const char *dname, size_t dlen)
{
    SFS_CALL(fs, SFS_OP_WRITE, rename_in(fs, sdir, sname, slen, ddir, dname, dlen, false));
}

int sfs_rename_exchange_at(struct sfs *fs, uint32_t sdir, const char *sname, size_t slen,
                           uint32_t ddir, const char *dname, size_t dlen)
{
    SFS_CALL(fs, SFS_OP_WRITE, exchange_in(fs, sdir, sname, slen, ddir, dname, dlen));
}

int sfs_readdir_at(struct sfs *fs, uint32_t dir, uint64_t *cookie, struct sfs_dirent *ent)
{
    SFS_CALL(fs, SFS_OP_READ, sfs_readdir_ino(fs, dir, cookie, ent));
}

int sfs_stat_ino(struct sfs *fs, uint32_t ino, struct sfs_stat *st)
{
    SFS_CALL(fs, SFS_OP_READ, stat_ino(fs, ino, st));
}

long sfs_readlink_ino(struct sfs *fs, uint32_t ino, char *buf, size_t len)
{
    SFS_CALL(fs, SFS_OP_READ, readlink_ino(fs, ino, buf, len));
}

/* ---- path wrappers: resolve, then the inode operation ---- */

/* Resolve @path's parent directory and last name, refusing a path that names
 * a directory itself with @self_err. */
static int parent_of(struct sfs *fs, const char *path, struct sfs_res *res)
{
    return sfs_resolve(fs, SFS_ROOT_INO, path, SFS_RES_PARENT, res);
}

static int path_make(struct sfs *fs, const char *path, const struct sfs_make *mk)
{
    struct sfs_res res;
    int r = parent_of(fs, path, &res);
    if (r < 0)
        return r;
    if (res.trailing_slash && (mk->mode & SFS_S_IFMT) != SFS_S_IFDIR &&
        !sfs_is_dot_name(res.name, res.name_len)) {
        /* As Linux: "name/" asks for a directory; a missing one is ENOENT. */
        uint32_t ino;
        r = lookup_in(fs, res.ino, res.name, res.name_len, &ino);
        return r == 0 ? SFS_EEXIST : r;
    }
    return make_at(fs, res.ino, res.name, res.name_len, mk, NULL);
}

static int path_create(struct sfs *fs, const char *path, uint32_t mode, const char *target)
{
    struct sfs_make mk = { .mode = mode, .target = target };
    if (target) { /* the target is checked before the path, as symlink(2) does */
        size_t tlen = sfs_strnlen(target, SFS_PATH_MAX);
        if (tlen == 0)
            return SFS_ENOENT;
        if (tlen > sfs_symlink_max(fs))
            return SFS_ENAMETOOLONG;
    }
    return path_make(fs, path, &mk);
}

static int path_mknod(struct sfs *fs, const char *path, uint32_t mode, uint64_t rdev)
{
    uint32_t t = mode & SFS_S_IFMT;
    if (t == SFS_S_IFDIR)
        return SFS_EPERM;
    if (t == SFS_S_IFLNK)
        return SFS_EINVAL;
    struct sfs_make mk = { .mode = mode, .rdev = rdev };
    return path_make(fs, path, &mk);
}

static int path_unlink(struct sfs *fs, const char *path, bool dir)
{
    struct sfs_res res;
    int r = parent_of(fs, path, &res);
    if (r < 0)
        return r;
    if (res.root) /* "/": Linux's LAST_ROOT */
        return dir ? SFS_EBUSY : SFS_EISDIR;
    if (!dir && res.trailing_slash) {
        struct sfs_inode dp, ip;
        r = lookup_entry(fs, res.ino, res.name, res.name_len, &dp, &ip, NULL);
        return r < 0 ? r : sfs_is_dir(&ip) ? SFS_EISDIR : SFS_ENOTDIR;
    }
    return dir ? rmdir_in(fs, res.ino, res.name, res.name_len)
               : unlink_in(fs, res.ino, res.name, res.name_len);
}

static int path_link(struct sfs *fs, const char *existing, const char *newpath)
{
    struct sfs_res src, dst;
    int r = sfs_resolve(fs, SFS_ROOT_INO, existing, 0, &src);
    if (r < 0)
        return r;
    r = parent_of(fs, newpath, &dst);
    if (r < 0)
        return r;
    if (dst.trailing_slash && !sfs_is_dot_name(dst.name, dst.name_len)) {
        /* As Linux: "name/" asks for a directory: EEXIST, or ENOENT. */
        uint32_t ino;
        r = lookup_in(fs, dst.ino, dst.name, dst.name_len, &ino);
        return r == 0 ? SFS_EEXIST : r;
    }
    return link_in(fs, src.ino, dst.ino, dst.name, dst.name_len);
}

static int path_rename(struct sfs *fs, const char *from, const char *to)
{
    struct sfs_res sres, dres;
    int r = parent_of(fs, from, &sres);
    if (r < 0)
        return r;
    r = parent_of(fs, to, &dres);
    if (r < 0)
        return r;
    return rename_in(fs, sres.ino, sres.name, sres.name_len, dres.ino, dres.name, dres.name_len,
                     sres.trailing_slash || dres.trailing_slash);
}

static int path_stat(struct sfs *fs, const char *path, int flags, struct sfs_stat *st)
{
    struct sfs_res res;
    int r = sfs_resolve(fs, SFS_ROOT_INO, path, flags, &res);
    return r < 0 ? r : stat_ino(fs, res.ino, st);
}

static long path_readlink(struct sfs *fs, const char *path, char *buf, size_t len)
{
    struct sfs_res res;
    int r = sfs_resolve(fs, SFS_ROOT_INO, path, 0, &res);
    return r < 0 ? r : readlink_ino(fs, res.ino, buf, len);
}

static int resolve_path(struct sfs *fs, uint32_t dir, const char *path, int follow, uint32_t *ino)
{
    struct sfs_res res;
    if (!ino)
        return SFS_EINVAL;
    int r = sfs_resolve(fs, dir, path, follow ? SFS_RES_FOLLOW : 0, &res);
    if (r == 0)
        *ino = res.ino;
    return r;
}

int sfs_resolve_path(struct sfs *fs, uint32_t dir, const char *path, int follow, uint32_t *ino)
{
    SFS_CALL(fs, SFS_OP_READ, resolve_path(fs, dir, path, follow, ino));
}

int sfs_create(struct sfs *fs, const char *path, uint32_t mode)
{
    SFS_CALL(fs, SFS_OP_WRITE, path_create(fs, path, SFS_S_IFREG | (mode & 07777), NULL));
}

int sfs_mkdir(struct sfs *fs, const char *path, uint32_t mode)
{
    SFS_CALL(fs, SFS_OP_WRITE, path_create(fs, path, SFS_S_IFDIR | (mode & 07777), NULL));
}

int sfs_symlink(struct sfs *fs, const char *target, const char *linkpath)
{
    SFS_CALL(fs, SFS_OP_WRITE,
             target ? path_create(fs, linkpath, SFS_S_IFLNK | 0777, target) : SFS_EINVAL);
}

int sfs_mknod(struct sfs *fs, const char *path, uint32_t mode, uint64_t rdev)
{
    SFS_CALL(fs, SFS_OP_WRITE, path_mknod(fs, path, mode, rdev));
}

int sfs_unlink(struct sfs *fs, const char *path)
{
    SFS_CALL(fs, SFS_OP_WRITE, path_unlink(fs, path, false));
}

int sfs_rmdir(struct sfs *fs, const char *path)
{
    SFS_CALL(fs, SFS_OP_WRITE, path_unlink(fs, path, true));
}

int sfs_link(struct sfs *fs, const char *existing, const char *newpath)
{
    SFS_CALL(fs, SFS_OP_WRITE, path_link(fs, existing, newpath));
}

int sfs_rename(struct sfs *fs, const char *from, const char *to)
{
    SFS_CALL(fs, SFS_OP_WRITE, path_rename(fs, from, to));
}

long sfs_readlink(struct sfs *fs, const char *path, char *buf, size_t len)
{
    SFS_CALL(fs, SFS_OP_READ, buf ? path_readlink(fs, path, buf, len) : SFS_EINVAL);
}

int sfs_stat(struct sfs *fs, const char *path, struct sfs_stat *st)
{
    SFS_CALL(fs, SFS_OP_READ, st ? path_stat(fs, path, SFS_RES_FOLLOW, st) : SFS_EINVAL);
}

int sfs_lstat(struct sfs *fs, const char *path, struct sfs_stat *st)
{
    SFS_CALL(fs, SFS_OP_READ, st ? path_stat(fs, path, 0, st) : SFS_EINVAL);
}
