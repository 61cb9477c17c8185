/*
 * smp_trampoline.S - an application processor's way from real mode to the
 * kernel (arch/smp.h).
 *
 * smp_trampoline_start..smp_trampoline_end is copied to a page below 1 MiB;
 * a start-up IPI starts the AP there in real mode with CS = page >> 4 and IP
 * = 0. Every address it needs comes from the parameter block at
 * SMP_PARAMS_OFF in the same page (EBX/RBX holds the page's physical address
 * from the first instructions on), so the code runs at any page. It uses no
 * stack until the kernel-side entry has switched to the AP's own.
 */
#include <arch/smp.h>

#define KERNEL_VMA 0xffffffff80000000

    .section .rodata
    .balign 16
    .global smp_trampoline_start, smp_trampoline_end, smp_trampoline_pm32, smp_trampoline_lm64
    .code16
smp_trampoline_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    movzwl %ax, %ebx
    shl $4, %ebx                    /* EBX = the page's physical address */
    lgdtl SMP_PARAMS_OFF + SMP_P_GDTR
    mov %cr0, %eax
    or $1, %eax                     /* PE */
    mov %eax, %cr0
    ljmpl *(SMP_PARAMS_OFF + SMP_P_PM32)

    .code32
smp_trampoline_pm32:
    mov $SMP_SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov %cr4, %eax
    or $(1 << 5), %eax              /* PAE */
    mov %eax, %cr4
    mov SMP_PARAMS_OFF + SMP_P_BOOT_CR3(%ebx), %eax
    mov %eax, %cr3                  /* boot.S's tables: this page and the kernel mapped */
    mov $0xc0000080, %ecx           /* EFER: LME, and NXE as the boot CPU has it */
    rdmsr
    or SMP_PARAMS_OFF + SMP_P_EFER(%ebx), %eax
    wrmsr
    mov %cr0, %eax
    or $0x80010000, %eax            /* PG and WP: long mode is active */
    mov %eax, %cr0
    ljmp *(SMP_PARAMS_OFF + SMP_P_LM64)(%ebx)

    .code64
smp_trampoline_lm64:
    mov %ebx, %ebx                  /* the upper half is undefined after the switch */
    jmp *(SMP_PARAMS_OFF + SMP_P_ENTRY)(%rbx)
smp_trampoline_end:

    /* boot.S's top page table, physical (an absolute 64-bit value: C code
     * in the higher half could not address it directly). */
    .balign 8
    .global smp_boot_pml4_phys
smp_boot_pml4_phys:
    .quad boot_pml4

    /* In the kernel, still on the boot tables: take the kernel's page tables,
     * the AP's stack, and call smp_ap_main(cpu). The block is read through
     * the low-memory alias at KERNEL_VMA, mapped in both sets of tables. */
    .text
    .global smp_ap_entry64
smp_ap_entry64:
    movabs $KERNEL_VMA, %rax
    add %rax, %rbx
    mov SMP_PARAMS_OFF + SMP_P_KERNEL_CR3(%rbx), %rax
    mov %rax, %cr3
    mov SMP_PARAMS_OFF + SMP_P_STACK(%rbx), %rsp
    mov SMP_PARAMS_OFF + SMP_P_CPU(%rbx), %rdi
    xor %ebp, %ebp                  /* ends backtraces */
    call smp_ap_main
1:  cli
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
