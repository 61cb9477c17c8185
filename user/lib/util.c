/*
 * util.c - the helpers every core utility shares (see util.h): messages in
 * the form "prog: path: reason" on stderr, usage exits with status 2,
 * full writes, counts, paths, sorted directory listings, and the operand
 * walks: input files read in chunks, cp's and mv's SOURCE... TARGET.
 *
 * Directory listings read the whole directory and close it before
 * returning: a walk that recurses holds no descriptor per level (Kestrel
 * gives a process 64) and never needs an *at call with a directory
 * descriptor, which Kestrel does not support.
 *
 * Inputs are read through one static 64 KiB buffer (chunk_buf), shared by
 * every reader in the program: util_each_chunk() is not reentrant.
 */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *util_prog = "?";

void util_init(const char *name)
{
    util_prog = name;
}

int util_errno(const char *path, int errnum)
{
    fflush(stdout);
    if (path)
        fprintf(stderr, "%s: %s: %s\n", util_prog, path, strerror(errnum));
    else
        fprintf(stderr, "%s: %s\n", util_prog, strerror(errnum));
    return UTIL_ERR;
}

int util_err(const char *path)
{
    return util_errno(path, errno);
}

int util_msg(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", util_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return UTIL_ERR;
}

_Noreturn void util_usage(const char *args)
{
    fprintf(stderr, "usage: %s %s\n", util_prog, args);
    exit(UTIL_USAGE);
}

int util_getopt(int argc, char **argv, const char *optstring, const char *usage)
{
    char opts[64];
    /* A leading ':' makes getopt tell a missing argument from an unknown option. */
    snprintf(opts, sizeof(opts), ":%s", optstring);
    opterr = 0;
    int c = getopt(argc, argv, opts);
    if (c == '?') {
        util_msg("-%c: unknown option", optopt);
        util_usage(usage);
    }
    if (c == ':') {
        util_msg("-%c: option needs an argument", optopt);
        util_usage(usage);
    }
    return c;
}

int util_write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int util_finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        util_msg("write error: %s", strerror(errno));
        return UTIL_ERR;
    }
    return status;
}

int util_parse_count(const char *s, long long *out)
{
    if (*s == '+')
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    long long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (LLONG_MAX - (*s - '0')) / 10)
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

int util_path_join(char *out, size_t size, const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    int sep = !(dl > 0 && dir[dl - 1] == '/');
    int n = snprintf(out, size, "%.*s%s%s", (int)dl, dir, sep ? "/" : "", name);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

void util_last_component(const char *path, char *out, size_t size)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    if (end == 1 && path[0] == '/')
        start = 0;
    snprintf(out, size, "%.*s", (int)(end - start), path + start);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void util_free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

int util_read_dir(const char *path, int all, char ***out, size_t *count)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (!all && (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **grown = realloc(names, cap * sizeof(*names));
            if (!grown)
                goto fail;
            names = grown;
        }
        if (!(names[n] = strdup(e->d_name)))
            goto fail;
        n++;
        errno = 0;
    }
    if (errno)
        goto fail;
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_names);
    *out = names;
    *count = n;
    return 0;
fail : {
    int saved = errno ? errno : ENOMEM;
    closedir(d);
    util_free_names(names, n);
    errno = saved;
    return -1;
}
}

void util_mode_string(mode_t mode, char *out)
{
    char type = '?';
    switch (mode & S_IFMT) {
    case S_IFREG:
        type = '-';
        break;
    case S_IFDIR:
        type = 'd';
        break;
    case S_IFLNK:
        type = 'l';
        break;
    case S_IFIFO:
        type = 'p';
        break;
    case S_IFCHR:
        type = 'c';
        break;
    case S_IFBLK:
        type = 'b';
        break;
    case S_IFSOCK:
        type = 's';
        break;
    }
    out[0] = type;
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        out[1 + i] = (mode & (0400 >> i)) ? rwx[i] : '-';
    if (mode & S_ISUID)
        out[3] = (mode & S_IXUSR) ? 's' : 'S';
    if (mode & S_ISGID)
        out[6] = (mode & S_IXGRP) ? 's' : 'S';
    if (mode & S_ISVTX)
        out[9] = (mode & S_IXOTH) ? 't' : 'T';
    out[10] = '\0';
}

void util_id_name(unsigned id, char *out)
{
    if (id == 0)
        strcpy(out, "root");
    else
        snprintf(out, 24, "%u", id);
}

int util_open_input(const char *path)
{
    if (!strcmp(path, "-"))
        return STDIN_FILENO;
    return open(path, O_RDONLY);
}

static char chunk_buf[64 * 1024];

int util_each_chunk(int fd, const char *name, int (*fn)(void *ctx, const char *buf, size_t n),
                    void *ctx)
{
    for (;;) {
        ssize_t n = read(fd, chunk_buf, sizeof(chunk_buf));
        if (n == 0)
            return UTIL_OK;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return util_err(name);
        }
        int r = fn(ctx, chunk_buf, (size_t)n);
        if (r == UTIL_STOP)
            return UTIL_OK;
        if (r != UTIL_OK)
            return r;
    }
}

int util_write_chunk(void *ctx, const char *buf, size_t n)
{
    const struct util_out *out = ctx;
    if (util_write_all(out->fd, buf, n) != 0)
        return util_err(out->name);
    return UTIL_OK;
}

int util_each_input(int argc, char **argv,
                    int (*fn)(void *ctx, int fd, const char *name, int index), void *ctx)
{
    if (argc == 0)
        return fn(ctx, STDIN_FILENO, "-", 0);
    int status = UTIL_OK;
    for (int i = 0; i < argc; i++) {
        int fd = util_open_input(argv[i]);
        if (fd < 0) {
            status = util_err(argv[i]);
            continue;
        }
        status |= fn(ctx, fd, argv[i], i);
        if (fd != STDIN_FILENO)
            close(fd);
    }
    return status;
}

/* util_each_input_chunk(): the chunk callback to give each input. */
struct chunk_fn {
    int (*fn)(void *ctx, const char *buf, size_t n);
    void *ctx;
};

static int input_chunks(void *ctx, int fd, const char *name, int index)
{
    const struct chunk_fn *c = ctx;
    (void)index;
    return util_each_chunk(fd, name, c->fn, c->ctx);
}

int util_each_input_chunk(int argc, char **argv, int (*fn)(void *ctx, const char *buf, size_t n),
                          void *ctx)
{
    struct chunk_fn c = { fn, ctx };
    return util_each_input(argc, argv, input_chunks, &c);
}

void util_file_header(const char *name, int index)
{
    printf("%s==> %s <==\n", index > 0 ? "\n" : "", name);
    /* The data that follows is written to the descriptor, past stdio. */
    fflush(stdout);
}

void util_old_count(int *argc, char ***argv, long long *count, const char *usage)
{
    char **av = *argv;
    if (*argc > 1 && av[1][0] == '-' && av[1][1] >= '0' && av[1][1] <= '9') {
        if (util_parse_count(av[1] + 1, count) != 0)
            util_usage(usage);
        av[1] = av[0];
        (*argv)++;
        (*argc)--;
    }
}

int util_each_source(int argc, char **argv, const char *usage,
                     int (*fn)(void *ctx, const char *src, const char *dst), void *ctx)
{
    if (argc < 2)
        util_usage(usage);
    const char *target = argv[argc - 1];
    struct stat st;
    int into_dir = stat(target, &st) == 0 && S_ISDIR(st.st_mode);
    if (argc > 2 && !into_dir)
        return stat(target, &st) == 0 ? util_msg("%s: Not a directory", target) : util_err(target);
    if (!into_dir)
        return fn(ctx, argv[0], target);
    int status = UTIL_OK;
    for (int i = 0; i < argc - 1; i++) {
        char name[NAME_MAX + 1], dst[PATH_MAX];
        util_last_component(argv[i], name, sizeof(name));
        if (util_path_join(dst, sizeof(dst), target, name) != 0)
            status = util_err(argv[i]);
        else
            status |= fn(ctx, argv[i], dst);
    }
    return status;
}
