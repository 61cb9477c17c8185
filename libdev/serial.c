/*
 * serial.c - polled 16550 UART driver (dev/serial.h).
 */
#include <arch/cpu.h>
#include <arch/errno.h>
#include <dev/serial.h>

#define UART_CLOCK_BAUD 115200u
#define TX_SPIN_LIMIT   100000 /* don't hang forever on a wedged UART */

int serial_init(struct serial_port *port, uint16_t base, uint32_t baud)
{
    port->base = base;
    port->present = false;
    if (baud == 0 || baud > UART_CLOCK_BAUD || UART_CLOCK_BAUD % baud != 0)
        return -EINVAL;
    uint16_t divisor = (uint16_t)(UART_CLOCK_BAUD / baud);

    outb(base + UART_IER, 0x00); /* no interrupts (polled) */
    outb(base + UART_LCR, 0x80); /* DLAB on: set the divisor */
    outb(base + UART_DATA, divisor & 0xff);
    outb(base + UART_IER, divisor >> 8);
    outb(base + UART_LCR, 0x03); /* 8 bits, no parity, 1 stop bit */
    outb(base + UART_FCR, 0xc7); /* enable + clear FIFOs, 14-byte threshold */

    /* Loopback test: a byte sent must come straight back. */
    outb(base + UART_MCR, 0x1e);
    outb(base + UART_DATA, 0xae);
    if (inb(base + UART_DATA) != 0xae)
        return -ENODEV;

    outb(base + UART_MCR, 0x0f); /* normal mode: DTR, RTS, OUT1, OUT2 */
    port->present = true;
    return 0;
}

void serial_putc(struct serial_port *port, char c)
{
    if (!port->present)
        return;
    for (int i = 0; i < TX_SPIN_LIMIT; i++) {
        if (inb(port->base + UART_LSR) & UART_LSR_THR_EMPTY)
            break;
        cpu_pause();
    }
    outb(port->base + UART_DATA, (uint8_t)c);
}

void serial_write(struct serial_port *port, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc(port, '\r');
        serial_putc(port, s[i]);
    }
}

int serial_getc(struct serial_port *port)
{
    if (!port->present || !(inb(port->base + UART_LSR) & UART_LSR_DATA_READY))
        return -EAGAIN;
    return inb(port->base + UART_DATA);
}

static void serial_console_write(void *ctx, const char *s, size_t n)
{
    serial_write(ctx, s, n);
}

static int serial_console_getc(void *ctx)
{
    return serial_getc(ctx);
}

const struct console_ops serial_console_ops = {
    .write = serial_console_write,
    .getc = serial_console_getc,
};
