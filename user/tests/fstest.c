/*
 * fstest.c - the file-system and system-state calls, with their errors:
 * mount (tmpfs, read-only, remount, sfs from a block device), umount2 (busy,
 * not mounted, lazy), statfs and fstatfs (f_type per file system), sync,
 * syncfs, sysinfo, syslog (klogctl: sizes, READ_ALL whole records, clear),
 * getrusage and times; and that /proc/mounts follows every change.
 *
 *   fstest [DEV [clear]]   DEV: a spare SFS disk to mount (e.g. /dev/vdb), or "-"
 *                          for none; "clear" also tests syslog's CLEAR
 *
 * Prints one line per check and "fstest: N checks, all passed" at the end;
 * exits 1 at the first failure. Works in /tmp/fstest.PID and removes it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <unistd.h>

#define SFS_MAGIC   0x21534653
#define PROC_MAGIC  0x9fa0
#define RAMFS_MAGIC 0x858458f6

static int checks;

#define CHECK(c, what)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("fstest: FAILED: %s (errno %d)\n", what, errno);                                \
            exit(1);                                                                               \
        }                                                                                          \
        checks++;                                                                                  \
        printf("fstest: ok: %s\n", what);                                                          \
    } while (0)

static int fails(long r, int e)
{
    return r == -1 && errno == e;
}

/* Does /proc/mounts have a line starting with @prefix? */
static int mounts_has(const char *prefix)
{
    static char buf[8192];
    int fd = open("/proc/mounts", O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    size_t len = strlen(prefix);
    for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : 0)
        if (strncmp(line, prefix, len) == 0)
            return 1;
    return 0;
}

static long magic_of(const char *path)
{
    struct statfs st;
    return statfs(path, &st) == 0 ? (long)st.f_type : -1;
}

static void test_statfs(void)
{
    struct statfs st;
    CHECK(statfs("/", &st) == 0 && st.f_type == SFS_MAGIC, "statfs / is SFS");
    CHECK(st.f_bsize > 0 && st.f_blocks > 0 && st.f_bfree <= st.f_blocks &&
              st.f_bavail == st.f_bfree && st.f_namelen == 255 && st.f_frsize == st.f_bsize,
          "statfs / sizes");
    CHECK(st.f_files > 0 && st.f_ffree <= st.f_files, "statfs / inodes");
    CHECK(magic_of("/proc") == PROC_MAGIC, "statfs /proc is proc");
    CHECK(magic_of("/tmp") == RAMFS_MAGIC, "statfs /tmp is ramfs");
    CHECK(fails(statfs("/no/such", &st), ENOENT), "statfs of a missing path: ENOENT");
    /* musl clears the struct first: ask the kernel directly */
    CHECK(fails(syscall(SYS_statfs, "/", 8), EFAULT), "statfs to a bad pointer: EFAULT");
    int fd = open("/proc/meminfo", O_RDONLY);
    CHECK(fd >= 0 && fstatfs(fd, &st) == 0 && st.f_type == PROC_MAGIC, "fstatfs on /proc");
    CHECK(syncfs(fd) == 0, "syncfs");
    close(fd);
    CHECK(fails(fstatfs(99, &st), EBADF), "fstatfs of a closed descriptor: EBADF");
    int pfd[2];
    CHECK(pipe(pfd) == 0 && fstatfs(pfd[0], &st) == 0 && st.f_type == 0x50495045,
          "fstatfs of a pipe: pipefs");
    close(pfd[0]);
    close(pfd[1]);
    CHECK(fails(syncfs(99), EBADF), "syncfs of a closed descriptor: EBADF");
    /* A descriptor whose low 32 bits name an open one (the fuzzer found
     * fcntl reading far past the table with it). */
    CHECK(fails(syscall(SYS_fcntl, (1L << 32) | 1, F_SETFL, 0L), EBADF) &&
              fails(syscall(SYS_fcntl, (1L << 32) | 1, F_GETFL), EBADF),
          "fcntl of a descriptor above 2^32: EBADF");
    sync();
    CHECK(1, "sync");
}

static void test_tmpfs(const char *m, const char *file)
{
    char line[256];
    CHECK(mount("none", m, "tmpfs", 0, NULL) == 0, "mount tmpfs");
    snprintf(line, sizeof(line), "none %s ramfs rw 0 0", m);
    CHECK(mounts_has(line), "/proc/mounts lists it");
    CHECK(magic_of(m) == RAMFS_MAGIC, "statfs of the mount point");
    CHECK(fails(mount("none", m, "tmpfs", 0, NULL), EBUSY), "mount over a mount point: EBUSY");
    int fd = open(file, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0 && write(fd, "x", 1) == 1, "write a file on it");
    CHECK(fails(umount2(m, 0), EBUSY), "umount2 with a file open: EBUSY");
    close(fd);
    CHECK(chdir(m) == 0 && fails(umount2(m, 0), EBUSY), "umount2 while the cwd is in it: EBUSY");
    CHECK(chdir("/") == 0, "chdir out");
    CHECK(fails(umount2(m, MNT_DETACH), EINVAL), "lazy umount2: EINVAL");
    CHECK(umount2(m, 0) == 0, "umount2");
    CHECK(!mounts_has(line), "/proc/mounts no longer lists it");
    CHECK(access(file, F_OK) == -1 && errno == ENOENT, "its file is gone with it");
    CHECK(fails(umount2(m, 0), EINVAL), "umount2 of a plain directory: EINVAL");
}

static void test_read_only(const char *m, const char *file)
{
    char line[256];
    struct statfs st;
    CHECK(mount("ro-test", m, "ramfs", MS_RDONLY | MS_NOSUID, NULL) == 0, "mount read-only");
    snprintf(line, sizeof(line), "ro-test %s ramfs ro,nosuid 0 0", m);
    CHECK(mounts_has(line), "/proc/mounts says ro,nosuid");
    CHECK(statfs(m, &st) == 0 && (st.f_flags & ST_RDONLY) && (st.f_flags & ST_NOSUID),
          "statfs f_flags has ST_RDONLY");
    CHECK(fails(open(file, O_WRONLY | O_CREAT, 0644), EROFS), "create on it: EROFS");
    char sub[256];
    snprintf(sub, sizeof(sub), "%s/d", m);
    CHECK(fails(mkdir(sub, 0755), EROFS), "mkdir on it: EROFS");
    CHECK(mount(NULL, m, NULL, MS_REMOUNT, NULL) == 0, "remount read-write");
    int fd = open(file, O_WRONLY | O_CREAT, 0644);
    CHECK(fd >= 0, "create after the remount");
    CHECK(fails(mount(NULL, m, NULL, MS_REMOUNT | MS_RDONLY, NULL), EBUSY),
          "remount read-only with a file open for writing: EBUSY");
    close(fd);
    CHECK(mount(NULL, m, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "remount read-only");
    CHECK(fails(unlink(file), EROFS), "unlink on it: EROFS");
    CHECK(umount2(m, 0) == 0, "umount2 the read-only mount");
}

static void test_mount_errors(const char *m, const char *file)
{
    CHECK(fails(mount("none", m, "nosuchfs", 0, NULL), ENODEV), "unknown type: ENODEV");
    CHECK(fails(mount("/dev/null", m, "sfs", 0, NULL), ENOTBLK), "sfs on a char device: ENOTBLK");
    CHECK(fails(mount("/dev/nope", m, "sfs", 0, NULL), ENOENT), "sfs on a missing device: ENOENT");
    CHECK(fails(mount(NULL, m, "sfs", 0, NULL), ENOTBLK), "sfs without a device: ENOTBLK");
    CHECK(fails(mount("/dev/vda", m, "sfs", 0, NULL), EBUSY), "the root disk again: EBUSY");
    CHECK(fails(mount("none", "/no/such", "tmpfs", 0, NULL), ENOENT), "missing target: ENOENT");
    int fd = open(file, O_WRONLY | O_CREAT, 0644);
    close(fd);
    CHECK(fails(mount("none", file, "tmpfs", 0, NULL), ENOTDIR), "file as target: ENOTDIR");
    unlink(file);
    CHECK(fails(mount("none", m, "tmpfs", MS_BIND, NULL), EINVAL), "bind mount: EINVAL");
    CHECK(fails(mount("none", m, (const char *)8, 0, NULL), EFAULT), "bad type pointer: EFAULT");
    CHECK(fails(umount2("/no/such", 0), ENOENT), "umount2 of a missing path: ENOENT");
    CHECK(fails(umount2(m, 0x100), EINVAL), "umount2 with unknown flags: EINVAL");
}

static void test_sfs_disk(const char *dev, const char *m)
{
    char line[256], path[256];
    CHECK(mount(dev, m, "sfs", 0, NULL) == 0, "mount the spare SFS disk");
    snprintf(line, sizeof(line), "%s %s sfs rw 0 0", dev, m);
    CHECK(mounts_has(line), "/proc/mounts lists the disk");
    CHECK(magic_of(m) == SFS_MAGIC, "statfs says SFS");
    CHECK(fails(mount(dev, "/tmp", "sfs", 0, NULL), EBUSY), "the same disk twice: EBUSY");
    snprintf(path, sizeof(path), "%s/fstest-file", m);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, "kept\n", 5) == 5 && close(fd) == 0, "write a file on the disk");
    CHECK(umount2(m, 0) == 0, "umount2 the disk");
    CHECK(mount(dev, m, "sfs", MS_RDONLY, NULL) == 0, "mount it again read-only");
    char buf[16] = { 0 };
    fd = open(path, O_RDONLY);
    CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 5 && strcmp(buf, "kept\n") == 0,
          "the file survived the unmount");
    close(fd);
    CHECK(fails(unlink(path), EROFS), "read-only disk refuses unlink: EROFS");
    CHECK(umount2(m, 0) == 0, "umount2 the read-only disk");
}

static void test_sysinfo_and_usage(void)
{
    struct sysinfo si;
    CHECK(sysinfo(&si) == 0, "sysinfo");
    CHECK(si.mem_unit == 1 && si.totalram > (1ul << 20) && si.freeram > 0 &&
              si.freeram <= si.totalram,
          "sysinfo memory");
    CHECK(si.procs >= 1 && si.totalswap == 0, "sysinfo procs");
    CHECK(fails(syscall(SYS_sysinfo, 8), EFAULT), "sysinfo to a bad pointer: EFAULT");
    struct rusage ru;
    CHECK(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_minflt > 0 && ru.ru_maxrss > 0,
          "getrusage self");
    CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0, "getrusage children");
    CHECK(fails(getrusage(5, &ru), EINVAL), "getrusage who=5: EINVAL");
    struct tms t;
    CHECK(times(&t) > 0, "times");
}

static void test_syslog(int clear)
{
    int size = klogctl(10, NULL, 0);
    CHECK(size > 4096, "syslog SIZE_BUFFER");
    char *buf = malloc((size_t)size + 1);
    int n = klogctl(3, buf, size);
    CHECK(n > 0 && buf[0] == '<' && buf[n - 1] == '\n', "syslog READ_ALL");
    buf[n] = '\0';
    CHECK(strstr(buf, "] fs: ") != NULL, "records read <level>[seconds.micros] subsystem: text");
    CHECK(klogctl(9, NULL, 0) >= n, "syslog SIZE_UNREAD");
    int small = klogctl(3, buf, 200);
    CHECK(small > 0 && small <= 200 && buf[0] == '<' && buf[small - 1] == '\n',
          "READ_ALL into a small buffer gives whole records");
    CHECK(fails(klogctl(3, NULL, 10), EINVAL), "READ_ALL to NULL: EINVAL");
    CHECK(fails(klogctl(3, buf, -1), EINVAL), "READ_ALL with a negative length: EINVAL");
    CHECK(fails(klogctl(3, (char *)8, 100), EFAULT), "READ_ALL to a bad pointer: EFAULT");
    CHECK(fails(klogctl(2, buf, 10), EINVAL), "the consuming READ: EINVAL");
    CHECK(fails(klogctl(8, NULL, 9), EINVAL), "console level 9: EINVAL");
    CHECK(klogctl(0, NULL, 0) == 0 && klogctl(1, NULL, 0) == 0, "syslog CLOSE and OPEN");
    if (clear) { /* dmesg -C: the records go for every later reader of syslog(2) */
        CHECK(klogctl(5, NULL, 0) == 0, "syslog CLEAR");
        CHECK(klogctl(3, buf, size) < n, "after CLEAR, READ_ALL has less");
    }
    free(buf);
}

int main(int argc, char **argv)
{
    char dir[64], m[96], file[128];
    snprintf(dir, sizeof(dir), "/tmp/fstest.%d", (int)getpid());
    snprintf(m, sizeof(m), "%s/m", dir);
    snprintf(file, sizeof(file), "%s/f", m);
    CHECK(mkdir(dir, 0755) == 0 && mkdir(m, 0755) == 0, "make the work directories");
    test_statfs();
    test_tmpfs(m, file);
    test_read_only(m, file);
    test_mount_errors(m, file);
    if (argc > 1 && strcmp(argv[1], "-") != 0)
        test_sfs_disk(argv[1], m);
    test_sysinfo_and_usage();
    test_syslog(argc > 2 && strcmp(argv[2], "clear") == 0);
    CHECK(rmdir(m) == 0 && rmdir(dir) == 0, "remove the work directories");
    printf("fstest: %d checks, all passed\n", checks);
    return 0;
}
