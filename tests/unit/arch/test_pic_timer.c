/*
 * test_pic_timer.c - the 8259 driver, IRQ dispatch and the PIT tick, against a
 * small model of the two PICs and the PIT's ports.
 */
#include "cpu_mock.h"
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <check.h>
#include <string.h>

Suite *pic_timer_suite(void);

struct pic_model {
    uint8_t imr[2];   /* mask registers */
    uint8_t isr[2];   /* in-service registers (set by the test) */
    bool read_isr[2]; /* OCW3 selected the ISR for the next command-port read */
    int icw_step[2];  /* 0: idle, 1..3: expecting ICW2..ICW4 */
    uint8_t icw[2][4];
    int eoi[2];
    uint8_t pit_cmd;
    uint8_t pit_data[2];
    int pit_writes;
};

static struct pic_model pm;

static uint32_t pic_io(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    (void)ctx;
    (void)width;
    int chip = (port == PIC2_CMD || port == PIC2_DATA) ? 1 : 0;
    if (port == PIT_CMD_PORT && write) {
        pm.pit_cmd = (uint8_t)val;
        return 0;
    }
    if (port == PIT_CH0_PORT && write) {
        pm.pit_data[pm.pit_writes++ & 1] = (uint8_t)val;
        return 0;
    }
    if (port == PIC1_CMD || port == PIC2_CMD) {
        if (!write)
            return pm.read_isr[chip] ? pm.isr[chip] : 0;
        if (val & 0x10) { /* ICW1 */
            pm.icw[chip][0] = (uint8_t)val;
            pm.icw_step[chip] = 1;
        } else if (val == 0x0b) {
            pm.read_isr[chip] = true;
        } else if (val == PIC_EOI) {
            pm.eoi[chip]++;
        }
        return 0;
    }
    if (port == PIC1_DATA || port == PIC2_DATA) {
        if (!write)
            return pm.imr[chip];
        if (pm.icw_step[chip]) {
            pm.icw[chip][pm.icw_step[chip]] = (uint8_t)val;
            pm.icw_step[chip] = pm.icw_step[chip] == 3 ? 0 : pm.icw_step[chip] + 1;
        } else {
            pm.imr[chip] = (uint8_t)val;
        }
        return 0;
    }
    return 0xff;
}

static void setup(void)
{
    cpu_mock_reset();
    memset(&pm, 0, sizeof(pm));
    cpu_mock_set_device(pic_io, NULL);
    for (int i = 0; i < IRQ_LINES; i++)
        irq_set_handler(i, NULL, NULL);
}

START_TEST(test_init_remaps_and_masks)
{
    pic_init();
    ck_assert_uint_eq(pm.icw[0][0], 0x11);
    ck_assert_uint_eq(pm.icw[0][1], 32); /* master vectors 32-39 */
    ck_assert_uint_eq(pm.icw[1][1], 40); /* slave vectors 40-47 */
    ck_assert_uint_eq(pm.icw[0][2], 0x04);
    ck_assert_uint_eq(pm.icw[1][2], 0x02);
    ck_assert_uint_eq(pm.icw[0][3], 0x01);
    ck_assert_uint_eq(pic_get_mask(), 0xfffb); /* all masked but the cascade */
}
END_TEST

START_TEST(test_mask_unmask_each_line)
{
    pic_init();
    pic_unmask(0);
    pic_unmask(12);
    ck_assert_uint_eq(pic_get_mask(), 0xeffa);
    pic_mask(0);
    pic_mask(12);
    ck_assert_uint_eq(pic_get_mask(), 0xfffb);
    pic_mask(16); /* out of range: ignored */
    pic_unmask(-1);
    ck_assert_uint_eq(pic_get_mask(), 0xfffb);
}
END_TEST

START_TEST(test_eoi_goes_to_the_right_chips)
{
    pic_eoi(3);
    ck_assert_int_eq(pm.eoi[0], 1);
    ck_assert_int_eq(pm.eoi[1], 0);
    pic_eoi(11);
    ck_assert_int_eq(pm.eoi[0], 2);
    ck_assert_int_eq(pm.eoi[1], 1);
}
END_TEST

static int handled;
static void *handled_ctx;

static void irq_handler(void *ctx, struct trap_frame *tf)
{
    (void)tf;
    handled++;
    handled_ctx = ctx;
}

START_TEST(test_dispatch_calls_handler_and_sends_eoi)
{
    int cookie;
    handled = 0;
    ck_assert_int_eq(irq_set_handler(5, irq_handler, &cookie), 0);
    ck_assert_int_eq(irq_set_handler(16, irq_handler, NULL), -EINVAL);
    uint64_t before = irq_count(5);
    struct trap_frame tf = { .vector = TRAP_IRQ_BASE + 5 };
    irq_dispatch(&tf);
    ck_assert_int_eq(handled, 1);
    ck_assert_ptr_eq(handled_ctx, &cookie);
    ck_assert_int_eq(pm.eoi[0], 1);
    ck_assert_uint_eq(irq_count(5), before + 1);
    ck_assert_uint_eq(irq_count(99), 0);
    /* a line with no handler still gets its EOI, or the PIC would stall */
    tf.vector = TRAP_IRQ_BASE + 9;
    irq_dispatch(&tf);
    ck_assert_int_eq(pm.eoi[0], 2);
    ck_assert_int_eq(pm.eoi[1], 1);
    /* a vector outside the PIC's range is ignored */
    tf.vector = 3;
    irq_dispatch(&tf);
    ck_assert_int_eq(pm.eoi[0], 2);
}
END_TEST

START_TEST(test_spurious_irq7_and_irq15)
{
    handled = 0;
    irq_set_handler(7, irq_handler, NULL);
    irq_set_handler(15, irq_handler, NULL);
    uint64_t sp = irq_spurious_count();
    struct trap_frame tf = { .vector = TRAP_IRQ_BASE + 7 };
    irq_dispatch(&tf); /* ISR bit 7 clear: spurious, no EOI, no handler */
    ck_assert_int_eq(handled, 0);
    ck_assert_int_eq(pm.eoi[0], 0);
    ck_assert_uint_eq(irq_spurious_count(), sp + 1);

    pm.isr[0] = 0x80; /* now a real IRQ 7 */
    irq_dispatch(&tf);
    ck_assert_int_eq(handled, 1);
    ck_assert_int_eq(pm.eoi[0], 1);

    tf.vector = TRAP_IRQ_BASE + 15; /* spurious from the slave: master still needs its EOI */
    irq_dispatch(&tf);
    ck_assert_int_eq(handled, 1);
    ck_assert_int_eq(pm.eoi[0], 2);
    ck_assert_int_eq(pm.eoi[1], 0);
    ck_assert_uint_eq(irq_spurious_count(), sp + 2);
    ck_assert(!pic_check_spurious(3));
}
END_TEST

START_TEST(test_pit_programming)
{
    pic_init();
    ck_assert_uint_eq(pit_init(1000), 1193);
    ck_assert_uint_eq(pm.pit_cmd, 0x34);
    ck_assert_uint_eq(pm.pit_data[0], 1193 & 0xff);
    ck_assert_uint_eq(pm.pit_data[1], 1193 >> 8);
    ck_assert(!(pic_get_mask() & 1)); /* IRQ 0 unmasked */
    ck_assert_uint_eq(timer_rate_mhz(), 1000152);
    ck_assert_uint_eq(pit_init(0), 4773);  /* 0 means the default rate, 250 Hz */
    ck_assert_uint_eq(pit_init(1), 65536); /* clamped to the slowest rate */
    ck_assert_uint_eq(pm.pit_data[0], 0);
    ck_assert_uint_eq(pm.pit_data[1], 0); /* 65536 is written as 0 */
    ck_assert_uint_eq(pit_init(5000000), 1);
}
END_TEST

static uint64_t hook_ticks;

static void tick_hook(uint64_t t)
{
    hook_ticks = t;
}

START_TEST(test_ticks_and_uptime)
{
    pit_init(1000);
    ck_assert_uint_eq(timer_ticks(), 0);
    ck_assert_ptr_null(timer_set_tick_hook(tick_hook));
    struct trap_frame tf = { .vector = TRAP_IRQ_BASE + PIT_IRQ };
    for (int i = 0; i < 2000; i++)
        irq_dispatch(&tf);
    ck_assert_ptr_eq(timer_set_tick_hook(NULL), tick_hook);
    ck_assert_uint_eq(timer_ticks(), 2000);
    ck_assert_uint_eq(hook_ticks, 2000);
    ck_assert_uint_eq(timer_uptime_ms(), 1999); /* 2000 ticks of 0.99985 ms */
    pit_init(100);
    for (int i = 0; i < 100; i++)
        timer_tick();
    ck_assert_uint_eq(timer_uptime_ms(), 1000); /* divisor 11932: 100 ticks = 1000.0016 ms */
}
END_TEST

static int hlts;

static void tick_on_hlt(void)
{
    hlts++;
    timer_tick();
}

START_TEST(test_sleep_halts_until_enough_ticks)
{
    pit_init(1000);
    cpu_mock_set_hlt_hook(tick_on_hlt);
    cpu_sti();
    hlts = 0;
    ck_assert_int_eq(timer_sleep_ms(10), 0);
    /* at least 10 ms, at most one tick more (rounding up the partial tick) */
    ck_assert_int_ge(hlts, 11);
    ck_assert_int_le(hlts, 12);
    ck_assert_int_eq(timer_sleep_ms(0), 0);
    cpu_cli();
    ck_assert_int_eq(timer_sleep_ms(5), -EINVAL);
}
END_TEST

static uint64_t slept;

static void sleep_hook(uint64_t ms)
{
    slept = ms;
}

START_TEST(test_sleep_hook_takes_over)
{
    cpu_sti();
    timer_set_sleep_hook(sleep_hook);
    ck_assert_int_eq(timer_sleep_ms(42), 0);
    ck_assert_uint_eq(slept, 42);
    timer_set_sleep_hook(NULL);
}
END_TEST

/* PIT channel 2 and the gate port: the output bit rises after @c polls_left
 * reads of port 0x61 once the count has been written. Each command (port
 * 0x43) starts a new measurement with @c polls reads (if set), the first
 * @c late of them seeing the output rise @c late_cycles after it did (the
 * TSC jumps: a CPU that was not running). @c runs counts the commands. */
struct pit2 {
    int polls_left;
    uint8_t gate;
    uint16_t count;
    int count_bytes;
    bool armed, restored;
    int polls, late, runs;
    uint64_t late_cycles;
};

static uint32_t pit2_device(void *ctx, uint16_t port, int width, bool write, uint32_t val)
{
    struct pit2 *p = ctx;
    if (port == 0x61) {
        if (write) {
            p->restored = p->armed && val == 0x4c; /* the caller's original value back */
            p->gate = (uint8_t)val;
            return 0;
        }
        if (p->armed && p->polls_left > 0 && --p->polls_left == 0 && p->runs <= p->late)
            cpu_mock_advance_tsc(p->late_cycles);
        return (uint32_t)(p->gate & 0xdf) | (p->armed && p->polls_left == 0 ? 0x20 : 0);
    }
    if (port == 0x43 && write) {
        ck_assert_uint_eq(val, 0xb0); /* channel 2, lo/hi, mode 0 */
        p->runs++;
        p->count = 0;
        p->count_bytes = 0;
        p->armed = false;
        if (p->polls)
            p->polls_left = p->polls;
    }
    if (port == 0x42 && write) {
        p->count |= (uint16_t)(val << (8 * p->count_bytes++));
        p->armed = p->count_bytes == 2;
        ck_assert_uint_eq(p->gate & 0x03, 0x01); /* gate on, speaker off */
    }
    return 0;
}

START_TEST(test_tsc_calibration_polls_channel_2)
{
    struct pit2 p = { .polls_left = 50, .gate = 0x4c };
    cpu_mock_set_device(pit2_device, &p);
    uint64_t rate = timer_calibrate_tsc(10);
    /* The mock TSC advances 100 per read. Read around the count's high byte
     * (100, 200: start 150), then before each poll: the 49th low poll at
     * 5100, the 50th high one at 5200, then 5300 (end 5200). 5050 cycles
     * over 10 ms. */
    ck_assert_uint_eq(p.count, PIT_BASE_HZ / 1000 * 10);
    ck_assert_uint_eq(rate, 505);
    ck_assert(p.restored);
    ck_assert_uint_eq(timer_calibrate_tsc(0), 0);
    ck_assert_uint_eq(timer_calibrate_tsc(51), 0);
}
END_TEST

START_TEST(test_tsc_clock_counts_from_init)
{
    /* 4000 polls of 100 cycles over 5 ms (start 50 cycles before the last
     * count write's reading, end 400000 after it): spread 300 cycles, under
     * 0.1% of the interval, so one measurement is enough. */
    struct pit2 p = { .polls = 4000, .gate = 0 };
    cpu_mock_set_device(pit2_device, &p);
    uint64_t rate = timer_tsc_init(); /* 400050 / 5 */
    ck_assert_uint_eq(rate, 80010);
    ck_assert_int_eq(p.runs, 1);
    ck_assert_uint_eq(timer_tsc_per_ms(), 80010);
    uint64_t a = timer_now_ns(), b = timer_now_ns();
    /* one mock read, 100 cycles: 1249.8 ns, each reading rounded down */
    ck_assert_uint_ge(b - a, 100ull * 1000000 / 80010);
    ck_assert_uint_le(b - a, 100ull * 1000000 / 80010 + 1);
    timer_set_epoch(1796152828);
    ck_assert(timer_has_epoch());
    ck_assert_uint_eq(timer_epoch(), 1796152828);
    uint64_t r = timer_realtime_s();
    ck_assert_uint_ge(r, 1796152828);
    ck_assert_uint_lt(r, 1796152828 + 60);
}
END_TEST

START_TEST(test_tsc_calibration_skips_late_measurements)
{
    /* The first two measurements see the output rise 10^6 cycles late (the
     * CPU was not running): they are measured again, and the third, whose
     * spread is small, gives the rate. Taken as it came, the first would
     * have made it (400050 + 10^6 / 2) / 5 = 180010, 2.25 times too high. */
    struct pit2 p = { .polls = 4000, .late = 2, .late_cycles = 1000000, .gate = 0 };
    cpu_mock_set_device(pit2_device, &p);
    ck_assert_uint_eq(timer_tsc_init(), 80010);
    ck_assert_int_eq(p.runs, 3);
    /* Always late: six measurements, and the least uncertain of them (all
     * alike here: the first) is kept. */
    struct pit2 q = { .polls = 4000, .late = 100, .late_cycles = 1000000, .gate = 0 };
    cpu_mock_set_device(pit2_device, &q);
    ck_assert_uint_eq(timer_tsc_init(), 180010);
    ck_assert_int_eq(q.runs, 6);
}
END_TEST

START_TEST(test_tsc_calibration_gives_up_without_a_pit)
{
    /* A channel 2 whose output never rises (broken or absent): the wait is
     * bounded by a count of reads, and ends with 0. */
    struct pit2 p = { .polls_left = 0x7fffffff, .gate = 0 };
    cpu_mock_set_device(pit2_device, &p);
    ck_assert_uint_eq(timer_calibrate_tsc(1), 0);
}
END_TEST

Suite *pic_timer_suite(void)
{
    Suite *s = suite_create("pic_timer");
    TCase *tc = tcase_create("pic");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_init_remaps_and_masks);
    tcase_add_test(tc, test_mask_unmask_each_line);
    tcase_add_test(tc, test_eoi_goes_to_the_right_chips);
    tcase_add_test(tc, test_dispatch_calls_handler_and_sends_eoi);
    tcase_add_test(tc, test_spurious_irq7_and_irq15);
    suite_add_tcase(s, tc);
    TCase *pit = tcase_create("pit");
    tcase_add_checked_fixture(pit, setup, NULL);
    tcase_add_test(pit, test_pit_programming);
    tcase_add_test(pit, test_ticks_and_uptime);
    tcase_add_test(pit, test_sleep_halts_until_enough_ticks);
    tcase_add_test(pit, test_sleep_hook_takes_over);
    tcase_add_test(pit, test_tsc_calibration_polls_channel_2);
    tcase_add_test(pit, test_tsc_clock_counts_from_init);
    tcase_set_timeout(pit, 60);
    tcase_add_test(pit, test_tsc_calibration_skips_late_measurements);
    tcase_add_test(pit, test_tsc_calibration_gives_up_without_a_pit);
    suite_add_tcase(s, pit);
    return s;
}
