/*
 * test_bkl.c - the big kernel lock and kernel TLB shootdowns on simulated
 * CPUs (cpu_mock_set_cpu() picks the CPU each call runs on; the pause hook
 * plays the other CPUs while one spins).
 */
#include "cpu_mock.h"
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include <check.h>

Suite *bkl_suite(void);

static void setup(void)
{
    cpu_mock_reset();
    cpu_mock_set_cpu(0);
    arch_bkl_set_wake(NULL);
    arch_tlb_set_shootdown(NULL);
}

static struct arch_bkl_stats stats(void)
{
    struct arch_bkl_stats s;
    arch_bkl_get_stats(&s);
    return s;
}

START_TEST(one_cpu_at_a_time)
{
    uint64_t acquired = stats().acquired;
    arch_bkl_lock();
    ck_assert(arch_bkl_held());
    cpu_mock_set_cpu(1);
    ck_assert(!arch_bkl_held()); /* held by CPU 0, not by this one */
    ck_assert(!arch_bkl_trylock());
    cpu_mock_set_cpu(0);
    arch_bkl_unlock();
    ck_assert(!arch_bkl_held());
    cpu_mock_set_cpu(1);
    ck_assert(arch_bkl_trylock());
    ck_assert(arch_bkl_held());
    arch_bkl_unlock();
    ck_assert_uint_eq(stats().acquired, acquired + 2);
}
END_TEST

START_TEST(enter_takes_it_only_once)
{
    ck_assert(arch_bkl_enter());
    ck_assert(!arch_bkl_enter()); /* nested entry: an interrupt in the kernel */
    arch_bkl_exit(false);
    ck_assert(arch_bkl_held());
    arch_bkl_exit(true);
    ck_assert(!arch_bkl_held());
}
END_TEST

static int halts;

static void count_halt(void)
{
    halts++;
    if (halts == 3) { /* the holder, CPU 1, lets go while CPU 0 halts */
        cpu_mock_set_cpu(1);
        arch_bkl_unlock();
        cpu_mock_set_cpu(0);
    }
}

START_TEST(an_idle_cpu_halts_until_the_lock_is_free)
{
    cpu_mock_set_cpu(1);
    arch_bkl_lock();
    cpu_mock_set_cpu(0);
    halts = 0;
    cpu_mock_set_hlt_hook(count_halt);
    uint64_t waits = stats().idle_waits;
    arch_bkl_lock_idle();
    ck_assert(arch_bkl_held());
    ck_assert(!cpu_mock_irq_enabled()); /* returns with interrupts off */
    ck_assert_int_eq(halts, 3);
    ck_assert_uint_eq(stats().idle_waits, waits + 3);
    arch_bkl_unlock();
}
END_TEST

static int wakes, woken;

static void record_wake(unsigned cpu)
{
    wakes++;
    woken = (int)cpu;
}

/* The holder, CPU 1, lets go while CPU 0 halts for the lock. */
static void release_on_first_halt(void)
{
    if (++halts == 1) {
        cpu_mock_set_cpu(1);
        arch_bkl_unlock();
        cpu_mock_set_cpu(0);
    }
}

START_TEST(a_release_wakes_a_cpu_halted_for_the_lock)
{
    arch_bkl_set_wake(record_wake);
    cpu_mock_set_cpu(1);
    arch_bkl_lock();
    arch_bkl_unlock(); /* nobody waits: nobody is woken */
    arch_bkl_lock();
    wakes = 0;
    cpu_mock_set_cpu(0);
    halts = 0;
    woken = -1;
    cpu_mock_set_hlt_hook(release_on_first_halt);
    uint64_t before = stats().idle_wakes;
    arch_bkl_lock_idle();
    ck_assert(arch_bkl_held());
    ck_assert_int_eq(halts, 1);
    ck_assert_int_eq(wakes, 1); /* the release sent CPU 0 its wake-up */
    ck_assert_int_eq(woken, 0);
    ck_assert_uint_eq(stats().idle_wakes, before + 1);
    arch_bkl_unlock(); /* CPU 0 holds no more claim: no second wake-up */
    cpu_mock_set_cpu(1);
    arch_bkl_lock();
    arch_bkl_unlock();
    ck_assert_int_eq(wakes, 1);
}
END_TEST

START_TEST(kernel_mapping_changes_flush_the_others_once)
{
    /* Every CPU catches up with the generation as it is now. */
    for (uint32_t c = 0; c < 3; c++) {
        cpu_mock_set_cpu(c);
        arch_bkl_lock();
        arch_bkl_unlock();
    }
    uint64_t flushes = stats().flushes;
    cpu_mock_set_cpu(0);
    arch_bkl_lock();
    arch_tlb_kernel_changed(); /* CPU 0 flushed its own entry already */
    arch_tlb_kernel_changed();
    arch_bkl_unlock();
    arch_bkl_lock();
    arch_bkl_unlock();
    ck_assert_uint_eq(stats().flushes, flushes); /* not CPU 0 */
    for (uint32_t c = 1; c < 3; c++) {
        cpu_mock_set_cpu(c);
        arch_bkl_lock();
        arch_bkl_unlock();
        arch_bkl_lock(); /* the second time there is nothing new */
        arch_bkl_unlock();
    }
    ck_assert_uint_eq(stats().flushes, flushes + 2); /* CPUs 1 and 2, once each */
}
END_TEST

/* Every CPU of 0..n-1 takes the lock once: they take part, and are up to date. */
static void all_take_part(uint32_t n)
{
    for (uint32_t c = 0; c < n; c++) {
        cpu_mock_set_cpu(c);
        arch_bkl_lock();
        arch_bkl_unlock();
    }
    cpu_mock_set_cpu(0);
}

static uint32_t ipis_to[4], ignore_first;

/* The shootdown IPI: the target CPU runs its handler at once (it is outside
 * the lock, interrupts on), unless told to miss the first one. */
static void fake_ipi(uint32_t cpu)
{
    ipis_to[cpu]++;
    if (ignore_first && ipis_to[cpu] == 1)
        return;
    uint32_t me = cpu_index();
    cpu_mock_set_cpu(cpu);
    arch_tlb_shootdown_irq();
    cpu_mock_set_cpu(me);
}

START_TEST(a_kernel_mapping_change_is_shot_down_on_every_other_cpu)
{
    all_take_part(3);
    for (int i = 0; i < 4; i++)
        ipis_to[i] = 0;
    ignore_first = 0;
    arch_tlb_set_shootdown(fake_ipi);
    uint64_t flushes = stats().flushes, sent = stats().shootdowns;
    arch_bkl_lock();
    arch_tlb_kernel_changed();
    /* Returned: CPUs 1 and 2 have flushed, CPU 3 (never took part) was left alone. */
    ck_assert_uint_eq(ipis_to[0], 0);
    ck_assert_uint_eq(ipis_to[1], 1);
    ck_assert_uint_eq(ipis_to[2], 1);
    ck_assert_uint_eq(ipis_to[3], 0);
    ck_assert_uint_eq(stats().flushes, flushes + 2);
    ck_assert_uint_eq(stats().shootdowns, sent + 2);
    arch_bkl_unlock();
    for (uint32_t c = 1; c < 3; c++) { /* nothing left to catch up with */
        cpu_mock_set_cpu(c);
        arch_bkl_lock();
        arch_bkl_unlock();
    }
    ck_assert_uint_eq(stats().flushes, flushes + 2);
}
END_TEST

START_TEST(a_lost_shootdown_ipi_is_sent_again)
{
    all_take_part(2);
    ipis_to[1] = 0;
    ignore_first = 1;
    arch_tlb_set_shootdown(fake_ipi);
    uint64_t flushes = stats().flushes;
    arch_bkl_lock();
    arch_tlb_kernel_changed(); /* spins until the second IPI is answered */
    arch_bkl_unlock();
    ck_assert_uint_eq(ipis_to[1], 2);
    ck_assert_uint_eq(stats().flushes, flushes + 1);
}
END_TEST

static int pauses;
static uint64_t flushes_at_release;

/* CPU 0 spins for the lock CPU 1 holds. Its first pause: CPU 1 changes a
 * kernel mapping (its IPI cannot get in: CPU 0 spins with interrupts off).
 * Its second: CPU 0 has caught up from the spin loop; CPU 1 lets go. */
static void holder_changes_a_mapping(void)
{
    pauses++;
    cpu_mock_set_cpu(1);
    if (pauses == 1) {
        arch_tlb_kernel_changed();
    } else if (pauses == 2) {
        flushes_at_release = stats().flushes;
        arch_bkl_unlock();
    }
    cpu_mock_set_cpu(0);
}

START_TEST(a_cpu_spinning_for_the_lock_catches_up_while_it_waits)
{
    all_take_part(2);
    uint64_t flushes = stats().flushes;
    cpu_mock_set_cpu(1);
    arch_bkl_lock();
    cpu_mock_set_cpu(0);
    pauses = 0;
    cpu_mock_set_pause_hook(holder_changes_a_mapping);
    arch_bkl_lock();
    cpu_mock_set_pause_hook(NULL);
    ck_assert_int_eq(pauses, 2);
    ck_assert_uint_eq(flushes_at_release, flushes + 1); /* before the lock was free */
    ck_assert_uint_eq(stats().flushes, flushes + 1);    /* and not again on taking it */
    arch_bkl_unlock();
}
END_TEST

static void nothing(struct trap_frame *tf)
{
    (void)tf;
}

static bool held_inside;

static void probe(struct trap_frame *tf)
{
    (void)tf;
    held_inside = arch_bkl_held();
}

START_TEST(traps_take_it_and_lockless_vectors_do_not)
{
    trap_set_handler(0x80, probe);
    struct trap_frame tf = { .vector = 0x80, .cs = 0x23 }; /* from user mode */
    trap_dispatch(&tf);
    ck_assert(held_inside);
    ck_assert(!arch_bkl_held()); /* given back on the way to user mode */
    tf.cs = 0x08;                /* from the kernel, with the lock held */
    arch_bkl_lock();
    trap_dispatch(&tf);
    ck_assert(held_inside);
    ck_assert(arch_bkl_held()); /* still the interrupted code's */
    arch_bkl_unlock();
    trap_dispatch(&tf); /* from an idle halt: taken and given back */
    ck_assert(held_inside);
    ck_assert(!arch_bkl_held());
    trap_set_handler(0x81, probe);
    trap_set_lockless(0x81);
    tf.vector = 0x81;
    trap_dispatch(&tf);
    ck_assert(!held_inside);
    trap_set_handler(0x80, nothing);
}
END_TEST

Suite *bkl_suite(void)
{
    Suite *s = suite_create("bkl");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, one_cpu_at_a_time);
    tcase_add_test(tc, enter_takes_it_only_once);
    tcase_add_test(tc, an_idle_cpu_halts_until_the_lock_is_free);
    tcase_add_test(tc, a_release_wakes_a_cpu_halted_for_the_lock);
    tcase_add_test(tc, kernel_mapping_changes_flush_the_others_once);
    tcase_add_test(tc, traps_take_it_and_lockless_vectors_do_not);
    tcase_add_test(tc, a_kernel_mapping_change_is_shot_down_on_every_other_cpu);
    tcase_add_test(tc, a_lost_shootdown_ipi_is_sent_again);
    tcase_add_test(tc, a_cpu_spinning_for_the_lock_catches_up_while_it_waits);
    suite_add_tcase(s, tc);
    return s;
}
