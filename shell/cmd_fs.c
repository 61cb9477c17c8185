/*
 * cmd_fs.c - the shell's file commands and VFS hooks (shell/fs_cmds.h).
 *
 * Layer: on top of libvfs and the shell core. Every command reports failures
 * as "CMD: PATH: reason" on the terminal and returns 1, so the shell stays
 * usable whatever the input.
 */
#include <k/errno.h>
#include <k/kprintf.h>
#include <dev/block.h>
#include <sfs/sfs.h>
#include <shell/fs_cmds.h>
#include <string.h>

#define IO_CHUNK 512

static struct vfs_ctx *vctx(struct shell *sh)
{
    return ((struct shell_env *)shell_context(sh))->vfs;
}

static int fail(struct shell *sh, const char *cmd, const char *path, int err)
{
    if (path)
        shell_eprintf(sh, "%s: %s: %s\n", cmd, path, k_strerror(err));
    else
        shell_eprintf(sh, "%s: %s\n", cmd, k_strerror(err));
    return 1;
}

/* Parse leading "-abc" options into a bitmask of allowed letters; returns the
 * index of the first operand, or -1 after reporting an unknown option. */
static int options(struct shell *sh, int argc, char **argv, const char *allowed, unsigned *set)
{
    *set = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0)
            return i + 1;
        for (const char *p = argv[i] + 1; *p; p++) {
            const char *at = strchr(allowed, *p);
            if (!at) {
                shell_eprintf(sh, "%s: unknown option -%c\n", argv[0], *p);
                shell_usage(sh, argv[0]);
                return -1;
            }
            *set |= 1u << (at - allowed);
        }
    }
    return i;
}

static const char *base_name(const char *path)
{
    const char *end = path + strlen(path);
    while (end > path + 1 && end[-1] == '/')
        end--;
    const char *b = end;
    while (b > path && b[-1] != '/')
        b--;
    return b;
}

/* dir + "/" + name into buf; false if it does not fit. */
static bool join(char *buf, size_t size, const char *dir, const char *name)
{
    size_t d = strlen(dir);
    while (d > 1 && dir[d - 1] == '/')
        d--;
    int n = ksnprintf(buf, size, "%.*s%s%s", (int)d, dir, dir[d - 1] == '/' ? "" : "/", name);
    return n >= 0 && (size_t)n < size;
}

static char mode_char(uint32_t type)
{
    switch (type) {
    case VFS_TYPE_DIR:
        return 'd';
    case VFS_TYPE_SYMLINK:
        return 'l';
    case VFS_TYPE_CHARDEV:
        return 'c';
    case VFS_TYPE_BLOCKDEV:
        return 'b';
    default:
        return '-';
    }
}

static void mode_string(const struct vfs_stat *st, char out[11])
{
    out[0] = mode_char(st->type);
    static const char rwx[] = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        out[1 + i] = (st->mode & (0400u >> i)) ? rwx[i] : '-';
    out[10] = '\0';
}

/* ---- ls ---- */

#define LS_LONG 1u
#define LS_ALL  2u

static void ls_line(struct shell *sh, const char *path, const char *name, unsigned opt)
{
    if (!(opt & LS_LONG)) {
        shell_printf(sh, "%s\n", name);
        return;
    }
    struct vfs_stat st;
    int err = vfs_lstat(vctx(sh), path, &st);
    if (err) {
        shell_printf(sh, "?????????? %s\n", name);
        return;
    }
    char m[11];
    mode_string(&st, m);
    shell_printf(sh, "%s %3u %10llu %s", m, st.nlink, (unsigned long long)st.size, name);
    if (st.type == VFS_TYPE_SYMLINK) {
        char target[VFS_PATH_MAX];
        if (vfs_readlink(vctx(sh), path, target, sizeof(target)) >= 0)
            shell_printf(sh, " -> %s", target);
    }
    shell_printf(sh, "\n");
}

/* Names of one directory, sorted for printing. Bounded: a directory with more
 * (or longer) names than fit is listed in its own order instead. */
#define LS_SORT_NAMES 512
#define LS_SORT_BYTES (16 * 1024)

static struct {
    char bytes[LS_SORT_BYTES];
    uint16_t off[LS_SORT_NAMES];
    unsigned n;
    size_t used;
} ls_names;

static bool ls_collect(const char *name)
{
    size_t len = strlen(name) + 1;
    if (ls_names.n == LS_SORT_NAMES || ls_names.used + len > LS_SORT_BYTES)
        return false;
    memcpy(ls_names.bytes + ls_names.used, name, len);
    ls_names.off[ls_names.n++] = (uint16_t)ls_names.used;
    ls_names.used += len;
    return true;
}

static void ls_sort(void)
{
    for (unsigned i = 1; i < ls_names.n; i++) { /* insertion sort: small n */
        uint16_t o = ls_names.off[i];
        unsigned j = i;
        while (j > 0 && strcmp(ls_names.bytes + ls_names.off[j - 1], ls_names.bytes + o) > 0) {
            ls_names.off[j] = ls_names.off[j - 1];
            j--;
        }
        ls_names.off[j] = o;
    }
}

static void ls_entry(struct shell *sh, const char *dir, const char *name, unsigned opt)
{
    char full[VFS_PATH_MAX];
    if (join(full, sizeof(full), dir, name))
        ls_line(sh, full, name, opt);
}

static int ls_one(struct shell *sh, const char *path, unsigned opt, bool header)
{
    struct vfs_ctx *c = vctx(sh);
    struct vfs_stat st;
    int err = vfs_stat(c, path, &st);
    if (err)
        return fail(sh, "ls", path, err);
    if (st.type != VFS_TYPE_DIR) {
        ls_line(sh, path, path, opt);
        return 0;
    }
    int fd = vfs_open(c, path, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    if (fd < 0)
        return fail(sh, "ls", path, fd);
    if (header)
        shell_printf(sh, "%s:\n", path);
    struct vfs_dirent de;
    bool sorted = true;
    int r;
    ls_names.n = 0;
    ls_names.used = 0;
    while ((r = vfs_readdir(c, fd, &de)) == 1) {
        if (de.name[0] == '.' && !(opt & LS_ALL))
            continue;
        if (sorted && ls_collect(de.name))
            continue;
        if (sorted) { /* too many to sort: print what we kept, then go on as we read */
            for (unsigned i = 0; i < ls_names.n; i++)
                ls_entry(sh, path, ls_names.bytes + ls_names.off[i], opt);
            sorted = false;
        }
        ls_entry(sh, path, de.name, opt);
    }
    vfs_close(c, fd);
    if (sorted) {
        ls_sort();
        for (unsigned i = 0; i < ls_names.n; i++)
            ls_entry(sh, path, ls_names.bytes + ls_names.off[i], opt);
    }
    return r < 0 ? fail(sh, "ls", path, r) : 0;
}

static int cmd_ls(struct shell *sh, int argc, char **argv)
{
    unsigned opt;
    int i = options(sh, argc, argv, "la", &opt);
    if (i < 0)
        return 2;
    if (i == argc)
        return ls_one(sh, ".", opt, false);
    int status = 0;
    bool several = argc - i > 1; /* name each directory when listing several */
    for (; i < argc; i++)
        status |= ls_one(sh, argv[i], opt, several);
    return status;
}

/* ---- cd, pwd ---- */

static int cmd_cd(struct shell *sh, int argc, char **argv)
{
    if (argc > 2)
        return shell_usage(sh, "cd");
    const char *path = argc == 2 ? argv[1] : "/";
    int err = vfs_chdir(vctx(sh), path);
    return err ? fail(sh, "cd", path, err) : 0;
}

static int cmd_pwd(struct shell *sh, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    shell_printf(sh, "%s\n", vfs_getcwd(vctx(sh)));
    return 0;
}

/* ---- cat, hexdump, crc32: read a file in chunks ---- */

typedef int (*chunk_fn)(struct shell *sh, const uint8_t *buf, size_t n, uint64_t off, void *arg);

static int each_chunk(struct shell *sh, const char *cmd, const char *path, chunk_fn fn, void *arg)
{
    struct vfs_ctx *c = vctx(sh);
    int fd = vfs_open(c, path, VFS_O_RDONLY, 0);
    if (fd < 0)
        return fail(sh, cmd, path, fd);
    uint8_t buf[IO_CHUNK];
    uint64_t off = 0;
    long n;
    int status = 0;
    while ((n = vfs_read(c, fd, buf, sizeof(buf))) > 0) {
        if (fn(sh, buf, (size_t)n, off, arg)) {
            status = 1;
            break;
        }
        off += (uint64_t)n;
    }
    vfs_close(c, fd);
    if (n < 0)
        return fail(sh, cmd, path, (int)n);
    return status;
}

static int cat_chunk(struct shell *sh, const uint8_t *buf, size_t n, uint64_t off, void *arg)
{
    (void)off;
    (void)arg;
    shell_write(sh, (const char *)buf, n);
    return 0;
}

static int cmd_cat(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "cat");
    int status = 0;
    for (int i = 1; i < argc; i++)
        status |= each_chunk(sh, "cat", argv[i], cat_chunk, NULL);
    return status;
}

struct hex_state {
    uint8_t line[16];
    size_t fill;
    uint64_t line_off;
};

static void hex_flush(struct shell *sh, struct hex_state *h)
{
    char out[80];
    int p = ksnprintf(out, sizeof(out), "%08llx ", (unsigned long long)h->line_off);
    for (size_t i = 0; i < 16; i++) {
        if (i == 8)
            out[p++] = ' ';
        if (i < h->fill)
            p += ksnprintf(out + p, sizeof(out) - (size_t)p, " %02x", h->line[i]);
        else
            p += ksnprintf(out + p, sizeof(out) - (size_t)p, "   ");
    }
    p += ksnprintf(out + p, sizeof(out) - (size_t)p, "  |");
    for (size_t i = 0; i < h->fill; i++)
        out[p++] = h->line[i] >= 0x20 && h->line[i] < 0x7f ? (char)h->line[i] : '.';
    out[p++] = '|';
    out[p] = '\0';
    shell_printf(sh, "%s\n", out);
    h->line_off += h->fill;
    h->fill = 0;
}

static int hex_chunk(struct shell *sh, const uint8_t *buf, size_t n, uint64_t off, void *arg)
{
    (void)off;
    struct hex_state *h = arg;
    for (size_t i = 0; i < n; i++) {
        h->line[h->fill++] = buf[i];
        if (h->fill == 16)
            hex_flush(sh, h);
    }
    return 0;
}

static int cmd_hexdump(struct shell *sh, int argc, char **argv)
{
    if (argc != 2)
        return shell_usage(sh, "hexdump");
    struct hex_state h = { .fill = 0 };
    int status = each_chunk(sh, "hexdump", argv[1], hex_chunk, &h);
    if (status == 0) {
        if (h.fill)
            hex_flush(sh, &h);
        shell_printf(sh, "%08llx\n", (unsigned long long)h.line_off);
    }
    return status;
}

static int crc_chunk(struct shell *sh, const uint8_t *buf, size_t n, uint64_t off, void *arg)
{
    (void)sh;
    (void)off;
    uint32_t *crc = arg;
    *crc = sfs_crc32(*crc, buf, n);
    return 0;
}

static int cmd_crc32(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "crc32");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        uint32_t crc = 0;
        int s = each_chunk(sh, "crc32", argv[i], crc_chunk, &crc);
        if (s == 0)
            shell_printf(sh, "%08x  %s\n", crc, argv[i]);
        status |= s;
    }
    return status;
}

/* ---- write, touch ---- */

static int cmd_write(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "write");
    struct vfs_ctx *c = vctx(sh);
    int fd = vfs_open(c, argv[1], VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, 0644);
    if (fd < 0)
        return fail(sh, "write", argv[1], fd);
    long r = 0;
    for (int i = 2; i < argc && r >= 0; i++) {
        r = vfs_write(c, fd, argv[i], strlen(argv[i]));
        if (r >= 0)
            r = vfs_write(c, fd, i + 1 < argc ? " " : "\n", 1);
    }
    int err = vfs_close(c, fd);
    if (r < 0)
        return fail(sh, "write", argv[1], (int)r);
    return err ? fail(sh, "write", argv[1], err) : 0;
}

static int cmd_touch(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "touch");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int fd = vfs_open(vctx(sh), argv[i], VFS_O_WRONLY | VFS_O_CREAT, 0644);
        if (fd < 0)
            status |= fail(sh, "touch", argv[i], fd);
        else
            vfs_close(vctx(sh), fd);
    }
    return status;
}

/* ---- mkdir, rmdir, rm ---- */

static int mkdir_p(struct shell *sh, const char *path)
{
    char buf[VFS_PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof(buf))
        return fail(sh, "mkdir", path, -ENAMETOOLONG);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        int err = vfs_mkdir(vctx(sh), buf, 0755);
        struct vfs_stat st;
        if (err == -EEXIST && vfs_stat(vctx(sh), buf, &st) == 0 && st.type == VFS_TYPE_DIR)
            err = 0;
        if (err && err != -EINVAL)
            return fail(sh, "mkdir", buf, err == -EEXIST ? -ENOTDIR : err);
        buf[i] = saved;
    }
    return 0;
}

static int cmd_mkdir(struct shell *sh, int argc, char **argv)
{
    unsigned opt;
    int i = options(sh, argc, argv, "p", &opt);
    if (i < 0)
        return 2;
    if (i == argc)
        return shell_usage(sh, "mkdir");
    int status = 0;
    for (; i < argc; i++) {
        if (opt) {
            status |= mkdir_p(sh, argv[i]);
        } else {
            int err = vfs_mkdir(vctx(sh), argv[i], 0755);
            if (err)
                status |= fail(sh, "mkdir", argv[i], err);
        }
    }
    return status;
}

static int cmd_rmdir(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "rmdir");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int err = vfs_rmdir(vctx(sh), argv[i]);
        if (err)
            status |= fail(sh, "rmdir", argv[i], err);
    }
    return status;
}

/* Append "/name" to the path in @buf (of length @len); false if it does not fit. */
static bool push(char *buf, size_t len, const char *name)
{
    size_t n = strlen(name);
    bool slash = len > 0 && buf[len - 1] != '/';
    if (len + slash + n + 1 > VFS_PATH_MAX)
        return false;
    if (slash)
        buf[len++] = '/';
    memcpy(buf + len, name, n + 1);
    return true;
}

/* Remove the path in @buf and, if it is a directory, everything in it. The
 * buffer (VFS_PATH_MAX bytes) is extended and restored on the way down, so the
 * recursion costs little stack. */
static int remove_tree(struct shell *sh, char *buf, int depth)
{
    struct vfs_ctx *c = vctx(sh);
    struct vfs_stat st;
    int err = vfs_lstat(c, buf, &st);
    if (err)
        return err;
    if (st.type != VFS_TYPE_DIR)
        return vfs_unlink(c, buf);
    if (depth > 64)
        return -ELOOP;
    size_t len = strlen(buf);
    /* Delete entries one by one, reopening after each so removal never races
     * the directory position. */
    for (;;) {
        int fd = vfs_open(c, buf, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
        if (fd < 0)
            return fd;
        struct vfs_dirent de;
        bool found = false;
        int r;
        while ((r = vfs_readdir(c, fd, &de)) == 1) {
            if (strcmp(de.name, ".") && strcmp(de.name, "..")) {
                found = true;
                break;
            }
        }
        vfs_close(c, fd);
        if (r < 0)
            return r;
        if (!found)
            break;
        if (!push(buf, len, de.name))
            return -ENAMETOOLONG;
        err = remove_tree(sh, buf, depth + 1);
        buf[len] = '\0';
        if (err)
            return err;
    }
    return vfs_rmdir(c, buf);
}

static int cmd_rm(struct shell *sh, int argc, char **argv)
{
    unsigned opt;
    int i = options(sh, argc, argv, "rf", &opt);
    if (i < 0)
        return 2;
    if (i == argc)
        return shell_usage(sh, "rm");
    int status = 0;
    for (; i < argc; i++) {
        int err;
        const char *p = argv[i];
        while (*p == '/')
            p++;
        if (*p == '\0' && argv[i][0] == '/') {
            shell_eprintf(sh, "rm: refusing to remove the root directory\n");
            status = 1;
            continue;
        }
        if (opt & 1) {
            char path[VFS_PATH_MAX];
            if (strlen(argv[i]) >= sizeof(path)) {
                status |= fail(sh, "rm", argv[i], -ENAMETOOLONG);
                continue;
            }
            memcpy(path, argv[i], strlen(argv[i]) + 1);
            err = remove_tree(sh, path, 0);
        } else {
            err = vfs_unlink(vctx(sh), argv[i]);
        }
        if (err == -EISDIR)
            shell_eprintf(sh, "rm: %s: is a directory (use rm -r)\n", argv[i]), status = 1;
        else if (err && !((opt & 2) && err == -ENOENT))
            status |= fail(sh, "rm", argv[i], err);
    }
    return status;
}

/* ---- mv, cp, ln ---- */

/* If @dst is a directory, the target is dst/basename(src). */
static const char *target_in(struct shell *sh, const char *src, const char *dst, char *buf,
                             size_t size)
{
    struct vfs_stat st;
    if (vfs_stat(vctx(sh), dst, &st) == 0 && st.type == VFS_TYPE_DIR &&
        join(buf, size, dst, base_name(src)))
        return buf;
    return dst;
}

static int cmd_mv(struct shell *sh, int argc, char **argv)
{
    if (argc != 3)
        return shell_usage(sh, "mv");
    char buf[VFS_PATH_MAX];
    const char *to = target_in(sh, argv[1], argv[2], buf, sizeof(buf));
    int err = vfs_rename(vctx(sh), argv[1], to);
    return err ? fail(sh, "mv", err == -ENOENT ? argv[1] : to, err) : 0;
}

static int copy_file(struct shell *sh, const char *from, const char *to)
{
    struct vfs_ctx *c = vctx(sh);
    struct vfs_stat a, b;
    if (vfs_stat(c, from, &a) == 0 && vfs_stat(c, to, &b) == 0 && a.dev == b.dev &&
        a.ino == b.ino) {
        shell_eprintf(sh, "cp: %s and %s are the same file\n", from, to);
        return 1;
    }
    int in = vfs_open(c, from, VFS_O_RDONLY, 0);
    if (in < 0)
        return fail(sh, "cp", from, in);
    if (vfs_fstat(c, in, &a) == 0 && a.type == VFS_TYPE_DIR) {
        vfs_close(c, in);
        return fail(sh, "cp", from, -EISDIR);
    }
    int out = vfs_open(c, to, VFS_O_WRONLY | VFS_O_CREAT | VFS_O_TRUNC, 0644);
    if (out < 0) {
        vfs_close(c, in);
        return fail(sh, "cp", to, out);
    }
    uint8_t buf[IO_CHUNK];
    long n, w = 0;
    while ((n = vfs_read(c, in, buf, sizeof(buf))) > 0) {
        w = vfs_write(c, out, buf, (size_t)n);
        if (w != n)
            break;
    }
    vfs_close(c, in);
    vfs_close(c, out);
    if (n < 0)
        return fail(sh, "cp", from, (int)n);
    if (w < 0)
        return fail(sh, "cp", to, (int)w);
    return 0;
}

static int cmd_cp(struct shell *sh, int argc, char **argv)
{
    if (argc != 3)
        return shell_usage(sh, "cp");
    char buf[VFS_PATH_MAX];
    return copy_file(sh, argv[1], target_in(sh, argv[1], argv[2], buf, sizeof(buf)));
}

static int cmd_ln(struct shell *sh, int argc, char **argv)
{
    unsigned opt;
    int i = options(sh, argc, argv, "s", &opt);
    if (i < 0)
        return 2;
    if (argc - i != 2)
        return shell_usage(sh, "ln");
    char buf[VFS_PATH_MAX];
    const char *to = target_in(sh, argv[i], argv[i + 1], buf, sizeof(buf));
    int err = opt ? vfs_symlink(vctx(sh), argv[i], to) : vfs_link(vctx(sh), argv[i], to);
    return err ? fail(sh, "ln", err == -EEXIST ? to : argv[i], err) : 0;
}

/* ---- stat, df, tree ---- */

static int cmd_stat(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "stat");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        struct vfs_stat st;
        int err = vfs_lstat(vctx(sh), argv[i], &st);
        if (err) {
            status |= fail(sh, "stat", argv[i], err);
            continue;
        }
        char m[11];
        mode_string(&st, m);
        shell_printf(sh, "  File: %s\n  Type: %s\n  Size: %llu\n Inode: %llu\n Links: %u\n",
                     argv[i], vfs_type_name(st.type), (unsigned long long)st.size,
                     (unsigned long long)st.ino, st.nlink);
        shell_printf(sh, "Blocks: %llu\n  Mode: %s (%04o)\nDevice: %u\n",
                     (unsigned long long)st.blocks, m, st.mode & 07777, st.dev);
    }
    return status;
}

/* vfs_for_each_mount holds the namespace lock: collect paths first, then statfs. */
struct mount_list {
    char paths[16][64];
    const struct vfs_fs_type *types[16];
    int n;
};

static void collect_mount(struct vfs_mount *m, void *arg)
{
    struct mount_list *l = arg;
    if (l->n < 16) {
        ksnprintf(l->paths[l->n], sizeof(l->paths[0]), "%s", m->path);
        l->types[l->n] = m->type;
        l->n++;
    }
}

static int cmd_df(struct shell *sh, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static struct mount_list l;
    l.n = 0;
    vfs_for_each_mount(collect_mount, &l);
    shell_printf(sh, "%-8s %10s %10s %10s %4s %s\n", "Type", "KiB", "Used", "Free", "Use",
                 "Mounted on");
    for (int i = 0; i < l.n; i++) {
        struct vfs_statfs st;
        int err = vfs_statfs(vctx(sh), l.paths[i], &st);
        if (err) {
            shell_printf(sh, "%-8s %s: %s\n", l.types[i]->name, l.paths[i], k_strerror(err));
            continue;
        }
        uint64_t kib = st.blocks * st.block_size / 1024;
        uint64_t free_kib = st.blocks_free * st.block_size / 1024;
        shell_printf(sh, "%-8s %10llu %10llu %10llu %3llu%% %s\n", st.type, (unsigned long long)kib,
                     (unsigned long long)(kib - free_kib), (unsigned long long)free_kib,
                     (unsigned long long)(kib ? (kib - free_kib) * 100 / kib : 0), l.paths[i]);
    }
    return 0;
}

/* List the directory whose path is in @buf (extended and restored while
 * descending); @prefix is the drawing for this depth. */
static void tree_walk(struct shell *sh, char *buf, char *prefix, int depth, unsigned *dirs,
                      unsigned *files)
{
    struct vfs_ctx *c = vctx(sh);
    if (depth > 32)
        return;
    int fd = vfs_open(c, buf, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    if (fd < 0)
        return;
    size_t len = strlen(buf), plen = strlen(prefix);
    struct vfs_dirent de;
    while (vfs_readdir(c, fd, &de) == 1) {
        if (strcmp(de.name, ".") == 0 || strcmp(de.name, "..") == 0)
            continue;
        shell_printf(sh, "%s|-- %s%s\n", prefix, de.name, de.type == VFS_TYPE_DIR ? "/" : "");
        if (de.type != VFS_TYPE_DIR) {
            (*files)++;
            continue;
        }
        (*dirs)++;
        if (!push(buf, len, de.name) || plen + 5 > 4 * 33)
            continue;
        memcpy(prefix + plen, "|   ", 5);
        tree_walk(sh, buf, prefix, depth + 1, dirs, files);
        prefix[plen] = '\0';
        buf[len] = '\0';
    }
    vfs_close(c, fd);
}

static int cmd_tree(struct shell *sh, int argc, char **argv)
{
    if (argc > 2)
        return shell_usage(sh, "tree");
    const char *path = argc == 2 ? argv[1] : ".";
    struct vfs_stat st;
    int err = vfs_stat(vctx(sh), path, &st);
    if (err)
        return fail(sh, "tree", path, err);
    if (st.type != VFS_TYPE_DIR)
        return fail(sh, "tree", path, -ENOTDIR);
    unsigned dirs = 0, files = 0;
    char buf[VFS_PATH_MAX];
    char prefix[4 * 33 + 1] = "";
    size_t n = strlen(path);
    if (n >= sizeof(buf))
        return fail(sh, "tree", path, -ENAMETOOLONG);
    memcpy(buf, path, n + 1);
    shell_printf(sh, "%s\n", path);
    tree_walk(sh, buf, prefix, 0, &dirs, &files);
    shell_printf(sh, "\n%u directories, %u files\n", dirs, files);
    return 0;
}

/* ---- mount, umount, sync ---- */

static int cmd_mount(struct shell *sh, int argc, char **argv)
{
    if (argc == 1) {
        static struct mount_list l;
        l.n = 0;
        vfs_for_each_mount(collect_mount, &l);
        for (int i = 0; i < l.n; i++)
            shell_printf(sh, "%s on %s\n", l.types[i]->name, l.paths[i]);
        return 0;
    }
    if (argc != 4)
        return shell_usage(sh, "mount");
    void *source = NULL;
    if (strcmp(argv[1], "sfs") == 0) {
        const char *dev = argv[2];
        if (strncmp(dev, "/dev/", 5) == 0)
            dev += 5;
        source = blockdev_find(dev);
        if (!source)
            return fail(sh, "mount", argv[2], -ENODEV);
    }
    int err = vfs_mount(vctx(sh), argv[3], argv[1], source);
    if (err == -ENODEV && !source)
        shell_eprintf(sh, "mount: unknown file-system type %s\n", argv[1]);
    else if (err)
        return fail(sh, "mount", argv[3], err);
    return err ? 1 : 0;
}

static int cmd_umount(struct shell *sh, int argc, char **argv)
{
    if (argc != 2)
        return shell_usage(sh, "umount");
    int err = vfs_umount(vctx(sh), argv[1]);
    if (err == -EINVAL) {
        shell_eprintf(sh, "umount: %s: not a mount point\n", argv[1]);
        return 1;
    }
    return err ? fail(sh, "umount", argv[1], err) : 0;
}

static int cmd_sync(struct shell *sh, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    int err = vfs_sync();
    return err ? fail(sh, "sync", NULL, err) : 0;
}

static const struct shell_cmd fs_cmds[] = {
    { "ls", cmd_ls, "list directory contents",
      "ls [-l] [-a] [PATH]...\nList each directory's entries in name order (-a: include names "
      "starting with '.'; -l: type, permissions, links, size).\n" },
    { "cd", cmd_cd, "change the working directory", "cd [DIR]\nGo to DIR (default /).\n" },
    { "pwd", cmd_pwd, "print the working directory", "pwd\n" },
    { "cat", cmd_cat, "print files", "cat FILE...\nWrite each file's bytes to the output.\n" },
    { "write", cmd_write, "write words to a file",
      "write FILE [WORD]...\nReplace FILE's contents with the words, separated by spaces and "
      "ending in a newline.\n" },
    { "touch", cmd_touch, "create empty files", "touch FILE...\nCreate each FILE if missing.\n" },
    { "mkdir", cmd_mkdir, "make directories",
      "mkdir [-p] DIR...\n-p: make missing parents and accept existing directories.\n" },
    { "rmdir", cmd_rmdir, "remove empty directories", "rmdir DIR...\n" },
    { "rm", cmd_rm, "remove files",
      "rm [-r] [-f] PATH...\n-r: remove directories and their contents; -f: ignore missing "
      "files.\n" },
    { "mv", cmd_mv, "move or rename", "mv FROM TO\nTO may be an existing directory.\n" },
    { "cp", cmd_cp, "copy a file", "cp FROM TO\nTO may be an existing directory.\n" },
    { "ln", cmd_ln, "make links",
      "ln [-s] TARGET LINK\nA hard link, or with -s a symbolic link holding TARGET.\n" },
    { "stat", cmd_stat, "show file attributes", "stat PATH...\n" },
    { "df", cmd_df, "show file-system space", "df\nSize, use and free space of every mount.\n" },
    { "tree", cmd_tree, "show a directory tree", "tree [DIR]\n" },
    { "hexdump", cmd_hexdump, "show a file in hex", "hexdump FILE\nCanonical hex+ASCII dump.\n" },
    { "crc32", cmd_crc32, "CRC-32 of files",
      "crc32 FILE...\nThe standard CRC-32 (as zlib.crc32), in lowercase hex.\n" },
    { "mount", cmd_mount, "mount a file system or list mounts",
      "mount [TYPE SOURCE DIR]\nWithout arguments, list mounts. TYPE is sfs (SOURCE a block "
      "device such as /dev/vdb), ramfs or devfs (SOURCE ignored).\n" },
    { "umount", cmd_umount, "unmount a file system", "umount DIR\n" },
    { "sync", cmd_sync, "write cached data to disk", "sync\n" },
};

int shell_fs_register(struct shell *sh)
{
    return shell_register(sh, fs_cmds, sizeof(fs_cmds) / sizeof(fs_cmds[0]));
}

void shell_fs_prompt(void *ctx, char *buf, size_t size)
{
    struct shell_env *env = ctx;
    ksnprintf(buf, size, "%s $ ", vfs_getcwd(env->vfs));
}

void shell_fs_complete(void *ctx, const char *word, struct shell_completions *out)
{
    struct shell_env *env = ctx;
    const char *slash = strrchr(word, '/');
    char dir[VFS_PATH_MAX];
    const char *prefix = word;
    size_t dlen = 0;
    if (slash) {
        dlen = (size_t)(slash - word) + 1;
        if (dlen >= sizeof(dir))
            return;
        memcpy(dir, word, dlen);
        dir[dlen] = '\0';
        prefix = slash + 1;
    } else {
        memcpy(dir, ".", 2);
    }
    int fd = vfs_open(env->vfs, dir, VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    if (fd < 0)
        return;
    struct vfs_dirent de;
    size_t plen = strlen(prefix);
    while (vfs_readdir(env->vfs, fd, &de) == 1) {
        if (strncmp(de.name, prefix, plen) != 0 || strcmp(de.name, ".") == 0 ||
            strcmp(de.name, "..") == 0)
            continue;
        if (de.name[0] == '.' && plen == 0)
            continue;
        char cand[VFS_PATH_MAX];
        int n = ksnprintf(cand, sizeof(cand), "%.*s%s%s", (int)dlen, word, de.name,
                          de.type == VFS_TYPE_DIR ? "/" : "");
        if (n > 0 && (size_t)n < sizeof(cand))
            shell_completion_add(out, cand);
    }
    vfs_close(env->vfs, fd);
}

struct redirect {
    struct vfs_ctx *vfs;
    int fd;
};

static int redirect_write(void *ctx, const char *buf, size_t n)
{
    struct redirect *r = ctx;
    long w = vfs_write(r->vfs, r->fd, buf, n);
    return w < 0 ? (int)w : (int)w;
}

static int redirect_close(void *ctx)
{
    struct redirect *r = ctx;
    return vfs_close(r->vfs, r->fd);
}

int shell_fs_open_output(void *ctx, const char *path, bool append, struct shell_output *out)
{
    static struct redirect r; /* one redirection at a time per shell */
    struct shell_env *env = ctx;
    int fd = vfs_open(env->vfs, path,
                      VFS_O_WRONLY | VFS_O_CREAT | (append ? VFS_O_APPEND : VFS_O_TRUNC), 0644);
    if (fd < 0)
        return fd;
    struct vfs_stat st;
    if (vfs_fstat(env->vfs, fd, &st) == 0 && st.type == VFS_TYPE_DIR) {
        vfs_close(env->vfs, fd);
        return -EISDIR;
    }
    r.vfs = env->vfs;
    r.fd = fd;
    out->write = redirect_write;
    out->close = redirect_close;
    out->ctx = &r;
    return 0;
}
