/*
 * sfs_tool.c - sfs: inspect and edit an SFS image from the host, mtools-style.
 *
 *   sfs IMAGE ls [-l] [PATH...]      sfs IMAGE mkdir [-p] PATH...
 *   sfs IMAGE cat PATH...            sfs IMAGE rm [-r] PATH...
 *   sfs IMAGE put HOSTFILE [PATH]    sfs IMAGE rmdir PATH...
 *   sfs IMAGE get PATH [HOSTFILE]    sfs IMAGE mv SRC DST
 *   sfs IMAGE stat PATH...           sfs IMAGE ln [-s] TARGET LINK
 *   sfs IMAGE tree [PATH]            sfs IMAGE df
 *
 * Exit status 0 on success, 1 if any operation failed, 2 on usage errors.
 */
#include "sfs_image.h"
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *image_path;

static void usage(FILE *out)
{
    fprintf(out, "usage: sfs IMAGE COMMAND [ARGS...]\n"
                 "Commands:\n"
                 "  ls [-l] [PATH...]       list directories (or show files)\n"
                 "  cat PATH...             print files\n"
                 "  put HOSTFILE [PATH]     copy a host file in ('-' reads stdin)\n"
                 "  get PATH [HOSTFILE]     copy a file out ('-' writes stdout)\n"
                 "  mkdir [-p] PATH...      create directories\n"
                 "  rm [-r] PATH...         remove files (-r: directories too)\n"
                 "  rmdir PATH...           remove empty directories\n"
                 "  mv SRC DST              rename or move (into DST if it is a directory)\n"
                 "  ln [-s] TARGET LINK     hard or symbolic link\n"
                 "  stat PATH...            show inode details\n"
                 "  tree [PATH]             show a directory tree\n"
                 "  df                      show space and inode usage\n");
}

static int fail(const char *what, int err)
{
    fprintf(stderr, "sfs: %s: %s\n", what, sfs_strerror(err));
    return 1;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s && s[1] ? s + 1 : (s ? "" : p);
}

static char type_char(uint32_t mode)
{
    switch (mode & SFS_S_IFMT) {
    case SFS_S_IFDIR:
        return 'd';
    case SFS_S_IFLNK:
        return 'l';
    default:
        return '-';
    }
}

static void mode_string(uint32_t mode, char out[11])
{
    static const char rwx[] = "rwxrwxrwx";
    out[0] = type_char(mode);
    for (int i = 0; i < 9; i++)
        out[1 + i] = (mode & (0400u >> i)) ? rwx[i] : '-';
    out[10] = 0;
}

static void join(char *out, size_t n, const char *dir, const char *name)
{
    size_t l = strlen(dir);
    snprintf(out, n, "%s%s%s", dir, l && dir[l - 1] == '/' ? "" : "/", name);
}

static void print_long(struct sfs *fs, const char *path, const char *name)
{
    struct sfs_stat st;
    if (sfs_lstat(fs, path, &st) < 0) {
        printf("?????????? %s\n", name);
        return;
    }
    char m[11];
    mode_string(st.mode, m);
    printf("%s %3u %10llu %s", m, st.nlink, (unsigned long long)st.size, name);
    if ((st.mode & SFS_S_IFMT) == SFS_S_IFLNK) {
        char t[SFS_PATH_MAX];
        long n = sfs_readlink(fs, path, t, sizeof(t) - 1);
        if (n >= 0) {
            t[n] = 0;
            printf(" -> %s", t);
        }
    }
    printf("\n");
}

static int cmd_ls(struct sfs *fs, int argc, char **argv)
{
    int lng = 0, i = 0, status = 0;
    if (argc > 0 && !strcmp(argv[0], "-l")) {
        lng = 1;
        i = 1;
    }
    char *root[] = { "/" };
    if (i == argc) {
        argv = root;
        argc = 1;
        i = 0;
    }
    for (; i < argc; i++) {
        struct sfs_stat st;
        int r = sfs_stat(fs, argv[i], &st);
        if (r < 0) {
            status |= fail(argv[i], r);
            continue;
        }
        if ((st.mode & SFS_S_IFMT) != SFS_S_IFDIR) {
            if (lng)
                print_long(fs, argv[i], argv[i]);
            else
                printf("%s\n", argv[i]);
            continue;
        }
        struct sfs_dir d;
        struct sfs_dirent e;
        r = sfs_dir_open(fs, &d, argv[i]);
        if (r < 0) {
            status |= fail(argv[i], r);
            continue;
        }
        while ((r = sfs_dir_read(fs, &d, &e)) == 1) {
            if (!strcmp(e.name, ".") || !strcmp(e.name, ".."))
                continue;
            if (lng) {
                char p[SFS_PATH_MAX + SFS_NAME_MAX + 2];
                join(p, sizeof(p), argv[i], e.name);
                print_long(fs, p, e.name);
            } else {
                printf("%s%s\n", e.name, e.type == SFS_DT_DIR ? "/" : "");
            }
        }
        if (r < 0)
            status |= fail(argv[i], r);
        sfs_dir_close(fs, &d);
    }
    return status;
}

static int copy_out(struct sfs *fs, const char *path, int fd)
{
    struct sfs_file f;
    int r = sfs_open(fs, &f, path, SFS_O_RDONLY, 0);
    if (r < 0)
        return fail(path, r);
    static char buf[1 << 16];
    long n;
    while ((n = sfs_read(fs, &f, buf, sizeof(buf))) > 0) {
        if (write(fd, buf, (size_t)n) != n) {
            perror("sfs: write");
            sfs_close(fs, &f);
            return 1;
        }
    }
    sfs_close(fs, &f);
    return n < 0 ? fail(path, (int)n) : 0;
}

static int cmd_cat(struct sfs *fs, int argc, char **argv)
{
    int status = 0;
    for (int i = 0; i < argc; i++)
        status |= copy_out(fs, argv[i], STDOUT_FILENO);
    return status;
}

static bool is_dir(struct sfs *fs, const char *p)
{
    struct sfs_stat st;
    return sfs_stat(fs, p, &st) == 0 && (st.mode & SFS_S_IFMT) == SFS_S_IFDIR;
}

static int cmd_put(struct sfs *fs, int argc, char **argv)
{
    if (argc < 1 || argc > 2)
        return 2;
    const char *host = argv[0];
    char dst[SFS_PATH_MAX + SFS_NAME_MAX + 2];
    if (argc == 2 && !is_dir(fs, argv[1]))
        snprintf(dst, sizeof(dst), "%s", argv[1]);
    else if (!strcmp(host, "-"))
        return fprintf(stderr, "sfs: put -: give a destination path\n"), 2;
    else
        join(dst, sizeof(dst), argc == 2 ? argv[1] : "/", base_name(host));
    int fd = strcmp(host, "-") ? open(host, O_RDONLY) : STDIN_FILENO;
    if (fd < 0) {
        fprintf(stderr, "sfs: %s: %s\n", host, strerror(errno));
        return 1;
    }
    struct sfs_file f;
    int r = sfs_open(fs, &f, dst, SFS_O_WRONLY | SFS_O_CREAT | SFS_O_TRUNC, 0644);
    if (r < 0) {
        if (fd != STDIN_FILENO)
            close(fd);
        return fail(dst, r);
    }
    static char buf[1 << 16];
    ssize_t n;
    int status = 0;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        long w = sfs_write(fs, &f, buf, (size_t)n);
        if (w != n) {
            status = fail(dst, w < 0 ? (int)w : SFS_ENOSPC);
            break;
        }
    }
    if (n < 0) {
        fprintf(stderr, "sfs: %s: %s\n", host, strerror(errno));
        status = 1;
    }
    sfs_close(fs, &f);
    if (fd != STDIN_FILENO)
        close(fd);
    return status;
}

static int cmd_get(struct sfs *fs, int argc, char **argv)
{
    if (argc < 1 || argc > 2)
        return 2;
    const char *host = argc == 2 ? argv[1] : base_name(argv[0]);
    if (!strcmp(host, "-"))
        return copy_out(fs, argv[0], STDOUT_FILENO);
    struct sfs_stat st;
    int r = sfs_stat(fs, argv[0], &st);
    if (r < 0)
        return fail(argv[0], r);
    if ((st.mode & SFS_S_IFMT) == SFS_S_IFDIR)
        return fail(argv[0], SFS_EISDIR);
    int fd = open(host, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "sfs: %s: %s\n", host, strerror(errno));
        return 1;
    }
    int status = copy_out(fs, argv[0], fd);
    close(fd);
    return status;
}

static int mkdir_p(struct sfs *fs, const char *path)
{
    char p[SFS_PATH_MAX];
    if (strlen(path) >= sizeof(p))
        return SFS_ENAMETOOLONG;
    strcpy(p, path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        int r = sfs_mkdir(fs, p, 0755);
        *s = '/';
        if (r < 0 && r != SFS_EEXIST)
            return r;
    }
    int r = sfs_mkdir(fs, p, 0755);
    return r == SFS_EEXIST && is_dir(fs, p) ? 0 : r;
}

static int cmd_mkdir(struct sfs *fs, int argc, char **argv)
{
    int p = argc > 0 && !strcmp(argv[0], "-p"), status = 0;
    for (int i = p; i < argc; i++) {
        int r = p ? mkdir_p(fs, argv[i]) : sfs_mkdir(fs, argv[i], 0755);
        if (r < 0)
            status |= fail(argv[i], r);
    }
    return status;
}

static int rm_r(struct sfs *fs, const char *path)
{
    struct sfs_stat st;
    int r = sfs_lstat(fs, path, &st);
    if (r < 0)
        return r;
    if ((st.mode & SFS_S_IFMT) != SFS_S_IFDIR)
        return sfs_unlink(fs, path);
    for (;;) {
        /* Reopen after each removal: simple and stays correct as entries go. */
        struct sfs_dir d;
        struct sfs_dirent e;
        char child[SFS_PATH_MAX + SFS_NAME_MAX + 2];
        child[0] = 0;
        r = sfs_dir_open(fs, &d, path);
        if (r < 0)
            return r;
        while ((r = sfs_dir_read(fs, &d, &e)) == 1)
            if (strcmp(e.name, ".") && strcmp(e.name, "..")) {
                join(child, sizeof(child), path, e.name);
                break;
            }
        sfs_dir_close(fs, &d);
        if (r < 0)
            return r;
        if (!child[0])
            break;
        r = rm_r(fs, child);
        if (r < 0)
            return r;
    }
    return sfs_rmdir(fs, path);
}

static int cmd_rm(struct sfs *fs, int argc, char **argv)
{
    int rec = argc > 0 && !strcmp(argv[0], "-r"), status = 0;
    for (int i = rec; i < argc; i++) {
        int r = rec ? rm_r(fs, argv[i]) : sfs_unlink(fs, argv[i]);
        if (r < 0)
            status |= fail(argv[i], r);
    }
    return status;
}

static int cmd_rmdir(struct sfs *fs, int argc, char **argv)
{
    int status = 0;
    for (int i = 0; i < argc; i++) {
        int r = sfs_rmdir(fs, argv[i]);
        if (r < 0)
            status |= fail(argv[i], r);
    }
    return status;
}

static int cmd_mv(struct sfs *fs, int argc, char **argv)
{
    if (argc != 2)
        return 2;
    char dst[SFS_PATH_MAX + SFS_NAME_MAX + 2];
    if (is_dir(fs, argv[1]) && !is_dir(fs, argv[0]))
        join(dst, sizeof(dst), argv[1], base_name(argv[0]));
    else
        snprintf(dst, sizeof(dst), "%s", argv[1]);
    int r = sfs_rename(fs, argv[0], dst);
    return r < 0 ? fail(argv[0], r) : 0;
}

static int cmd_ln(struct sfs *fs, int argc, char **argv)
{
    int s = argc > 0 && !strcmp(argv[0], "-s");
    if (argc - s != 2)
        return 2;
    int r = s ? sfs_symlink(fs, argv[1], argv[2]) : sfs_link(fs, argv[0], argv[1]);
    return r < 0 ? fail(argv[argc - 1], r) : 0;
}

static int cmd_stat(struct sfs *fs, int argc, char **argv)
{
    int status = 0;
    for (int i = 0; i < argc; i++) {
        struct sfs_stat st;
        int r = sfs_lstat(fs, argv[i], &st);
        if (r < 0) {
            status |= fail(argv[i], r);
            continue;
        }
        char m[11];
        mode_string(st.mode, m);
        const char *type = type_char(st.mode) == 'd'   ? "directory"
                           : type_char(st.mode) == 'l' ? "symbolic link"
                                                       : "regular file";
        printf("  File: %s\n  Type: %s\n  Inode: %u  Links: %u  Mode: %04o (%s)\n"
               "  Size: %llu  Blocks: %llu  Block size: %u\n  Uid: %u  Gid: %u\n"
               "  Access: %llu  Modify: %llu  Change: %llu\n",
               argv[i], type, st.ino, st.nlink, st.mode & 07777, m, (unsigned long long)st.size,
               (unsigned long long)st.blocks, st.blksize, st.uid, st.gid,
               (unsigned long long)st.atime, (unsigned long long)st.mtime,
               (unsigned long long)st.ctime);
    }
    return status;
}

/* Directories already listed: each is expanded once, so a directory cycle
 * or a directory with several names (a corrupt image) cannot loop. */
static uint8_t *tree_seen;
static uint32_t tree_inodes;

static int tree(struct sfs *fs, const char *path, int depth, long *ndirs, long *nfiles)
{
    struct sfs_dir d;
    struct sfs_dirent e;
    int r = sfs_dir_open(fs, &d, path);
    if (r < 0)
        return r;
    while ((r = sfs_dir_read(fs, &d, &e)) == 1) {
        if (!strcmp(e.name, ".") || !strcmp(e.name, ".."))
            continue;
        bool seen = e.type == SFS_DT_DIR && e.ino < tree_inodes &&
                    (tree_seen[e.ino / 8] & (1u << (e.ino % 8)));
        printf("%*s%s%s%s\n", depth * 4, "", e.name, e.type == SFS_DT_DIR ? "/" : "",
               seen ? "  [already listed: directory cycle or second name]" : "");
        if (e.type == SFS_DT_DIR) {
            char child[SFS_PATH_MAX + SFS_NAME_MAX + 2];
            join(child, sizeof(child), path, e.name);
            ++*ndirs;
            if (e.ino < tree_inodes)
                tree_seen[e.ino / 8] |= (uint8_t)(1u << (e.ino % 8));
            if (!seen && depth < 64)
                tree(fs, child, depth + 1, ndirs, nfiles);
        } else {
            ++*nfiles;
        }
    }
    sfs_dir_close(fs, &d);
    return r;
}

static int cmd_tree(struct sfs *fs, int argc, char **argv)
{
    const char *p = argc > 0 ? argv[0] : "/";
    long nd = 0, nf = 0;
    struct sfs_statfs st;
    int r = sfs_statfs(fs, &st);
    if (r < 0)
        return fail(p, r);
    tree_inodes = (uint32_t)st.total_inodes + 1;
    tree_seen = calloc(tree_inodes / 8 + 1, 1);
    uint32_t root;
    if (tree_seen && sfs_resolve_path(fs, SFS_ROOT_INO, p, 1, &root) == 0 && root < tree_inodes)
        tree_seen[root / 8] |= (uint8_t)(1u << (root % 8));
    printf("%s\n", p);
    r = tree_seen ? tree(fs, p, 1, &nd, &nf) : SFS_ENOMEM;
    free(tree_seen);
    tree_seen = NULL;
    if (r < 0)
        return fail(p, r);
    printf("\n%ld directories, %ld files\n", nd, nf);
    return 0;
}

static int cmd_df(struct sfs *fs, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct sfs_statfs st;
    sfs_statfs(fs, &st);
    uint64_t kb = st.block_size / 1024;
    printf("Image           1K-blocks       Used  Available  Inodes  IUsed  IFree  Label\n");
    printf("%-14s %10llu %10llu %10llu %7llu %6llu %6llu  %s\n", image_path,
           (unsigned long long)(st.total_blocks * kb),
           (unsigned long long)((st.total_blocks - st.free_blocks) * kb),
           (unsigned long long)(st.free_blocks * kb), (unsigned long long)st.total_inodes,
           (unsigned long long)(st.total_inodes - st.free_inodes),
           (unsigned long long)st.free_inodes, st.label);
    printf("block size %u, format version %u, journal %u blocks\n", st.block_size,
           st.format_version, st.journal_blocks);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(struct sfs *fs, int argc, char **argv);
    int min_args;
} commands[] = {
    { "ls", cmd_ls, 0 },       { "cat", cmd_cat, 1 },     { "put", cmd_put, 1 },
    { "get", cmd_get, 1 },     { "mkdir", cmd_mkdir, 1 }, { "rm", cmd_rm, 1 },
    { "rmdir", cmd_rmdir, 1 }, { "mv", cmd_mv, 2 },       { "ln", cmd_ln, 2 },
    { "stat", cmd_stat, 1 },   { "tree", cmd_tree, 0 },   { "df", cmd_df, 0 },
};

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    if (argc < 3) {
        usage(stderr);
        return 2;
    }
    image_path = argv[1];
    int cmd = -1;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[2], commands[i].name))
            cmd = (int)i;
    if (cmd < 0) {
        fprintf(stderr, "sfs: unknown command '%s'\n", argv[2]);
        usage(stderr);
        return 2;
    }
    if (argc - 3 < commands[cmd].min_args) {
        fprintf(stderr, "sfs: %s: missing arguments\n", argv[2]);
        usage(stderr);
        return 2;
    }
    struct sfs_image img;
    struct sfs fs;
    if (sfs_image_mount(&img, &fs, "sfs", image_path))
        return 1;
    int status = commands[cmd].fn(&fs, argc - 3, argv + 3);
    if (status == 2) {
        fprintf(stderr, "sfs: %s: bad arguments\n", argv[2]);
        usage(stderr);
    }
    int r = sfs_unmount(&fs);
    if (r < 0) {
        fail(image_path, r);
        status = 1;
    }
    sfs_image_close(&img);
    return status;
}
