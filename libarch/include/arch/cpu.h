/**
 * @file arch/cpu.h
 * @brief CPU primitives: port I/O, interrupt flag, control registers, MSRs, TSC.
 *
 * These are plain functions (libarch/cpu.c in the kernel) rather than inline asm
 * in headers, so host unit tests can link tests/mocks/cpu_mock.c in their place
 * and drive the code above them against simulated hardware.
 */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>

/** @brief Write a byte to an I/O port. @param port port number @param val value */
void outb(uint16_t port, uint8_t val);
/** @brief Write a 16-bit word to an I/O port. @param port port number @param val value */
void outw(uint16_t port, uint16_t val);
/** @brief Write a 32-bit word to an I/O port. @param port port number @param val value */
void outl(uint16_t port, uint32_t val);
/** @brief Read a byte from an I/O port. @param port port number @return the value read */
uint8_t inb(uint16_t port);
/** @brief Read a 16-bit word from an I/O port. @param port port number @return the value */
uint16_t inw(uint16_t port);
/** @brief Read a 32-bit word from an I/O port. @param port port number @return the value */
uint32_t inl(uint16_t port);
/** @brief A short delay (an OUT to the unused port 0x80), for slow legacy devices. */
void io_wait(void);

/** @brief Disable maskable interrupts (CLI). */
void cpu_cli(void);
/** @brief Enable maskable interrupts (STI). */
void cpu_sti(void);
/** @brief Halt until the next interrupt (HLT). */
void cpu_hlt(void);
/**
 * @brief Enable interrupts and halt, atomically: an interrupt that became
 * pending while they were disabled ends this very HLT (STI's one-instruction
 * shadow), so a wakeup cannot slip in between the check and the sleep.
 */
void cpu_sti_hlt(void);
/** @brief Spin-loop hint (PAUSE). */
void cpu_pause(void);
/**
 * @brief The running CPU's logical number (0 = the boot CPU), read from the
 * per-CPU block through GS (arch/percpu.h); valid from kmain()'s first line.
 * @return the number
 */
uint32_t cpu_index(void);
/** @brief Read RFLAGS. @return the flags register */
uint64_t cpu_read_rflags(void);
/** @brief RFLAGS.IF, the interrupt-enable flag. */
#define CPU_RFLAGS_IF (1u << 9)

/**
 * @brief Disable interrupts and report whether they were enabled.
 * @return the previous RFLAGS, to hand back to cpu_irq_restore().
 */
uint64_t cpu_irq_save(void);
/**
 * @brief Re-enable interrupts if they were enabled when cpu_irq_save() ran.
 * @param flags what cpu_irq_save() returned
 */
void cpu_irq_restore(uint64_t flags);
/** @brief Disable interrupts and halt forever. Never returns. */
__attribute__((noreturn)) void cpu_halt_forever(void);

/** @brief Read CR0. @return CR0 */
uint64_t read_cr0(void);
/** @brief Read CR2 (the faulting address after a page fault). @return CR2 */
uint64_t read_cr2(void);
/** @brief Read CR3 (physical address of the top-level page table). @return CR3 */
uint64_t read_cr3(void);
/** @brief Read CR4. @return CR4 */
uint64_t read_cr4(void);
/**
 * @brief Load CR3, switching address space and flushing non-global TLB entries.
 * @param val physical address of the top-level table (plus flags)
 */
void write_cr3(uint64_t val);
/** @brief Invalidate the TLB entry for one virtual address. @param va the address */
void invlpg(uintptr_t va);
/** @brief Read a model-specific register. @param msr MSR index @return its value */
uint64_t rdmsr(uint32_t msr);
/** @brief Write a model-specific register. @param msr MSR index @param val value */
void wrmsr(uint32_t msr, uint64_t val);
/** @brief Read the time-stamp counter. @return TSC */
uint64_t rdtsc(void);
/** @brief Load CR0. @param val the new value */
void write_cr0(uint64_t val);
/** @brief Load CR4. @param val the new value */
void write_cr4(uint64_t val);
/**
 * @brief Execute CPUID.
 * @param leaf EAX input
 * @param sub  ECX input (sub-leaf)
 * @param out  EAX, EBX, ECX, EDX outputs
 */
void cpu_cpuid(uint32_t leaf, uint32_t sub, uint32_t out[4]);

#endif
