/*
 * attrtest.c - the attribute and special-node calls, with their errors:
 * chmod, fchmod, fchmodat, fchmodat2, chown, fchown, lchown, fchownat,
 * utimensat and futimens with nanoseconds, mknod and mknodat (FIFO,
 * character and block devices, socket, regular file), device nodes that open
 * /dev's devices, and named FIFOs between processes (an open waits for the
 * other end; O_NONBLOCK; a signal interrupts the wait). Bad pointers are
 * EFAULT and bad modes EINVAL, never a crash.
 *
 *   attrtest [DIR]   DIR: where to work (default /tmp), in DIR/attrtest.PID
 *
 * Prints one line per check and "attrtest: N checks, all passed" at the end;
 * exits 1 at the first failure. Removes what it made.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int checks;

#define CHECK(c, what)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("attrtest: FAILED: %s (errno %d)\n", what, errno);                              \
            exit(1);                                                                               \
        }                                                                                          \
        checks++;                                                                                  \
        printf("attrtest: ok: %s\n", what);                                                        \
    } while (0)

static int fails(long r, int e)
{
    return r == -1 && errno == e;
}

static struct stat st_of(const char *path)
{
    struct stat st;
    memset(&st, 0xff, sizeof(st));
    if (lstat(path, &st) != 0)
        memset(&st, 0, sizeof(st));
    return st;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&ts, NULL);
}

static void modes_and_owners(void)
{
    int fd = open("f", O_CREAT | O_RDWR, 0644);
    CHECK(fd >= 0, "create f");
    CHECK(chmod("f", 0751) == 0 && (st_of("f").st_mode & 07777) == 0751, "chmod");
    CHECK(chmod("f", 0777777) == 0 && st_of("f").st_mode == (S_IFREG | 07777),
          "chmod keeps 07777 only");
    CHECK(fchmod(fd, 0600) == 0 && (st_of("f").st_mode & 07777) == 0600, "fchmod");
    CHECK(fchmodat(AT_FDCWD, "f", 0640, 0) == 0 && (st_of("f").st_mode & 07777) == 0640,
          "fchmodat");
    CHECK(symlink("f", "l") == 0, "symlink");
    CHECK(fails(syscall(452, AT_FDCWD, "l", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP),
          "fchmodat2 on a symlink itself: EOPNOTSUPP");
    CHECK(fails(syscall(452, AT_FDCWD, "f", 0600, 0x4), EINVAL), "fchmodat2 bad flags: EINVAL");
    CHECK(chown("f", 1000, 100) == 0 && st_of("f").st_uid == 1000 && st_of("f").st_gid == 100,
          "chown");
    CHECK(chown("f", -1, 7) == 0 && st_of("f").st_uid == 1000 && st_of("f").st_gid == 7,
          "chown -1 keeps the owner");
    CHECK(fchown(fd, 5, -1) == 0 && st_of("f").st_uid == 5 && st_of("f").st_gid == 7, "fchown");
    CHECK(lchown("l", 9, 9) == 0 && st_of("l").st_uid == 9 && st_of("f").st_uid == 5,
          "lchown changes the link only");
    CHECK(fchownat(AT_FDCWD, "l", 3, 4, 0) == 0 && st_of("f").st_uid == 3, "fchownat follows");
    CHECK(fchownat(fd, "", 6, 6, AT_EMPTY_PATH) == 0 && st_of("f").st_uid == 6,
          "fchownat AT_EMPTY_PATH");
    CHECK(fails(fchownat(AT_FDCWD, "f", 1, 1, 0x1), EINVAL), "fchownat bad flags: EINVAL");
    CHECK(chmod("f", 06755) == 0 && chown("f", -1, -1) == 0 && (st_of("f").st_mode & 07777) == 0755,
          "chown drops set-user-ID and set-group-ID");
    CHECK(fails(chmod("nope", 0600), ENOENT), "chmod of a missing file: ENOENT");
    CHECK(fails(chmod((const char *)1, 0600), EFAULT), "chmod of a bad pointer: EFAULT");
    CHECK(fails(syscall(SYS_chown, (void *)0xdead0000, 0, 0), EFAULT),
          "chown of a bad pointer: EFAULT");
    CHECK(fails(fchmod(99, 0600), EBADF), "fchmod of a bad descriptor: EBADF");
    close(fd);
}

static void times(void)
{
    struct timespec t[2] = { { 5, 123456789 }, { 1700000000, 999999999 } };
    CHECK(utimensat(AT_FDCWD, "f", t, 0) == 0, "utimensat");
    struct stat st = st_of("f");
    CHECK(st.st_atim.tv_sec == 5 && st.st_atim.tv_nsec == 123456789 &&
              st.st_mtim.tv_sec == 1700000000 && st.st_mtim.tv_nsec == 999999999,
          "stat shows the nanoseconds set");
    struct timespec o[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
    CHECK(utimensat(AT_FDCWD, "f", o, 0) == 0, "utimensat OMIT and NOW");
    st = st_of("f");
    CHECK(st.st_atim.tv_sec == 5 && st.st_mtim.tv_sec > 1700000000, "OMIT kept, NOW is now");
    int fd = open("f", O_RDONLY);
    CHECK(futimens(fd, t) == 0 && st_of("f").st_mtim.tv_nsec == 999999999, "futimens");
    close(fd);
    struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
    CHECK(fails(utimensat(AT_FDCWD, "f", bad, 0), EINVAL), "nanoseconds out of range: EINVAL");
    CHECK(fails(syscall(SYS_utimensat, AT_FDCWD, "f", (void *)8, 0), EFAULT),
          "bad times pointer: EFAULT");
    CHECK(fails(utimensat(AT_FDCWD, (const char *)1, NULL, 0), EFAULT), "bad path: EFAULT");
}

static void nodes(void)
{
    CHECK(mknod("p", S_IFIFO | 0600, 0) == 0 && S_ISFIFO(st_of("p").st_mode), "mknod FIFO");
    CHECK(mkfifo("p2", 0644) == 0 && S_ISFIFO(st_of("p2").st_mode), "mkfifo");
    CHECK(mknod("null", S_IFCHR | 0666, makedev(1, 3)) == 0 && S_ISCHR(st_of("null").st_mode) &&
              st_of("null").st_rdev == makedev(1, 3),
          "mknod character device 1:3");
    CHECK(mknod("zero", S_IFCHR | 0666, makedev(1, 5)) == 0, "mknod character device 1:5");
    CHECK(mknod("blk", S_IFBLK | 0600, makedev(254, 99)) == 0 && S_ISBLK(st_of("blk").st_mode),
          "mknod block device");
    CHECK(mknod("sock", S_IFSOCK | 0600, 0) == 0 && S_ISSOCK(st_of("sock").st_mode),
          "mknod socket");
    CHECK(mknod("reg", 0600, 0) == 0 && S_ISREG(st_of("reg").st_mode), "mknod regular file");
    CHECK(mknodat(AT_FDCWD, "p3", S_IFIFO | 0600, 0) == 0, "mknodat");
    CHECK(fails(mknod("d", S_IFDIR | 0755, 0), EPERM), "mknod directory: EPERM");
    CHECK(fails(mknod("x", 0170000 | 0755, 0), EINVAL), "mknod of no type: EINVAL");
    CHECK(fails(mknod("p", S_IFIFO | 0600, 0), EEXIST), "mknod over a name: EEXIST");
    CHECK(fails(mknod((const char *)1, S_IFIFO, 0), EFAULT), "mknod bad pointer: EFAULT");
    int fd = open("null", O_RDWR);
    char buf[8] = "xxxxxxx";
    CHECK(fd >= 0 && write(fd, "abc", 3) == 3 && read(fd, buf, 8) == 0, "1:3 opens /dev/null");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_ino == st_of("null").st_ino,
          "fstat shows the node");
    close(fd);
    fd = open("zero", O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, 8) == 8 && buf[0] == 0 && buf[7] == 0, "1:5 reads zeros");
    close(fd);
    CHECK(fails(open("blk", O_RDONLY), ENXIO), "a device that does not exist: ENXIO");
    CHECK(fails(open("sock", O_RDONLY), ENXIO), "opening a socket node: ENXIO");
}

static void on_usr1(int sig)
{
    (void)sig;
}

static void fifos(void)
{
    CHECK(fails(open("p", O_WRONLY | O_NONBLOCK), ENXIO), "non-blocking writer, no reader: ENXIO");
    int r = open("p", O_RDONLY | O_NONBLOCK);
    CHECK(r >= 0, "non-blocking reader opens at once");
    int w = open("p", O_WRONLY | O_NONBLOCK);
    CHECK(w >= 0 && write(w, "abc", 3) == 3, "then a writer opens and writes");
    char buf[16];
    CHECK(read(r, buf, sizeof(buf)) == 3 && memcmp(buf, "abc", 3) == 0, "the reader reads it");
    close(w);
    close(r);
    int rw = open("p", O_RDWR);
    CHECK(rw >= 0 && write(rw, "x", 1) == 1 && read(rw, buf, 1) == 1, "O_RDWR never waits");
    close(rw);
    /* Two processes: the reader's open waits for the writer. */
    pid_t pid = fork();
    if (pid == 0) {
        sleep_ms(200);
        int fd = open("p", O_WRONLY);
        _exit(fd >= 0 && write(fd, "hello", 5) == 5 ? 0 : 1);
    }
    r = open("p", O_RDONLY);
    CHECK(r >= 0, "a reader waits for the writer");
    ssize_t n = 0, k;
    while ((k = read(r, buf + n, sizeof(buf) - (size_t)n)) > 0)
        n += k;
    CHECK(n == 5 && memcmp(buf, "hello", 5) == 0, "reads the writer's bytes, then end of file");
    close(r);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "the writer exits 0");
    /* And the other way round: the writer's open waits for a reader. */
    pid = fork();
    if (pid == 0) {
        sleep_ms(200);
        int fd = open("p2", O_RDONLY);
        char b[8];
        _exit(fd >= 0 && read(fd, b, 8) == 2 ? 0 : 1);
    }
    w = open("p2", O_WRONLY);
    CHECK(w >= 0 && write(w, "hi", 2) == 2, "a writer waits for the reader");
    close(w);
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "the reader got it");
    /* A signal interrupts the wait. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t parent = getpid();
    pid = fork();
    if (pid == 0) {
        sleep_ms(200);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    CHECK(fails(open("p3", O_RDONLY), EINTR), "a signal interrupts a waiting open: EINTR");
    waitpid(pid, &status, 0);
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : "/tmp";
    char dir[256];
    snprintf(dir, sizeof(dir), "%s/attrtest.%d", base, (int)getpid());
    CHECK(mkdir(dir, 0755) == 0 && chdir(dir) == 0, "work directory");
    umask(022);
    modes_and_owners();
    times();
    nodes();
    fifos();
    static const char *const names[] = { "f",    "l",    "p",   "p2",   "p3",
                                         "null", "zero", "blk", "sock", "reg" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        unlink(names[i]);
    CHECK(chdir("/") == 0 && rmdir(dir) == 0, "everything removed");
    printf("attrtest: %d checks, all passed\n", checks);
    return 0;
}
