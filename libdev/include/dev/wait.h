/**
 * @file dev/wait.h
 * @brief How drivers wait for a device: a replaceable hook with a time bound.
 *
 * libdev knows no scheduler, so its default waiter polls: it asks the condition
 * (which itself polls the device), then either halts until the next interrupt
 * (when interrupts are on and the driver's IRQ is wired) or executes PAUSE. It
 * gives up after a deadline measured by the timer, and after a spin bound in case
 * the timer is not running. The kernel installs a sleeping waiter instead
 * (kernel/devices.c): the waiting thread sleeps until the completion interrupt
 * wakes it, and other threads run meanwhile. Host tests keep the default.
 *
 * Locking: a waiter is called with no spinlock held (it may halt or sleep); the
 * condition it polls does its own locking. A `struct dev_poll_waiter` belongs to
 * one driver instance; its `spins` counter is a statistic that waiters on
 * several threads bump without a lock (under the big kernel lock in the kernel).
 */
#ifndef DEV_WAIT_H
#define DEV_WAIT_H

#include <stdbool.h>
#include <stdint.h>

/**
 * @brief Wait until @p done returns true.
 * @param ctx        the waiter's context
 * @param done       the condition (polls the device; safe to call repeatedly)
 * @param arg        its argument
 * @param timeout_ms give up after this long
 * @return 0, or -ETIMEDOUT
 */
typedef int (*dev_wait_fn)(void *ctx, bool (*done)(void *arg), void *arg, uint32_t timeout_ms);

/** @brief Settings of the default polling waiter. */
struct dev_poll_waiter {
    uint64_t max_spins; /**< Give up after this many polls (0: a built-in bound). */
    bool use_hlt;       /**< Halt between polls when interrupts are enabled (set by
                             virtio_blk_attach_irq() for its own waiter). */
    uint64_t spins;     /**< Statistics: polls so far. */
};

/**
 * @brief The default waiter (a dev_wait_fn).
 * @param ctx        a struct dev_poll_waiter, or NULL for defaults (PAUSE, built-in bound)
 * @param done       the condition
 * @param arg        its argument
 * @param timeout_ms deadline, measured with timer_uptime_ms() when the timer runs
 * @return 0, or -ETIMEDOUT
 */
int dev_wait_poll(void *ctx, bool (*done)(void *arg), void *arg, uint32_t timeout_ms);

#endif
