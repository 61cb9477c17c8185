/*
 * syscall.S - the `syscall` instruction's entry (arch/user.h) and the way into
 * user mode.
 *
 * On `syscall` the CPU has put the user RIP in RCX and RFLAGS in R11, masked
 * RFLAGS with SFMASK (so interrupts are off), and left RSP on the user stack.
 * We swap GS to the per-CPU block (user.c: kernel_rsp at 0, user_rsp at 8),
 * move to the thread's kernel stack, and build the same struct trap_frame an
 * interrupt would (arch/trap.h), so one C type serves every entry.
 *
 * Two ways out. SYSRETQ, the fast one, restores RIP from RCX and RFLAGS from
 * R11, so it is taken only when the frame still says what the entry saved
 * there (RCX == RIP, R11 == RFLAGS: true after an ordinary system call) and
 * RIP is a canonical user address (SYSRETQ to a non-canonical one would fault
 * in ring 0 on Intel CPUs). Anything else - a signal handler's entry, a
 * sigreturn, execve, fork's child - leaves through arch_trap_return in isr.S,
 * which restores every register and returns with IRETQ.
 */
#include "trapframe.inc"
    .text
    .global arch_syscall_entry
arch_syscall_entry:
    swapgs
    movq %rsp, %gs:8                /* user RSP */
    movq %gs:0, %rsp                /* this thread's kernel stack */
    pushq $0x1b                     /* ss: GDT_USER_DS */
    pushq %gs:8                     /* rsp */
    pushq %r11                      /* rflags */
    pushq $0x23                     /* cs: GDT_USER_CS */
    pushq %rcx                      /* rip */
    pushq $0                        /* error code */
    pushq $0x100                    /* vector: ARCH_SYSCALL_VECTOR */
    PUSH_GPRS
    xorl %ebp, %ebp                 /* backtraces stop here */
    cld
    movq %rsp, %rdi
    call arch_syscall_dispatch      /* returns with interrupts disabled */

    movq 96(%rsp), %rcx             /* frame RCX */
    cmpq 136(%rsp), %rcx            /* == frame RIP? */
    jne arch_trap_return
    movq 32(%rsp), %r11             /* frame R11 */
    cmpq 152(%rsp), %r11            /* == frame RFLAGS? */
    jne arch_trap_return
    movq $0x00007ffffffff000, %rax
    cmpq %rax, %rcx                 /* RIP below the top user page: canonical */
    jae arch_trap_return
    cmpq $0x23, 144(%rsp)           /* CS and SS untouched */
    jne arch_trap_return
    cmpq $0x1b, 168(%rsp)
    jne arch_trap_return

    POP_GPRS                        /* RCX = RIP and R11 = RFLAGS for SYSRETQ */
    movq 40(%rsp), %rsp             /* the user stack (frame RSP) */
    swapgs
    sysretq

    /* arch_enter_user_frame(frame): continue at the exit path with RSP at
     * the frame (user.c's arch_enter_user() first gives up the big lock). */
    .global arch_enter_user_frame
arch_enter_user_frame:
    movq %rdi, %rsp
    jmp arch_trap_return

    .section .note.GNU-stack, "", @progbits
