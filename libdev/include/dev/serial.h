/**
 * @file dev/serial.h
 * @brief 16550 UART driver (COM1 is the system console).
 *
 * Polled transmit; receive polled or by interrupt into a ring. 8N1. The
 * driver keeps no global state: each port is a caller-owned `struct serial_port`.
 * Writes translate "\n" to "\r\n" so terminals show proper lines.
 *
 * Locking: the receive ring is single-producer (serial_irq() owns `rx_head`)
 * single-consumer (serial_getc() owns `rx_tail`, with interrupts off so the
 * interrupt cannot refill the ring between its two looks); one consumer at a
 * time (the caller serialises: the console registry's lock or the terminal).
 * Transmit is not locked: callers serialise writes to one port.
 */
#ifndef DEV_SERIAL_H
#define DEV_SERIAL_H

#include <k/console.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERIAL_COM1 0x3f8 /**< I/O base of COM1. */
#define SERIAL_COM2 0x2f8 /**< I/O base of COM2. */

/** @name 16550 register offsets from the I/O base */
/** @{ */
#define UART_DATA           0    /**< RBR/THR (DLAB=0), divisor low (DLAB=1). */
#define UART_IER            1    /**< Interrupt enable (DLAB=0), divisor high (DLAB=1). */
#define UART_FCR            2    /**< FIFO control (write). */
#define UART_IIR            2    /**< Interrupt identification (read); bits 6-7: FIFOs on. */
#define UART_LCR            3    /**< Line control. */
#define UART_MCR            4    /**< Modem control. */
#define UART_LSR            5    /**< Line status. */
#define UART_SCR            7    /**< Scratch register. */
#define UART_LSR_DATA_READY 0x01 /**< LSR: a byte is waiting. */
#define UART_LSR_THR_EMPTY  0x20 /**< LSR: transmitter can take a byte. */
/** @} */

#define SERIAL_RX_RING 512 /**< Bytes buffered by the receive interrupt. */

/** @brief One UART. */
struct serial_port {
    uint16_t base;              /**< I/O base, e.g. SERIAL_COM1. */
    bool present;               /**< serial_init() found a working UART. */
    uint8_t rx[SERIAL_RX_RING]; /**< Bytes taken by serial_irq(), not yet read. */
    volatile uint32_t rx_head;  /**< Next write (interrupt side). */
    volatile uint32_t rx_tail;  /**< Next read (reader side). */
};

/**
 * @brief Check that a UART answers at @p base (its scratch register) and
 * program it for @p baud, 8N1. The FIFOs stay as the firmware left them and
 * nothing received is discarded: bytes typed during boot reach serial_getc().
 * @param port filled in
 * @param base I/O base
 * @param baud 1..115200 (115200 must be divisible by it)
 * @return 0; -EINVAL for a bad baud rate; -ENODEV if no UART answers (the port
 *         then ignores writes)
 */
int serial_init(struct serial_port *port, uint16_t base, uint32_t baud);

/** @brief Send one byte, waiting for the transmitter. @param port the UART @param c byte */
void serial_putc(struct serial_port *port, char c);

/**
 * @brief Send bytes, turning "\n" into "\r\n".
 * @param port the UART
 * @param s    the bytes
 * @param n    how many
 */
void serial_write(struct serial_port *port, const char *s, size_t n);

/**
 * @brief Receive one byte without waiting (from the ring, else the UART).
 * @param port the UART
 * @return 0..255, or -EAGAIN if none is waiting (or no UART)
 */
int serial_getc(struct serial_port *port);

/**
 * @brief Raise the port's interrupt (IRQ 4 for COM1) when a byte arrives, so a
 * reader can sleep instead of polling. The caller installs an IRQ handler that
 * calls serial_irq().
 * @param port the UART
 */
void serial_enable_rx_irq(struct serial_port *port);

/**
 * @brief The receive interrupt's work: move waiting bytes into the ring (so
 * typing ahead is not lost while the reader is busy). When the ring is full the
 * bytes stay in the UART, which holds the sender back. Never blocks.
 * @param port the UART
 * @return the number of bytes taken
 */
int serial_irq(struct serial_port *port);

/** @brief Console operations for a serial port (ctx is the `struct serial_port *`). */
extern const struct console_ops serial_console_ops;

#endif
