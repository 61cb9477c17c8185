/*
 * mm_init.c - kernel memory-management bring-up (mm/mm.h). Kernel build only.
 *
 * Layer: glue between boot state (boot_info, linker symbols, EFER, CR3) and the
 * host-tested layers below (frames, page tables, regions, heap). Everything this
 * file computes is done by calling those layers; what is left here is only what
 * needs the real machine.
 * Locking: mm_init() runs once, on the boot CPU, before interrupts are enabled.
 */
#include <k/cmdline.h>
#include <arch/cpu.h>
#include <k/errno.h>
#include <k/kprintf.h>
#include <arch/layout.h>
#include <arch/panic.h>
#include <mm/mm.h>

#define IDENTITY_LIMIT (1ull << 30) /* the boot code identity-maps the first GiB */
#define LOW_MEMORY     (1ull << 20) /* BIOS data, EBDA, VGA: never handed out */
#define MSR_EFER       0xc0000080u
#define EFER_NXE       (1ull << 11)

#define KTEXT   (MM_PTE_G)
#define KRODATA (MM_PTE_G | MM_PTE_NX)
#define KDATA   (MM_PTE_G | MM_PTE_NX | MM_PTE_W)

static struct mm_frames frames;
static struct mm_aspace kernel_as;
static struct mm_vregion kernel_vr;
static struct mm_heap kernel_heap;

struct mm_frames *mm_kernel_frames(void)
{
    return &frames;
}

struct mm_aspace *mm_kernel_aspace(void)
{
    return &kernel_as;
}

struct mm_vregion *mm_kernel_vregion(void)
{
    return &kernel_vr;
}

static int init_frames(const struct boot_info *bi)
{
    struct mm_range reserved[3 + BOOT_MODULES_MAX];
    size_t n = 0;
    uint64_t kstart = (uintptr_t)_kernel_phys_start;
    reserved[n++] = (struct mm_range){ 0, LOW_MEMORY };
    reserved[n++] = (struct mm_range){ kstart, kernel_image_phys(_kernel_end) - kstart };
    reserved[n++] = (struct mm_range){ bi->info_phys, bi->info_size };
    for (uint32_t i = 0; i < bi->module_count; i++) {
        const struct boot_module *m = &bi->modules[i];
        if (m->end > m->start)
            reserved[n++] = (struct mm_range){ m->start, m->end - m->start };
    }
    struct mm_frames_config cfg = {
        .map = bi->mmap,
        .map_count = bi->mmap_count,
        .reserved = reserved,
        .reserved_count = n,
        .bitmap_limit = IDENTITY_LIMIT,
        .ram_limit = MM_DIRECT_MAP_MAX,
        .panic_on_misuse = true,
    };
    return mm_frames_init(&frames, &cfg);
}

/* Map [pa, pa + size) at va with 2 MiB pages where possible; overlaps are skipped. */
static int map_direct(uint64_t pa, uint64_t size)
{
    uint64_t end = MM_ALIGN_UP(pa + size, MM_PAGE_SIZE);
    pa = MM_ALIGN_DOWN(pa, MM_PAGE_SIZE);
    while (pa < end) {
        uint64_t step = MM_PAGE_SIZE;
        int err;
        if ((pa & (MM_HUGE_SIZE - 1)) == 0 && end - pa >= MM_HUGE_SIZE) {
            step = MM_HUGE_SIZE;
            err = mm_pt_map_huge(&kernel_as, MM_DIRECT_MAP_BASE + pa, pa, KDATA);
        } else {
            err = mm_pt_map(&kernel_as, MM_DIRECT_MAP_BASE + pa, pa, KDATA);
        }
        if (err && err != -EEXIST) /* memory maps may overlap */
            return err;
        pa += step;
    }
    return 0;
}

/* Map kernel-image virtual [start, end) to its physical pages, except stack guard pages. */
static int map_image(uintptr_t start, uintptr_t end, uint64_t flags)
{
    for (uintptr_t va = start; va < end; va += MM_PAGE_SIZE) {
        if (kernel_image_guard_page(va))
            continue;
        int err = mm_pt_map(&kernel_as, va, va - KERNEL_VMA, flags);
        if (err)
            return err;
    }
    return 0;
}

static int build_kernel_space(const struct boot_info *bi)
{
    int err = mm_aspace_init_kernel(&kernel_as, &frames);
    for (uint32_t i = 0; err == 0 && i < bi->mmap_count; i++) {
        const struct boot_mmap_entry *e = &bi->mmap[i];
        if (e->type == MB2_MEM_AVAILABLE && e->base < MM_DIRECT_MAP_MAX)
            err = map_direct(e->base, e->length);
    }
    uintptr_t boot_start = KERNEL_VMA + (uintptr_t)_kernel_phys_start;
    if (err == 0) /* legacy low memory: the VGA text buffer */
        err = map_image(KERNEL_VMA, KERNEL_VMA + LOW_MEMORY, KDATA);
    if (err == 0) /* boot code and data: the GDT, whose accessed bits the CPU sets */
        err = map_image(boot_start, (uintptr_t)_kernel_start, KDATA);
    if (err == 0)
        err = map_image((uintptr_t)_text_start, (uintptr_t)_text_end, KTEXT);
    if (err == 0)
        err = map_image((uintptr_t)_rodata_start, (uintptr_t)_rodata_end, KRODATA);
    if (err == 0)
        err = map_image((uintptr_t)_data_start, (uintptr_t)_kernel_end, KDATA);
    return err;
}

int mm_guard_page(uintptr_t va)
{
    return kernel_image_guard_page(va) || mm_pt_is_guard(&kernel_as, va);
}

int mm_kernel_heap_create(struct mm_heap *h, enum mm_heap_kind kind, uint64_t initial, uint64_t max)
{
    uintptr_t va;
    max = MM_ALIGN_UP(max, MM_PAGE_SIZE);
    int err = mm_vregion_alloc(&kernel_vr, max, 0, &va);
    if (err)
        return err;
    struct mm_heap_config cfg = {
        .kind = kind,
        .base = va,
        .initial = initial,
        .max = max,
        .grow = mm_kmap_heap_grow,
        .grow_ctx = &kernel_as,
        .panic_on_misuse = true,
    };
    err = mm_heap_init(h, &cfg);
    if (err) {
        mm_pt_unmap_range(&kernel_as, va, max);
        mm_vregion_free(&kernel_vr, va, max);
    }
    return err;
}

void mm_kernel_heap_destroy(struct mm_heap *h)
{
    mm_pt_unmap_range(&kernel_as, h->base, h->end - h->base);
    mm_vregion_free(&kernel_vr, h->base, h->limit - h->base);
    h->base = h->end = h->limit = 0;
}

int mm_init(const struct boot_info *bi)
{
    mm_pt_set_nx_supported((rdmsr(MSR_EFER) & EFER_NXE) != 0);
    /* Until our tables are live, physical memory is reached via the identity map. */
    mm_phys_set_window(0, IDENTITY_LIMIT);
    int err = init_frames(bi);
    if (err)
        return err;
    err = build_kernel_space(bi);
    if (err)
        return err;
    mm_aspace_activate(&kernel_as);
    mm_phys_set_window(MM_DIRECT_MAP_BASE, mm_frames_top(&frames));
    /* Copy-on-write counts frames' references: take the array now, while RAM
     * is one free run, rather than at the first fork. */
    err = mm_frames_enable_refs(&frames);
    if (err)
        return err;

    err = mm_vregion_init(&kernel_vr, MM_KVREGION_BASE, MM_KVREGION_SIZE);
    if (err)
        return err;
    enum mm_heap_kind kind = MM_HEAP_BLOCK;
    char name[16];
    if (cmdline_get(bi->cmdline, "heap", name, sizeof(name)) >= 0 &&
        mm_heap_kind_parse(name, &kind) != 0)
        kprintf("mm: unknown heap backend \"%s\", using block\n", name);
    err = mm_kernel_heap_create(&kernel_heap, kind, MM_HEAP_INITIAL_SIZE, MM_KHEAP_MAX);
    if (err)
        return err;
    mm_kheap_set(&kernel_heap);
    kprintf("mm: %llu MiB free in %llu frames, heap \"%s\"\n",
            (unsigned long long)(mm_frames_free_count(&frames) * MM_PAGE_SIZE >> 20),
            (unsigned long long)mm_frames_free_count(&frames), mm_heap_kind_name(kind));
    return 0;
}

void mm_print_stats(void)
{
    struct mm_heap_stats st;
    kprintf("frames: %llu used, %llu free of %llu\n",
            (unsigned long long)mm_frames_used_count(&frames),
            (unsigned long long)mm_frames_free_count(&frames),
            (unsigned long long)mm_frames_total_count(&frames));
    if (mm_kheap() == NULL)
        return;
    mm_heap_get_stats(mm_kheap(), &st);
    kprintf("heap (%s): size %llu, in use %llu, free %llu, peak %llu, live %llu\n",
            mm_heap_kind_name(mm_kheap()->kind), (unsigned long long)st.heap_size,
            (unsigned long long)st.in_use, (unsigned long long)st.free,
            (unsigned long long)st.peak_in_use, (unsigned long long)st.live);
    for (int c = 0; c < MM_HEAP_CLASSES; c++)
        if (st.class_slabs[c])
            kprintf("  class %4llu: %llu live, %llu free, %llu slabs\n",
                    (unsigned long long)st.class_size[c], (unsigned long long)st.class_live[c],
                    (unsigned long long)st.class_free[c], (unsigned long long)st.class_slabs[c]);
}
