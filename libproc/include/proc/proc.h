/**
 * @file proc/proc.h
 * @brief Processes: ring-3 programs loaded from ELF files, each with its own
 * address space, descriptors and working directory, one kernel thread each.
 *
 * Lifecycle: proc_spawn() (from the kernel) or fork()/execve() (from a process)
 * creates one; it runs until exit_group() or a fatal signal makes it a zombie,
 * which its parent reaps with wait4() (or the kernel with proc_wait()). Orphans
 * go to pid 1 when it is alive, which reaps them with wait4(); without it they
 * free themselves when they exit. Pids count up from 1 and are never reused while
 * the system runs.
 *
 * Locking: all of libproc runs under the big kernel lock (arch/bkl.h), which
 * keeps other CPUs out; threads on the same CPU may still preempt each other
 * wherever interrupts are on and no spinlock is held. So the process table
 * (slots, `state`, `parent`, `orphan`), `pending`, `cmdline` and `exe` are
 * changed with interrupts off, which also makes "check, then sleep" atomic
 * against a wake-up; there is no process mutex. A process's other fields (its
 * vm, files, signal actions and mask, credentials) are changed only by its own
 * thread (one per process), by its parent before it first runs (fork) or by
 * its reaper once it is a zombie. Others (procfs, kill, the terminal) read
 * them with interrupts off, and see a snapshot; `vm` is only read while
 * `vm_live` is set, and its VMA array is published before the old one is
 * freed (uvm.h). No interrupt handler changes these fields (the switch hook,
 * which may run on the way out of one, saves only the outgoing process's own
 * registers); the terminal's signal hook runs in a thread, under the tty lock.
 */
#ifndef PROC_PROC_H
#define PROC_PROC_H

#include <arch/trap.h>
#include <arch/user.h>
#include <proc/uvm.h>
#include <sched/sync.h>
#include <sched/thread.h>
#include <stdbool.h>
#include <stdint.h>
#include <vfs/vfs.h>

struct tty;

/** @brief Most processes alive (running or zombie) at once. */
#define PROC_MAX 64
/** @brief Longest name kept (the program's base name), with the NUL. */
#define PROC_NAME_MAX 16
/** @brief Top of every process's stack; the page above it stays unmapped. */
#define PROC_STACK_TOP 0x00007ffffffde000ull
/** @brief Size of the user stack. */
#define PROC_STACK_SIZE (8ull << 20)
/** @brief Unmapped gap below the stack that nothing else may use. */
#define PROC_STACK_GUARD (1ull << 20)
/** @brief Bytes of arguments plus environment execve accepts (Linux: 128 KiB min). */
#define PROC_ARG_MAX (128u * 1024)

/** @brief Most bytes of arguments kept for /proc/PID/cmdline (Linux keeps them all). */
#define PROC_CMDLINE_MAX 4096u

/** @brief Signals 1..PROC_NSIG exist (Linux: 64). */
#define PROC_NSIG 64

/** @brief One signal's action (Linux's kernel struct sigaction). */
struct proc_sigaction {
    uint64_t handler;  /**< SIG_DFL (0), SIG_IGN (1) or a user address. */
    uint64_t flags;    /**< SA_* bits. */
    uint64_t restorer; /**< Where the handler returns (musl's __restore_rt). */
    uint64_t mask;     /**< Signals blocked while the handler runs. */
};

/** @brief A process's state. */
enum proc_state {
    PROC_FREE = 0, /**< Slot unused. */
    PROC_LIVE,     /**< Running, ready or blocked. */
    PROC_ZOMBIE,   /**< Exited, waiting to be reaped. */
};

/** @brief One process. Fields are owned by libproc; the file comment's Locking says who may
 * change and read which. */
struct proc {
    int pid;                  /**< Process id (> 0). */
    enum proc_state state;    /**< Lifecycle state. */
    struct proc *parent;      /**< Parent, or NULL when the kernel started it or it was orphaned. */
    bool orphan;              /**< Its parent exited with no pid 1 alive: freed at exit. */
    char name[PROC_NAME_MAX]; /**< Base name of the program. */
    uint64_t start_ns;        /**< When it was created (now_ns clock), for /proc/PID/stat. */
    char *cmdline;            /**< Its arguments, NUL-terminated back to back, for
                                   /proc/PID/cmdline (kmalloc'd at execve, at most
                                   PROC_CMDLINE_MAX bytes; NULL once it exits). */
    uint32_t cmdline_len;     /**< Bytes at @ref cmdline. */
    const char *exe;          /**< The program's absolute path, for /proc/PID/exe (in the
                                   same allocation as @ref cmdline; NULL with it). */
    struct uvm vm;            /**< User address space. */
    bool vm_live;             /**< @ref vm holds an address space. */
    struct vfs_ctx files;     /**< Root, working directory, descriptors. */
    uint64_t cloexec;         /**< Descriptors closed by execve (bit per fd < 64). */
    struct thread *thread;    /**< Its kernel thread. */
    struct trap_frame *frame; /**< The user frame of the system call in progress. */
    struct trap_frame start;  /**< The frame the thread enters user mode with. */
    struct arch_fpu fpu;      /**< FPU/SSE state while off the CPU. */
    uint64_t fs_base;         /**< TLS pointer (arch_prctl ARCH_SET_FS). */
    uint64_t clear_tid;       /**< set_tid_address(): zeroed at exit. */
    uint64_t robust_list;     /**< set_robust_list(): remembered only (one thread). */
    uint64_t sigmask;         /**< Blocked signals (rt_sigprocmask). */
    uint64_t pending;         /**< Signals sent and not yet acted on (bit per signal). */
    struct proc_sigaction act[PROC_NSIG]; /**< What each signal does. */
    struct wait_queue *blocked_on; /**< Where it sleeps in a pipe, so a signal can wake it. */
    uint32_t umask;                /**< File-mode creation mask. */
    int status;                    /**< Wait status once a zombie (Linux encoding). */
    struct wait_queue child_exit;  /**< Where wait4() sleeps for its children. */
    int pgid;                      /**< Process group (inherited; setpgid()). */
    int sid;                       /**< Session (inherited; setsid()). */
    struct tty *ctty;              /**< Controlling terminal, valid while it controls @ref sid. */
    bool execed;                   /**< Has called execve (setpgid() then refuses). */
};

/** @brief What libproc needs from the kernel. */
struct proc_config {
    struct mm_frames *frames;            /**< Where user frames come from. */
    struct mm_aspace *kernel_as;         /**< The kernel address space (shared upper half). */
    void (*random)(void *buf, size_t n); /**< Fills AT_RANDOM and getrandom(2). */
    uint64_t (*now_ns)(void);            /**< Monotonic nanoseconds since boot. */
    uint64_t (*realtime_s)(
        void); /**< Seconds since the Unix epoch when now_ns() was 0 (0 if unknown). */
    /** reboot(2) after the magic checks; NULL: EPERM. Before RESTART, HALT
     *  and POWER_OFF, which must not return, the caller's files are closed,
     *  so they keep no volume busy. */
    int (*reboot)(int how);
};

/**
 * @brief Start libproc: the process table, the system-call and user-fault
 * handlers. Call once after the scheduler and the VFS are up.
 * @param cfg hooks and memory (copied)
 * @return 0 or -EINVAL
 */
int proc_init(const struct proc_config *cfg);

/**
 * @brief The scheduler's switch hook (struct sched_config.switch_hook): moves
 * the kernel stack, address space, FS base and FPU state to @p next.
 * @param prev the thread leaving the CPU
 * @param next the thread taking it
 */
void proc_switch_hook(struct thread *prev, struct thread *next);

/**
 * @brief Start a program as a new process whose parent is the kernel.
 * @param path   the program (resolved in @p from)
 * @param argv   NULL-terminated arguments (argv[0] is the name)
 * @param envp   NULL-terminated environment
 * @param from   the caller's VFS context: working directory and root, and
 *               descriptors 0-2 unless @p stdio_path is given
 * @param stdio_path open this for descriptors 0, 1 and 2 instead (or NULL);
 *               with "/dev/tty" the terminal, when free, becomes the new
 *               session's controlling terminal with its group in the
 *               foreground ("/dev/console" gives none, as Linux's init has none)
 * @return the new pid, or -ENOENT, -ENOEXEC, -EACCES, -ENOMEM, -EAGAIN, ...
 */
int proc_spawn(const char *path, char *const argv[], char *const envp[], struct vfs_ctx *from,
               const char *stdio_path);

/**
 * @brief Wait for a process the kernel started to end, and reap it.
 * @param pid    what proc_spawn() returned
 * @param status its wait status (Linux encoding: exit code << 8, or the signal)
 * @return 0, or -ECHILD if no such process was started by the kernel
 */
int proc_wait(int pid, int *status);

/**
 * @brief Send signal @p sig to process @p pid. An ignored signal is dropped;
 * others are acted on at the target's next return to user mode.
 * @param pid the target
 * @param sig 1..64, or 0 to test that the process exists
 * @return 0, -ESRCH or -EINVAL
 */
int proc_kill(int pid, int sig);

/**
 * @brief Send @p sig to every live process of process group @p pgrp (the
 * terminal's ^C, kill(-pgrp)). Interrupt-safe.
 * @param pgrp the group (> 0)
 * @param sig  1..64, or 0 to test that the group exists
 * @return 0, -ESRCH when no process is in the group, or -EINVAL
 */
int proc_kill_group(int pgrp, int sig);

/**
 * @brief Sleep on @p wq so that a signal sent to the calling process wakes
 * it (the wait queue is remembered as where it is blocked). Call with
 * interrupts disabled, after checking the condition (as
 * wait_queue_sleep_locked() requires); a kernel thread that is not a process
 * just sleeps.
 * @param wq where to sleep
 * @return 0 after a wake-up, or -EINTR without sleeping when a signal is
 *         already pending for the caller
 */
int proc_sleep_interruptible(struct wait_queue *wq);

/** @brief A process as listed by proc_snapshot(). */
struct proc_info {
    int pid;                  /**< Process id. */
    int ppid;                 /**< Parent's pid (0: the kernel). */
    enum proc_state state;    /**< State. */
    char name[PROC_NAME_MAX]; /**< Name. */
    uint64_t resident_pages;  /**< User pages in memory. */
    int pgid;                 /**< Process group. */
    int sid;                  /**< Session. */
};

/**
 * @brief List the processes.
 * @param out room for @p max entries
 * @param max its size
 * @return how many were written
 */
int proc_snapshot(struct proc_info *out, int max);

/** @brief Processes alive or zombie. @return the count (for leak checks) */
int proc_count(void);

/**
 * @brief Text for a wait status, as a shell reports it ("Segmentation fault").
 * @param status a wait status
 * @return a static string, or NULL for a normal exit
 */
const char *proc_status_text(int status);

#endif
