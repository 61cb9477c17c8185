/*
 * timer.c - PIT channel 0 as the system tick, and the TSC as the clock, as
 * measured against PIT channel 2 (arch/timer.h).
 *
 * Why two: the tick drives scheduling and sleeps, but counting ticks makes a
 * poor clock under emulation, where interrupts are dropped when the host is
 * busy (QEMU TCG lost 25-55% of them in a benchmark). The TSC keeps time with
 * the host, and reading the PIT counter, unlike taking its interrupt, is
 * exact.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/pic.h>
#include <arch/timer.h>

static volatile uint64_t ticks;
static uint32_t divisor = 65536; /* what the BIOS leaves: ~18.2 Hz */
static timer_tick_fn tick_hook;
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
    divisor = d;
    ticks = 0;
    /* channel 0, lobyte/hibyte, mode 2 (rate generator), binary; 65536 is written as 0 */
    outb(PIT_CMD_PORT, 0x34);
    outb(PIT_CH0_PORT, (uint8_t)(d & 0xff));
    outb(PIT_CH0_PORT, (uint8_t)((d >> 8) & 0xff));
    irq_set_handler(PIT_IRQ, pit_irq, NULL);
    pic_unmask(PIT_IRQ);
    return d;
}

uint64_t timer_rate_mhz(void)
{
    return (uint64_t)PIT_BASE_HZ * 1000 / divisor;
}

uint64_t timer_ticks(void)
{
    return __atomic_load_n(&ticks, __ATOMIC_RELAXED);
}

uint64_t timer_uptime_ms(void)
{
    /* ticks * (divisor / PIT_BASE_HZ) seconds, in ms, without losing precision */
    return timer_ticks() * divisor * 1000 / PIT_BASE_HZ;
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
    uint64_t per_tick_us = (uint64_t)divisor * 1000000 / PIT_BASE_HZ;
    uint64_t wait = (ms * 1000 + per_tick_us - 1) / per_tick_us + 1;
    uint64_t end = timer_ticks() + wait;
    while (timer_ticks() < end)
        cpu_hlt();
    return 0;
}

#define PIT_CH2_PORT  0x42
#define PIT_GATE_PORT 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */

static uint64_t tsc_per_ms, tsc_zero;

uint64_t timer_calibrate_tsc(uint32_t ms)
{
    if (ms < 1 || ms > 50)
        return 0;
    uint32_t count = PIT_BASE_HZ / 1000 * ms; /* at most 59,650: fits 16 bits */
    uint8_t gate = inb(PIT_GATE_PORT);
    outb(PIT_GATE_PORT, (uint8_t)((gate & ~0x02) | 0x01)); /* gate on, speaker off */
    outb(PIT_CMD_PORT, 0xb0); /* channel 2, lobyte/hibyte, mode 0 (count down once), binary */
    outb(PIT_CH2_PORT, (uint8_t)count);
    outb(PIT_CH2_PORT, (uint8_t)(count >> 8));
    uint64_t start = rdtsc(), end = 0;
    /* Mode 0's output goes high when the count reaches zero. Bound the wait
     * by reads, not time: there is no clock yet. */
    for (uint32_t i = 0; i < 100000000u; i++) {
        if (inb(PIT_GATE_PORT) & 0x20) {
            end = rdtsc();
            break;
        }
    }
    outb(PIT_GATE_PORT, gate);
    return end > start ? (end - start) / ms : 0;
}

uint64_t timer_tsc_init(void)
{
    tsc_per_ms = timer_calibrate_tsc(20);
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
