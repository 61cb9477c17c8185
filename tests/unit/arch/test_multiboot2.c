/*
 * test_multiboot2.c - the multiboot2 parser against crafted information blocks,
 * well-formed and malformed.
 */
#include <k/errno.h>
#include <arch/multiboot2.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

Suite *multiboot2_suite(void);

/* A small builder for information blocks. */
struct mb {
    _Alignas(8) uint8_t b[4096];
    uint32_t len;
};

static void mb_begin(struct mb *m)
{
    memset(m, 0, sizeof(*m));
    m->len = 8;
}

static uint8_t *mb_tag(struct mb *m, uint32_t type, uint32_t size)
{
    uint8_t *t = m->b + m->len;
    memcpy(t, &type, 4);
    memcpy(t + 4, &size, 4);
    m->len += (size + 7) & ~7u;
    return t;
}

static void mb_end(struct mb *m)
{
    mb_tag(m, MB2_TAG_END, 8);
    memcpy(m->b, &m->len, 4);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
    memcpy(p, &v, 8);
}

static void add_string(struct mb *m, uint32_t type, const char *s)
{
    uint32_t n = (uint32_t)strlen(s) + 1;
    uint8_t *t = mb_tag(m, type, 8 + n);
    memcpy(t + 8, s, n);
}

static void add_mmap(struct mb *m, int n, const uint64_t (*e)[3])
{
    uint8_t *t = mb_tag(m, MB2_TAG_MMAP, 16 + 24 * (uint32_t)n);
    put32(t + 8, 24);
    put32(t + 12, 0);
    for (int i = 0; i < n; i++) {
        put64(t + 16 + 24 * i, e[i][0]);
        put64(t + 24 + 24 * i, e[i][1]);
        put32(t + 32 + 24 * i, (uint32_t)e[i][2]);
    }
}

static struct mb m;
static struct boot_info bi;

START_TEST(test_full_block)
{
    static const uint64_t map[3][3] = {
        { 0, 0x9fc00, MB2_MEM_AVAILABLE },
        { 0x9fc00, 0x400, MB2_MEM_RESERVED },
        { 0x100000, 0x7ee0000, MB2_MEM_AVAILABLE },
    };
    mb_begin(&m);
    add_string(&m, MB2_TAG_CMDLINE, "ktest heap=list");
    add_string(&m, MB2_TAG_BOOTLOADER, "GRUB 2.06");
    uint8_t *t = mb_tag(&m, MB2_TAG_BASIC_MEM, 16);
    put32(t + 8, 639);
    put32(t + 12, 130048);
    add_mmap(&m, 3, map);
    t = mb_tag(&m, MB2_TAG_MODULE, 16 + 7);
    put32(t + 8, 0x200000);
    put32(t + 12, 0x201000);
    memcpy(t + 16, "initrd", 7);
    t = mb_tag(&m, MB2_TAG_FRAMEBUFFER, 32);
    put64(t + 8, 0xb8000);
    put32(t + 16, 160);
    put32(t + 20, 80);
    put32(t + 24, 25);
    t[28] = 16;
    t[29] = 2;
    t = mb_tag(&m, MB2_TAG_ACPI_OLD, 8 + 20);
    memcpy(t + 8, "RSD PTR ", 8);
    mb_end(&m);

    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), 0);
    ck_assert_str_eq(bi.cmdline, "ktest heap=list");
    ck_assert_str_eq(bi.loader, "GRUB 2.06");
    ck_assert(bi.has_basic_mem);
    ck_assert_uint_eq(bi.mem_upper_kb, 130048);
    ck_assert_uint_eq(bi.mmap_count, 3);
    ck_assert_uint_eq(bi.mmap[2].base, 0x100000);
    ck_assert_uint_eq(bi.mmap[1].type, MB2_MEM_RESERVED);
    ck_assert_uint_eq(boot_info_mem_available(&bi), 0x9fc00 + 0x7ee0000);
    ck_assert_uint_eq(bi.module_count, 1);
    ck_assert_uint_eq(bi.modules[0].end, 0x201000);
    ck_assert_str_eq(bi.modules[0].name, "initrd");
    ck_assert(bi.has_framebuffer);
    ck_assert_uint_eq(bi.fb.width, 80);
    ck_assert_uint_eq(bi.fb.type, 2);
    ck_assert_uint_eq(bi.rsdp_version, 1);
    ck_assert_uint_eq(bi.rsdp_len, 20);
    ck_assert_int_eq(memcmp(bi.rsdp, "RSD PTR ", 8), 0);
    ck_assert_uint_eq(bi.info_size, m.len);
    ck_assert(!bi.truncated);
}
END_TEST

START_TEST(test_minimal_block_and_unknown_tags)
{
    mb_begin(&m);
    uint8_t *t = mb_tag(&m, 21, 12); /* image load base: not used, skipped */
    put32(t + 8, 0);
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, m.len, &bi), 0);
    ck_assert_str_eq(bi.cmdline, "");
    ck_assert_uint_eq(bi.mmap_count, 0);
    ck_assert_uint_eq(boot_info_mem_available(&bi), 0);
}
END_TEST

START_TEST(test_acpi_new_preferred)
{
    mb_begin(&m);
    uint8_t *t = mb_tag(&m, MB2_TAG_ACPI_NEW, 8 + 36);
    t[8] = 'N';
    t = mb_tag(&m, MB2_TAG_ACPI_OLD, 8 + 20);
    t[8] = 'O';
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, m.len, &bi), 0);
    ck_assert_uint_eq(bi.rsdp_version, 2);
    ck_assert_uint_eq(bi.rsdp_len, 36);
    ck_assert_int_eq(bi.rsdp[0], 'N');
}
END_TEST

START_TEST(test_long_strings_truncated)
{
    char longline[600];
    memset(longline, 'a', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    mb_begin(&m);
    add_string(&m, MB2_TAG_CMDLINE, longline);
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, m.len, &bi), 0);
    ck_assert_uint_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
    ck_assert(bi.truncated);
}
END_TEST

START_TEST(test_too_many_mmap_entries_truncated)
{
    static uint64_t map[BOOT_MMAP_MAX + 5][3];
    for (int i = 0; i < BOOT_MMAP_MAX + 5; i++) {
        map[i][0] = (uint64_t)i << 20;
        map[i][1] = 1 << 20;
        map[i][2] = MB2_MEM_AVAILABLE;
    }
    mb_begin(&m);
    add_mmap(&m, BOOT_MMAP_MAX + 5, (const uint64_t(*)[3])map);
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), 0);
    ck_assert_uint_eq(bi.mmap_count, BOOT_MMAP_MAX);
    ck_assert(bi.truncated);
}
END_TEST

/* Every malformed block below must be refused with -EINVAL, never read past. */

START_TEST(test_reject_null_and_tiny)
{
    ck_assert_int_eq(mb2_parse(NULL, 100, &bi), -EINVAL);
    mb_begin(&m);
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, 15, &bi), -EINVAL);
}
END_TEST

START_TEST(test_reject_total_size_too_big_or_small)
{
    mb_begin(&m);
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, m.len - 1, &bi), -EINVAL); /* block bigger than buffer */
    put32(m.b, 8);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);
}
END_TEST

START_TEST(test_reject_missing_end_tag)
{
    mb_begin(&m);
    add_string(&m, MB2_TAG_CMDLINE, "x");
    memcpy(m.b, &m.len, 4); /* no end tag */
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);
}
END_TEST

START_TEST(test_reject_bad_tag_sizes)
{
    mb_begin(&m);
    mb_tag(&m, MB2_TAG_CMDLINE, 4); /* smaller than a tag header */
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);

    mb_begin(&m);
    uint8_t *t = mb_tag(&m, 77, 16);
    mb_end(&m);
    put32(t + 4, 4000); /* runs past the block */
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);

    mb_begin(&m);
    mb_tag(&m, MB2_TAG_END, 16); /* end tag must be 8 bytes */
    memcpy(m.b, &m.len, 4);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);
}
END_TEST

START_TEST(test_reject_unterminated_string)
{
    mb_begin(&m);
    uint8_t *t = mb_tag(&m, MB2_TAG_CMDLINE, 8 + 8);
    memcpy(t + 8, "abcdefgh", 8); /* no NUL inside the tag */
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);
}
END_TEST

START_TEST(test_reject_bad_mmap)
{
    mb_begin(&m);
    uint8_t *t = mb_tag(&m, MB2_TAG_MMAP, 16 + 24);
    put32(t + 8, 12); /* entry size too small */
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);

    mb_begin(&m);
    t = mb_tag(&m, MB2_TAG_MMAP, 16 + 24);
    put32(t + 8, 26); /* not a multiple of 8 */
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);

    mb_begin(&m);
    mb_tag(&m, MB2_TAG_MMAP, 12); /* header cut short */
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);
}
END_TEST

/* What GRUB gives under UEFI: a direct-colour framebuffer and the EFI tags. */
START_TEST(test_uefi_framebuffer_and_efi_tags)
{
    mb_begin(&m);
    uint8_t *t = mb_tag(&m, MB2_TAG_FRAMEBUFFER, 38);
    put64(t + 8, 0x80000000ull);
    put32(t + 16, 4096);
    put32(t + 20, 1024);
    put32(t + 24, 768);
    t[28] = 32;
    t[29] = MB2_FB_RGB;
    const uint8_t fields[6] = { 16, 8, 8, 8, 0, 8 };
    memcpy(t + 32, fields, 6);
    t = mb_tag(&m, MB2_TAG_EFI64, 16);
    put64(t + 8, 0xfe5b018ull);
    mb_tag(&m, MB2_TAG_EFI_MMAP, 16);
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), 0);
    ck_assert(bi.has_framebuffer);
    ck_assert_uint_eq(bi.fb.type, MB2_FB_RGB);
    ck_assert_uint_eq(bi.fb.addr, 0x80000000ull);
    ck_assert_uint_eq(bi.fb.pitch, 4096);
    ck_assert_uint_eq(bi.fb.height, 768);
    ck_assert_uint_eq(bi.fb.red_pos, 16);
    ck_assert_uint_eq(bi.fb.green_size, 8);
    ck_assert_uint_eq(bi.fb.blue_pos, 0);
    ck_assert(bi.efi);
    ck_assert(!bi.efi_boot_services);
    ck_assert_uint_eq(bi.efi_system_table, 0xfe5b018ull);
    ck_assert_str_eq(boot_info_firmware(&bi), "UEFI");

    /* A 32-bit system table and boot services left running. */
    mb_begin(&m);
    t = mb_tag(&m, MB2_TAG_EFI32, 12);
    put32(t + 8, 0x7f00000);
    mb_tag(&m, MB2_TAG_EFI_BS, 8);
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), 0);
    ck_assert_uint_eq(bi.efi_system_table, 0x7f00000);
    ck_assert(bi.efi_boot_services);

    /* No EFI tag: BIOS. */
    mb_begin(&m);
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), 0);
    ck_assert_str_eq(boot_info_firmware(&bi), "BIOS");
}
END_TEST

START_TEST(test_reject_short_efi_and_rgb_tags)
{
    /* an RGB framebuffer cut before its colour fields */
    mb_begin(&m);
    uint8_t *t = mb_tag(&m, MB2_TAG_FRAMEBUFFER, 32);
    t[29] = MB2_FB_RGB;
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);
    static const uint32_t types[] = { MB2_TAG_EFI32, MB2_TAG_EFI64 };
    for (unsigned i = 0; i < 2; i++) {
        mb_begin(&m);
        mb_tag(&m, types[i], 8 + 2);
        mb_end(&m);
        ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);
    }
}
END_TEST

START_TEST(test_reject_short_fixed_tags)
{
    static const uint32_t types[] = { MB2_TAG_BASIC_MEM, MB2_TAG_FRAMEBUFFER, MB2_TAG_MODULE,
                                      MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW };
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        mb_begin(&m);
        mb_tag(&m, types[i], 12);
        mb_end(&m);
        ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);
    }
    /* a module whose end is before its start */
    mb_begin(&m);
    uint8_t *t = mb_tag(&m, MB2_TAG_MODULE, 24);
    put32(t + 8, 0x2000);
    put32(t + 12, 0x1000);
    mb_end(&m);
    ck_assert_int_eq(mb2_parse(m.b, sizeof(m.b), &bi), -EINVAL);
}
END_TEST

START_TEST(test_mem_type_names)
{
    ck_assert_str_eq(mb2_mem_type_name(MB2_MEM_AVAILABLE), "available");
    ck_assert_str_eq(mb2_mem_type_name(MB2_MEM_RESERVED), "reserved");
    ck_assert_str_eq(mb2_mem_type_name(MB2_MEM_ACPI), "ACPI reclaimable");
    ck_assert_str_eq(mb2_mem_type_name(MB2_MEM_NVS), "ACPI NVS");
    ck_assert_str_eq(mb2_mem_type_name(MB2_MEM_BADRAM), "bad RAM");
    ck_assert_str_eq(mb2_mem_type_name(MB2_MEM_PERSISTENT), "persistent");
    ck_assert_str_eq(mb2_mem_type_name(MB2_MEM_FW_CODE), "firmware code");
    ck_assert_str_eq(mb2_mem_type_name(99), "unknown");
}
END_TEST

/* Random garbage must never make the parser read outside the block (ASan checks). */
START_TEST(test_fuzz_random_blocks)
{
    uint32_t seed = 12345;
    for (int iter = 0; iter < 20000; iter++) {
        uint32_t len = 16 + (seed % 200);
        uint8_t *p = malloc(len);
        for (uint32_t i = 0; i < len; i++) {
            seed = seed * 1103515245 + 12345;
            p[i] = (uint8_t)(seed >> 16);
        }
        /* give it a plausible total size and first tag sometimes */
        if (iter % 2)
            memcpy(p, &len, 4);
        if (iter % 4 == 1) {
            uint32_t sz = 8 + (seed % 40);
            memcpy(p + 12, &sz, 4);
        }
        int r = mb2_parse(p, len, &bi);
        ck_assert(r == 0 || r == -EINVAL);
        free(p);
    }
}
END_TEST

Suite *multiboot2_suite(void)
{
    Suite *s = suite_create("multiboot2");
    TCase *ok = tcase_create("well-formed");
    tcase_add_test(ok, test_uefi_framebuffer_and_efi_tags);
    tcase_add_test(ok, test_reject_short_efi_and_rgb_tags);
    tcase_add_test(ok, test_full_block);
    tcase_add_test(ok, test_minimal_block_and_unknown_tags);
    tcase_add_test(ok, test_acpi_new_preferred);
    tcase_add_test(ok, test_long_strings_truncated);
    tcase_add_test(ok, test_too_many_mmap_entries_truncated);
    tcase_add_test(ok, test_mem_type_names);
    suite_add_tcase(s, ok);
    TCase *bad = tcase_create("malformed");
    tcase_add_test(bad, test_reject_null_and_tiny);
    tcase_add_test(bad, test_reject_total_size_too_big_or_small);
    tcase_add_test(bad, test_reject_missing_end_tag);
    tcase_add_test(bad, test_reject_bad_tag_sizes);
    tcase_add_test(bad, test_reject_unterminated_string);
    tcase_add_test(bad, test_reject_bad_mmap);
    tcase_add_test(bad, test_reject_short_fixed_tags);
    tcase_add_test(bad, test_fuzz_random_blocks);
    suite_add_tcase(s, bad);
    return s;
}
