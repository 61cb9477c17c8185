/*
 * timer.c - the system tick (PIT channel 0, or the boot CPU's local APIC timer
 * in APIC mode), and the TSC as the clock, as measured against PIT channel 2
 * (arch/timer.h).
 *
 * Why two: the tick drives scheduling and sleeps, but counting ticks makes a
 * poor clock under emulation, where interrupts are dropped when the host is
 * busy (QEMU TCG lost 25-55% of them in a benchmark). The TSC keeps time with
 * the host, and reading the PIT counter, unlike taking its interrupt, is
 * exact.
 */
#include <arch/apic.h>
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <arch/trap.h>

static volatile uint64_t ticks;
/* A tick lasts period_num / period_den seconds. Start: what the BIOS leaves
 * the PIT at, ~18.2 Hz. */
static uint64_t period_num = 65536, period_den = PIT_BASE_HZ;
static const char *source = "PIT";
static uint64_t apic_ticks;
static timer_tick_fn tick_hook;
static bool (*cpu_tick_hook)(void);
static uint32_t apic_count; /* the local timers' initial count, 0 when the PIT ticks */
static void (*sleep_hook)(uint64_t ms);

void timer_tick(void)
{
    uint64_t t = __atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
    if (tick_hook)
        tick_hook(t);
}

static void pit_irq(void *ctx, struct trap_frame *tf)
{
    (void)ctx;
    (void)tf;
    timer_tick();
}

uint32_t pit_init(uint32_t hz)
{
    if (hz == 0)
        hz = PIT_DEFAULT_HZ;
    uint32_t d = (PIT_BASE_HZ + hz / 2) / hz;
    if (d < 1)
        d = 1;
    if (d > 65536)
        d = 65536;
    period_num = d;
    period_den = PIT_BASE_HZ;
    source = "PIT";
    ticks = 0;
    /* channel 0, lobyte/hibyte, mode 2 (rate generator), binary; 65536 is written as 0 */
    outb(PIT_CMD_PORT, 0x34);
    outb(PIT_CH0_PORT, (uint8_t)(d & 0xff));
    outb(PIT_CH0_PORT, (uint8_t)((d >> 8) & 0xff));
    irq_set_handler(PIT_IRQ, pit_irq, NULL);
    irq_unmask(PIT_IRQ);
    return d;
}

/* The local timer's handler: the boot CPU's interrupts are the system tick;
 * another CPU's did their work in apic_timer_trap() (its hook), and come here
 * only for the way out (the exit hook preempts). */
static void apic_timer_irq(void *ctx, struct trap_frame *tf)
{
    (void)ctx;
    (void)tf;
    if (cpu_index() == 0) {
        apic_ticks++;
        timer_tick();
    }
}

int timer_apic_start_this_cpu(void)
{
    if (!apic_count)
        return -ENODEV;
    apic_timer_start(apic_count, APIC_TIMER_VECTOR);
    return 0;
}

void timer_set_cpu_tick_hook(bool (*hook)(void))
{
    cpu_tick_hook = hook;
}

/*
 * The local timer's vector runs without the big kernel lock (arch/bkl.h)
 * and takes it here. The boot CPU's tick always waits for it. Another CPU's
 * tick first runs its hook without it (the CPU's own accounting), and takes
 * the lock only when the hook asks for the scheduler, and only if it is
 * free: a CPU stuck in its timer handler, waiting with interrupts off, could
 * not take the IPIs that the lock's holder may be waiting for. A tick that
 * finds it taken leaves the request standing for the next. So CPUs running
 * user code meet at the lock once per time slice, not once per tick.
 */
static void apic_timer_trap(struct trap_frame *tf)
{
    bool took;
    if (cpu_index() == 0) {
        took = arch_bkl_enter();
    } else if (!cpu_tick_hook || !cpu_tick_hook()) {
        apic_eoi();
        return;
    } else if (arch_bkl_held()) {
        took = false;
    } else if (arch_bkl_trylock()) {
        took = true;
    } else {
        apic_eoi();
        return;
    }
    irq_run_handler(apic_timer_irq, NULL, tf, apic_eoi);
    /* Back to user mode the lock goes with trap_dispatch(); to kernel code
     * it goes here if this handler took it (a switch in between keeps it
     * with the CPU, as trap_dispatch() explains). */
    if ((tf->cs & 3) != 3 && took)
        arch_bkl_unlock();
}

int timer_apic_init(uint32_t hz)
{
    if (hz == 0)
        hz = PIT_DEFAULT_HZ;
    if (hz > 100000)
        hz = 100000;
    uint32_t per_ms = apic_timer_calibrate(timer_tsc_per_ms(), 10);
    if (!per_ms)
        return -ENODEV;
    uint32_t count = apic_timer_count_for(per_ms, hz);
    uint64_t f = cpu_irq_save();
    period_num = count;
    period_den = (uint64_t)per_ms * 1000;
    source = "local APIC timer";
    ticks = 0;
    trap_set_handler(APIC_TIMER_VECTOR, apic_timer_trap);
    trap_set_lockless(APIC_TIMER_VECTOR);
    apic_count = count;
    apic_timer_start(count, APIC_TIMER_VECTOR);
    cpu_irq_restore(f);
    return (int)per_ms;
}

const char *timer_source(void)
{
    return source;
}

uint64_t timer_rate_mhz(void)
{
    return period_den * 1000 / period_num;
}

uint64_t timer_ticks(void)
{
    return __atomic_load_n(&ticks, __ATOMIC_RELAXED);
}

uint64_t timer_uptime_ms(void)
{
    /* ticks * (divisor / PIT_BASE_HZ) seconds, in ms, without losing precision */
    return timer_ticks() * period_num * 1000 / period_den;
}

timer_tick_fn timer_set_tick_hook(timer_tick_fn hook)
{
    uint64_t f = cpu_irq_save();
    timer_tick_fn old = tick_hook;
    tick_hook = hook;
    cpu_irq_restore(f);
    return old;
}

void timer_set_sleep_hook(void (*hook)(uint64_t))
{
    sleep_hook = hook;
}

int timer_sleep_ms(uint64_t ms)
{
    if (!(cpu_read_rflags() & CPU_RFLAGS_IF))
        return -EINVAL;
    if (sleep_hook) {
        sleep_hook(ms);
        return 0;
    }
    /* Round up to whole ticks, plus one: the current tick is already partly gone. */
    uint64_t per_tick_us = period_num * 1000000 / period_den;
    if (per_tick_us == 0)
        per_tick_us = 1;
    uint64_t wait = (ms * 1000 + per_tick_us - 1) / per_tick_us + 1;
    uint64_t end = timer_ticks() + wait;
    while (timer_ticks() < end)
        cpu_hlt();
    return 0;
}

#define PIT_CH2_PORT  0x42
#define PIT_GATE_PORT 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */

static uint64_t tsc_per_ms, tsc_zero;

/* One measurement over @p ms of PIT channel 2: TSC cycles per millisecond,
 * from the middle of the interval in which the count started to the middle of
 * the one in which the output was seen to rise (mode 0 raises it at zero).
 * *spread is the width of those two intervals in cycles: how far off the
 * result may be. Under emulation it is wide when the virtual CPU did not run
 * as the PIT expired (both clocks follow the host's, so only the edges
 * matter). 0 if the output never rose; the wait is bounded by reads, not
 * time: there is no clock yet. */
static uint64_t measure(uint32_t ms, uint64_t *spread)
{
    uint32_t count = PIT_BASE_HZ / 1000 * ms; /* at most 59,650: fits 16 bits */
    uint8_t gate = inb(PIT_GATE_PORT);
    outb(PIT_GATE_PORT, (uint8_t)((gate & ~0x02) | 0x01)); /* gate on, speaker off */
    outb(PIT_CMD_PORT, 0xb0); /* channel 2, lobyte/hibyte, mode 0 (count down once), binary */
    outb(PIT_CH2_PORT, (uint8_t)count);
    uint64_t t0 = rdtsc();
    outb(PIT_CH2_PORT, (uint8_t)(count >> 8)); /* the count starts with its high byte */
    uint64_t t1 = rdtsc(), before = t1, after = 0;
    for (uint32_t i = 0; i < 100000000u; i++) {
        uint64_t t = rdtsc();
        if (inb(PIT_GATE_PORT) & 0x20) {
            after = rdtsc();
            break;
        }
        before = t; /* the output was still low after this */
    }
    outb(PIT_GATE_PORT, gate);
    *spread = (t1 - t0) + (after - before);
    uint64_t start = t0 + (t1 - t0) / 2, end = before + (after - before) / 2;
    return after && end > start ? (end - start) / ms : 0;
}

uint64_t timer_calibrate_tsc(uint32_t ms)
{
    if (ms < 1 || ms > 50)
        return 0;
    uint64_t spread;
    return measure(ms, &spread);
}

/* Boot-time calibration: measurements of TSC_SAMPLE_MS, at most
 * TSC_SAMPLES_MAX, until one is good to 0.1% (its spread at most a
 * thousandth of the interval); else the one with the smallest spread. One
 * long measurement instead (20 ms, as before) cost the boot 20 ms and was
 * still 5-40% off whenever QEMU's CPU thread was descheduled as the PIT
 * expired, which on a loaded host is most of the time. */
#define TSC_SAMPLE_MS   5
#define TSC_SAMPLES_MAX 6

uint64_t timer_tsc_init(void)
{
    uint64_t best = 0, best_spread = UINT64_MAX;
    for (int i = 0; i < TSC_SAMPLES_MAX; i++) {
        uint64_t spread, r = measure(TSC_SAMPLE_MS, &spread);
        if (!r)
            break; /* no PIT channel 2: do not wait again */
        if (spread < best_spread) {
            best = r;
            best_spread = spread;
        }
        if (spread * 1000 <= r * TSC_SAMPLE_MS)
            break;
    }
    tsc_per_ms = best;
    tsc_zero = rdtsc();
    return tsc_per_ms;
}

uint64_t timer_now_ns(void)
{
    if (!tsc_per_ms)
        return timer_uptime_ms() * 1000000ull;
    uint64_t c = rdtsc() - tsc_zero;
    /* Split to keep c * 1e6 from overflowing: whole ms, then the rest. */
    return c / tsc_per_ms * 1000000ull + c % tsc_per_ms * 1000000ull / tsc_per_ms;
}

uint64_t timer_tsc_per_ms(void)
{
    return tsc_per_ms;
}

static int64_t epoch_at_zero;
static int epoch_set;

void timer_set_epoch(int64_t epoch)
{
    epoch_at_zero = epoch;
    epoch_set = 1;
}

uint64_t timer_realtime_s(void)
{
    return (uint64_t)(epoch_at_zero + (int64_t)(timer_now_ns() / 1000000000u));
}

uint64_t timer_epoch(void)
{
    return (uint64_t)epoch_at_zero;
}

int timer_has_epoch(void)
{
    return epoch_set;
}
