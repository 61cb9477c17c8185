/*
 * apic.c - the local APIC (arch/apic.h): MSI vectors, local set-up for APIC
 * mode, the timer and IPIs.
 *
 * Layer: beside the PIC (pic.c) and the I/O APIC (ioapic.c) in libarch.
 * Interface: apic_init, apic_eoi, apic_msi_message and a small table of
 * driver vectors dispatched through the trap table; apic_local_setup,
 * apic_timer_*, apic_send_ipi. The firmware leaves the local APIC in
 * virtual-wire mode (LINT0 as ExtINT, so PIC interrupts flow); apic_init()
 * only sets the software-enable bit, which fixed-delivery MSIs need, and
 * apic_local_setup() takes the rest over in APIC mode. The register window
 * is the same address on every CPU; each CPU sees its own APIC there.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/irq.h>
#include <k/errno.h>
#include <stddef.h>

static volatile uint32_t *regs;
static uint64_t spurious;

static struct {
    irq_handler_fn fn;
    void *ctx;
    uint64_t count;
} vectors[APIC_VECTORS];

static uint32_t reg_read(uint32_t off)
{
    return regs[off / 4];
}

static void reg_write(uint32_t off, uint32_t v)
{
    regs[off / 4] = v;
}

void apic_init(volatile void *window)
{
    regs = window;
    if (regs)
        reg_write(APIC_REG_SVR,
                  (reg_read(APIC_REG_SVR) & ~0xffu) | APIC_SVR_ENABLE | APIC_SPURIOUS);
}

static void on_spurious(struct trap_frame *tf)
{
    (void)tf;
    __atomic_add_fetch(&spurious, 1, __ATOMIC_RELAXED); /* no EOI: nothing is in service */
}

void apic_local_setup(bool ap)
{
    if (!regs)
        return;
    trap_set_handler(APIC_SPURIOUS, on_spurious);
    reg_write(APIC_REG_TPR, 0);
    reg_write(APIC_REG_LVT_LINT0, APIC_LVT_MASKED);
    if (ap)
        reg_write(APIC_REG_LVT_LINT1, APIC_LVT_NMI);
    reg_write(APIC_REG_LVT_ERROR, APIC_LVT_MASKED);
    reg_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED);
    reg_write(APIC_REG_SVR, (reg_read(APIC_REG_SVR) & ~0xffu) | APIC_SVR_ENABLE | APIC_SPURIOUS);
    reg_write(APIC_REG_ESR, 0); /* clear errors left from before (two writes, per the SDM) */
    reg_write(APIC_REG_ESR, 0);
}

uint64_t apic_spurious_count(void)
{
    return __atomic_load_n(&spurious, __ATOMIC_RELAXED);
}

uint32_t apic_timer_calibrate(uint64_t tsc_per_ms, uint32_t ms)
{
    if (!regs || !tsc_per_ms || ms < 1 || ms > 100)
        return 0;
    reg_write(APIC_REG_LVT_TIMER, APIC_LVT_MASKED); /* one-shot, masked */
    reg_write(APIC_REG_TIMER_DIV, APIC_TIMER_DIV16);
    uint64_t t0 = rdtsc();
    reg_write(APIC_REG_TIMER_INIT, 0xffffffffu);
    uint64_t end = t0 + tsc_per_ms * ms, t;
    do
        t = rdtsc();
    while (t < end);
    uint32_t left = reg_read(APIC_REG_TIMER_CUR);
    reg_write(APIC_REG_TIMER_INIT, 0);
    uint64_t counted = 0xffffffffull - left;
    if (left == 0 || counted == 0)
        return 0; /* ran out (absurdly fast) or never started */
    /* counted over (t - t0) cycles: scale to one millisecond */
    return (uint32_t)(counted * tsc_per_ms / (t - t0));
}

uint32_t apic_timer_count_for(uint32_t per_ms, uint32_t hz)
{
    if (hz == 0)
        hz = 1000;
    uint64_t c = ((uint64_t)per_ms * 1000 + hz / 2) / hz;
    return c ? (uint32_t)(c > 0xffffffffull ? 0xffffffffull : c) : 1;
}

void apic_timer_start(uint32_t count, int vector)
{
    if (!regs)
        return;
    reg_write(APIC_REG_TIMER_DIV, APIC_TIMER_DIV16);
    reg_write(APIC_REG_LVT_TIMER, ((uint32_t)vector & 0xff) | APIC_LVT_PERIODIC);
    reg_write(APIC_REG_TIMER_INIT, count);
}

void apic_timer_mask(void)
{
    if (regs)
        reg_write(APIC_REG_LVT_TIMER, reg_read(APIC_REG_LVT_TIMER) | APIC_LVT_MASKED);
}

void apic_timer_unmask(void)
{
    if (regs)
        reg_write(APIC_REG_LVT_TIMER, reg_read(APIC_REG_LVT_TIMER) & ~APIC_LVT_MASKED);
}

int apic_send_ipi(uint32_t dest, uint32_t icr)
{
    if (!regs)
        return -ENODEV;
    uint64_t f = cpu_irq_save(); /* the two halves must not interleave with another send */
    reg_write(APIC_REG_ICR_HI, dest << 24);
    reg_write(APIC_REG_ICR_LO, icr);
    int r = -ETIMEDOUT;
    for (int i = 0; i < 1000000; i++) {
        if (!(reg_read(APIC_REG_ICR_LO) & APIC_ICR_PENDING)) {
            r = 0;
            break;
        }
        cpu_pause();
    }
    cpu_irq_restore(f);
    return r;
}

bool apic_ready(void)
{
    return regs != NULL;
}

uint32_t apic_id(void)
{
    return regs ? reg_read(APIC_REG_ID) >> 24 : 0;
}

void apic_eoi(void)
{
    if (regs)
        reg_write(APIC_REG_EOI, 0);
}

void apic_msi_message(int vector, uint64_t *addr, uint32_t *data)
{
    *addr = APIC_MSI_ADDR | (uint64_t)(apic_id() & 0xff) << 12;
    *data = (uint32_t)vector & 0xff; /* fixed delivery, edge triggered */
}

static void dispatch(struct trap_frame *tf)
{
    int i = (int)tf->vector - APIC_VECTOR_BASE;
    if (i < 0 || i >= APIC_VECTORS || !vectors[i].fn) {
        apic_eoi(); /* a stray message: acknowledge it and go on */
        return;
    }
    vectors[i].count++;
    irq_run_handler(vectors[i].fn, vectors[i].ctx, tf, apic_eoi);
}

int apic_vector_alloc(irq_handler_fn fn, void *ctx)
{
    if (!fn)
        return -EINVAL;
    if (!regs)
        return -ENODEV;
    uint64_t f = cpu_irq_save();
    for (int i = 0; i < APIC_VECTORS; i++) {
        if (vectors[i].fn)
            continue;
        vectors[i].fn = fn;
        vectors[i].ctx = ctx;
        vectors[i].count = 0;
        trap_set_handler(APIC_VECTOR_BASE + i, dispatch);
        cpu_irq_restore(f);
        return APIC_VECTOR_BASE + i;
    }
    cpu_irq_restore(f);
    return -ENOSPC;
}

int apic_vector_free(int vector)
{
    int i = vector - APIC_VECTOR_BASE;
    if (i < 0 || i >= APIC_VECTORS || !vectors[i].fn)
        return -EINVAL;
    uint64_t f = cpu_irq_save();
    trap_set_handler(vector, NULL);
    vectors[i].fn = NULL;
    vectors[i].ctx = NULL;
    cpu_irq_restore(f);
    return 0;
}

uint64_t apic_vector_count(int vector)
{
    int i = vector - APIC_VECTOR_BASE;
    return i >= 0 && i < APIC_VECTORS && vectors[i].fn ? vectors[i].count : 0;
}
