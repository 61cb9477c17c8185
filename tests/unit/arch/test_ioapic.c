/*
 * test_ioapic.c - the I/O APIC (arch/ioapic.h) against a model of its
 * indirect registers, the MADT-to-GSI routing of the legacy lines, the IRQ
 * layer driving it as its controller, and the local APIC's APIC-mode side
 * (arch/apic.h: local set-up, spurious vector, timer, IPIs) on plain memory.
 */
#include "cpu_mock.h"
#include <arch/apic.h>
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/irq.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <arch/trap.h>
#include <check.h>
#include <k/errno.h>
#include <string.h>

Suite *ioapic_suite(void);

/* An I/O APIC: a select register and 24 redirection entries. */
struct ioapic_model {
    uint32_t version;
    uint32_t red[2 * 24];
    int writes;
};

static struct ioapic_model io0, io1;

static uint32_t model_read(void *ctx, uint32_t reg)
{
    struct ioapic_model *m = ctx;
    if (reg == IOAPIC_REG_VERSION)
        return m->version;
    ck_assert_uint_ge(reg, IOAPIC_REG_REDIR);
    ck_assert_uint_lt(reg - IOAPIC_REG_REDIR, 2 * 24);
    return m->red[reg - IOAPIC_REG_REDIR];
}

static void model_write(void *ctx, uint32_t reg, uint32_t val)
{
    struct ioapic_model *m = ctx;
    ck_assert_uint_ge(reg, IOAPIC_REG_REDIR);
    ck_assert_uint_lt(reg - IOAPIC_REG_REDIR, 2 * 24);
    m->red[reg - IOAPIC_REG_REDIR] = val;
    m->writes++;
}

static const struct ioapic_io model_io = { .read = model_read, .write = model_write };

static uint32_t lapic[APIC_WINDOW_SIZE / 4];

/* QEMU's: the PIT moved to GSI 2, the PCI lines level-triggered, active high. */
static struct acpi_madt qemu_madt(void)
{
    struct acpi_madt m = { 0 };
    m.nioapics = 1;
    m.ioapics[0] = (struct acpi_ioapic){ 0, 0xfec00000u, 0 };
    m.overrides[m.noverrides++] = (struct acpi_irq_override){ 0, 2, false, false };
    int pci[] = { 5, 9, 10, 11 };
    for (int i = 0; i < 4; i++)
        m.overrides[m.noverrides++] =
            (struct acpi_irq_override){ (uint8_t)pci[i], (uint32_t)pci[i], false, true };
    return m;
}

static void setup(void)
{
    cpu_mock_reset();
    memset(&io0, 0, sizeof(io0));
    memset(&io1, 0, sizeof(io1));
    memset(lapic, 0, sizeof(lapic));
    io0.version = 23u << 16 | 0x20; /* 24 inputs */
    io1.version = 7u << 16 | 0x20;  /* 8 inputs */
    ioapic_reset();
    irq_set_chip(NULL);
    for (int i = 0; i < IRQ_LINES; i++)
        irq_set_handler(i, NULL, NULL);
}

static void teardown(void)
{
    irq_set_chip(NULL);
    apic_init(NULL);
}

START_TEST(test_redirection_entry_encoding)
{
    ck_assert_uint_eq(ioapic_redir_encode(0x21, 0, false, false, false), 0x21);
    ck_assert_uint_eq(ioapic_redir_encode(0x2a, 3, true, false, false),
                      0x0300000000000000ull | 0x8000 | 0x2a);
    ck_assert_uint_eq(ioapic_redir_encode(0x30, 0xff, false, true, true),
                      0xff00000000000000ull | 0x10000 | 0x2000 | 0x30);
}
END_TEST

/* The real window: select at offset 0, data at 0x10. */
START_TEST(test_mmio_access_selects_then_moves_data)
{
    uint32_t win[IOAPIC_WINDOW_SIZE / 4] = { 0 };
    ioapic_mmio_io.write(win, IOAPIC_REG_REDIR + 3, 0x1234);
    ck_assert_uint_eq(win[0], IOAPIC_REG_REDIR + 3);
    ck_assert_uint_eq(win[4], 0x1234);
    win[4] = 0x170020;
    ck_assert_uint_eq(ioapic_mmio_io.read(win, IOAPIC_REG_VERSION), 0x170020);
    ck_assert_uint_eq(win[0], IOAPIC_REG_VERSION);
}
END_TEST

START_TEST(test_isa_routing_by_overrides)
{
    struct acpi_madt m = qemu_madt();
    struct ioapic_route r;
    ck_assert_int_eq(ioapic_isa_route(&m, 0, &r), 0);
    ck_assert_uint_eq(r.gsi, 2);
    ck_assert(!r.level && !r.active_low);
    ck_assert_int_eq(ioapic_isa_route(&m, 1, &r), 0); /* no override: identity, edge, high */
    ck_assert_uint_eq(r.gsi, 1);
    ck_assert(!r.level);
    ck_assert_int_eq(ioapic_isa_route(&m, 11, &r), 0);
    ck_assert_uint_eq(r.gsi, 11);
    ck_assert(r.level && !r.active_low);
    /* GSI 2 is the PIT's now: ISA IRQ 2 (the cascade) goes nowhere. */
    ck_assert_int_eq(ioapic_isa_route(&m, 2, &r), -ENOENT);
    ck_assert_int_eq(ioapic_isa_route(&m, -1, &r), -EINVAL);
    ck_assert_int_eq(ioapic_isa_route(&m, 16, &r), -EINVAL);
    /* An active-low, level override to a GSI beyond 15. */
    m.overrides[m.noverrides++] = (struct acpi_irq_override){ 9, 20, true, true };
    m.overrides[2].isa_irq = 14; /* (was IRQ 9) so the new entry is the one found */
    ck_assert_int_eq(ioapic_isa_route(&m, 9, &r), 0);
    ck_assert_uint_eq(r.gsi, 20);
    ck_assert(r.level && r.active_low);
}
END_TEST

START_TEST(test_add_masks_every_input)
{
    for (int i = 0; i < 48; i++)
        io0.red[i] = 0x21;
    ck_assert_int_eq(ioapic_add(&model_io, &io0, 0), 24);
    for (int pin = 0; pin < 24; pin++)
        ck_assert(io0.red[2 * pin] & IOAPIC_RED_MASKED);
    ck_assert_int_eq(ioapic_add(NULL, NULL, 0), -EINVAL);
    for (int i = 1; i < IOAPIC_MAX; i++)
        ck_assert_int_eq(ioapic_add(&model_io, &io1, 24 + 8 * (uint32_t)i), 8);
    ck_assert_int_eq(ioapic_add(&model_io, &io1, 200), -ENOSPC);
}
END_TEST

START_TEST(test_chip_unmask_mask_and_eoi)
{
    struct acpi_madt m = qemu_madt();
    ck_assert_int_eq(ioapic_add(&model_io, &io0, 0), 24);
    ck_assert_int_eq(ioapic_add(&model_io, &io1, 24), 8);
    apic_init(lapic);
    ioapic_set_routing(&m, 5);
    irq_set_chip(&ioapic_irq_chip);
    ck_assert_ptr_eq(irq_get_chip(), &ioapic_irq_chip);

    ck_assert_int_eq(irq_unmask(0), 0); /* the PIT: GSI 2 */
    uint64_t e;
    ck_assert_int_eq(ioapic_read_entry(2, &e), 0);
    ck_assert_uint_eq(e, ioapic_redir_encode(TRAP_IRQ_BASE + 0, 5, false, false, false));
    ck_assert_int_eq(irq_unmask(10), 0); /* a PCI line: level */
    ck_assert_int_eq(ioapic_read_entry(10, &e), 0);
    ck_assert_uint_eq(e, ioapic_redir_encode(TRAP_IRQ_BASE + 10, 5, true, false, false));
    irq_mask(10);
    ck_assert_int_eq(ioapic_read_entry(10, &e), 0);
    ck_assert(e & IOAPIC_RED_MASKED);
    ck_assert_uint_eq(e & 0xff, TRAP_IRQ_BASE + 10);
    ck_assert_int_eq(irq_unmask(2), -ENOENT); /* taken by the PIT */
    irq_mask(2);                              /* harmless */
    ck_assert_int_eq(irq_unmask(16), -EINVAL);
    irq_mask(-1);
    ck_assert_int_eq(ioapic_read_entry(32, &e), -ENOENT);
    ck_assert_int_eq(ioapic_read_entry(31, &e), 0); /* the second I/O APIC */

    /* A GSI no I/O APIC has. */
    m.overrides[0].gsi = 40;
    ioapic_set_routing(&m, 5);
    ck_assert_int_eq(irq_unmask(0), -ENOENT);

    /* Dispatch: IRQ 7 is not spurious here (the PICs' test is theirs), and
     * the EOI goes to the local APIC, not to the PICs' ports. */
    irq_init();
    struct trap_frame tf = { .vector = TRAP_IRQ_BASE + 7 };
    uint64_t before = irq_count(7), sp = irq_spurious_count();
    lapic[APIC_REG_EOI / 4] = 0xdead;
    size_t ports = cpu_mock_log_len();
    trap_dispatch(&tf);
    ck_assert_uint_eq(irq_count(7), before + 1);
    ck_assert_uint_eq(irq_spurious_count(), sp);
    ck_assert_uint_eq(lapic[APIC_REG_EOI / 4], 0);
    ck_assert_uint_eq(cpu_mock_log_len(), ports);

    irq_set_chip(NULL);
    ck_assert_ptr_eq(irq_get_chip(), &pic_irq_chip);
}
END_TEST

/* A controller that records whether interrupts were on at each change. */
static int changes, changes_with_irqs_on;

static void note_change(void)
{
    changes++;
    changes_with_irqs_on += cpu_mock_irq_enabled();
}

static int fake_unmask(int irq)
{
    (void)irq;
    note_change();
    return 0;
}

static void fake_mask(int irq)
{
    (void)irq;
    note_change();
}

static void fake_eoi(int irq)
{
    (void)irq;
}

static const struct irq_chip fake_chip = {
    .name = "fake", .unmask = fake_unmask, .mask = fake_mask, .eoi = fake_eoi
};

/* The controller's registers are reached in steps (select, then window): an
 * interrupt handler on this CPU must not come in between, so irq_mask() and
 * irq_unmask() turn interrupts off around them, and restore the state after. */
START_TEST(test_controller_changes_with_interrupts_off)
{
    irq_set_chip(&fake_chip);
    changes = changes_with_irqs_on = 0;
    cpu_sti();
    ck_assert_int_eq(irq_unmask(3), 0);
    irq_mask(3);
    ck_assert_int_eq(changes, 2);
    ck_assert_int_eq(changes_with_irqs_on, 0);
    ck_assert(cpu_mock_irq_enabled());
    cpu_cli();
    ck_assert_int_eq(irq_unmask(3), 0);
    ck_assert(!cpu_mock_irq_enabled());
    ck_assert_int_eq(changes, 3);
    irq_set_chip(NULL);
}
END_TEST

START_TEST(test_local_setup_and_spurious_vector)
{
    lapic[APIC_REG_SVR / 4] = 0x0f;
    lapic[APIC_REG_LVT_LINT0 / 4] = 0x700; /* ExtINT, as the firmware leaves it */
    lapic[APIC_REG_TPR / 4] = 0x20;
    apic_local_setup(false); /* no window yet: nothing happens */
    ck_assert_uint_eq(lapic[APIC_REG_TPR / 4], 0x20);
    apic_init(lapic);
    apic_local_setup(false);
    ck_assert_uint_eq(lapic[APIC_REG_TPR / 4], 0);
    ck_assert_uint_eq(lapic[APIC_REG_LVT_LINT0 / 4], APIC_LVT_MASKED);
    ck_assert_uint_eq(lapic[APIC_REG_LVT_LINT1 / 4], 0); /* the boot CPU's is the firmware's */
    ck_assert_uint_eq(lapic[APIC_REG_SVR / 4], APIC_SVR_ENABLE | APIC_SPURIOUS);
    apic_local_setup(true);
    ck_assert_uint_eq(lapic[APIC_REG_LVT_LINT1 / 4], APIC_LVT_NMI);

    uint64_t n = apic_spurious_count();
    lapic[APIC_REG_EOI / 4] = 0xdead;
    struct trap_frame tf = { .vector = APIC_SPURIOUS };
    trap_dispatch(&tf);
    ck_assert_uint_eq(apic_spurious_count(), n + 1);
    ck_assert_uint_eq(lapic[APIC_REG_EOI / 4], 0xdead); /* no EOI */
}
END_TEST

START_TEST(test_timer_count_and_start)
{
    ck_assert_uint_eq(apic_timer_count_for(62500, 1000), 62500);
    ck_assert_uint_eq(apic_timer_count_for(62500, 0), 62500);
    ck_assert_uint_eq(apic_timer_count_for(1000, 3), 333333);
    ck_assert_uint_eq(apic_timer_count_for(1, 100000), 1); /* never 0: that stops it */
    ck_assert_uint_eq(apic_timer_count_for(0xffffffffu, 1), 0xffffffffu);
    apic_timer_start(100, APIC_TIMER_VECTOR); /* no window: nothing */
    apic_timer_mask();
    apic_timer_unmask();
    apic_init(lapic);
    apic_timer_start(62500, APIC_TIMER_VECTOR);
    ck_assert_uint_eq(lapic[APIC_REG_TIMER_DIV / 4], APIC_TIMER_DIV16);
    ck_assert_uint_eq(lapic[APIC_REG_LVT_TIMER / 4], APIC_LVT_PERIODIC | APIC_TIMER_VECTOR);
    ck_assert_uint_eq(lapic[APIC_REG_TIMER_INIT / 4], 62500);
    apic_timer_mask();
    ck_assert(lapic[APIC_REG_LVT_TIMER / 4] & APIC_LVT_MASKED);
    apic_timer_unmask();
    ck_assert(!(lapic[APIC_REG_LVT_TIMER / 4] & APIC_LVT_MASKED));
}
END_TEST

START_TEST(test_timer_calibration)
{
    ck_assert_uint_eq(apic_timer_calibrate(1000, 10), 0); /* no window */
    apic_init(lapic);
    ck_assert_uint_eq(apic_timer_calibrate(0, 10), 0);
    ck_assert_uint_eq(apic_timer_calibrate(1000, 0), 0);
    ck_assert_uint_eq(apic_timer_calibrate(1000, 101), 0);
    /* The mock TSC advances 100 per read: 10 ms at 1000 cycles/ms is 10000
     * cycles, 100 reads. The register "counted" 625000 meanwhile. */
    lapic[APIC_REG_TIMER_CUR / 4] = 0xffffffffu - 625000;
    uint32_t per_ms = apic_timer_calibrate(1000, 10);
    ck_assert_uint_ge(per_ms, 61000);
    ck_assert_uint_le(per_ms, 62500);
    ck_assert_uint_eq(lapic[APIC_REG_TIMER_INIT / 4], 0); /* stopped again */
    lapic[APIC_REG_TIMER_CUR / 4] = 0;                    /* ran out: too fast to measure */
    ck_assert_uint_eq(apic_timer_calibrate(1000, 10), 0);
    lapic[APIC_REG_TIMER_CUR / 4] = 0xffffffffu; /* never counted */
    ck_assert_uint_eq(apic_timer_calibrate(1000, 10), 0);
}
END_TEST

/* PIT channel 2 for timer_tsc_init(): its output rises after 4000 polls. */
static uint32_t pit2(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    int *polls = ctx;
    (void)width;
    (void)val;
    if (port == 0x43 && write)
        *polls = 4000;
    if (port == 0x61 && !write)
        return --*polls <= 0 ? 0x20 : 0;
    return 0;
}

static int timer_hits;

static void count_hits(uint64_t t)
{
    (void)t;
    timer_hits++;
}

static int cpu_ticks, cpu_tick_locked, exits;
static bool cpu_tick_asks;

static bool cpu_tick(void)
{
    cpu_ticks++;
    cpu_tick_locked += arch_bkl_held();
    return cpu_tick_asks;
}

static void count_exits(void)
{
    exits += arch_bkl_held(); /* the scheduler runs under the lock */
}

START_TEST(test_timer_as_the_tick)
{
    ck_assert_int_eq(timer_apic_init(1000), -ENODEV); /* no window */
    int polls = 0;
    cpu_mock_set_device(pit2, &polls);
    ck_assert_uint_eq(timer_tsc_init(), 80010);
    apic_init(lapic);
    lapic[APIC_REG_TIMER_CUR / 4] = 0xffffffffu - 625000; /* 62500 per ms */
    int per_ms = timer_apic_init(0);
    ck_assert_int_ge(per_ms, 62000);
    ck_assert_int_le(per_ms, 62500);
    ck_assert_str_eq(timer_source(), "local APIC timer");
    ck_assert_uint_eq(lapic[APIC_REG_LVT_TIMER / 4], APIC_LVT_PERIODIC | APIC_TIMER_VECTOR);
    ck_assert_uint_eq(lapic[APIC_REG_TIMER_INIT / 4], apic_timer_count_for((uint32_t)per_ms, 250));
    ck_assert_uint_ge(timer_rate_mhz(), 249990); /* the default, 250 Hz */
    ck_assert_uint_le(timer_rate_mhz(), 250010);

    timer_tick_fn old = timer_set_tick_hook(count_hits);
    struct trap_frame tf = { .vector = APIC_TIMER_VECTOR };
    uint64_t t0 = timer_ticks();
    lapic[APIC_REG_EOI / 4] = 0xdead;
    trap_dispatch(&tf);
    ck_assert_uint_eq(timer_ticks(), t0 + 1);
    ck_assert_int_eq(timer_hits, 1);
    ck_assert_uint_eq(lapic[APIC_REG_EOI / 4], 0);
    /* Another CPU's timer interrupt is its own: not the system tick. */
    cpu_mock_set_cpu(1);
    lapic[APIC_REG_EOI / 4] = 0xdead;
    trap_dispatch(&tf);
    cpu_mock_set_cpu(0);
    ck_assert_uint_eq(timer_ticks(), t0 + 1);
    ck_assert_uint_eq(lapic[APIC_REG_EOI / 4], 0);
    /* Its hook runs without the big lock; the lock and the exit hook (which
     * may switch threads) only when it asks for the scheduler. */
    timer_set_cpu_tick_hook(cpu_tick);
    irq_set_exit_hook(count_exits);
    cpu_mock_set_cpu(1);
    for (int ask = 0; ask < 2; ask++) {
        cpu_tick_asks = ask;
        lapic[APIC_REG_EOI / 4] = 0xdead;
        trap_dispatch(&tf);
        ck_assert_uint_eq(lapic[APIC_REG_EOI / 4], 0);
    }
    cpu_mock_set_cpu(0);
    ck_assert_int_eq(cpu_ticks, 2);
    ck_assert_int_eq(cpu_tick_locked, 0);
    ck_assert_int_eq(exits, 1);
    ck_assert(!arch_bkl_held());
    timer_set_cpu_tick_hook(NULL);
    irq_set_exit_hook(NULL);
    timer_set_tick_hook(old);
    for (int i = 0; i < 999; i++)
        timer_tick();
    ck_assert_uint_ge(timer_uptime_ms(), 3999); /* 1000 ticks of 4 ms */
    ck_assert_uint_le(timer_uptime_ms(), 4000);
    lapic[APIC_REG_TIMER_CUR / 4] = 0xffffffffu; /* a timer that does not count */
    ck_assert_int_eq(timer_apic_init(100000000), -ENODEV);
}
END_TEST

START_TEST(test_ipi)
{
    ck_assert_int_eq(apic_send_ipi(1, APIC_ICR_INIT), -ENODEV);
    apic_init(lapic);
    ck_assert_int_eq(apic_send_ipi(3, APIC_ICR_STARTUP | 0x08), 0);
    ck_assert_uint_eq(lapic[APIC_REG_ICR_HI / 4], 3u << 24);
    ck_assert_uint_eq(lapic[APIC_REG_ICR_LO / 4], APIC_ICR_STARTUP | 0x08);
    /* A local APIC that never accepts it: the wait is bounded. */
    lapic[APIC_REG_ICR_LO / 4] = APIC_ICR_PENDING;
    lapic[APIC_REG_ICR_LO / 4] |= 0; /* plain memory keeps what we write */
    ck_assert_int_eq(apic_send_ipi(3, APIC_ICR_PENDING | APIC_IPI_VECTOR), -ETIMEDOUT);
    ck_assert(!cpu_mock_irq_enabled());
}
END_TEST

Suite *ioapic_suite(void)
{
    Suite *s = suite_create("ioapic");
    TCase *tc = tcase_create("ioapic");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_redirection_entry_encoding);
    tcase_add_test(tc, test_mmio_access_selects_then_moves_data);
    tcase_add_test(tc, test_isa_routing_by_overrides);
    tcase_add_test(tc, test_add_masks_every_input);
    tcase_add_test(tc, test_chip_unmask_mask_and_eoi);
    tcase_add_test(tc, test_controller_changes_with_interrupts_off);
    suite_add_tcase(s, tc);
    TCase *la = tcase_create("lapic");
    tcase_add_checked_fixture(la, setup, teardown);
    tcase_add_test(la, test_local_setup_and_spurious_vector);
    tcase_add_test(la, test_timer_count_and_start);
    tcase_add_test(la, test_timer_calibration);
    tcase_add_test(la, test_timer_as_the_tick);
    tcase_add_test(la, test_ipi);
    tcase_set_timeout(la, 60);
    suite_add_tcase(s, la);
    return s;
}
