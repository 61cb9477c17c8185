/**
 * @file arch/timer.h
 * @brief The system tick (the PIT's channel 0, or the local APIC timer),
 * uptime, sleeping, and the TSC clock.
 *
 * One of two sources gives the tick. pit_init() programs the PIT's channel 0
 * as a rate generator at the requested frequency (default 250 Hz) and
 * installs the IRQ 0 handler; in APIC mode timer_apic_init() instead
 * calibrates the boot CPU's local APIC timer against the TSC and runs it
 * periodically on APIC_TIMER_VECTOR. Either way each tick is counted and
 * calls an optional tick hook (the scheduler's). timer_sleep_ms() halts the CPU
 * between ticks instead of spinning, or hands the wait to a sleep hook once the
 * scheduler installs one.
 *
 * Locking: the tick count is atomic, counted by one CPU (the PIT's IRQ, or the
 * boot CPU's local timer) and read anywhere. The period, the source and the
 * TSC calibration are set at boot, before another CPU starts, then only read.
 * The hooks are set with interrupts off, at boot. The tick hook (the boot
 * CPU's) runs under the big kernel lock, which the local timer's entry waits
 * for (arch/bkl.h); another CPU's tick hook runs without it, and that CPU's
 * tick takes the lock only when the hook asks for the scheduler and the lock
 * is free (timer_set_cpu_tick_hook()).
 */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_BASE_HZ    1193182u /**< The PIT's input clock. */
#define PIT_DEFAULT_HZ 250u     /**< Default tick rate (as Debian's Linux). */
#define PIT_CH0_PORT   0x40     /**< Channel 0 data port. */
#define PIT_CMD_PORT   0x43     /**< Mode/command port. */
#define PIT_IRQ        0        /**< The PIT's IRQ line. */

/**
 * @brief Program channel 0 and start counting ticks on IRQ 0 (irq_unmask()).
 * @param hz ticks per second, 19..1193182 (values outside are clamped)
 * @return the divisor programmed into the PIT
 */
uint32_t pit_init(uint32_t hz);

/**
 * @brief Make the boot CPU's local APIC timer the tick (arch/apic.h): measure
 * it against the TSC for 10 ms (so call timer_tsc_init() first), then start it
 * periodic at @p hz on APIC_TIMER_VECTOR. The tick count restarts at 0.
 * @param hz ticks per second, 1..100000 (0: the default; larger is clamped)
 * @return the timer's counts per millisecond (> 0), or -ENODEV when there is
 *         no local APIC window or TSC rate, or the timer did not count
 */
int timer_apic_init(uint32_t hz);

/**
 * @brief Start this CPU's local APIC timer (an application processor's) at
 * the boot CPU's rate, after timer_apic_init() ran there. Its ticks do not
 * count as the system's; each calls the hook of timer_set_cpu_tick_hook().
 * @return 0, or -ENODEV when the boot CPU's tick is not the local timer
 */
int timer_apic_start_this_cpu(void);

/** @brief What gives the tick. @return "PIT" or "local APIC timer" */
const char *timer_source(void);

/** @brief The actual tick rate after rounding the divisor. @return ticks per 1000 s */
uint64_t timer_rate_mhz(void);

/** @brief Ticks since pit_init(). @return the count */
uint64_t timer_ticks(void);

/** @brief Milliseconds since pit_init(), from the tick count. @return uptime in ms */
uint64_t timer_uptime_ms(void);

/** @brief A function run on every tick, in interrupt context. */
typedef void (*timer_tick_fn)(uint64_t ticks);

/**
 * @brief Set the function called from the IRQ 0 handler after each tick.
 * @param hook the function (NULL for none); runs in interrupt context
 * @return the previous hook, so a temporary one can be undone
 */
timer_tick_fn timer_set_tick_hook(timer_tick_fn hook);

/**
 * @brief Set the function an application processor's local timer calls on
 * each of its ticks (its scheduling tick), in interrupt context and without
 * the big kernel lock (arch/bkl.h).
 * @param hook the function (NULL for none); it returns true when the
 *             scheduler must run: the tick then takes the lock if it is free
 *             and leaves through the interrupt exit hook (irq.h), which may
 *             switch threads
 */
void timer_set_cpu_tick_hook(bool (*hook)(void));

/**
 * @brief Let the scheduler take over timer_sleep_ms() (NULL restores halting).
 * @param hook puts the caller to sleep for the given milliseconds
 */
void timer_set_sleep_hook(void (*hook)(uint64_t ms));

/**
 * @brief Wait at least @p ms milliseconds without spinning. Must be called with
 * interrupts enabled (the wait needs timer interrupts); otherwise it returns at once.
 * @param ms milliseconds
 * @return 0, or -EINVAL if interrupts were disabled
 */
int timer_sleep_ms(uint64_t ms);

/**
 * @brief Count one tick, as the IRQ 0 handler does (exposed for tests).
 */
void timer_tick(void);

/**
 * @brief Measure the TSC against PIT channel 2, polled (no interrupt is
 * involved, so the result holds even when the emulator drops timer
 * interrupts, as QEMU's TCG does under load). Uses the PC speaker gate, with
 * the speaker itself off. Takes @p ms milliseconds. The interval runs from
 * the middle of the TSC readings around the count's start to the middle of
 * those around the first poll that sees the output high.
 * @param ms how long to measure, 1..50
 * @return TSC cycles per millisecond, or 0 if the PIT never finished
 */
uint64_t timer_calibrate_tsc(uint32_t ms);

/**
 * @brief Start the TSC clock: calibrate and remember the TSC now as time
 * zero. Call once at boot. Calibration measures 5 ms at a time, up to six
 * times, until a measurement's uncertainty is below 0.1% (else it keeps the
 * most certain one), so a CPU that was not running when the PIT expired (a
 * descheduled emulator) does not skew the clock.
 * @return TSC cycles per millisecond (0: no usable TSC; timer_now_ns() then
 *         falls back to the tick count)
 */
uint64_t timer_tsc_init(void);

/** @brief Nanoseconds since timer_tsc_init(), from the TSC. @return the time */
uint64_t timer_now_ns(void);

/**
 * @brief Say what wall-clock time timer_now_ns() 0 was (from the RTC at boot).
 * @param epoch seconds since 1970 at time zero
 */
void timer_set_epoch(int64_t epoch);

/**
 * @brief Wall-clock time: seconds since 1970 (UTC), or since boot when no
 * epoch was set.
 * @return the seconds
 */
uint64_t timer_realtime_s(void);

/** @brief What timer_set_epoch() was given. @return seconds since 1970 at time zero, or 0 */
uint64_t timer_epoch(void);

/** @brief Was the wall-clock time set? @return 1 if timer_set_epoch() was called, else 0 */
int timer_has_epoch(void);

/** @brief TSC cycles per millisecond, 0 before timer_tsc_init(). @return the rate */
uint64_t timer_tsc_per_ms(void);

#endif
