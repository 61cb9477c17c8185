/*
 * test_lockorder.c - the lock-order checker through real spinlocks: an
 * inversion reported once, a cycle through three classes, consistent orders
 * silent, releases in any order, same-class nesting, full tables, and the
 * debug checks of the ticket lock itself (FIFO order, a second take on the
 * holding CPU, a release by a CPU that doesn't hold it).
 */
#include "cpu_mock.h"
#include <arch/lockorder.h>
#include <arch/spinlock.h>
#include <check.h>
#include <k/console.h>
#include <stdio.h>
#include <string.h>

Suite *lockorder_suite(void);

static char last[4096]; /* everything printed since setup() */
static size_t last_len;

static void capture(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    size_t room = sizeof(last) - 1 - last_len;
    size_t k = n < room ? n : room;
    memcpy(last + last_len, s, k);
    last_len += k;
    last[last_len] = '\0';
}

static const struct console_ops capture_ops = { .write = capture };

static void setup(void)
{
    cpu_mock_reset();
    console_reset();
    console_register("capture", &capture_ops, NULL);
    lockorder_reset();
    last[0] = '\0';
    last_len = 0;
}

START_TEST(inversion_reported_once)
{
    struct spinlock a = SPINLOCK_INIT("alpha"), b = SPINLOCK_INIT("beta");
    spin_lock(&a);
    spin_lock(&b);
    spin_unlock(&b);
    spin_unlock(&a);
    ck_assert_uint_eq(lockorder_reports(), 0);
    spin_lock(&b);
    spin_lock(&a); /* the other order: reported, though nothing deadlocked */
    spin_unlock(&a);
    spin_unlock(&b);
    ck_assert_uint_eq(lockorder_reports(), 1);
    ck_assert_msg(strstr(last, "\"alpha\" taken while holding \"beta\"") != NULL, "%s", last);
    for (int i = 0; i < 3; i++) { /* once per pair */
        spin_lock(&b);
        spin_lock(&a);
        spin_unlock(&a);
        spin_unlock(&b);
    }
    ck_assert_uint_eq(lockorder_reports(), 1);
}
END_TEST

START_TEST(cycle_through_three_classes)
{
    struct spinlock a = SPINLOCK_INIT("a"), b = SPINLOCK_INIT("b"), c = SPINLOCK_INIT("c");
    spin_lock(&a);
    spin_lock(&b);
    spin_unlock(&b);
    spin_unlock(&a);
    spin_lock(&b);
    spin_lock(&c);
    spin_unlock(&c);
    spin_unlock(&b);
    ck_assert_uint_eq(lockorder_reports(), 0);
    spin_lock(&c);
    spin_lock(&a); /* a -> b -> c -> a */
    spin_unlock(&a);
    spin_unlock(&c);
    ck_assert_uint_eq(lockorder_reports(), 1);
}
END_TEST

START_TEST(consistent_orders_are_silent)
{
    /* Classes are names: two instances called "aspace" are one class, and a
     * new instance inherits the order its class has. Releases in any order. */
    struct spinlock x1 = SPINLOCK_INIT("aspace"), x2, f = SPINLOCK_INIT("frames");
    spin_init(&x2, "aspace");
    uint64_t fl = spin_lock_irqsave(&x1);
    spin_lock(&f);
    spin_unlock_irqrestore(&x1, fl); /* not LIFO */
    spin_unlock(&f);
    spin_lock(&x2);
    spin_lock(&x1); /* same class nested: not checked */
    spin_lock(&f);
    spin_unlock(&f);
    spin_unlock(&x1);
    spin_unlock(&x2);
    struct spinlock anon = SPINLOCK_INIT(NULL);
    spin_lock(&f);
    spin_lock(&anon);
    spin_unlock(&anon);
    spin_unlock(&f);
    spin_lock(&anon);
    spin_lock(&f);
    spin_unlock(&f);
    spin_unlock(&anon);
    ck_assert_uint_eq(lockorder_reports(), 0);
    lockorder_release(&anon); /* not held: ignored */
}
END_TEST

START_TEST(full_tables_are_counted)
{
    static struct spinlock many[LOCKORDER_MAX_CLASSES + 2];
    static char names[LOCKORDER_MAX_CLASSES + 2][16];
    for (int i = 0; i < LOCKORDER_MAX_CLASSES + 2; i++) {
        snprintf(names[i], sizeof(names[i]), "l%d", i);
        spin_init(&many[i], names[i]);
    }
    /* Take them all nested: the held stack and the class table overflow. */
    for (int i = 0; i < LOCKORDER_MAX_CLASSES + 2; i++)
        spin_lock(&many[i]);
    for (int i = LOCKORDER_MAX_CLASSES + 1; i >= 0; i--)
        spin_unlock(&many[i]);
    ck_assert_uint_eq(lockorder_overflows(), 2);
    ck_assert_uint_eq(lockorder_reports(), 0);
    /* The tracked part still checks: l1 under l0 was recorded. */
    spin_lock(&many[1]);
    spin_lock(&many[0]);
    spin_unlock(&many[0]);
    spin_unlock(&many[1]);
    ck_assert_uint_eq(lockorder_reports(), 1);
}
END_TEST

START_TEST(tickets_wrap_and_stay_fair)
{
    struct spinlock l = SPINLOCK_INIT("wrap");
    int bad = 0; /* one assertion after the loop: Check's cost per assertion is a pipe write */
    for (int i = 0; i < 70000; i++) { /* both halves wrap past 0xffff */
        spin_lock(&l);
        bad += !spin_is_locked(&l);
        spin_unlock(&l);
        bad += spin_is_locked(&l);
    }
    ck_assert_int_eq(bad, 0);
    ck_assert_uint_eq(l.word >> 16, l.word & 0xffff);
    ck_assert(spin_trylock(&l));
    ck_assert(!spin_trylock(&l));
    spin_unlock(&l);
    /* A waiter holds the next ticket: the lock is served in order. */
    l.word = 0xffffu | (0xffffu << 16);
    ck_assert(spin_trylock(&l));
    ck_assert_uint_eq(l.word, 0x0000ffffu); /* next wrapped to 0, served 0xffff */
    spin_unlock(&l);
    ck_assert_uint_eq(l.word, 0u);
    ck_assert_uint_eq(preempt_count(), 0);
}
END_TEST

START_TEST(second_take_on_the_holding_cpu_panics)
{
    struct spinlock l = SPINLOCK_INIT("twice");
    spin_lock(&l);
    spin_lock(&l); /* would spin forever: a panic says why */
}
END_TEST

START_TEST(release_by_a_non_holder_panics)
{
    struct spinlock l = SPINLOCK_INIT("never");
    spin_unlock(&l);
}
END_TEST

Suite *lockorder_suite(void)
{
    Suite *s = suite_create("lockorder");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, inversion_reported_once);
    tcase_add_test(tc, cycle_through_three_classes);
    tcase_add_test(tc, consistent_orders_are_silent);
    tcase_add_test(tc, full_tables_are_counted);
    tcase_add_test(tc, tickets_wrap_and_stay_fair);
    tcase_add_exit_test(tc, second_take_on_the_holding_cpu_panics, CPU_MOCK_HALT_STATUS);
    tcase_add_exit_test(tc, release_by_a_non_holder_panics, CPU_MOCK_HALT_STATUS);
    suite_add_tcase(s, tc);
    return s;
}
