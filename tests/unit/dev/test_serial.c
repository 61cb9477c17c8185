/*
 * test_serial.c - the 16550 driver against a simulated UART.
 */
#include "cpu_mock.h"
#include <k/errno.h>
#include <check.h>
#include <dev/serial.h>
#include <string.h>

Suite *serial_suite(void);

/* A small 16550 model: registers, divisor latch, loopback, a tx log, an rx queue. */
struct uart {
    uint16_t base;
    uint8_t lcr, mcr, ier, fcr;
    uint16_t divisor;
    uint8_t scr;         /* scratch register */
    bool absent;         /* no UART: the bus floats (reads 0xff), writes vanish */
    const char *late_rx; /* bytes that arrive while init programs the line */
    int tx_busy_polls;   /* LSR reads before THR reports empty */
    char tx[256];
    size_t ntx;
    char rx[16];
    size_t nrx;
};

static uint32_t uart_io(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    struct uart *u = ctx;
    if (port < u->base || port > u->base + 7 || u->absent)
        return 0xff;
    int reg = port - u->base;
    bool dlab = u->lcr & 0x80;
    if (write) {
        switch (reg) {
        case UART_DATA:
            if (dlab)
                u->divisor = (uint16_t)((u->divisor & 0xff00) | val);
            else if (u->ntx < sizeof(u->tx))
                u->tx[u->ntx++] = (char)val;
            break;
        case UART_IER:
            if (dlab)
                u->divisor = (uint16_t)((u->divisor & 0xff) | val << 8);
            else
                u->ier = (uint8_t)val;
            break;
        case UART_FCR:
            u->fcr = (uint8_t)val;
            break;
        case UART_LCR:
            u->lcr = (uint8_t)val;
            if (u->late_rx) {
                size_t n = strlen(u->late_rx);
                memcpy(u->rx + u->nrx, u->late_rx, n);
                u->nrx += n;
                u->late_rx = NULL;
            }
            break;
        case UART_MCR:
            u->mcr = (uint8_t)val;
            break;
        case UART_SCR:
            u->scr = (uint8_t)val;
            break;
        }
        return 0;
    }
    switch (reg) {
    case UART_DATA:
        if (u->nrx) {
            uint8_t c = (uint8_t)u->rx[0];
            memmove(u->rx, u->rx + 1, --u->nrx);
            return c;
        }
        return 0;
    case UART_LSR: {
        uint8_t lsr = 0;
        if (u->tx_busy_polls > 0)
            u->tx_busy_polls--;
        else
            lsr |= UART_LSR_THR_EMPTY;
        if (u->nrx)
            lsr |= UART_LSR_DATA_READY;
        return lsr;
    }
    case UART_IIR:
        return (u->fcr & 1) ? 0xc1 : 0x01; /* FIFOs on: bits 6-7 */
    case UART_SCR:
        return u->scr;
    default:
        return 0;
    }
}

static struct uart u;
static struct serial_port port;

static void setup(void)
{
    cpu_mock_reset();
    memset(&u, 0, sizeof(u));
    u.base = SERIAL_COM1;
    cpu_mock_set_device(uart_io, &u);
}

START_TEST(test_init_programs_8n1_and_baud)
{
    ck_assert_int_eq(serial_init(&port, SERIAL_COM1, 115200), 0);
    ck_assert(port.present);
    ck_assert_uint_eq(u.divisor, 1);
    ck_assert_uint_eq(u.lcr, 0x03); /* 8N1, DLAB off again */
    ck_assert_uint_eq(u.ier, 0);    /* polled */
    ck_assert_uint_eq(u.mcr, 0x0f); /* out of loopback */
    ck_assert_uint_eq(u.fcr, 0);    /* FIFOs were off: left off, nothing cleared */
    ck_assert_int_eq(serial_init(&port, SERIAL_COM1, 9600), 0);
    ck_assert_uint_eq(u.divisor, 12);
}
END_TEST

START_TEST(test_init_keeps_fifos_on_without_clearing)
{
    u.fcr = 0xc1; /* the firmware turned the FIFOs on */
    ck_assert_int_eq(serial_init(&port, SERIAL_COM1, 115200), 0);
    ck_assert_uint_eq(u.fcr, 0xc1); /* still on; the clear bits (1, 2) not set */
}
END_TEST

START_TEST(test_input_arriving_during_init_is_kept)
{
    /* "x" was waiting before init and "yz" arrive while it runs: the presence
     * test must not consume or disturb them. */
    memcpy(u.rx, "x", 1);
    u.nrx = 1;
    u.late_rx = "yz";
    ck_assert_int_eq(serial_init(&port, SERIAL_COM1, 115200), 0);
    ck_assert(port.present);
    ck_assert_int_eq(serial_getc(&port), 'x');
    ck_assert_int_eq(serial_getc(&port), 'y');
    ck_assert_int_eq(serial_getc(&port), 'z');
    ck_assert_int_eq(serial_getc(&port), -EAGAIN);
}
END_TEST

START_TEST(test_init_rejects_bad_baud)
{
    ck_assert_int_eq(serial_init(&port, SERIAL_COM1, 0), -EINVAL);
    ck_assert_int_eq(serial_init(&port, SERIAL_COM1, 7), -EINVAL);
    ck_assert_int_eq(serial_init(&port, SERIAL_COM1, 230400), -EINVAL);
    ck_assert(!port.present);
}
END_TEST

START_TEST(test_missing_uart_is_detected_and_ignored)
{
    u.absent = true;
    ck_assert_int_eq(serial_init(&port, SERIAL_COM1, 115200), -ENODEV);
    ck_assert(!port.present);
    serial_write(&port, "lost", 4);
    ck_assert_uint_eq(u.ntx, 0);
    ck_assert_int_eq(serial_getc(&port), -EAGAIN);
}
END_TEST

START_TEST(test_write_translates_newlines_and_waits)
{
    serial_init(&port, SERIAL_COM1, 115200);
    u.tx_busy_polls = 5;
    serial_write(&port, "a\nb", 3);
    ck_assert_uint_eq(u.ntx, 4);
    ck_assert_int_eq(memcmp(u.tx, "a\r\nb", 4), 0);
}
END_TEST

START_TEST(test_wedged_transmitter_does_not_hang)
{
    serial_init(&port, SERIAL_COM1, 115200);
    u.tx_busy_polls = 1 << 30; /* never ready */
    serial_putc(&port, 'x');   /* gives up after a bounded wait */
    ck_assert_uint_eq(u.ntx, 1);
}
END_TEST

START_TEST(test_bytes_typed_before_init_are_kept)
{
    memcpy(u.rx, "ab", 2);
    u.nrx = 2;
    ck_assert_int_eq(serial_init(&port, SERIAL_COM1, 115200), 0);
    ck_assert_int_eq(serial_getc(&port), 'a');
    ck_assert_int_eq(serial_getc(&port), 'b');
    ck_assert_int_eq(serial_getc(&port), -EAGAIN);
}
END_TEST

START_TEST(test_rx_interrupt_enable)
{
    serial_init(&port, SERIAL_COM1, 115200);
    ck_assert_uint_eq(u.ier, 0);
    serial_enable_rx_irq(&port);
    ck_assert_uint_eq(u.ier, 1);
    struct serial_port absent = { .base = SERIAL_COM2, .present = false };
    serial_enable_rx_irq(&absent); /* no UART: nothing written */
}
END_TEST

START_TEST(test_rx_ring_keeps_typed_ahead_bytes)
{
    serial_init(&port, SERIAL_COM1, 115200);
    memcpy(u.rx, "abc", 3);
    u.nrx = 3;
    ck_assert_int_eq(serial_irq(&port), 3); /* the interrupt drains the UART */
    ck_assert_uint_eq(u.nrx, 0);
    memcpy(u.rx, "d", 1);
    u.nrx = 1;
    ck_assert_int_eq(serial_getc(&port), 'a'); /* ring first, in order */
    ck_assert_int_eq(serial_getc(&port), 'b');
    ck_assert_int_eq(serial_getc(&port), 'c');
    ck_assert_int_eq(serial_getc(&port), 'd'); /* then the UART itself */
    ck_assert_int_eq(serial_getc(&port), -EAGAIN);
    /* a full ring leaves the rest in the UART: nothing is lost */
    for (int i = 0; i < SERIAL_RX_RING; i++) {
        u.rx[0] = (char)i;
        u.nrx = 1;
        ck_assert_int_eq(serial_irq(&port), 1);
    }
    memcpy(u.rx, "xy", 2);
    u.nrx = 2;
    ck_assert_int_eq(serial_irq(&port), 0);
    ck_assert_uint_eq(u.nrx, 2);
    for (int i = 0; i < SERIAL_RX_RING; i++)
        ck_assert_int_eq(serial_getc(&port), i & 0xff);
    ck_assert_int_eq(serial_getc(&port), 'x');
    ck_assert_int_eq(serial_getc(&port), 'y');
}
END_TEST

START_TEST(test_getc_and_console_ops)
{
    serial_init(&port, SERIAL_COM1, 115200);
    ck_assert_int_eq(serial_getc(&port), -EAGAIN);
    memcpy(u.rx, "hi\xff", 3);
    u.nrx = 3;
    ck_assert_int_eq(serial_console_ops.getc(&port), 'h');
    ck_assert_int_eq(serial_getc(&port), 'i');
    ck_assert_int_eq(serial_getc(&port), 0xff); /* bytes are 0..255, never negative */
    ck_assert_int_eq(serial_getc(&port), -EAGAIN);
    serial_console_ops.write(&port, "ok\n", 3);
    ck_assert_int_eq(memcmp(u.tx, "ok\r\n", 4), 0);
}
END_TEST

Suite *serial_suite(void)
{
    Suite *s = suite_create("serial");
    TCase *tc = tcase_create("16550");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_init_programs_8n1_and_baud);
    tcase_add_test(tc, test_init_keeps_fifos_on_without_clearing);
    tcase_add_test(tc, test_input_arriving_during_init_is_kept);
    tcase_add_test(tc, test_init_rejects_bad_baud);
    tcase_add_test(tc, test_missing_uart_is_detected_and_ignored);
    tcase_add_test(tc, test_write_translates_newlines_and_waits);
    tcase_add_test(tc, test_wedged_transmitter_does_not_hang);
    tcase_add_test(tc, test_bytes_typed_before_init_are_kept);
    tcase_add_test(tc, test_rx_interrupt_enable);
    tcase_add_test(tc, test_rx_ring_keeps_typed_ahead_bytes);
    tcase_add_test(tc, test_getc_and_console_ops);
    suite_add_tcase(s, tc);
    return s;
}
