/*
 * dma_sg.c - scatter-gather lists for buffers the device reads or writes in
 * place (dev/dma.h: dma_sg_build).
 *
 * Layer: beside the DMA pool, for drivers that want to skip the bounce buffer.
 * A virtually contiguous buffer is physically contiguous only within a page, so
 * the walk translates each page (through the platform's hook: libdev cannot read
 * page tables) and starts a new segment where the physical addresses stop
 * following on, or where a segment would exceed the device's largest one. The
 * walk is bounded by the buffer's page count and by the caller's array.
 * Locking: none of its own; the translate hook locks the page tables it reads
 * (the kernel's: the address space's spinlock, mm/vm.h).
 */
#include <k/errno.h>
#include <dev/dma.h>

int dma_sg_build(dma_translate_fn translate, void *ctx, const void *buf, size_t len,
                 uint32_t max_seg, struct dma_seg *out, unsigned max_out)
{
    if (!translate || !buf || !out || max_seg == 0)
        return -EINVAL;
    unsigned n = 0;
    uintptr_t va = (uintptr_t)buf;
    while (len > 0) {
        size_t chunk = DMA_PAGE_SIZE - (va & (DMA_PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint64_t pa;
        if (translate(ctx, va, &pa) != 0)
            return -EFAULT;
        /* Lay the piece down, merging into the last segment while the physical
         * addresses follow on and the segment stays within max_seg. */
        while (chunk > 0) {
            struct dma_seg *last = n ? &out[n - 1] : NULL;
            if (last && last->phys + last->len == pa && last->len < max_seg) {
                uint32_t take =
                    (uint32_t)(chunk < max_seg - last->len ? chunk : max_seg - last->len);
                last->len += take;
                pa += take;
                va += take;
                chunk -= take;
                len -= take;
                continue;
            }
            if (n == max_out)
                return -E2BIG;
            uint32_t take = (uint32_t)(chunk < max_seg ? chunk : max_seg);
            out[n++] = (struct dma_seg){ .phys = pa, .len = take };
            pa += take;
            va += take;
            chunk -= take;
            len -= take;
        }
    }
    return (int)n;
}
