/*
 * mm_sim.c - simulated physical memory and heap page source (mm_sim.h).
 */
#include "mm_sim.h"
#include <k/errno.h>
#include <check.h>
#include <mm/phys.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *ram;
static uint64_t ram_size;

void mm_sim_init(uint64_t size)
{
    ram = aligned_alloc(MM_HUGE_SIZE, size);
    ck_assert_ptr_nonnull(ram);
    memset(ram, 0xa5, size);
    ram_size = size;
    mm_phys_set_window((uintptr_t)ram, size);
}

void mm_sim_fini(void)
{
    free(ram);
    ram = NULL;
    ram_size = 0;
    mm_phys_set_window(0, 0);
}

uint8_t *mm_sim_ram(void)
{
    return ram;
}

size_t mm_sim_pc_map(struct boot_mmap_entry *out)
{
    out[0] = (struct boot_mmap_entry){ 0, 0x9f000, MB2_MEM_AVAILABLE };
    out[1] = (struct boot_mmap_entry){ 0x9f000, 0x100000 - 0x9f000, MB2_MEM_RESERVED };
    out[2] = (struct boot_mmap_entry){ 0x100000, ram_size - 0x200000, MB2_MEM_AVAILABLE };
    out[3] = (struct boot_mmap_entry){ ram_size - 0x100000, 0x100000, MB2_MEM_ACPI };
    return 4;
}

void mm_sim_frames(struct mm_frames *fa)
{
    struct boot_mmap_entry map[4];
    struct mm_range res[] = { { 0, 0x100000 }, { 0x100000, 0x200000 } };
    struct mm_frames_config cfg = {
        .map = map,
        .map_count = mm_sim_pc_map(map),
        .reserved = res,
        .reserved_count = 2,
    };
    ck_assert_int_eq(mm_frames_init(fa, &cfg), 0);
}

void mm_sim_heap_src_init(struct mm_sim_heap_src *src, uint64_t size)
{
    memset(src, 0, sizeof(*src));
    src->buf = aligned_alloc(MM_PAGE_SIZE, size);
    ck_assert_ptr_nonnull(src->buf);
    src->size = size;
    src->fail_after = -1;
}

void mm_sim_heap_src_fini(struct mm_sim_heap_src *src)
{
    free(src->buf);
    src->buf = NULL;
}

int mm_sim_heap_grow(void *ctx, uintptr_t va, uint64_t size)
{
    struct mm_sim_heap_src *src = ctx;
    ck_assert_uint_eq(va, (uintptr_t)src->buf + src->mapped);
    ck_assert_uint_eq(size % MM_PAGE_SIZE, 0);
    ck_assert_uint_le(src->mapped + size, src->size);
    if (src->fail_after >= 0 && src->calls >= src->fail_after)
        return -ENOMEM;
    src->calls++;
    /* Fresh "pages" hold garbage, as recycled frames would. */
    memset(src->buf + src->mapped, 0x5a, size);
    src->mapped += size;
    return 0;
}
