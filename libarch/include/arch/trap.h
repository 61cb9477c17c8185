/**
 * @file arch/trap.h
 * @brief The C side of interrupts and exceptions: trap frames, handlers, reports.
 *
 * Every vector enters trap_dispatch() with a `struct trap_frame` on the stack.
 * A handler registered for the vector runs first and may change the frame (for
 * example move `rip` past a faulting instruction). Vectors 32-47 are the PIC's
 * IRQs (arch/pic.h, irq_set_handler()). An exception with no handler is reported
 * (name, decoded error code, registers, backtrace) and the kernel panics;
 * breakpoints (`int3`) are reported and execution resumes. A double fault whose
 * faulting address is a stack guard page is reported as a kernel stack overflow.
 *
 * Locking: the handler and lockless tables, the hooks and the probe fix-up are
 * set at boot (or under the big kernel lock, with interrupts off) and read by
 * every CPU's dispatch without a lock: each entry is one aligned word. Which
 * vectors run without the big lock: trap_set_lockless().
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Register state saved by the entry stubs, in stack order. */
struct trap_frame {
    uint64_t r15;        /**< Saved R15. */
    uint64_t r14;        /**< Saved R14. */
    uint64_t r13;        /**< Saved R13. */
    uint64_t r12;        /**< Saved R12. */
    uint64_t r11;        /**< Saved R11. */
    uint64_t r10;        /**< Saved R10. */
    uint64_t r9;         /**< Saved R9. */
    uint64_t r8;         /**< Saved R8. */
    uint64_t rbp;        /**< Saved RBP. */
    uint64_t rdi;        /**< Saved RDI. */
    uint64_t rsi;        /**< Saved RSI. */
    uint64_t rdx;        /**< Saved RDX. */
    uint64_t rcx;        /**< Saved RCX. */
    uint64_t rbx;        /**< Saved RBX. */
    uint64_t rax;        /**< Saved RAX. */
    uint64_t vector;     /**< Vector number (0-255). */
    uint64_t error_code; /**< CPU error code, or 0 when the CPU pushes none. */
    uint64_t rip;        /**< Interrupted instruction (or the one after, for traps). */
    uint64_t cs;         /**< Interrupted code segment. */
    uint64_t rflags;     /**< Interrupted flags. */
    uint64_t rsp;        /**< Interrupted stack pointer. */
    uint64_t ss;         /**< Interrupted stack segment. */
};

/** @name Exception vectors */
/** @{ */
#define TRAP_DIVIDE          0  /**< \#DE divide error. */
#define TRAP_DEBUG           1  /**< \#DB debug. */
#define TRAP_NMI             2  /**< Non-maskable interrupt. */
#define TRAP_BREAKPOINT      3  /**< \#BP int3. */
#define TRAP_OVERFLOW        4  /**< \#OF into. */
#define TRAP_BOUND           5  /**< \#BR bound range. */
#define TRAP_INVALID_OPCODE  6  /**< \#UD invalid opcode. */
#define TRAP_DEVICE_NA       7  /**< \#NM device not available. */
#define TRAP_DOUBLE_FAULT    8  /**< \#DF double fault. */
#define TRAP_INVALID_TSS     10 /**< \#TS invalid TSS. */
#define TRAP_SEGMENT_NP      11 /**< \#NP segment not present. */
#define TRAP_STACK_FAULT     12 /**< \#SS stack-segment fault. */
#define TRAP_GP              13 /**< \#GP general protection. */
#define TRAP_PAGE_FAULT      14 /**< \#PF page fault. */
#define TRAP_X87             16 /**< \#MF x87 floating point. */
#define TRAP_ALIGNMENT       17 /**< \#AC alignment check. */
#define TRAP_MACHINE_CHECK   18 /**< \#MC machine check. */
#define TRAP_SIMD            19 /**< \#XM SIMD floating point. */
#define TRAP_VIRTUALIZATION  20 /**< \#VE virtualization. */
#define TRAP_CONTROL_PROTECT 21 /**< \#CP control protection. */
#define TRAP_IRQ_BASE        32 /**< First PIC IRQ vector. */
/** @} */

/** @name Page-fault error-code bits */
/** @{ */
#define PF_PRESENT  0x01 /**< The page was present (protection violation). */
#define PF_WRITE    0x02 /**< The access was a write. */
#define PF_USER     0x04 /**< The access came from ring 3. */
#define PF_RESERVED 0x08 /**< A reserved bit was set in a paging entry. */
#define PF_IFETCH   0x10 /**< The access was an instruction fetch. */
/** @} */

/**
 * @brief A handler for one vector. It runs with interrupts disabled and may
 * modify @p tf; returning resumes the interrupted code with the (possibly
 * changed) frame.
 */
typedef void (*trap_handler_fn)(struct trap_frame *tf);

/**
 * @brief Install the handler for @p vector (NULL restores the default).
 * @param vector 0..255
 * @param fn     the handler
 * @return the previous handler (NULL if none)
 */
trap_handler_fn trap_set_handler(int vector, trap_handler_fn fn);

/**
 * @brief Let @p vector's handler run without the big kernel lock
 * (arch/bkl.h): for handlers that touch no shared kernel state, such as a
 * wake-up IPI. NMI, double fault and machine check are lockless already.
 * @param vector 0-255
 */
void trap_set_lockless(int vector);

/**
 * @brief Install the handler for exceptions raised in user mode (vectors 0-31
 * with CPL 3 in the frame): it resolves the fault (demand paging, copy on
 * write) or ends the process. It takes precedence over per-vector handlers,
 * which are for kernel-mode faults. Without one, a user exception panics.
 * @param fn the handler, or NULL
 * @return the previous handler
 */
trap_handler_fn trap_set_user_fault_handler(trap_handler_fn fn);

/**
 * @brief Install a hook run at the end of every trap, interrupt or `int 0x80`
 * that returns to user mode, with interrupts disabled: where pending signals
 * are acted on. The `syscall` path does its own check.
 * @param fn the hook, or NULL
 * @return the previous hook
 */
trap_handler_fn trap_set_user_return_hook(trap_handler_fn fn);

/**
 * @brief Entry from the assembly stubs: run the vector's handler or the default
 * action (report + panic for exceptions, report + resume for breakpoints).
 * @param tf the saved state
 */
void trap_dispatch(struct trap_frame *tf);

/**
 * @brief Name of an exception vector ("Page fault").
 * @param vector 0..255
 * @return the name; "Interrupt" for vectors >= 32, "Reserved" for unused ones
 */
const char *trap_name(int vector);

/**
 * @brief Does the CPU push an error code for this exception vector?
 * @param vector 0..255
 * @return true for 8, 10-14, 17, 21, 29, 30
 */
bool trap_has_error_code(int vector);

/**
 * @brief Describe a page-fault error code: "write to a not-present page in
 * kernel mode", plus "reserved bit" and "instruction fetch" when set.
 * @param error_code the page-fault error code
 * @param buf        destination (NUL-terminated)
 * @param size       size of @p buf
 * @return @p buf
 */
char *trap_describe_page_fault(uint64_t error_code, char *buf, size_t size);

/**
 * @brief Print the full report of a trap: name, vector, decoded error code (with
 * CR2 for page faults), "kernel stack overflow" when a fault hit a stack guard
 * page, the register dump and a backtrace.
 * @param tf the saved state
 */
void trap_report(const struct trap_frame *tf);

/**
 * @brief Was this trap caused by running off a kernel stack into its guard page?
 * @param tf the saved state (a page fault or a double fault)
 * @return true if CR2 lies in a guard page known to the guard checker
 */
bool trap_is_stack_overflow(const struct trap_frame *tf);

/**
 * @brief Install the function that tells whether an address is a stack guard
 * page (the memory manager adds thread stacks to the kernel image's ones).
 * @param fn returns nonzero for an address in a guard page; NULL for none
 */
void trap_set_guard_checker(int (*fn)(uintptr_t va));

/**
 * @brief Name the one kernel instruction that may page-fault: a kernel-mode
 * page fault at @p insn resumes at @p resume (the instruction's own code
 * then reports the fault), before any handler runs and without the big
 * kernel lock. arch_probe_read() registers its load this way; no other
 * instruction is forgiven.
 * @param insn   the address of the instruction (0: none)
 * @param resume where it continues after a fault
 */
void trap_set_probe_fixup(uintptr_t insn, uintptr_t resume);

/**
 * @brief Read 64 bits at @p va, surviving a page fault: the test of whether
 * an address is mapped on this CPU now (its TLB included). Safe in any
 * context, lockless interrupt handlers too. Kernel only (idt.c).
 * @param va  the address (8-byte aligned)
 * @param out where the value goes when the read succeeds
 * @return 0, or -EFAULT if the read page-faulted
 */
int arch_probe_read(const volatile void *va, uint64_t *out);

#endif
