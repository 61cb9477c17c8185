/*
 * devices.c - PCI enumeration and driver binding for the kernel (kernel/devices.h).
 */
#include <k/kprintf.h>
#include <dev/block.h>
#include <dev/dma.h>
#include <dev/virtio.h>
#include <dev/virtio_blk.h>
#include <kernel/devices.h>
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

int kernel_devices_init(void)
{
    int n = pci_enumerate(pci_devs, PCI_MAX, 0);
    pci_count = n < 0 ? 0 : (size_t)(n > PCI_MAX ? PCI_MAX : n);
    pci_bus_init(&pci_bus);
    pci_register_devices(&pci_bus, pci_devs, pci_count);
    dma_pool_init(&dma, &dma_ops, mm_kernel_frames());
    env.dma = &dma;
    env.map_mmio = map_mmio;
    virtio_blk_driver_init(&vblk_drv, vblk, VBLK_MAX, &env, NULL, true);
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
