/*
 * minimal.S - the smallest multiboot2 kernel: print one line on COM1 and halt.
 *
 * The boot-time benchmark boots it through the same GRUB ISO path as Kestrel,
 * so the difference between the two is the time Kestrel itself takes.
 */
#define MB2_MAGIC 0xe85250d6

    .section .multiboot2, "a"
    .balign 8
hdr:
    .long MB2_MAGIC
    .long 0
    .long hdr_end - hdr
    .long -(MB2_MAGIC + (hdr_end - hdr))
    .balign 8
    .short 0, 0
    .long 8
hdr_end:

    .text
    .code32
    .global _start
_start:
    mov $msg, %esi
    mov $0x3f8, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  cli
    hlt
    jmp 2b

    .section .rodata
msg:
    .asciz "minimal kernel up\r\n"

    .section .note.GNU-stack, "", @progbits
