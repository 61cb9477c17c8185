/*
 * sfs_attr.c - attribute layer: sfs_setattr_ino() (chmod, chown, truncate and
 * utimensat in one call), sfs_set_times_ino(), and the path form
 * sfs_setattr().
 *
 * All checks come before the first change, so a call that fails changes
 * nothing; the change is one transaction (SFS_CALL()). Policy (who may
 * change what, umask) is the caller's; the mechanism is here.
 */
#include "sfs_priv.h"

static int set_times_ino(struct sfs *fs, uint32_t ino, uint64_t atime, uint64_t mtime)
{
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, ino, &ip);
    if (r < 0)
        return r;
    ip.atime = sfs_ts_fit(fs, (struct sfs_ts){ (int64_t)atime, 0 });
    ip.mtime = sfs_ts_fit(fs, (struct sfs_ts){ (int64_t)mtime, 0 });
    sfs_inode_touch(fs, &ip, SFS_TOUCH_C);
    return sfs_inode_write(fs, &ip);
}

#define SET_ALL                                                                                    \
    (SFS_SET_MODE | SFS_SET_UID | SFS_SET_GID | SFS_SET_SIZE | SFS_SET_ATIME | SFS_SET_MTIME |     \
     SFS_SET_ATIME_NOW | SFS_SET_MTIME_NOW | SFS_SET_CTIME | SFS_SET_KILL_SUID)

static int setattr_ino(struct sfs *fs, uint32_t ino, const struct sfs_setattr *sa)
{
    if (!sa || (sa->valid & ~(uint32_t)SET_ALL))
        return SFS_EINVAL;
    uint32_t v = sa->valid;
    if (((v & SFS_SET_ATIME) && sa->atime_nsec > 999999999u) ||
        ((v & SFS_SET_MTIME) && sa->mtime_nsec > 999999999u) ||
        ((v & SFS_SET_CTIME) && sa->ctime_nsec > 999999999u))
        return SFS_EINVAL;
    struct sfs_inode ip;
    int r = sfs_inode_read(fs, ino, &ip);
    if (r < 0 || v == 0)
        return r;
    /* Every check before the first change: a failed call changes nothing. */
    uint64_t old_size = ip.size;
    if (v & SFS_SET_SIZE) {
        if (sfs_is_dir(&ip))
            return SFS_EISDIR;
        if (!sfs_is_reg(&ip))
            return SFS_EINVAL;
        if (sa->size > sfs_max_lblocks(fs) * fs->block_size)
            return SFS_EFBIG;
        r = sfs_inode_truncate(fs, &ip, sa->size);
        if (r < 0) {
            sfs_inode_write(fs, &ip);
            return r;
        }
    }
    if (v & SFS_SET_MODE)
        ip.mode = (ip.mode & SFS_S_IFMT) | (sa->mode & 07777);
    if (v & SFS_SET_UID)
        ip.uid = sa->uid;
    if (v & SFS_SET_GID)
        ip.gid = sa->gid;
    if ((v & SFS_SET_KILL_SUID) && !sfs_is_dir(&ip)) {
        ip.mode &= ~SFS_S_ISUID;
        if ((ip.mode & (SFS_S_ISGID | 0010)) == (SFS_S_ISGID | 0010))
            ip.mode &= ~SFS_S_ISGID;
    }
    struct sfs_ts now = sfs_now_ts(fs);
    if (v == SFS_SET_SIZE && ip.size == old_size)
        return sfs_inode_write(fs, &ip); /* truncate(2) to the same size: no change */
    if (v & SFS_SET_ATIME_NOW)
        ip.atime = now;
    else if (v & SFS_SET_ATIME)
        ip.atime = sfs_ts_fit(fs, (struct sfs_ts){ sa->atime_sec, sa->atime_nsec });
    if (v & SFS_SET_MTIME_NOW)
        ip.mtime = now;
    else if (v & SFS_SET_MTIME)
        ip.mtime = sfs_ts_fit(fs, (struct sfs_ts){ sa->mtime_sec, sa->mtime_nsec });
    if (v & SFS_SET_CTIME)
        ip.ctime = sfs_ts_fit(fs, (struct sfs_ts){ sa->ctime_sec, sa->ctime_nsec });
    else
        ip.ctime = now;
    return sfs_inode_write(fs, &ip);
}

int sfs_setattr_ino(struct sfs *fs, uint32_t ino, const struct sfs_setattr *sa)
{
    SFS_CALL(fs, SFS_OP_WRITE, setattr_ino(fs, ino, sa));
}

int sfs_set_times_ino(struct sfs *fs, uint32_t ino, uint64_t atime, uint64_t mtime)
{
    SFS_CALL(fs, SFS_OP_WRITE, set_times_ino(fs, ino, atime, mtime));
}

static int path_setattr(struct sfs *fs, const char *path, int follow, const struct sfs_setattr *sa)
{
    struct sfs_res res;
    int r = sfs_resolve(fs, SFS_ROOT_INO, path, follow ? SFS_RES_FOLLOW : 0, &res);
    return r < 0 ? r : setattr_ino(fs, res.ino, sa);
}

int sfs_setattr(struct sfs *fs, const char *path, int follow, const struct sfs_setattr *sa)
{
    SFS_CALL(fs, SFS_OP_WRITE, path_setattr(fs, path, follow, sa));
}
