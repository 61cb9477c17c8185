/*
 * switch.S - the kernel's context switch (sched/thread.h).
 *
 * struct sched_context starts with the saved RSP. A switch pushes the
 * callee-saved registers on the old stack, saves RSP, loads the new RSP and pops
 * the new thread's registers; `ret` resumes it where it called the switch (or,
 * for a new thread, at context_start, see context.c).
 */

    .text
    .global sched_context_switch
/* void sched_context_switch(struct sched_context *from, struct sched_context *to) */
sched_context_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq (%rsi), %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

/* First code of every new thread: a zero frame pointer ends backtraces. */
    .global sched_context_start
sched_context_start:
    xorl %ebp, %ebp
    call sched_thread_start
    ud2

    .section .note.GNU-stack, "", @progbits
