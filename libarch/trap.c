/*
 * trap.c - trap dispatch, default exception handling and reports (arch/trap.h).
 *
 * Runs on the host too: tests feed it fabricated trap frames.
 */
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <arch/ksyms.h>
#include <arch/percpu.h>
#include <k/kprintf.h>
#include <arch/panic.h>
#include <arch/trap.h>

static trap_handler_fn handlers[256];
/* Vectors whose handlers run without the big kernel lock: NMI, double fault
 * and machine check (a CPU may be spinning for the lock when they come), and
 * what trap_set_lockless() adds. */
static bool lockless[256] = { [2] = true, [8] = true, [18] = true };
static int (*guard_checker)(uintptr_t va);
/* The one kernel instruction allowed to page-fault (arch_probe_read()), and
 * where it resumes when it does. */
static uintptr_t probe_insn, probe_resume;

static const char *const exception_names[32] = {
    "Divide error",
    "Debug",
    "Non-maskable interrupt",
    "Breakpoint",
    "Overflow",
    "BOUND range exceeded",
    "Invalid opcode",
    "Device not available",
    "Double fault",
    "Coprocessor segment overrun",
    "Invalid TSS",
    "Segment not present",
    "Stack-segment fault",
    "General protection fault",
    "Page fault",
    "Reserved",
    "x87 floating-point error",
    "Alignment check",
    "Machine check",
    "SIMD floating-point error",
    "Virtualization exception",
    "Control protection exception",
    "Reserved",
    "Reserved",
    "Reserved",
    "Reserved",
    "Reserved",
    "Reserved",
    "Hypervisor injection exception",
    "VMM communication exception",
    "Security exception",
    "Reserved",
};

trap_handler_fn trap_set_handler(int vector, trap_handler_fn fn)
{
    if (vector < 0 || vector > 255)
        return NULL;
    trap_handler_fn old = handlers[vector];
    handlers[vector] = fn;
    return old;
}

void trap_set_guard_checker(int (*fn)(uintptr_t va))
{
    guard_checker = fn;
}

const char *trap_name(int vector)
{
    if (vector >= 0 && vector < 32)
        return exception_names[vector];
    return vector >= 32 && vector <= 255 ? "Interrupt" : "Reserved";
}

bool trap_has_error_code(int vector)
{
    switch (vector) {
    case 8:
    case 10:
    case 11:
    case 12:
    case 13:
    case 14:
    case 17:
    case 21:
    case 29:
    case 30:
        return true;
    default:
        return false;
    }
}

char *trap_describe_page_fault(uint64_t err, char *buf, size_t size)
{
    const char *access = (err & PF_IFETCH)  ? "instruction fetch from"
                         : (err & PF_WRITE) ? "write to"
                                            : "read from";
    ksnprintf(buf, size, "%s %s page in %s mode%s", access,
              (err & PF_PRESENT) ? "a protected" : "a not-present",
              (err & PF_USER) ? "user" : "kernel", (err & PF_RESERVED) ? ", reserved bit set" : "");
    return buf;
}

bool trap_is_stack_overflow(const struct trap_frame *tf)
{
    if (tf->vector != TRAP_PAGE_FAULT && tf->vector != TRAP_DOUBLE_FAULT)
        return false;
    return guard_checker && guard_checker((uintptr_t)read_cr2());
}

static void report_error_code(const struct trap_frame *tf)
{
    uint64_t err = tf->error_code;
    switch (tf->vector) {
    case TRAP_PAGE_FAULT: {
        char what[96];
        kprintf("error code %#llx: %s\n", (unsigned long long)err,
                trap_describe_page_fault(err, what, sizeof(what)));
        kprintf("faulting address (cr2): %#llx\n", (unsigned long long)read_cr2());
        break;
    }
    case TRAP_INVALID_TSS:
    case TRAP_SEGMENT_NP:
    case TRAP_STACK_FAULT:
    case TRAP_GP:
        if (err == 0) {
            kprintf("error code 0\n");
            break;
        }
        /* A selector error code: external bit, table, index. */
        kprintf("error code %#llx: %sselector index %llu in the %s\n", (unsigned long long)err,
                (err & 1) ? "external event, " : "", (unsigned long long)(err >> 3),
                (err & 2)   ? "IDT"
                : (err & 4) ? "LDT"
                            : "GDT");
        break;
    default:
        if (trap_has_error_code((int)tf->vector))
            kprintf("error code %#llx\n", (unsigned long long)err);
        break;
    }
}

void trap_report(const struct trap_frame *tf)
{
    kprintf("\n*** %s (vector %llu) in %s mode at rip %#llx\n", trap_name((int)tf->vector),
            (unsigned long long)tf->vector, (tf->cs & 3) ? "user" : "kernel",
            (unsigned long long)tf->rip);
    report_error_code(tf);
    if (trap_is_stack_overflow(tf))
        kprintf("kernel stack overflow: the fault address is in a stack guard page\n");
    kprintf("rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", (unsigned long long)tf->rax,
            (unsigned long long)tf->rbx, (unsigned long long)tf->rcx, (unsigned long long)tf->rdx);
    kprintf("rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n", (unsigned long long)tf->rsi,
            (unsigned long long)tf->rdi, (unsigned long long)tf->rbp, (unsigned long long)tf->rsp);
    kprintf("r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n", (unsigned long long)tf->r8,
            (unsigned long long)tf->r9, (unsigned long long)tf->r10, (unsigned long long)tf->r11);
    kprintf("r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n", (unsigned long long)tf->r12,
            (unsigned long long)tf->r13, (unsigned long long)tf->r14, (unsigned long long)tf->r15);
    kprintf("rip %016llx cs %04llx rflags %08llx ss %04llx\n", (unsigned long long)tf->rip,
            (unsigned long long)tf->cs, (unsigned long long)tf->rflags, (unsigned long long)tf->ss);
    if (tf->cs & 3) /* user code: the kernel's tables do not describe it */
        kprintf("  #0 %p (faulting instruction)\n", (void *)tf->rip);
    else
        backtrace_print_frame(0, tf->rip, 0, "faulting instruction");
    backtrace_print(tf->rbp);
}

static trap_handler_fn user_fault_handler;
static trap_handler_fn user_return_hook;

trap_handler_fn trap_set_user_return_hook(trap_handler_fn fn)
{
    trap_handler_fn old = user_return_hook;
    user_return_hook = fn;
    return old;
}

/* Trap dispatch proper; trap_dispatch() adds the return-to-user hook. */
static void dispatch(struct trap_frame *tf);

void trap_set_lockless(int vector)
{
    if (vector >= 0 && vector <= 255)
        lockless[vector] = true;
}

void trap_set_probe_fixup(uintptr_t insn, uintptr_t resume)
{
    probe_insn = insn;
    probe_resume = resume;
}

void trap_dispatch(struct trap_frame *tf)
{
    /* The probe's page fault: resume at its fixup, before anything else and
     * without the big kernel lock, so a probe runs in any context (a
     * lockless IPI handler too). Only that instruction, only in the kernel. */
    if (tf->vector == TRAP_PAGE_FAULT && (tf->cs & 3) == 0 && probe_insn && tf->rip == probe_insn) {
        tf->rip = probe_resume;
        return;
    }
    /* The big kernel lock (arch/bkl.h): taken on entry from user mode or
     * from an idle halt, given back on the way out. A thread switch inside
     * keeps it with the CPU, so "took" stays right for whoever returns. */
    bool to_user = (tf->cs & 3) == 3;
    if (tf->vector >= 32) /* what arch_idle_poll() watches for */
        arch_cpus[cpu_index()].interrupts++;
    bool took = !lockless[tf->vector & 0xff] && arch_bkl_enter();
    dispatch(tf);
    /* A lockless handler may return to user mode without the lock (a tick
     * that found it taken): what the hook does (signals) waits for the next
     * entry that gets it. */
    if (user_return_hook && to_user && arch_bkl_held())
        user_return_hook(tf);
    if (to_user ? arch_bkl_held() : took)
        arch_bkl_unlock();
}

trap_handler_fn trap_set_user_fault_handler(trap_handler_fn fn)
{
    trap_handler_fn old = user_fault_handler;
    user_fault_handler = fn;
    return old;
}

static void dispatch(struct trap_frame *tf)
{
    int v = (int)(tf->vector & 0xff);
    if (v < 32 && (tf->cs & 3) == 3 && user_fault_handler) {
        user_fault_handler(tf);
        return;
    }
    if (handlers[v]) {
        handlers[v](tf);
        return;
    }
    if (v == TRAP_BREAKPOINT) {
        trap_report(tf);
        kprintf("breakpoint: resuming\n");
        return;
    }
    if (v < 32) {
        trap_report(tf);
        if (trap_is_stack_overflow(tf))
            panic("kernel stack overflow (%s)", trap_name(v));
        panic("unhandled exception: %s", trap_name(v));
    }
    kprintf("trap: unexpected interrupt on vector %d, ignored\n", v);
}
