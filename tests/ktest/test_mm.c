/*
 * test_mm.c - in-kernel checks of libmm after mm_init(): the live page tables,
 * faults on NULL, on writes to kernel text and on executing data, the seed's heap
 * tests on every backend, and address spaces, stacks and MMIO windows that give
 * back every frame they took.
 *
 * Needs: mm_init() called by kmain() before the tests run; the fault tests also
 * need the IDT and trap_set_handler() (arch/trap.h), like test_traps.c.
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/layout.h>
#include <arch/trap.h>
#include <kernel/boot.h>
#include <kernel/ktest.h>
#include <mm/mm.h>
#include <string.h>

#define MSR_EFER 0xc0000080u
#define EFER_NXE (1ull << 11)

static volatile uintptr_t resume_at;
static volatile int seen_vector = -1;
static volatile uint64_t seen_error, seen_cr2;

static void recover(struct trap_frame *tf)
{
    seen_vector = (int)tf->vector;
    seen_error = tf->error_code;
    seen_cr2 = read_cr2();
    tf->rip = resume_at;
}

/* For a fault on the target of a call: return to the caller. */
static void recover_return(struct trap_frame *tf)
{
    seen_vector = (int)tf->vector;
    seen_error = tf->error_code;
    seen_cr2 = read_cr2();
    tf->rip = *(uint64_t *)tf->rsp;
    tf->rsp += 8;
}

static uint64_t flags_of(const void *va)
{
    uint64_t flags = 0;
    if (mm_pt_translate(mm_kernel_aspace(), (uintptr_t)va, NULL, &flags))
        return 0;
    return flags;
}

KTEST(mm_kernel_image_permissions)
{
    KT_ASSERT_EQ(read_cr3() & MM_PTE_ADDR, mm_kernel_aspace()->pml4);
    uint64_t text = flags_of(_text_start), rodata = flags_of(_rodata_start);
    uint64_t data = flags_of(_data_start), bss = flags_of(_bss_start);
    KT_ASSERT(text & MM_PTE_P);
    KT_ASSERT(!(text & MM_PTE_W));
    KT_ASSERT(!(text & MM_PTE_NX));
    KT_ASSERT(rodata & MM_PTE_P);
    KT_ASSERT(!(rodata & MM_PTE_W));
    KT_ASSERT((rodata & MM_PTE_NX) || !(rdmsr(MSR_EFER) & EFER_NXE));
    KT_ASSERT((data & (MM_PTE_P | MM_PTE_W)) == (MM_PTE_P | MM_PTE_W));
    KT_ASSERT((bss & (MM_PTE_P | MM_PTE_W)) == (MM_PTE_P | MM_PTE_W));
    KT_ASSERT((data & MM_PTE_NX) || !(rdmsr(MSR_EFER) & EFER_NXE));
    /* Kernel pages are global and never user-accessible. */
    KT_ASSERT(text & MM_PTE_G);
    KT_ASSERT(!(text & MM_PTE_U) && !(data & MM_PTE_U));
    uint64_t pa;
    KT_ASSERT_EQ(mm_pt_translate(mm_kernel_aspace(), (uintptr_t)_text_start, &pa, NULL), 0);
    KT_ASSERT_EQ(pa, kernel_image_phys(_text_start));
}

KTEST(mm_guard_pages_and_low_memory_unmapped)
{
    struct mm_aspace *kas = mm_kernel_aspace();
    KT_ASSERT_EQ(mm_pt_translate(kas, (uintptr_t)boot_stack_guard, NULL, NULL), -ENOENT);
    KT_ASSERT_EQ(mm_pt_translate(kas, (uintptr_t)ist_double_fault_guard, NULL, NULL), -ENOENT);
    KT_ASSERT_EQ(mm_pt_translate(kas, (uintptr_t)boot_stack_guard + 4096, NULL, NULL), 0);
    /* The identity map is gone: NULL and low memory are not mapped. */
    KT_ASSERT_EQ(mm_pt_translate(kas, 0, NULL, NULL), -ENOENT);
    KT_ASSERT_EQ(mm_pt_translate(kas, 0x100000, NULL, NULL), -ENOENT);
    KT_ASSERT_EQ(mm_pt_translate(kas, 0x3fffffff, NULL, NULL), -ENOENT);
}

KTEST(mm_direct_map_reaches_every_frame)
{
    uint64_t pa;
    KT_ASSERT_EQ(mm_frame_alloc(mm_kernel_frames(), &pa), 0);
    uint64_t *p = mm_phys_to_virt(pa);
    KT_ASSERT_EQ((uintptr_t)p, MM_DIRECT_MAP_BASE + pa);
    p[0] = 0x1234;
    p[511] = 0x5678;
    KT_ASSERT_EQ(mm_virt_to_phys(p), pa);
    uint64_t got;
    KT_ASSERT_EQ(mm_pt_translate(mm_kernel_aspace(), (uintptr_t)p, &got, NULL), 0);
    KT_ASSERT_EQ(got, pa);
    KT_ASSERT_EQ(p[0] + p[511], 0x1234 + 0x5678);
    KT_ASSERT_EQ(mm_frame_free(mm_kernel_frames(), pa), 0);
    /* The kernel image is reachable through the direct map too. */
    const char *alias = mm_phys_to_virt(kernel_image_phys(_rodata_start));
    KT_ASSERT_EQ(memcmp(alias, _rodata_start, 64), 0);
}

KTEST(mm_null_dereference_faults)
{
    trap_handler_fn old = trap_set_handler(TRAP_PAGE_FAULT, recover);
    seen_vector = -1;
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
                     "movq %%rax, %0\n\t"
                     "movq 0, %%rax\n"
                     "1:"
                     : "=m"(resume_at)
                     :
                     : "rax", "memory");
    trap_set_handler(TRAP_PAGE_FAULT, old);
    KT_ASSERT_EQ(seen_vector, TRAP_PAGE_FAULT);
    KT_ASSERT_EQ(seen_cr2, 0);
    KT_ASSERT_EQ(seen_error & PF_PRESENT, 0);
}

KTEST(mm_write_to_kernel_text_faults)
{
    volatile uint8_t *text = (volatile uint8_t *)_text_start;
    trap_handler_fn old = trap_set_handler(TRAP_PAGE_FAULT, recover);
    seen_vector = -1;
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
                     "movq %%rax, %0\n\t"
                     "movb $0xcc, (%1)\n"
                     "1:"
                     : "=m"(resume_at)
                     : "r"(text)
                     : "rax", "memory");
    trap_set_handler(TRAP_PAGE_FAULT, old);
    KT_ASSERT_EQ(seen_vector, TRAP_PAGE_FAULT);
    KT_ASSERT_EQ(seen_cr2, (uintptr_t)text);
    KT_ASSERT_EQ(seen_error & (PF_PRESENT | PF_WRITE), PF_PRESENT | PF_WRITE);
    KT_ASSERT(*text != 0xcc || 1); /* still readable */
}

KTEST(mm_executing_heap_memory_faults)
{
    if (!(rdmsr(MSR_EFER) & EFER_NXE))
        return; /* no NX on this CPU: nothing to check */
    uint8_t *code = kmalloc(16);
    KT_ASSERT(code != NULL);
    code[0] = 0xc3; /* ret */
    trap_handler_fn old = trap_set_handler(TRAP_PAGE_FAULT, recover_return);
    seen_vector = -1;
    ((void (*)(void))code)();
    trap_set_handler(TRAP_PAGE_FAULT, old);
    kfree(code);
    KT_ASSERT_EQ(seen_vector, TRAP_PAGE_FAULT);
    KT_ASSERT_EQ(seen_cr2, (uintptr_t)code);
    KT_ASSERT(seen_error & PF_IFETCH);
}

/* The seed's heap tests, run on a fresh heap of each backend. */
static void simple_allocation(void)
{
    long *a = kmalloc(sizeof(long)), *b = kmalloc(sizeof(long));
    KT_ASSERT(a && b && a != b);
    *a = 41;
    *b = 13;
    KT_ASSERT_EQ(*a, 41);
    KT_ASSERT_EQ(*b, 13);
    kfree(a);
    kfree(b);
}

static void large_vec(void)
{
    const long n = 1000;
    long *v = NULL, cap = 0;
    for (long i = 0; i < n; i++) {
        if (i == cap) {
            cap = cap ? cap * 2 : 1;
            v = krealloc(v, (size_t)cap * sizeof(*v));
            KT_ASSERT(v != NULL);
        }
        v[i] = i;
    }
    long sum = 0;
    for (long i = 0; i < n; i++)
        sum += v[i];
    KT_ASSERT_EQ(sum, (n - 1) * n / 2);
    kfree(v);
}

static void many_boxes(void)
{
    for (long i = 0; i < 10000; i++) {
        long *x = kmalloc(sizeof(long));
        KT_ASSERT(x != NULL);
        *x = i;
        KT_ASSERT_EQ(*x, i);
        kfree(x);
    }
}

static void many_boxes_long_lived(void)
{
    long *long_lived = kmalloc(sizeof(long));
    KT_ASSERT(long_lived != NULL);
    *long_lived = 1;
    for (long i = 0; i < 10000; i++) {
        long *x = kmalloc(sizeof(long));
        KT_ASSERT(x != NULL);
        *x = i;
        kfree(x);
    }
    KT_ASSERT_EQ(*long_lived, 1);
    kfree(long_lived);
}

/* Run @p body with kmalloc() on a new heap of @p kind; check nothing leaked. */
static void with_heap(enum mm_heap_kind kind, void (*body)(void))
{
    static struct mm_heap h;
    uint64_t frames_before = mm_frames_free_count(mm_kernel_frames());
    KT_ASSERT_EQ(mm_kernel_heap_create(&h, kind, MM_HEAP_INITIAL_SIZE, 4ull << 20), 0);
    struct mm_heap *saved = mm_kheap();
    mm_kheap_set(&h);
    body();
    mm_kheap_set(saved);
    struct mm_heap_stats st;
    mm_heap_get_stats(&h, &st);
    mm_kernel_heap_destroy(&h);
    KT_ASSERT_EQ(st.live, 0);
    KT_ASSERT_EQ(st.bad_frees, 0);
    KT_ASSERT_EQ(mm_frames_free_count(mm_kernel_frames()), frames_before);
}

#define HEAP_KTESTS(kind_, name_)                                                                  \
    KTEST(mm_heap_##name_##_simple_allocation)                                                     \
    {                                                                                              \
        with_heap(kind_, simple_allocation);                                                       \
    }                                                                                              \
    KTEST(mm_heap_##name_##_large_vec)                                                             \
    {                                                                                              \
        with_heap(kind_, large_vec);                                                               \
    }                                                                                              \
    KTEST(mm_heap_##name_##_many_boxes)                                                            \
    {                                                                                              \
        with_heap(kind_, many_boxes);                                                              \
    }                                                                                              \
    KTEST(mm_heap_##name_##_many_boxes_long_lived)                                                 \
    {                                                                                              \
        with_heap(kind_, many_boxes_long_lived);                                                   \
    }

HEAP_KTESTS(MM_HEAP_BUMP, bump)
HEAP_KTESTS(MM_HEAP_LIST, list)
HEAP_KTESTS(MM_HEAP_BLOCK, block)

KTEST(mm_kernel_heap_works)
{
    KT_ASSERT(mm_kheap() != NULL);
    void *p = kmalloc_aligned(100, 256);
    KT_ASSERT(p != NULL);
    KT_ASSERT_EQ((uintptr_t)p % 256, 0);
    KT_ASSERT((uintptr_t)p >= MM_KVREGION_BASE);
    memset(p, 0xab, 100);
    kfree(p);
    mm_print_stats(); /* what the shell will show */
}

KTEST(mm_address_space_created_and_destroyed_without_leak)
{
    struct mm_frames *fa = mm_kernel_frames();
    uint64_t before = mm_frames_free_count(fa);
    struct mm_aspace as;
    KT_ASSERT_EQ(mm_aspace_create(&as, mm_kernel_aspace()), 0);
    KT_ASSERT_EQ(mm_pt_map_anon(&as, 0x400000, 64 * 1024, MM_PTE_U | MM_PTE_W | MM_PTE_NX), 0);
    KT_ASSERT_EQ(mm_pt_map_anon(&as, 0x7fffffff0000ull, 4096, MM_PTE_U | MM_PTE_W), 0);
    /* The kernel half is shared: switch to it and keep running kernel code. */
    uint64_t pa;
    KT_ASSERT_EQ(mm_pt_translate(&as, (uintptr_t)_text_start, &pa, NULL), 0);
    uint64_t irq = cpu_irq_save();
    mm_aspace_activate(&as);
    volatile uint64_t *user = (volatile uint64_t *)0x400000;
    *user = 42; /* a supervisor write to a user page (no SMAP) */
    uint64_t got = *user;
    mm_aspace_activate(mm_kernel_aspace());
    cpu_irq_restore(irq);
    KT_ASSERT_EQ(got, 42);
    KT_ASSERT(mm_frames_free_count(fa) < before);
    mm_aspace_destroy(&as);
    KT_ASSERT_EQ(mm_frames_free_count(fa), before);
}

KTEST(mm_kernel_stack_has_guard_page)
{
    struct mm_frames *fa = mm_kernel_frames();
    uint64_t before = mm_frames_free_count(fa);
    struct mm_kstack s;
    KT_ASSERT_EQ(mm_kstack_alloc(mm_kernel_aspace(), mm_kernel_vregion(), 16 * 1024, &s), 0);
    KT_ASSERT_EQ(mm_pt_translate(mm_kernel_aspace(), s.guard, NULL, NULL), -ENOENT);
    KT_ASSERT(mm_guard_page(s.guard + 100));
    KT_ASSERT(!mm_guard_page(s.base));
    KT_ASSERT(mm_guard_page((uintptr_t)boot_stack_guard));
    volatile uint64_t *top = (volatile uint64_t *)s.top;
    top[-1] = 7;
    ((volatile uint8_t *)s.base)[0] = 1;
    KT_ASSERT_EQ(top[-1], 7);
    /* Touching the guard page faults. */
    trap_handler_fn old = trap_set_handler(TRAP_PAGE_FAULT, recover);
    seen_vector = -1;
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
                     "movq %%rax, %0\n\t"
                     "movq $1, -8(%1)\n"
                     "1:"
                     : "=m"(resume_at)
                     : "r"(s.base)
                     : "rax", "memory");
    trap_set_handler(TRAP_PAGE_FAULT, old);
    KT_ASSERT_EQ(seen_vector, TRAP_PAGE_FAULT);
    KT_ASSERT_EQ(seen_cr2, s.base - 8);
    KT_ASSERT_EQ(mm_kstack_free(mm_kernel_aspace(), mm_kernel_vregion(), &s), 0);
    KT_ASSERT_EQ(mm_frames_free_count(fa), before);
}

KTEST(mm_mmio_window_aliases_device_memory)
{
    /* Device memory: VGA text memory's last row, or under UEFI (which need not
     * decode the legacy VGA window) and in VESA modes the framebuffer's last
     * pixel row. Two windows onto it must alias each other. */
    const struct boot_info *bi = kernel_boot_info();
    uint64_t pa = 0xb8000 + 2 * 80 * 24;
    if (bi->has_framebuffer && bi->fb.type == MB2_FB_RGB)
        pa = bi->fb.addr + (uint64_t)bi->fb.pitch * (bi->fb.height - 1);
    volatile void *win, *win2;
    KT_ASSERT_EQ(mm_mmio_map(mm_kernel_aspace(), mm_kernel_vregion(), pa, 160, &win), 0);
    KT_ASSERT_EQ(mm_mmio_map(mm_kernel_aspace(), mm_kernel_vregion(), pa, 160, &win2), 0);
    KT_ASSERT(win != win2);
    uint64_t flags = flags_of((const void *)win);
    KT_ASSERT((flags & MM_PTE_UNCACHED) == MM_PTE_UNCACHED);
    volatile uint16_t *cell = win;
    volatile uint16_t *same = win2;
    uint16_t saved = *same;
    *cell = 0x0700 | 'M';
    KT_ASSERT_EQ(*same, 0x0700 | 'M');
    *cell = saved;
    if (pa < KERNEL_BOOT_MAP_SIZE) /* and through the kernel's low mapping */
        KT_ASSERT_EQ(*(volatile uint16_t *)(KERNEL_VMA + pa), saved);
    KT_ASSERT_EQ(mm_mmio_unmap(mm_kernel_aspace(), mm_kernel_vregion(), win2, 160), 0);
    KT_ASSERT_EQ(mm_mmio_unmap(mm_kernel_aspace(), mm_kernel_vregion(), win, 160), 0);
}

KTEST(mm_contiguous_frames_for_dma)
{
    struct mm_frames *fa = mm_kernel_frames();
    uint64_t before = mm_frames_free_count(fa), pa;
    KT_ASSERT_EQ(mm_frame_alloc_contig(fa, 16, 64 * 1024, &pa), 0);
    KT_ASSERT_EQ(pa % (64 * 1024), 0);
    memset(mm_phys_to_virt(pa), 0, 16 * 4096);
    KT_ASSERT_EQ(mm_frame_free_contig(fa, pa, 16), 0);
    KT_ASSERT_EQ(mm_frames_free_count(fa), before);
}
