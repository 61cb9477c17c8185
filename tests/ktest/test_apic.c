/*
 * test_apic.c - in-kernel tests of the interrupt controllers: which one is in
 * charge (the I/O APIC by default, the PICs with `noapic`), the I/O APIC's
 * routing of the legacy lines as the MADT says, the local APIC's spurious
 * vector, and the local timer's rate against the TSC.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <dev/kbd.h>
#include <k/cmdline.h>
#include <kernel/boot.h>
#include <kernel/cpus.h>
#include <kernel/ktest.h>
#include <string.h>

static bool noapic(void)
{
    return cmdline_has(kernel_boot_info()->cmdline, "noapic");
}

KTEST(apic_mode_follows_the_command_line)
{
    if (noapic()) {
        KT_ASSERT(irq_get_chip() == &pic_irq_chip);
        KT_ASSERT(strcmp(timer_source(), "PIT") == 0);
        KT_ASSERT(!(pic_get_mask() & (1u << PIT_IRQ)));
        KT_ASSERT(!(pic_get_mask() & (1u << KBD_IRQ)));
        return;
    }
    KT_ASSERT(kernel_cpus_madt() != NULL); /* QEMU always has one */
    KT_ASSERT(irq_get_chip() == &ioapic_irq_chip);
    KT_ASSERT(strcmp(timer_source(), "local APIC timer") == 0);
    KT_ASSERT_EQ(pic_get_mask(), 0xffff); /* every PIC line masked */
    KT_ASSERT(apic_ready());
}

/* The keyboard (IRQ 1) and COM1 (IRQ 4) are live on their GSIs with their own
 * vectors, to this CPU; the PIT's line (ISA IRQ 0, moved to GSI 2 by QEMU's
 * override) stays masked, as the local timer gives the tick. */
KTEST(apic_ioapic_entries_match_the_madt)
{
    if (noapic())
        return;
    const struct acpi_madt *m = kernel_cpus_madt();
    int lines[] = { KBD_IRQ, 4 };
    for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        struct ioapic_route r;
        KT_ASSERT_EQ(ioapic_isa_route(m, lines[i], &r), 0);
        uint64_t e;
        KT_ASSERT_EQ(ioapic_read_entry(r.gsi, &e), 0);
        KT_ASSERT_EQ(e & 0xff, (uint64_t)(TRAP_IRQ_BASE + lines[i]));
        KT_ASSERT(!(e & IOAPIC_RED_MASKED));
        KT_ASSERT_EQ(e >> 56, apic_id());
    }
    struct ioapic_route pit;
    KT_ASSERT_EQ(ioapic_isa_route(m, 0, &pit), 0);
    KT_ASSERT_EQ(pit.gsi, 2); /* QEMU's override */
    uint64_t e;
    KT_ASSERT_EQ(ioapic_read_entry(pit.gsi, &e), 0);
    KT_ASSERT(e & IOAPIC_RED_MASKED);
}

/* A delivery on the spurious vector is counted and gets no EOI: were it
 * acknowledged, the EOI would retire whatever interrupt is in service. */
KTEST(apic_spurious_vector_is_counted)
{
    if (noapic())
        return;
    uint64_t before = apic_spurious_count();
    __asm__ volatile("int $0xff");
    KT_ASSERT_EQ(apic_spurious_count(), before + 1);
}

/* Over 200 ms of TSC time the local timer ticks at its rate, give or take
 * what an emulator under load drops (never more than the rate allows). */
KTEST(apic_timer_rate_agrees_with_the_tsc)
{
    if (noapic())
        return;
    uint64_t t0 = timer_ticks(), ns0 = timer_now_ns();
    KT_ASSERT_EQ(timer_sleep_ms(200), 0);
    uint64_t ticks = timer_ticks() - t0, ms = (timer_now_ns() - ns0) / 1000000;
    uint64_t expect = ms * timer_rate_mhz() / 1000000;
    KT_ASSERT(ticks > 0);
    KT_ASSERT(ticks <= expect + expect / 10 + 2);
}
