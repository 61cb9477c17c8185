/*
 * proc.c - the process table and the life of a process (proc/proc.h): spawn,
 * the thread that enters user mode, the context-switch hook, exit, reaping,
 * signals with their default actions, and faults raised in user mode.
 *
 * Layer: over libsched (one kernel thread per process), libvfs (descriptors)
 * and uvm.c (the address space); exec.c loads programs, syscall.c is the
 * system-call table.
 *
 * Locking (proc/proc.h): the big kernel lock keeps other CPUs out; `table`,
 * `next_pid`, the states, parent links and `pending` change with interrupts
 * disabled, against preemption on this CPU, which also makes "check for a
 * zombie, then sleep" atomic in wait4 (on `child_exit`, `kernel_children`). A
 * process's own fields (its vm, files) are touched only by its own thread, or
 * by the parent once it is a zombie; `proc_cfg` is set at boot.
 */
#include "proc_priv.h"

#include <vfs/vfs_attr.h>

#include <arch/cpu.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <mm/heap.h>
#include <string.h>

struct proc_config proc_cfg;
static struct proc *table[PROC_MAX];
static int next_pid = 1;
static struct wait_queue kernel_children; /* proc_wait() sleeps here */

struct proc *proc_current(void)
{
    struct thread *t = thread_current();
    return t ? t->owner : NULL;
}

struct proc *proc_find(int pid)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (table[i] && table[i]->pid == pid)
            return table[i];
    return NULL;
}

struct proc *proc_alloc(struct proc *parent, const char *name)
{
    struct proc *p = kcalloc(1, sizeof(*p));
    if (!p)
        return NULL;
    uint64_t f = cpu_irq_save();
    int slot = -1;
    for (int i = 0; i < PROC_MAX && slot < 0; i++)
        if (!table[i])
            slot = i;
    if (slot >= 0) {
        p->pid = next_pid++;
        p->state = PROC_LIVE;
        p->parent = parent;
        /* A child joins its parent's group and session; one the kernel
         * starts leads a new session of its own. */
        p->pgid = parent ? parent->pgid : p->pid;
        p->sid = parent ? parent->sid : p->pid;
        p->ctty = parent ? parent->ctty : NULL;
        table[slot] = p;
    }
    cpu_irq_restore(f);
    if (slot < 0) {
        kfree(p);
        return NULL;
    }
    proc_set_name(p, name);
    p->start_ns = proc_cfg.now_ns ? proc_cfg.now_ns() : 0;
    p->umask = 022;
    wait_queue_init(&p->child_exit);
    arch_fpu_init_state(&p->fpu);
    return p;
}

void proc_set_name(struct proc *p, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strnlen(base, PROC_NAME_MAX - 1);
    memcpy(p->name, base, n);
    p->name[n] = '\0';
}

/* Free a slot and everything still held (the reaper or a failed start). */
void proc_free(struct proc *p)
{
    uint64_t f = cpu_irq_save();
    for (int i = 0; i < PROC_MAX; i++)
        if (table[i] == p)
            table[i] = NULL;
    cpu_irq_restore(f);
    if (p->vm_live) {
        uvm_destroy(&p->vm);
        proc_exec_sweep();
    }
    kfree(p->cmdline);
    kfree(p);
}

void proc_set_cmdline(struct proc *p, const char *args, size_t len, const char *exe)
{
    if (len > PROC_CMDLINE_MAX)
        len = PROC_CMDLINE_MAX;
    size_t elen = exe ? strnlen(exe, VFS_PATH_MAX - 1) : 0;
    char *copy = len || exe ? kmalloc(len + elen + 1) : NULL;
    if (copy) {
        memcpy(copy, args, len);
        memcpy(copy + len, exe ? exe : "", elen);
        copy[len + elen] = '\0';
    }
    uint64_t f = cpu_irq_save(); /* /proc readers copy them with interrupts off */
    char *old = p->cmdline;
    p->cmdline = copy;
    p->cmdline_len = copy ? (uint32_t)len : 0;
    p->exe = copy && exe ? copy + len : NULL;
    cpu_irq_restore(f);
    kfree(old);
}

int proc_next_pid(int from)
{
    int best = 0;
    uint64_t f = cpu_irq_save();
    for (int i = 0; i < PROC_MAX; i++)
        if (table[i] && table[i]->pid >= from && (best == 0 || table[i]->pid < best))
            best = table[i]->pid;
    cpu_irq_restore(f);
    return best;
}

int proc_last_pid(void)
{
    return next_pid - 1;
}

static void thread_start(void *arg)
{
    struct proc *p = arg;
    cpu_cli();
    /* The frame is a local, below this function's own frame. Not at the top
     * of the stack, where the first entry from user mode will put its frame:
     * the calls that got us here have their frames there, and the call to
     * arch_enter_user would push its return address into the frame (over
     * the child's RBX, which a program may keep across fork). */
    struct trap_frame tf = p->start;
    arch_enter_user(&tf);
}

int proc_start_thread(struct proc *p)
{
    uint64_t f = cpu_irq_save(); /* owner is set before the thread can run */
    p->thread = thread_create(p->name, thread_start, p);
    if (p->thread) {
        p->thread->owner = p;
        thread_detach(p->thread);
    }
    cpu_irq_restore(f);
    return p->thread ? 0 : -ENOMEM;
}

void proc_switch_hook(struct thread *prev, struct thread *next)
{
    struct proc *pp = prev->owner, *np = next->owner;
    if (pp && pp->state == PROC_LIVE) {
        arch_fpu_save(&pp->fpu);
        pp->fs_base = arch_get_user_fs();
    }
    if (np) {
        arch_set_kernel_stack(thread_stack_top(next));
        if (np->vm_live)
            mm_aspace_activate(uvm_aspace(&np->vm));
        arch_set_user_fs(np->fs_base);
        arch_fpu_restore(&np->fpu);
    } else if (pp) {
        /* Kernel threads run on the kernel's tables, so an exiting process's
         * tables are never the loaded ones when they are freed. */
        mm_aspace_activate(proc_cfg.kernel_as);
    }
}

/* Hand @p p's children to pid 1, as Unix does, when pid 1 is alive and is not
 * @p p itself: it reaps them with wait4 (zombies among them wake it at once).
 * Without a live pid 1 nobody will wait: zombies are freed now, and the
 * others free themselves when they exit. Interrupts are off. */
static void orphan_children(struct proc *p)
{
    struct proc *init = proc_find(1);
    if (init && (init == p || init->state != PROC_LIVE))
        init = NULL;
    bool zombie_to_init = false;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *c = table[i];
        if (!c || c->parent != p)
            continue;
        if (init) {
            c->parent = init;
            zombie_to_init |= c->state == PROC_ZOMBIE;
            continue;
        }
        c->parent = NULL;
        c->orphan = true;
        if (c->state == PROC_ZOMBIE) {
            table[i] = NULL;
            c->vm_live = false;
            kfree(c);
        }
    }
    if (zombie_to_init)
        wait_queue_wake_all(&init->child_exit);
}

__attribute__((noreturn)) void proc_exit(struct proc *p, int status)
{
    proc_tty_exit(p);
    if (p->clear_tid) {
        uint32_t zero = 0;
        uvm_copy_out(&p->vm, p->clear_tid, &zero, sizeof(zero));
    }
    vfs_ctx_release(&p->files);
    proc_set_cmdline(p, NULL, 0, NULL); /* a zombie's cmdline reads empty, as on Linux */
    /* Leave the address space before freeing it. */
    uint64_t f = cpu_irq_save();
    mm_aspace_activate(proc_cfg.kernel_as);
    cpu_irq_restore(f);
    uvm_destroy(&p->vm);
    p->vm_live = false;
    proc_exec_sweep(); /* its program's pages go once nobody runs it */

    f = cpu_irq_save();
    orphan_children(p);
    p->status = status;
    p->state = PROC_ZOMBIE;
    p->thread->owner = NULL; /* the hook no longer saves into a dying process */
    p->thread = NULL;
    if (p->parent) {
        if (p->parent->act[PROC_SIGCHLD - 1].handler > 1)
            p->parent->pending |= 1ull << (PROC_SIGCHLD - 1);
        wait_queue_wake_all(&p->parent->child_exit);
    } else if (p->orphan) {
        /* No one will reap it: free it now. Nothing below touches p. */
        for (int i = 0; i < PROC_MAX; i++)
            if (table[i] == p)
                table[i] = NULL;
        kfree(p);
    } else {
        wait_queue_wake_all(&kernel_children);
    }
    cpu_irq_restore(f);
    thread_exit(status);
}

/* Reap a zombie child of @p parent (NULL: the kernel) matching @p pid (as wait4).
 * Interrupts are off. Returns the pid, 0 if some match is still alive, or
 * -ECHILD if none matches. */
static bool wanted(const struct proc *parent, const struct proc *c, int pid)
{
    if (pid > 0)
        return c->pid == pid;
    if (pid == -1)
        return true;
    return c->pgid == (pid == 0 ? (parent ? parent->pgid : 0) : -pid);
}

static int reap_locked(struct proc *parent, int pid, int *status)
{
    bool alive = false;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *c = table[i];
        if (!c || c->parent != parent || !wanted(parent, c, pid))
            continue;
        if (c->state != PROC_ZOMBIE) {
            alive = true;
            continue;
        }
        int got = c->pid;
        if (status)
            *status = c->status;
        table[i] = NULL;
        kfree(c);
        return got;
    }
    return alive ? 0 : -ECHILD;
}

int proc_wait_child(struct proc *parent, int pid, int *status, bool nohang)
{
    struct wait_queue *wq = parent ? &parent->child_exit : &kernel_children;
    uint64_t f = cpu_irq_save();
    int r;
    for (;;) {
        r = reap_locked(parent, pid, status);
        if (r != 0 || nohang)
            break;
        if (parent && proc_signal_pending(parent)) {
            r = -EINTR;
            break;
        }
        wait_queue_sleep_locked(wq);
    }
    cpu_irq_restore(f);
    return r;
}

int proc_wait(int pid, int *status)
{
    if (pid <= 0)
        return -ECHILD;
    int r = proc_wait_child(NULL, pid, status, false);
    return r < 0 ? r : 0;
}

/* Mark @p sig pending for @p p and wake it where it sleeps. Interrupts are off. */
static void signal_locked(struct proc *p, int sig)
{
    if (sig == 0 || proc_signal_ignored(p, sig))
        return;
    p->pending |= 1ull << (sig - 1);
    /* A process asleep in wait4, on a pipe or a terminal notices at once; one
     * in nanosleep within 100 ms; one running in user mode at its next
     * interrupt or system call. */
    wait_queue_wake_all(&p->child_exit);
    if (p->blocked_on)
        wait_queue_wake_all(p->blocked_on);
}

int proc_kill(int pid, int sig)
{
    if (sig < 0 || sig > 64)
        return -EINVAL;
    uint64_t f = cpu_irq_save();
    struct proc *p = proc_find(pid);
    int r = (p && p->state == PROC_LIVE) ? 0 : -ESRCH;
    if (r == 0)
        signal_locked(p, sig);
    cpu_irq_restore(f);
    return r;
}

int proc_kill_group(int pgrp, int sig)
{
    if (sig < 0 || sig > 64)
        return -EINVAL;
    if (pgrp <= 0)
        return -ESRCH;
    uint64_t f = cpu_irq_save();
    int r = -ESRCH;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = table[i];
        if (p && p->state == PROC_LIVE && p->pgid == pgrp) {
            signal_locked(p, sig);
            r = 0;
        }
    }
    cpu_irq_restore(f);
    return r;
}

int proc_kill_all(struct proc *self, int sig)
{
    if (sig < 0 || sig > 64)
        return -EINVAL;
    uint64_t f = cpu_irq_save();
    int r = -ESRCH;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = table[i];
        if (p && p->state == PROC_LIVE && p != self && p->pid != 1) {
            signal_locked(p, sig);
            r = 0;
        }
    }
    cpu_irq_restore(f);
    return r;
}

int proc_group_session(int pgrp)
{
    uint64_t f = cpu_irq_save();
    int sid = 0;
    for (int i = 0; i < PROC_MAX && !sid; i++) {
        struct proc *p = table[i];
        if (p && p->state == PROC_LIVE && p->pgid == pgrp)
            sid = p->sid;
    }
    cpu_irq_restore(f);
    return sid;
}

int proc_sleep_interruptible(struct wait_queue *wq)
{
    struct proc *p = proc_current();
    if (p && proc_signal_pending(p))
        return -EINTR;
    if (p)
        p->blocked_on = wq;
    wait_queue_sleep_locked(wq);
    if (p)
        p->blocked_on = NULL;
    return 0;
}

static const char *const signal_text[] = {
    [1] = "Hangup",
    [2] = "Interrupt",
    [3] = "Quit",
    [4] = "Illegal instruction",
    [5] = "Trace/breakpoint trap",
    [6] = "Aborted",
    [7] = "Bus error",
    [8] = "Floating point exception",
    [9] = "Killed",
    [11] = "Segmentation fault",
    [13] = "Broken pipe",
    [14] = "Alarm clock",
    [15] = "Terminated",
};

const char *proc_status_text(int status)
{
    int sig = status & 0x7f;
    if (sig == 0)
        return NULL;
    if (sig < (int)(sizeof(signal_text) / sizeof(signal_text[0])) && signal_text[sig])
        return signal_text[sig];
    return "Killed by a signal";
}

/* The kernel log's line for a process a fault ends (Linux logs "segfault
 * at"): the signal, the faulting instruction, and the function of the
 * program that holds it when the file has a symbol table. */
static void report_fault(struct proc *p, const struct trap_frame *tf, int sig)
{
    char fn[48];
    uint64_t off = 0;
    int err = proc_symbolize(p, tf->rip, fn, sizeof(fn), &off);
    char where[80];
    if (err)
        ksnprintf(where, sizeof(where), "%s", p->exe ? p->exe : p->name);
    else
        ksnprintf(where, sizeof(where), "%s+%#llx in %s", fn, (unsigned long long)off,
                  p->exe ? p->exe : p->name);
    kprintf("proc: %s (pid %d) killed by signal %d (%s) at ip %#llx, %s\n", p->name, p->pid, sig,
            proc_status_text(sig) ? proc_status_text(sig) : "?", (unsigned long long)tf->rip,
            where);
}

/* An exception in user mode: resolve a page fault, or end the process with
 * the signal Linux would send. */
static void user_fault(struct trap_frame *tf)
{
    struct proc *p = proc_current();
    if (!p) {
        trap_report(tf);
        return;
    }
    int sig;
    switch (tf->vector) {
    case TRAP_PAGE_FAULT: {
        uint64_t addr = read_cr2();
        cpu_sti();
        int r = uvm_fault(&p->vm, addr, tf->error_code & 2, tf->error_code & 16);
        cpu_cli();
        if (r == 0)
            return;
        sig = r == -ENOMEM ? 9 : 11;
        break;
    }
    case TRAP_DIVIDE:
        sig = 8;
        break;
    case TRAP_INVALID_OPCODE:
        sig = 4;
        break;
    case TRAP_BREAKPOINT:
    case TRAP_DEBUG:
        sig = 5;
        break;
    case 16: /* x87 floating point */
    case 19: /* SIMD floating point */
        sig = 8;
        break;
    default: /* #GP, #SS, #NP, alignment: SIGSEGV or SIGBUS as Linux */
        sig = tf->vector == 17 ? 7 : 11;
        break;
    }
    cpu_sti();
    /* A handler may take it (unless the signal is blocked or ignored: then,
     * as Linux does for a fault, the process ends). */
    uint64_t mask = 1ull << (sig - 1);
    if (p->act[sig - 1].handler > 1 && !(p->sigmask & mask)) {
        cpu_cli(); /* pending changes with interrupts off (signal.c) */
        p->pending |= mask;
        cpu_sti();
        proc_deliver_signals(p, tf);
        cpu_cli();
        return;
    }
    report_fault(p, tf, sig);
    proc_exit(p, sig);
}

int proc_snapshot(struct proc_info *out, int max)
{
    int n = 0;
    uint64_t f = cpu_irq_save();
    for (int i = 0; i < PROC_MAX && n < max; i++) {
        struct proc *p = table[i];
        if (!p)
            continue;
        out[n].pid = p->pid;
        out[n].ppid = p->parent ? p->parent->pid : 0;
        out[n].state = p->state;
        memcpy(out[n].name, p->name, PROC_NAME_MAX);
        struct uvm_stats st = { 0 };
        if (p->vm_live)
            uvm_stats(&p->vm, &st);
        out[n].resident_pages = st.resident_pages;
        out[n].pgid = p->pgid;
        out[n].sid = p->sid;
        n++;
    }
    cpu_irq_restore(f);
    return n;
}

int proc_count(void)
{
    int n = 0;
    for (int i = 0; i < PROC_MAX; i++)
        n += table[i] != NULL;
    return n;
}

/* On every return to ring 3 (interrupts off): act on pending signals, so a
 * process looping in user mode still dies when it is killed. */
static void user_return(struct trap_frame *tf)
{
    struct proc *p = proc_current();
    if (p && p->state == PROC_LIVE && proc_signal_pending(p)) {
        cpu_sti();
        proc_deliver_signals(p, tf);
        cpu_cli();
    }
}

int proc_init(const struct proc_config *cfg)
{
    if (!cfg || !cfg->kernel_as || !cfg->random || !cfg->now_ns)
        return -EINVAL;
    proc_cfg = *cfg;
    wait_queue_init(&kernel_children);
    trap_set_user_fault_handler(user_fault);
    trap_set_user_return_hook(user_return);
    arch_set_syscall_handler(proc_syscall);
    vfs_set_fifo_ops(&proc_fifo_ops); /* named FIFOs are our pipes */
    proc_exec_init();
    return 0;
}
