/*
 * tree.c - cp's and rm's walks over files and directory trees (see tree.h):
 * bounded recursion by path length, links never followed below the top,
 * every directory read whole and closed before its children are visited.
 */
#include "tree.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One copy: the destination directory created (or merged into) at the top,
 * which the walk must not descend into (cp -r a a/b). */
struct copy_ctx {
    int flags;
    int have_top;
    dev_t top_dev;
    ino_t top_ino;
};

static int copy_file(struct copy_ctx *c, const char *src, const char *dst, const struct stat *st)
{
    struct stat dt;
    if (stat(dst, &dt) == 0) {
        if (dt.st_dev == st->st_dev && dt.st_ino == st->st_ino)
            return util_msg("%s and %s are the same file", src, dst);
        if (S_ISDIR(dt.st_mode))
            return util_errno(dst, EISDIR);
    }
    int in = open(src, O_RDONLY);
    if (in < 0)
        return util_err(src);
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 0777);
    if (out < 0 && (c->flags & TREE_FORCE) && errno != ENOENT && unlink(dst) == 0)
        out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & 0777);
    if (out < 0) {
        int status = util_err(dst);
        close(in);
        return status;
    }
    struct util_out to = { out, dst };
    int status = util_each_chunk(in, src, util_write_chunk, &to);
    close(in);
    if (close(out) != 0 && status == UTIL_OK)
        status = util_err(dst);
    return status;
}

static int copy_link(const char *src, const char *dst)
{
    char target[PATH_MAX];
    ssize_t n = readlink(src, target, sizeof(target) - 1);
    if (n < 0)
        return util_err(src);
    target[n] = '\0';
    if (symlink(target, dst) == 0)
        return UTIL_OK;
    struct stat dt;
    if (errno == EEXIST && lstat(dst, &dt) == 0 && !S_ISDIR(dt.st_mode) && unlink(dst) == 0 &&
        symlink(target, dst) == 0)
        return UTIL_OK;
    return util_err(dst);
}

static int copy_node(struct copy_ctx *c, const char *src, const char *dst);

static int copy_dir(struct copy_ctx *c, const char *src, const char *dst, const struct stat *st)
{
    if (c->have_top && st->st_dev == c->top_dev && st->st_ino == c->top_ino)
        return util_msg("%s: cannot copy a directory into itself", src);
    struct stat dt;
    if (lstat(dst, &dt) == 0) {
        if (!S_ISDIR(dt.st_mode))
            return util_errno(dst, ENOTDIR);
    } else if (errno != ENOENT) {
        return util_err(dst);
    } else if (mkdir(dst, (st->st_mode & 07777) | S_IRWXU) != 0 || lstat(dst, &dt) != 0) {
        return util_err(dst);
    }
    if (!c->have_top) {
        c->have_top = 1;
        c->top_dev = dt.st_dev;
        c->top_ino = dt.st_ino;
    }
    char **names;
    size_t count;
    if (util_read_dir(src, 0, &names, &count) != 0)
        return util_err(src);
    int status = UTIL_OK;
    char *s = malloc(PATH_MAX), *d = malloc(PATH_MAX);
    if (!s || !d) {
        status = util_errno(src, ENOMEM);
        count = 0;
    }
    for (size_t i = 0; i < count; i++) {
        if (util_path_join(s, PATH_MAX, src, names[i]) != 0 ||
            util_path_join(d, PATH_MAX, dst, names[i]) != 0) {
            status = util_msg("%s/%s: %s", src, names[i], strerror(errno));
            continue;
        }
        status |= copy_node(c, s, d);
    }
    free(s);
    free(d);
    util_free_names(names, count);
    return status;
}

static int copy_node(struct copy_ctx *c, const char *src, const char *dst)
{
    struct stat st;
    int r = (c->flags & TREE_RECURSIVE) ? lstat(src, &st) : stat(src, &st);
    if (r != 0)
        return util_err(src);
    if (S_ISDIR(st.st_mode)) {
        if (!(c->flags & TREE_RECURSIVE))
            return util_msg("%s: is a directory (not copied without -r)", src);
        return copy_dir(c, src, dst, &st);
    }
    if (S_ISREG(st.st_mode))
        return copy_file(c, src, dst, &st);
    if (S_ISLNK(st.st_mode))
        return copy_link(src, dst);
    if (S_ISFIFO(st.st_mode))
        return mkfifo(dst, st.st_mode & 0777) == 0 ? UTIL_OK : util_err(dst);
    return util_msg("%s: cannot copy a device or socket", src);
}

int tree_copy(const char *src, const char *dst, int flags)
{
    struct copy_ctx c = { .flags = flags };
    return copy_node(&c, src, dst);
}

int tree_remove(const char *path, int flags)
{
    int force = flags & TREE_FORCE;
    struct stat st;
    if (lstat(path, &st) != 0)
        return force && errno == ENOENT ? UTIL_OK : util_err(path);
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) != 0 && !(force && errno == ENOENT))
            return util_err(path);
        return UTIL_OK;
    }
    if (!(flags & TREE_RECURSIVE))
        return util_errno(path, EISDIR);
    char **names;
    size_t count;
    if (util_read_dir(path, 0, &names, &count) != 0)
        return util_err(path);
    int status = UTIL_OK;
    char *child = malloc(PATH_MAX);
    if (!child) {
        status = util_errno(path, ENOMEM);
        count = 0;
    }
    for (size_t i = 0; i < count; i++) {
        if (util_path_join(child, PATH_MAX, path, names[i]) != 0)
            status = util_msg("%s/%s: %s", path, names[i], strerror(errno));
        else
            status |= tree_remove(child, flags);
    }
    free(child);
    util_free_names(names, count);
    /* A child that stayed keeps its directory: that failure is already told. */
    if (status == UTIL_OK && rmdir(path) != 0)
        status = util_err(path);
    return status;
}

int tree_each(const char *dir, int (*fn)(void *ctx, const char *path, const struct stat *st),
              void *ctx)
{
    char **names;
    size_t count;
    if (util_read_dir(dir, 0, &names, &count) != 0)
        return util_err(dir);
    int status = UTIL_OK;
    char path[PATH_MAX];
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (util_path_join(path, sizeof(path), dir, names[i]) != 0) {
            status = util_err(names[i]);
            continue;
        }
        if (lstat(path, &st) != 0) {
            status = util_err(path);
            continue;
        }
        if (fn(ctx, path, &st) != UTIL_OK)
            status = UTIL_ERR;
        else if (S_ISDIR(st.st_mode) && tree_each(path, fn, ctx) != UTIL_OK)
            status = UTIL_ERR;
    }
    util_free_names(names, count);
    return status;
}
