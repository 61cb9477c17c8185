/*
 * isr.S - the 256 interrupt entry stubs and the common path into trap_dispatch().
 *
 * Each stub makes the stack look the same whatever the vector: if the CPU did not
 * push an error code, the stub pushes 0; then it pushes the vector number. The
 * common path saves the general registers in `struct trap_frame` order
 * (arch/trap.h), calls trap_dispatch(frame), restores the (possibly modified)
 * registers and returns with IRETQ. The frame is 176 bytes and the CPU aligns
 * RSP to 16 before pushing, so the C call sees a 16-byte aligned stack.
 * Entries from ring 3 execute SWAPGS on the way in and out (arch/user.h).
 */
#include "trapframe.inc"

    .altmacro
.macro ISR_STUB n
    .balign 16
isr_stub_\n:
    .if (\n == 8) || ((\n >= 10) && (\n <= 14)) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq $0
    .endif
    pushq $\n
    jmp isr_common
.endm

.macro ISR_ADDR n
    .quad isr_stub_\n
.endm

    .text
isr_common:
    testb $3, 24(%rsp)              /* from ring 3? (CS above vector, error) */
    jz 1f
    swapgs                          /* kernel GS: the per-CPU block */
1:  PUSH_GPRS
    cld
    movq %rsp, %rdi
    call trap_dispatch

    /* The one way back to interrupted code, and into user mode (syscall.S). */
    .global arch_trap_return
arch_trap_return:
    POP_GPRS
    addq $16, %rsp              /* vector and error code */
    testb $3, 8(%rsp)               /* back to ring 3? */
    jz 2f
    swapgs                          /* the user's GS again */
2:  iretq

    .set i, 0
    .rept 256
    ISR_STUB %i
    .set i, i + 1
    .endr

    .section .rodata
    .balign 8
    .global isr_stub_table
isr_stub_table:
    .set i, 0
    .rept 256
    ISR_ADDR %i
    .set i, i + 1
    .endr

    .section .note.GNU-stack, "", @progbits
