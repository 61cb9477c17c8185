/*
 * fsdiff_host.c - the host back end of the differential test: a directory
 * of the host (tmpfs, or a FUSE mount) driven by the real system calls.
 *
 * A child process chroot()s into the directory, so absolute symlink targets
 * and ".." at the top stay inside it, and runs one call per request read
 * from a pipe, answering on another. FIFOs, devices and sockets are never
 * opened (FSD_SKIPPED): opening a device node would reach a real driver.
 * A call may run as another user (fsuid/fsgid, see fsd_host_pair).
 * Reads are made with O_NOATIME so that access times move only when a call
 * sets them (libsfs does not update them on reads).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "fsdiff.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct host {
    pid_t pid;
    int to, from; /* request pipe (write end), answer pipe (read end) */
};

static int rc(long r)
{
    return r < 0 ? -errno : (int)r;
}

static void fill_stat(struct fsd_result *res, const struct stat *s)
{
    res->has_stat = true;
    res->st = (struct fsd_stat){
        .mode = s->st_mode,
        .nlink = (uint32_t)s->st_nlink,
        .uid = s->st_uid,
        .gid = s->st_gid,
        .size = (uint64_t)s->st_size,
        .rdev = s->st_rdev,
        .atime = s->st_atim.tv_sec,
        .mtime = s->st_mtim.tv_sec,
        .ctime = s->st_ctim.tv_sec,
        .atime_nsec = (uint32_t)s->st_atim.tv_nsec,
        .mtime_nsec = (uint32_t)s->st_mtim.tv_nsec,
        .ctime_nsec = (uint32_t)s->st_ctim.tv_nsec,
    };
}

static bool special(const char *path)
{
    struct stat s;
    if (stat(path, &s) < 0)
        return false;
    return !S_ISREG(s.st_mode) && !S_ISDIR(s.st_mode);
}

static struct timespec ts_of(int64_t sec, uint32_t nsec)
{
    struct timespec t = { .tv_sec = sec, .tv_nsec = nsec };
    if (nsec == FSD_NOW)
        t.tv_nsec = UTIME_NOW;
    else if (nsec == FSD_OMIT)
        t.tv_nsec = UTIME_OMIT;
    return t;
}

/*
 * Reads must not move atime (libsfs never writes on a read; sfs-fuse neither).
 * O_NOATIME is set after the open, as root: an open with it fails with EPERM
 * for a caller who does not own the file, which would hide every read by
 * another user. An open never touches atime; only the read does.
 */
static void no_atime(int fd)
{
    uid_t uid = (uid_t)setfsuid((uid_t)-1);
    setfsuid(0);
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NOATIME) < 0)
        perror("fsdiff: O_NOATIME");
    setfsuid(uid);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void host_readdir(const struct fsd_op *op, struct fsd_result *res)
{
    int fd = open(op->a, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        res->ret = -errno;
        return;
    }
    no_atime(fd);
    DIR *d = fdopendir(fd);
    char *names[4096];
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 4096) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *line = malloc(strlen(e->d_name) + 8);
        sprintf(line, "%s %d\n", e->d_name, e->d_type);
        names[n++] = line;
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_str);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        if (res->len + l <= FSD_OUT) {
            memcpy(res->out + res->len, names[i], l);
            res->len += (uint32_t)l;
        }
        free(names[i]);
    }
    res->ret = (int)n;
}

static void host_exec(const struct fsd_op *op, struct fsd_result *res)
{
    struct stat s;
    switch (op->kind) {
    case FSD_MKDIR:
        res->ret = rc(mkdir(op->a, op->mode));
        break;
    case FSD_RMDIR:
        res->ret = rc(rmdir(op->a));
        break;
    case FSD_UNLINK:
        res->ret = rc(unlink(op->a));
        break;
    case FSD_RENAME:
        res->ret = rc(renameat2(AT_FDCWD, op->a, AT_FDCWD, op->b, (unsigned)op->flags));
        break;
    case FSD_LINK:
        res->ret = rc(link(op->a, op->b));
        break;
    case FSD_SYMLINK:
        res->ret = rc(symlink(op->a, op->b));
        break;
    case FSD_MKNOD:
        res->ret = rc(mknod(op->a, op->mode, op->rdev));
        break;
    case FSD_WRITE: {
        if (special(op->a)) {
            res->ret = FSD_SKIPPED;
            break;
        }
        int fd = open(op->a, op->flags | O_NONBLOCK, op->mode);
        res->ret = fd < 0 ? -errno : 0;
        if (fd < 0)
            break;
        if (op->len)
            res->ret2 = rc(pwrite(fd, op->data, op->len, (off_t)op->off));
        if (fstat(fd, &s) == 0)
            fill_stat(res, &s);
        close(fd);
        break;
    }
    case FSD_READ: {
        if (special(op->a)) {
            res->ret = FSD_SKIPPED;
            break;
        }
        int fd = open(op->a, O_RDONLY | O_NONBLOCK);
        res->ret = fd < 0 ? -errno : 0;
        if (fd < 0)
            break;
        no_atime(fd);
        long n = read(fd, res->out, FSD_OUT);
        res->ret2 = rc(n);
        res->len = n > 0 ? (uint32_t)n : 0;
        close(fd);
        break;
    }
    case FSD_TRUNCATE: {
        if (!op->flags) {
            res->ret = rc(truncate(op->a, (off_t)op->size));
            break;
        }
        if (special(op->a)) {
            res->ret = FSD_SKIPPED;
            break;
        }
        int fd = open(op->a, O_WRONLY | O_NONBLOCK);
        res->ret = fd < 0 ? -errno : rc(ftruncate(fd, (off_t)op->size));
        if (fd >= 0)
            close(fd);
        break;
    }
    case FSD_CHMOD:
        res->ret = rc(chmod(op->a, op->mode));
        break;
    case FSD_CHOWN:
        res->ret =
            rc(op->nofollow ? lchown(op->a, op->uid, op->gid) : chown(op->a, op->uid, op->gid));
        break;
    case FSD_UTIMENS: {
        struct timespec t[2] = { ts_of(op->atime, op->atime_nsec),
                                 ts_of(op->mtime, op->mtime_nsec) };
        res->ret = rc(utimensat(AT_FDCWD, op->a, t, op->nofollow ? AT_SYMLINK_NOFOLLOW : 0));
        break;
    }
    case FSD_STAT:
    case FSD_LSTAT:
        res->ret = rc(op->kind == FSD_STAT ? stat(op->a, &s) : lstat(op->a, &s));
        if (res->ret == 0)
            fill_stat(res, &s);
        break;
    case FSD_READLINK: {
        long n = readlink(op->a, res->out, FSD_OUT);
        res->ret = rc(n);
        res->len = n > 0 ? (uint32_t)n : 0;
        break;
    }
    case FSD_READDIR:
        host_readdir(op, res);
        break;
    default:
        res->ret = -EINVAL;
    }
}

static bool full_read(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool full_write(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void child(const char *dir, int in, int out)
{
    /* Without root, a user namespace gives the chroot (and a mapped root). */
    if (chroot(dir) < 0 && !(unshare(CLONE_NEWUSER) == 0 && chroot(dir) == 0)) {
        perror("fsdiff: chroot");
        _exit(2);
    }
    if (chdir("/") < 0)
        _exit(2);
    umask(0);
    /* No supplementary groups: a call as another user has only its fsgid. */
    if (getuid() == 0 && setgroups(0, NULL) < 0)
        _exit(2);
    static struct fsd_op op;
    static struct fsd_result res;
    while (full_read(in, &op, sizeof(op))) {
        memset(&res, 0, offsetof(struct fsd_result, out));
        /* fsuid/fsgid are what permission checks and new inodes use (and
         * what FUSE passes to the daemon); back to 0 after the call. */
        setfsgid(op.as_gid);
        setfsuid(op.as_uid);
        host_exec(&op, &res);
        setfsuid(0);
        setfsgid(0);
        size_t len = offsetof(struct fsd_result, out) + res.len;
        if (!full_write(out, &res, len))
            break;
    }
    _exit(0);
}

static void host_run(void *ctx, const struct fsd_op *op, struct fsd_result *res)
{
    struct host *h = ctx;
    size_t head = offsetof(struct fsd_result, out);
    if (!full_write(h->to, op, sizeof(*op)) || !full_read(h->from, res, head) ||
        res->len > FSD_OUT || !full_read(h->from, res->out, res->len)) {
        fprintf(stderr, "fsdiff: the host back end died\n");
        exit(2);
    }
}

static void host_close(void *ctx)
{
    struct host *h = ctx;
    close(h->to);
    close(h->from);
    waitpid(h->pid, NULL, 0);
    free(h);
}

int fsd_host_open(struct fsd_backend *be, const char *dir)
{
    int req[2], ans[2];
    if (pipe(req) < 0 || pipe(ans) < 0) {
        perror("fsdiff: pipe");
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fsdiff: fork");
        return -1;
    }
    if (pid == 0) {
        /* Only its own two ends: a second back end's child must not hold
         * the first one's request pipe open, or that child never sees EOF. */
        for (int fd = 3; fd < 1024; fd++)
            if (fd != req[0] && fd != ans[1])
                close(fd);
        child(dir, req[0], ans[1]);
    }
    close(req[0]);
    close(ans[1]);
    struct host *h = calloc(1, sizeof(*h));
    h->pid = pid;
    h->to = req[1];
    h->from = ans[0];
    signal(SIGPIPE, SIG_IGN);
    *be = (struct fsd_backend){ .name = dir, .ctx = h, .run = host_run, .close = host_close };
    return 0;
}
