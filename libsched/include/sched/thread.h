/**
 * @file sched/thread.h
 * @brief Kernel threads and the preemptive round-robin scheduler.
 *
 * Each thread has its own stack (guard-paged in the kernel: the stack hooks come
 * from libmm) and a saved context; switching saves the callee-saved registers on
 * the old stack and loads them from the new one (switch.S). The scheduler keeps
 * a run queue per CPU (round robin; an idle CPU steals from the longest
 * queue, sched/runq.h), a sleep list ordered by wake time, and per CPU an idle
 * thread that halts it when nothing is runnable.
 *
 * Preemption: sched_tick() (called from the timer interrupt) charges the running
 * thread and, when its time slice is used up, asks for a reschedule; the switch
 * happens on the way out of the interrupt, after the EOI, unless preemption is
 * disabled (preempt_disable(), or any spinlock held: arch/spinlock.h). A
 * CPU other than the one that keeps the system's time calls only
 * sched_tick_local(), without the big lock, and takes the lock only when it
 * says the scheduler must run.
 *
 * Locking: the scheduler's state, struct thread's fields included, is protected
 * by disabling interrupts on the calling CPU, and across CPUs by the kernel's
 * big lock (sched.c says more). Blocking calls (join, sleep, mutex, semaphore,
 * wait queue) must not be made from interrupt context or with a spinlock held
 * (debug builds panic on the latter).
 */
#ifndef SCHED_THREAD_H
#define SCHED_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief A saved CPU context: the stack pointer (kernel) or a host context (tests). */
struct sched_context {
    uintptr_t rsp; /**< Saved stack pointer (switch.S). */
    void *impl;    /**< Host test implementation's context. */
};

/** @brief Thread states. */
enum thread_state {
    THREAD_READY,    /**< On the run queue. */
    THREAD_RUNNING,  /**< On the CPU. */
    THREAD_BLOCKED,  /**< On a wait queue. */
    THREAD_SLEEPING, /**< On the sleep list. */
    THREAD_ZOMBIE,   /**< Exited, not yet reaped. */
};

#define THREAD_NAME_MAX 16 /**< Longest name kept, with the NUL. */

struct wait_queue;

/** @brief A kernel thread. Fields are the scheduler's; read them through the API. */
struct thread {
    uint64_t id;                /**< Unique id (0 is the boot thread). */
    char name[THREAD_NAME_MAX]; /**< Name for listings. */
    enum thread_state state;    /**< Current state. */
    struct sched_context ctx;   /**< Saved context. */
    void *stack;                /**< Stack base (NULL for the boot thread). */
    size_t stack_size;          /**< Stack size. */
    void (*entry)(void *arg);   /**< Body. */
    void *arg;                  /**< Its argument. */
    int exit_code;              /**< Set by thread_exit(). */
    bool detached;              /**< Reaped automatically after exit. */
    bool joining;               /**< Someone waits in thread_join(). */
    uint64_t ticks;             /**< Timer ticks spent running. */
    uint32_t slice;             /**< Ticks left in the current time slice. */
    uint64_t wake_at;           /**< Sleep deadline (ms). */
    struct thread *next;        /**< Run/wait/sleep queue link. */
    struct thread *all_next;    /**< All-threads list link. */
    struct wait_queue *waiting; /**< The queue it is blocked on. */
    struct thread *joiner;      /**< Thread blocked in thread_join() on us. */
    void *owner;                /**< The layer above's state (a process), or NULL. */
    uint32_t cpu;               /**< CPU it runs on, is queued on, or last ran on. */
    uint64_t affinity;          /**< CPUs it may run on (bit i: CPU i); 0: any. */
    uint64_t queued_seq;        /**< When it was queued, in run-queue order (sched/runq.h). */
};

/** @brief Hooks the scheduler needs from below. */
struct sched_config {
    /** @brief Allocate @p size bytes (thread control blocks). */
    void *(*alloc)(size_t size);
    /** @brief Free what alloc() returned. */
    void (*free)(void *p);
    /** @brief Allocate a stack of @p size bytes (guard-paged in the kernel). */
    void *(*stack_alloc)(size_t size);
    /** @brief Free a stack. */
    void (*stack_free)(void *base, size_t size);
    /** @brief Halt until an interrupt (idle thread); entered with interrupts on. */
    void (*idle)(void);
    /** @brief Milliseconds since boot (sleeps). */
    uint64_t (*now_ms)(void);
    /**
     * @brief This CPU's number, below SCHED_MAX_CPUS (NULL: one CPU, number 0).
     * @return the number
     */
    unsigned (*cpu_index)(void);
    /**
     * @brief Make CPU @p cpu look at its run queue soon: an IPI that ends its
     * idle halt (NULL: one CPU).
     * @param cpu the CPU
     */
    void (*kick)(unsigned cpu);
    /**
     * @brief Called with interrupts off just before the CPU moves from @p prev
     * to @p next (may be NULL): where the layer above switches the kernel stack
     * for ring-3 entries, the address space, the FS base and the FPU state.
     */
    void (*switch_hook)(struct thread *prev, struct thread *next);
    size_t stack_size;    /**< Stack size for new threads (0: 16 KiB). */
    uint32_t slice_ticks; /**< Time slice in ticks (0: 10). */
};

/**
 * @brief Start the scheduler: the calling context becomes thread 0 ("main"),
 * and the idle thread is created.
 * @param cfg hooks (all required)
 * @return 0, -EINVAL for missing hooks, -ENOMEM
 */
int sched_init(const struct sched_config *cfg);

/**
 * @brief Create a thread and make it runnable.
 * @param name  name (truncated to THREAD_NAME_MAX - 1)
 * @param entry body; returning from it is thread_exit(0)
 * @param arg   passed to @p entry
 * @return the thread, or NULL when memory ran out
 */
struct thread *thread_create(const char *name, void (*entry)(void *arg), void *arg);

/**
 * @brief thread_create() with a stack of @p stack_size bytes (0: the default).
 * @param name       name
 * @param entry      body
 * @param arg        passed to @p entry
 * @param stack_size bytes of stack
 * @return the thread, or NULL when memory ran out
 */
struct thread *thread_create_stack(const char *name, void (*entry)(void *arg), void *arg,
                                   size_t stack_size);

/** @brief Give the CPU to the next runnable thread, if any. */
void thread_yield(void);

/**
 * @brief End the calling thread. Its stack and control block are freed by
 * thread_join(), or right after it stops running if it is detached.
 * @param code returned to the joiner
 */
__attribute__((noreturn)) void thread_exit(int code);

/**
 * @brief Wait for a thread to exit and free it.
 * @param t    a joinable thread (not detached, not already joined, not self)
 * @param code its exit code (may be NULL)
 * @return 0, or -EINVAL for self, a detached thread or a second joiner
 */
int thread_join(struct thread *t, int *code);

/**
 * @brief Let the thread be freed automatically when it exits.
 * @param t the thread
 */
void thread_detach(struct thread *t);

/**
 * @brief Sleep for at least @p ms milliseconds (at most one tick more).
 * @param ms duration
 */
void thread_sleep_ms(uint64_t ms);

/** @brief The running thread. @return it */
struct thread *thread_current(void);

/**
 * @brief The top of @p t's kernel stack (where ring-3 entries land).
 * @param t a thread created by thread_create() (not the boot thread)
 * @return the address one past the stack's highest byte
 */
static inline uintptr_t thread_stack_top(const struct thread *t)
{
    return (uintptr_t)t->stack + t->stack_size;
}

/**
 * @brief Timer tick (from the PIT interrupt): wake due sleepers, charge the
 * running thread, and request a reschedule when its slice is used up.
 * @param ticks tick count (unused beyond accounting)
 */
void sched_tick(uint64_t ticks);

/**
 * @brief The part of a tick that needs no lock, for CPUs whose tick does not
 * keep the system's time: charge the running thread and the CPU, count down
 * the slice. Call from that CPU's timer interrupt with interrupts off, with
 * or without the big kernel lock; sched_tick() does this too.
 * @return true if the scheduler must run (a slice ended, or another CPU asked
 *         this one to reschedule): take the lock and let sched_preempt() run
 */
bool sched_tick_local(void);

/**
 * @brief On the way out of an interrupt: switch threads if a reschedule was
 * requested and preemption is enabled.
 */
void sched_preempt(void);

/** @brief A line of the `ps` listing. */
struct thread_info {
    uint64_t id;                /**< Thread id. */
    char name[THREAD_NAME_MAX]; /**< Name. */
    enum thread_state state;    /**< State. */
    uint64_t ticks;             /**< CPU ticks. */
    uint32_t cpu;               /**< CPU it runs on, or last ran on. */
    bool idle;                  /**< A CPU's idle thread. */
};

/**
 * @brief Make the calling CPU, newly started, take part in scheduling: the
 * calling context becomes the CPU's idle thread (named @p name), and the CPU
 * runs threads from then on. For application processors, after sched_init()
 * ran on the boot CPU; cfg.cpu_index must tell the CPUs apart.
 * @param name the idle thread's name ("idle1")
 * @return does not return on success; -EINVAL if the CPU is already
 *         scheduling or its number is too large, -ENOMEM
 */
int sched_cpu_enter(const char *name);

/** @brief CPUs taking part in scheduling. @return the count (1 before any AP enters) */
unsigned sched_cpu_count(void);

/**
 * @brief Restrict @p t to the CPUs in @p mask (bit i: CPU i; 0: any CPU). A
 * queued thread moves at once, a running one at its next switch.
 * @param t    the thread
 * @param mask the CPUs
 * @return 0, or -EINVAL if @p mask names no CPU that is scheduling
 */
int thread_set_affinity(struct thread *t, uint64_t mask);

/**
 * @brief Snapshot of every thread: the threads, then each CPU's idle thread.
 * @param out where to write
 * @param max capacity of @p out
 * @return the number of threads (may exceed @p max: only @p max were written)
 */
int sched_snapshot(struct thread_info *out, int max);

/**
 * @brief Name of a state ("ready", "running", ...).
 * @param s the state
 * @return a static string
 */
const char *thread_state_name(enum thread_state s);

/** @brief A CPU's time since it took part in scheduling, in its timer's ticks. */
struct sched_cpu_time {
    /** Ticks that found a thread other than the idle one running (exited ones too). */
    uint64_t busy;
    uint64_t idle; /**< Ticks that found the CPU's idle thread running. */
};

/**
 * @brief The busy and idle time of one CPU, counted at each of its ticks
 * (unlike the threads' own counts, the busy time keeps what exited threads ran).
 * @param cpu the CPU's number
 * @param out where to write
 * @return 0, -EINVAL if @p cpu is not taking part in scheduling
 */
int sched_cpu_time(unsigned cpu, struct sched_cpu_time *out);

/** @brief Context switches so far. @return the count */
uint64_t sched_switch_count(void);

/**
 * @brief Entry point of new threads, called from the context trampoline with
 * interrupts disabled: enables them and runs the thread's body.
 */
__attribute__((noreturn)) void sched_thread_start(void);

/**
 * @brief Prepare a new context that starts in sched_thread_start() on the given
 * stack (switch.S in the kernel, a ucontext in host tests).
 * @param ctx  the context
 * @param base stack base
 * @param size stack size
 */
void sched_context_init(struct sched_context *ctx, void *base, size_t size);

/**
 * @brief Save the current context in @p from and resume @p to.
 * @param from where to save
 * @param to   what to resume
 */
void sched_context_switch(struct sched_context *from, struct sched_context *to);

/**
 * @brief Release a context's resources (nothing in the kernel).
 * @param ctx the context
 */
void sched_context_destroy(struct sched_context *ctx);

#endif
