/*
 * smp.c - starting the application processors, and their first steps
 * (arch/smp.h). Kernel only.
 *
 * The boot CPU installs the trampoline once (smp_trampoline_install), then
 * for each AP fills in the AP's stack and per-CPU block in the parameter
 * block and runs INIT-SIPI-SIPI (smp_start_ap). The AP arrives in
 * smp_ap_main() on its own stack with the kernel's page tables, makes itself
 * a CPU like the boot CPU (the same CR0/CR4 features, its own GDT/TSS/IST,
 * the shared IDT, the system-call MSRs, its local APIC), says it is online,
 * and idles: it takes IPIs but runs no threads yet.
 */
#include <arch/apic.h>
#include <arch/bkl.h>
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/timer.h>
#include <arch/trap.h>
#include <arch/user.h>
#include <k/errno.h>
#include <string.h>

#define MSR_EFER 0xc0000080u
#define EFER_NXE (1ull << 11)

/* smp_trampoline.S */
extern const uint8_t smp_trampoline_start[], smp_trampoline_end[];
extern const uint8_t smp_trampoline_pm32[], smp_trampoline_lm64[];
extern const uint64_t smp_boot_pml4_phys;
void smp_ap_entry64(void);

static uint64_t bsp_cr0, bsp_cr4;
static void (*ap_entry)(void);

static void on_test_ipi(struct trap_frame *tf)
{
    (void)tf;
    arch_cpu_this()->ipis++;
    apic_eoi();
}

/* A kernel TLB shootdown (arch/bkl.h): flush, answer, EOI. */
static void on_tlb_ipi(struct trap_frame *tf)
{
    (void)tf;
    arch_tlb_shootdown_irq();
    apic_eoi();
}

static void send_tlb_ipi(uint32_t cpu)
{
    apic_send_ipi(arch_cpus[cpu].apic_id, APIC_TLB_VECTOR);
}

struct smp_params *smp_trampoline_install(void *dst, uint32_t page, uint64_t kernel_cr3)
{
    size_t n = (size_t)(smp_trampoline_end - smp_trampoline_start);
    if (n > SMP_PARAMS_OFF || (page & 0xfff) || page >= 0x100000)
        return NULL;
    memcpy(dst, smp_trampoline_start, n);
    struct smp_params *p = (struct smp_params *)((uint8_t *)dst + SMP_PARAMS_OFF);
    smp_params_init(p, page, (uint32_t)(smp_trampoline_pm32 - smp_trampoline_start),
                    (uint32_t)(smp_trampoline_lm64 - smp_trampoline_start),
                    (uint32_t)smp_boot_pml4_phys, (rdmsr(MSR_EFER) & EFER_NXE) != 0, kernel_cr3,
                    (uint64_t)(uintptr_t)smp_ap_entry64);
    bsp_cr0 = read_cr0();
    bsp_cr4 = read_cr4();
    trap_set_handler(APIC_IPI_VECTOR, on_test_ipi);
    trap_set_lockless(APIC_IPI_VECTOR); /* it touches only its own CPU's count */
    trap_set_handler(APIC_TLB_VECTOR, on_tlb_ipi);
    trap_set_lockless(APIC_TLB_VECTOR); /* it must answer while another CPU holds the lock */
    arch_tlb_set_shootdown(send_tlb_ipi);
    return p;
}

/* Busy-wait by the TSC (no timer interrupt is involved; 3 GHz assumed if
 * the TSC was never measured). */
static void delay_us(uint64_t us)
{
    uint64_t per_ms = timer_tsc_per_ms() ? timer_tsc_per_ms() : 3000000;
    uint64_t end = rdtsc() + per_ms * us / 1000;
    while (rdtsc() < end)
        cpu_pause();
}

static bool is_online(volatile uint32_t *online)
{
    return __atomic_load_n(online, __ATOMIC_ACQUIRE) != 0;
}

int smp_start_ap(uint32_t apic_id, uint32_t page, volatile uint32_t *online, uint32_t timeout_ms)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the block is written before the AP reads it */
    int r = apic_send_ipi(apic_id, APIC_ICR_INIT | APIC_ICR_ASSERT);
    if (r < 0)
        return r;
    delay_us(10000);
    for (int i = 0; i < 2 && !is_online(online); i++) {
        r = apic_send_ipi(apic_id, smp_sipi_icr(page));
        if (r < 0)
            return r;
        delay_us(1000);
    }
    for (uint64_t waited = 0; !is_online(online); waited += 100) {
        if (waited >= (uint64_t)timeout_ms * 1000)
            return -ETIMEDOUT;
        delay_us(100);
    }
    return 0;
}

void smp_ap_main(void *arg)
{
    struct arch_cpu *c = arg;
    write_cr0(bsp_cr0);
    write_cr4(bsp_cr4);
    arch_cpu_load_tables(c, c->stack_top);
    idt_load();
    arch_user_init_cpu(NULL);
    apic_local_setup(true);
    c->apic_id = apic_id();
    __atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
    if (ap_entry)
        ap_entry(); /* the kernel's: takes part in scheduling, never returns */
    for (;;)
        cpu_sti_hlt(); /* woken by IPIs only */
}

void smp_set_ap_entry(void (*fn)(void))
{
    ap_entry = fn;
}

int smp_send_test_ipi(uint32_t apic_id)
{
    return apic_send_ipi(apic_id, APIC_IPI_VECTOR);
}
