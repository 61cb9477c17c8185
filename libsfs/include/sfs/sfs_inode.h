/**
 * @file sfs_inode.h
 * @brief libsfs's inode API: files by number, names by (directory inode, name).
 *
 * Part of the public API of sfs.h, which includes this header at its end
 * (include sfs.h; including this one alone works too). These calls are what
 * a VFS or a FUSE daemon builds on: an inode is held by number (sfs_iget()),
 * names are looked up, made and removed in a directory given by its inode
 * number, and an inode is opened, read and changed without any path. The
 * path calls of sfs.h (sfs_open(), sfs_rename(), ...) resolve a path from the
 * root and then run the same code. Errors, locking and memory ownership are
 * as for every call of sfs.h.
 */
#ifndef SFS_SFS_INODE_H
#define SFS_SFS_INODE_H

#include <sfs/sfs.h>

/**
 * @brief Hold inode @p ino: it stays alive (readable, stat-able, truncatable)
 *        until sfs_iput(), even if its last name is removed meanwhile.
 * @param fs Mounted volume.
 * @param ref Caller-allocated handle; valid until sfs_iput().
 * @param ino Inode number (SFS_ROOT_INO is the root directory).
 * @return 0 or SFS_ECORRUPT (not an inode in use), SFS_EBUSY (@p ref already held), SFS_EIO
 */
int sfs_iget(struct sfs *fs, struct sfs_file *ref, uint32_t ino);

/**
 * @brief Release a reference from sfs_iget(). An inode with no names and no
 *        other handle is freed now.
 * @param fs Mounted volume.
 * @param ref Handle from sfs_iget().
 * @return 0 or SFS_EBADF, SFS_EIO
 */
int sfs_iput(struct sfs *fs, struct sfs_file *ref);

/**
 * @brief Look a name up in a directory ("." and ".." included).
 * @param fs Mounted volume.
 * @param dir Directory inode.
 * @param name Name (not NUL terminated).
 * @param len Bytes in @p name.
 * @param ino Set to the entry's inode.
 * @return 0 or SFS_ENOENT, SFS_ENOTDIR, SFS_ENAMETOOLONG, SFS_EIO ...
 */
int sfs_lookup(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);

/**
 * @brief Create an empty regular file @p name in directory @p dir.
 * @param fs Mounted volume.
 * @param dir Directory inode.
 * @param name New name.
 * @param len Bytes in @p name.
 * @param mode Permission bits.
 * @param ino Set to the new inode (may be NULL).
 * @return 0 or SFS_EEXIST, SFS_ENOENT (directory removed), SFS_ENOSPC, SFS_EROFS ...
 */
int sfs_create_at(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
                  uint32_t *ino);

/**
 * @brief Create directory @p name in directory @p dir.
 * @param fs Mounted volume.
 * @param dir Directory inode.
 * @param name New name.
 * @param len Bytes in @p name.
 * @param mode Permission bits.
 * @param ino Set to the new inode (may be NULL).
 * @return 0 or SFS_EEXIST, SFS_EMLINK, SFS_ENOSPC, SFS_EROFS ...
 */
int sfs_mkdir_at(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
                 uint32_t *ino);

/**
 * @brief Create symbolic link @p name in directory @p dir.
 * @param fs Mounted volume.
 * @param dir Directory inode.
 * @param name New name.
 * @param len Bytes in @p name.
 * @param target Link contents, NUL terminated (1..SFS_SYMLINK_MAX bytes).
 * @param ino Set to the new inode (may be NULL).
 * @return 0 or SFS_EEXIST, SFS_ENAMETOOLONG, SFS_ENOSPC, SFS_EROFS ...
 */
int sfs_symlink_at(struct sfs *fs, uint32_t dir, const char *name, size_t len, const char *target,
                   uint32_t *ino);

/**
 * @brief Create a FIFO, character or block device, socket or regular file
 *        @p name in directory @p dir, owned by uid 0, gid 0 (see struct sfs_make).
 * @param fs Mounted volume.
 * @param dir Directory inode.
 * @param name New name.
 * @param len Bytes in @p name.
 * @param mode Type (SFS_S_IFIFO, SFS_S_IFCHR, SFS_S_IFBLK, SFS_S_IFSOCK,
 *        SFS_S_IFREG or 0 for a regular file) and permission bits.
 * @param rdev Device number for SFS_S_IFCHR/SFS_S_IFBLK (stored as given;
 *        ignored for the other types, which read back 0).
 * @param ino Set to the new inode (may be NULL).
 * @return 0 or SFS_EPERM (SFS_S_IFDIR, or a special type on a volume without
 *         SFS_FEAT_INCOMPAT_POSIX), SFS_EINVAL (another type), SFS_EEXIST,
 *         SFS_ENOSPC, SFS_EROFS ...
 */
int sfs_mknod_at(struct sfs *fs, uint32_t dir, const char *name, size_t len, uint32_t mode,
                 uint64_t rdev, uint32_t *ino);

/**
 * @brief Create any kind of inode @p name in directory @p dir with the owner,
 *        permissions and payload in @p mk: the one call behind sfs_create_at(),
 *        sfs_mkdir_at(), sfs_symlink_at() and sfs_mknod_at().
 * @param fs Mounted volume.
 * @param dir Directory inode.
 * @param name New name.
 * @param len Bytes in @p name.
 * @param mk Type, permissions, owner, device number or link target.
 * @param ino Set to the new inode (may be NULL).
 * @return 0 or SFS_EEXIST, SFS_ENOENT (directory removed), SFS_ENOTDIR,
 *         SFS_ENAMETOOLONG, SFS_EMLINK, SFS_EPERM (special type on a volume
 *         without SFS_FEAT_INCOMPAT_POSIX), SFS_EINVAL, SFS_ENOSPC, SFS_EROFS ...
 */
int sfs_make_at(struct sfs *fs, uint32_t dir, const char *name, size_t len,
                const struct sfs_make *mk, uint32_t *ino);

/**
 * @brief Change the attributes of inode @p ino: permission bits, owner,
 *        group, size, times (chmod, chown, truncate, utimensat in one call).
 *
 * Every change is made in one transaction, after all checks pass: a call
 * that fails changes nothing. The change time becomes now (or ctime_sec/nsec
 * with SFS_SET_CTIME) whenever @c valid is non-zero, except that SFS_SET_SIZE
 * alone to the current size changes nothing (as truncate(2) on Linux); a call
 * with @c valid 0 changes nothing. Times outside SFS_TIME_SEC_MIN..SFS_TIME_SEC_MAX are
 * clamped to that range (as Linux clamps to a file system's range); on a
 * volume without SFS_FEAT_INCOMPAT_POSIX nanoseconds are dropped. Permission
 * checks are the caller's.
 * @param fs Mounted volume.
 * @param ino Inode number.
 * @param sa Changes to make.
 * @return 0 or SFS_EINVAL (unknown bit, nanoseconds out of range, size on a
 *         non-file), SFS_EISDIR (size on a directory), SFS_EFBIG, SFS_EROFS,
 *         SFS_ECORRUPT (not in use), SFS_EIO ...
 */
int sfs_setattr_ino(struct sfs *fs, uint32_t ino, const struct sfs_setattr *sa);

/**
 * @brief Give inode @p ino (not a directory) another name.
 * @param fs Mounted volume.
 * @param ino Existing inode with at least one name.
 * @param dir Directory inode for the new name.
 * @param name New name.
 * @param len Bytes in @p name.
 * @return 0 or SFS_EEXIST, SFS_EPERM (directory), SFS_EMLINK, SFS_ENOENT (no names left) ...
 */
int sfs_link_at(struct sfs *fs, uint32_t ino, uint32_t dir, const char *name, size_t len);

/**
 * @brief Remove name @p name (not a directory) from directory @p dir. The inode
 *        is freed with its last name unless a handle still holds it.
 * @param fs Mounted volume.
 * @param dir Directory inode.
 * @param name Name.
 * @param len Bytes in @p name.
 * @return 0 or SFS_ENOENT, SFS_EISDIR, SFS_EROFS ...
 */
int sfs_unlink_at(struct sfs *fs, uint32_t dir, const char *name, size_t len);

/**
 * @brief Remove empty directory @p name from directory @p dir.
 * @param fs Mounted volume.
 * @param dir Directory inode.
 * @param name Name.
 * @param len Bytes in @p name.
 * @return 0 or SFS_ENOTEMPTY, SFS_ENOTDIR, SFS_EINVAL ("."), SFS_EBUSY (root) ...
 */
int sfs_rmdir_at(struct sfs *fs, uint32_t dir, const char *name, size_t len);

/**
 * @brief Rename with POSIX semantics: (@p sdir, @p sname) becomes
 *        (@p ddir, @p dname), replacing a compatible target.
 * @param fs Mounted volume.
 * @param sdir Source directory inode.
 * @param sname Source name.
 * @param slen Bytes in @p sname.
 * @param ddir Destination directory inode.
 * @param dname Destination name.
 * @param dlen Bytes in @p dname.
 * @return 0 or SFS_ENOENT, SFS_EINVAL (into itself, dot names), SFS_EISDIR, SFS_ENOTDIR,
 *         SFS_ENOTEMPTY ...
 */
int sfs_rename_at(struct sfs *fs, uint32_t sdir, const char *sname, size_t slen, uint32_t ddir,
                  const char *dname, size_t dlen);

/**
 * @brief Exchange two names atomically (Linux's RENAME_EXCHANGE): afterwards
 *        (@p sdir, @p sname) names what (@p ddir, @p dname) named and the
 *        other way round. Either may be a directory; a directory that changes
 *        parent gets its ".." and the parents' link counts updated.
 * @param fs Mounted volume.
 * @param sdir First directory inode.
 * @param sname First name.
 * @param slen Bytes in @p sname.
 * @param ddir Second directory inode.
 * @param dname Second name.
 * @param dlen Bytes in @p dname.
 * @return 0 (also when both names are one inode) or SFS_ENOENT (either
 *         missing), SFS_EBUSY (dot names), SFS_EINVAL (a directory would end
 *         up inside itself), SFS_EMLINK, SFS_EROFS, SFS_EIO ...
 */
int sfs_rename_exchange_at(struct sfs *fs, uint32_t sdir, const char *sname, size_t slen,
                           uint32_t ddir, const char *dname, size_t dlen);

/**
 * @brief Read the next entry of directory @p dir, without a handle.
 * @param fs Mounted volume.
 * @param dir Directory inode.
 * @param cookie Position: 0 to start; advanced past the entry returned.
 * @param ent Filled in.
 * @return 1 with an entry, 0 at the end, or a negative SFS_E* code
 */
int sfs_readdir_at(struct sfs *fs, uint32_t dir, uint64_t *cookie, struct sfs_dirent *ent);

/**
 * @brief Open inode @p ino: a regular file with any access mode, a directory
 *        read-only (then read it with sfs_dir_read()).
 * @param fs Mounted volume.
 * @param f Caller-allocated handle; valid until sfs_close().
 * @param ino Inode number.
 * @param flags SFS_O_RDONLY/WRONLY/RDWR, SFS_O_APPEND, SFS_O_TRUNC.
 * @return 0 or SFS_EISDIR (directory for writing), SFS_ENXIO (a FIFO, device or
 *         socket: the port's own driver opens it; hold it with sfs_iget()),
 *         SFS_EROFS, SFS_ECORRUPT, SFS_EIO ...
 */
int sfs_open_ino(struct sfs *fs, struct sfs_file *f, uint32_t ino, int flags);

/**
 * @brief Status of inode @p ino.
 * @param fs Mounted volume.
 * @param ino Inode number.
 * @param st Filled in.
 * @return 0 or SFS_ECORRUPT (not in use), SFS_EIO
 */
int sfs_stat_ino(struct sfs *fs, uint32_t ino, struct sfs_stat *st);

/**
 * @brief Set the size of regular file @p ino (as sfs_truncate(): times change with the size).
 * @param fs Mounted volume.
 * @param ino Inode number.
 * @param size New size in bytes.
 * @return 0 or SFS_EISDIR, SFS_EINVAL (not a file), SFS_EFBIG, SFS_EROFS, SFS_EIO
 */
int sfs_truncate_ino(struct sfs *fs, uint32_t ino, uint64_t size);

/**
 * @brief Set the access and modification times of inode @p ino in whole
 * seconds; its change time becomes now. (sfs_setattr_ino() does this with
 * nanoseconds.)
 * @param fs Mounted volume.
 * @param ino Inode number of a file, directory or symlink in use.
 * @param atime Access time, in the volume's clock's units (seconds).
 * @param mtime Modification time.
 * @return 0 or SFS_EROFS, SFS_EIO (also for an inode not in use)
 */
int sfs_set_times_ino(struct sfs *fs, uint32_t ino, uint64_t atime, uint64_t mtime);

/**
 * @brief Read symbolic link @p ino's target.
 * @param fs Mounted volume.
 * @param ino Inode number.
 * @param buf Destination (not NUL terminated).
 * @param len Bytes at @p buf.
 * @return bytes placed or SFS_EINVAL (not a link) ...
 */
long sfs_readlink_ino(struct sfs *fs, uint32_t ino, char *buf, size_t len);

/**
 * @brief Resolve a path to an inode (a convenience over sfs_lookup()).
 * @param fs Mounted volume.
 * @param dir Directory that a relative path starts from (SFS_ROOT_INO: the root).
 * @param path Path; absolute paths start at the root.
 * @param follow Non-zero to follow a final symbolic link.
 * @param ino Set to the inode.
 * @return 0 or SFS_ENOENT, SFS_ENOTDIR, SFS_ELOOP, SFS_ENAMETOOLONG ...
 */
int sfs_resolve_path(struct sfs *fs, uint32_t dir, const char *path, int follow, uint32_t *ino);

#endif
