/**
 * @file cpu_mock.h
 * @brief Host stand-in for libarch/cpu.c: simulated I/O ports and CPU state.
 *
 * Port writes are recorded in a log and fed to an optional device handler; port
 * reads ask the handler (or return 0xFF.. like a floating bus). cli/sti track a
 * simulated interrupt flag. cpu_halt_forever() exits the process with
 * CPU_MOCK_HALT_STATUS, so a test can expect a panic with Check's exit tests.
 */
#ifndef TESTS_CPU_MOCK_H
#define TESTS_CPU_MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Exit status of the test process when the code under test halts the CPU. */
#define CPU_MOCK_HALT_STATUS 77

/** @brief One recorded port access. */
struct port_access {
    uint16_t port; /**< Port number. */
    uint32_t val;  /**< Value written or read. */
    uint8_t width; /**< 1, 2 or 4 bytes. */
    bool write;    /**< Write (true) or read. */
};

/**
 * @brief A simulated device: called for every port access.
 * @param ctx   what cpu_mock_set_device() was given
 * @param port  the port
 * @param width 1, 2 or 4
 * @param write true for OUT
 * @param val   the value (for OUT); ignored for IN
 * @return the value an IN reads (ignored for OUT)
 */
typedef uint32_t (*port_device_fn)(void *ctx, uint16_t port, int width, bool write, uint32_t val);

/** @brief Forget the log, the device, the MSRs and the interrupt flag. */
void cpu_mock_reset(void);
/** @brief Route port accesses to @p fn. @param fn device @param ctx its context */
void cpu_mock_set_device(port_device_fn fn, void *ctx);

/* The mock TSC advances 100 cycles per rdtsc(); this adds @p cycles more
 * (time that passed while the CPU did not run, as a descheduled vCPU). */
void cpu_mock_advance_tsc(uint64_t cycles);
/** @brief Number of port accesses recorded since the last reset. */
size_t cpu_mock_log_len(void);
/** @brief The @p i-th recorded access. @param i index @return the access */
const struct port_access *cpu_mock_log(size_t i);
/** @brief The simulated RFLAGS.IF. @return true when interrupts are enabled */
bool cpu_mock_irq_enabled(void);
/** @brief Set the value the next read_cr2() returns. @param v value */
void cpu_mock_set_cr2(uint64_t v);
/**
 * @brief Run @p fn whenever the code under test executes HLT (as if an interrupt
 * woke the CPU); NULL for none.
 * @param fn the simulated interrupt
 */
void cpu_mock_set_hlt_hook(void (*fn)(void));

/**
 * @brief Run @p fn whenever the code under test executes PAUSE (a spin
 * loop's turn: what other CPUs do meanwhile); NULL for none. Reset clears it.
 * @param fn the simulated other CPUs
 */
void cpu_mock_set_pause_hook(void (*fn)(void));

/** @brief Make cpu_index() return @p index (until the next call; reset does not change it). @param
 * index the CPU */
void cpu_mock_set_cpu(uint32_t index);

#endif
