/*
 * bkl.c - the big kernel lock and kernel TLB shootdowns (arch/bkl.h).
 *
 * Layer: libarch, under the trap and system-call entries that take the lock.
 * The lock is a ticket lock of its own rather than a struct spinlock: it is
 * held across context switches and while user code runs elsewhere, so it must
 * not count as a spinlock for preemption or for the lock-order checker.
 *
 * Shootdowns: a change to a kernel mapping bumps a generation; the changing
 * CPU sends every other CPU that is online (or has taken the lock) the
 * shootdown IPI and waits until each has flushed up to that generation. A
 * CPU flushes in the IPI's handler (lockless: it may be running user code,
 * halting, or in any handler), while it spins for the lock with interrupts
 * off (so the holder never waits for a CPU that waits for it), and on taking
 * the lock (a catch-up that costs nothing when nothing changed).
 *
 * Idle waiters: a CPU that fails to take the lock from its idle loop halts.
 * So that it is not left halted until its next tick once the lock is free, it
 * first sets its bit in `idle_waiting` and only then tries; the holder gives
 * the lock back and only then looks at the bits, with a full fence on both
 * sides, so at least one of them sees the other: the try succeeds, or the
 * release wakes the CPU (an interrupt that arrives before the halt ends it
 * at once).
 *
 * Locking: the lock word is shared, changed with atomic operations (only the
 * holder advances its served half). Each CPU's slot of `cpus` is written only
 * by that CPU, and read by a shootdown's sender. `idle_waiting` and
 * `kernel_gen` are shared, changed with atomic operations. Of `stats`,
 * acquired, contended and shootdowns are counted by the holder; flushes,
 * idle_waits and idle_wakes are counted without the lock (in a shootdown's
 * handler, before an idle halt, after a release), so atomically.
 * arch_bkl_get_stats() copies without the lock: each counter is one aligned
 * word, the copy a snapshot. `send_ipi` is set at boot; `wake_cpu` when the
 * first application processor comes online (atomically: the holder reads it
 * at every release).
 */
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <arch/panic.h>
#include <arch/percpu.h>

#define CR4_PGE (1ull << 7)

static volatile uint32_t word; /* low half: ticket served; high half: next ticket */
static volatile uint64_t kernel_gen;
static volatile uint64_t idle_waiting; /* CPUs halted in arch_bkl_lock_idle() */
_Static_assert(ARCH_MAX_CPUS <= 64, "idle_waiting has a bit per CPU");
static void (*wake_cpu)(unsigned cpu);
static struct arch_bkl_stats stats;

static void (*send_ipi)(uint32_t cpu); /* the shootdown IPI, once there are CPUs to send to */

static struct {
    bool held;
    bool active;           /* has taken the lock: it may cache kernel mappings */
    volatile uint64_t gen; /* the kernel mappings' generation this CPU's TLB reflects */
} cpus[ARCH_MAX_CPUS];

/* Re-send a shootdown IPI after this many pauses without an answer (a lost
 * or refused send must not hang the sender). */
#define RESEND_SPINS 1000000u

/* Flush every TLB entry, global ones too: toggling CR4.PGE does that. */
static void flush_all(void)
{
    uint64_t cr4 = read_cr4();
    if (cr4 & CR4_PGE) {
        write_cr4(cr4 & ~CR4_PGE);
        write_cr4(cr4);
    } else {
        write_cr3(read_cr3());
    }
}

/* Catch up with the kernel mappings: flush if the generation moved since this
 * CPU last looked, then say so (a shootdown's sender waits for that). */
static void catch_up(uint32_t me)
{
    uint64_t g = __atomic_load_n(&kernel_gen, __ATOMIC_ACQUIRE);
    if (cpus[me].gen != g) {
        flush_all();
        __atomic_store_n(&cpus[me].gen, g, __ATOMIC_RELEASE);
        __atomic_add_fetch(&stats.flushes, 1, __ATOMIC_RELAXED);
    }
}

/* This CPU now holds the lock: count it, and catch up with kernel mappings. */
static void taken(uint32_t me, bool waited)
{
    cpus[me].held = true;
    cpus[me].active = true;
    stats.acquired++;
    stats.contended += waited;
    catch_up(me);
}

void arch_bkl_lock(void)
{
    uint32_t me = cpu_index();
    assert(!cpus[me].held);
    uint32_t w = __atomic_fetch_add(&word, 1u << 16, __ATOMIC_ACQUIRE);
    uint16_t ticket = (uint16_t)(w >> 16);
    bool waited = false;
    while ((uint16_t)__atomic_load_n(&word, __ATOMIC_ACQUIRE) != ticket) {
        waited = true;
        /* Interrupts are off: answer the holder's shootdown from here. */
        catch_up(me);
        cpu_pause();
    }
    taken(me, waited);
}

bool arch_bkl_trylock(void)
{
    uint32_t me = cpu_index();
    assert(!cpus[me].held);
    uint32_t w = __atomic_load_n(&word, __ATOMIC_RELAXED);
    if ((w >> 16) != (w & 0xffff) ||
        !__atomic_compare_exchange_n(&word, &w, w + (1u << 16), false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED))
        return false;
    taken(me, false);
    return true;
}

void arch_bkl_lock_idle(void)
{
    uint64_t bit = 1ull << cpu_index();
    for (;;) {
        cpu_cli();
        __atomic_fetch_or(&idle_waiting, bit, __ATOMIC_SEQ_CST);
        if (arch_bkl_trylock()) {
            __atomic_fetch_and(&idle_waiting, ~bit, __ATOMIC_RELAXED);
            return;
        }
        /* Halt until the next interrupt (the CPU's tick, an IPI): an idle
         * CPU spinning would take time from the others under emulation.
         * No ticket is held here, so the interrupt may take the lock. */
        __atomic_add_fetch(&stats.idle_waits, 1, __ATOMIC_RELAXED); /* no lock held */
        cpu_sti_hlt();
    }
}

void arch_bkl_unlock(void)
{
    uint32_t me = cpu_index();
    assert(cpus[me].held);
    cpus[me].held = false;
    /* Only the holder writes the served half. */
    volatile uint16_t *served = (volatile uint16_t *)&word;
    __atomic_store_n(served, (uint16_t)(*served + 1), __ATOMIC_RELEASE);
    void (*wake)(unsigned) = __atomic_load_n(&wake_cpu, __ATOMIC_RELAXED);
    if (!wake)
        return; /* one CPU: no fence on every return to user mode */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t waiting = __atomic_load_n(&idle_waiting, __ATOMIC_RELAXED) & ~(1ull << me);
    if (waiting) {
        /* One is enough: it takes the lock, and wakes the next when it
         * gives it back. Its bit is cleared so that releases until then
         * do not wake it again; it sets it before its next try. */
        unsigned cpu = (unsigned)__builtin_ctzll(waiting);
        __atomic_fetch_and(&idle_waiting, ~(1ull << cpu), __ATOMIC_RELAXED);
        __atomic_add_fetch(&stats.idle_wakes, 1, __ATOMIC_RELAXED); /* the lock is given back */
        wake(cpu);
    }
}

void arch_bkl_set_wake(void (*wake)(unsigned cpu))
{
    __atomic_store_n(&wake_cpu, wake, __ATOMIC_SEQ_CST);
}

bool arch_bkl_held(void)
{
    return cpus[cpu_index()].held;
}

bool arch_bkl_enter(void)
{
    if (cpus[cpu_index()].held)
        return false;
    arch_bkl_lock();
    return true;
}

void arch_bkl_exit(bool took)
{
    if (took)
        arch_bkl_unlock();
}

/* Must @p cpu still flush up to @p g? Only a CPU that may cache kernel
 * mappings: one that is online (it runs lockless handlers before it ever
 * gets the lock) or has taken the lock. */
static bool behind(uint32_t cpu, uint64_t g)
{
    bool up = __atomic_load_n(&arch_cpus[cpu].online, __ATOMIC_ACQUIRE) || cpus[cpu].active;
    return up && __atomic_load_n(&cpus[cpu].gen, __ATOMIC_ACQUIRE) < g;
}

void arch_tlb_kernel_changed(void)
{
    uint32_t me = cpu_index();
    uint64_t g = __atomic_add_fetch(&kernel_gen, 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(&cpus[me].gen, g, __ATOMIC_RELEASE); /* the caller flushed its own entry */
    if (!send_ipi)
        return;
    for (uint32_t c = 0; c < ARCH_MAX_CPUS; c++) {
        if (c == me || !behind(c, g))
            continue;
        send_ipi(c);
        stats.shootdowns++;
        for (uint32_t spins = 0; behind(c, g); spins++) {
            if (spins == RESEND_SPINS) {
                send_ipi(c);
                spins = 0;
            }
            cpu_pause();
        }
    }
}

void arch_tlb_shootdown_irq(void)
{
    catch_up(cpu_index());
}

void arch_tlb_set_shootdown(void (*send)(uint32_t cpu))
{
    send_ipi = send;
}

void arch_bkl_get_stats(struct arch_bkl_stats *out)
{
    *out = stats;
}
