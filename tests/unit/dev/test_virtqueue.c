/*
 * test_virtqueue.c - split virtqueues, the DMA pool, the waiter, MMIO access and
 * shared interrupt lines.
 */
#include "cpu_mock.h"
#include "virtio_dma.h"
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <check.h>
#include <dev/dma.h>
#include <dev/irq.h>
#include <dev/mmio.h>
#include <dev/virtqueue.h>
#include <dev/wait.h>
#include <string.h>

Suite *virtqueue_suite(void);

static struct virtio_dma_arena arena;
static struct dma_pool pool;
static struct virtqueue vq;
static int notified;

static void notify(struct virtqueue *q)
{
    (void)q;
    notified++;
}

static void setup(void)
{
    cpu_mock_reset();
    virtio_dma_init(&arena, 1 << 20);
    dma_pool_init(&pool, &virtio_dma_ops, &arena);
    notified = 0;
}

static void teardown(void)
{
    dma_pool_drain(&pool);
    ck_assert_uint_eq(pool.outstanding, 0);
    ck_assert_uint_eq(arena.in_use, 0);
    virtio_dma_destroy(&arena);
}

/* Act as the device: complete the chain at avail position @pos with @len. */
static void device_complete(struct virtqueue *q, uint16_t pos, uint32_t len)
{
    uint16_t head = q->avail->ring[pos & (q->size - 1)];
    struct virtq_used_elem *e = &q->used->ring[q->used->idx & (q->size - 1)];
    e->id = head;
    e->len = len;
    q->used->idx++;
}

START_TEST(test_init_layout)
{
    ck_assert_int_eq(virtqueue_init(&vq, 0, 0, &pool), -EINVAL);
    ck_assert_int_eq(virtqueue_init(&vq, 0, 12, &pool), -EINVAL);
    ck_assert_int_eq(virtqueue_init(&vq, 0, 2048, &pool), -EINVAL);
    ck_assert_int_eq(virtqueue_init(&vq, 0, 8, NULL), -EINVAL);
    ck_assert_int_eq(virtqueue_init(&vq, 3, 256, &pool), 0);
    ck_assert_uint_eq(vq.index, 3);
    ck_assert_uint_eq(vq.num_free, 256);
    ck_assert_uint_eq(vq.desc_phys % 4096, 0);
    ck_assert_uint_eq(vq.avail_phys, vq.desc_phys + 16 * 256);
    ck_assert_uint_eq(vq.used_phys % 4096, 0);
    ck_assert_uint_ge(vq.used_phys, vq.avail_phys + 6 + 2 * 256);
    ck_assert_ptr_eq(virtio_dma_virt(&arena, vq.used_phys, 8), vq.used);
    ck_assert_uint_eq(virtqueue_ring_bytes(256), 3 * 4096);
    ck_assert_uint_eq(virtqueue_ring_bytes(1), 2 * 4096);
    virtqueue_destroy(&vq);
    virtqueue_destroy(&vq); /* twice is harmless */
    arena.fail_after = 0;
    ck_assert_int_eq(virtqueue_init(&vq, 0, 8, &pool), -ENOMEM);
}
END_TEST

START_TEST(test_chains_and_free_list)
{
    ck_assert_int_eq(virtqueue_init(&vq, 0, 8, &pool), 0);
    vq.notify = notify;
    struct virtq_buf b[4] = { { 0x1000, 16 }, { 0x2000, 512 }, { 0x3000, 512 }, { 0x4000, 1 } };
    int tok1, tok2, tok3;
    ck_assert_int_eq(virtqueue_add(&vq, b, 1, 3, &tok1), 0);
    ck_assert_uint_eq(vq.num_free, 4);
    uint16_t h = vq.avail->ring[0];
    ck_assert_uint_eq(vq.desc[h].flags, VIRTQ_DESC_F_NEXT);
    uint16_t d1 = vq.desc[h].next;
    ck_assert_uint_eq(vq.desc[d1].flags, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE);
    ck_assert_uint_eq(vq.desc[d1].addr, 0x2000);
    uint16_t d3 = vq.desc[vq.desc[d1].next].next;
    ck_assert_uint_eq(vq.desc[d3].flags, VIRTQ_DESC_F_WRITE);
    ck_assert_uint_eq(vq.desc[d3].len, 1);
    ck_assert_uint_eq(vq.avail->idx, 1);

    ck_assert_int_eq(virtqueue_add(&vq, b, 3, 1, &tok2), 0);
    ck_assert_int_eq(virtqueue_add(&vq, b, 1, 0, &tok3), -ENOSPC);
    ck_assert_int_eq(virtqueue_add(&vq, b, 0, 0, &tok3), -EINVAL);
    ck_assert_int_eq(virtqueue_add(&vq, b, 1, 0, NULL), -EINVAL);
    ck_assert(virtqueue_kick(&vq));
    ck_assert_int_eq(notified, 1);

    ck_assert(!virtqueue_has_used(&vq));
    ck_assert_ptr_null(virtqueue_get_used(&vq, NULL));
    /* Out of order: the second chain finishes first. */
    device_complete(&vq, 1, 0);
    device_complete(&vq, 0, 1025);
    uint32_t len = 0;
    ck_assert_ptr_eq(virtqueue_get_used(&vq, &len), &tok2);
    ck_assert_uint_eq(len, 0);
    ck_assert_uint_eq(vq.num_free, 4);
    ck_assert_ptr_eq(virtqueue_get_used(&vq, &len), &tok1);
    ck_assert_uint_eq(len, 1025);
    ck_assert_uint_eq(vq.num_free, 8);

    /* The whole table is usable again, as one chain of 8. */
    struct virtq_buf eight[8];
    for (int i = 0; i < 8; i++)
        eight[i] = (struct virtq_buf){ 0x1000u * (i + 1), 4 };
    ck_assert_int_eq(virtqueue_add(&vq, eight, 4, 4, &tok3), 0);
    ck_assert_uint_eq(vq.num_free, 0);
    device_complete(&vq, 2, 4);
    ck_assert_ptr_eq(virtqueue_get_used(&vq, NULL), &tok3);
    ck_assert_uint_eq(vq.num_free, 8);
    virtqueue_destroy(&vq);
}
END_TEST

START_TEST(test_device_bugs_are_ignored)
{
    ck_assert_int_eq(virtqueue_init(&vq, 0, 4, &pool), 0);
    struct virtq_buf b = { 0x1000, 8 };
    int tok;
    ck_assert_int_eq(virtqueue_add(&vq, &b, 1, 0, &tok), 0);
    vq.used->ring[0] = (struct virtq_used_elem){ 99, 0 }; /* out of range */
    vq.used->ring[1] = (struct virtq_used_elem){ 2, 0 };  /* not in flight */
    vq.used->ring[2] = (struct virtq_used_elem){ 0, 0 };  /* the real one */
    vq.used->idx = 3;
    ck_assert_ptr_eq(virtqueue_get_used(&vq, NULL), &tok);
    ck_assert_uint_eq(vq.bad_used, 2);
    ck_assert_uint_eq(vq.num_free, 4);
    vq.used->ring[3] = (struct virtq_used_elem){ 0, 0 }; /* completed twice */
    vq.used->idx = 4;
    ck_assert_ptr_null(virtqueue_get_used(&vq, NULL));
    ck_assert_uint_eq(vq.bad_used, 3);
    virtqueue_destroy(&vq);
}
END_TEST

START_TEST(test_wraparound_and_suppression)
{
    ck_assert_int_eq(virtqueue_init(&vq, 0, 4, &pool), 0);
    vq.notify = notify;
    /* Start both indices just below the 16-bit wrap, as after a long uptime. */
    vq.avail->idx = 65533;
    vq.used->idx = 65533;
    vq.last_used = 65533;
    int toks[3];
    for (int round = 0; round < 40; round++) {
        struct virtq_buf b[2] = { { 0x1000, 16 }, { 0x2000, 1 } };
        for (int i = 0; i < 2; i++)
            ck_assert_int_eq(virtqueue_add(&vq, b, 1, 1, &toks[i]), 0);
        ck_assert_int_eq(virtqueue_add(&vq, b, 1, 1, &toks[2]), -ENOSPC);
        virtqueue_kick(&vq);
        uint16_t base = (uint16_t)(vq.avail->idx - 2);
        device_complete(&vq, (uint16_t)(base + 1), 1);
        device_complete(&vq, base, 1);
        ck_assert_ptr_eq(virtqueue_get_used(&vq, NULL), &toks[1]);
        ck_assert_ptr_eq(virtqueue_get_used(&vq, NULL), &toks[0]);
        ck_assert_uint_eq(vq.num_free, 4);
    }
    ck_assert_uint_eq(vq.avail->idx, (uint16_t)(65533 + 80));
    ck_assert_int_eq(notified, 40);
    vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;
    ck_assert(!virtqueue_kick(&vq));
    ck_assert_int_eq(notified, 40);
    vq.notify = NULL;
    vq.used->flags = 0;
    ck_assert(virtqueue_kick(&vq));
    virtqueue_set_interrupts(&vq, false);
    ck_assert_uint_eq(vq.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
    virtqueue_set_interrupts(&vq, true);
    ck_assert_uint_eq(vq.avail->flags, 0);
    virtqueue_destroy(&vq);
}
END_TEST

START_TEST(test_dma_pool_reuse)
{
    uint64_t p1, p2, p3;
    void *v1, *v2, *v3;
    ck_assert_int_eq(dma_alloc(&pool, 0, &p1, &v1), -EINVAL);
    ck_assert_int_eq(dma_alloc(&pool, 3 * 4096 + 1, &p1, &v1), 0);
    ck_assert_uint_eq(p1 % 4096, 0);
    ck_assert_uint_eq(arena.in_use, 4);
    memset(v1, 0xab, 4 * 4096);
    dma_free(&pool, p1, v1, 3 * 4096 + 1);
    ck_assert_uint_eq(arena.in_use, 4); /* cached, not returned */
    ck_assert_int_eq(dma_alloc(&pool, 4096, &p2, &v2), 0);
    ck_assert_uint_ne(p2, p1); /* different size: fresh */
    ck_assert_int_eq(dma_alloc(&pool, 4 * 4096, &p3, &v3), 0);
    ck_assert_uint_eq(p3, p1); /* same size: reused, and zeroed */
    ck_assert_uint_eq(((uint8_t *)v3)[100], 0);
    ck_assert_uint_eq(pool.reuses, 1);
    ck_assert_uint_eq(pool.allocs, 2);
    dma_free(&pool, p2, v2, 4096);
    dma_free(&pool, p3, v3, 4 * 4096);
    dma_free(&pool, 0, NULL, 4096); /* ignored */
    ck_assert_uint_eq(pool.outstanding, 0);

    /* More frees than the cache holds go straight back. */
    uint64_t ps[DMA_POOL_CACHE + 4];
    void *vs[DMA_POOL_CACHE + 4];
    for (int i = 0; i < DMA_POOL_CACHE + 4; i++)
        ck_assert_int_eq(dma_alloc(&pool, 8192, &ps[i], &vs[i]), 0);
    for (int i = 0; i < DMA_POOL_CACHE + 4; i++)
        dma_free(&pool, ps[i], vs[i], 8192);
    ck_assert_uint_eq(arena.in_use, 1 + 4 + (DMA_POOL_CACHE - 2) * 2);
    ck_assert_uint_eq(arena.frees, 6);
    arena.fail_after = 0;
    ck_assert_int_eq(dma_alloc(&pool, 3 * 4096, &p1, &v1), -ENOMEM);
    struct dma_pool none;
    dma_pool_init(&none, NULL, NULL);
    ck_assert_int_eq(dma_alloc(&none, 4096, &p1, &v1), -EINVAL);
}
END_TEST

static int polls_until_done;

static bool done_after(void *arg)
{
    (void)arg;
    return --polls_until_done <= 0;
}

static bool tick_never_done(void *arg)
{
    (void)arg;
    timer_tick();
    return false;
}

static int hlts;

static void count_hlt(void)
{
    hlts++;
}

START_TEST(test_poll_waiter)
{
    struct dev_poll_waiter w = { .max_spins = 100 };
    polls_until_done = 5;
    ck_assert_int_eq(dev_wait_poll(&w, done_after, NULL, 1000), 0);
    ck_assert_uint_eq(w.spins, 4);
    polls_until_done = 1000;
    ck_assert_int_eq(dev_wait_poll(&w, done_after, NULL, 1000), -ETIMEDOUT);
    /* HLT only when interrupts are on. */
    cpu_mock_set_hlt_hook(count_hlt);
    w.use_hlt = true;
    hlts = 0;
    polls_until_done = 3;
    ck_assert_int_eq(dev_wait_poll(&w, done_after, NULL, 1000), 0);
    ck_assert_int_eq(hlts, 0);
    cpu_sti();
    polls_until_done = 3;
    ck_assert_int_eq(dev_wait_poll(&w, done_after, NULL, 1000), 0);
    ck_assert_int_eq(hlts, 1); /* polled, re-checked with interrupts off, halted once */
    ck_assert(cpu_mock_irq_enabled());
    polls_until_done = 2; /* done at the re-check: no halt, interrupts back on */
    ck_assert_int_eq(dev_wait_poll(&w, done_after, NULL, 1000), 0);
    ck_assert_int_eq(hlts, 1);
    ck_assert(cpu_mock_irq_enabled());
    /* The time bound: each poll lets a millisecond pass. */
    cpu_cli();
    cpu_mock_set_hlt_hook(NULL);
    pit_init(1000);
    w.max_spins = 1u << 30;
    w.use_hlt = false;
    w.spins = 0;
    ck_assert_int_eq(dev_wait_poll(&w, tick_never_done, NULL, 5), -ETIMEDOUT);
    ck_assert_uint_ge(w.spins, 5);
    ck_assert_uint_le(w.spins, 8);
    polls_until_done = 1;
    ck_assert_int_eq(dev_wait_poll(NULL, done_after, NULL, 10), 0);
}
END_TEST

START_TEST(test_mmio_direct)
{
    uint32_t reg[4] = { 0 };
    mmio_write8(NULL, &reg[0], 0x12);
    mmio_write16(NULL, &reg[1], 0x3456);
    mmio_write32(NULL, &reg[2], 0x789abcde);
    ck_assert_uint_eq(mmio_read8(NULL, &reg[0]), 0x12);
    ck_assert_uint_eq(mmio_read16(NULL, &reg[1]), 0x3456);
    ck_assert_uint_eq(mmio_read32(NULL, &reg[2]), 0x789abcde);
    struct mmio_bus direct = { 0 };
    mmio_write64(&direct, &reg[2], 0x1122334455667788ull);
    ck_assert_uint_eq(reg[2], 0x55667788);
    ck_assert_uint_eq(reg[3], 0x11223344);
}
END_TEST

static int shared_calls[2];

static void shared_a(void *ctx)
{
    (void)ctx;
    shared_calls[0]++;
}

static void shared_b(void *ctx)
{
    (void)ctx;
    shared_calls[1]++;
}

START_TEST(test_shared_irq_lines)
{
    struct dev_irq_action a, b;
    shared_calls[0] = shared_calls[1] = 0;
    ck_assert_int_eq(dev_irq_attach(&a, 16, shared_a, NULL), -EINVAL);
    ck_assert_int_eq(dev_irq_attach(&a, IRQ_CASCADE, shared_a, NULL), -EINVAL);
    ck_assert_int_eq(dev_irq_attach(&a, 10, NULL, NULL), -EINVAL);
    ck_assert_int_eq(dev_irq_attach(&a, 10, shared_a, NULL), 0);
    ck_assert_int_eq(dev_irq_attach(&b, 10, shared_b, NULL), 0);
    struct trap_frame tf = { 0 };
    tf.vector = TRAP_IRQ_BASE + 10;
    irq_dispatch(&tf);
    ck_assert_int_eq(shared_calls[0], 1);
    ck_assert_int_eq(shared_calls[1], 1);
    ck_assert_int_eq(dev_irq_detach(&a), 0);
    ck_assert_int_eq(dev_irq_detach(&a), -ENOENT);
    irq_dispatch(&tf);
    ck_assert_int_eq(shared_calls[0], 1);
    ck_assert_int_eq(shared_calls[1], 2);
    ck_assert_uint_eq(b.count, 2);
    ck_assert_int_eq(dev_irq_detach(&b), 0);
    irq_dispatch(&tf);
    ck_assert_int_eq(shared_calls[1], 2);
    struct dev_irq_action never = { .irq = -1 };
    ck_assert_int_eq(dev_irq_detach(&never), -ENOENT);
}
END_TEST

Suite *virtqueue_suite(void)
{
    Suite *s = suite_create("virtqueue");
    TCase *tc = tcase_create("virtqueue");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_init_layout);
    tcase_add_test(tc, test_chains_and_free_list);
    tcase_add_test(tc, test_device_bugs_are_ignored);
    tcase_add_test(tc, test_wraparound_and_suppression);
    tcase_add_test(tc, test_dma_pool_reuse);
    tcase_add_test(tc, test_poll_waiter);
    tcase_add_test(tc, test_mmio_direct);
    tcase_add_test(tc, test_shared_irq_lines);
    suite_add_tcase(s, tc);
    return s;
}
