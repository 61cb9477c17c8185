/*
 * test_sys_names.c - the name system calls (libproc/sys_names.c) and those
 * that change attributes (libproc/sys_attr.c: chmod, chown, mknod) on the host:
 * a process with a real user address space (uvm on simulated RAM) and a ramfs
 * root, calling proc_sys_* as the syscall table does. User pointers are real
 * user addresses: the calls must copy through uvm and turn every bad pointer
 * into -EFAULT.
 */
#include "../../../libproc/sys_priv.h"
#include "mm_sim.h"
#include "suites.h"
#include "test_uvm.h"
#include <check.h>
#include <k/errno.h>
#include <mm/heap.h>
#include <stdlib.h>
#include <string.h>
#include <vfs/ramfs.h>

#define UBUF 0x10000ull /* two user pages: paths at UBUF, results at UBUF + 4096 */
#define UOUT (UBUF + 4096)

static struct proc p;
static struct mm_sim_heap_src heap_src;
static struct mm_heap heap;

static void *v_alloc(size_t n)
{
    return malloc(n);
}

static void v_free(void *q)
{
    free(q);
}

static void setup(void)
{
    uvm_test_setup();
    mm_sim_heap_src_init(&heap_src, 1 << 20);
    struct mm_heap_config hc = { .kind = MM_HEAP_BLOCK,
                                 .base = (uintptr_t)heap_src.buf,
                                 .initial = 64 * 1024,
                                 .max = 1 << 20,
                                 .grow = mm_sim_heap_grow,
                                 .grow_ctx = &heap_src,
                                 .panic_on_misuse = true };
    ck_assert_int_eq(mm_heap_init(&heap, &hc), 0);
    mm_kheap_set(&heap);
    struct vfs_config vc = { .alloc = v_alloc, .free = v_free };
    ck_assert_int_eq(vfs_init(&vc), 0);
    ck_assert_int_eq(vfs_register_fs(&ramfs_type), 0);
    memset(&p, 0, sizeof(p));
    p.umask = 022;
    ck_assert_int_eq(vfs_mount_root(&p.files, "ramfs", NULL), 0);
    uvm_test_create(&p.vm);
    uint64_t got;
    ck_assert_int_eq(uvm_map(&p.vm, UBUF, 8192, UVM_PROT_READ | UVM_PROT_WRITE, UVM_MAP_FIXED,
                             &got),
                     0);
}

static void teardown(void)
{
    vfs_ctx_release(&p.files);
    ck_assert_int_eq(vfs_umount_all(), 0);
    uvm_destroy(&p.vm);
    struct mm_heap_stats st;
    mm_heap_get_stats(&heap, &st);
    ck_assert_uint_eq(st.live, 0); /* every call frees its path buffers */
    mm_kheap_set(NULL);
    mm_sim_heap_src_fini(&heap_src);
    uvm_test_teardown();
}

/* Put a string in user memory; returns its user address. */
static uint64_t upath(const char *s)
{
    ck_assert_int_eq(uvm_copy_out(&p.vm, UBUF, s, strlen(s) + 1), 0);
    return UBUF;
}

START_TEST(test_mkdir_stat_and_bad_pointers)
{
    ck_assert_int_eq(proc_sys_mkdir(&p, upath("/d"), 0777, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_mkdir(&p, upath("/d"), 0777, 0, 0, 0, 0), -EEXIST);
    ck_assert_int_eq(proc_sys_stat(&p, upath("/d"), UOUT, 0, 0, 0, 0), 0);
    uint32_t mode;
    ck_assert_int_eq(uvm_copy_in(&p.vm, &mode, UOUT + 24, 4), 0); /* st_mode */
    ck_assert_uint_eq(mode, 0040000 | 0755);                    /* umask 022 applied */
    /* Every kind of bad pointer is -EFAULT, for the path and for the result. */
    ck_assert_int_eq(proc_sys_mkdir(&p, 0xdead0000, 0777, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_mkdir(&p, 0xffff800000000000ull, 0777, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_mkdir(&p, 0, 0777, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_stat(&p, upath("/d"), 0x1000, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_stat(&p, upath("/d"), UBUF + 8192 - 8, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_mkdir(&p, upath(""), 0777, 0, 0, 0, 0), -ENOENT);
    /* A path with no NUL in reach: too long, or running off the mapping. */
    char big[5000];
    memset(big, 'a', sizeof(big));
    ck_assert_int_eq(uvm_copy_out(&p.vm, UBUF, big, 8192 > sizeof(big) ? sizeof(big) : 8192), 0);
    ck_assert_int_eq(proc_sys_mkdir(&p, UBUF, 0777, 0, 0, 0, 0), -ENAMETOOLONG);
    ck_assert_int_eq(uvm_copy_out(&p.vm, UBUF + 8192 - 4, "aaaa", 4), 0);
    ck_assert_int_eq(proc_sys_mkdir(&p, UBUF + 8192 - 4, 0777, 0, 0, 0, 0), -EFAULT);
}
END_TEST

/* st_mtime of @p path, through stat(2) (offset 88 of Linux's struct stat). */
static int64_t mtime_of(const char *path)
{
    ck_assert_int_eq(proc_sys_stat(&p, upath(path), UOUT, 0, 0, 0, 0), 0);
    int64_t t;
    ck_assert_int_eq(uvm_copy_in(&p.vm, &t, UOUT + 88, sizeof(t)), 0);
    return t;
}

/* Put two (seconds, fraction) pairs in user memory at UOUT + 2048. */
static uint64_t utimes_arg(int64_t s0, int64_t f0, int64_t s1, int64_t f1)
{
    int64_t v[4] = { s0, f0, s1, f1 };
    ck_assert_int_eq(uvm_copy_out(&p.vm, UOUT + 2048, v, sizeof(v)), 0);
    return UOUT + 2048;
}

START_TEST(test_utimensat_and_friends_set_mtime)
{
    ck_assert_int_eq(proc_sys_mkdir(&p, upath("/d"), 0777, 0, 0, 0, 0), 0);
    int fd = vfs_open(&p.files, "/d/f", VFS_O_CREAT | VFS_O_RDWR, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)AT_FDCWD, upath("/d/f"),
                                        utimes_arg(5, 0, 1000, 999999999), 0, 0, 0),
                     0);
    ck_assert_int_eq(mtime_of("/d/f"), 1000);
    /* UTIME_OMIT keeps it; a relative path from a directory descriptor */
    int dfd = vfs_open(&p.files, "/d", VFS_O_RDONLY, 0);
    ck_assert_int_ge(dfd, 0);
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)dfd, upath("f"),
                                        utimes_arg(7, 0, 0, (1l << 30) - 2), 0, 0, 0),
                     0);
    ck_assert_int_eq(mtime_of("/d/f"), 1000);
    /* a NULL path: the descriptor itself (futimens) */
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)fd, 0, utimes_arg(0, 0, 2000, 0), 0, 0, 0),
                     0);
    ck_assert_int_eq(mtime_of("/d/f"), 2000);
    /* utimes (timeval), futimesat, utime (utimbuf) */
    ck_assert_int_eq(proc_sys_utimes(&p, upath("/d/f"), utimes_arg(0, 0, 3000, 999999), 0, 0, 0,
                                     0),
                     0);
    ck_assert_int_eq(mtime_of("/d/f"), 3000);
    ck_assert_int_eq(proc_sys_futimesat(&p, (uint64_t)dfd, upath("f"),
                                        utimes_arg(0, 0, 4000, 0), 0, 0, 0),
                     0);
    ck_assert_int_eq(mtime_of("/d/f"), 4000);
    ck_assert_int_eq(proc_sys_utime(&p, upath("/d/f"), utimes_arg(1, 5000, 0, 0), 0, 0, 0, 0),
                     0);
    ck_assert_int_eq(mtime_of("/d/f"), 5000);
    /* NULL times: now (the test's VFS has no clock: 0) */
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)AT_FDCWD, upath("/d/f"), 0, 0, 0, 0), 0);
    ck_assert_int_eq(mtime_of("/d/f"), 0);
    /* errors */
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)AT_FDCWD, upath("/d/f"),
                                        utimes_arg(0, -1, 0, 0), 0, 0, 0),
                     -EINVAL);
    ck_assert_int_eq(proc_sys_utimes(&p, upath("/d/f"), utimes_arg(0, 1000000, 0, 0), 0, 0, 0,
                                     0),
                     -EINVAL);
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)AT_FDCWD, upath("/d/f"), 0, 0x8000, 0, 0),
                     -EINVAL);
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)AT_FDCWD, upath("/nope"), 0, 0, 0, 0),
                     -ENOENT);
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)AT_FDCWD, 0, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_utimensat(&p, 99, 0, 0, 0, 0, 0), -EBADF);
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)AT_FDCWD, upath("/d/f"), 0xdead0000, 0, 0,
                                        0),
                     -EFAULT);
    ck_assert_int_eq(proc_sys_utimes(&p, 0, 0, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_utime(&p, upath("/d/f"), 0xdead0000, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)AT_FDCWD, upath(""), 0, 0, 0, 0), -ENOENT);
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)fd, upath(""), utimes_arg(0, 0, 6000, 0),
                                        AT_EMPTY_PATH, 0, 0),
                     0);
    ck_assert_int_eq(mtime_of("/d/f"), 6000);
    vfs_close(&p.files, fd);
    vfs_close(&p.files, dfd);
}
END_TEST

START_TEST(test_getcwd_chdir_umask)
{
    ck_assert_int_eq(proc_sys_getcwd(&p, UOUT, 64, 0, 0, 0, 0), 2);
    char cwd[8];
    ck_assert_int_eq(uvm_copy_in(&p.vm, cwd, UOUT, 2), 0);
    ck_assert_str_eq(cwd, "/");
    ck_assert_int_eq(proc_sys_getcwd(&p, UOUT, 1, 0, 0, 0, 0), -ERANGE);
    ck_assert_int_eq(proc_sys_getcwd(&p, 0x1000, 64, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_mkdir(&p, upath("/sub"), 0700, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_chdir(&p, upath("sub"), 0, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_getcwd(&p, UOUT, 64, 0, 0, 0, 0), 5);
    ck_assert_int_eq(proc_sys_chdir(&p, upath("/nope"), 0, 0, 0, 0, 0), -ENOENT);
    ck_assert_int_eq(proc_sys_umask(&p, 077, 0, 0, 0, 0, 0), 022);
    ck_assert_int_eq(proc_sys_umask(&p, 022, 0, 0, 0, 0, 0), 077);
}
END_TEST

START_TEST(test_symlink_readlink_rename_unlink)
{
    ck_assert_int_eq(proc_sys_mkdir(&p, upath("/d"), 0755, 0, 0, 0, 0), 0);
    /* Two paths: the target at UBUF, the link name just after it. */
    ck_assert_int_eq(uvm_copy_out(&p.vm, UBUF, "/d\0/l", 6), 0);
    ck_assert_int_eq(proc_sys_symlink(&p, UBUF, UBUF + 3, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_readlink(&p, upath("/l"), UOUT, 64, 0, 0, 0), 2);
    ck_assert_int_eq(proc_sys_readlink(&p, upath("/l"), UOUT, 1, 0, 0, 0), 1); /* truncated */
    ck_assert_int_eq(proc_sys_readlink(&p, upath("/l"), UOUT, 0, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(proc_sys_readlink(&p, upath("/l"), 0x1000, 64, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(uvm_copy_out(&p.vm, UBUF, "/l\0/m", 6), 0);
    ck_assert_int_eq(proc_sys_rename(&p, UBUF, UBUF + 3, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_unlink(&p, upath("/l"), 0, 0, 0, 0, 0), -ENOENT);
    ck_assert_int_eq(proc_sys_unlink(&p, upath("/m"), 0, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_unlinkat(&p, (uint64_t)-100, upath("/d"), 0, 0, 0, 0), -EISDIR);
    ck_assert_int_eq(proc_sys_unlinkat(&p, (uint64_t)-100, upath("/d"), 0x200, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_unlinkat(&p, (uint64_t)-100, upath("/d"), 0x7, 0, 0, 0), -EINVAL);
}
END_TEST

START_TEST(test_getdents64_lists_with_linux_records)
{
    ck_assert_int_eq(proc_sys_mkdir(&p, upath("/dir"), 0755, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_mkdir(&p, upath("/dir/a"), 0755, 0, 0, 0, 0), 0);
    int fd = vfs_open(&p.files, "/dir", VFS_O_RDONLY | VFS_O_DIRECTORY, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proc_sys_getdents64(&p, (uint64_t)fd, UOUT, 16, 0, 0, 0), -EINVAL);
    int64_t n = proc_sys_getdents64(&p, (uint64_t)fd, UOUT, 4096, 0, 0, 0);
    ck_assert_int_gt(n, 0);
    uint8_t buf[4096];
    ck_assert_int_eq(uvm_copy_in(&p.vm, buf, UOUT, (size_t)n), 0);
    int found_a = 0;
    for (int64_t off = 0; off < n;) {
        uint16_t reclen;
        memcpy(&reclen, buf + off + 16, 2);
        ck_assert_uint_eq(reclen % 8, 0);
        if (strcmp((char *)buf + off + 19, "a") == 0) {
            found_a = 1;
            ck_assert_uint_eq(buf[off + 18], 4); /* DT_DIR */
        }
        off += reclen;
    }
    ck_assert(found_a);
    ck_assert_int_eq(proc_sys_getdents64(&p, (uint64_t)fd, UOUT, 4096, 0, 0, 0), 0); /* end */
    ck_assert_int_eq(proc_sys_getdents64(&p, 99, UOUT, 4096, 0, 0, 0), -EBADF);
    vfs_close(&p.files, fd);
}
END_TEST

/* A 32-bit field of Linux's struct stat of @p path (lstat with !follow). */
static uint64_t stat_field(const char *path, bool follow, size_t off, size_t size)
{
    if (follow)
        ck_assert_int_eq(proc_sys_stat(&p, upath(path), UOUT, 0, 0, 0, 0), 0);
    else
        ck_assert_int_eq(proc_sys_lstat(&p, upath(path), UOUT, 0, 0, 0, 0), 0);
    uint64_t v = 0;
    ck_assert_int_eq(uvm_copy_in(&p.vm, &v, UOUT + off, size), 0);
    return v;
}
#define ST_MODE(path)  stat_field(path, true, 24, 4)
#define ST_UID(path)   stat_field(path, true, 28, 4)
#define ST_GID(path)   stat_field(path, true, 32, 4)
#define ST_RDEV(path)  stat_field(path, true, 40, 8)
#define EOPNOTSUPP_    95

START_TEST(test_chmod_family)
{
    ck_assert_int_eq(proc_sys_mkdir(&p, upath("/d"), 0777, 0, 0, 0, 0), 0);
    int fd = vfs_open(&p.files, "/d/f", VFS_O_CREAT | VFS_O_RDWR, 0644);
    ck_assert_int_eq(proc_sys_chmod(&p, upath("/d/f"), 0777777, 0, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_MODE("/d/f"), 0100000 | 07777); /* bits above 07777 ignored */
    int dfd = vfs_open(&p.files, "/d", VFS_O_RDONLY, 0);
    ck_assert_int_eq(proc_sys_fchmodat(&p, (uint64_t)dfd, upath("f"), 0640, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_MODE("/d/f"), 0100640);
    ck_assert_int_eq(proc_sys_fchmod(&p, (uint64_t)fd, 0600, 0, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_MODE("/d/f"), 0100600);
    ck_assert_int_eq(proc_sys_fchmodat2(&p, (uint64_t)fd, upath(""), 0444, AT_EMPTY_PATH, 0, 0),
                     0);
    ck_assert_uint_eq(ST_MODE("/d/f"), 0100444);
    ck_assert_int_eq(uvm_copy_out(&p.vm, UBUF, "f\0/d/l", 7), 0);
    ck_assert_int_eq(proc_sys_symlink(&p, UBUF, UBUF + 2, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_fchmodat2(&p, (uint64_t)AT_FDCWD, upath("/d/l"), 0600,
                                        AT_SYMLINK_NOFOLLOW, 0, 0),
                     -EOPNOTSUPP_);
    ck_assert_int_eq(proc_sys_fchmodat2(&p, (uint64_t)AT_FDCWD, upath("/d/l"), 0600, 0x4, 0, 0),
                     -EINVAL);
    ck_assert_int_eq(proc_sys_chmod(&p, upath("/d/l"), 0604, 0, 0, 0, 0), 0); /* followed */
    ck_assert_uint_eq(ST_MODE("/d/f"), 0100604);
    ck_assert_int_eq(proc_sys_chmod(&p, 0xdead0000, 0600, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_chmod(&p, 0, 0600, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_chmod(&p, upath(""), 0600, 0, 0, 0, 0), -ENOENT);
    ck_assert_int_eq(proc_sys_chmod(&p, upath("/nope"), 0600, 0, 0, 0, 0), -ENOENT);
    ck_assert_int_eq(proc_sys_fchmod(&p, 99, 0600, 0, 0, 0, 0), -EBADF);
    ck_assert_int_eq(proc_sys_fchmodat(&p, 99, upath("f"), 0600, 0, 0, 0), -EBADF);
    vfs_close(&p.files, fd);
    vfs_close(&p.files, dfd);
}
END_TEST

START_TEST(test_chown_family)
{
    int fd = vfs_open(&p.files, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644);
    ck_assert_int_eq(proc_sys_chown(&p, upath("/f"), 1000, 100, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_UID("/f"), 1000);
    ck_assert_uint_eq(ST_GID("/f"), 100);
    ck_assert_int_eq(proc_sys_chown(&p, upath("/f"), (uint32_t)-1, 5, 0, 0, 0), 0); /* -1: kept */
    ck_assert_uint_eq(ST_UID("/f"), 1000);
    ck_assert_uint_eq(ST_GID("/f"), 5);
    ck_assert_int_eq(proc_sys_fchown(&p, (uint64_t)fd, 7, (uint64_t)-1, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_UID("/f"), 7);
    ck_assert_uint_eq(ST_GID("/f"), 5);
    ck_assert_int_eq(uvm_copy_out(&p.vm, UBUF, "/f\0/l", 6), 0);
    ck_assert_int_eq(proc_sys_symlink(&p, UBUF, UBUF + 3, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_lchown(&p, upath("/l"), 1, 2, 0, 0, 0), 0);
    ck_assert_uint_eq(stat_field("/l", false, 28, 4), 1);
    ck_assert_uint_eq(ST_UID("/f"), 7);
    ck_assert_int_eq(proc_sys_fchownat(&p, (uint64_t)AT_FDCWD, upath("/l"), 3, 4, 0, 0), 0);
    ck_assert_uint_eq(ST_UID("/f"), 3);
    ck_assert_int_eq(proc_sys_fchownat(&p, (uint64_t)fd, upath(""), 8, 9, AT_EMPTY_PATH, 0), 0);
    ck_assert_uint_eq(ST_GID("/f"), 9);
    ck_assert_int_eq(proc_sys_fchownat(&p, (uint64_t)AT_FDCWD, upath("/f"), 1, 1, 0x1, 0),
                     -EINVAL);
    ck_assert_int_eq(proc_sys_fchownat(&p, (uint64_t)fd, upath(""), 1, 1, 0, 0), -ENOENT);
    ck_assert_int_eq(proc_sys_chown(&p, 0xdead0000, 1, 1, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_fchown(&p, 99, 1, 1, 0, 0, 0), -EBADF);
    vfs_close(&p.files, fd);
}
END_TEST

START_TEST(test_mknod_family)
{
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/p"), 0010666, 0, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_MODE("/p"), 0010644); /* umask 022 */
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/c"), 0020600, 0x0103, 0, 0, 0), 0); /* 1:3 */
    ck_assert_uint_eq(ST_MODE("/c"), 0020600);
    ck_assert_uint_eq(ST_RDEV("/c"), 0x0103);
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/b"), 0060600, 0x12345678, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_RDEV("/b"), 0x12345678); /* Linux's 32-bit encoding, as given */
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/s"), 0140755, 0, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_MODE("/s"), 0140755);
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/r"), 0600, 0, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_MODE("/r"), 0100600);
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/r2"), 0100600, 0, 0, 0, 0), 0);
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/d"), 0040755, 0, 0, 0, 0), -EPERM);
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/x"), 0070755, 0, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/x"), 0170755, 0, 0, 0, 0), -EINVAL);
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/p"), 0010666, 0, 0, 0, 0), -EEXIST);
    ck_assert_int_eq(proc_sys_mknod(&p, 0xdead0000, 0010666, 0, 0, 0, 0), -EFAULT);
    ck_assert_int_eq(proc_sys_mknod(&p, upath("/no/p"), 0010666, 0, 0, 0, 0), -ENOENT);
    ck_assert_int_eq(proc_sys_mkdir(&p, upath("/dir"), 0755, 0, 0, 0, 0), 0);
    int dfd = vfs_open(&p.files, "/dir", VFS_O_RDONLY, 0);
    ck_assert_int_eq(proc_sys_mknodat(&p, (uint64_t)dfd, upath("q"), 0010600, 0, 0, 0), 0);
    ck_assert_uint_eq(ST_MODE("/dir/q"), 0010600);
    ck_assert_int_eq(proc_sys_mknodat(&p, 99, upath("q"), 0010600, 0, 0, 0), -EBADF);
    /* getdents64 names the types: DT_FIFO 1, DT_SOCK 12 */
    int64_t n = proc_sys_getdents64(&p, (uint64_t)dfd, UOUT, 4096, 0, 0, 0);
    uint8_t buf[512];
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(uvm_copy_in(&p.vm, buf, UOUT, (size_t)n), 0);
    int fifo = 0;
    for (int64_t off = 0; off < n;) {
        uint16_t reclen;
        memcpy(&reclen, buf + off + 16, 2);
        if (strcmp((char *)buf + off + 19, "q") == 0)
            fifo = buf[off + 18] == 1;
        off += reclen;
    }
    ck_assert(fifo);
    vfs_close(&p.files, dfd);
}
END_TEST

START_TEST(test_stat_times_have_nanoseconds)
{
    int fd = vfs_open(&p.files, "/f", VFS_O_CREAT | VFS_O_RDWR, 0644);
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)AT_FDCWD, upath("/f"),
                                        utimes_arg(-7, 123, 1700000000, 999999999), 0, 0, 0),
                     0);
    ck_assert_int_eq((int64_t)stat_field("/f", true, 72, 8), -7);         /* st_atime */
    ck_assert_uint_eq(stat_field("/f", true, 80, 8), 123);                /* st_atime_nsec */
    ck_assert_uint_eq(stat_field("/f", true, 88, 8), 1700000000);         /* st_mtime */
    ck_assert_uint_eq(stat_field("/f", true, 96, 8), 999999999);          /* st_mtime_nsec */
    ck_assert_int_eq(proc_sys_utimes(&p, upath("/f"), utimes_arg(1, 2, 3, 999999), 0, 0, 0, 0),
                     0);
    ck_assert_uint_eq(stat_field("/f", true, 96, 8), 999999000); /* microseconds */
    ck_assert_int_eq(proc_sys_utimensat(&p, (uint64_t)fd, 0, 0, AT_SYMLINK_NOFOLLOW, 0, 0),
                     -EINVAL); /* no flags on the descriptor form */
    vfs_close(&p.files, fd);
}
END_TEST

Suite *sys_names_suite(void)
{
    Suite *s = suite_create("sys_names");
    TCase *tc = tcase_create("names");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_mkdir_stat_and_bad_pointers);
    tcase_add_test(tc, test_utimensat_and_friends_set_mtime);
    tcase_add_test(tc, test_getcwd_chdir_umask);
    tcase_add_test(tc, test_symlink_readlink_rename_unlink);
    tcase_add_test(tc, test_getdents64_lists_with_linux_records);
    suite_add_tcase(s, tc);
    TCase *ta = tcase_create("attr");
    tcase_add_checked_fixture(ta, setup, teardown);
    tcase_add_test(ta, test_chmod_family);
    tcase_add_test(ta, test_chown_family);
    tcase_add_test(ta, test_mknod_family);
    tcase_add_test(ta, test_stat_times_have_nanoseconds);
    suite_add_tcase(s, ta);
    return s;
}
