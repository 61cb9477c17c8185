/*
 * cpio.c - the cpio `newc` archive reader and unpacker (vfs/cpio.h).
 *
 * Layer: above the VFS calls by path; used by the kernel to unpack the initrd.
 * Parser: vfs_cpio_begin/vfs_cpio_next walk the archive in place and check
 * every field and offset against its length before use. Unpacker:
 * vfs_cpio_unpack validates the whole archive, then creates the entries with
 * vfs_mkdir, vfs_open/vfs_write and vfs_symlink.
 *
 * newc layout (all offsets from the archive's start): a 110-byte header
 * ("070701" and 13 fields of 8 hex digits), the name (namesize bytes with its
 * NUL), zero padding to a multiple of 4, the data (filesize bytes), padding to
 * a multiple of 4; the last entry is named "TRAILER!!!".
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <string.h>
#include <vfs/cpio.h>

#define CPIO_S_IFMT  0170000u
#define CPIO_S_IFDIR 0040000u
#define CPIO_S_IFREG 0100000u
#define CPIO_S_IFLNK 0120000u

/* Header fields, in order after the magic. */
enum {
    F_INO,
    F_MODE,
    F_UID,
    F_GID,
    F_NLINK,
    F_MTIME,
    F_FILESIZE,
    F_DEVMAJOR,
    F_DEVMINOR,
    F_RDEVMAJOR,
    F_RDEVMINOR,
    F_NAMESIZE,
    F_CHECK,
    F_COUNT
};

static const char TRAILER[] = "TRAILER!!!";

static int fail(struct vfs_cpio_iter *it, size_t at, const char *why)
{
    it->error = why;
    it->error_off = at;
    return -EINVAL;
}

/* Eight hex digits at p; -1 if any is not a hex digit. */
static int64_t hex8(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t c = p[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    return v;
}

static size_t pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* A relative name with no empty, "." or ".." component; "" (the archive's
 * own ".") is allowed. */
static const char *check_name(const char *name)
{
    if (name[0] == '/')
        return "absolute path";
    if (name[0] == '\0')
        return NULL;
    const char *p = name;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 0)
            return "empty path component";
        if (n > VFS_NAME_MAX)
            return "path component too long";
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return "'..' in a path";
        if (n == 1 && p[0] == '.')
            return "'.' inside a path";
        if (!end)
            return NULL;
        p = end + 1;
    }
}

void vfs_cpio_begin(struct vfs_cpio_iter *it, const void *data, size_t len)
{
    it->data = data;
    it->len = len;
    it->off = 0;
    it->done = 0;
    it->error = NULL;
    it->error_off = 0;
}

int vfs_cpio_next(struct vfs_cpio_iter *it, struct vfs_cpio_entry *out)
{
    if (it->error)
        return -EINVAL;
    if (it->done)
        return 0;
    size_t at = it->off;
    if (at == it->len)
        return fail(it, at, "no TRAILER!!! entry (archive truncated?)");
    if (it->len - at < VFS_CPIO_HEADER_SIZE)
        return fail(it, at, "truncated header");
    const uint8_t *h = it->data + at;
    if (memcmp(h, "070701", 6) != 0)
        return fail(it, at, "bad magic (not a newc cpio archive)");
    uint32_t f[F_COUNT];
    for (int i = 0; i < F_COUNT; i++) {
        int64_t v = hex8(h + 6 + 8 * i);
        if (v < 0)
            return fail(it, at, "header field is not hexadecimal");
        f[i] = (uint32_t)v;
    }

    size_t namesize = f[F_NAMESIZE];
    size_t name_off = at + VFS_CPIO_HEADER_SIZE;
    if (namesize < 2)
        return fail(it, at, "empty name");
    if (namesize > VFS_PATH_MAX)
        return fail(it, at, "name too long");
    if (namesize > it->len - name_off)
        return fail(it, at, "name runs past the end");
    const char *name = (const char *)it->data + name_off;
    if (name[namesize - 1] != '\0')
        return fail(it, at, "name not NUL-terminated");
    if (memchr(name, '\0', namesize - 1))
        return fail(it, at, "NUL inside a name");
    size_t data_off = pad4(name_off + namesize);
    if (data_off > it->len)
        return fail(it, at, "name padding runs past the end");
    size_t size = f[F_FILESIZE];
    if (size > it->len - data_off)
        return fail(it, at, "file data runs past the end");
    size_t next = pad4(data_off + size);
    if (next > it->len)
        next = it->len; /* the trailer's padding may be missing; elsewhere the next
                           call finds no trailer */

    if (strcmp(name, TRAILER) == 0) {
        it->done = 1;
        it->off = next;
        return 0;
    }
    if (name[0] == '.' && name[1] == '/')
        name += 2;
    else if (name[0] == '.' && name[1] == '\0')
        name += 1;
    const char *bad = check_name(name);
    if (bad)
        return fail(it, at, bad);

    uint32_t mode = f[F_MODE];
    uint32_t type = 0;
    switch (mode & CPIO_S_IFMT) {
    case CPIO_S_IFREG:
        type = VFS_TYPE_FILE;
        break;
    case CPIO_S_IFDIR:
        type = VFS_TYPE_DIR;
        if (size)
            return fail(it, at, "directory with data");
        break;
    case CPIO_S_IFLNK:
        type = VFS_TYPE_SYMLINK;
        if (size == 0 || size >= VFS_PATH_MAX)
            return fail(it, at, "bad symbolic link size");
        if (memchr(it->data + data_off, '\0', size))
            return fail(it, at, "NUL inside a symbolic link");
        break;
    }
    if (name[0] == '\0' && type != VFS_TYPE_DIR)
        return fail(it, at, "'.' is not a directory");

    out->name = name;
    out->mode = mode;
    out->type = type;
    out->data = it->data + data_off;
    out->size = size;
    out->mtime = f[F_MTIME];
    it->off = next;
    return 1;
}

long vfs_cpio_check(const void *data, size_t len, const char **why)
{
    struct vfs_cpio_iter it;
    struct vfs_cpio_entry e;
    long n = 0;
    int r;
    vfs_cpio_begin(&it, data, len);
    while ((r = vfs_cpio_next(&it, &e)) > 0)
        n++;
    if (r < 0) {
        if (why)
            *why = it.error;
        return r;
    }
    return n;
}

struct unpack {
    struct vfs_ctx *ctx;
    struct vfs_cpio_stats *st;
    void (*report)(void *rctx, const char *msg);
    void *rctx;
    char path[VFS_PATH_MAX];
    char target[VFS_PATH_MAX]; /* a symbolic link's target, NUL-terminated */
};

static void say(struct unpack *u, const char *name, const char *what, int err)
{
    u->st->skipped++;
    if (!u->report)
        return;
    char msg[160];
    ksnprintf(msg, sizeof(msg), "%s: %s%s%s", name, what, err ? ": " : "",
              err ? k_strerror(err) : "");
    u->report(u->rctx, msg);
}

/* Create the missing directories above u->path (0755). */
static int make_parents(struct unpack *u, size_t from)
{
    for (size_t i = from; u->path[i]; i++) {
        if (u->path[i] != '/')
            continue;
        u->path[i] = '\0';
        int err = vfs_mkdir(u->ctx, u->path, 0755);
        u->path[i] = '/';
        if (err && err != -EEXIST)
            return err;
    }
    return 0;
}

static int write_file(struct unpack *u, const struct vfs_cpio_entry *e)
{
    int fd = vfs_open(u->ctx, u->path, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, e->mode & 07777);
    if (fd < 0)
        return fd;
    const uint8_t *p = e->data;
    size_t left = e->size;
    int err = 0;
    while (left) {
        long n = vfs_write(u->ctx, fd, p, left);
        if (n <= 0) {
            err = n < 0 ? (int)n : -EIO;
            break;
        }
        p += n;
        left -= (size_t)n;
    }
    int cerr = vfs_close(u->ctx, fd);
    return err ? err : cerr;
}

static int make_entry(struct unpack *u, const struct vfs_cpio_entry *e)
{
    switch (e->type) {
    case VFS_TYPE_DIR: {
        int err = vfs_mkdir(u->ctx, u->path, e->mode & 07777);
        return err == -EEXIST ? 0 : err;
    }
    case VFS_TYPE_FILE:
        return write_file(u, e);
    case VFS_TYPE_SYMLINK: {
        memcpy(u->target, e->data, e->size); /* size < VFS_PATH_MAX: checked by the parser */
        u->target[e->size] = '\0';
        return vfs_symlink(u->ctx, u->target, u->path);
    }
    }
    return -ENOTSUP;
}

static void unpack_one(struct unpack *u, const char *dest, size_t dlen,
                       const struct vfs_cpio_entry *e, const char *rel)
{
    size_t rlen = strlen(rel);
    if (dlen + 1 + rlen >= sizeof(u->path)) {
        say(u, e->name, "path too long", -ENAMETOOLONG);
        return;
    }
    memcpy(u->path, dest, dlen);
    u->path[dlen] = '/';
    memcpy(u->path + dlen + 1, rel, rlen + 1);
    if (e->type == 0) {
        say(u, e->name, "skipped (not a file, directory or symbolic link)", 0);
        return;
    }
    int err = make_entry(u, e);
    if (err == -ENOENT) { /* the archive did not list a parent first */
        err = make_parents(u, dlen + 1);
        if (!err)
            err = make_entry(u, e);
    }
    if (err) {
        say(u, e->name, "cannot create", err);
        return;
    }
    if (e->type == VFS_TYPE_FILE)
        u->st->files++;
    else if (e->type == VFS_TYPE_DIR)
        u->st->dirs++;
    else
        u->st->symlinks++;
}

int vfs_cpio_unpack(struct vfs_ctx *ctx, const char *dest, const char *subdir, const void *data,
                    size_t len, struct vfs_cpio_stats *stats,
                    void (*report)(void *rctx, const char *msg), void *rctx)
{
    struct vfs_cpio_stats local;
    struct unpack *u = vfs_alloc(sizeof(*u));
    if (!u)
        return -ENOMEM;
    u->ctx = ctx;
    u->st = stats ? stats : &local;
    u->report = report;
    u->rctx = rctx;
    memset(u->st, 0, sizeof(*u->st));

    const char *why = NULL;
    long n = vfs_cpio_check(data, len, &why);
    if (n < 0) {
        if (report)
            report(rctx, why);
        vfs_free(u);
        return (int)n;
    }

    size_t dlen = strlen(dest);
    while (dlen > 0 && dest[dlen - 1] == '/')
        dlen--; /* "/" becomes "", so names come out as "/name" */
    size_t slen = subdir ? strlen(subdir) : 0;
    struct vfs_cpio_iter it;
    struct vfs_cpio_entry e;
    vfs_cpio_begin(&it, data, len);
    while (vfs_cpio_next(&it, &e) > 0) {
        const char *rel = e.name;
        if (subdir) {
            if (strncmp(rel, subdir, slen) != 0 || rel[slen] != '/')
                continue;
            rel += slen + 1;
        }
        if (rel[0] == '\0')
            continue; /* "." or the subdirectory itself: dest exists */
        unpack_one(u, dest, dlen, &e, rel);
    }
    vfs_free(u);
    return 0;
}
