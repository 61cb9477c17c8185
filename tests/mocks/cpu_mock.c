/*
 * cpu_mock.c - host implementation of arch/cpu.h for unit tests (cpu_mock.h).
 */
#include "cpu_mock.h"
#include <arch/cpu.h>
#include <stdlib.h>

#define LOG_MAX 4096

static struct port_access log_[LOG_MAX];
static size_t log_len;
static port_device_fn device;
static void *device_ctx;
static bool irq_on;
static uint64_t cr2, cr3;
static uint64_t msrs[8];
static uint32_t msr_ids[8];
static uint64_t tsc;
static void (*pause_hook)(void);
static void (*hlt_hook)(void);

void cpu_mock_reset(void)
{
    log_len = 0;
    device = NULL;
    device_ctx = NULL;
    irq_on = false;
    hlt_hook = NULL;
    pause_hook = NULL;
    cr2 = cr3 = 0;
    for (int i = 0; i < 8; i++)
        msr_ids[i] = msrs[i] = 0;
}

void cpu_mock_set_device(port_device_fn fn, void *ctx)
{
    device = fn;
    device_ctx = ctx;
}

size_t cpu_mock_log_len(void)
{
    return log_len;
}

const struct port_access *cpu_mock_log(size_t i)
{
    return i < log_len ? &log_[i] : NULL;
}

bool cpu_mock_irq_enabled(void)
{
    return irq_on;
}

void cpu_mock_set_cr2(uint64_t v)
{
    cr2 = v;
}

static uint32_t access(uint16_t port, int width, bool write, uint32_t val)
{
    uint32_t mask = width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
    uint32_t r = write ? val : mask; /* a floating bus reads all ones */
    if (device)
        r = device(device_ctx, port, width, write, val) & mask;
    if (log_len < LOG_MAX)
        log_[log_len++] = (struct port_access){ port, write ? val : r, (uint8_t)width, write };
    return r;
}

void outb(uint16_t port, uint8_t val)
{
    access(port, 1, true, val);
}

void outw(uint16_t port, uint16_t val)
{
    access(port, 2, true, val);
}

void outl(uint16_t port, uint32_t val)
{
    access(port, 4, true, val);
}

uint8_t inb(uint16_t port)
{
    return (uint8_t)access(port, 1, false, 0);
}

uint16_t inw(uint16_t port)
{
    return (uint16_t)access(port, 2, false, 0);
}

uint32_t inl(uint16_t port)
{
    return access(port, 4, false, 0);
}

void io_wait(void)
{
}

void cpu_cli(void)
{
    irq_on = false;
}

void cpu_sti(void)
{
    irq_on = true;
}

void cpu_mock_set_hlt_hook(void (*fn)(void))
{
    hlt_hook = fn;
}

void cpu_hlt(void)
{
    if (hlt_hook)
        hlt_hook();
}

void cpu_sti_hlt(void)
{
    irq_on = true;
    cpu_hlt();
}

void cpu_mock_set_pause_hook(void (*fn)(void))
{
    pause_hook = fn;
}

void cpu_pause(void)
{
    if (pause_hook)
        pause_hook();
}

static uint32_t mock_cpu;

void cpu_mock_set_cpu(uint32_t index)
{
    mock_cpu = index;
}

uint32_t cpu_index(void)
{
    return mock_cpu;
}

uint64_t cpu_read_rflags(void)
{
    return irq_on ? CPU_RFLAGS_IF : 0;
}

uint64_t cpu_irq_save(void)
{
    uint64_t f = cpu_read_rflags();
    irq_on = false;
    return f;
}

void cpu_irq_restore(uint64_t flags)
{
    if (flags & CPU_RFLAGS_IF)
        irq_on = true;
}

void cpu_halt_forever(void)
{
    exit(CPU_MOCK_HALT_STATUS);
}

uint64_t read_cr0(void)
{
    return 0x80010001; /* PG | WP | PE */
}

uint64_t read_cr2(void)
{
    return cr2;
}

uint64_t read_cr3(void)
{
    return cr3;
}

uint64_t read_cr4(void)
{
    return 0x20; /* PAE */
}

void write_cr3(uint64_t val)
{
    cr3 = val;
}

void invlpg(uintptr_t va)
{
    (void)va;
}

uint64_t rdmsr(uint32_t msr)
{
    for (int i = 0; i < 8; i++)
        if (msr_ids[i] == msr)
            return msrs[i];
    return 0;
}

void wrmsr(uint32_t msr, uint64_t val)
{
    for (int i = 0; i < 8; i++) {
        if (msr_ids[i] == msr || msr_ids[i] == 0) {
            msr_ids[i] = msr;
            msrs[i] = val;
            return;
        }
    }
}

uint64_t rdtsc(void)
{
    return tsc += 100;
}

void cpu_mock_advance_tsc(uint64_t cycles)
{
    tsc += cycles;
}

void write_cr0(uint64_t val)
{
    (void)val;
}

void write_cr4(uint64_t val)
{
    (void)val;
}

void cpu_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    (void)leaf;
    (void)sub;
    out[0] = out[1] = out[2] = out[3] = 0; /* a CPU with no optional features */
}
