/*
 * sched_priv.h - what sync.c needs from the scheduler core (not public).
 */
#ifndef SCHED_PRIV_H
#define SCHED_PRIV_H

#include <sched/sync.h>
#include <sched/thread.h>

/* Block the current thread (already queued somewhere) and run another.
 * Interrupts must be disabled. */
void sched_block_locked(void);

/* Make a blocked thread runnable. Interrupts must be disabled. */
void sched_wake_locked(struct thread *t);

#endif
