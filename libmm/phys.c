/*
 * phys.c - the physical-memory window (mm/phys.h).
 *
 * Layer: the lowest of libmm. Every other layer reaches frames through
 * mm_phys_to_virt(), so pointing the window at a host buffer is all a host test
 * needs to run the frame allocator and the page-table code on simulated RAM.
 * Locking: none; the window is set at boot before anything else runs.
 */
#include <arch/panic.h>
#include <mm/phys.h>

static uintptr_t window_base;
static uint64_t window_limit;

void mm_phys_set_window(uintptr_t virt_base, uint64_t limit)
{
    window_base = virt_base;
    window_limit = limit;
}

uint64_t mm_phys_limit(void)
{
    return window_limit;
}

void *mm_phys_to_virt(uint64_t pa)
{
    assert(pa < window_limit);
    return (void *)(window_base + (uintptr_t)pa);
}

uint64_t mm_virt_to_phys(const void *va)
{
    uint64_t pa = (uint64_t)((uintptr_t)va - window_base);
    assert(pa < window_limit);
    return pa;
}
