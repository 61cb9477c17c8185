/*
 * user.c - ring 3 set-up: per-CPU block, syscall MSRs, int 0x80, FPU, SMEP and
 * SMAP (arch/user.h). Kernel only; the entry code is in syscall.S and isr.S.
 *
 * The per-CPU block is struct arch_cpu (arch/percpu.h); its first fields are
 * shared with syscall.S (offsets 0 and 8), so change both together.
 */
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/percpu.h>
#include <arch/user.h>
#include <k/kprintf.h>

#define MSR_EFER           0xc0000080u
#define MSR_STAR           0xc0000081u
#define MSR_LSTAR          0xc0000082u
#define MSR_SFMASK         0xc0000084u
#define MSR_FS_BASE        0xc0000100u
#define MSR_GS_BASE        0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u

#define EFER_SCE (1ull << 0)
#define EFER_NXE (1ull << 11)

#define CR0_MP         (1ull << 1)
#define CR0_EM         (1ull << 2)
#define CR0_TS         (1ull << 3)
#define CR0_NE         (1ull << 5)
#define CR4_OSFXSR     (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_SMEP       (1ull << 20)
#define CR4_SMAP       (1ull << 21)

/* RFLAGS bits cleared on `syscall`: TF, IF, DF, IOPL, NT, AC (as Linux). */
#define SYSCALL_RFLAGS_MASK 0x47700ull

static arch_syscall_fn syscall_handler;
static struct arch_fpu initial_fpu;

void arch_syscall_entry(void);                     /* syscall.S */
void arch_syscall_dispatch(struct trap_frame *tf); /* called from syscall.S */

void arch_syscall_dispatch(struct trap_frame *tf)
{
    bool took = arch_bkl_enter(); /* not taken yet by `syscall`; taken by int 0x80's trap */
    cpu_sti();
    if (syscall_handler)
        syscall_handler(tf);
    else
        tf->rax = (uint64_t)-38; /* -ENOSYS */
    cpu_cli();
    arch_bkl_exit(took);
}

__attribute__((noreturn)) void arch_enter_user_frame(struct trap_frame *tf); /* syscall.S */

void arch_enter_user(struct trap_frame *tf)
{
    cpu_cli();
    if (arch_bkl_held())
        arch_bkl_unlock(); /* user code runs outside the big kernel lock */
    arch_enter_user_frame(tf);
}

static void int80(struct trap_frame *tf)
{
    arch_syscall_dispatch(tf);
}

static void fpu_init(void)
{
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    __asm__ volatile("fninit");
    uint32_t mxcsr = 0x1f80; /* every SSE exception masked, round to nearest */
    __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
}

void arch_user_init_cpu(struct arch_user_features *out)
{
    struct arch_user_features f = { 0 };

    struct arch_cpu *c = arch_cpu_this();
    c->kernel_rsp = gdt_tss()->rsp[0];
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);

    /* SYSRET loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, both with
     * RPL 3: base 0x10 gives user data 0x1b and user code 0x23. */
    uint64_t star = ((uint64_t)(GDT_USER_DS - 8 - 3) << 48) | ((uint64_t)GDT_KERNEL_CS << 32);
    wrmsr(MSR_STAR, star);
    wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)arch_syscall_entry);
    wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_MASK);
    uint64_t efer = rdmsr(MSR_EFER);
    wrmsr(MSR_EFER, efer | EFER_SCE);
    f.nx = (efer & EFER_NXE) != 0;

    fpu_init();

    uint32_t r[4];
    cpu_cpuid(0, 0, r);
    if (r[0] >= 7) {
        cpu_cpuid(7, 0, r);
        uint64_t cr4 = read_cr4();
        if (r[1] & (1u << 7)) {
            cr4 |= CR4_SMEP;
            f.smep = true;
        }
        if (r[1] & (1u << 20)) {
            cr4 |= CR4_SMAP;
            f.smap = true;
        }
        write_cr4(cr4);
    }
    if (out)
        *out = f;
}

void arch_user_init(struct arch_user_features *out)
{
    arch_user_init_cpu(out);
    trap_set_handler(ARCH_INT80_VECTOR, int80);
    arch_fpu_save(&initial_fpu);
}

void arch_set_syscall_handler(arch_syscall_fn fn)
{
    syscall_handler = fn;
}

void arch_set_kernel_stack(uint64_t top)
{
    gdt_set_kernel_stack(top);
    arch_cpu_this()->kernel_rsp = top;
}

void arch_user_frame_init(struct trap_frame *tf, uint64_t entry, uint64_t sp)
{
    *tf = (struct trap_frame){ 0 };
    tf->rip = entry;
    tf->rsp = sp;
    tf->cs = GDT_USER_CS;
    tf->ss = GDT_USER_DS;
    tf->rflags = 0x202; /* IF, and the reserved bit 1 */
}

void arch_fpu_save(struct arch_fpu *f)
{
    __asm__ volatile("fxsave64 %0" : "=m"(*f));
}

void arch_fpu_restore(const struct arch_fpu *f)
{
    __asm__ volatile("fxrstor64 %0" : : "m"(*f));
}

void arch_fpu_init_state(struct arch_fpu *f)
{
    *f = initial_fpu;
}

void arch_set_user_fs(uint64_t base)
{
    wrmsr(MSR_FS_BASE, base);
}

uint64_t arch_get_user_fs(void)
{
    return rdmsr(MSR_FS_BASE);
}
