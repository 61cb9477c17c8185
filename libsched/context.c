/*
 * context.c - build a new thread's first context for switch.S. Kernel only.
 */
#include <sched/thread.h>

void sched_context_start(void); /* switch.S */

void sched_context_init(struct sched_context *ctx, void *base, size_t size)
{
    /* Below the 16-byte aligned top: the return address and six zeroed
     * registers that sched_context_switch pops (r15 r14 r13 r12 rbx rbp). Its
     * `ret` leaves RSP at the aligned top, so the call in sched_context_start
     * gives sched_thread_start the ABI's entry alignment. */
    uint64_t *sp = (uint64_t *)(((uintptr_t)base + size) & ~(uintptr_t)15);
    *--sp = (uint64_t)(uintptr_t)sched_context_start;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    ctx->rsp = (uintptr_t)sp;
    ctx->impl = NULL;
}

void sched_context_destroy(struct sched_context *ctx)
{
    (void)ctx;
}
