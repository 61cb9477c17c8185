/*
 * devices.c - PCI enumeration and driver binding for the kernel (kernel/devices.h),
 * and the sleeping waiter the drivers wait with (dev/wait.h).
 *
 * The waiter: a thread waiting for its disk request sleeps on disk_waiters and
 * other threads run. The driver's completion interrupt wakes it (the options'
 * wake hook); so does the timer tick while anyone sleeps there, which bounds
 * the wait (the timeout) and covers a device whose interrupt never comes.
 * Woken threads re-check their condition, so waking too many is harmless.
 */
#include <arch/cpu.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <sched/sync.h>
#include <sched/thread.h>
#include <dev/block.h>
#include <dev/dma.h>
#include <dev/virtio.h>
#include <dev/virtio_blk.h>
#include <kernel/devices.h>
#include <kernel/tty.h>
#include <mm/mm.h>

#define PCI_MAX  64
#define VBLK_MAX 4

static struct pci_device pci_devs[PCI_MAX];
static size_t pci_count;
static struct bus_type pci_bus;
static struct dma_pool dma;
static const struct dma_ops dma_ops = { mm_dma_alloc, mm_dma_free };
static struct virtio_env env;
static struct virtio_blk vblk[VBLK_MAX];
static struct virtio_blk_driver vblk_drv;

static void *map_mmio(void *ctx, uint64_t pa, size_t size)
{
    (void)ctx;
    volatile void *va;
    if (mm_mmio_map(mm_kernel_aspace(), mm_kernel_vregion(), pa, size, &va) < 0)
        return NULL;
    return (void *)va;
}

static struct wait_queue disk_waiters;
static volatile unsigned io_sleepers;
static struct kernel_io_stats io_stats;

static void io_wake(void *ctx)
{
    (void)ctx;
    io_stats.wakeups++;
    wait_queue_wake_all(&disk_waiters);
}

static int io_sleep(void *ctx, bool (*done)(void *arg), void *arg, uint32_t timeout_ms)
{
    (void)ctx;
    /* No thread to put to sleep (interrupt context): poll as before. */
    if (irq_depth() > 0 || !thread_current())
        return dev_wait_poll(NULL, done, arg, timeout_ms);
    /* The TSC clock: the tick count falls behind under emulation. */
    uint64_t deadline = timer_now_ns() + (uint64_t)timeout_ms * 1000000u;
    uint64_t f = cpu_irq_save();
    int r = 0;
    while (!done(arg)) {
        if (timer_now_ns() >= deadline) {
            r = -ETIMEDOUT;
            break;
        }
        io_sleepers++;
        io_stats.sleeps++;
        wait_queue_sleep_locked(&disk_waiters);
        io_sleepers--;
    }
    cpu_irq_restore(f);
    return r;
}

void kernel_devices_tick(uint64_t ticks)
{
    (void)ticks;
    if (io_sleepers)
        wait_queue_wake_all(&disk_waiters);
    kernel_tty_tick();
}

const struct kernel_io_stats *kernel_io_stats(void)
{
    return &io_stats;
}

int kernel_devices_init(void)
{
    int n = pci_enumerate(pci_devs, PCI_MAX, 0);
    pci_count = n < 0 ? 0 : (size_t)(n > PCI_MAX ? PCI_MAX : n);
    pci_bus_init(&pci_bus);
    pci_register_devices(&pci_bus, pci_devs, pci_count);
    dma_pool_init(&dma, &dma_ops, mm_kernel_frames());
    env.dma = &dma;
    env.map_mmio = map_mmio;
    wait_queue_init(&disk_waiters);
    static const struct virtio_blk_options opts = { .wait = io_sleep, .wake = io_wake };
    virtio_blk_driver_init(&vblk_drv, vblk, VBLK_MAX, &env, &opts, true);
    driver_register(&pci_bus, &vblk_drv.drv);

    kprintf("devices: %zu PCI functions", pci_count);
    for (struct block_device *d = blockdev_next(NULL); d; d = blockdev_next(d))
        kprintf(", %s: %llu MiB", d->name,
                (unsigned long long)(d->block_count * d->block_size >> 20));
    kprintf("\n");
    return (int)pci_count;
}

const struct pci_device *kernel_pci_devices(size_t *n)
{
    *n = pci_count;
    return pci_devs;
}

struct bus_type *kernel_pci_bus(void)
{
    return &pci_bus;
}
