/*
 * mmio.c - register access with an optional simulated-device seam (dev/mmio.h).
 *
 * Layer: the lowest one of MMIO drivers. Without ops each call is exactly one
 * volatile access of the given width (no tearing, never merged or reordered by
 * the compiler), which is what device registers need.
 */
#include <dev/mmio.h>

uint8_t mmio_read8(const struct mmio_bus *b, volatile void *a)
{
    if (b && b->ops)
        return (uint8_t)b->ops->read(b->ctx, a, 1);
    return *(volatile uint8_t *)a;
}

uint16_t mmio_read16(const struct mmio_bus *b, volatile void *a)
{
    if (b && b->ops)
        return (uint16_t)b->ops->read(b->ctx, a, 2);
    return *(volatile uint16_t *)a;
}

uint32_t mmio_read32(const struct mmio_bus *b, volatile void *a)
{
    if (b && b->ops)
        return b->ops->read(b->ctx, a, 4);
    return *(volatile uint32_t *)a;
}

void mmio_write8(const struct mmio_bus *b, volatile void *a, uint8_t v)
{
    if (b && b->ops)
        b->ops->write(b->ctx, a, 1, v);
    else
        *(volatile uint8_t *)a = v;
}

void mmio_write16(const struct mmio_bus *b, volatile void *a, uint16_t v)
{
    if (b && b->ops)
        b->ops->write(b->ctx, a, 2, v);
    else
        *(volatile uint16_t *)a = v;
}

void mmio_write32(const struct mmio_bus *b, volatile void *a, uint32_t v)
{
    if (b && b->ops)
        b->ops->write(b->ctx, a, 4, v);
    else
        *(volatile uint32_t *)a = v;
}

void mmio_write64(const struct mmio_bus *b, volatile void *a, uint64_t v)
{
    mmio_write32(b, a, (uint32_t)v);
    mmio_write32(b, (volatile uint8_t *)a + 4, (uint32_t)(v >> 32));
}
