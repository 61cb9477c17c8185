/**
 * @file arch/timer.h
 * @brief The PIT (8253/8254 channel 0) as the system tick, uptime and sleeping.
 *
 * pit_init() programs channel 0 as a rate generator at the requested frequency
 * (default 1000 Hz) and installs the IRQ 0 handler, which counts ticks and calls
 * an optional tick hook (the scheduler's, later). timer_sleep_ms() halts the CPU
 * between ticks instead of spinning, or hands the wait to a sleep hook once the
 * scheduler installs one.
 */
#ifndef ARCH_TIMER_H
#define ARCH_TIMER_H

#include <stdint.h>

#define PIT_BASE_HZ    1193182u /**< The PIT's input clock. */
#define PIT_DEFAULT_HZ 1000u    /**< Default tick rate. */
#define PIT_CH0_PORT   0x40     /**< Channel 0 data port. */
#define PIT_CMD_PORT   0x43     /**< Mode/command port. */
#define PIT_IRQ        0        /**< The PIT's IRQ line. */

/**
 * @brief Program channel 0 and start counting ticks on IRQ 0 (unmasks it).
 * @param hz ticks per second, 19..1193182 (values outside are clamped)
 * @return the divisor programmed into the PIT
 */
uint32_t pit_init(uint32_t hz);

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
 * the speaker itself off. Takes @p ms milliseconds.
 * @param ms how long to measure, 1..50
 * @return TSC cycles per millisecond, or 0 if the PIT never finished
 */
uint64_t timer_calibrate_tsc(uint32_t ms);

/**
 * @brief Start the TSC clock: calibrate once and remember the TSC now as time
 * zero. Call once at boot.
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
