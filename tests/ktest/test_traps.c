/*
 * test_traps.c - exceptions, the PIC and the PIT, inside the kernel.
 *
 * Fault tests install a handler for the vector that records the trap and moves
 * rip to a resume label placed right after the faulting instruction.
 */
#include <k/console.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/layout.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <arch/trap.h>
#include <kernel/ktest.h>
#include <string.h>

static volatile uintptr_t resume_at;
static volatile int seen_vector = -1;
static volatile uint64_t seen_error, seen_cr2, seen_rip;
static volatile int hits;

/* A console that keeps what the default breakpoint handler reports. */
static char report[4096]; /* the whole report: registers, backtrace, then the verdict */
static size_t report_len;

static void report_write(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n && report_len + 1 < sizeof(report); i++)
        report[report_len++] = s[i];
    report[report_len] = '\0';
}

static const struct console_ops report_ops = { .write = report_write };

static void recover(struct trap_frame *tf)
{
    seen_vector = (int)tf->vector;
    seen_error = tf->error_code;
    seen_cr2 = read_cr2();
    seen_rip = tf->rip;
    tf->rip = resume_at;
}

static void count_hit(struct trap_frame *tf)
{
    (void)tf;
    hits++;
}

KTEST(trap_breakpoint_resumes)
{
    hits = 0;
    trap_handler_fn old = trap_set_handler(TRAP_BREAKPOINT, count_hit);
    __asm__ volatile("int3");
    __asm__ volatile("int3");
    trap_set_handler(TRAP_BREAKPOINT, old);
    KT_ASSERT_EQ(hits, 2);
    /* and with the default handler: a report, then execution continues */
    report_len = 0;
    report[0] = '\0';
    KT_ASSERT_EQ(console_register("report", &report_ops, NULL), 0);
    volatile int reached = 0;
    __asm__ volatile("int3");
    reached = 1;
    KT_ASSERT_EQ(console_unregister(&report_ops, NULL), 0);
    KT_ASSERT_EQ(reached, 1);
    KT_ASSERT(strstr(report, "breakpoint: resuming") != NULL);
}

KTEST(trap_divide_error_caught)
{
    seen_vector = -1;
    trap_handler_fn old = trap_set_handler(TRAP_DIVIDE, recover);
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
                     "movq %%rax, %0\n\t"
                     "xorl %%ecx, %%ecx\n\t"
                     "movl $1, %%eax\n\t"
                     "xorl %%edx, %%edx\n\t"
                     "divl %%ecx\n"
                     "1:"
                     : "=m"(resume_at)
                     :
                     : "rax", "rcx", "rdx", "memory");
    trap_set_handler(TRAP_DIVIDE, old);
    KT_ASSERT_EQ(seen_vector, TRAP_DIVIDE);
    KT_ASSERT_EQ(seen_error, 0);
}

KTEST(trap_invalid_opcode_caught)
{
    seen_vector = -1;
    trap_handler_fn old = trap_set_handler(TRAP_INVALID_OPCODE, recover);
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
                     "movq %%rax, %0\n\t"
                     "ud2\n"
                     "1:"
                     : "=m"(resume_at)
                     :
                     : "rax", "memory");
    trap_set_handler(TRAP_INVALID_OPCODE, old);
    KT_ASSERT_EQ(seen_vector, TRAP_INVALID_OPCODE);
    KT_ASSERT(seen_rip != resume_at); /* rip pointed at the ud2 itself */
}

KTEST(trap_page_fault_caught_with_decoded_error)
{
    const uint64_t bad = 0xffffffff81234000ull; /* beyond the boot mapping */
    trap_handler_fn old = trap_set_handler(TRAP_PAGE_FAULT, recover);

    seen_vector = -1;
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
                     "movq %%rax, %0\n\t"
                     "movq (%1), %%rax\n"
                     "1:"
                     : "=m"(resume_at)
                     : "r"(bad)
                     : "rax", "memory");
    KT_ASSERT_EQ(seen_vector, TRAP_PAGE_FAULT);
    KT_ASSERT_EQ(seen_cr2, bad);
    KT_ASSERT_EQ(seen_error & (PF_PRESENT | PF_WRITE | PF_USER), 0);

    seen_vector = -1;
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
                     "movq %%rax, %0\n\t"
                     "movq $7, 8(%1)\n"
                     "1:"
                     : "=m"(resume_at)
                     : "r"(bad)
                     : "rax", "memory");
    trap_set_handler(TRAP_PAGE_FAULT, old);
    KT_ASSERT_EQ(seen_vector, TRAP_PAGE_FAULT);
    KT_ASSERT_EQ(seen_cr2, bad + 8);
    KT_ASSERT(seen_error & PF_WRITE);
    KT_ASSERT(!kernel_image_guard_page(bad + 8)); /* an ordinary fault, not an overflow */
}

KTEST(trap_guard_pages_recognised)
{
    KT_ASSERT(kernel_image_guard_page((uintptr_t)boot_stack_guard));
    KT_ASSERT(kernel_image_guard_page((uintptr_t)ist_double_fault_guard + 4095));
    KT_ASSERT(kernel_image_guard_page((uintptr_t)ist_nmi_guard));
    KT_ASSERT(kernel_image_guard_page((uintptr_t)ist_machine_check_guard));
    KT_ASSERT(!kernel_image_guard_page((uintptr_t)boot_stack_guard + 4096));
    KT_ASSERT(!kernel_image_guard_page((uintptr_t)_text_start));
}

KTEST(gdt_tss_and_ist_installed)
{
    const struct tss *t = gdt_tss();
    KT_ASSERT_EQ(t->ist[IST_DOUBLE_FAULT - 1], (uintptr_t)ist_double_fault_top);
    KT_ASSERT_EQ(t->ist[IST_NMI - 1], (uintptr_t)ist_nmi_top);
    KT_ASSERT_EQ(t->ist[IST_MACHINE_CHECK - 1], (uintptr_t)ist_machine_check_top);
    KT_ASSERT_EQ(idt_gate(TRAP_DOUBLE_FAULT)->ist, IST_DOUBLE_FAULT);
    KT_ASSERT_EQ(idt_gate(TRAP_NMI)->ist, IST_NMI);
    KT_ASSERT_EQ(idt_gate(TRAP_PAGE_FAULT)->ist, 0);
    uint16_t cs, tr;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    __asm__ volatile("str %0" : "=r"(tr));
    KT_ASSERT_EQ(cs, GDT_KERNEL_CS);
    KT_ASSERT_EQ(tr, GDT_TSS);
}

KTEST(pit_ticks_advance_with_interrupts_on)
{
    KT_ASSERT(cpu_read_rflags() & CPU_RFLAGS_IF);
    uint64_t t0 = timer_ticks(), ms0 = timer_uptime_ms();
    KT_ASSERT_EQ(timer_sleep_ms(20), 0);
    uint64_t dt = timer_ticks() - t0;
    KT_ASSERT(dt >= 20 * timer_rate_mhz() / 1000000u); /* 20 ms of ticks: 5 at 250 Hz */
    KT_ASSERT(timer_uptime_ms() - ms0 >= 20);
    if (strcmp(timer_source(), "PIT") == 0)
        KT_ASSERT(irq_count(PIT_IRQ) > 0);
}

KTEST(pit_sleep_refuses_with_interrupts_off)
{
    uint64_t f = cpu_irq_save();
    int r = timer_sleep_ms(5);
    cpu_irq_restore(f);
    KT_ASSERT(r < 0);
}

/* Mask whichever source gives the tick (IRQ 0 at the PIC, or the local APIC
 * timer's LVT entry): no tick may arrive until it is unmasked. */
KTEST(masking_the_tick_source_stops_the_timer)
{
    bool pit = strcmp(timer_source(), "PIT") == 0;
    if (pit) {
        irq_mask(PIT_IRQ);
        KT_ASSERT(pic_get_mask() & (1u << PIT_IRQ));
    } else {
        apic_timer_mask();
    }
    uint64_t t0 = timer_ticks();
    for (int i = 0; i < 20000; i++) /* ~20 ms of port delays */
        io_wait();
    uint64_t masked = timer_ticks() - t0;
    if (pit) {
        irq_unmask(PIT_IRQ);
        KT_ASSERT(!(pic_get_mask() & (1u << PIT_IRQ)));
    } else {
        apic_timer_unmask();
    }
    KT_ASSERT_EQ(masked, 0);
    timer_sleep_ms(8);
    KT_ASSERT(timer_ticks() - t0 >= 8 * timer_rate_mhz() / 1000000u); /* 2 at 250 Hz */
}

static volatile int tick_prints;
static timer_tick_fn saved_tick_hook;

static void print_from_irq(uint64_t ticks)
{
    if (saved_tick_hook)
        saved_tick_hook(ticks); /* keep the scheduler's tick going */
    kprintf("%s", "");          /* takes the console lock in interrupt context */
    tick_prints++;
}

KTEST(console_lock_safe_against_printing_interrupts)
{
    tick_prints = 0;
    saved_tick_hook = timer_set_tick_hook(print_from_irq);
    uint64_t end = timer_ticks() + 30;
    /* Print continuously while the timer interrupt also prints: a lock taken
     * without disabling interrupts would deadlock here. */
    while (timer_ticks() < end)
        kprintf("%s", "");
    timer_set_tick_hook(saved_tick_hook);
    KT_ASSERT(tick_prints >= 20);
}
