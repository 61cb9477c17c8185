/**
 * @file kernel/threads.h
 * @brief The kernel's multitasking set-up: the scheduler wired to libmm and the
 * PIT, and the async executor running as one kernel thread.
 *
 * After kernel_threads_init():
 * - kernel threads (sched/thread.h) get guard-paged stacks from libmm and are
 *   preempted by the tick (a slice of about 10 ms, in whole ticks);
 * - the executor (kernel_executor()) runs in its own thread "executor" and sleeps
 *   on a semaphore when no task is ready, so async tasks and threads coexist;
 * - kernel_timer_queue() wakes async sleeps on every tick;
 * - kernel_kbd_event() is raised by the keyboard interrupt, for an async task
 *   that reads the keyboard as a stream;
 * - an idle CPU spins for an interrupt for a while before it halts, as long
 *   as its idle periods have lately been short (sched/idle_poll.h).
 */
#ifndef KERNEL_THREADS_H
#define KERNEL_THREADS_H

#include <dev/kbd.h>
#include <sched/async.h>
#include <sched/executor.h>
#include <sched/idle_poll.h>

/**
 * @brief Start the scheduler and the executor thread; route the keyboard
 * interrupt through kernel_kbd_event(). Call after mm_init() and
 * interrupts_init(), from the boot thread (which becomes thread "main").
 * @param kbd the keyboard whose interrupt should raise the event
 * @return 0 or a negative error
 */
int kernel_threads_init(struct kbd *kbd);

/**
 * @brief The longest an idle CPU spins for an interrupt before it halts
 * (sched/idle_poll.h; the command line's `idlepoll=US`). Call before
 * kernel_threads_init().
 * @param max_us microseconds; 0: always halt at once
 */
void kernel_idle_poll_set(uint32_t max_us);

/**
 * @brief A CPU's idle poll window and counters.
 * @param cpu logical CPU number
 * @return its state, or NULL for a number beyond ARCH_MAX_CPUS
 */
const struct idle_poll *kernel_idle_poll(unsigned cpu);

/** @brief The kernel's executor. @return it */
struct executor *kernel_executor(void);

/** @brief Timer queue for async sleeps, expired on every tick. @return it */
struct timer_queue *kernel_timer_queue(void);

/** @brief Raised by every keyboard interrupt. @return the event */
struct async_event *kernel_kbd_event(void);

#endif
