/*
 * test_virtio_blk_msix.c - virtio-blk completion interrupts by MSI-X against
 * the simulated device: the table entry and queue vector the driver programs,
 * messages delivered through a local APIC vector (arch/apic.h, on plain memory
 * standing in for its registers), the legacy configuration moving when MSI-X is
 * on, and the fall-backs to the INTx line (intx_only, a device that refuses the
 * vector, no local APIC, a broken capability). Loops over the three transports.
 */
#include "cpu_mock.h"
#include "virtio_blk_fixture.h"
#include <arch/apic.h>
#include <arch/trap.h>
#include <check.h>
#include <dev/block.h>
#include <dev/pci.h>
#include <k/errno.h>
#include <string.h>

Suite *virtio_blk_msix_suite(void);

static uint32_t apic_regs[APIC_WINDOW_SIZE / 4];
static uint64_t last_addr;

static uint8_t pending[64];
static int npending;

/* The bus side of a message: the local APIC latches the vector in its data.
 * The device sends it from inside the doorbell write (interrupts off, the
 * driver's lock held): the CPU takes it later, in msi_wait(). */
static void deliver(void *ctx, uint64_t addr, uint32_t data)
{
    (void)ctx;
    last_addr = addr;
    ck_assert_int_lt(npending, 64);
    pending[npending++] = (uint8_t)data;
}

static void take_interrupts(void)
{
    for (int i = 0; i < npending; i++) {
        struct trap_frame tf = { 0 };
        tf.vector = pending[i];
        trap_dispatch(&tf);
    }
    npending = 0;
}

/* A waiter whose CPU takes the pending interrupts before each check. */
static int msi_wait(void *ctx, bool (*done)(void *arg), void *arg, uint32_t timeout_ms)
{
    (void)ctx;
    (void)timeout_ms;
    for (int i = 0; i < 64; i++) {
        take_interrupts();
        if (done(arg))
            return 0;
    }
    return -ETIMEDOUT;
}

static void dummy_handler(void *ctx, struct trap_frame *tf)
{
    (void)ctx;
    (void)tf;
}

static void setup(void)
{
    vblk_fixture_setup();
    memset(apic_regs, 0, sizeof(apic_regs));
    apic_regs[APIC_REG_ID / 4] = 3u << 24;
    apic_init(apic_regs);
    last_addr = 0;
    npending = 0;
}

static void teardown(void)
{
    apic_init(NULL);
    vblk_fixture_teardown();
}

static void make_msix(int variant)
{
    make(variant);
    model.msix = true;
    model.msi = deliver;
}

START_TEST(test_msix_delivers_completions)
{
    make_msix(_i);
    struct virtio_blk_options o = { .wait = msi_wait };
    ck_assert_int_eq(up(&o), 0);
    ck_assert_uint_eq(apic_regs[APIC_REG_SVR / 4] & APIC_SVR_ENABLE, APIC_SVR_ENABLE);
    ck_assert_int_eq(virtio_blk_attach_irq(&vb), 0);
    int vec = vb.msix_vector;
    ck_assert_int_ge(vec, APIC_VECTOR_BASE);
    ck_assert(!vb.irq_attached);
    ck_assert_uint_eq(model.queue_vector, 0);
    /* Entry 0 holds the message for our vector on APIC 3, unmasked. */
    const uint8_t *e = model.bar + VBLK_MODEL_MSIX_TABLE;
    uint32_t lo, data, ctl;
    memcpy(&lo, e, 4);
    memcpy(&data, e + 8, 4);
    memcpy(&ctl, e + 12, 4);
    ck_assert_uint_eq(lo, APIC_MSI_ADDR | 3u << 12);
    ck_assert_uint_eq(data, (uint32_t)vec);
    ck_assert_uint_eq(ctl, 0);
    /* The legacy configuration moved: it still reads right. */
    ck_assert_uint_eq(virtio_config_read64(&vb.vdev, VIRTIO_BLK_CFG_CAPACITY), 2048);
    /* A transfer completes by messages: the handler ran and acknowledged them. */
    static uint8_t buf[64 * 512];
    pattern(model.disk, sizeof(buf), 2);
    apic_regs[APIC_REG_EOI / 4] = 0xdead;
    ck_assert_int_eq(block_read(&vb.bdev, 0, 64, buf), 64);
    ck_assert_mem_eq(buf, model.disk, sizeof(buf));
    ck_assert_uint_gt(model.msis, 0);
    ck_assert_uint_eq(apic_vector_count(vec), model.msis);
    ck_assert_uint_eq(vb.interrupts, model.msis);
    ck_assert_uint_eq(apic_regs[APIC_REG_EOI / 4], 0);
    ck_assert_uint_eq(last_addr, APIC_MSI_ADDR | 3u << 12);
    ck_assert_uint_ne(model.isr & VIRTIO_ISR_QUEUE, 0); /* never read: not needed */
    down();
    /* Shutdown gives the vector back and turns MSI-X off. */
    ck_assert_uint_eq(apic_vector_count(vec), 0);
    ck_assert_int_eq(apic_vector_free(vec), -EINVAL);
    ck_assert_uint_eq(model.fn->cfg[model.msix_cap + 3] & 0x80, 0);
}
END_TEST

START_TEST(test_intx_fallbacks)
{
    /* Asked for INTx. */
    make_msix(_i);
    struct virtio_blk_options o = { .intx_only = true };
    ck_assert_int_eq(up(&o), 0);
    ck_assert_int_eq(virtio_blk_attach_irq(&vb), 0);
    ck_assert_int_lt(vb.msix_vector, 0);
    ck_assert(vb.irq_attached);
    ck_assert_int_eq(vb.irq.irq, 11);
    ck_assert_uint_eq(model.queue_vector, VIRTIO_MSI_NO_VECTOR);
    down();

    /* The device will not take the vector: MSI-X off again, vector freed. */
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make_msix(_i);
    model.refuse_vector = true;
    ck_assert_int_eq(up(NULL), 0);
    ck_assert_int_eq(virtio_blk_attach_irq(&vb), 0);
    ck_assert_int_lt(vb.msix_vector, 0);
    ck_assert(vb.irq_attached);
    ck_assert_uint_eq(model.fn->cfg[model.msix_cap + 3] & 0x80, 0);
    ck_assert_uint_eq(virtio_config_read64(&vb.vdev, VIRTIO_BLK_CFG_CAPACITY), 2048);
    int v = apic_vector_alloc(dummy_handler, NULL);
    ck_assert_int_eq(v, APIC_VECTOR_BASE); /* the first vector was given back */
    ck_assert_int_eq(apic_vector_free(v), 0);
    down();

    /* No local APIC. */
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make_msix(_i);
    apic_init(NULL);
    ck_assert_int_eq(up(NULL), 0);
    ck_assert_int_eq(virtio_blk_attach_irq(&vb), 0);
    ck_assert_int_lt(vb.msix_vector, 0);
    ck_assert(vb.irq_attached);
    down();
}
END_TEST

START_TEST(test_msix_capability_checks)
{
    make_msix(_i);
    attach();
    struct pci_msix m;
    ck_assert_int_eq(pci_msix_probe(&pdev, &m), 0);
    ck_assert_uint_eq(m.size, 2);
    ck_assert_uint_eq(m.bar, 4);
    ck_assert_uint_eq(m.offset, VBLK_MODEL_MSIX_TABLE);
    ck_assert_int_eq(pci_msix_set_entry(&m, 0, 0, 0, false), -EINVAL); /* not mapped */
    m.table = model.bar + m.offset;
    ck_assert_int_eq(pci_msix_set_entry(&m, 2, 0, 0, false), -EINVAL);
    ck_assert_int_eq(pci_msix_set_entry(&m, 1, 0x1234567890ull, 77, true), 0);
    uint32_t w[4];
    memcpy(w, model.bar + m.offset + 16, 16);
    ck_assert_uint_eq(w[0], 0x34567890u);
    ck_assert_uint_eq(w[1], 0x12);
    ck_assert_uint_eq(w[2], 77);
    ck_assert_uint_eq(w[3], 1);
    /* A table running past its BAR is refused. */
    uint32_t bad = (VBLK_MODEL_BAR_SIZE - 16) | 4;
    memcpy(&model.fn->cfg[model.msix_cap + PCI_MSIX_TABLE], &bad, 4);
    ck_assert_int_eq(pci_msix_probe(&pdev, &m), -ENODEV);
    ck_assert_uint_eq(m.cap, 0);
    /* A device without the capability (a modern one has a broken one). */
    vblk_model_free(&model);
    pci_mock_init(&pm);
    make(_i);
    ck_assert_int_eq(up(NULL), 0);
    ck_assert_int_eq(pci_msix_probe(&pdev, &m), _i == LEGACY ? -ENOENT : -ENODEV);
    ck_assert_int_eq(virtio_blk_attach_irq(&vb), 0);
    ck_assert(vb.irq_attached);
    down();
}
END_TEST

Suite *virtio_blk_msix_suite(void)
{
    Suite *s = suite_create("virtio_blk_msix");
    TCase *tc = tcase_create("virtio_blk_msix");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_msix_delivers_completions, 0, VARIANTS);
    tcase_add_loop_test(tc, test_intx_fallbacks, 0, VARIANTS);
    tcase_add_loop_test(tc, test_msix_capability_checks, 0, VARIANTS);
    suite_add_tcase(s, tc);
    return s;
}
