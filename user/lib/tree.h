/*
 * tree.h - copying, removing and visiting directory trees, for cp, mv, rm,
 * chmod -R and chown -R.
 *
 * The walks are depth-first recursions bounded by the length of the path
 * they build: each level adds at least two bytes to a path that must fit in
 * PATH_MAX, so no walk goes deeper than PATH_MAX / 2 levels, and a deeper
 * tree fails with ENAMETOOLONG. Neither follows a symbolic link while
 * descending (they are copied as links, or removed as links), so a link
 * cycle cannot make a walk loop. A directory is read whole and closed before
 * its children are visited: no descriptor is held per level.
 *
 * Errors are reported as they happen, "prog: path: reason" (util.h), and the
 * walk carries on with the next entry; the return value says whether any
 * step failed.
 */
#ifndef USER_TREE_H
#define USER_TREE_H

#include <sys/stat.h>

#define TREE_RECURSIVE 0x1 /**< descend into directories (and never follow links) */
#define TREE_FORCE     0x2 /**< rm -f: a missing file is no error; cp -f: replace */

/**
 * @brief Copy @p src to @p dst (cp's rules for one operand pair).
 *
 * Without TREE_RECURSIVE a directory is refused and a symbolic link is
 * followed; with it, directories are copied with their contents (merged into
 * an existing directory @p dst) and links are copied as links. A directory is
 * never copied into itself.
 * @param src the source path
 * @param dst the destination path (not a directory to copy into: the caller
 *            has already appended the source's name if needed)
 * @param flags TREE_*
 * @return UTIL_OK, or UTIL_ERR if anything failed (already reported)
 */
int tree_copy(const char *src, const char *dst, int flags);

/**
 * @brief Remove @p path (rm's rules for one operand).
 * @param path the file, link or (with TREE_RECURSIVE) directory tree
 * @param flags TREE_RECURSIVE, TREE_FORCE
 * @return UTIL_OK, or UTIL_ERR if anything failed (already reported)
 */
int tree_remove(const char *path, int flags);

/**
 * @brief Call @p fn for everything under directory @p dir (not @p dir
 *        itself), depth first: each entry before its own contents. Symbolic
 *        links are handed to @p fn and never followed.
 * @param dir the directory
 * @param fn called with @p ctx, the entry's path and its lstat(); returns
 *           UTIL_OK or UTIL_ERR (having reported the error)
 * @param ctx passed to @p fn
 * @return UTIL_OK, or UTIL_ERR if anything failed (already reported)
 */
int tree_each(const char *dir, int (*fn)(void *ctx, const char *path, const struct stat *st),
              void *ctx);

#endif
