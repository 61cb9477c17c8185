/*
 * test_ksyms.c - symbol lookups in a table laid out as mk/ksyms.py writes it,
 * and in damaged tables (which must give "no symbol", never a wild read: the
 * runner is built with AddressSanitizer).
 */
#include <arch/ksyms.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

Suite *ksyms_suite(void);

static uint8_t table[256];
static size_t table_len;

static void put64(size_t at, uint64_t v)
{
    memcpy(table + at, &v, 8);
}

static void put32(size_t at, uint32_t v)
{
    memcpy(table + at, &v, 4);
}

/* alpha at 0x1000 (size 0x20), beta at 0x1040 (size 0: to the next), gamma at 0x2000 (0x10) */
static void build(void)
{
    memset(table, 0, sizeof(table));
    put64(0, 3);
    const char *names = "alpha\0beta\0gamma";
    uint32_t off[3] = { 0, 6, 11 };
    uint64_t addr[3] = { 0x1000, 0x1040, 0x2000 };
    uint32_t size[3] = { 0x20, 0, 0x10 };
    for (int i = 0; i < 3; i++) {
        put64(8 + (size_t)i * 16, addr[i]);
        put32(8 + (size_t)i * 16 + 8, off[i]);
        put32(8 + (size_t)i * 16 + 12, size[i]);
    }
    memcpy(table + 8 + 48, names, 17);
    table_len = 8 + 48 + 17;
}

START_TEST(test_lookups)
{
    build();
    uintptr_t off = 99;
    ck_assert_str_eq(ksym_find(table, table_len, 0x1000, &off), "alpha");
    ck_assert_uint_eq(off, 0);
    ck_assert_str_eq(ksym_find(table, table_len, 0x101f, &off), "alpha");
    ck_assert_uint_eq(off, 0x1f);
    ck_assert_ptr_null(ksym_find(table, table_len, 0x1020, &off)); /* past alpha's size */
    ck_assert_str_eq(ksym_find(table, table_len, 0x1fff, &off), "beta"); /* no size: to gamma */
    ck_assert_str_eq(ksym_find(table, table_len, 0x2008, &off), "gamma");
    ck_assert_ptr_null(ksym_find(table, table_len, 0x2010, &off));
    ck_assert_ptr_null(ksym_find(table, table_len, 0xfff, &off)); /* before the first */
    ck_assert_ptr_null(ksym_find(NULL, 0, 0x1000, &off));
    ksym_set_table(table, table_len);
    ck_assert_str_eq(ksym_lookup(0x1041, NULL), "beta");
    ksym_set_table(NULL, 0);
    ck_assert_ptr_null(ksym_lookup(0x1041, &off));
}
END_TEST

START_TEST(test_damaged_tables_find_nothing)
{
    uintptr_t off;
    build();
    put64(0, 1000); /* more entries than fit */
    ck_assert_ptr_null(ksym_find(table, table_len, 0x1000, &off));
    build();
    put32(8 + 8, 5000); /* alpha's name beyond the table */
    ck_assert_ptr_null(ksym_find(table, table_len, 0x1000, &off));
    build();
    ck_assert_ptr_null(ksym_find(table, 8 + 48 + 3, 0x2000, &off)); /* names cut: no NUL */
    ck_assert_ptr_null(ksym_find(table, 4, 0x1000, &off));
    put64(0, 0);
    ck_assert_ptr_null(ksym_find(table, table_len, 0x1000, &off));
    /* Random garbage of every length: any answer, but no out-of-bounds read. */
    srand(7);
    for (int round = 0; round < 2000; round++) {
        size_t len = (size_t)rand() % 96;
        uint8_t *g = malloc(len ? len : 1);
        for (size_t i = 0; i < len; i++)
            g[i] = (uint8_t)rand();
        if (len >= 8)
            g[0] = (uint8_t)(rand() % 6), memset(g + 1, 0, 7);
        ksym_find(g, len, (uintptr_t)rand(), &off);
        free(g);
    }
}
END_TEST

Suite *ksyms_suite(void)
{
    Suite *s = suite_create("ksyms");
    TCase *tc = tcase_create("ksyms");
    tcase_add_test(tc, test_lookups);
    tcase_add_test(tc, test_damaged_tables_find_nothing);
    suite_add_tcase(s, tc);
    return s;
}
