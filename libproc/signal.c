/*
 * signal.c - POSIX signals (proc/proc.h): sending, blocking, actions, and
 * delivery to user handlers through an rt_sigframe on the user stack, with
 * rt_sigreturn to come back, laid out as Linux x86-64 does so that musl's
 * sigaction (always SA_RESTORER with its own __restore_rt) works unmodified.
 *
 * When: a signal is acted on at a return to user mode (the end of a system
 * call, or of any interrupt or exception from ring 3), never in the middle
 * of kernel work. Sleeps that a signal should cut short (wait4, pipes,
 * nanosleep) check proc_signal_pending() and return -EINTR; Kestrel does not
 * restart them (as if no action had SA_RESTART).
 *
 * Locking: p->pending changes only with interrupts disabled (proc_kill(), a
 * child's exit, a fault, delivery, sigaction), under the big kernel lock;
 * every other field here is touched only by the process's own thread, and
 * read by /proc with interrupts off.
 */
#include "proc_priv.h"

#include <arch/cpu.h>
#include <k/errno.h>
#include <string.h>

#define SIG_DFL      0
#define SIG_IGN      1
#define SA_SIGINFO   0x00000004u
#define SA_RESTORER  0x04000000u
#define SA_ONSTACK   0x08000000u
#define SA_RESTART   0x10000000u
#define SA_NODEFER   0x40000000u
#define SA_RESETHAND 0x80000000u

#define SIGKILL 9
#define SIGSEGV 11
#define SIGSTOP 19

static uint64_t bit(int sig)
{
    return 1ull << (sig - 1);
}

/* Signals whose default action is to do nothing (job control stops are not
 * implemented: they are ignored too, and documented so). */
static bool default_ignored(int sig)
{
    switch (sig) {
    case 17: /* SIGCHLD */
    case 18: /* SIGCONT */
    case 19: /* SIGSTOP */
    case 20: /* SIGTSTP */
    case 21: /* SIGTTIN */
    case 22: /* SIGTTOU */
    case 23: /* SIGURG */
    case 28: /* SIGWINCH */
        return true;
    default:
        return false;
    }
}

bool proc_signal_ignored(const struct proc *p, int sig)
{
    uint64_t h = p->act[sig - 1].handler;
    return sig != SIGKILL && (h == SIG_IGN || (h == SIG_DFL && default_ignored(sig)));
}

uint64_t proc_signal_pending(const struct proc *p)
{
    return p->pending & ~(p->sigmask & ~bit(SIGKILL) & ~bit(SIGSTOP));
}

void proc_signal_exec(struct proc *p)
{
    for (int i = 0; i < PROC_NSIG; i++) {
        if (p->act[i].handler != SIG_IGN)
            p->act[i] = (struct proc_sigaction){ 0 };
    }
}

/* ---- the frame (Linux x86-64 layout) ---- */

struct sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate; /* user address of the FXSAVE image */
    uint64_t reserved[8];
};

struct ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    uint64_t ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
    struct sigcontext mc;
    uint64_t sigmask;
};

struct siginfo {
    int32_t signo, errno_, code, pad;
    int32_t pid, uid; /* kill(): the sender */
    uint8_t rest[128 - 24];
};

struct rt_sigframe {
    uint64_t pretcode; /* the restorer: the handler's return address */
    struct ucontext uc;
    struct siginfo info;
};

static void save_regs(struct sigcontext *mc, const struct trap_frame *tf)
{
    mc->r8 = tf->r8;
    mc->r9 = tf->r9;
    mc->r10 = tf->r10;
    mc->r11 = tf->r11;
    mc->r12 = tf->r12;
    mc->r13 = tf->r13;
    mc->r14 = tf->r14;
    mc->r15 = tf->r15;
    mc->rdi = tf->rdi;
    mc->rsi = tf->rsi;
    mc->rbp = tf->rbp;
    mc->rbx = tf->rbx;
    mc->rdx = tf->rdx;
    mc->rax = tf->rax;
    mc->rcx = tf->rcx;
    mc->rsp = tf->rsp;
    mc->rip = tf->rip;
    mc->eflags = tf->rflags;
    mc->cs = (uint16_t)tf->cs;
    mc->ss = (uint16_t)tf->ss;
    mc->trapno = tf->vector;
    mc->err = tf->error_code;
}

/* Push a frame and point the CPU at the handler. -EFAULT if the user stack
 * can't take it. */
static int setup_frame(struct proc *p, struct trap_frame *tf, int sig)
{
    const struct proc_sigaction *a = &p->act[sig - 1];
    uint64_t sp = tf->rsp - 128; /* skip the red zone */
    sp = (sp - ARCH_FPU_AREA_SIZE) & ~63ull;
    uint64_t fpstate = sp;
    sp -= sizeof(struct rt_sigframe);
    sp = ((sp + 8) & ~15ull) - 8; /* as after a call: (rsp + 8) % 16 == 0 */

    struct arch_fpu fpu;
    arch_fpu_save(&fpu);
    struct rt_sigframe f;
    memset(&f, 0, sizeof(f));
    f.pretcode = a->restorer;
    save_regs(&f.uc.mc, tf);
    f.uc.mc.oldmask = p->sigmask;
    f.uc.mc.fpstate = fpstate;
    f.uc.sigmask = p->sigmask;
    f.info.signo = sig;
    f.info.code = 0; /* SI_USER */
    if (uvm_copy_out(&p->vm, fpstate, fpu.area, sizeof(fpu.area)) ||
        uvm_copy_out(&p->vm, sp, &f, sizeof(f)))
        return -EFAULT;

    tf->rsp = sp;
    tf->rip = a->handler;
    tf->rdi = (uint64_t)sig;
    tf->rsi = sp + __builtin_offsetof(struct rt_sigframe, info);
    tf->rdx = sp + __builtin_offsetof(struct rt_sigframe, uc);
    tf->rax = 0;
    tf->rflags &= ~0x400ull; /* DF clear, as the ABI requires at a call */

    p->sigmask |= a->mask;
    if (!(a->flags & SA_NODEFER))
        p->sigmask |= bit(sig);
    p->sigmask &= ~(bit(SIGKILL) | bit(SIGSTOP));
    if (a->flags & SA_RESETHAND)
        p->act[sig - 1] = (struct proc_sigaction){ 0 };
    return 0;
}

void proc_deliver_signals(struct proc *p, struct trap_frame *tf)
{
    uint64_t pend;
    while ((pend = proc_signal_pending(p)) != 0) {
        int sig = __builtin_ctzll(pend) + 1;
        uint64_t f = cpu_irq_save();
        p->pending &= ~bit(sig);
        cpu_irq_restore(f);
        if (proc_signal_ignored(p, sig))
            continue;
        if (p->act[sig - 1].handler == SIG_DFL || sig == SIGKILL || !tf)
            proc_exit(p, sig & 0x7f);
        if (setup_frame(p, tf, sig) != 0)
            proc_exit(p, SIGSEGV); /* no room for the frame: as Linux, SIGSEGV */
        return;                    /* one handler at a time; the rest after it returns */
    }
}

int64_t proc_sigreturn(struct proc *p, struct trap_frame *tf)
{
    /* The handler's `ret` popped pretcode: the frame starts 8 bytes below. */
    uint64_t at = tf->rsp - 8;
    struct rt_sigframe f;
    if (uvm_copy_in(&p->vm, &f, at, sizeof(f)))
        proc_exit(p, SIGSEGV);
    const struct sigcontext *mc = &f.uc.mc;
    /* Nothing from user memory may give ring 0 to the frame, a non-canonical
     * RIP to IRETQ (which would fault in the kernel), or IOPL. */
    if (mc->rip >= UVM_USER_TOP || mc->rsp >= UVM_USER_TOP)
        proc_exit(p, SIGSEGV);
    struct arch_fpu fpu;
    if (mc->fpstate) {
        if (uvm_copy_in(&p->vm, fpu.area, mc->fpstate, sizeof(fpu.area)))
            proc_exit(p, SIGSEGV);
        uint32_t mxcsr;
        memcpy(&mxcsr, fpu.area + 24, 4);
        mxcsr &= 0xffbf; /* reserved MXCSR bits would make FXRSTOR fault */
        memcpy(fpu.area + 24, &mxcsr, 4);
        arch_fpu_restore(&fpu);
    }
    tf->r8 = mc->r8;
    tf->r9 = mc->r9;
    tf->r10 = mc->r10;
    tf->r11 = mc->r11;
    tf->r12 = mc->r12;
    tf->r13 = mc->r13;
    tf->r14 = mc->r14;
    tf->r15 = mc->r15;
    tf->rdi = mc->rdi;
    tf->rsi = mc->rsi;
    tf->rbp = mc->rbp;
    tf->rbx = mc->rbx;
    tf->rdx = mc->rdx;
    tf->rcx = mc->rcx;
    tf->rsp = mc->rsp;
    tf->rip = mc->rip;
    /* User-changeable flags only (CF PF AF ZF SF TF DF OF AC), IF always on. */
    tf->rflags = (mc->eflags & 0x40dd5ull) | 0x202ull;
    p->sigmask = f.uc.sigmask & ~(bit(SIGKILL) | bit(SIGSTOP));
    return (int64_t)mc->rax; /* becomes RAX again */
}

int64_t proc_sigaction(struct proc *p, int sig, const struct proc_sigaction *act,
                       struct proc_sigaction *old)
{
    if (sig < 1 || sig > PROC_NSIG)
        return -EINVAL;
    if (old)
        *old = p->act[sig - 1];
    if (!act)
        return 0;
    if (sig == SIGKILL || sig == SIGSTOP)
        return -EINVAL;
    if (act->handler > SIG_IGN && !(act->flags & SA_RESTORER))
        return -EINVAL; /* x86-64 needs a restorer to come back from a handler */
    p->act[sig - 1] = *act;
    p->act[sig - 1].mask &= ~(bit(SIGKILL) | bit(SIGSTOP));
    if (proc_signal_ignored(p, sig)) { /* POSIX: setting ignore discards pending */
        uint64_t f = cpu_irq_save();
        p->pending &= ~bit(sig);
        cpu_irq_restore(f);
    }
    return 0;
}
