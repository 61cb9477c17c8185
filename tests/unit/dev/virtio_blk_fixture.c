/*
 * virtio_blk_fixture.c - the fixture of the virtio-blk suites
 * (virtio_blk_fixture.h).
 */
#include "virtio_blk_fixture.h"
#include "cpu_mock.h"
#include <check.h>
#include <string.h>

struct virtio_dma_arena arena;
struct dma_pool pool;
struct pci_mock pm;
struct vblk_model model;
struct pci_device pdev;
struct virtio_env env;
struct virtio_blk vb;
static unsigned expected_violations;

void vblk_fixture_setup(void)
{
    cpu_mock_reset();
    virtio_dma_init(&arena, 4 << 20);
    dma_pool_init(&pool, &virtio_dma_ops, &arena);
    pci_mock_init(&pm);
    memset(&vb, 0, sizeof(vb));
    memset(&model, 0, sizeof(model));
    expected_violations = 0;
}

void vblk_fixture_teardown(void)
{
    ck_assert_uint_eq(model.violations, expected_violations);
    vblk_model_free(&model);
    dma_pool_drain(&pool);
    ck_assert_uint_eq(pool.outstanding, 0);
    ck_assert_uint_eq(arena.in_use, 0);
    virtio_dma_destroy(&arena);
}

void make(int variant)
{
    vblk_model_init(&model, &arena, variant != LEGACY, variant != MODERN);
}

void attach(void)
{
    vblk_model_attach(&model, &pm, 0, 4);
    pci_mock_install(&pm, vblk_model_io, &model);
    ck_assert_int_eq(pci_probe_function(&pdev, 0, 4, 0), 0);
    env = (struct virtio_env){ .dma = &pool,
                               .map_mmio = vblk_model_map,
                               .map_ctx = &model,
                               .mmio = { &vblk_model_mmio_ops, &model } };
}

int up(const struct virtio_blk_options *opt)
{
    attach();
    return virtio_blk_init(&vb, &pdev, &env, opt, "vda");
}

void down(void)
{
    virtio_blk_shutdown(&vb);
}

void pattern(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 9));
}
