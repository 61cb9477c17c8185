/*
 * test_uvm_model.c - randomized test: 10^4 random mmap / munmap / mprotect /
 * brk / write / fork operations per seed, checked after every step against a
 * page-granular model of a 256-page window: the VMA list must be exactly the
 * run-length encoding of the model's pages (so splitting and merging are both
 * checked), every result and error must be the one the model predicts, the
 * contents of every page written must read back, and a forked child must stay
 * isolated from its parent. The resident count and the PTE flags are checked
 * against the page tables, and at the end every frame must be back.
 */
#include "suites.h"
#include "test_uvm.h"
#include <k/errno.h>
#include <check.h>
#include <mm/phys.h>
#include <string.h>

#define PG     MM_PAGE_SIZE
#define NPAGES 256
#define WIN    0x20000000ull /* window [WIN, WIN + NPAGES pages) */
#define WEND   (WIN + NPAGES * PG)
#define OPS    10000
#define RW     (UVM_PROT_READ | UVM_PROT_WRITE)
#define NONE   0xff /* model: no VMA */

struct page {
    uint8_t kind; /* UVM_VMA_* or NONE */
    uint8_t prot;
    uint64_t val; /* what the first 8 bytes hold (0 for a fresh page) */
};

struct model {
    struct page p[NPAGES];
    uint64_t brk; /* the break; its base is the model's brk_base */
};

static uint64_t rng_state;
static uint64_t brk_base;

static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

static uint64_t page_addr(int i)
{
    return WIN + (uint64_t)i * PG;
}

static int page_index(uint64_t addr)
{
    return (int)((addr - WIN) / PG);
}

static void model_clear(struct model *m, int first, int end)
{
    for (int i = first; i < end; i++)
        if (m->p[i].kind != UVM_VMA_GUARD)
            m->p[i] = (struct page){ NONE, 0, 0 };
}

static void model_set(struct model *m, int first, int end, uint8_t kind, uint8_t prot)
{
    for (int i = first; i < end; i++)
        m->p[i] = (struct page){ kind, prot, 0 };
}

static bool model_any(const struct model *m, int first, int end, bool guard_only)
{
    for (int i = first; i < end; i++)
        if (guard_only ? m->p[i].kind == UVM_VMA_GUARD : m->p[i].kind != NONE)
            return true;
    return false;
}

/* The VMAs must be the run-length encoding of the model, inside the window. */
static void check_vmas(struct uvm *vm, const struct model *m)
{
    uint32_t v = 0;
    for (int i = 0; i < NPAGES;) {
        if (m->p[i].kind == NONE) {
            i++;
            continue;
        }
        int j = i;
        while (j < NPAGES && m->p[j].kind == m->p[i].kind && m->p[j].prot == m->p[i].prot)
            j++;
        REQUIRE(v < vm->nvmas);
        REQUIRE(vm->vmas[v].start == page_addr(i));
        REQUIRE(vm->vmas[v].end == page_addr(j));
        REQUIRE(vm->vmas[v].kind == m->p[i].kind);
        REQUIRE(vm->vmas[v].prot == m->p[i].prot);
        v++;
        i = j;
    }
    REQUIRE(v == vm->nvmas);
}

/* Page tables: only model pages present; flags as the prot allows; count = resident. */
static void check_pages(struct uvm *vm, const struct model *m)
{
    uint64_t present = 0;
    for (int i = 0; i < NPAGES; i++) {
        uint64_t pa, e = uvm_test_pte(vm, page_addr(i), &pa);
        if (!e) {
            REQUIRE(m->p[i].val == 0);
            continue;
        }
        present++;
        const struct page *p = &m->p[i];
        REQUIRE(p->kind != NONE && p->kind != UVM_VMA_GUARD);
        REQUIRE(!!(e & MM_PTE_U) == (p->prot != 0));
        REQUIRE(!(e & MM_PTE_NX) == !!(p->prot & UVM_PROT_EXEC));
        REQUIRE(!(e & MM_PTE_W) ||
                ((p->prot & UVM_PROT_WRITE) && mm_frame_refcount(&uvm_test_frames, pa) == 1));
        uint64_t v;
        memcpy(&v, mm_phys_to_virt(pa), sizeof(v));
        REQUIRE(v == p->val);
    }
    struct uvm_stats st;
    uvm_stats(vm, &st);
    REQUIRE(st.resident_pages == present);
    REQUIRE(st.brk == m->brk);
}

static int rand_prot(void)
{
    static const int prots[] = {
        0, UVM_PROT_READ, RW, RW, UVM_PROT_READ | UVM_PROT_EXEC, UVM_PROT_EXEC, UVM_PROT_WRITE
    };
    return prots[rnd(sizeof(prots) / sizeof(prots[0]))];
}

static void op_map_fixed(struct uvm *vm, struct model *m)
{
    int first = (int)rnd(NPAGES), n = 1 + (int)rnd(16);
    if (first + n > NPAGES)
        n = NPAGES - first;
    int prot = rand_prot();
    uint64_t got;
    int err = uvm_map(vm, page_addr(first), (uint64_t)n * PG - rnd(PG), prot, UVM_MAP_FIXED, &got);
    if (model_any(m, first, first + n, true)) {
        REQUIRE(err == -ENOMEM);
        return;
    }
    REQUIRE(err == 0 && got == page_addr(first));
    model_set(m, first, first + n, UVM_VMA_ANON, (uint8_t)prot);
}

/*
 * Hinted mapping: the hint if free, else the highest free run below mmap_base
 * (WEND). With no room in the window it lands below, ending where the window's
 * first occupied page starts; we check that and undo it.
 */
static void op_map_hint(struct uvm *vm, struct model *m)
{
    int n = 1 + (int)rnd(8), hint = (int)rnd(NPAGES - n + 1);
    int want = -1;
    if (!model_any(m, hint, hint + n, false))
        want = hint;
    for (int s = NPAGES - n; want < 0 && s >= 0; s--)
        if (!model_any(m, s, s + n, false))
            want = s;
    uint64_t got;
    REQUIRE(uvm_map(vm, page_addr(hint), (uint64_t)n * PG, UVM_PROT_READ, 0, &got) == 0);
    if (want < 0) {
        int lead = 0;
        while (m->p[lead].kind == NONE)
            lead++;
        REQUIRE(got == page_addr(lead) - (uint64_t)n * PG);
        REQUIRE(uvm_unmap(vm, got, (uint64_t)n * PG) == 0);
        return;
    }
    REQUIRE(got == page_addr(want));
    model_set(m, want, want + n, UVM_VMA_ANON, UVM_PROT_READ);
}

static void op_unmap(struct uvm *vm, struct model *m)
{
    int first = (int)rnd(NPAGES), n = 1 + (int)rnd(32);
    if (first + n > NPAGES)
        n = NPAGES - first;
    REQUIRE(uvm_unmap(vm, page_addr(first), (uint64_t)n * PG) == 0);
    model_clear(m, first, first + n);
}

static void op_protect(struct uvm *vm, struct model *m)
{
    int first = (int)rnd(NPAGES), n = 1 + (int)rnd(16);
    if (first + n > NPAGES)
        n = NPAGES - first;
    int prot = rand_prot();
    int err = uvm_protect(vm, page_addr(first), (uint64_t)n * PG, prot);
    bool hole = false;
    for (int i = first; i < first + n; i++)
        hole |= m->p[i].kind == NONE || m->p[i].kind == UVM_VMA_GUARD;
    if (hole) {
        REQUIRE(err == -ENOMEM);
        return;
    }
    REQUIRE(err == 0);
    for (int i = first; i < first + n; i++)
        m->p[i].prot = (uint8_t)prot;
}

static void op_brk(struct uvm *vm, struct model *m)
{
    uint64_t want = brk_base + rnd(48 * PG);
    if (rnd(8) == 0)
        want = brk_base - 1 - rnd(PG); /* below the base: a query */
    uint64_t got = uvm_brk(vm, want);
    if (want < brk_base) {
        REQUIRE(got == m->brk);
        return;
    }
    int old_end = page_index(MM_ALIGN_UP(m->brk, PG)), new_end = page_index(MM_ALIGN_UP(want, PG));
    if (new_end > old_end && model_any(m, old_end, new_end, false)) {
        REQUIRE(got == m->brk);
        return;
    }
    REQUIRE(got == want);
    if (new_end > old_end)
        model_set(m, old_end, new_end, UVM_VMA_HEAP, RW);
    else
        model_clear(m, new_end, old_end);
    m->brk = want;
}

/* Write a random value at the start of a page through copy_out or a fault. */
static void op_write(struct uvm *vm, struct model *m)
{
    int i = (int)rnd(NPAGES);
    uint64_t v = rng_state | 1, addr = page_addr(i);
    struct page *p = &m->p[i];
    bool writable = p->kind != NONE && p->kind != UVM_VMA_GUARD && (p->prot & UVM_PROT_WRITE);
    if (rnd(2)) {
        REQUIRE(uvm_copy_out(vm, addr, &v, sizeof(v)) == (writable ? 0 : -EFAULT));
    } else {
        int err = uvm_fault(vm, addr, true, false);
        REQUIRE(err == (writable ? 0 : -EFAULT));
        uint64_t pa, e = uvm_test_pte(vm, addr, &pa);
        if (writable) {
            REQUIRE(e & MM_PTE_W);
            memcpy(mm_phys_to_virt(pa), &v, sizeof(v));
        }
    }
    if (writable)
        p->val = v;
}

/* Read a page through copy_in (or a read fault): the model's value, or -EFAULT. */
static void op_read(struct uvm *vm, struct model *m)
{
    int i = (int)rnd(NPAGES);
    const struct page *p = &m->p[i];
    bool readable = p->kind != NONE && p->kind != UVM_VMA_GUARD && p->prot != 0;
    uint64_t v = 0xdeadbeef;
    int err = uvm_copy_in(vm, &v, page_addr(i), sizeof(v));
    REQUIRE(err == (readable ? 0 : -EFAULT));
    REQUIRE(v == (readable ? p->val : 0xdeadbeef));
    bool exec = rnd(2);
    bool ok = readable && (!exec || (p->prot & UVM_PROT_EXEC));
    REQUIRE(uvm_fault(vm, page_addr(i) + rnd(PG), false, exec) == (ok ? 0 : -EFAULT));
}

static void run_ops(struct uvm *vm, struct model *m, int count, bool with_brk)
{
    for (int op = 0; op < count; op++) {
        switch (rnd(with_brk ? 8 : 7)) {
        case 0:
            op_map_fixed(vm, m);
            break;
        case 1:
            op_map_hint(vm, m);
            break;
        case 2:
            op_unmap(vm, m);
            break;
        case 3:
            op_protect(vm, m);
            break;
        case 4:
        case 5:
            op_write(vm, m);
            break;
        case 6:
            op_read(vm, m);
            break;
        default:
            op_brk(vm, m);
            break;
        }
        check_vmas(vm, m);
        if (op % 16 == 0)
            check_pages(vm, m);
    }
}

/* Fork: both sides run their own random ops; neither may see the other's. */
static void fork_round(struct uvm *parent, struct model *pm)
{
    static struct uvm child;
    static struct model cm;
    REQUIRE(uvm_fork(&child, parent) == 0);
    cm = *pm;
    check_vmas(&child, &cm);
    check_pages(&child, &cm);
    for (int k = 0; k < 8; k++) {
        run_ops(&child, &cm, 25, true);
        run_ops(parent, pm, 25, true);
    }
    check_pages(&child, &cm);
    check_pages(parent, pm);
    uvm_destroy(&child);
    check_pages(parent, pm);
}

START_TEST(test_random_against_model)
{
    rng_state = 0x9e3779b97f4a7c15ull * (uint64_t)(_i + 1);
    uint64_t before = uvm_test_free_frames();
    struct uvm vm;
    static struct model m;
    uvm_test_create(&vm);
    vm.mmap_base = WEND;
    for (int i = 0; i < NPAGES; i++)
        m.p[i] = (struct page){ NONE, 0, 0 };
    /* A stack with its gap at the top of the window, the heap in the middle. */
    uint64_t low;
    REQUIRE(uvm_map_stack(&vm, WEND, 8 * PG, 8 * PG, &low) == 0);
    model_set(&m, NPAGES - 8, NPAGES, UVM_VMA_STACK, RW);
    model_set(&m, NPAGES - 16, NPAGES - 8, UVM_VMA_GUARD, 0);
    brk_base = page_addr(96);
    REQUIRE(uvm_set_brk_base(&vm, brk_base) == 0);
    m.brk = brk_base;
    check_vmas(&vm, &m);

    for (int round = 0; round < OPS / 500; round++) {
        run_ops(&vm, &m, 400, true);
        fork_round(&vm, &m); /* 400 more ops, half in the child */
        check_pages(&vm, &m);
    }
    struct uvm_stats st;
    uvm_stats(&vm, &st);
    ck_assert_uint_gt(st.cow_copies + st.write_enables, 0);
    ck_assert_uint_gt(st.zero_fills, 0);
    uvm_destroy(&vm);
    ck_assert_uint_eq(uvm_test_free_frames(), before);
    ck_assert_uint_eq(mm_frames_shared_count(&uvm_test_frames), 0);
}
END_TEST

Suite *uvm_model_suite(void)
{
    Suite *s = suite_create("uvm_model");
    TCase *tc = tcase_create("random");
    tcase_add_checked_fixture(tc, uvm_test_setup, uvm_test_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_random_against_model, 0, 3);
    suite_add_tcase(s, tc);
    return s;
}
