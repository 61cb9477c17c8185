/*
 * test_sys_names.c - the name system calls (libproc/sys_names.c) on the host:
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
    return s;
}
