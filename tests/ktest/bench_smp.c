/*
 * bench_smp.c - in-kernel benchmarks of scheduling across CPUs: how long a
 * wake-up takes to reach a thread on another CPU, and a ping-pong of two
 * threads through two semaphores, on one CPU and across two.
 *
 * The boot thread (pinned to CPU 0) and a thread pinned to CPU @c take turns:
 * the boot thread reads the TSC and ups `ping`; the other thread, blocked in
 * semaphore_down(&ping), reads the TSC as soon as it runs and ups `pong`, on
 * which the boot thread waits. Reported per round: the round trip (two
 * wake-ups and the switches they cause) and the wake-up alone (from the up to
 * the woken thread running). With c = 0 both run on CPU 0, a plain context
 * switch; with c = 1 the wake-up crosses CPUs: an IPI to an idle CPU, which
 * leaves its halt and takes the big kernel lock when the waker lets it go
 * (docs/architecture.md). QEMU gives every virtual CPU the same TSC, so the
 * two readings compare. With one CPU only the first pair is reported.
 */
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <k/kprintf.h>
#include <kernel/kbench.h>
#include <sched/sync.h>
#include <sched/thread.h>

#define PP_WARMUP 20   /* rounds before timing: the thread reaches its CPU */
#define PP_ROUNDS 2000 /* timed rounds */

static struct semaphore ping, pong;
static volatile uint64_t woke_tsc;

static void ponger(void *arg)
{
    (void)arg;
    for (int i = 0; i < PP_WARMUP + PP_ROUNDS; i++) {
        semaphore_down(&ping);
        woke_tsc = rdtsc();
        semaphore_up(&pong);
    }
}

/* One ping-pong against a thread pinned to @cpu; reports NAME_round_trip and
 * NAME_wake in nanoseconds. */
static void pingpong(unsigned cpu, const char *round_trip, const char *wake_name)
{
    semaphore_init(&ping, 0);
    semaphore_init(&pong, 0);
    struct thread *t = thread_create("ponger", ponger, NULL);
    if (!t || thread_set_affinity(t, 1ull << cpu)) {
        kprintf("kbench: %s: no thread on CPU %u\n", round_trip, cpu);
        if (t) {
            for (int i = 0; i < PP_WARMUP + PP_ROUNDS; i++)
                semaphore_up(&ping); /* let it finish */
            thread_join(t, NULL);
        }
        return;
    }
    for (int i = 0; i < PP_WARMUP; i++) {
        semaphore_up(&ping);
        semaphore_down(&pong);
    }
    uint64_t wake = 0, c0 = rdtsc();
    for (int i = 0; i < PP_ROUNDS; i++) {
        uint64_t t0 = rdtsc();
        semaphore_up(&ping);
        semaphore_down(&pong);
        wake += woke_tsc - t0;
    }
    uint64_t cycles = rdtsc() - c0;
    thread_join(t, NULL);
    kbench_report(round_trip, kbench_cycles_to_ns(cycles / PP_ROUNDS), "ns");
    kbench_report(wake_name, kbench_cycles_to_ns(wake / PP_ROUNDS), "ns");
}

KBENCH(smp_wakeup_latency)
{
    /* The other CPUs join the scheduler once this one first lets go of the
     * big kernel lock; right after boot that may not have happened yet. */
    uint32_t ids[ARCH_MAX_CPUS];
    unsigned online = arch_cpus_online(ids, ARCH_MAX_CPUS);
    for (int ms = 0; ms < 1000 && sched_cpu_count() < online; ms++)
        thread_sleep_ms(1);
    pingpong(0, "smp_same_cpu_round_trip", "smp_same_cpu_wake");
    if (sched_cpu_count() < 2) {
        kprintf("kbench: smp_cross_cpu: one CPU, nothing to cross\n");
        return;
    }
    pingpong(1, "smp_cross_cpu_round_trip", "smp_cross_cpu_wake");
}
