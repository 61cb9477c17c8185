/*
 * test_sched_smp.c - threads on every CPU: one thread pinned to each CPU
 * adds to counters under a mutex, a semaphore, a spinlock and the big kernel
 * lock alone, with yields at random points, and the totals come out exact;
 * each thread ran only where it was pinned; and a thread that changes its
 * own affinity moves to the CPU it names. Pass with any -smp (with one CPU
 * the pinned threads all run on CPU 0).
 */
#include <arch/cpu.h>
#include <arch/spinlock.h>
#include <k/errno.h>
#include <kernel/ktest.h>
#include <sched/runq.h>
#include <sched/sync.h>
#include <sched/thread.h>

#define ROUNDS 20000

static struct mutex mtx;
static struct semaphore sem;
static struct spinlock spin = SPINLOCK_INIT("ktest-smp");
static volatile uint64_t by_mutex, by_sem, by_spin, by_bkl;
static volatile unsigned wrong_cpu[SCHED_MAX_CPUS], ran_on[SCHED_MAX_CPUS];

static void adder(void *arg)
{
    unsigned want = (unsigned)(uintptr_t)arg;
    for (unsigned i = 0; i < ROUNDS; i++) {
        mutex_lock(&mtx);
        uint64_t v = by_mutex;
        if ((i & 511) == 0)
            thread_yield(); /* let another thread find the mutex taken */
        by_mutex = v + 1;
        mutex_unlock(&mtx);
        semaphore_down(&sem);
        by_sem++;
        semaphore_up(&sem);
        uint64_t f = spin_lock_irqsave(&spin);
        by_spin++;
        spin_unlock_irqrestore(&spin, f);
        by_bkl++; /* kernel code: one CPU at a time */
        if (cpu_index() != want)
            wrong_cpu[want]++;
    }
    ran_on[want] = cpu_index() + 1;
}

KTEST(smp_counters_exact_with_a_thread_pinned_to_each_cpu)
{
    unsigned n = sched_cpu_count();
    KT_ASSERT(n >= 1 && n <= SCHED_MAX_CPUS);
    mutex_init(&mtx);
    semaphore_init(&sem, 1);
    by_mutex = by_sem = by_spin = by_bkl = 0;
    struct thread *t[SCHED_MAX_CPUS];
    for (unsigned c = 0; c < n; c++) {
        wrong_cpu[c] = ran_on[c] = 0;
        t[c] = thread_create("smp-add", adder, (void *)(uintptr_t)c);
        KT_ASSERT(t[c] != NULL);
        KT_ASSERT_EQ(thread_set_affinity(t[c], 1ull << c), 0);
    }
    for (unsigned c = 0; c < n; c++)
        KT_ASSERT_EQ(thread_join(t[c], NULL), 0);
    uint64_t want = (uint64_t)n * ROUNDS;
    KT_ASSERT_EQ(by_mutex, want);
    KT_ASSERT_EQ(by_sem, want);
    KT_ASSERT_EQ(by_spin, want);
    KT_ASSERT_EQ(by_bkl, want);
    for (unsigned c = 0; c < n; c++) {
        KT_ASSERT_EQ(wrong_cpu[c], 0);
        KT_ASSERT_EQ(ran_on[c], c + 1);
    }
}

static volatile unsigned before, after;

static void mover(void *arg)
{
    unsigned to = (unsigned)(uintptr_t)arg;
    before = cpu_index() + 1;
    thread_set_affinity(thread_current(), 1ull << to);
    thread_yield(); /* the switch moves it */
    after = cpu_index() + 1;
}

KTEST(smp_a_thread_moves_where_its_affinity_says)
{
    unsigned n = sched_cpu_count();
    unsigned from = n > 1 ? 1 : 0, to = 0;
    before = after = 0;
    struct thread *t = thread_create("smp-move", mover, (void *)(uintptr_t)to);
    KT_ASSERT(t != NULL);
    KT_ASSERT_EQ(thread_set_affinity(t, 1ull << from), 0);
    KT_ASSERT_EQ(thread_join(t, NULL), 0);
    KT_ASSERT_EQ(before, from + 1);
    KT_ASSERT_EQ(after, to + 1);
    if (n < SCHED_MAX_CPUS) /* a CPU that does not schedule */
        KT_ASSERT_EQ(thread_set_affinity(thread_current(), 1ull << (SCHED_MAX_CPUS - 1)), -EINVAL);
}
