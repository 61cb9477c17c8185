/*
 * console.c - the console registry (k/console.h).
 *
 * Locking: the lock installed by console_set_lock() protects the registry and
 * serialises output. The kernel installs an interrupt-safe spinlock, because
 * interrupt handlers print. In panic mode the lock is bypassed.
 */
#include <k/console.h>
#include <k/errno.h>
#include <stdbool.h>

struct console {
    const char *name;
    const struct console_ops *ops;
    void *ctx;
};

static struct console consoles[CONSOLE_MAX];
static int nconsoles;
static const struct console_lock_ops *lock_ops;
static void *lock_ctx;
static volatile bool panic_mode;

void console_set_lock(const struct console_lock_ops *ops, void *ctx)
{
    lock_ops = ops;
    lock_ctx = ctx;
}

int console_register(const char *name, const struct console_ops *ops, void *ctx)
{
    uint64_t f = console_lock();
    int err = 0;
    if (nconsoles == CONSOLE_MAX) {
        err = -ENOSPC;
    } else {
        consoles[nconsoles].name = name;
        consoles[nconsoles].ops = ops;
        consoles[nconsoles].ctx = ctx;
        nconsoles++;
    }
    console_unlock(f);
    return err;
}

int console_unregister(const struct console_ops *ops, void *ctx)
{
    uint64_t f = console_lock();
    int err = -ENOENT;
    for (int i = 0; i < nconsoles; i++) {
        if (consoles[i].ops == ops && consoles[i].ctx == ctx) {
            for (int j = i + 1; j < nconsoles; j++)
                consoles[j - 1] = consoles[j];
            nconsoles--;
            err = 0;
            break;
        }
    }
    console_unlock(f);
    return err;
}

void console_reset(void)
{
    uint64_t f = console_lock();
    nconsoles = 0;
    console_unlock(f);
}

uint64_t console_lock(void)
{
    if (panic_mode || !lock_ops)
        return 0;
    return lock_ops->lock(lock_ctx);
}

void console_unlock(uint64_t flags)
{
    if (panic_mode || !lock_ops)
        return;
    lock_ops->unlock(lock_ctx, flags);
}

void console_write_locked(const char *s, size_t n)
{
    for (int i = 0; i < nconsoles; i++)
        consoles[i].ops->write(consoles[i].ctx, s, n);
}

void console_write(const char *s, size_t n)
{
    uint64_t f = console_lock();
    console_write_locked(s, n);
    console_unlock(f);
}

void console_enter_panic_mode(void)
{
    panic_mode = true;
}

int console_getc(void)
{
    for (int i = 0; i < nconsoles; i++) {
        if (!consoles[i].ops->getc)
            continue;
        int c = consoles[i].ops->getc(consoles[i].ctx);
        if (c >= 0)
            return c;
    }
    return -EAGAIN;
}
