/*
 * proc_priv.h - what proc.c, exec.c and syscall.c share inside libproc.
 */
#ifndef PROC_PRIV_H
#define PROC_PRIV_H

#include <proc/proc.h>

#define PROC_SIGCHLD 17

extern struct proc_config proc_cfg;

/* proc.c */
struct proc *proc_current(void);
struct proc *proc_alloc(struct proc *parent, const char *name);
void proc_set_name(struct proc *p, const char *path);
void proc_free(struct proc *p);
int proc_start_thread(struct proc *p);
__attribute__((noreturn)) void proc_exit(struct proc *p, int status);
/* Reap a child as wait4 does: @p pid > 0 that child, -1 any, 0 one in the
 * parent's group, < -1 one in group -pid. */
int proc_wait_child(struct proc *parent, int pid, int *status, bool nohang);
/* The session of process group @p pgrp (of any live member), or 0 if none. */
int proc_group_session(int pgrp);
/* Signal every live process but pid 1 and @p self (kill(-1)). */
int proc_kill_all(struct proc *self, int sig);

/* exec.c: the function of @p p's program that holds user address @p addr
 * (elf_symbolize() on its file), for crash reports. 0 or a negative errno. */
int proc_symbolize(struct proc *p, uint64_t addr, char *name, size_t size, uint64_t *offset);

/* sys_tty.c: after open(2) returned @p fd: /dev/tty without a controlling
 * terminal is -ENXIO (the fd is closed). Returns @p fd or the error. */
int proc_tty_opened(struct proc *p, int fd);
/* A process the kernel started leads a new session: if its standard input
 * is /dev/tty and the terminal is free, the session takes it (as a getty
 * gives it; /dev/console gives no controlling terminal, as Linux's init has
 * none). */
void proc_tty_spawned(struct proc *p);
/* Before a read of @p fd: -EIO for a background group reading its
 * controlling terminal, else 0. */
int proc_tty_read_check(struct proc *p, int fd);
/* The session leader @p p exits: its terminal is hung up. */
void proc_tty_exit(struct proc *p);

/* The process with @p pid, or NULL (interrupts off, or the VFS lock held and
 * no sleeping, while the result is used). */
struct proc *proc_find(int pid);
/* The smallest pid >= @p from in the table, or 0 when there is none. */
int proc_next_pid(int from);
/* The most recently given pid (0 before the first). */
int proc_last_pid(void);
/* Keep @p args (@p len bytes) as @p p's command line and @p exe as its
 * program's path (execve, spawn, fork's copy); NULL and 0 forget them. */
void proc_set_cmdline(struct proc *p, const char *args, size_t len, const char *exe);

/* signal.c */
bool proc_signal_ignored(const struct proc *p, int sig);
uint64_t proc_signal_pending(const struct proc *p);
void proc_signal_exec(struct proc *p);
/* Act on pending signals before returning to user mode with @p tf (NULL:
 * no frame to redirect, so any handled signal ends the process). */
void proc_deliver_signals(struct proc *p, struct trap_frame *tf);
int64_t proc_sigreturn(struct proc *p, struct trap_frame *tf);
int64_t proc_sigaction(struct proc *p, int sig, const struct proc_sigaction *act,
                       struct proc_sigaction *old);

/* exec.c: argument vectors copied into one kernel buffer. */
struct proc_args {
    char *buf; /* strings, back to back */
    size_t used;
    int argc, envc;
    const char **argv; /* argc + 1 pointers into buf */
    const char **envp; /* envc + 1 pointers into buf */
};
int proc_args_from_kernel(struct proc_args *a, char *const argv[], char *const envp[]);
int proc_args_from_user(struct proc_args *a, struct uvm *vm, uint64_t uargv, uint64_t uenvp);
void proc_args_free(struct proc_args *a);
/* Keep the argument strings as @p p's command line (/proc/PID/cmdline) and
 * @p path, the program, made absolute (/proc/PID/exe). */
void proc_keep_args(struct proc *p, const struct proc_args *a, const char *path);
/* The shared program pages (exec.c, proc/exec_image.h): set up by
 * proc_init(); sweep drops the images no process runs any more. */
struct exec_cache_stats;
void proc_exec_init(void);
void proc_exec_sweep(void);
void proc_exec_stats(struct exec_cache_stats *st);
/* Load @p path into a fresh address space in @p vm; fill @p start. */
int proc_load(struct vfs_ctx *files, const char *path, const struct proc_args *a, struct uvm *vm,
              struct trap_frame *start);

/* pipe.c: a new pipe as two descriptors (read end, write end). */
int proc_pipe(struct vfs_ctx *files, int fds[2]);

/* The pipes behind named FIFOs (pipe.c), for vfs_set_fifo_ops(). */
extern const struct vfs_fifo_ops proc_fifo_ops;

/* syscall.c */
void proc_syscall(struct trap_frame *tf);

#endif
