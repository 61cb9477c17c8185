/**
 * @file kernel/threads.h
 * @brief The kernel's multitasking set-up: the scheduler wired to libmm and the
 * PIT, and the async executor running as one kernel thread.
 *
 * After kernel_threads_init():
 * - kernel threads (sched/thread.h) get guard-paged stacks from libmm and are
 *   preempted by the PIT (a 10 ms slice);
 * - the executor (kernel_executor()) runs in its own thread "executor" and sleeps
 *   on a semaphore when no task is ready, so async tasks and threads coexist;
 * - kernel_timer_queue() wakes async sleeps on every tick;
 * - kernel_kbd_event() is raised by the keyboard interrupt, for an async task
 *   that reads the keyboard as a stream.
 */
#ifndef KERNEL_THREADS_H
#define KERNEL_THREADS_H

#include <dev/kbd.h>
#include <sched/async.h>
#include <sched/executor.h>

/**
 * @brief Start the scheduler and the executor thread; route the keyboard
 * interrupt through kernel_kbd_event(). Call after mm_init() and
 * interrupts_init(), from the boot thread (which becomes thread "main").
 * @param kbd the keyboard whose interrupt should raise the event
 * @return 0 or a negative error
 */
int kernel_threads_init(struct kbd *kbd);

/** @brief The kernel's executor. @return it */
struct executor *kernel_executor(void);

/** @brief Timer queue for async sleeps, expired on every tick. @return it */
struct timer_queue *kernel_timer_queue(void);

/** @brief Raised by every keyboard interrupt. @return the event */
struct async_event *kernel_kbd_event(void);

#endif
