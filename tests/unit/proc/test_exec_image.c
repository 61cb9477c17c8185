/*
 * test_exec_image.c - programs' shared pages (proc/exec_image.h): two
 * processes running the same file version map the same frames; a write to a
 * data page in one never shows in the other nor in a later process; a file
 * changed after an exec runs as the new version in new processes while the
 * old one runs on unchanged; sweeps free what nobody runs; failures leak
 * nothing (the fixture checks every frame and heap block after each test).
 */
#include "suites.h"
#include "test_uvm.h"
#include <check.h>
#include <k/errno.h>
#include <mm/phys.h>
#include <proc/exec_image.h>
#include <string.h>

#define PG MM_PAGE_SIZE

/* A file: a text segment (3 pages of file bytes, starting mid-page) and a
 * data segment (1.5 pages of file bytes, then .bss). */
#define FILE_SIZE 0x6000
#define TEXT_VA   0x401100ull /* file offset 0x1100 */
#define TEXT_OFF  0x1100ull
#define TEXT_SZ   0x2800ull
#define DATA_VA   0x405200ull /* file offset 0x4200 */
#define DATA_OFF  0x4200ull
#define DATA_FSZ  0x1700ull
#define DATA_MSZ  0x4000ull

static uint8_t file[FILE_SIZE];
static struct exec_cache cache;
static struct uvm a, b, c;
static int short_read_at = -1; /* the reader returns fewer bytes on call number N */
static int reads;

static long mem_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    (void)ctx;
    reads++;
    if (short_read_at >= 0 && reads > short_read_at)
        return 0;
    if (off >= FILE_SIZE)
        return 0;
    if (len > FILE_SIZE - off)
        len = FILE_SIZE - off;
    memcpy(buf, file + off, len);
    return (long)len;
}

static const struct elf_reader reader = { mem_read, NULL, FILE_SIZE };

static struct elf_image image(void)
{
    struct elf_image img;
    memset(&img, 0, sizeof(img));
    img.nseg = 2;
    img.seg[0] =
        (struct elf_load_seg){ TEXT_VA, TEXT_SZ, TEXT_SZ, TEXT_OFF, UVM_PROT_READ | UVM_PROT_EXEC };
    img.seg[1] = (struct elf_load_seg){ DATA_VA, DATA_MSZ, DATA_FSZ, DATA_OFF,
                                        UVM_PROT_READ | UVM_PROT_WRITE };
    return img;
}

static struct exec_image_key key_v(uint32_t version)
{
    return (struct exec_image_key){ .dev = 3, .ino = 42, .size = FILE_SIZE, .ctime_nsec = version };
}

static void fill_file(uint8_t seed)
{
    for (size_t i = 0; i < FILE_SIZE; i++)
        file[i] = (uint8_t)(i * 7 + seed) | 1; /* never zero: padding is told apart */
}

static void setup(void)
{
    uvm_test_setup();
    struct uvm_config cfg = uvm_test_config();
    exec_cache_init(&cache, &uvm_test_frames, cfg.alloc, cfg.free);
    fill_file(0);
    short_read_at = -1;
    reads = 0;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memset(&c, 0, sizeof(c));
}

static void teardown(void)
{
    uvm_destroy(&a);
    uvm_destroy(&b);
    uvm_destroy(&c);
    exec_cache_clear(&cache);
    uvm_test_teardown();
}

static int exec_into(struct uvm *vm, uint32_t version)
{
    uvm_test_create(vm);
    struct exec_image_key k = key_v(version);
    struct elf_image img = image();
    return exec_cache_map(&cache, &k, &reader, &img, vm);
}

static uint64_t frame_of(struct uvm *vm, uint64_t va)
{
    uint64_t pa;
    ck_assert_uint_ne(uvm_test_pte(vm, va, &pa), 0);
    return pa;
}

/* What a copying loader puts at @p va: the file byte, or 0 outside the file bytes. */
static uint8_t expected(uint64_t va)
{
    if (va >= TEXT_VA && va < TEXT_VA + TEXT_SZ)
        return file[TEXT_OFF + (va - TEXT_VA)];
    if (va >= DATA_VA && va < DATA_VA + DATA_FSZ)
        return file[DATA_OFF + (va - DATA_VA)];
    return 0;
}

/* Every byte of both segments' pages reads as a copying loader would give. */
static void check_contents(struct uvm *vm)
{
    static uint8_t page[PG];
    const uint64_t ranges[2][2] = { { 0x401000, 0x404000 }, { 0x405000, 0x40a000 } };
    for (int r = 0; r < 2; r++)
        for (uint64_t va = ranges[r][0]; va < ranges[r][1]; va += PG) {
            ck_assert_int_eq(uvm_copy_in(vm, page, va, PG), 0);
            for (uint64_t i = 0; i < PG; i++)
                REQUIRE(page[i] == expected(va + i));
        }
}

/* A user write as the CPU does it: a fault first only if the PTE forbids it. */
static void user_write(struct uvm *vm, uint64_t va, uint8_t v)
{
    if (!(uvm_test_pte(vm, va, NULL) & MM_PTE_W))
        ck_assert_int_eq(uvm_fault(vm, va, true, false), 0);
    uint64_t pa;
    ck_assert_uint_ne(uvm_test_pte(vm, va, &pa) & MM_PTE_W, 0);
    memset((uint8_t *)mm_phys_to_virt(pa) + (va & (PG - 1)), v, 16);
}

START_TEST(test_same_version_shares_frames)
{
    ck_assert_int_eq(exec_into(&a, 1), 0);
    int after_first = reads;
    ck_assert_int_eq(exec_into(&b, 1), 0);
    ck_assert_int_eq(reads, after_first); /* the second exec reads nothing */
    check_contents(&a);
    check_contents(&b);
    for (uint64_t va = 0x401000; va < 0x404000; va += PG) {
        ck_assert_uint_eq(frame_of(&a, va), frame_of(&b, va));
        ck_assert_uint_eq(mm_frame_refcount(&uvm_test_frames, frame_of(&a, va)), 3);
        ck_assert_uint_eq(uvm_test_pte(&a, va, NULL) & MM_PTE_W, 0);
        ck_assert_uint_eq(uvm_test_pte(&a, va, NULL) & MM_PTE_NX, 0);
    }
    /* Data: shared too, read-only until written; .bss pages not backed. */
    ck_assert_uint_eq(frame_of(&a, 0x405000), frame_of(&b, 0x405000));
    ck_assert_uint_eq(frame_of(&a, 0x406000), frame_of(&b, 0x406000));
    ck_assert_uint_eq(uvm_test_pte(&a, 0x405000, NULL) & MM_PTE_W, 0);
    ck_assert_uint_ne(uvm_test_pte(&a, 0x405000, NULL) & MM_PTE_NX, 0);
    ck_assert_uint_eq(uvm_test_pte(&a, 0x407000, NULL), 0);
    struct exec_cache_stats st;
    exec_cache_stats(&cache, &st);
    ck_assert_uint_eq(st.images, 1);
    ck_assert_uint_eq(st.pages, 5);
    ck_assert_uint_eq(st.misses, 1);
    ck_assert_uint_eq(st.hits, 1);
    ck_assert_uint_eq(st.shared_pages, 10);
}
END_TEST

START_TEST(test_data_write_stays_in_its_process)
{
    ck_assert_int_eq(exec_into(&a, 1), 0);
    ck_assert_int_eq(exec_into(&b, 1), 0);
    uint64_t shared = frame_of(&a, 0x405000);
    user_write(&a, DATA_VA, 0xee);
    ck_assert_uint_ne(frame_of(&a, 0x405000), shared);
    /* And a kernel write (copy_to_user) into the other data page. */
    uint8_t junk[8] = { 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd, 0xdd };
    ck_assert_int_eq(uvm_copy_out(&a, 0x406000, junk, sizeof(junk)), 0);
    uint8_t got[16];
    ck_assert_int_eq(uvm_copy_in(&a, got, DATA_VA, 16), 0);
    ck_assert_uint_eq(got[0], 0xee);
    /* Neither the other process nor one started later sees it. */
    check_contents(&b);
    ck_assert_int_eq(exec_into(&c, 1), 0);
    check_contents(&c);
    ck_assert_uint_eq(frame_of(&c, 0x405000), shared);
    ck_assert_uint_eq(a.counter.cow_copies, 2);
}
END_TEST

START_TEST(test_text_cannot_be_written)
{
    ck_assert_int_eq(exec_into(&a, 1), 0);
    ck_assert_int_eq(uvm_fault(&a, TEXT_VA, true, false), -EFAULT);
    /* Made writable by mprotect, a text page is copied at its first write;
     * the image, and so every other process, keeps the file's bytes. */
    ck_assert_int_eq(uvm_protect(&a, 0x401000, PG, UVM_PROT_READ | UVM_PROT_WRITE), 0);
    ck_assert_int_eq(exec_into(&b, 1), 0);
    ck_assert_int_eq(uvm_fault(&a, 0x401000, true, false), 0);
    ck_assert_uint_ne(frame_of(&a, 0x401000), frame_of(&b, 0x401000));
    check_contents(&b);
}
END_TEST

START_TEST(test_changed_file_is_a_new_image)
{
    ck_assert_int_eq(exec_into(&a, 1), 0);
    fill_file(99); /* rewritten: its ctime moves */
    ck_assert_int_eq(exec_into(&b, 2), 0);
    check_contents(&b);
    ck_assert_uint_ne(frame_of(&a, 0x402000), frame_of(&b, 0x402000));
    /* The old process runs on its old pages. */
    uint8_t old_byte;
    ck_assert_int_eq(uvm_copy_in(&a, &old_byte, 0x402000, 1), 0);
    ck_assert_uint_eq(old_byte, (uint8_t)(0x2000 * 7) | 1); /* file offset 0x2000, first version */
    struct exec_cache_stats st;
    exec_cache_stats(&cache, &st);
    ck_assert_uint_eq(st.images, 2);
    /* Once the old version's last process is gone, a sweep drops it. */
    uvm_destroy(&a);
    ck_assert_uint_eq(exec_cache_sweep(&cache), 1);
    exec_cache_stats(&cache, &st);
    ck_assert_uint_eq(st.images, 1);
    ck_assert_uint_eq(st.dropped, 1);
}
END_TEST

START_TEST(test_sweep_frees_what_nobody_runs)
{
    uint64_t before = uvm_test_free_frames();
    ck_assert_int_eq(exec_into(&a, 1), 0);
    ck_assert_int_eq(exec_into(&b, 1), 0);
    ck_assert_uint_eq(exec_cache_sweep(&cache), 0);
    struct exec_cache_stats st;
    exec_cache_stats(&cache, &st);
    ck_assert_uint_gt(st.pages, 0);
    ck_assert_uint_lt(st.idle_pages, st.pages); /* mapped: not idle */
    uvm_destroy(&a);
    ck_assert_uint_eq(exec_cache_sweep(&cache), 0); /* b still runs it */
    check_contents(&b);
    uvm_destroy(&b);
    exec_cache_stats(&cache, &st);
    ck_assert_uint_eq(st.idle_pages, st.pages); /* nobody maps them until the sweep */
    ck_assert_uint_eq(exec_cache_sweep(&cache), 1);
    exec_cache_stats(&cache, &st);
    ck_assert_uint_eq(st.pages + st.idle_pages, 0);
    ck_assert_uint_eq(uvm_test_free_frames(), before);
    /* Clearing while a process still maps the pages leaves that process whole. */
    ck_assert_int_eq(exec_into(&c, 1), 0);
    exec_cache_clear(&cache);
    check_contents(&c);
    ck_assert_int_eq(uvm_fault(&c, DATA_VA, true, false), 0); /* sole user: no copy */
    ck_assert_uint_eq(c.counter.cow_copies, 0);
}
END_TEST

START_TEST(test_short_file_fails_cleanly)
{
    short_read_at = 2;
    ck_assert_int_eq(exec_into(&a, 1), -ENOEXEC);
    struct exec_cache_stats st;
    exec_cache_stats(&cache, &st);
    ck_assert_uint_eq(st.images, 0);
    short_read_at = -1;
    uvm_destroy(&a);
    ck_assert_int_eq(exec_into(&a, 1), 0);
    check_contents(&a);
}
END_TEST

START_TEST(test_out_of_memory_fails_cleanly)
{
    for (int n = 0; n < 3; n++) {
        uvm_test_fail_alloc_after(n);
        int err = exec_into(&a, 1);
        uvm_test_fail_alloc_after(-1);
        ck_assert_int_eq(err, -ENOMEM);
        uvm_destroy(&a);
    }
    /* No frames left for the image's pages. */
    static uint64_t hog[8192]; /* 32 MiB of simulated RAM: 8192 frames at most */
    size_t n = 0;
    uvm_test_create(&b);
    while (n < 8192 && mm_frame_alloc(&uvm_test_frames, &hog[n]) == 0)
        n++;
    struct exec_image_key k = key_v(1);
    struct elf_image img = image();
    int err = exec_cache_map(&cache, &k, &reader, &img, &b);
    ck_assert(err == -ENOMEM);
    while (n)
        mm_frame_free(&uvm_test_frames, hog[--n]);
    struct exec_cache_stats st;
    exec_cache_stats(&cache, &st);
    ck_assert_uint_eq(st.images, 0);
}
END_TEST

START_TEST(test_share_frame_checks)
{
    uvm_test_create(&a);
    uint64_t pa, got;
    ck_assert_int_eq(mm_frame_alloc_zeroed(&uvm_test_frames, &pa), 0);
    ck_assert_int_eq(uvm_share_frame(&a, 0x500000, pa), -EFAULT); /* no VMA */
    ck_assert_int_eq(uvm_map(&a, 0x500000, 2 * PG, UVM_PROT_READ, UVM_MAP_FIXED, &got), 0);
    ck_assert_int_eq(uvm_share_frame(&a, 0x500010, pa), -EINVAL);
    ck_assert_int_eq(uvm_share_frame(&a, UVM_USER_TOP, pa), -EFAULT);
    ck_assert_int_eq(uvm_share_frame(&a, 0x500000, pa), 0);
    ck_assert_int_eq(uvm_share_frame(&a, 0x500000, pa), -EEXIST);
    ck_assert_uint_eq(mm_frame_refcount(&uvm_test_frames, pa), 2);
    uint64_t low;
    ck_assert_int_eq(uvm_map_stack(&a, 0x700000, PG, PG, &low), 0);
    ck_assert_int_eq(uvm_share_frame(&a, 0x700000 - 2 * PG, pa), -EFAULT); /* guard gap */
    mm_frame_free(&uvm_test_frames, pa);
    ck_assert_uint_eq(frame_of(&a, 0x500000), pa); /* the mapping keeps it */
}
END_TEST

Suite *exec_image_suite(void)
{
    Suite *s = suite_create("exec_image");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_same_version_shares_frames);
    tcase_add_test(tc, test_data_write_stays_in_its_process);
    tcase_add_test(tc, test_text_cannot_be_written);
    tcase_add_test(tc, test_changed_file_is_a_new_image);
    tcase_add_test(tc, test_sweep_frees_what_nobody_runs);
    tcase_add_test(tc, test_short_file_fails_cleanly);
    tcase_add_test(tc, test_out_of_memory_fails_cleanly);
    tcase_add_test(tc, test_share_frame_checks);
    suite_add_tcase(s, tc);
    return s;
}
