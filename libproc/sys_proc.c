/*
 * sys_proc.c - system calls on processes, memory, signals and time: exit,
 * fork, execve, wait4, kill, the rt_sig* calls, brk, mmap, munmap, mprotect,
 * arch_prctl, clocks and sleeps, uname, getrandom, prlimit64, reboot
 * (syscall.c has the table).
 */
#include "sys_priv.h"

#include <arch/cpu.h>
#include <k/errno.h>
#include <k/klog.h>
#include <mm/frame.h>
#include <mm/heap.h>
#include <string.h>
#include <proc/uvm.h>

/* ---- memory ---- */

int64_t proc_sys_brk(struct proc *p, uint64_t addr, uint64_t a1, uint64_t a2, uint64_t a3,
                     uint64_t a4, uint64_t a5)
{
    return (int64_t)uvm_brk(&p->vm, addr);
}

int64_t proc_sys_mmap(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags,
                      uint64_t fd, uint64_t off)
{
    enum { MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20 };
    if (!(flags & MAP_ANONYMOUS))
        return -ENODEV; /* file mappings: not yet */
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) == 0 || len == 0 || (addr & 0xfff))
        return -EINVAL;
    if (prot & ~7ull)
        return -EINVAL;
    uint64_t out;
    int r = uvm_map(&p->vm, addr, len, (int)prot, (flags & MAP_FIXED) ? UVM_MAP_FIXED : 0, &out);
    return r ? r : (int64_t)out;
}

int64_t proc_sys_munmap(struct proc *p, uint64_t addr, uint64_t len, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return uvm_unmap(&p->vm, addr, len);
}

int64_t proc_sys_madvise(struct proc *p, uint64_t addr, uint64_t len, uint64_t advice, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    switch (advice) {
    case 4: /* MADV_DONTNEED */
    case 8: /* MADV_FREE: freeing at once is allowed */
        return uvm_discard(&p->vm, addr, len);
    case 0:  /* MADV_NORMAL */
    case 1:  /* MADV_RANDOM */
    case 2:  /* MADV_SEQUENTIAL */
    case 3:  /* MADV_WILLNEED */
    case 14: /* MADV_HUGEPAGE */
    case 15: /* MADV_NOHUGEPAGE: hints, which Kestrel's pager has no use for */
        return (addr & 4095) ? -EINVAL : 0;
    default:
        return -EINVAL;
    }
}

int64_t proc_sys_mprotect(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3,
                          uint64_t a4, uint64_t a5)
{
    if (prot & ~7ull)
        return -EINVAL;
    return uvm_protect(&p->vm, addr, len, (int)prot);
}

/* ---- processes ---- */

int64_t proc_sys_exit_group(struct proc *p, uint64_t code, uint64_t a1, uint64_t a2, uint64_t a3,
                            uint64_t a4, uint64_t a5)
{
    proc_exit(p, (int)((code & 0xff) << 8));
}

int64_t proc_sys_getpid(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return p->pid;
}

int64_t proc_sys_getppid(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return p->parent ? p->parent->pid : 0;
}

int64_t proc_sys_getuid(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return 0; /* one user: root */
}

int64_t proc_sys_set_tid_address(struct proc *p, uint64_t u, uint64_t a1, uint64_t a2, uint64_t a3,
                                 uint64_t a4, uint64_t a5)
{
    p->clear_tid = u;
    return p->pid;
}

/* Robust futex lists matter when a thread dies holding a lock that other
 * threads of the process wait on. Kestrel's processes have one thread, so the
 * list is only remembered (glibc registers one at start-up). */
int64_t proc_sys_set_robust_list(struct proc *p, uint64_t head, uint64_t len, uint64_t a2,
                                 uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (len != 24) /* sizeof(struct robust_list_head) */
        return -EINVAL;
    p->robust_list = head;
    return 0;
}

int64_t proc_sys_arch_prctl(struct proc *p, uint64_t code, uint64_t addr, uint64_t a2, uint64_t a3,
                            uint64_t a4, uint64_t a5)
{
    switch (code) {
    case 0x1002: /* ARCH_SET_FS */
        if (addr >= UVM_USER_TOP)
            return -EPERM;
        p->fs_base = addr;
        arch_set_user_fs(addr);
        return 0;
    case 0x1003: /* ARCH_GET_FS */
        return uvm_copy_out(&p->vm, addr, &p->fs_base, 8);
    default:
        return -EINVAL;
    }
}

/* A fork that fails for want of memory says which step and how much was
 * free: the caller only sees ENOMEM. */
static void fork_failed(struct proc *p, const char *step, int err)
{
    struct uvm_stats st;
    uvm_stats(&p->vm, &st);
    klogf(KLOG_WARNING, "proc",
          "fork of pid %d: %s failed (%d); %llu frames free; parent: %llu pages, %llu VMAs", p->pid,
          step, -err, (unsigned long long)mm_frames_free_count(p->vm.cfg.frames),
          (unsigned long long)st.resident_pages, (unsigned long long)st.vmas);
}

int64_t proc_sys_fork(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    struct proc *c = proc_alloc(p, p->name);
    if (!c)
        return -EAGAIN;
    int err = uvm_fork(&c->vm, &p->vm);
    if (err) {
        fork_failed(p, "address space copy", err);
        proc_free(c);
        return err;
    }
    c->vm_live = true;
    vfs_ctx_init(&c->files, &p->files);
    vfs_ctx_copy_fds(&c->files, &p->files);
    c->cloexec = p->cloexec;
    c->umask = p->umask;
    c->sigmask = p->sigmask;
    memcpy(c->act, p->act, sizeof(c->act));
    c->fs_base = p->fs_base;
    proc_set_cmdline(c, p->cmdline, p->cmdline_len, p->exe);
    arch_fpu_save(&c->fpu); /* the parent's registers are still in the CPU */
    c->start = *p->frame;
    c->start.rax = 0;
    int pid = c->pid;
    err = proc_start_thread(c);
    if (err) {
        fork_failed(p, "thread start", err);
        vfs_ctx_release(&c->files);
        proc_free(c);
        return err;
    }
    return pid;
}

int64_t proc_sys_clone(struct proc *p, uint64_t flags, uint64_t stack, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    /* Only fork-like clones: SIGCHLD as the exit signal, no sharing. */
    if ((flags & ~0xffull) != 0 || stack)
        return -EINVAL;
    return proc_sys_fork(p, 0, 0, 0, 0, 0, 0);
}

int64_t proc_sys_execve(struct proc *p, uint64_t upath, uint64_t uargv, uint64_t uenvp, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    PATHBUF(path);
    struct proc_args args = { 0 };
    int64_t r = proc_user_path(p, upath, path);
    if (!r)
        r = proc_args_from_user(&args, &p->vm, uargv, uenvp);
    struct uvm *fresh = r ? NULL : kmalloc(sizeof(*fresh));
    if (!r && !fresh)
        r = -ENOMEM;
    struct trap_frame start;
    if (!r)
        r = proc_load(&p->files, path, &args, fresh, &start);
    if (r) {
        if (args.buf)
            proc_args_free(&args);
        kfree(fresh);
        kfree(path);
        return r;
    }
    /* Past the point of no return: the new image replaces the old. */
    uint64_t f = cpu_irq_save();
    mm_aspace_activate(uvm_aspace(fresh));
    cpu_irq_restore(f);
    uvm_destroy(&p->vm);
    proc_exec_sweep(); /* the old program's pages go if nobody else runs it */
    /* /proc readers copy p->vm with interrupts off (proc.h): move it whole. */
    f = cpu_irq_save();
    p->vm = *fresh;
    mm_aspace_activate(uvm_aspace(&p->vm)); /* the struct moved: reload from its new home */
    cpu_irq_restore(f);
    kfree(fresh);
    for (int fd = 0; fd < 64; fd++)
        if ((p->cloexec >> fd) & 1)
            vfs_close(&p->files, fd);
    p->cloexec = 0;
    p->execed = true;
    proc_signal_exec(p);
    p->fs_base = 0;
    arch_set_user_fs(0);
    arch_fpu_init_state(&p->fpu);
    arch_fpu_restore(&p->fpu);
    proc_set_name(p, path);
    proc_keep_args(p, &args, path);
    proc_args_free(&args);
    kfree(path);
    *p->frame = start;
    return 0;
}

int64_t proc_sys_wait4(struct proc *p, uint64_t pid, uint64_t ustatus, uint64_t options,
                       uint64_t rusage, uint64_t a4, uint64_t a5)
{
    enum { WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8 };
    if (options & ~(uint64_t)(WNOHANG | WUNTRACED | WCONTINUED))
        return -EINVAL;
    int want = (int)pid; /* > 0 a child, -1 any, 0 one in our group, < -1 one in group -pid */
    if (want == INT32_MIN)
        return -ESRCH;
    int status = 0;
    int r = proc_wait_child(p, want, &status, options & WNOHANG);
    if (r > 0 && ustatus && uvm_copy_out(&p->vm, ustatus, &status, sizeof(status)))
        return -EFAULT;
    if (r > 0 && rusage) {
        uint8_t zero[144] = { 0 };
        if (uvm_copy_out(&p->vm, rusage, zero, sizeof(zero)))
            return -EFAULT;
    }
    return r;
}

/* kill(2): pid > 0 one process, 0 the caller's group, -1 every process but
 * pid 1 and the caller, < -1 the group -pid. */
int64_t proc_sys_kill(struct proc *p, uint64_t pid, uint64_t sig, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    int target = (int)pid; /* a pid_t: the register's low 32 bits, as Linux */
    if (sig > 64)
        return -EINVAL;
    if (target > 0)
        return proc_kill(target, (int)sig);
    if (target == 0)
        return proc_kill_group(p->pgid, (int)sig);
    if (target == -1)
        return proc_kill_all(p, (int)sig);
    return target == INT32_MIN ? -ESRCH : proc_kill_group(-target, (int)sig);
}

/* One thread per process: a thread id is the process id. */
int64_t proc_sys_tgkill(struct proc *p, uint64_t tgid, uint64_t tid, uint64_t sig, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    if ((int64_t)tgid <= 0 || (int64_t)tid <= 0 || tgid != tid)
        return (int64_t)tgid <= 0 || (int64_t)tid <= 0 ? -EINVAL : -ESRCH;
    return proc_kill((int)tid, (int)sig);
}

int64_t proc_sys_tkill(struct proc *p, uint64_t tid, uint64_t sig, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    if ((int64_t)tid <= 0)
        return -EINVAL;
    return proc_kill((int)tid, (int)sig);
}

int64_t proc_sys_rt_sigprocmask(struct proc *p, uint64_t how, uint64_t uset, uint64_t uold,
                                uint64_t size, uint64_t a4, uint64_t a5)
{
    if (size != 8)
        return -EINVAL;
    uint64_t set = 0;
    if (uold && uvm_copy_out(&p->vm, uold, &p->sigmask, 8))
        return -EFAULT;
    if (!uset)
        return 0;
    if (uvm_copy_in(&p->vm, &set, uset, 8))
        return -EFAULT;
    set &= ~((1ull << 8) | (1ull << 18)); /* SIGKILL and SIGSTOP can't be blocked */
    switch (how) {
    case 0:
        p->sigmask |= set;
        return 0;
    case 1:
        p->sigmask &= ~set;
        return 0;
    case 2:
        p->sigmask = set;
        return 0;
    default:
        return -EINVAL;
    }
}

int64_t proc_sys_rt_sigaction(struct proc *p, uint64_t sig, uint64_t uact, uint64_t uold,
                              uint64_t size, uint64_t a4, uint64_t a5)
{
    if (size != 8)
        return -EINVAL;
    struct proc_sigaction act, old;
    if (uact && uvm_copy_in(&p->vm, &act, uact, sizeof(act)))
        return -EFAULT;
    int64_t r = proc_sigaction(p, (int)sig, uact ? &act : NULL, &old);
    if (!r && uold && uvm_copy_out(&p->vm, uold, &old, sizeof(old)))
        return -EFAULT;
    return r;
}

int64_t proc_sys_rt_sigreturn(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                              uint64_t a4, uint64_t a5)
{
    return proc_sigreturn(p, p->frame);
}

int64_t proc_sys_rt_sigpending(struct proc *p, uint64_t uset, uint64_t size, uint64_t a2,
                               uint64_t a3, uint64_t a4, uint64_t a5)
{
    if (size != 8)
        return -EINVAL;
    uint64_t set = p->pending & p->sigmask;
    return uvm_copy_out(&p->vm, uset, &set, sizeof(set));
}

struct linux_utsname {
    char f[6][65];
};

/* time(2): whole seconds of CLOCK_REALTIME, also stored at @utloc if given. */
int64_t proc_sys_time(struct proc *p, uint64_t utloc, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    int64_t now = (int64_t)((proc_cfg.realtime_s ? proc_cfg.realtime_s() : 0) +
                            proc_cfg.now_ns() / 1000000000u);
    if (utloc && uvm_copy_out(&p->vm, utloc, &now, sizeof(now)))
        return -EFAULT;
    return now;
}

/* prctl(2): the process name (PR_SET_NAME, PR_GET_NAME, 16 bytes with the
 * NUL, as Linux). Other options are not supported: -EINVAL, as Linux answers
 * an option it does not know. */
int64_t proc_sys_prctl(struct proc *p, uint64_t option, uint64_t arg, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    enum { PR_SET_NAME = 15, PR_GET_NAME = 16 };
    char name[PROC_NAME_MAX];
    switch (option) {
    case PR_SET_NAME: {
        long n = uvm_strncpy_in(&p->vm, name, arg, sizeof(name));
        if (n == -ENAMETOOLONG) { /* Linux truncates a long name */
            if (uvm_copy_in(&p->vm, name, arg, sizeof(name) - 1))
                return -EFAULT;
            name[sizeof(name) - 1] = '\0';
        } else if (n < 0) {
            return n;
        }
        memcpy(p->name, name, sizeof(name));
        return 0;
    }
    case PR_GET_NAME:
        return uvm_copy_out(&p->vm, arg, p->name, sizeof(p->name)) ? -EFAULT : 0;
    default:
        return -EINVAL;
    }
}

/* rseq(2): answered as by a Linux built without it, which glibc's start-up
 * expects and handles; listed here so it is not logged as missing. */
int64_t proc_sys_rseq(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    return -ENOSYS;
}

int64_t proc_sys_uname(struct proc *p, uint64_t ubuf, uint64_t a1, uint64_t a2, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    static const char *const v[6] = { "Kestrel", "kestrel", "0.1.0", "#1", "x86_64", "(none)" };
    struct linux_utsname u;
    memset(&u, 0, sizeof(u));
    for (int i = 0; i < 6; i++)
        memcpy(u.f[i], v[i], strlen(v[i]));
    return uvm_copy_out(&p->vm, ubuf, &u, sizeof(u));
}

int64_t proc_sys_sched_yield(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                             uint64_t a4, uint64_t a5)
{
    thread_yield();
    return 0;
}

int64_t proc_sys_getrandom(struct proc *p, uint64_t ubuf, uint64_t len, uint64_t flags, uint64_t a3,
                           uint64_t a4, uint64_t a5)
{
    if (flags & ~7ull)
        return -EINVAL;
    uint8_t chunk[256];
    uint64_t done = 0;
    while (done < len) {
        size_t n = len - done < sizeof(chunk) ? (size_t)(len - done) : sizeof(chunk);
        proc_cfg.random(chunk, n);
        if (uvm_copy_out(&p->vm, ubuf + done, chunk, n))
            return done ? (int64_t)done : -EFAULT;
        done += n;
    }
    return (int64_t)done;
}

struct timespec64 {
    int64_t sec, nsec;
};

int64_t proc_sys_clock_gettime(struct proc *p, uint64_t clk, uint64_t uts, uint64_t a2, uint64_t a3,
                               uint64_t a4, uint64_t a5)
{
    uint64_t ns = proc_cfg.now_ns();
    struct timespec64 ts;
    switch (clk) {
    case 0: /* CLOCK_REALTIME */
        ts.sec = (int64_t)((proc_cfg.realtime_s ? proc_cfg.realtime_s() : 0) + ns / 1000000000u);
        break;
    case 1: /* CLOCK_MONOTONIC */
    case 4: /* CLOCK_MONOTONIC_RAW */
    case 7: /* CLOCK_BOOTTIME */
    case 2: /* CLOCK_PROCESS_CPUTIME_ID: approximated by time since boot */
    case 3: /* CLOCK_THREAD_CPUTIME_ID */
        ts.sec = (int64_t)(ns / 1000000000u);
        break;
    default:
        return -EINVAL;
    }
    ts.nsec = (int64_t)(ns % 1000000000u);
    return uvm_copy_out(&p->vm, uts, &ts, sizeof(ts));
}

int64_t proc_sys_gettimeofday(struct proc *p, uint64_t utv, uint64_t utz, uint64_t a2, uint64_t a3,
                              uint64_t a4, uint64_t a5)
{
    if (!utv)
        return 0;
    uint64_t ns = proc_cfg.now_ns();
    int64_t tv[2] = {
        (int64_t)((proc_cfg.realtime_s ? proc_cfg.realtime_s() : 0) + ns / 1000000000u),
        (int64_t)(ns % 1000000000u / 1000u),
    };
    return uvm_copy_out(&p->vm, utv, tv, sizeof(tv));
}

int64_t proc_sys_nanosleep(struct proc *p, uint64_t ureq, uint64_t urem, uint64_t a2, uint64_t a3,
                           uint64_t a4, uint64_t a5)
{
    struct timespec64 ts;
    if (uvm_copy_in(&p->vm, &ts, ureq, sizeof(ts)))
        return -EFAULT;
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return -EINVAL;
    uint64_t ms = (uint64_t)ts.sec * 1000u + (uint64_t)(ts.nsec + 999999) / 1000000u;
    while (ms > 0 && !proc_signal_pending(p)) {
        uint64_t step = ms < 100 ? ms : 100; /* notice a kill within 100 ms */
        thread_sleep_ms(step);
        ms -= step;
    }
    bool cut = proc_signal_pending(p) != 0;
    if (cut && urem) {
        struct timespec64 rem = { (int64_t)(ms / 1000), (int64_t)(ms % 1000) * 1000000 };
        uvm_copy_out(&p->vm, urem, &rem, sizeof(rem));
    }
    return cut ? -EINTR : 0;
}

int64_t proc_sys_clock_nanosleep(struct proc *p, uint64_t clk, uint64_t flags, uint64_t ureq,
                                 uint64_t urem, uint64_t a4, uint64_t a5)
{
    if (flags & 1) /* TIMER_ABSTIME */
        return -EINVAL;
    if (clk != 0 && clk != 1)
        return -EINVAL;
    return proc_sys_nanosleep(p, ureq, urem, 0, 0, 0, 0);
}

int64_t proc_sys_prlimit64(struct proc *p, uint64_t pid, uint64_t res, uint64_t unew, uint64_t uold,
                           uint64_t a4, uint64_t a5)
{
    if (pid && (int)pid != p->pid)
        return -ESRCH;
    if (res > 15)
        return -EINVAL;
    if (unew)
        return -EPERM; /* limits are fixed */
    uint64_t lim[2] = { UINT64_MAX, UINT64_MAX };
    if (res == 3) /* RLIMIT_STACK */
        lim[0] = lim[1] = PROC_STACK_SIZE;
    else if (res == 7) /* RLIMIT_NOFILE */
        lim[0] = lim[1] = VFS_FD_MAX;
    return uold && uvm_copy_out(&p->vm, uold, lim, sizeof(lim)) ? -EFAULT : 0;
}

int64_t proc_sys_reboot(struct proc *p, uint64_t m1, uint64_t m2, uint64_t cmd, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    if ((uint32_t)m1 != 0xfee1deadu || ((uint32_t)m2 != 672274793u && (uint32_t)m2 != 85072278u &&
                                        (uint32_t)m2 != 369367448u && (uint32_t)m2 != 537993216u))
        return -EINVAL;
    if (!proc_cfg.reboot)
        return -EPERM;
    uint32_t c = (uint32_t)cmd;
    if (c == 0x01234567u || c == 0xcdef0123u || c == 0x4321fedcu)
        vfs_ctx_release(&p->files); /* going down: its files must not keep a volume busy */
    return proc_cfg.reboot((int)cmd);
}
