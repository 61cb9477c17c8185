/*
 * serial.c - polled 16550 UART driver (dev/serial.h).
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <dev/serial.h>

#define UART_CLOCK_BAUD 115200u
#define TX_SPIN_LIMIT   100000 /* don't hang forever on a wedged UART */

int serial_init(struct serial_port *port, uint16_t base, uint32_t baud)
{
    port->base = base;
    port->present = false;
    port->rx_head = port->rx_tail = 0;
    if (baud == 0 || baud > UART_CLOCK_BAUD || UART_CLOCK_BAUD % baud != 0)
        return -EINVAL;
    uint16_t divisor = (uint16_t)(UART_CLOCK_BAUD / baud);

    /* Is there a UART? Its scratch register keeps what is written; a
     * floating bus reads 0xff. (A loopback test would mix the echo with input
     * the user is already typing.) */
    outb(base + UART_SCR, 0xa5);
    bool scr_a = inb(base + UART_SCR) == 0xa5;
    outb(base + UART_SCR, 0x5a);
    if (!scr_a || inb(base + UART_SCR) != 0x5a)
        return -ENODEV;

    outb(base + UART_IER, 0x00); /* no interrupts until serial_enable_rx_irq() */
    outb(base + UART_LCR, 0x80); /* DLAB on: set the divisor */
    outb(base + UART_DATA, divisor & 0xff);
    outb(base + UART_IER, divisor >> 8);
    outb(base + UART_LCR, 0x03); /* 8 bits, no parity, 1 stop bit */
    /* Leave the FIFOs as the firmware left them: switching them on or off
     * empties the receiver, losing what the user typed during boot. */
    bool fifo_on = (inb(base + UART_IIR) & 0xc0) == 0xc0;
    outb(base + UART_FCR, fifo_on ? 0xc1 : 0x00);

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

int serial_irq(struct serial_port *port)
{
    int n = 0;
    while (port->present && n < 64) {
        uint32_t head = port->rx_head;
        /* A full ring leaves the bytes in the UART: the sender is held back
         * (flow control) instead of losing input; the reader takes them from
         * the UART once it has emptied the ring. */
        if (head - __atomic_load_n(&port->rx_tail, __ATOMIC_ACQUIRE) == SERIAL_RX_RING)
            break;
        if (!(inb(port->base + UART_LSR) & UART_LSR_DATA_READY))
            break;
        port->rx[head % SERIAL_RX_RING] = inb(port->base + UART_DATA);
        __atomic_store_n(&port->rx_head, head + 1, __ATOMIC_RELEASE);
        n++;
    }
    return n;
}

int serial_getc(struct serial_port *port)
{
    /* With interrupts off, so the receive interrupt cannot move bytes into the
     * ring between our look at the ring and our read of the UART (which would
     * hand out a later byte before earlier ones). */
    uint64_t f = cpu_irq_save();
    int c = -EAGAIN;
    uint32_t tail = port->rx_tail;
    if (tail != __atomic_load_n(&port->rx_head, __ATOMIC_ACQUIRE)) {
        c = port->rx[tail % SERIAL_RX_RING];
        __atomic_store_n(&port->rx_tail, tail + 1, __ATOMIC_RELEASE);
    } else if (port->present && (inb(port->base + UART_LSR) & UART_LSR_DATA_READY)) {
        c = inb(port->base + UART_DATA);
    }
    cpu_irq_restore(f);
    return c;
}

void serial_enable_rx_irq(struct serial_port *port)
{
    if (port->present)
        outb(port->base + UART_IER, 0x01); /* received-data-available interrupt */
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
