/*
 * sched_asan_fiber.c - tell AddressSanitizer about the scheduler's stack
 * switches in host tests.
 *
 * The tests run the kernel's real context switch (libsched/switch.S). ASan
 * needs to be told when execution moves to another stack, or it reports false
 * errors. The test runner is linked with --wrap for the two entry points, so
 * these wrappers annotate each switch and then call the real code.
 */
#include <sanitizer/common_interface_defs.h>
#include <sched/thread.h>
#include <stddef.h>

void __real_sched_context_switch(struct sched_context *from, struct sched_context *to);
void __wrap_sched_context_switch(struct sched_context *from, struct sched_context *to);
void __real_sched_thread_start(void);
void __wrap_sched_thread_start(void);

#define THREAD_OF(c) ((struct thread *)((char *)(c)-offsetof(struct thread, ctx)))

/* The boot thread runs on the process stack, whose bounds ASan tells us. */
static const void *boot_bottom;
static size_t boot_size;

static void finish(void *fake)
{
    const void *bottom;
    size_t size;
    __sanitizer_finish_switch_fiber(fake, &bottom, &size);
    if (!boot_bottom && bottom) {
        boot_bottom = bottom; /* the first switch always leaves the boot thread */
        boot_size = size;
    }
}

void __wrap_sched_context_switch(struct sched_context *from, struct sched_context *to)
{
    struct thread *t = THREAD_OF(to);
    const void *bottom = t->stack ? t->stack : boot_bottom;
    size_t size = t->stack ? t->stack_size : boot_size;
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, bottom, size);
    __real_sched_context_switch(from, to);
    finish(fake);
}

void __wrap_sched_thread_start(void)
{
    finish(NULL);
    __real_sched_thread_start();
}
