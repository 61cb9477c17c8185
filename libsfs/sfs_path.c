/*
 * sfs_path.c - name layer: path resolution.
 *
 * sfs_resolve() walks a path from the root (absolute) or the volume's current
 * directory (relative), handling repeated slashes, ".", ".." and symbolic
 * links. Links are expanded in place in one SFS_PATH_MAX buffer on the stack
 * (target + rest of the path), so resolution needs no recursion and no heap;
 * after SFS_SYMLOOP_MAX expansions it fails with SFS_ELOOP.
 *
 * With SFS_RES_PARENT it stops before the last component and returns the
 * parent directory and that component's name (for create, unlink, rename).
 */
#include "sfs_priv.h"

bool sfs_is_dot_name(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

int sfs_resolve(struct sfs *fs, const char *path, int flags, struct sfs_res *res)
{
    char buf[SFS_PATH_MAX];
    if (!path)
        return SFS_EINVAL;
    size_t plen = sfs_strnlen(path, SFS_PATH_MAX);
    if (plen == 0)
        return SFS_ENOENT;
    if (plen >= SFS_PATH_MAX)
        return SFS_ENAMETOOLONG;
    memcpy(buf, path, plen + 1);
    res->trailing_slash = buf[plen - 1] == '/';

    uint32_t cur = buf[0] == '/' ? SFS_ROOT_INO : fs->cwd;
    size_t pos = 0;
    int links = 0;
    struct sfs_inode dir; /* always the inode of cur */
    int r = sfs_inode_read(fs, cur, &dir);
    if (r < 0)
        return r;
    for (;;) {
        while (buf[pos] == '/')
            pos++;
        if (buf[pos] == 0) {
            if (flags & SFS_RES_PARENT) {
                /* The path names the root (or cwd) itself: no last component. */
                res->ino = cur;
                res->name_len = 1;
                res->name[0] = '.';
                res->name[1] = 0;
                return 0;
            }
            if (res->trailing_slash && !sfs_is_dir(&dir))
                return SFS_ENOTDIR;
            res->ino = cur;
            return 0;
        }
        if (!sfs_is_dir(&dir))
            return SFS_ENOTDIR;
        size_t start = pos;
        while (buf[pos] && buf[pos] != '/')
            pos++;
        size_t len = pos - start;
        if (len > SFS_NAME_MAX)
            return SFS_ENAMETOOLONG;
        size_t rest = pos;
        while (buf[rest] == '/')
            rest++;
        bool last = buf[rest] == 0;
        if (last && (flags & SFS_RES_PARENT)) {
            res->ino = cur;
            res->name_len = (uint32_t)len;
            memcpy(res->name, buf + start, len);
            res->name[len] = 0;
            return 0;
        }
        uint32_t child;
        r = sfs_dir_lookup(fs, &dir, buf + start, len, &child, NULL);
        if (r < 0)
            return r;
        struct sfs_inode ci;
        r = sfs_inode_read(fs, child, &ci);
        if (r < 0)
            return r;
        bool follow = !last || (flags & SFS_RES_FOLLOW) || res->trailing_slash;
        if (sfs_is_lnk(&ci) && follow) {
            if (++links > SFS_SYMLOOP_MAX)
                return SFS_ELOOP;
            size_t tlen = (size_t)ci.size;
            size_t rlen = strlen(buf + pos);
            if (tlen == 0)
                return SFS_ENOENT;
            if (tlen + rlen + 1 > SFS_PATH_MAX)
                return SFS_ENAMETOOLONG;
            memmove(buf + tlen, buf + pos, rlen + 1);
            long n = sfs_inode_pread(fs, &ci, buf, tlen, 0);
            if (n < 0)
                return (int)n;
            if ((size_t)n != tlen || sfs_strnlen(buf, tlen) != tlen)
                return sfs_corrupt(fs, "bad symlink target", child, tlen);
            if (buf[0] == '/' && cur != SFS_ROOT_INO) {
                cur = SFS_ROOT_INO;
                r = sfs_inode_read(fs, cur, &dir);
                if (r < 0)
                    return r;
            }
            pos = 0;
            continue;
        }
        cur = child;
        dir = ci;
        pos = rest;
        if (last) {
            if (res->trailing_slash && !sfs_is_dir(&ci))
                return SFS_ENOTDIR;
            res->ino = cur;
            return 0;
        }
    }
}

int sfs_resolve_dir(struct sfs *fs, const char *path, struct sfs_inode *ip)
{
    struct sfs_res res;
    int r = sfs_resolve(fs, path, SFS_RES_FOLLOW, &res);
    if (r < 0)
        return r;
    r = sfs_inode_read(fs, res.ino, ip);
    if (r < 0)
        return r;
    return sfs_is_dir(ip) ? 0 : SFS_ENOTDIR;
}
