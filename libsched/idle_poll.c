/*
 * idle_poll.c - the idle CPU's poll window (sched/idle_poll.h).
 *
 * Layer: pure policy in libsched; the kernel's idle thread feeds it the
 * length of each idle period and asks it for the next window.
 * Locking: none; one struct per CPU, used by that CPU with interrupts off.
 */
#include <sched/idle_poll.h>
#include <string.h>

void idle_poll_init(struct idle_poll *p, uint64_t max_ns)
{
    memset(p, 0, sizeof(*p));
    p->max_ns = max_ns;
}

uint64_t idle_poll_window(const struct idle_poll *p)
{
    return p->window_ns < p->max_ns ? p->window_ns : p->max_ns;
}

void idle_poll_done(struct idle_poll *p, bool polled, bool hit, uint64_t blocked_ns)
{
    if (polled) {
        p->polls++;
        if (hit) {
            p->hits++;
            return; /* the window was long enough */
        }
    }
    if (!p->max_ns)
        return;
    if (blocked_ns <= p->max_ns) {
        /* Short: the interrupt came soon after the poll gave up. */
        uint64_t w = p->window_ns * 2;
        if (w < IDLE_POLL_GROW_START_NS)
            w = IDLE_POLL_GROW_START_NS;
        if (w > p->max_ns)
            w = p->max_ns;
        if (w != p->window_ns)
            p->grows++;
        p->window_ns = w;
    } else if (p->window_ns) {
        /* Long: nothing was coming; polling only took the host's CPU. */
        p->window_ns /= 2;
        if (p->window_ns < IDLE_POLL_GROW_START_NS)
            p->window_ns = 0;
        p->shrinks++;
    }
}
