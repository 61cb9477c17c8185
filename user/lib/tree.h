/*
 * tree.h - copying and removing files and directory trees, for cp, mv and rm.
 *
 * Both walks are depth-first recursions bounded by the length of the path
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

#endif
