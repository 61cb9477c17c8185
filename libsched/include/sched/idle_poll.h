/**
 * @file sched/idle_poll.h
 * @brief How long an idle CPU polls for an interrupt before it halts.
 *
 * On a virtual machine a halted CPU is expensive to wake: the hypervisor or
 * emulator parks the vCPU's host thread, and an interrupt for it must wake
 * that thread first. When the next interrupt is near (a disk request
 * completing in a hundred microseconds, a wake-up from another CPU),
 * spinning for it is faster: the interrupt is taken as soon as it arrives.
 * When it is far (the next tick of an idle system), spinning only burns a
 * host CPU that others could use. So each CPU keeps a poll window that
 * adapts to what its idle periods have been:
 *
 * - an interrupt came while polling: the window was long enough; it stays;
 * - none came, and the halt that followed ended within the longest window
 *   (@ref idle_poll::max_ns): a longer poll would have caught it, so the
 *   window doubles (starting from @ref IDLE_POLL_GROW_START_NS, at most
 *   max_ns);
 * - the CPU was idle for longer than max_ns: polling was wasted, so the
 *   window halves, and goes to 0 below IDLE_POLL_GROW_START_NS.
 *
 * An idle CPU therefore stops polling after a few ticks, and a CPU waiting
 * for a disk polls just long enough to catch the completions. This is the
 * policy only (host tests run it); the kernel's idle thread measures the
 * times and does the polling (arch/percpu.h, arch_idle_poll()).
 *
 * Locking: none; each CPU has its own and touches it with interrupts off.
 */
#ifndef SCHED_IDLE_POLL_H
#define SCHED_IDLE_POLL_H

#include <stdbool.h>
#include <stdint.h>

#define IDLE_POLL_DEFAULT_MAX_NS 500000u /**< Longest poll by default: 500 us. */
#define IDLE_POLL_GROW_START_NS  50000u  /**< The first window after none: 50 us. */

/** @brief One CPU's poll window and counters. */
struct idle_poll {
    uint64_t max_ns;    /**< Longest window; 0: never poll. */
    uint64_t window_ns; /**< How long the next idle period polls first. */
    uint64_t polls;     /**< Idle periods that polled. */
    uint64_t hits;      /**< ...and saw an interrupt before the window ended. */
    uint64_t grows;     /**< Times the window grew. */
    uint64_t shrinks;   /**< Times it shrank. */
};

/**
 * @brief Start with no window (it grows when idle periods turn out short).
 * @param p      the CPU's state
 * @param max_ns the longest window; 0 turns polling off
 */
void idle_poll_init(struct idle_poll *p, uint64_t max_ns);

/**
 * @brief How long the idle period about to start should poll.
 * @param p the CPU's state
 * @return nanoseconds; 0: halt at once
 */
uint64_t idle_poll_window(const struct idle_poll *p);

/**
 * @brief Account for an idle period that has ended and adapt the window.
 * @param p          the CPU's state
 * @param polled     the period polled (its window was not 0)
 * @param hit        an interrupt came while polling (no halt followed)
 * @param blocked_ns the whole idle period: poll, then halt if any
 */
void idle_poll_done(struct idle_poll *p, bool polled, bool hit, uint64_t blocked_ns);

#endif
