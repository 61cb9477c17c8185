/**
 * @file arch/percpu.h
 * @brief Per-CPU state, reached through the GS base.
 *
 * Every CPU has one `struct arch_cpu`; in the kernel its GS.base points at it
 * (user mode has its own GS.base, swapped in and out by SWAPGS on every ring
 * change, arch/user.h). boot.S points the boot CPU's GS at arch_cpus[0] before
 * kmain() runs, so per-CPU data works from the first line of C; an application
 * processor gets its own before it runs any C (smp.c). The first fields are read
 * by assembly at fixed offsets (syscall.S: kernel_rsp at 0, user_rsp at 8;
 * cpu.c and gdt.c: self at 16, index at 24): change them together.
 *
 * Locking: a CPU writes only its own block, except while the boot CPU fills in
 * an application processor's before starting it, and `online`, which the
 * starting CPU sets once and the boot CPU polls.
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <arch/gdt.h>
#include <stdbool.h>
#include <stdint.h>

/** @brief Most CPUs the kernel brings up (further MADT entries stay offline). */
#define ARCH_MAX_CPUS 16

/** @brief One CPU's private state. */
struct arch_cpu {
    uint64_t kernel_rsp;      /**< Offset 0: top of the running thread's kernel stack. */
    uint64_t user_rsp;        /**< Offset 8: user RSP saved by the `syscall` entry. */
    struct arch_cpu *self;    /**< Offset 16: this block's own address. */
    uint32_t index;           /**< Offset 24: logical CPU number, 0 = the boot CPU. */
    uint32_t apic_id;         /**< Its local APIC id. */
    volatile uint32_t online; /**< Set once by the CPU itself when it is up. */
    uint32_t pad;             /**< Keeps what follows aligned. */
    uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16))); /**< Its GDT. */
    struct tss tss __attribute__((aligned(16)));            /**< Its TSS. */
    uint64_t ist_top[3];          /**< Tops of its double-fault, NMI and machine-check stacks. */
    uint64_t stack_top;           /**< Top of the stack it started on (boot CPU: boot.S's). */
    volatile uint64_t ipis;       /**< Test IPIs it has taken (smp.c). */
    volatile uint64_t interrupts; /**< Interrupts it has taken (vectors 32 and up, trap.c). */
};

/** @brief The per-CPU blocks, indexed by logical CPU number. */
extern struct arch_cpu arch_cpus[ARCH_MAX_CPUS];

/**
 * @brief The CPUs that are online, in logical order (the boot CPU always).
 * @param apic_ids out: their local APIC ids (may be NULL)
 * @param max      room in @p apic_ids
 * @return how many are online (which may exceed @p max)
 */
unsigned arch_cpus_online(uint32_t *apic_ids, unsigned max);

/**
 * @brief Wait for an interrupt by spinning instead of halting, for at most
 * @p tsc_ticks: on a virtual machine a spinning CPU takes an interrupt sooner
 * than a halted one is woken for it (sched/idle_poll.h says when it pays).
 * Enter with interrupts disabled; they are enabled while spinning, so the
 * interrupt's handler runs in here, and disabled again on return.
 * @param tsc_ticks the longest spin, in TSC ticks
 * @return true if this CPU took an interrupt meanwhile; false if the time ran out
 */
bool arch_idle_poll(uint64_t tsc_ticks);

/** @brief The running CPU's block (through GS). @return the block */
struct arch_cpu *arch_cpu_this(void);

/**
 * @brief Load this CPU's GDT and TSS from @p c, reload the segment registers
 * and point GS.base at @p c (loading GS clears it).
 * @param c the block, with ist_top[] filled in
 * @param rsp0 the TSS's ring-0 stack
 */
void arch_cpu_load_tables(struct arch_cpu *c, uint64_t rsp0);

#endif
