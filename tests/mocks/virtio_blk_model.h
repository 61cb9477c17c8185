/*
 * virtio_blk_model.h - a virtio-blk device for host tests.
 *
 * It appears in a pci_mock configuration space as a modern (capabilities and a
 * 64-bit memory BAR held in host memory, reached through mmio_ops), legacy (I/O
 * BAR 0 through the port mock) or transitional function. It consumes the
 * driver's split virtqueue from the DMA arena exactly as a device would: reads
 * the available ring and descriptor chains, checks them (every violation of the
 * protocol is counted), serves reads and writes from a RAM disk, writes the
 * status byte and the used ring, and raises its ISR bit.
 *
 * Completion is immediate on the doorbell (auto_complete) or left pending until
 * the test calls vblk_model_complete(), in FIFO or reverse order.
 */
#ifndef TESTS_VIRTIO_BLK_MODEL_H
#define TESTS_VIRTIO_BLK_MODEL_H

#include "pci_mock.h"
#include "virtio_dma.h"
#include <dev/mmio.h>
#include <stdbool.h>
#include <stdint.h>

#define VBLK_MODEL_BAR_PHYS   0xfe000000ull
#define VBLK_MODEL_BAR_SIZE   0x8000u
#define VBLK_MODEL_MSIX_TABLE 0x4000u /* MSI-X table in the memory BAR (2 entries) */
#define VBLK_MODEL_IO_BASE    0xc000u
#define VBLK_MODEL_PENDING    1024

struct vblk_model {
    /* configuration (set before attaching) */
    bool modern, legacy;
    uint64_t features; /* offered */
    uint64_t capacity; /* sectors */
    uint32_t blk_size, size_max, seg_max;
    uint16_t queue_max;
    uint16_t notify_off;  /* queue_notify_off reported for queue 0 */
    uint64_t bar_phys;    /* modern BAR 4 (default VBLK_MODEL_BAR_PHYS) */
    uint16_t io_base;     /* legacy BAR 0 (default VBLK_MODEL_IO_BASE) */
    bool refuse_features; /* clear FEATURES_OK */
    /* behaviour */
    bool auto_complete;
    bool reverse;         /* complete pending newest first */
    int64_t ioerr_sector; /* -1: none */
    bool unsupp_flush;
    bool no_notify;     /* set VIRTQ_USED_F_NO_NOTIFY */
    bool skip_status;   /* complete without writing the status byte */
    bool msix;          /* offer MSI-X (table in BAR 4, also on a legacy-only device) */
    bool refuse_vector; /* queue_msix_vector reads back NO_VECTOR */
    /* An MSI-X message the device sends (entry unmasked, MSI-X on); NULL: dropped. */
    void (*msi)(void *ctx, uint64_t addr, uint32_t data);
    void *msi_ctx;
    uint16_t queue_vector; /* queue 0's MSI-X entry (0xffff: none) */
    uint8_t msix_cap;
    /* state */
    uint8_t *disk;
    uint8_t status, isr, cfg_gen;
    uint32_t dfsel, gfsel;
    uint64_t driver_features;
    uint16_t qsel, qsize;
    bool qenabled;
    uint64_t desc, avail, used;
    uint16_t last_avail, used_idx;
    uint16_t pending[VBLK_MODEL_PENDING];
    unsigned npending;
    uint8_t *bar;
    uint8_t cfgimg[64];
    struct pci_mock *pci;
    struct pci_mock_fn *fn;
    struct virtio_dma_arena *dma;
    /* statistics */
    unsigned notifies, requests, reads, writes, flushes, violations, resets, max_pending;
    unsigned max_segs, interrupts, msis;
};

/* Defaults: 2048 sectors, 512-byte blocks, seg_max 8, queue 16, all features. */
void vblk_model_init(struct vblk_model *m, struct virtio_dma_arena *dma, bool modern, bool legacy);
void vblk_model_free(struct vblk_model *m);
/* Put the function at bus:slot.0 of @pci (allocates the disk for m->capacity). */
struct pci_mock_fn *vblk_model_attach(struct vblk_model *m, struct pci_mock *pci, uint8_t bus,
                                      uint8_t slot);
/* Fetch new available entries; complete up to @max pending ones (-1: all). */
unsigned vblk_model_complete(struct vblk_model *m, int max);
/* Fetch new available entries; complete the @i-th pending one (0: oldest).
 * Returns 1, or 0 if fewer are pending. Any completion order can be built. */
unsigned vblk_model_complete_at(struct vblk_model *m, unsigned i);
/* The legacy I/O BAR as a port device (chain it behind the pci mock). */
uint32_t vblk_model_io(void *ctx, uint16_t port, int width, bool write, uint32_t val);
/* For struct virtio_env: map the modern BAR. */
void *vblk_model_map(void *ctx, uint64_t phys, size_t size);
extern const struct mmio_ops vblk_model_mmio_ops;

#endif
