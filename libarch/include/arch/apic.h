/**
 * @file arch/apic.h
 * @brief The local APIC: MSI vectors, the local timer, inter-processor
 * interrupts, and its set-up on each CPU.
 *
 * Two modes. With `noapic` (or no MADT) legacy interrupts come through the 8259
 * PIC (arch/pic.h) and reach the CPU through the local APIC's LINT0 in
 * virtual-wire mode, as the firmware set it up; apic_init() only
 * software-enables the APIC for MSIs. In APIC mode apic_local_setup() also
 * masks LINT0 (the PICs are masked and the I/O APIC, arch/ioapic.h, delivers
 * the legacy lines), and the local timer gives the tick (apic_timer_start()).
 * MSI and MSI-X interrupts are memory writes to the local APIC's address range
 * (0xfee00000) that name a vector directly. This layer software-enables the local
 * APIC (keeping the firmware's LINT0/LINT1 set-up), hands out vectors
 * APIC_VECTOR_BASE.. to drivers, and acknowledges them with an EOI to the local
 * APIC (never to the PIC). Handlers run like PIC handlers: interrupts disabled,
 * irq_depth() > 0, and the IRQ exit hook (which may switch threads) after the EOI.
 *
 * The register window is mapped by the caller (libarch does not map memory): the
 * kernel maps the physical base from the IA32_APIC_BASE MSR and passes it to
 * apic_init(). Host tests pass plain memory.
 *
 * Locking: apic_vector_alloc/free change the vector table with interrupts
 * disabled, under the big kernel lock; the vectors' handlers run under it too
 * (trap_dispatch()), so their counts need nothing more. The spurious count is
 * atomic. The register window is set once at boot; the registers are each
 * CPU's own (apic_send_ipi() keeps interrupts off between the ICR's halves).
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <arch/irq.h>
#include <stdbool.h>
#include <stdint.h>

#define APIC_BASE_MSR       0x1bu       /**< IA32_APIC_BASE. */
#define APIC_MSI_ADDR       0xfee00000u /**< MSI address range (destination in bits 12-19). */
#define APIC_WINDOW_SIZE    0x1000u     /**< Bytes of the register window. */
#define APIC_REG_ID         0x20u       /**< Local APIC ID (bits 24-31). */
#define APIC_REG_EOI        0xb0u       /**< End of interrupt (write 0). */
#define APIC_REG_SVR        0xf0u       /**< Spurious vector; bit 8 enables the APIC. */
#define APIC_SVR_ENABLE     0x100u      /**< SVR: software enable. */
#define APIC_SPURIOUS       0xffu       /**< Our spurious-interrupt vector. */
#define APIC_VECTOR_BASE    0x50        /**< First vector handed to drivers. */
#define APIC_VECTORS        16          /**< How many. */
#define APIC_REG_TPR        0x80u       /**< Task priority. */
#define APIC_REG_ESR        0x280u      /**< Error status. */
#define APIC_REG_ICR_LO     0x300u      /**< Interrupt command, low dword (writing sends). */
#define APIC_REG_ICR_HI     0x310u      /**< Interrupt command, destination in bits 24-31. */
#define APIC_REG_LVT_TIMER  0x320u      /**< Local vector table: timer. */
#define APIC_REG_LVT_LINT0  0x350u      /**< LVT: LINT0 (the PIC's ExtINT in virtual-wire mode). */
#define APIC_REG_LVT_LINT1  0x360u      /**< LVT: LINT1 (NMI). */
#define APIC_REG_LVT_ERROR  0x370u      /**< LVT: error. */
#define APIC_REG_TIMER_INIT 0x380u      /**< Timer initial count. */
#define APIC_REG_TIMER_CUR  0x390u      /**< Timer current count. */
#define APIC_REG_TIMER_DIV  0x3e0u      /**< Timer divide configuration. */
#define APIC_LVT_MASKED     (1u << 16)  /**< LVT: masked. */
#define APIC_LVT_PERIODIC   (1u << 17)  /**< LVT timer: periodic (else one-shot). */
#define APIC_LVT_NMI        (4u << 8)   /**< LVT: NMI delivery. */
#define APIC_ICR_INIT       (5u << 8)   /**< ICR: INIT. */
#define APIC_ICR_STARTUP    (6u << 8)   /**< ICR: start-up IPI (vector = page number). */
#define APIC_ICR_ASSERT     (1u << 14)  /**< ICR: level assert. */
#define APIC_ICR_PENDING    (1u << 12)  /**< ICR: delivery status, send pending. */
#define APIC_TIMER_DIV16    0x3u        /**< Divide configuration: bus clock / 16. */
#define APIC_TIMER_VECTOR   0x40        /**< The local timer's vector. */
#define APIC_IPI_VECTOR     0xf0        /**< Test/wake-up IPI vector. */
#define APIC_TLB_VECTOR     0xf1        /**< Kernel TLB shootdown IPI vector (arch/bkl.h). */

/**
 * @brief Take the local APIC's register window and software-enable it.
 * @param regs the mapped window (APIC_WINDOW_SIZE bytes), or NULL to leave MSIs off
 */
void apic_init(volatile void *regs);

/**
 * @brief Set up this CPU's local APIC for APIC mode: task priority 0, LINT0
 * and the error LVT masked, software-enabled with the spurious vector
 * APIC_SPURIOUS (whose handler counts and does not EOI). On an application
 * processor LINT1 is set to NMI as well (the firmware did so on the boot CPU).
 * @param ap true on an application processor
 */
void apic_local_setup(bool ap);

/** @brief Spurious local APIC interrupts taken. @return the count */
uint64_t apic_spurious_count(void);

/**
 * @brief Measure the local timer (divide by 16) against the TSC for @p ms
 * milliseconds, polled with the timer masked. Both clocks follow the host's
 * under emulation, so a descheduled virtual CPU does not skew the ratio.
 * @param tsc_per_ms TSC cycles per millisecond (timer_tsc_per_ms())
 * @param ms         how long to measure, 1..100
 * @return timer counts per millisecond, or 0 (no window, no TSC rate, or the
 *         timer did not count)
 */
uint32_t apic_timer_calibrate(uint64_t tsc_per_ms, uint32_t ms);

/**
 * @brief The initial count for a periodic timer of @p hz at @p per_ms counts
 * per millisecond, rounded, at least 1.
 * @param per_ms counts per millisecond
 * @param hz     interrupts per second (0: 1000)
 * @return the count
 */
uint32_t apic_timer_count_for(uint32_t per_ms, uint32_t hz);

/**
 * @brief Start this CPU's local timer: periodic, divide by 16, on @p vector.
 * @param count  initial count (apic_timer_count_for())
 * @param vector the vector its interrupts arrive on
 */
void apic_timer_start(uint32_t count, int vector);

/** @brief Mask this CPU's local timer (it keeps counting, silently). */
void apic_timer_mask(void);
/** @brief Unmask this CPU's local timer. */
void apic_timer_unmask(void);

/**
 * @brief Send an inter-processor interrupt and wait (bounded) for the local
 * APIC to accept it.
 * @param dest destination local APIC id
 * @param icr  the command's low dword (vector and delivery mode, APIC_ICR_*)
 * @return 0, -ENODEV (no window) or -ETIMEDOUT (still pending)
 */
int apic_send_ipi(uint32_t dest, uint32_t icr);

/** @brief Can drivers use MSI? (apic_init() was given a window) @return true if so */
bool apic_ready(void);

/** @brief This CPU's local APIC ID (0 before apic_init()). @return the ID */
uint32_t apic_id(void);

/** @brief Acknowledge the interrupt being handled. */
void apic_eoi(void);

/**
 * @brief The MSI message that raises @p vector on this CPU (fixed delivery, edge).
 * @param vector a vector from apic_vector_alloc()
 * @param addr   out: the message address
 * @param data   out: the message data
 */
void apic_msi_message(int vector, uint64_t *addr, uint32_t *data);

/**
 * @brief Reserve a vector and route it to @p fn.
 * @param fn  the handler (interrupt context)
 * @param ctx its argument
 * @return the vector, -EINVAL (NULL fn), -ENODEV (no apic_init()) or -ENOSPC
 */
int apic_vector_alloc(irq_handler_fn fn, void *ctx);

/**
 * @brief Give a vector back (its handler is removed).
 * @param vector from apic_vector_alloc()
 * @return 0 or -EINVAL
 */
int apic_vector_free(int vector);

/**
 * @brief Interrupts delivered on a vector so far.
 * @param vector from apic_vector_alloc()
 * @return the count (0 for a vector not ours)
 */
uint64_t apic_vector_count(int vector);

#endif
