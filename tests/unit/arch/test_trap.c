/*
 * test_trap.c - descriptor encoding, trap dispatch and reports, on the host.
 */
#include "cpu_mock.h"
#include <k/console.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/percpu.h>
#include <arch/panic.h>
#include <arch/trap.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

Suite *trap_suite(void);

START_TEST(test_segment_descriptors_match_hand_computed)
{
    /* The classic flat 64-bit kernel code and data descriptors. */
    ck_assert_uint_eq(gdt_encode_segment(0, 0xfffff, 0x9a, GDT_FLAG_GRANULARITY | GDT_FLAG_LONG),
                      0x00af9a000000ffffull);
    ck_assert_uint_eq(gdt_encode_segment(0, 0xfffff, 0x92, GDT_FLAG_GRANULARITY | GDT_FLAG_SIZE32),
                      0x00cf92000000ffffull);
    /* user code/data: DPL 3 */
    ck_assert_uint_eq(gdt_encode_segment(0, 0xfffff, 0xfa, 0xa), 0x00affa000000ffffull);
    ck_assert_uint_eq(gdt_encode_segment(0, 0xfffff, 0xf2, 0xc), 0x00cff2000000ffffull);
    /* base and limit bits land in their split fields */
    ck_assert_uint_eq(gdt_encode_segment(0x12345678, 0xabcde, 0x92, 0x4), 0x124a92345678bcdeull);
}
END_TEST

START_TEST(test_tss_descriptor)
{
    uint64_t d[2];
    gdt_encode_tss(0xffffffff80123450ull, 103, d);
    /* low: limit 103, base 0x123450 in bits 16-39, type 0x89, base 0x80 in 56-63 */
    ck_assert_uint_eq(d[0], 0x8000891234500067ull);
    ck_assert_uint_eq(d[1], 0xffffffffull);
    ck_assert_uint_eq(sizeof(struct tss), 104);
}
END_TEST

START_TEST(test_idt_gate)
{
    struct idt_gate g;
    ck_assert_uint_eq(sizeof(g), 16);
    idt_encode_gate(0xffffffff80112233ull, GDT_KERNEL_CS, 1, IDT_GATE_INTERRUPT, &g);
    uint64_t raw[2];
    memcpy(raw, &g, 16);
    ck_assert_uint_eq(raw[0], 0x80118e0100082233ull);
    ck_assert_uint_eq(raw[1], 0x00000000ffffffffull);
    idt_encode_gate(0x1000, GDT_KERNEL_CS, 9, IDT_GATE_TRAP | IDT_GATE_USER, &g);
    ck_assert_uint_eq(g.ist, 1); /* only three bits */
    ck_assert_uint_eq(g.type_attr, 0xef);
}
END_TEST

START_TEST(test_names_and_error_codes)
{
    ck_assert_str_eq(trap_name(0), "Divide error");
    ck_assert_str_eq(trap_name(14), "Page fault");
    ck_assert_str_eq(trap_name(8), "Double fault");
    ck_assert_str_eq(trap_name(15), "Reserved");
    ck_assert_str_eq(trap_name(40), "Interrupt");
    ck_assert_str_eq(trap_name(-1), "Reserved");
    int with[] = { 8, 10, 11, 12, 13, 14, 17, 21, 29, 30 };
    int n = 0;
    for (int v = 0; v < 256; v++)
        n += trap_has_error_code(v);
    ck_assert_int_eq(n, 10);
    for (unsigned i = 0; i < sizeof(with) / sizeof(with[0]); i++)
        ck_assert(trap_has_error_code(with[i]));
}
END_TEST

START_TEST(test_page_fault_description)
{
    char b[96];
    ck_assert_str_eq(trap_describe_page_fault(0, b, sizeof(b)),
                     "read from a not-present page in kernel mode");
    ck_assert_str_eq(trap_describe_page_fault(PF_PRESENT | PF_WRITE | PF_USER, b, sizeof(b)),
                     "write to a protected page in user mode");
    ck_assert_str_eq(trap_describe_page_fault(PF_IFETCH | PF_PRESENT, b, sizeof(b)),
                     "instruction fetch from a protected page in kernel mode");
    ck_assert_str_eq(trap_describe_page_fault(PF_RESERVED | PF_PRESENT, b, sizeof(b)),
                     "read from a protected page in kernel mode, reserved bit set");
}
END_TEST

static char out[4096];
static size_t outlen;

static void cap_write(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    if (outlen + n < sizeof(out)) {
        memcpy(out + outlen, s, n);
        outlen += n;
        out[outlen] = '\0';
    }
}

static const struct console_ops cap_ops = { .write = cap_write };

static void setup(void)
{
    cpu_mock_reset();
    console_reset();
    console_register("cap", &cap_ops, NULL);
    outlen = 0;
    out[0] = '\0';
    for (int v = 0; v < 256; v++)
        trap_set_handler(v, NULL);
    trap_set_guard_checker(NULL);
}

static int calls;

static void handler(struct trap_frame *tf)
{
    calls++;
    tf->rip += 2;
}

START_TEST(test_dispatch_runs_registered_handler)
{
    struct trap_frame tf = { .vector = TRAP_INVALID_OPCODE, .rip = 0x1000 };
    ck_assert_ptr_null(trap_set_handler(TRAP_INVALID_OPCODE, handler));
    trap_dispatch(&tf);
    ck_assert_int_eq(calls, 1);
    ck_assert_uint_eq(tf.rip, 0x1002);
    ck_assert_ptr_eq(trap_set_handler(TRAP_INVALID_OPCODE, NULL), handler);
    ck_assert_ptr_null(trap_set_handler(256, handler));
    ck_assert_ptr_null(trap_set_handler(-1, handler));
}
END_TEST

START_TEST(test_only_the_probe_instruction_survives_a_page_fault)
{
    trap_set_probe_fixup(0xffffffff80101000ull, 0xffffffff80101010ull);
    trap_set_handler(TRAP_PAGE_FAULT, handler);
    calls = 0;
    /* The probe's load, in the kernel: resumes at its fixup, no handler runs. */
    struct trap_frame tf = { .vector = TRAP_PAGE_FAULT, .rip = 0xffffffff80101000ull, .cs = 8 };
    trap_dispatch(&tf);
    ck_assert_uint_eq(tf.rip, 0xffffffff80101010ull);
    ck_assert_int_eq(calls, 0);
    /* Any other instruction, a user-mode fault at that address, or another
     * exception there goes to the handler as before. */
    struct trap_frame other = { .vector = TRAP_PAGE_FAULT, .rip = 0xffffffff80101004ull, .cs = 8 };
    trap_dispatch(&other);
    struct trap_frame user = { .vector = TRAP_PAGE_FAULT,
                               .rip = 0xffffffff80101000ull,
                               .cs = 0x23 };
    trap_dispatch(&user);
    trap_set_handler(TRAP_GP, handler);
    struct trap_frame gp = { .vector = TRAP_GP, .rip = 0xffffffff80101000ull, .cs = 8 };
    trap_dispatch(&gp);
    ck_assert_int_eq(calls, 3);
    ck_assert_uint_eq(gp.rip, 0xffffffff80101002ull);
    trap_set_probe_fixup(0, 0);
    tf.rip = 0xffffffff80101000ull;
    trap_dispatch(&tf); /* none registered */
    ck_assert_int_eq(calls, 4);
}
END_TEST

START_TEST(test_breakpoint_reports_and_resumes)
{
    struct trap_frame tf = { .vector = TRAP_BREAKPOINT, .rip = 0xffffffff80100000ull, .cs = 8 };
    trap_dispatch(&tf); /* returns: execution resumes */
    ck_assert_ptr_nonnull(strstr(out, "Breakpoint (vector 3) in kernel mode"));
    ck_assert_ptr_nonnull(strstr(out, "resuming"));
}
END_TEST

static int pauses, irq_at;
static bool irq_was_on;

/* The idle poll's spin: on the irq_at'th pause an interrupt arrives. */
static void pause_then_interrupt(void)
{
    if (++pauses == irq_at) {
        irq_was_on = cpu_mock_irq_enabled();
        struct trap_frame tf = { .vector = 40 };
        trap_dispatch(&tf);
    }
}

START_TEST(test_interrupts_end_an_idle_poll)
{
    trap_set_handler(40, handler);
    uint64_t before = arch_cpus[0].interrupts;
    struct trap_frame irq = { .vector = 40 }, fault = { .vector = TRAP_INVALID_OPCODE };
    trap_dispatch(&irq);
    ck_assert_uint_eq(arch_cpus[0].interrupts, before + 1);
    trap_set_handler(TRAP_INVALID_OPCODE, handler);
    trap_dispatch(&fault); /* an exception is not an interrupt */
    ck_assert_uint_eq(arch_cpus[0].interrupts, before + 1);

    /* Nothing comes: the spin ends when the time is up (the mock TSC moves
     * 100 per read), with interrupts disabled again. */
    cpu_cli();
    ck_assert(!arch_idle_poll(5000));
    ck_assert(!cpu_mock_irq_enabled());
    /* An interrupt during the spin ends it; it was taken with them enabled. */
    cpu_mock_set_pause_hook(pause_then_interrupt);
    pauses = 0;
    irq_at = 3;
    ck_assert(arch_idle_poll(1ull << 40));
    ck_assert_int_eq(pauses, 3);
    ck_assert(irq_was_on);
    ck_assert(!cpu_mock_irq_enabled());
    /* Another CPU's interrupt does not end this one's. */
    cpu_mock_set_cpu(1);
    pauses = 0;
    irq_at = 1000000; /* never */
    uint64_t cpu0 = arch_cpus[0].interrupts;
    trap_dispatch(&irq);
    ck_assert_uint_eq(arch_cpus[0].interrupts, cpu0);
    cpu_mock_set_cpu(0);
    ck_assert(!arch_idle_poll(5000));
    cpu_mock_set_pause_hook(NULL);
}
END_TEST

START_TEST(test_unexpected_interrupt_ignored)
{
    struct trap_frame tf = { .vector = 200 };
    trap_dispatch(&tf);
    ck_assert_ptr_nonnull(strstr(out, "unexpected interrupt on vector 200"));
}
END_TEST

START_TEST(test_report_contents)
{
    struct trap_frame tf = { .vector = TRAP_PAGE_FAULT,
                             .error_code = PF_WRITE | PF_USER,
                             .rip = 0x401000,
                             .cs = 0x23,
                             .rax = 0x1122334455667788ull,
                             .r15 = 0xabcdef };
    cpu_mock_set_cr2(0xdeadb000);
    trap_report(&tf);
    ck_assert_ptr_nonnull(strstr(out, "Page fault (vector 14) in user mode at rip 0x401000"));
    ck_assert_ptr_nonnull(strstr(out, "write to a not-present page in user mode"));
    ck_assert_ptr_nonnull(strstr(out, "faulting address (cr2): 0xdeadb000"));
    ck_assert_ptr_nonnull(strstr(out, "rax 1122334455667788"));
    ck_assert_ptr_nonnull(strstr(out, "r15 0000000000abcdef"));
    ck_assert_ptr_null(strstr(out, "stack overflow"));
}
END_TEST

START_TEST(test_report_selector_error)
{
    struct trap_frame tf = { .vector = TRAP_GP, .error_code = (5 << 3) | 2 };
    trap_report(&tf);
    ck_assert_ptr_nonnull(strstr(out, "selector index 5 in the IDT"));
    outlen = 0;
    tf.error_code = (3 << 3) | 4 | 1;
    trap_report(&tf);
    ck_assert_ptr_nonnull(strstr(out, "external event, selector index 3 in the LDT"));
    outlen = 0;
    tf.error_code = 0;
    trap_report(&tf);
    ck_assert_ptr_nonnull(strstr(out, "error code 0\n"));
    outlen = 0;
    tf.vector = TRAP_ALIGNMENT;
    tf.error_code = 0;
    trap_report(&tf);
    ck_assert_ptr_nonnull(strstr(out, "Alignment check"));
}
END_TEST

static int guard_at_0x5000(uintptr_t va)
{
    return va >= 0x5000 && va < 0x6000;
}

START_TEST(test_stack_overflow_recognised)
{
    struct trap_frame tf = { .vector = TRAP_DOUBLE_FAULT };
    cpu_mock_set_cr2(0x5ff8);
    ck_assert(!trap_is_stack_overflow(&tf)); /* no checker installed */
    trap_set_guard_checker(guard_at_0x5000);
    ck_assert(trap_is_stack_overflow(&tf));
    tf.vector = TRAP_GP;
    ck_assert(!trap_is_stack_overflow(&tf)); /* only #PF and #DF */
    tf.vector = TRAP_PAGE_FAULT;
    cpu_mock_set_cr2(0x6000);
    ck_assert(!trap_is_stack_overflow(&tf));
}
END_TEST

static void exit_hook(void)
{
    exit(strstr(out, "kernel stack overflow (Double fault)") &&
                 strstr(out, "kernel stack overflow: the fault address is in a stack guard page")
             ? 40
             : 41);
}

START_TEST(test_unhandled_double_fault_on_guard_panics_as_overflow)
{
    trap_set_guard_checker(guard_at_0x5000);
    cpu_mock_set_cr2(0x5010);
    panic_set_hook(exit_hook);
    struct trap_frame tf = { .vector = TRAP_DOUBLE_FAULT };
    trap_dispatch(&tf);
}
END_TEST

START_TEST(test_unhandled_exception_panics)
{
    struct trap_frame tf = { .vector = TRAP_DIVIDE };
    trap_dispatch(&tf); /* report, panic, halt: the mock exits with 77 */
}
END_TEST

Suite *trap_suite(void)
{
    Suite *s = suite_create("trap");
    TCase *enc = tcase_create("descriptors");
    tcase_add_test(enc, test_segment_descriptors_match_hand_computed);
    tcase_add_test(enc, test_tss_descriptor);
    tcase_add_test(enc, test_idt_gate);
    suite_add_tcase(s, enc);
    TCase *tc = tcase_create("dispatch");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_names_and_error_codes);
    tcase_add_test(tc, test_page_fault_description);
    tcase_add_test(tc, test_dispatch_runs_registered_handler);
    tcase_add_test(tc, test_interrupts_end_an_idle_poll);
    tcase_add_test(tc, test_only_the_probe_instruction_survives_a_page_fault);
    tcase_add_test(tc, test_breakpoint_reports_and_resumes);
    tcase_add_test(tc, test_unexpected_interrupt_ignored);
    tcase_add_test(tc, test_report_contents);
    tcase_add_test(tc, test_report_selector_error);
    tcase_add_test(tc, test_stack_overflow_recognised);
    tcase_add_exit_test(tc, test_unhandled_double_fault_on_guard_panics_as_overflow, 40);
    tcase_add_exit_test(tc, test_unhandled_exception_panics, CPU_MOCK_HALT_STATUS);
    suite_add_tcase(s, tc);
    return s;
}
