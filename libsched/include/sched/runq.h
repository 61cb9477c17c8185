/**
 * @file sched/runq.h
 * @brief Per-CPU run queues: where a ready thread goes, and what an idle CPU
 * takes from a busy one.
 *
 * Each online CPU has a FIFO of ready threads. The policy, in three calls:
 * - runq_place() picks the CPU for a thread that becomes ready: the CPU it
 *   last ran on if that one is idle (its caches are warm), else another idle
 *   CPU, else the shortest queue, always within the thread's affinity mask.
 * - runq_pop() serves a CPU from its own queue first; when that is empty the
 *   CPU steals the oldest thread it may run from the longest other queue
 *   (work stealing), so no CPU idles while another has threads waiting.
 *   It also takes another queue's first thread when that one has waited
 *   longer than its own first by more than one round of the CPUs: the
 *   queues together then serve threads close to the order they were queued
 *   in, so that with more threads than CPUs every thread gets its share.
 * - runq_requeue() sends a thread whose time slice ended to the shortest
 *   queue it may join, so that with more threads than CPUs each thread, not
 *   just each CPU, gets its share.
 * - runq_idle_cpu() names an idle CPU that could take work from a queue that
 *   just grew, so the caller can wake it (an IPI in the kernel).
 *
 * This is pure bookkeeping over struct thread (its `next`, `cpu` and
 * `affinity` fields), with no hardware and no allocation: the scheduler runs
 * it on the real CPUs, and host tests run it on simulated ones.
 *
 * Locking: none of its own; the scheduler serialises every call (with
 * interrupts off, and across CPUs by the big kernel lock, sched.c). The
 * counters are read under the same rule.
 */
#ifndef SCHED_RUNQ_H
#define SCHED_RUNQ_H

#include <stdbool.h>
#include <stdint.h>

#define SCHED_MAX_CPUS 16 /**< CPUs the scheduler can drive (bits of an affinity mask). */

struct thread;

/** @brief One CPU's queue and state as the scheduler sees it. */
struct runq_cpu {
    struct thread *head;  /**< Oldest ready thread (served first). */
    struct thread *tail;  /**< Newest. */
    uint32_t len;         /**< Threads queued. */
    bool online;          /**< Started and taking threads. */
    bool idle;            /**< Running its idle thread. */
    uint64_t steals;      /**< Threads this CPU took from other queues. */
    uint64_t stolen_from; /**< Threads other CPUs took from this queue. */
};

/** @brief The run queues of every CPU. */
struct runq {
    struct runq_cpu cpu[SCHED_MAX_CPUS]; /**< Indexed by CPU number. */
    uint32_t ncpus;                      /**< One more than the highest online CPU. */
    uint64_t online_mask;                /**< Bit i: CPU i is online. */
    uint32_t online;                     /**< CPUs online. */
    uint64_t seq;                        /**< Threads queued so far: the order stamp. */
};

/**
 * @brief Start with no CPU online and every queue empty.
 * @param rq the run queues
 */
void runq_init(struct runq *rq);

/**
 * @brief Bring CPU @p cpu online: from now on threads may be placed on it.
 * @param rq  the run queues
 * @param cpu its number
 * @return 0, -EINVAL if @p cpu >= SCHED_MAX_CPUS, -EEXIST if already online
 */
int runq_cpu_online(struct runq *rq, unsigned cpu);

/**
 * @brief May @p t run on @p cpu (online, and in its affinity mask)?
 * @param rq  the run queues
 * @param t   the thread
 * @param cpu the CPU
 * @return true if so
 */
bool runq_allowed(const struct runq *rq, const struct thread *t, unsigned cpu);

/**
 * @brief Choose the CPU for @p t, which is becoming ready.
 * @param rq   the run queues
 * @param t    the thread (its `cpu` is where it last ran)
 * @param self the CPU doing the wake-up (preferred among equals)
 * @return a CPU @p t may run on; @p self if its mask allows no online CPU
 *         (runq_push() then keeps it until one comes online)
 */
unsigned runq_place(const struct runq *rq, const struct thread *t, unsigned self);

/**
 * @brief Choose the queue for @p t, preempted on @p self at the end of its
 * time slice: the shortest queue it may join, @p self among equals. Moving
 * the waiting threads to where the queues are short gives every thread its
 * share of the CPUs, not just every CPU its share of the threads.
 * @param rq   the run queues
 * @param t    the preempted thread
 * @param self its CPU
 * @return the CPU whose queue it joins
 */
unsigned runq_requeue(const struct runq *rq, const struct thread *t, unsigned self);

/**
 * @brief Queue @p t at the tail of @p cpu's queue and record the CPU in it.
 * @param rq  the run queues
 * @param cpu the CPU (from runq_place(), or the CPU a preempted thread ran on)
 * @param t   a thread on no queue
 */
void runq_push(struct runq *rq, unsigned cpu, struct thread *t);

/**
 * @brief The next thread for @p cpu: the head of its own queue, else the
 * oldest thread it may run from the longest other queue.
 * @param rq  the run queues
 * @param cpu the CPU asking
 * @return the thread (off every queue, its `cpu` set to @p cpu), or NULL
 */
struct thread *runq_pop(struct runq *rq, unsigned cpu);

/**
 * @brief Take @p t off whatever queue holds it (a ready thread being killed or
 * moved by an affinity change).
 * @param rq the run queues
 * @param t  the thread
 * @return true if it was queued
 */
bool runq_remove(struct runq *rq, struct thread *t);

/**
 * @brief An idle CPU, other than @p self, that @p cpu's queue could feed: one
 * that may run a thread queued there.
 * @param rq   the run queues
 * @param cpu  the CPU whose queue just grew
 * @param self the caller's CPU (never returned)
 * @return the CPU number, or -1 if there is none
 */
int runq_idle_cpu(const struct runq *rq, unsigned cpu, unsigned self);

/**
 * @brief Threads waiting on every queue together.
 * @param rq the run queues
 * @return the count
 */
uint32_t runq_total(const struct runq *rq);

#endif
