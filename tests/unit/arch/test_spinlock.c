/*
 * test_spinlock.c - spinlocks, the interrupt-safe console lock, and qemu_exit.
 */
#include "cpu_mock.h"
#include <arch/cpu.h>
#include <arch/qemu.h>
#include <arch/spinlock.h>
#include <check.h>
#include <k/console.h>
#include <k/kprintf.h>
#include <stdlib.h>

Suite *spinlock_suite(void);

static bool irq_was_on;

static void irq_probe_write(void *ctx, const char *s, size_t n)
{
    irq_was_on |= cpu_mock_irq_enabled();
}

static const struct console_ops probe_ops = { .write = irq_probe_write };

static void setup(void)
{
    cpu_mock_reset();
    console_reset();
    console_set_lock(NULL, NULL);
    irq_was_on = false;
}

START_TEST(test_console_output_runs_with_interrupts_off_and_restores_them)
{
    static struct spinlock l = SPINLOCK_INIT("console");
    console_set_lock(&spin_irq_lock_ops, &l);
    console_register("probe", &probe_ops, NULL);
    cpu_sti();
    kprintf("hello %s\n", "world");
    ck_assert(!irq_was_on);            /* the console lock disables interrupts */
    ck_assert(cpu_mock_irq_enabled()); /* and gives them back */
    ck_assert(!spin_is_locked(&l));
    cpu_cli();
    kprintf("again\n");
    ck_assert(!cpu_mock_irq_enabled()); /* never enables what was off */
    console_set_lock(NULL, NULL);
}
END_TEST

START_TEST(test_spinlock_basics)
{
    struct spinlock l = SPINLOCK_INIT("t");
    ck_assert(!spin_is_locked(&l));
    spin_lock(&l);
    ck_assert(spin_is_locked(&l));
    ck_assert(!spin_trylock(&l));
    spin_unlock(&l);
    ck_assert(spin_trylock(&l));
    spin_unlock(&l);
    spin_init(&l, "again");
    ck_assert(!spin_is_locked(&l));
    ck_assert_str_eq(l.name, "again");
}
END_TEST

START_TEST(test_spinlock_irqsave_nests)
{
    struct spinlock a = SPINLOCK_INIT("a"), b = SPINLOCK_INIT("b");
    cpu_sti();
    uint64_t fa = spin_lock_irqsave(&a);
    ck_assert(!cpu_mock_irq_enabled());
    uint64_t fb = spin_lock_irqsave(&b);
    spin_unlock_irqrestore(&b, fb);
    ck_assert(!cpu_mock_irq_enabled()); /* inner restore keeps them off */
    spin_unlock_irqrestore(&a, fa);
    ck_assert(cpu_mock_irq_enabled());
    ck_assert(!spin_is_locked(&a) && !spin_is_locked(&b));
}
END_TEST

/* A debug-exit device that ends the (forked) test process with the value written. */
static uint32_t exit_device(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    if (write && port == QEMU_EXIT_PORT && width == 4)
        exit((int)val);
    return 0xffffffffu;
}

START_TEST(test_qemu_exit_writes_debug_port)
{
    cpu_mock_set_device(exit_device, NULL);
    qemu_exit(QEMU_EXIT_FAILURE);
}
END_TEST

START_TEST(test_qemu_exit_halts_without_device)
{
    qemu_exit(QEMU_EXIT_SUCCESS); /* nothing listens: it must halt, not return */
}
END_TEST

Suite *spinlock_suite(void)
{
    Suite *s = suite_create("spinlock");
    TCase *lk = tcase_create("spinlock");
    tcase_add_checked_fixture(lk, setup, NULL);
    tcase_add_test(lk, test_spinlock_basics);
    tcase_add_test(lk, test_spinlock_irqsave_nests);
    tcase_add_test(lk, test_console_output_runs_with_interrupts_off_and_restores_them);
    suite_add_tcase(s, lk);
    TCase *misc = tcase_create("qemu");
    tcase_add_checked_fixture(misc, setup, NULL);
    tcase_add_exit_test(misc, test_qemu_exit_writes_debug_port, QEMU_EXIT_FAILURE);
    tcase_add_exit_test(misc, test_qemu_exit_halts_without_device, CPU_MOCK_HALT_STATUS);
    suite_add_tcase(s, misc);
    return s;
}
