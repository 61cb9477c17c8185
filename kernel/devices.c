/*
 * devices.c - PCI enumeration and driver binding for the kernel (kernel/devices.h),
 * and the sleeping waiter the drivers wait with (dev/wait.h).
 *
 * The waiter: a thread waiting for its disk request sleeps on disk_waiters and
 * other threads run. The driver's completion interrupt wakes it (the options'
 * wake hook); so does the timer tick while anyone sleeps there, which bounds
 * the wait (the timeout) and covers a device whose interrupt never comes.
 * Woken threads re-check their condition, so waking too many is harmless.
 *
 * Locking: `disk_waiters`, `io_sleepers` and `io_stats` are changed with
 * interrupts off (the waiter), or in the completion interrupt and the tick,
 * all under the big kernel lock (arch/bkl.h), so one CPU at a time and never
 * interleaved with this CPU's handler. The PCI list, the DMA pool's set-up and
 * the drivers' arrays are filled at boot; kernel_pci_devices() sizes BARs
 * later, under the big lock (PCI configuration space has its own lock, dev/pci.h).
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/pic.h>
#include <arch/timer.h>
#include <k/cmdline.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <sched/sync.h>
#include <sched/thread.h>
#include <dev/block.h>
#include <dev/block_ra.h>
#include <dev/dma.h>
#include <dev/virtio.h>
#include <dev/virtio_blk.h>
#include <kernel/boot.h>
#include <kernel/devices.h>
#include <kernel/tty.h>
#include <mm/mm.h>
#include <mm/vm.h>

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
static struct block_ra vblk_ra[VBLK_MAX];

/* Sequential read-ahead on a disk: BLOCK_RA_SLOTS requests of the device's
 * largest size, in DMA memory so the device fills them in place. */
static void readahead_attach(struct block_device *bd, struct block_ra *ra)
{
    size_t bytes = (size_t)BLOCK_RA_SLOTS * bd->max_request * bd->block_size;
    uint64_t phys;
    void *mem;
    if (!bytes || dma_alloc(&dma, bytes, &phys, &mem) != 0)
        return;
    if (block_ra_attach(bd, ra, mem, bytes) != 0)
        dma_free(&dma, phys, mem, bytes);
}

static void *map_mmio(void *ctx, uint64_t pa, size_t size)
{
    (void)ctx;
    volatile void *va;
    if (mm_mmio_map(mm_kernel_aspace(), mm_kernel_vregion(), pa, size, &va) < 0)
        return NULL;
    return (void *)va;
}

/* Where a buffer lies, for DMA in place: kernel memory only (the kernel's own
 * tables; user pages, which another thread could unmap meanwhile, are not in
 * them, so those requests use the driver's bounce buffers). */
static int dma_translate(void *ctx, uintptr_t va, uint64_t *phys)
{
    (void)ctx;
    if (va < 0xffff800000000000ull) /* the lower half is user space */
        return -EFAULT;
    return mm_pt_translate(mm_kernel_aspace(), va, phys, NULL);
}

/* Map the local APIC's registers so drivers can use MSI-X vectors (arch/apic.h). */
static void apic_setup(void)
{
    if (apic_ready()) /* APIC mode: interrupts_init() mapped it */
        return;
    uint64_t base = rdmsr(APIC_BASE_MSR);
    if (!(base & (1u << 11))) /* globally disabled: no MSIs */
        return;
    void *regs = map_mmio(NULL, base & ~0xfffull, APIC_WINDOW_SIZE);
    if (regs)
        apic_init(regs);
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
    io_stats.waits++;
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
    io_stats.waits_done++;
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
    /* BARs are sized when a driver matches, or at the first listing. */
    int n = pci_enumerate(pci_devs, PCI_MAX, PCI_SCAN_LAZY_BARS);
    pci_count = n < 0 ? 0 : (size_t)(n > PCI_MAX ? PCI_MAX : n);
    pci_bus_init(&pci_bus);
    pci_register_devices(&pci_bus, pci_devs, pci_count);
    dma_pool_init(&dma, &dma_ops, mm_kernel_frames());
    env.dma = &dma;
    env.map_mmio = map_mmio;
    env.translate = dma_translate;
    wait_queue_init(&disk_waiters);
    apic_setup();
    static struct virtio_blk_options opts = { .wait = io_sleep, .wake = io_wake };
    /* "nomsix" on the command line: legacy INTx lines even where MSI-X is offered. */
    opts.intx_only = cmdline_has(kernel_boot_info()->cmdline, "nomsix");
    virtio_blk_driver_init(&vblk_drv, vblk, VBLK_MAX, &env, &opts, true);
    driver_register(&pci_bus, &vblk_drv.drv);
    /* "noreadahead" on the command line: every read goes to the disk as asked. */
    if (!cmdline_has(kernel_boot_info()->cmdline, "noreadahead"))
        for (size_t i = 0; i < vblk_drv.used && i < VBLK_MAX; i++)
            readahead_attach(&vblk[i].bdev, &vblk_ra[i]);

    kprintf("devices: %zu PCI functions", pci_count);
    for (struct block_device *d = blockdev_next(NULL); d; d = blockdev_next(d))
        kprintf(", %s: %llu MiB", d->name,
                (unsigned long long)(d->block_count * d->block_size >> 20));
    kprintf("\n");
    return (int)pci_count;
}

const struct pci_device *kernel_pci_devices(size_t *n)
{
    for (size_t i = 0; i < pci_count; i++)
        pci_size_bars(&pci_devs[i]);
    *n = pci_count;
    return pci_devs;
}

struct bus_type *kernel_pci_bus(void)
{
    return &pci_bus;
}
