/*
 * sys_priv.h - what the system-call files share (syscall.c, sys_io.c,
 * sys_names.c, sys_proc.c, sys_tty.c): Linux's constants, the user-path helpers and
 * every call's prototype.
 */
#ifndef PROC_SYS_PRIV_H
#define PROC_SYS_PRIV_H

#include "proc_priv.h"

#define IOBUF               4096
#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EMPTY_PATH       0x1000
#define AT_EACCESS          0x200 /* faccessat2 (shares AT_REMOVEDIR's bit) */
#define AT_SYMLINK_FOLLOW   0x400
#define RENAME_NOREPLACE    1
_Static_assert(AT_FDCWD == VFS_AT_FDCWD, "descriptors pass straight to the VFS's *at calls");
#define O_CLOEXEC  0x80000
#define FD_CLOEXEC 1

/* Every system call: the process, then the six argument registers. */
typedef int64_t (*proc_sys_fn)(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                               uint64_t a4, uint64_t a5);

#define PROC_SYSCALL(name)                                                                         \
    int64_t proc_sys_##name(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,    \
                            uint64_t a4, uint64_t a5)

PROC_SYSCALL(read);
PROC_SYSCALL(write);
PROC_SYSCALL(pwrite64);
PROC_SYSCALL(pread64);
PROC_SYSCALL(readv);
PROC_SYSCALL(writev);
PROC_SYSCALL(openat);
PROC_SYSCALL(open);
PROC_SYSCALL(close);
PROC_SYSCALL(lseek);
PROC_SYSCALL(fstat);
PROC_SYSCALL(newfstatat);
PROC_SYSCALL(stat);
PROC_SYSCALL(lstat);
PROC_SYSCALL(faccessat2);
PROC_SYSCALL(faccessat);
PROC_SYSCALL(access);
PROC_SYSCALL(ioctl);
PROC_SYSCALL(dup);
PROC_SYSCALL(dup3);
PROC_SYSCALL(dup2);
PROC_SYSCALL(fcntl);
PROC_SYSCALL(fsync);
PROC_SYSCALL(ftruncate);
PROC_SYSCALL(truncate);
PROC_SYSCALL(chdir);
PROC_SYSCALL(fchdir);
PROC_SYSCALL(mkdir);
PROC_SYSCALL(mkdirat);
PROC_SYSCALL(rmdir);
PROC_SYSCALL(unlink);
PROC_SYSCALL(unlinkat);
PROC_SYSCALL(renameat2);
PROC_SYSCALL(renameat);
PROC_SYSCALL(rename);
PROC_SYSCALL(linkat);
PROC_SYSCALL(link);
PROC_SYSCALL(symlinkat);
PROC_SYSCALL(symlink);
PROC_SYSCALL(readlinkat);
PROC_SYSCALL(readlink);
PROC_SYSCALL(getcwd);
PROC_SYSCALL(getdents64);
PROC_SYSCALL(umask);
PROC_SYSCALL(pipe2);
PROC_SYSCALL(pipe);
PROC_SYSCALL(brk);
PROC_SYSCALL(mmap);
PROC_SYSCALL(munmap);
PROC_SYSCALL(madvise);
PROC_SYSCALL(utime);
PROC_SYSCALL(utimes);
PROC_SYSCALL(futimesat);
PROC_SYSCALL(utimensat);
PROC_SYSCALL(mprotect);
PROC_SYSCALL(exit_group);
PROC_SYSCALL(getpid);
PROC_SYSCALL(getppid);
PROC_SYSCALL(getuid);
PROC_SYSCALL(set_tid_address);
PROC_SYSCALL(set_robust_list);
PROC_SYSCALL(arch_prctl);
PROC_SYSCALL(fork);
PROC_SYSCALL(clone);
PROC_SYSCALL(execve);
PROC_SYSCALL(wait4);
PROC_SYSCALL(kill);
PROC_SYSCALL(tgkill);
PROC_SYSCALL(tkill);
PROC_SYSCALL(rt_sigprocmask);
PROC_SYSCALL(rt_sigaction);
PROC_SYSCALL(rt_sigreturn);
PROC_SYSCALL(rt_sigpending);
PROC_SYSCALL(time);
PROC_SYSCALL(prctl);
PROC_SYSCALL(rseq);
PROC_SYSCALL(uname);
PROC_SYSCALL(sched_yield);
PROC_SYSCALL(getrandom);
PROC_SYSCALL(clock_gettime);
PROC_SYSCALL(gettimeofday);
PROC_SYSCALL(nanosleep);
PROC_SYSCALL(clock_nanosleep);
PROC_SYSCALL(prlimit64);
PROC_SYSCALL(reboot);
/* sys_attr.c */
PROC_SYSCALL(chmod);
PROC_SYSCALL(fchmod);
PROC_SYSCALL(fchmodat);
PROC_SYSCALL(fchmodat2);
PROC_SYSCALL(chown);
PROC_SYSCALL(fchown);
PROC_SYSCALL(lchown);
PROC_SYSCALL(fchownat);
PROC_SYSCALL(mknod);
PROC_SYSCALL(mknodat);
/* sys_fs.c */
PROC_SYSCALL(mount);
PROC_SYSCALL(umount2);
PROC_SYSCALL(sync);
PROC_SYSCALL(syncfs);
PROC_SYSCALL(statfs);
PROC_SYSCALL(fstatfs);
PROC_SYSCALL(sysinfo);
PROC_SYSCALL(syslog);
PROC_SYSCALL(getrusage);
PROC_SYSCALL(times);
PROC_SYSCALL(setpgid);
PROC_SYSCALL(getpgrp);
PROC_SYSCALL(setsid);
PROC_SYSCALL(getpgid);
PROC_SYSCALL(getsid);

/* A path buffer for one call, freed by the caller. */
#define PATHBUF(name)                                                                              \
    char *name = kmalloc(VFS_PATH_MAX);                                                            \
    if (!name)                                                                                     \
        return -ENOMEM;

/* Copy in a user path: 0, -EFAULT, -ENAMETOOLONG, or -ENOENT when empty. */
int proc_user_path(struct proc *p, uint64_t u, char *out);
/* Copy in the path of an *at call and pick its context (vfs_at_begin). */
int proc_at_path(struct proc *p, int64_t dirfd, uint64_t upath, char *out, struct vfs_ctx **at);
/* Write a Linux struct stat to user memory. */
int proc_put_stat(struct proc *p, uint64_t ubuf, const struct vfs_stat *st);
/* O_DIRECT: read into (or write from) the user's pages in place (sys_direct.c).
 * Bytes moved, an error, or -ENOTBLK: not possible here, copy as usual. */
int64_t proc_direct_io(struct proc *p, int fd, uint64_t ubuf, uint64_t n, bool write, bool at,
                       uint64_t off);
/* Any other read or write of a file or block device of 16 KiB or more, or of
 * whole pages: the file system copies (or its device moves) the data straight
 * to or from the user's pinned pages, with no kernel buffer between
 * (sys_direct.c). Same answers. */
int64_t proc_inplace_io(struct proc *p, int fd, uint64_t ubuf, uint64_t n, bool write, bool at,
                        uint64_t off);

#endif
