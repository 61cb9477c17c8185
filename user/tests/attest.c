/*
 * attest.c - the *at system calls with real directory descriptors as bases,
 * as nftw, fts, find and rm -r use them: openat, mkdirat, newfstatat (also
 * AT_EMPTY_PATH on any descriptor), unlinkat, readlinkat, renameat,
 * renameat2 (RENAME_NOREPLACE), linkat (AT_SYMLINK_FOLLOW), symlinkat,
 * faccessat, faccessat2 and fchdir with getcwd after it.
 *
 *   attest [DIR]   works in a fresh directory DIR/attest.PID (DIR: /tmp)
 *
 * Prints one line per check and "attest: all passed" at the end; exits 1 at
 * the first failure. Leaves nothing behind when it passes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RENAME_NOREPLACE_ 1
#define RENAME_EXCHANGE_  2

static int checks;

#define CHECK(c, what)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("attest: FAILED: %s (errno %d)\n", what, errno);                                \
            exit(1);                                                                               \
        }                                                                                          \
        checks++;                                                                                  \
        printf("attest: ok: %s\n", what);                                                          \
    } while (0)

/* -1 with errno @e? */
static int fails(long r, int e)
{
    return r == -1 && errno == e;
}

static int is_type(int dirfd, const char *path, int flags, mode_t type)
{
    struct stat st;
    return fstatat(dirfd, path, &st, flags) == 0 && (st.st_mode & S_IFMT) == type;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "/tmp";
    char dir[256], name[64], cwd[512], buf[64];
    snprintf(name, sizeof(name), "attest.%d", (int)getpid());
    snprintf(dir, sizeof(dir), "%s/%s", strcmp(base, "/") ? base : "", name);
    CHECK(mkdir(dir, 0755) == 0, "mkdir of the work directory");
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK(d >= 0, "open the work directory");

    /* mkdirat, openat, newfstatat */
    CHECK(mkdirat(d, "sub", 0755) == 0, "mkdirat relative to a descriptor");
    CHECK(is_type(d, "sub", 0, S_IFDIR), "fstatat sees the new directory");
    int f = openat(d, "sub/f", O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(f >= 0 && write(f, "hello", 5) == 5 && close(f) == 0, "openat creates a file");
    int sd = openat(d, "sub", O_RDONLY | O_DIRECTORY);
    CHECK(sd >= 0, "openat opens a directory");
    f = openat(sd, "f", O_RDONLY);
    memset(buf, 0, sizeof(buf));
    CHECK(f >= 0 && read(f, buf, sizeof(buf)) == 5 && strcmp(buf, "hello") == 0,
          "openat reads through a second base");
    struct stat st;
    CHECK(fstatat(sd, "f", &st, 0) == 0 && st.st_size == 5, "fstatat size");
    CHECK(fstatat(sd, "../sub/./f", &st, 0) == 0 && st.st_size == 5, "fstatat through ..");

    /* AT_EMPTY_PATH on any descriptor */
    CHECK(fstatat(f, "", &st, AT_EMPTY_PATH) == 0 && S_ISREG(st.st_mode) && st.st_size == 5,
          "fstatat AT_EMPTY_PATH on a file");
    int pfd[2];
    CHECK(pipe(pfd) == 0 && is_type(pfd[0], "", AT_EMPTY_PATH, S_IFIFO),
          "fstatat AT_EMPTY_PATH on a pipe");
    close(pfd[0]);
    close(pfd[1]);
    CHECK(is_type(sd, "", AT_EMPTY_PATH, S_IFDIR), "fstatat AT_EMPTY_PATH on a directory");
    CHECK(is_type(AT_FDCWD, "", AT_EMPTY_PATH, S_IFDIR), "fstatat AT_EMPTY_PATH on AT_FDCWD");
    CHECK(fails(fstatat(sd, "", &st, 0), ENOENT), "an empty path without AT_EMPTY_PATH");

    /* bad bases */
    CHECK(fails(openat(60, "f", O_RDONLY), EBADF), "a closed descriptor is EBADF");
    CHECK(fails(openat(f, "x", O_RDONLY), ENOTDIR), "a file as the base is ENOTDIR");
    CHECK(fails(mkdirat(f, "x", 0755), ENOTDIR), "mkdirat on a file base is ENOTDIR");
    int abs = openat(60, dir, O_RDONLY | O_DIRECTORY);
    CHECK(abs >= 0, "an absolute path ignores the descriptor");
    close(abs);
    close(f);

    /* symlinkat, readlinkat */
    CHECK(symlinkat("f", sd, "l") == 0, "symlinkat");
    ssize_t n = readlinkat(sd, "l", buf, sizeof(buf));
    CHECK(n == 1 && buf[0] == 'f', "readlinkat");
    CHECK(is_type(sd, "l", AT_SYMLINK_NOFOLLOW, S_IFLNK), "fstatat AT_SYMLINK_NOFOLLOW");
    CHECK(is_type(d, "sub/l", 0, S_IFREG), "fstatat follows the link from its directory");

    /* linkat */
    CHECK(linkat(sd, "f", d, "hard", 0) == 0, "linkat across two bases");
    CHECK(fstatat(d, "hard", &st, 0) == 0 && st.st_nlink == 2, "the hard link counts");
    CHECK(linkat(sd, "l", d, "viafollow", AT_SYMLINK_FOLLOW) == 0 &&
              is_type(d, "viafollow", AT_SYMLINK_NOFOLLOW, S_IFREG),
          "linkat AT_SYMLINK_FOLLOW links the target");
    CHECK(fails(linkat(sd, "f", d, "x", 0x8000), EINVAL), "linkat with a bad flag");

    /* renameat, renameat2 */
    CHECK(renameat(sd, "f", d, "g") == 0, "renameat across two bases");
    CHECK(fails(fstatat(sd, "f", &st, 0), ENOENT) && is_type(d, "g", 0, S_IFREG),
          "renameat moved the name");
    CHECK(fails(syscall(SYS_renameat2, d, "g", d, "hard", RENAME_NOREPLACE_), EEXIST),
          "renameat2 RENAME_NOREPLACE refuses an existing target");
    CHECK(is_type(d, "g", 0, S_IFREG), "and leaves the source");
    CHECK(syscall(SYS_renameat2, d, "g", sd, "g2", RENAME_NOREPLACE_) == 0,
          "renameat2 RENAME_NOREPLACE to a free name");
    /* Kestrel refuses RENAME_EXCHANGE; Linux exchanges (then swap back) */
    long r = syscall(SYS_renameat2, sd, "g2", d, "hard", RENAME_EXCHANGE_);
    if (r == 0) {
        printf("attest: RENAME_EXCHANGE exchanged\n");
        r = syscall(SYS_renameat2, sd, "g2", d, "hard", RENAME_EXCHANGE_);
        CHECK(r == 0, "renameat2 RENAME_EXCHANGE exchanges back");
    } else {
        CHECK(fails(r, EINVAL), "renameat2 RENAME_EXCHANGE is EINVAL");
    }

    /* faccessat, faccessat2 */
    CHECK(faccessat(sd, "g2", R_OK | W_OK, 0) == 0, "faccessat");
    CHECK(fails(faccessat(sd, "nope", F_OK, 0), ENOENT), "faccessat of a missing name");
    CHECK(syscall(SYS_faccessat2, sd, "g2", R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) == 0,
          "faccessat2 with flags");
    CHECK(syscall(SYS_faccessat2, sd, "", F_OK, AT_EMPTY_PATH) == 0, "faccessat2 AT_EMPTY_PATH");
    CHECK(fails(syscall(SYS_faccessat2, sd, "g2", F_OK, 0x8000), EINVAL),
          "faccessat2 with a bad flag");

    /* fchdir, and getcwd after it, even once the directory has moved */
    CHECK(renameat(d, "sub", d, "moved") == 0, "rename the open directory");
    CHECK(fchdir(sd) == 0, "fchdir");
    char want[300];
    snprintf(want, sizeof(want), "%s/moved", dir);
    CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, want) == 0,
          "getcwd names where the directory is now");
    printf("attest: cwd %s\n", cwd);
    CHECK(is_type(AT_FDCWD, "g2", 0, S_IFREG), "relative paths start there");
    CHECK(fchdir(d) == 0 && getcwd(cwd, sizeof(cwd)) && strcmp(cwd, dir) == 0,
          "fchdir back to the work directory");
    int g = openat(d, "hard", O_RDONLY);
    CHECK(fails(fchdir(g), ENOTDIR) && fails(fchdir(60), EBADF), "fchdir errors");
    close(g);

    /* unlinkat, and leave nothing behind */
    CHECK(unlinkat(d, "moved/g2", 0) == 0 && unlinkat(sd, "l", 0) == 0, "unlinkat");
    CHECK(fails(unlinkat(d, "moved", 0), EISDIR) || fails(unlinkat(d, "moved", 0), EPERM),
          "unlinkat of a directory without AT_REMOVEDIR");
    CHECK(unlinkat(d, "moved", AT_REMOVEDIR) == 0, "unlinkat AT_REMOVEDIR");
    CHECK(unlinkat(d, "hard", 0) == 0 && unlinkat(d, "viafollow", 0) == 0, "unlinkat the links");
    CHECK(chdir("/") == 0 && close(sd) == 0 && close(d) == 0 && rmdir(dir) == 0,
          "the work directory is empty and goes");
    printf("attest: %d checks, all passed\n", checks);
    return 0;
}
