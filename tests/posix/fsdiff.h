/*
 * fsdiff.h - differential POSIX test: random sequences of file-system calls
 * run on two back ends and compared call by call (result, errno, contents,
 * metadata).
 *
 * Pieces:
 *   fsdiff_ops.c   the operation generator, the comparator and the driver
 *                  (back-end independent: this is what a FUSE test reuses);
 *   fsdiff_host.c  a host directory (tmpfs, a FUSE mount, ...): a child
 *                  process chroot()s into it and runs each call with the
 *                  real system calls;
 *   fsdiff_sfs.c   libsfs on a RAM device, through its path API;
 *   fsdiff_main.c  the command line (`test_fsdiff --help`).
 *
 * Paths are always absolute inside the back end's root ("/a/b"), so a
 * symlink to "/x" or a ".." at the top stays inside it.
 */
#ifndef FSDIFF_H
#define FSDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FSD_PATH 4200  /* room for a path past PATH_MAX (ENAMETOOLONG cases) */
#define FSD_DATA 8192  /* bytes one write carries */
#define FSD_OUT  65536 /* bytes one result carries (file contents, a listing) */

enum fsd_kind {
    FSD_MKDIR,    /* a; mode */
    FSD_RMDIR,    /* a */
    FSD_UNLINK,   /* a */
    FSD_RENAME,   /* a -> b; flags: renameat2()'s (fsd_host_pair only) */
    FSD_LINK,     /* a -> b */
    FSD_SYMLINK,  /* b is a new link to target a */
    FSD_MKNOD,    /* a; mode (with type), rdev */
    FSD_WRITE,    /* open a with flags/mode, pwrite len bytes at off, close */
    FSD_READ,     /* open a read-only, read all, close */
    FSD_TRUNCATE, /* a; size; flags 1: ftruncate() of a opened write-only */
    FSD_CHMOD,    /* a; mode */
    FSD_CHOWN,    /* a; uid, gid (UINT32_MAX: unchanged); nofollow */
    FSD_UTIMENS,  /* a; atime, mtime (FSD_NOW / FSD_OMIT in nsec); nofollow */
    FSD_STAT,     /* a */
    FSD_LSTAT,    /* a */
    FSD_READLINK, /* a */
    FSD_READDIR,  /* a: sorted "name type\n" lines */
    FSD_NKINDS
};

#define FSD_NOW  1073741823u /* nsec value: the time becomes now (UTIME_NOW) */
#define FSD_OMIT 1073741822u /* nsec value: the time is left alone (UTIME_OMIT) */

/* Open flags in Linux's values (what sfs_open() also takes). */
#define FSD_O_WRONLY 01
#define FSD_O_RDWR   02
#define FSD_O_CREAT  0100
#define FSD_O_EXCL   0200
#define FSD_O_TRUNC  01000
#define FSD_O_APPEND 02000

struct fsd_op {
    int kind;
    char a[FSD_PATH];
    char b[FSD_PATH];
    uint32_t mode, uid, gid;
    int flags;
    int nofollow;
    uint64_t size, rdev, off;
    int64_t atime, mtime;
    uint32_t atime_nsec, mtime_nsec;
    uint32_t len;
    uint32_t as_uid, as_gid; /* the caller's fsuid/fsgid (0: root; only with fsd_host_pair) */
    uint8_t data[FSD_DATA];
};

struct fsd_stat {
    uint32_t mode, nlink, uid, gid;
    uint64_t size, rdev;
    int64_t atime, mtime, ctime;
    uint32_t atime_nsec, mtime_nsec, ctime_nsec;
};

/* A result whose meaning the back end could not run (a FIFO or device opened). */
#define FSD_SKIPPED 1000000

struct fsd_result {
    int ret;  /* 0 / a count, or -errno */
    int ret2; /* FSD_WRITE: the write's result; FSD_READ: the read's */
    bool has_stat;
    struct fsd_stat st; /* FSD_STAT, FSD_LSTAT, after FSD_WRITE */
    uint32_t len;       /* bytes in out */
    char out[FSD_OUT];
};

/* A back end: runs one call. */
struct fsd_backend {
    const char *name;
    void *ctx;
    void (*run)(void *ctx, const struct fsd_op *op, struct fsd_result *res);
    void (*close)(void *ctx);
};

/* Back ends. Each returns 0 or -1 with a message on stderr. */
int fsd_host_open(struct fsd_backend *be, const char *dir);
int fsd_sfs_open(struct fsd_backend *be, uint64_t bytes);

/* Run @nops random calls from @seed on both back ends, then compare the two
 * trees. Returns the number of differences (0: identical); prints each
 * difference, and the call sequence up to the first with @verbose. */
long fsd_run(struct fsd_backend *x, struct fsd_backend *y, uint64_t seed, long nops, int verbose);

/* How far apart two times set to "now" may be, in ns (default 2 s). */
extern int64_t fsd_slack_ns;

/* Nonzero: compare the whole trees after every call (slow; finds the first
 * call after which they differ). */
extern int fsd_check_each;

/* Nonzero when both back ends are host directories (and we are root): some
 * calls run as another user (fsuid/fsgid 1000 or 65534), so the kernel's
 * permission checks (FUSE's default_permissions) and the owner of new inodes
 * are compared too, and renames take renameat2()'s flags. libsfs has no
 * permission checks of its own (the kernel's VFS does them) and no
 * path-level renameat2(). */
extern int fsd_host_pair;

/* Print one call as a line of C-like text. */
void fsd_print_op(const struct fsd_op *op);

#endif
