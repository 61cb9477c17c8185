/*
 * timer.c - PIT channel 0 as the system tick (arch/timer.h).
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
