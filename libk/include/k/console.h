/**
 * @file k/console.h
 * @brief The console registry: every line the kernel prints goes to all of them.
 *
 * Drivers (the 16550 UART and VGA text mode in libdev, a capture buffer in tests)
 * register a `struct console_ops` with a context pointer. Input is polled from
 * every console that can read.
 *
 * Locking: output is serialised by one console lock. libk knows nothing of
 * CPUs, so the lock is a seam: the kernel installs an interrupt-safe lock with
 * console_set_lock() at boot (libarch's spin_irq_lock_ops), and an interrupt
 * handler that prints then runs after a half-written line, never inside it.
 * Until a lock is installed (early boot, host tests) calls are not serialised.
 */
#ifndef K_CONSOLE_H
#define K_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/** @brief What a console driver provides. */
struct console_ops {
    /** @brief Write @p n bytes (called with the console lock held). */
    void (*write)(void *ctx, const char *s, size_t n);
    /** @brief Read one byte without waiting: 0..255, or -EAGAIN. May be NULL. */
    int (*getc)(void *ctx);
};

/** @brief A lock given to the registry: the seam between libk and the CPU. */
struct console_lock_ops {
    /** @brief Take the lock (with interrupts off); return what unlock needs back. */
    uint64_t (*lock)(void *ctx);
    /** @brief Release the lock; @p state is what lock() returned. */
    void (*unlock)(void *ctx, uint64_t state);
};

/**
 * @brief Install the lock that serialises console output and the registry.
 * @param ops the lock's operations, or NULL for none; must live as long as the kernel
 * @param ctx passed back to them (for example the struct spinlock)
 */
void console_set_lock(const struct console_lock_ops *ops, void *ctx);

/** @brief At most this many consoles may be registered. */
#define CONSOLE_MAX 8

/**
 * @brief Add a console. Its ops and ctx must live as long as the kernel.
 * @param name short name for reports ("com1", "vga")
 * @param ops  the driver's operations
 * @param ctx  passed back to every op
 * @return 0, or -ENOSPC when CONSOLE_MAX consoles are registered
 */
int console_register(const char *name, const struct console_ops *ops, void *ctx);

/**
 * @brief Remove a console registered with the same @p ops and @p ctx.
 * @param ops the driver's operations
 * @param ctx its context
 * @return 0, or -ENOENT if no such console is registered
 */
int console_unregister(const struct console_ops *ops, void *ctx);

/** @brief Remove every console. */
void console_reset(void);

/**
 * @brief Write bytes to every console under the console lock.
 * @param s the bytes
 * @param n how many
 */
void console_write(const char *s, size_t n);

/**
 * @brief Take the console lock (with the lock console_set_lock() installed).
 * @return the lock's saved state for console_unlock()
 */
uint64_t console_lock(void);

/** @brief Release the console lock. @param flags what console_lock() returned */
void console_unlock(uint64_t flags);

/**
 * @brief Write to every console; the caller holds the console lock.
 * @param s the bytes
 * @param n how many
 */
void console_write_locked(const char *s, size_t n);

/**
 * @brief Panic mode: from now on the console lock is never taken, so a panic
 * report gets out even if the panicking code held the lock. The caller has
 * already disabled interrupts.
 */
void console_enter_panic_mode(void);

/**
 * @brief Poll every console for one input byte.
 * @return 0..255, or -EAGAIN when no console has input
 */
int console_getc(void);

#endif
