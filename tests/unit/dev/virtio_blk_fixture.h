/*
 * virtio_blk_fixture.h - the fixture shared by the virtio-blk suites
 * (test_virtio_blk.c: set-up, negotiation and errors; test_virtio_blk_io.c:
 * transfers, queue pressure and completions).
 *
 * One simulated device (model) behind a mock PCI bus (pm), DMA memory from an
 * arena (arena, pool), and the driver instance under test (vb). The checked
 * fixture builds them before each test and, after it, asserts that the device
 * saw no protocol violation and that every DMA byte came back. Test-only: these
 * short names are global only inside the test_dev runner.
 */
#ifndef TESTS_UNIT_DEV_VIRTIO_BLK_FIXTURE_H
#define TESTS_UNIT_DEV_VIRTIO_BLK_FIXTURE_H

#include "pci_mock.h"
#include "virtio_blk_model.h"
#include "virtio_dma.h"
#include <dev/virtio.h>
#include <dev/virtio_blk.h>
#include <stddef.h>
#include <stdint.h>

/** The transports most tests loop over (_i). */
enum { MODERN, LEGACY, TRANSITIONAL, VARIANTS };

extern struct virtio_dma_arena arena;
extern struct dma_pool pool;
extern struct pci_mock pm;
extern struct vblk_model model;
extern struct pci_device pdev;
extern struct virtio_env env;
extern struct virtio_blk vb;

/** Checked fixture: fresh DMA arena, pool, PCI bus, model and driver state. */
void vblk_fixture_setup(void);
/** Checked fixture: no violation, no DMA leak; then free the arena. */
void vblk_fixture_teardown(void);
/** Build the device model as @p variant (MODERN, LEGACY or TRANSITIONAL). */
void make(int variant);
/** Put the model on the bus at 00:04.0, probe it and set up env. */
void attach(void);
/** attach(), then virtio_blk_init() vb as "vda" with @p opt. */
int up(const struct virtio_blk_options *opt);
/** virtio_blk_shutdown() vb. */
void down(void);
/** Fill @p p with @p n bytes of a pattern that depends on @p seed. */
void pattern(uint8_t *p, size_t n, unsigned seed);

#endif
