/**
 * @file arch/user.h
 * @brief Ring 3: entering user mode, the system-call entry points, per-CPU
 * state through GS, FPU/SSE state, SMEP and SMAP.
 *
 * Two ways into the kernel carry a system call, with the same numbers and
 * registers (Linux x86-64: number in RAX, arguments in RDI RSI RDX R10 R8 R9,
 * result in RAX):
 * - the `syscall` instruction (LSTAR = arch_syscall_entry): it swaps GS to the
 *   per-CPU block, moves to the thread's kernel stack, and builds a
 *   `struct trap_frame` with vector ARCH_SYSCALL_VECTOR;
 * - `int 0x80` through a DPL-3 interrupt gate, which arrives as an ordinary
 *   trap frame with vector 0x80.
 * Both call the handler installed with arch_set_syscall_handler(), with
 * interrupts enabled, and return to user mode through the common exit path
 * (IRETQ), which restores every register from the frame: a handler may rewrite
 * the frame (execve, signals, fork's child) and the CPU resumes what it says.
 *
 * GS convention: in the kernel GS.base is always the per-CPU block; in user mode
 * it is the user's. Every entry from ring 3 (syscall, interrupt, exception)
 * executes SWAPGS once, and every exit to ring 3 once more.
 *
 * FPU: the kernel is built without SSE and never touches the FPU, so user FPU
 * state lives in the CPU until a context switch, when the scheduler's switch
 * hook saves it into the outgoing thread's area and restores the incoming one's
 * (arch_fpu_save/arch_fpu_restore, FXSAVE format).
 *
 * Locking: the handler and the initial FPU state are set at boot; the MSRs,
 * GS and the FPU are each CPU's own. A system call takes the big kernel lock
 * (arch/bkl.h) before the handler runs, and arch_enter_user() gives it back
 * on the way to ring 3.
 */
#ifndef ARCH_USER_H
#define ARCH_USER_H

#include <arch/trap.h>
#include <stdbool.h>
#include <stdint.h>

/** @brief The trap_frame vector value of a `syscall`-instruction entry. */
#define ARCH_SYSCALL_VECTOR 0x100
/** @brief The interrupt vector of the `int 0x80` gate. */
#define ARCH_INT80_VECTOR 0x80

/** @brief Size of an FPU/SSE save area (FXSAVE format). */
#define ARCH_FPU_AREA_SIZE 512

/** @brief One thread's FPU/SSE registers; must be 16-byte aligned. */
struct arch_fpu {
    uint8_t area[ARCH_FPU_AREA_SIZE] __attribute__((aligned(16))); /**< FXSAVE image. */
};

/** @brief What the CPU offers ring-3 support with (filled by arch_user_init()). */
struct arch_user_features {
    bool smep; /**< Supervisor-mode execution prevention is on. */
    bool smap; /**< Supervisor-mode access prevention is on. */
    bool nx;   /**< No-execute pages work (EFER.NXE). */
};

/** @brief Handles one system call; reads and writes the frame. */
typedef void (*arch_syscall_fn)(struct trap_frame *tf);

/**
 * @brief Set up ring 3: the per-CPU block in GS, STAR/LSTAR/SFMASK and
 * EFER.SCE for `syscall`, the `int 0x80` handler, the FPU (CR0.MP, CR4.OSFXSR,
 * CR4.OSXMMEXCPT) and SMEP/SMAP when CPUID reports them. Call once, after
 * gdt_init() and idt_init().
 * @param out what was enabled (may be NULL)
 */
void arch_user_init(struct arch_user_features *out);

/**
 * @brief The per-CPU half of arch_user_init(): GS MSRs, STAR/LSTAR/SFMASK and
 * EFER.SCE, the FPU control bits, SMEP/SMAP. Each application processor runs
 * it for itself (smp.c).
 * @param out what was enabled (may be NULL)
 */
void arch_user_init_cpu(struct arch_user_features *out);

/** @brief Install the system-call handler (both entry points). @param fn the handler */
void arch_set_syscall_handler(arch_syscall_fn fn);

/**
 * @brief Set the stack the CPU switches to on entry from ring 3 (TSS.rsp0 and
 * the per-CPU syscall stack). The scheduler calls this on every switch.
 * @param top the top of the incoming thread's kernel stack
 */
void arch_set_kernel_stack(uint64_t top);

/**
 * @brief Enter (or return to) user mode as @p tf says. Interrupts must be off.
 * The frame must lie wholly at or above the caller's stack pointer (a local
 * of the caller, say): the call pushes its return address just below that
 * pointer, over any part of the frame that reaches there. Its memory is
 * consumed and may be reused by the next entry.
 * @param tf the user frame: rip, rsp, rflags (IF set), cs = user code, ss = user data
 */
__attribute__((noreturn)) void arch_enter_user(struct trap_frame *tf);

/**
 * @brief Fill @p tf for a first entry into user mode.
 * @param tf    the frame to fill (every register zero)
 * @param entry user instruction pointer
 * @param sp    user stack pointer
 */
void arch_user_frame_init(struct trap_frame *tf, uint64_t entry, uint64_t sp);

/** @brief Did @p tf come from user mode? @param tf the frame @return true for ring 3 */
static inline bool arch_frame_is_user(const struct trap_frame *tf)
{
    return (tf->cs & 3) == 3;
}

/** @brief Save the CPU's FPU/SSE registers. @param f where */
void arch_fpu_save(struct arch_fpu *f);
/** @brief Load FPU/SSE registers. @param f what arch_fpu_save() or arch_fpu_init_state() gave */
void arch_fpu_restore(const struct arch_fpu *f);
/** @brief The state a new program starts with (FNINIT, MXCSR 0x1f80). @param f filled */
void arch_fpu_init_state(struct arch_fpu *f);

/** @brief The user FS base (TLS pointer, arch_prctl ARCH_SET_FS). @param base the address */
void arch_set_user_fs(uint64_t base);
/** @brief Read the FS base. @return the address */
uint64_t arch_get_user_fs(void);

#endif
