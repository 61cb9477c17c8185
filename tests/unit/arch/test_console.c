/*
 * test_console.c - console registry, spinlocks, qemu_exit and error strings.
 */
#include "cpu_mock.h"
#include <arch/console.h>
#include <arch/cpu.h>
#include <arch/errno.h>
#include <arch/kprintf.h>
#include <arch/qemu.h>
#include <arch/spinlock.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

Suite *console_suite(void);

struct capture {
    char text[512];
    size_t len;
    bool irq_was_on; /* interrupt flag seen inside write() */
    int input[8];
    int ninput;
};

static void cap_write(void *ctx, const char *s, size_t n)
{
    struct capture *c = ctx;
    ck_assert_uint_lt(c->len + n, sizeof(c->text));
    memcpy(c->text + c->len, s, n);
    c->len += n;
    c->text[c->len] = '\0';
    c->irq_was_on |= cpu_mock_irq_enabled();
}

static int cap_getc(void *ctx)
{
    struct capture *c = ctx;
    if (c->ninput == 0)
        return -EAGAIN;
    int ch = c->input[0];
    memmove(c->input, c->input + 1, sizeof(int) * (size_t)--c->ninput);
    return ch;
}

static const struct console_ops cap_ops = { .write = cap_write, .getc = cap_getc };
static const struct console_ops out_only_ops = { .write = cap_write };

static void setup(void)
{
    cpu_mock_reset();
    console_reset();
}

START_TEST(test_kprintf_goes_to_every_console)
{
    struct capture a = { 0 }, b = { 0 };
    ck_assert_int_eq(console_register("a", &cap_ops, &a), 0);
    ck_assert_int_eq(console_register("b", &out_only_ops, &b), 0);
    ck_assert_int_eq(kprintf("x=%d\n", 5), 4);
    ck_assert_str_eq(a.text, "x=5\n");
    ck_assert_str_eq(b.text, "x=5\n");
    console_write("raw", 3);
    ck_assert_str_eq(b.text, "x=5\nraw");
}
END_TEST

START_TEST(test_output_runs_with_interrupts_off_and_restores_them)
{
    struct capture a = { 0 };
    console_register("a", &cap_ops, &a);
    cpu_sti();
    kprintf("hello %s\n", "world");
    ck_assert(!a.irq_was_on);          /* the console lock disables interrupts */
    ck_assert(cpu_mock_irq_enabled()); /* and gives them back */
    cpu_cli();
    kprintf("again\n");
    ck_assert(!cpu_mock_irq_enabled()); /* never enables what was off */
}
END_TEST

START_TEST(test_register_limit_and_unregister)
{
    struct capture c[CONSOLE_MAX + 1];
    memset(c, 0, sizeof(c));
    for (int i = 0; i < CONSOLE_MAX; i++)
        ck_assert_int_eq(console_register("c", &cap_ops, &c[i]), 0);
    ck_assert_int_eq(console_register("c", &cap_ops, &c[CONSOLE_MAX]), -ENOSPC);
    ck_assert_int_eq(console_unregister(&cap_ops, &c[1]), 0);
    ck_assert_int_eq(console_unregister(&cap_ops, &c[1]), -ENOENT);
    kprintf("z");
    ck_assert_str_eq(c[0].text, "z");
    ck_assert_str_eq(c[1].text, "");
    ck_assert_str_eq(c[2].text, "z");
    ck_assert_str_eq(c[3].text, "z");
}
END_TEST

START_TEST(test_getc_polls_every_input)
{
    struct capture out = { 0 }, in = { .input = { 'h', 'i' }, .ninput = 2 };
    console_register("out", &out_only_ops, &out);
    ck_assert_int_eq(console_getc(), -EAGAIN);
    console_register("in", &cap_ops, &in);
    ck_assert_int_eq(console_getc(), 'h');
    ck_assert_int_eq(console_getc(), 'i');
    ck_assert_int_eq(console_getc(), -EAGAIN);
}
END_TEST

START_TEST(test_panic_mode_ignores_a_held_lock)
{
    struct capture a = { 0 };
    console_register("a", &cap_ops, &a);
    uint64_t f = console_lock(); /* as if the panicking code held it */
    console_enter_panic_mode();
    kprintf("still printed\n"); /* would spin forever without panic mode */
    console_unlock(f);
    ck_assert_str_eq(a.text, "still printed\n");
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

START_TEST(test_strerror)
{
    ck_assert_str_eq(arch_strerror(-ENOENT), "No such file or directory");
    ck_assert_str_eq(arch_strerror(ENOSPC), "No space left on device");
    ck_assert_str_eq(arch_strerror(0), "Success");
    ck_assert_str_eq(arch_strerror(-9999), "Unknown error");
    /* every code in the header has its own text */
    static const int codes[] = { EPERM,   ENOENT,       ESRCH,  EINTR,     EIO,    ENXIO,
                                 E2BIG,   ENOEXEC,      EBADF,  ECHILD,    EAGAIN, ENOMEM,
                                 EACCES,  EFAULT,       EBUSY,  EEXIST,    EXDEV,  ENODEV,
                                 ENOTDIR, EISDIR,       EINVAL, ENFILE,    EMFILE, ENOTTY,
                                 EFBIG,   ENOSPC,       ESPIPE, EROFS,     EMLINK, EPIPE,
                                 ERANGE,  ENAMETOOLONG, ENOSYS, ENOTEMPTY, ELOOP,  EOVERFLOW,
                                 EUCLEAN, ETIMEDOUT };
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        ck_assert_str_ne(arch_strerror(codes[i]), "Unknown error");
}
END_TEST

Suite *console_suite(void)
{
    Suite *s = suite_create("console");
    TCase *tc = tcase_create("console");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_kprintf_goes_to_every_console);
    tcase_add_test(tc, test_output_runs_with_interrupts_off_and_restores_them);
    tcase_add_test(tc, test_register_limit_and_unregister);
    tcase_add_test(tc, test_getc_polls_every_input);
    tcase_add_test(tc, test_panic_mode_ignores_a_held_lock);
    suite_add_tcase(s, tc);
    TCase *lk = tcase_create("spinlock");
    tcase_add_checked_fixture(lk, setup, NULL);
    tcase_add_test(lk, test_spinlock_basics);
    tcase_add_test(lk, test_spinlock_irqsave_nests);
    suite_add_tcase(s, lk);
    TCase *misc = tcase_create("misc");
    tcase_add_checked_fixture(misc, setup, NULL);
    tcase_add_exit_test(misc, test_qemu_exit_writes_debug_port, QEMU_EXIT_FAILURE);
    tcase_add_exit_test(misc, test_qemu_exit_halts_without_device, CPU_MOCK_HALT_STATUS);
    tcase_add_test(misc, test_strerror);
    suite_add_tcase(s, misc);
    return s;
}
