/*
 * boot.S - multiboot2 header and the road from 32-bit protected mode to kmain().
 *
 * GRUB enters _start in 32-bit protected mode, paging off, with the multiboot2
 * magic in EAX and the physical address of the information block in EBX. We:
 *   1. check the magic, CPUID and long mode (a clear message on COM1 and VGA if
 *      any is missing),
 *   2. build boot page tables: the first GiB identity-mapped with 2 MiB pages, and
 *      physical [0, 16 MiB) at KERNEL_VMA with 4 KiB pages so the boot stack's
 *      guard page can stay unmapped,
 *   3. enable PAE, EFER.LME (and EFER.NXE when the CPU has NX), paging and
 *      CR0.WP, load a 64-bit GDT and far-jump into 64-bit code,
 *   4. switch to the higher-half stack and call kmain(magic, info_phys).
 * Everything before the jump to the higher half is linked at its physical address.
 */
#include <arch/layout.h>

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386    0
#define MB2_LOADER_MAGIC 0x36d76289

#define PTE_P   0x1
#define PTE_W   0x2
#define PTE_PS  0x80
#define BOOT_PTS (KERNEL_BOOT_MAP_SIZE / (2 * 1024 * 1024))

#define COM1 0x3f8

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long MB2_HEADER_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    /* Framebuffer request, optional: a linear framebuffer if the loader sets a
     * graphics mode (always under UEFI, which has no text mode), else VGA text.
     * Under BIOS, kernel/grub.cfg keeps text mode unless asked otherwise. */
    .balign 8
    .short 5            /* type: framebuffer */
    .short 1            /* flags: optional */
    .long 20
    .long 1024          /* preferred width, height, depth */
    .long 768
    .long 32
    .balign 8
    .short 0            /* end tag */
    .short 0
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .global _start
_start:
    cli
    cld
    mov $boot32_stack_top, %esp
    mov %eax, %edi                  /* keep the magic and the info pointer */
    mov %ebx, %esi

    cmp $MB2_LOADER_MAGIC, %eax
    jne .Lno_multiboot

    /* CPUID exists if EFLAGS.ID (bit 21) can be flipped. */
    pushfl
    pop %eax
    mov %eax, %ecx
    xor $(1 << 21), %eax
    push %eax
    popfl
    pushfl
    pop %eax
    push %ecx
    popfl
    cmp %eax, %ecx
    je .Lno_cpuid

    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb .Lno_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx           /* LM */
    jz .Lno_long_mode
    xor %ebp, %ebp                  /* EBP: EFER bits to set besides LME */
    test $(1 << 20), %edx           /* NX */
    jz 1f
    mov $(1 << 11), %ebp            /* EFER.NXE */
1:
    /* PML4[0] -> identity PDPT, PML4[511] -> higher-half PDPT. */
    mov $boot_pdpt_low, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, boot_pml4
    mov $boot_pdpt_high, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, boot_pml4 + 511 * 8

    /* Identity map: 512 x 2 MiB = the first GiB. */
    mov $boot_pd_low, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, boot_pdpt_low
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $(PTE_P | PTE_W | PTE_PS), %eax
    mov %eax, boot_pd_low(, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 2b

    /* KERNEL_VMA (PML4 511, PDPT 510) -> BOOT_PTS page tables of 4 KiB pages. */
    mov $boot_pd_high, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, boot_pdpt_high + 510 * 8
    xor %ecx, %ecx
3:  mov %ecx, %eax
    shl $12, %eax
    add $boot_pt_high, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, boot_pd_high(, %ecx, 8)
    inc %ecx
    cmp $BOOT_PTS, %ecx
    jne 3b
    xor %ecx, %ecx
4:  mov %ecx, %eax
    shl $12, %eax
    or $(PTE_P | PTE_W), %eax
    mov %eax, boot_pt_high(, %ecx, 8)
    inc %ecx
    cmp $(BOOT_PTS * 512), %ecx
    jne 4b
    /* Leave the stacks' guard pages unmapped: an overflow faults. */
    .irp guard, boot_stack_guard_phys, ist_double_fault_guard_phys, ist_nmi_guard_phys, ist_machine_check_guard_phys
    mov $\guard, %eax
    shr $12, %eax
    movl $0, boot_pt_high(, %eax, 8)
    .endr

    /* PAE, then EFER.LME (+NXE), then paging with write protection. */
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(1 << 5), %eax
    mov %eax, %cr4
    mov $0xc0000080, %ecx
    rdmsr
    or $(1 << 8), %eax
    or %ebp, %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax
    mov %eax, %cr0

    lgdt boot_gdt_ptr32
    ljmp $0x08, $long_mode_entry

/* Print the NUL-terminated string at ESI to COM1 and the top of the VGA screen, halt. */
.Lno_multiboot:
    mov $msg_no_multiboot, %esi
    jmp early_fail
.Lno_cpuid:
    mov $msg_no_cpuid, %esi
    jmp early_fail
.Lno_long_mode:
    mov $msg_no_long_mode, %esi
early_fail:
    mov $0xb8000, %edi
    mov $COM1, %dx
5:  lodsb
    test %al, %al
    jz 6f
    out %al, %dx
    movb %al, (%edi)
    movb $0x4f, 1(%edi)             /* white on red */
    add $2, %edi
    jmp 5b
6:  cli
    hlt
    jmp 6b

    .code64
long_mode_entry:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    movabs $higher_half_entry, %rax
    jmp *%rax

    .section .boot.data, "a"
    .balign 8
boot_gdt:
    .quad 0                         /* null */
    .quad 0x00af9a000000ffff        /* 0x08: 64-bit kernel code */
    .quad 0x00cf92000000ffff        /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr32:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt
msg_no_multiboot:
    .asciz "boot error: not started by a multiboot2 loader"
msg_no_cpuid:
    .asciz "boot error: this CPU has no CPUID instruction"
msg_no_long_mode:
    .asciz "boot error: this CPU is not 64-bit capable (no long mode); x86_64 is required"

    .section .boot.bss, "aw", @nobits
    .balign 4096
    .global boot_pml4               /* application processors start on these too (smp.c) */
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pd_low:    .skip 4096
boot_pdpt_high: .skip 4096
boot_pd_high:   .skip 4096
boot_pt_high:   .skip 4096 * BOOT_PTS
boot32_stack:   .skip 256
boot32_stack_top:

    .text
higher_half_entry:
    /* Reload the GDT through its higher-half alias so nothing depends on the
     * identity map once it is removed. */
    movabs $boot_gdt_ptr64, %rax
    lgdt (%rax)
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp                  /* ends backtraces */
    /* GS.base = the boot CPU's per-CPU block (arch/percpu.h), its self
     * pointer set, so per-CPU data works from kmain()'s first line. */
    movabs $arch_cpus, %rax
    movq %rax, 16(%rax)
    mov $0xc0000101, %ecx           /* MSR_GS_BASE */
    mov %rax, %rdx
    shr $32, %rdx
    wrmsr                           /* (EDI and ESI survive) */
    /* EDI = magic, ESI = info physical address (32-bit moves zeroed the tops). */
    mov %edi, %edi
    mov %esi, %esi
    call kmain
7:  cli
    hlt
    jmp 7b

    .section .rodata
    .balign 8
boot_gdt_ptr64:
    .short boot_gdt_end - boot_gdt - 1
    .quad boot_gdt + KERNEL_VMA

/* Stacks, each above an unmapped guard page: the boot stack and the IST stacks. */
.macro STACK name, size
    .balign 4096
    .global \name\()_guard, \name\()_top
\name\()_guard:
    .skip 4096
    .skip \size
\name\()_top:
.endm

    .bss
    STACK boot_stack, KERNEL_BOOT_STACK_SIZE
    STACK ist_double_fault, KERNEL_IST_STACK_SIZE
    STACK ist_nmi, KERNEL_IST_STACK_SIZE
    STACK ist_machine_check, KERNEL_IST_STACK_SIZE

    .section .note.GNU-stack, "", @progbits
