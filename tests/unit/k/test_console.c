/*
 * test_console.c - the console registry, its lock seam, and error strings.
 */
#include <k/console.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

Suite *console_suite(void);

/* A lock that counts, and fails the test if taken while held. */
struct fake_lock {
    int held, taken;
    uint64_t last_state;
};
static struct fake_lock *current_lock;

static uint64_t fake_lock_take(void *ctx)
{
    struct fake_lock *l = ctx;
    ck_assert_int_eq(l->held, 0);
    l->held++;
    l->taken++;
    current_lock = l;
    return 42;
}

static void fake_lock_release(void *ctx, uint64_t state)
{
    struct fake_lock *l = ctx;
    ck_assert_int_eq(l->held, 1);
    l->held--;
    l->last_state = state;
}

static const struct console_lock_ops fake_lock_ops = { .lock = fake_lock_take,
                                                       .unlock = fake_lock_release };

struct capture {
    char text[512];
    size_t len;
    bool lock_was_held; /* the installed lock was held inside write() */
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
    c->lock_was_held |= current_lock && current_lock->held;
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
    console_reset();
    console_set_lock(NULL, NULL);
    current_lock = NULL;
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

START_TEST(test_output_runs_under_the_installed_lock)
{
    struct capture a = { 0 };
    struct fake_lock l = { 0 };
    console_register("a", &cap_ops, &a);
    kprintf("unlocked\n"); /* no lock installed yet: nothing to take */
    console_set_lock(&fake_lock_ops, &l);
    kprintf("hello %s\n", "world");
    ck_assert(a.lock_was_held);
    ck_assert_int_eq(l.taken, 1);
    ck_assert_int_eq(l.held, 0);
    ck_assert_uint_eq(l.last_state, 42); /* unlock gets lock's state back */
    console_write("x", 1);
    ck_assert_int_eq(l.taken, 2);
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
    struct fake_lock l = { 0 };
    console_register("a", &cap_ops, &a);
    console_set_lock(&fake_lock_ops, &l);
    uint64_t f = console_lock(); /* as if the panicking code held it */
    console_enter_panic_mode();
    kprintf("still printed\n"); /* the fake lock fails the test if taken twice */
    console_unlock(f);
    ck_assert_str_eq(a.text, "still printed\n");
    ck_assert_int_eq(l.held, 1);
}
END_TEST

START_TEST(test_strerror)
{
    ck_assert_str_eq(k_strerror(-ENOENT), "No such file or directory");
    ck_assert_str_eq(k_strerror(ENOSPC), "No space left on device");
    ck_assert_str_eq(k_strerror(0), "Success");
    ck_assert_str_eq(k_strerror(-9999), "Unknown error");
    /* every code in the header has its own text */
    static const int codes[] = { EPERM,   ENOENT,       ESRCH,  EINTR,     EIO,    ENXIO,
                                 E2BIG,   ENOEXEC,      EBADF,  ECHILD,    EAGAIN, ENOMEM,
                                 EACCES,  EFAULT,       EBUSY,  EEXIST,    EXDEV,  ENODEV,
                                 ENOTDIR, EISDIR,       EINVAL, ENFILE,    EMFILE, ENOTTY,
                                 EFBIG,   ENOSPC,       ESPIPE, EROFS,     EMLINK, EPIPE,
                                 ERANGE,  ENAMETOOLONG, ENOSYS, ENOTEMPTY, ELOOP,  EOVERFLOW,
                                 EUCLEAN, ETIMEDOUT };
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        ck_assert_str_ne(k_strerror(codes[i]), "Unknown error");
}
END_TEST

Suite *console_suite(void)
{
    Suite *s = suite_create("console");
    TCase *tc = tcase_create("console");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_kprintf_goes_to_every_console);
    tcase_add_test(tc, test_output_runs_under_the_installed_lock);
    tcase_add_test(tc, test_register_limit_and_unregister);
    tcase_add_test(tc, test_getc_polls_every_input);
    tcase_add_test(tc, test_panic_mode_ignores_a_held_lock);
    suite_add_tcase(s, tc);
    TCase *misc = tcase_create("misc");
    tcase_add_checked_fixture(misc, setup, NULL);
    tcase_add_test(misc, test_strerror);
    suite_add_tcase(s, misc);
    return s;
}
