/*
 * syscall.c - the system-call table: Linux x86-64 numbers and semantics
 * (proc/proc.h). Arguments arrive in RDI RSI RDX R10 R8 R9 of the frame and
 * the result goes back in RAX, a negative errno on failure.
 *
 * Rules every call follows:
 * - A user pointer is never dereferenced: data crosses with uvm_copy_in/out
 *   and uvm_strncpy_in, so a bad pointer is -EFAULT, never a kernel fault.
 * - Lengths are bounded before any allocation; I/O moves through one bounce
 *   buffer of up to 64 KiB, kmalloc'd once per call.
 * - A number that is not in the table returns -ENOSYS, logged once per number.
 * docs/processes.md lists the table. The calls themselves are in sys_io.c
 * (descriptors), sys_names.c (names), sys_proc.c (processes, memory,
 * signals, time), sys_attr.c (chmod, chown, times, mknod), sys_fs.c (mounts, file-system
 * statistics, the system's state and log) and sys_tty.c (ioctl, process groups, sessions).
 */
#include "sys_priv.h"

#include <arch/cpu.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <mm/heap.h>
#include <proc/uvm.h>
#include <string.h>

/* ---- the table ---- */

static const proc_sys_fn table[] = {
    [0] = proc_sys_read,
    [1] = proc_sys_write,
    [2] = proc_sys_open,
    [3] = proc_sys_close,
    [4] = proc_sys_stat,
    [5] = proc_sys_fstat,
    [6] = proc_sys_lstat,
    [8] = proc_sys_lseek,
    [9] = proc_sys_mmap,
    [10] = proc_sys_mprotect,
    [11] = proc_sys_munmap,
    [12] = proc_sys_brk,
    [13] = proc_sys_rt_sigaction,
    [14] = proc_sys_rt_sigprocmask,
    [15] = proc_sys_rt_sigreturn,
    [16] = proc_sys_ioctl,
    [17] = proc_sys_pread64,
    [18] = proc_sys_pwrite64,
    [19] = proc_sys_readv,
    [20] = proc_sys_writev,
    [21] = proc_sys_access,
    [22] = proc_sys_pipe,
    [24] = proc_sys_sched_yield,
    [28] = proc_sys_madvise,
    [32] = proc_sys_dup,
    [33] = proc_sys_dup2,
    [35] = proc_sys_nanosleep,
    [39] = proc_sys_getpid,
    [56] = proc_sys_clone,
    [57] = proc_sys_fork,
    [58] = proc_sys_fork, /* vfork: a fork (copy on write makes it cheap) */
    [59] = proc_sys_execve,
    [60] = proc_sys_exit_group, /* one thread per process: exit ends it */
    [61] = proc_sys_wait4,
    [62] = proc_sys_kill,
    [63] = proc_sys_uname,
    [72] = proc_sys_fcntl,
    [74] = proc_sys_fsync,
    [76] = proc_sys_truncate,
    [77] = proc_sys_ftruncate,
    [79] = proc_sys_getcwd,
    [80] = proc_sys_chdir,
    [81] = proc_sys_fchdir,
    [82] = proc_sys_rename,
    [83] = proc_sys_mkdir,
    [84] = proc_sys_rmdir,
    [86] = proc_sys_link,
    [87] = proc_sys_unlink,
    [88] = proc_sys_symlink,
    [89] = proc_sys_readlink,
    [90] = proc_sys_chmod,
    [91] = proc_sys_fchmod,
    [92] = proc_sys_chown,
    [93] = proc_sys_fchown,
    [94] = proc_sys_lchown,
    [95] = proc_sys_umask,
    [96] = proc_sys_gettimeofday,
    [98] = proc_sys_getrusage,
    [99] = proc_sys_sysinfo,
    [100] = proc_sys_times,
    [102] = proc_sys_getuid,
    [103] = proc_sys_syslog,
    [104] = proc_sys_getuid,
    [107] = proc_sys_getuid,
    [108] = proc_sys_getuid,
    [109] = proc_sys_setpgid,
    [110] = proc_sys_getppid,
    [111] = proc_sys_getpgrp,
    [112] = proc_sys_setsid,
    [121] = proc_sys_getpgid,
    [124] = proc_sys_getsid,
    [127] = proc_sys_rt_sigpending,
    [132] = proc_sys_utime,
    [133] = proc_sys_mknod,
    [137] = proc_sys_statfs,
    [138] = proc_sys_fstatfs,
    [157] = proc_sys_prctl,
    [158] = proc_sys_arch_prctl,
    [162] = proc_sys_sync,
    [165] = proc_sys_mount,
    [166] = proc_sys_umount2,
    [169] = proc_sys_reboot,
    [186] = proc_sys_getpid, /* gettid: one thread per process */
    [200] = proc_sys_tkill,
    [201] = proc_sys_time,
    [217] = proc_sys_getdents64,
    [218] = proc_sys_set_tid_address,
    [228] = proc_sys_clock_gettime,
    [230] = proc_sys_clock_nanosleep,
    [231] = proc_sys_exit_group,
    [234] = proc_sys_tgkill,
    [235] = proc_sys_utimes,
    [257] = proc_sys_openat,
    [273] = proc_sys_set_robust_list,
    [258] = proc_sys_mkdirat,
    [259] = proc_sys_mknodat,
    [260] = proc_sys_fchownat,
    [261] = proc_sys_futimesat,
    [262] = proc_sys_newfstatat,
    [263] = proc_sys_unlinkat,
    [264] = proc_sys_renameat,
    [265] = proc_sys_linkat,
    [266] = proc_sys_symlinkat,
    [267] = proc_sys_readlinkat,
    [268] = proc_sys_fchmodat,
    [269] = proc_sys_faccessat,
    [280] = proc_sys_utimensat,
    [292] = proc_sys_dup3,
    [293] = proc_sys_pipe2,
    [302] = proc_sys_prlimit64,
    [306] = proc_sys_syncfs,
    [316] = proc_sys_renameat2,
    [318] = proc_sys_getrandom,
    [334] = proc_sys_rseq,
    [439] = proc_sys_faccessat2,
    [452] = proc_sys_fchmodat2,
};

#define NSYS (sizeof(table) / sizeof(table[0]))
/* Numbers already logged: a set bit may be set twice by threads that preempt
 * each other (a second log line at worst); the big kernel lock keeps other
 * CPUs out. */
static uint8_t warned[(NSYS + 64 + 7) / 8 + 64];

void proc_syscall(struct trap_frame *tf)
{
    struct proc *p = proc_current();
    uint64_t nr = tf->rax;
    if (!p) {
        tf->rax = (uint64_t)-ENOSYS;
        return;
    }
    p->frame = tf;
    int64_t r;
    if (nr < NSYS && table[nr]) {
        r = table[nr](p, tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
    } else {
        if (nr < sizeof(warned) * 8 && !(warned[nr / 8] & (1u << (nr % 8)))) {
            warned[nr / 8] |= (uint8_t)(1u << (nr % 8));
            kprintf("proc: %s (pid %d) used system call %llu, which Kestrel lacks: -ENOSYS\n",
                    p->name, p->pid, (unsigned long long)nr);
        }
        r = -ENOSYS;
    }
    if (nr != 59 || r != 0) /* a successful execve has rewritten the frame */
        tf->rax = (uint64_t)r;
    proc_deliver_signals(p, tf);
    p->frame = NULL;
}
