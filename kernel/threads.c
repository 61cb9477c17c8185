/*
 * threads.c - wire libsched to libmm, the PIT and the keyboard (kernel/threads.h).
 *
 * Locking: the executor, the timer queue and the keyboard event have their own
 * spinlocks (sched/executor.h, sched/async.h); `exec_wakeups` is a semaphore
 * (sched/sync.h). The hooks are installed once, with interrupts off, before
 * another CPU schedules. The idle hook gives the big kernel lock back for the
 * halt and takes it again (arch_bkl_lock_idle()) before the scheduler looks
 * for work; an application processor takes it before it enters the scheduler.
 * Each CPU's idle poll window is its own, used with interrupts off.
 */
#include <arch/apic.h>
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <k/errno.h>
#include <k/klog.h>
#include <k/kprintf.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <kernel/devices.h>
#include <kernel/threads.h>
#include <proc/proc.h>
#include <mm/mm.h>
#include <sched/idle_poll.h>
#include <sched/sync.h>
#include <sched/thread.h>

#define PAGE_SIZE 4096
#define SLICE_MS  10 /* a thread's time slice, rounded to whole ticks */

static struct executor kexec;
static struct timer_queue ktimers;
static struct async_event kbd_event;
static struct semaphore exec_wakeups;

static void *stack_alloc(size_t size)
{
    struct mm_kstack s;
    if (mm_kstack_alloc(mm_kernel_aspace(), mm_kernel_vregion(), size, &s) < 0)
        return NULL;
    return (void *)s.base;
}

static void stack_free(void *base, size_t size)
{
    struct mm_kstack s = { .guard = (uintptr_t)base - PAGE_SIZE,
                           .base = (uintptr_t)base,
                           .top = (uintptr_t)base + size };
    mm_kstack_free(mm_kernel_aspace(), mm_kernel_vregion(), &s);
}

/* Each CPU's idle poll window (sched/idle_poll.h), set up before any CPU idles. */
static struct idle_poll idle_polls[ARCH_MAX_CPUS];
static uint64_t idle_poll_max_ns = IDLE_POLL_DEFAULT_MAX_NS;

/* The idle thread's wait for an interrupt: without the big kernel lock
 * (arch/bkl.h), so the other CPUs can run kernel code meanwhile; taken again
 * before the scheduler looks for work. It spins for the CPU's poll window
 * first, then halts; the idle period's length adapts the window. */
static void idle(void)
{
    struct idle_poll *ip = &idle_polls[cpu_index()];
    cpu_cli();
    arch_bkl_unlock();
    uint64_t start = timer_now_ns();
    uint64_t window = idle_poll_window(ip);
    bool hit = window && arch_idle_poll(window * timer_tsc_per_ms() / 1000000u);
    if (!hit)
        cpu_sti_hlt(); /* the interrupt that ends it has been handled on return */
    cpu_cli();
    idle_poll_done(ip, window != 0, hit, timer_now_ns() - start);
    arch_bkl_lock_idle();
    cpu_sti();
}

void kernel_idle_poll_set(uint32_t max_us)
{
    idle_poll_max_ns = (uint64_t)max_us * 1000u;
}

const struct idle_poll *kernel_idle_poll(unsigned cpu)
{
    return cpu < ARCH_MAX_CPUS ? &idle_polls[cpu] : NULL;
}

static unsigned this_cpu(void)
{
    return cpu_index();
}

/* Wake CPU @p cpu from its idle halt: the wake-up IPI (its handler only
 * counts it; the halt ends and the idle loop looks at the run queues). */
static void kick(unsigned cpu)
{
    apic_send_ipi(arch_cpus[cpu].apic_id, APIC_IPI_VECTOR);
}

/* An application processor's own tick (the local timer's, arch/timer.h):
 * without the big lock, which it takes only when the scheduler must run. */
static bool cpu_tick(void)
{
    return sched_tick_local();
}

/* An application processor, online, with interrupts off: it takes part in
 * scheduling from here on (its idle thread is this context). */
static void ap_enter(void)
{
    char name[THREAD_NAME_MAX];
    ksnprintf(name, sizeof(name), "idle%u", cpu_index());
    timer_apic_start_this_cpu(); /* its ticks also end arch_bkl_lock_idle()'s halts */
    /* A CPU halted for the big lock runs once it is free: only now, so that
     * one CPU alone pays no fence at each release. */
    arch_bkl_set_wake(kick);
    arch_bkl_lock_idle();
    klogf(KLOG_DEBUG, "smp", "CPU %u takes part in scheduling\n", cpu_index());
    int err = sched_cpu_enter(name);
    klogf(KLOG_ERR, "smp", "CPU %u cannot schedule: %s\n", cpu_index(), k_strerror(err));
    arch_bkl_unlock();
    for (;;)
        cpu_sti_hlt();
}

static void tick(uint64_t ticks)
{
    sched_tick(ticks);
    timer_queue_expire(&ktimers);
    kernel_devices_tick(ticks);
}

/* The executor's idle hook: block its thread until a task is queued. Entered
 * with interrupts disabled; semaphore_down() keeps them so while checking. */
static void executor_idle(void *ctx)
{
    (void)ctx;
    semaphore_down(&exec_wakeups);
}

static void executor_notify(void *ctx)
{
    (void)ctx;
    semaphore_up(&exec_wakeups);
}

static void executor_thread(void *arg)
{
    (void)arg;
    for (;;) {
        executor_run(&kexec);
        /* no tasks left: wait for the next spawn */
        executor_idle(NULL);
    }
}

/* Keyboard input (interrupt context): wake async readers (the terminal
 * chains its own input task after this, kernel/tty.c). */
static void kbd_input(void *ctx)
{
    (void)ctx;
    async_event_signal(&kbd_event);
}

int kernel_threads_init(struct kbd *kbd)
{
    /* At most half a tick: an idle CPU's tick must end a poll window's growth. */
    uint64_t rate = timer_rate_mhz(); /* ticks per 1000 s */
    uint64_t half_tick = rate ? 500000000000ull / rate : 0;
    uint64_t max_ns = idle_poll_max_ns < half_tick ? idle_poll_max_ns : half_tick;
    for (unsigned c = 0; c < ARCH_MAX_CPUS; c++)
        idle_poll_init(&idle_polls[c], max_ns);
    /* A time slice of about 10 ms, whatever the tick rate (3 ticks at 250 Hz). */
    uint32_t slice_ticks = (uint32_t)((SLICE_MS * rate + 500000u) / 1000000u);
    if (slice_ticks == 0)
        slice_ticks = 1;
    struct sched_config cfg = {
        .alloc = kmalloc,
        .free = kfree,
        .stack_alloc = stack_alloc,
        .stack_free = stack_free,
        .idle = idle,
        .switch_hook = proc_switch_hook,
        .now_ms = timer_uptime_ms,
        .cpu_index = this_cpu,
        .kick = kick,
        .stack_size = 16 * 1024,
        .slice_ticks = slice_ticks,
    };
    int err = sched_init(&cfg);
    if (err)
        return err;
    semaphore_init(&exec_wakeups, 0);
    struct executor_config ecfg = {
        .alloc = kmalloc,
        .free = kfree,
        .idle = executor_idle,
        .notify = executor_notify,
    };
    executor_init(&kexec, &ecfg);
    timer_queue_init(&ktimers, timer_uptime_ms);
    async_event_init(&kbd_event);

    uint64_t f = cpu_irq_save();
    timer_set_tick_hook(tick);
    timer_set_cpu_tick_hook(cpu_tick);
    smp_set_ap_entry(ap_enter);
    timer_set_sleep_hook(thread_sleep_ms);
    irq_set_exit_hook(sched_preempt);
    kbd->on_input = kbd_input;
    cpu_irq_restore(f);

    struct thread *t = thread_create("executor", executor_thread, NULL);
    if (!t)
        return -ENOMEM;
    thread_detach(t);
    return 0;
}

struct executor *kernel_executor(void)
{
    return &kexec;
}

struct timer_queue *kernel_timer_queue(void)
{
    return &ktimers;
}

struct async_event *kernel_kbd_event(void)
{
    return &kbd_event;
}
