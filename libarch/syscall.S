/*
 * syscall.S - the `syscall` instruction's entry (arch/user.h) and the way into
 * user mode.
 *
 * On `syscall` the CPU has put the user RIP in RCX and RFLAGS in R11, masked
 * RFLAGS with SFMASK (so interrupts are off), and left RSP on the user stack.
 * We swap GS to the per-CPU block (user.c: kernel_rsp at 0, user_rsp at 8),
 * move to the thread's kernel stack, and build the same struct trap_frame an
 * interrupt would (arch/trap.h), so one C type and one exit path serve every
 * entry. The exit is arch_trap_return in isr.S: it restores every register and
 * returns with IRETQ, so a handler may rewrite any of them.
 */
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
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    xorl %ebp, %ebp                 /* backtraces stop here */
    cld
    movq %rsp, %rdi
    call arch_syscall_dispatch
    jmp arch_trap_return

    /* arch_enter_user(frame): continue at the exit path with RSP at the frame. */
    .global arch_enter_user
arch_enter_user:
    movq %rdi, %rsp
    jmp arch_trap_return

    .section .note.GNU-stack, "", @progbits
