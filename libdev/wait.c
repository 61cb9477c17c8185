/*
 * wait.c - the default bounded polling waiter (dev/wait.h).
 *
 * Layer: used by drivers until the scheduler provides a sleeping waiter.
 * The deadline comes from timer_uptime_ms(); since the timer may not run yet
 * (early boot, interrupts off, host tests) a spin bound ends the wait too, so it
 * can never hang. HLT is used only when interrupts are on (otherwise it would
 * never wake), and entered with STI;HLT so a wakeup cannot be missed.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/timer.h>
#include <dev/wait.h>
#include <stddef.h>

/* ~10 s of PAUSE on current CPUs; only matters when the timer is not running. */
#define DEV_WAIT_DEFAULT_SPINS (1ull << 28)

int dev_wait_poll(void *ctx, bool (*done)(void *arg), void *arg, uint32_t timeout_ms)
{
    struct dev_poll_waiter *w = ctx;
    uint64_t max = w && w->max_spins ? w->max_spins : DEV_WAIT_DEFAULT_SPINS;
    uint64_t start = timer_uptime_ms();
    for (uint64_t spins = 0;; spins++) {
        if (done(arg))
            return 0;
        if (spins >= max || timer_uptime_ms() - start > timeout_ms)
            return -ETIMEDOUT;
        if (w)
            w->spins++;
        if (w && w->use_hlt && (cpu_read_rflags() & CPU_RFLAGS_IF)) {
            /* Check once more with interrupts off, then enable them and halt in
             * one step: a completion interrupt arriving in between still ends
             * this HLT instead of leaving us asleep until the next tick. */
            cpu_cli();
            if (done(arg)) {
                cpu_sti();
                return 0;
            }
            cpu_sti_hlt();
        } else {
            cpu_pause();
        }
    }
}
