/*
 * test_apic.c - the local APIC's MSI side (arch/apic.h) on plain memory standing
 * in for its registers: enabling, the message, vector allocation and dispatch
 * (depth, EOI, exit hook), and the refusals.
 */
#include "cpu_mock.h"
#include <arch/apic.h>
#include <arch/pic.h>
#include <arch/trap.h>
#include <check.h>
#include <k/errno.h>
#include <string.h>

Suite *apic_suite(void);

static uint32_t regs[APIC_WINDOW_SIZE / 4];
static int calls, exits;
static unsigned depth_seen;
static uint32_t eoi_at_exit;

static void handler(void *ctx, struct trap_frame *tf)
{
    ck_assert_ptr_eq(ctx, &calls);
    ck_assert_uint_ge(tf->vector, APIC_VECTOR_BASE);
    depth_seen = irq_depth();
    calls++;
}

static void on_exit(void)
{
    exits++;
    eoi_at_exit = regs[APIC_REG_EOI / 4];
}

static void setup(void)
{
    cpu_mock_reset();
    memset(regs, 0, sizeof(regs));
    calls = exits = 0;
    depth_seen = 0;
}

static void teardown(void)
{
    irq_set_exit_hook(NULL);
    for (int v = APIC_VECTOR_BASE; v < APIC_VECTOR_BASE + APIC_VECTORS; v++)
        apic_vector_free(v);
    apic_init(NULL);
}

static void raise(int vector)
{
    struct trap_frame tf = { 0 };
    tf.vector = (uint64_t)vector;
    trap_dispatch(&tf);
}

START_TEST(test_without_window)
{
    apic_init(NULL);
    ck_assert(!apic_ready());
    ck_assert_uint_eq(apic_id(), 0);
    apic_eoi(); /* harmless */
    ck_assert_int_eq(apic_vector_alloc(handler, &calls), -ENODEV);
}
END_TEST

START_TEST(test_enable_and_message)
{
    regs[APIC_REG_SVR / 4] = 0x0f;
    regs[APIC_REG_ID / 4] = 5u << 24;
    apic_init(regs);
    ck_assert(apic_ready());
    ck_assert_uint_eq(regs[APIC_REG_SVR / 4], APIC_SVR_ENABLE | APIC_SPURIOUS);
    ck_assert_uint_eq(apic_id(), 5);
    uint64_t addr;
    uint32_t data;
    apic_msi_message(0x53, &addr, &data);
    ck_assert_uint_eq(addr, 0xfee05000u);
    ck_assert_uint_eq(data, 0x53);
}
END_TEST

START_TEST(test_vectors_dispatch)
{
    apic_init(regs);
    irq_set_exit_hook(on_exit);
    ck_assert_int_eq(apic_vector_alloc(NULL, NULL), -EINVAL);
    int v = apic_vector_alloc(handler, &calls);
    ck_assert_int_eq(v, APIC_VECTOR_BASE);
    regs[APIC_REG_EOI / 4] = 0xdead;
    raise(v);
    ck_assert_int_eq(calls, 1);
    ck_assert_uint_eq(depth_seen, 1); /* ran as an interrupt handler */
    ck_assert_uint_eq(irq_depth(), 0);
    ck_assert_int_eq(exits, 1);        /* the exit hook ran ... */
    ck_assert_uint_eq(eoi_at_exit, 0); /* ... after the EOI */
    ck_assert_uint_eq(apic_vector_count(v), 1);
    ck_assert_uint_eq(apic_vector_count(v + 1), 0);
    ck_assert_uint_eq(apic_vector_count(3), 0);
    /* Every vector handed out, then none left. */
    for (int i = 1; i < APIC_VECTORS; i++)
        ck_assert_int_eq(apic_vector_alloc(handler, &calls), APIC_VECTOR_BASE + i);
    ck_assert_int_eq(apic_vector_alloc(handler, &calls), -ENOSPC);
    /* A freed vector goes back to the default trap handling; it is reused. */
    ck_assert_int_eq(apic_vector_free(v + 2), 0);
    ck_assert_int_eq(apic_vector_free(v + 2), -EINVAL);
    ck_assert_int_eq(apic_vector_free(7), -EINVAL);
    ck_assert_int_eq(apic_vector_alloc(handler, &calls), v + 2);
}
END_TEST

Suite *apic_suite(void)
{
    Suite *s = suite_create("apic");
    TCase *tc = tcase_create("apic");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_without_window);
    tcase_add_test(tc, test_enable_and_message);
    tcase_add_test(tc, test_vectors_dispatch);
    suite_add_tcase(s, tc);
    return s;
}
