/*
 * test_ksyms.c - symbol and line lookups in tables laid out as mk/ksyms.py and
 * mk/klines.py write them, and in damaged tables (which must give "unknown",
 * never a wild read: the runner is built with AddressSanitizer).
 */
#include <arch/ksyms.h>
#include <arch/panic.h>
#include <k/console.h>
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
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
    ck_assert_ptr_null(ksym_find(table, table_len, 0x1020, &off));       /* past alpha's size */
    ck_assert_str_eq(ksym_find(table, table_len, 0x1fff, &off), "beta"); /* no size: to gamma */
    ck_assert_str_eq(ksym_find(table, table_len, 0x2008, &off), "gamma");
    ck_assert_ptr_null(ksym_find(table, table_len, 0x2010, &off));
    ck_assert_ptr_null(ksym_find(table, table_len, 0xfff, &off)); /* before the first */
    ck_assert_ptr_null(ksym_find(NULL, 0, 0x1000, &off));
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

/* --- line tables ------------------------------------------------------- */

/* A row as mk/klines.py keeps it: file 0 means "no line information". */
struct row {
    uint64_t addr;
    uint32_t file;
    uint32_t line;
};

static uint8_t lines[1024];
static size_t lines_len;

static size_t put_uleb(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        p[n++] = b | (v ? 0x80 : 0);
    } while (v);
    return n;
}

static void put32_at(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* An encoder written from the layout in arch/ksyms.h, independent of the
 * Python one: short rows where they fit, blocks of per_block rows. */
static size_t encode_lines(uint8_t *out, const struct row *rows, size_t n, size_t per_block,
                           const char *const *files, uint32_t nfiles)
{
    uint32_t nblocks = (uint32_t)((n + per_block - 1) / per_block);
    uint32_t index_off = 32, files_off = index_off + 12 * nblocks;
    uint32_t strings_off = files_off + 4 * nfiles, at = strings_off;
    for (uint32_t i = 0; i < nfiles; i++) {
        put32_at(out + files_off + 4 * i, at - strings_off);
        memcpy(out + at, files[i], strlen(files[i]) + 1);
        at += (uint32_t)strlen(files[i]) + 1;
    }
    uint32_t stream_off = at;
    uint64_t prev_addr = 0;
    uint32_t prev_file = 0, prev_line = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % per_block == 0) {
            uint8_t *ix = out + index_off + 12 * (i / per_block);
            memcpy(ix, &rows[i].addr, 8);
            put32_at(ix + 8, at - stream_off);
            prev_addr = rows[i].addr, prev_file = 0, prev_line = 0;
        }
        int64_t d = (int64_t)rows[i].line - prev_line;
        uint64_t da = rows[i].addr - prev_addr;
        if (rows[i].file == prev_file && d >= -4 && d < 6 && da * 10 + (uint64_t)(d + 4) < 254) {
            out[at++] = (uint8_t)(2 + da * 10 + (uint64_t)(d + 4));
        } else {
            out[at++] = rows[i].file == prev_file;
            at += (uint32_t)put_uleb(out + at, da);
            at += (uint32_t)put_uleb(out + at, d >= 0 ? (uint64_t)d * 2 : (uint64_t)(-d) * 2 - 1);
            if (rows[i].file != prev_file)
                at += (uint32_t)put_uleb(out + at, rows[i].file);
        }
        prev_addr = rows[i].addr, prev_file = rows[i].file, prev_line = rows[i].line;
    }
    uint32_t head[8] = { KLINES_MAGIC, nblocks,     nfiles,     index_off,
                         files_off,    strings_off, stream_off, at - stream_off };
    memcpy(out, head, sizeof(head));
    return at;
}

static const char *const line_files[] = { "lib/a.c", "lib/include/b.h" };

/* Two functions with a gap between them: a.c from 0x1000, b.h from 0x2000. */
static const struct row line_rows[] = {
    { 0x1000, 1, 10 },  { 0x1004, 1, 12 },  /* short row, +2 */
    { 0x1010, 1, 9 },                       /* short row, -3 */
    { 0x1100, 1, 300 },                     /* long row */
    { 0x1101, 2, 7 },   { 0x1108, 1, 301 }, /* another file and back */
    { 0x1200, 0, 0 },                       /* end of the function */
    { 0x2000, 2, 6 },   { 0x2003, 2, 1 },   /* a long row in the same file: -5 */
    { 0x2008, 0, 0 },                       /* the end of the table */
};
#define NROWS (sizeof(line_rows) / sizeof(line_rows[0]))

static void build_lines(size_t per_block)
{
    memset(lines, 0, sizeof(lines));
    lines_len = encode_lines(lines, line_rows, NROWS, per_block, line_files, 2);
}

/* "file:line" or "?" for addr in lines[0, len). */
static const char *where(size_t len, uint64_t addr)
{
    static char buf[64];
    const char *file = NULL;
    unsigned line = 0;
    int r = kline_find(lines, len, (uintptr_t)addr, &file, &line);
    if (r != 0) {
        ck_assert_int_eq(r, -ENOENT);
        return "?";
    }
    ck_assert_ptr_nonnull(file);
    ck_assert(file >= (const char *)lines && file < (const char *)lines + len);
    snprintf(buf, sizeof(buf), "%s:%u", file, line);
    return buf;
}

START_TEST(test_line_lookups)
{
    /* The answers do not depend on how the rows are cut into blocks. */
    size_t per_block = (size_t)_i + 1;
    build_lines(per_block);
    ck_assert_str_eq(where(lines_len, 0), "?");
    ck_assert_str_eq(where(lines_len, 0xfff), "?"); /* before the first row */
    ck_assert_str_eq(where(lines_len, 0x1000), "lib/a.c:10");
    ck_assert_str_eq(where(lines_len, 0x1003), "lib/a.c:10");
    ck_assert_str_eq(where(lines_len, 0x1004), "lib/a.c:12");
    ck_assert_str_eq(where(lines_len, 0x100f), "lib/a.c:12");
    ck_assert_str_eq(where(lines_len, 0x1010), "lib/a.c:9");
    ck_assert_str_eq(where(lines_len, 0x10ff), "lib/a.c:9");
    ck_assert_str_eq(where(lines_len, 0x1100), "lib/a.c:300");
    ck_assert_str_eq(where(lines_len, 0x1101), "lib/include/b.h:7");
    ck_assert_str_eq(where(lines_len, 0x1107), "lib/include/b.h:7");
    ck_assert_str_eq(where(lines_len, 0x1108), "lib/a.c:301");
    ck_assert_str_eq(where(lines_len, 0x11ff), "lib/a.c:301");
    ck_assert_str_eq(where(lines_len, 0x1200), "?"); /* between the functions */
    ck_assert_str_eq(where(lines_len, 0x1fff), "?");
    ck_assert_str_eq(where(lines_len, 0x2000), "lib/include/b.h:6");
    ck_assert_str_eq(where(lines_len, 0x2003), "lib/include/b.h:1");
    ck_assert_str_eq(where(lines_len, 0x2007), "lib/include/b.h:1");
    ck_assert_str_eq(where(lines_len, 0x2008), "?"); /* after the last row */
    ck_assert_str_eq(where(lines_len, UINTPTR_MAX), "?");
}
END_TEST

START_TEST(test_line_tables_empty_or_cut)
{
    const char *file = "untouched";
    unsigned line = 77;
    ck_assert_int_eq(kline_find(NULL, 0, 0x1000, &file, &line), -ENOENT);
    ck_assert_int_eq(kline_find(lines, 0, 0x1000, &file, &line), -ENOENT);
    ck_assert_str_eq(file, "untouched"); /* nothing written on failure */
    ck_assert_uint_eq(line, 77);
    build_lines(3);
    ck_assert_str_eq(where(lines_len, 0x1004), "lib/a.c:12");
    /* Every shorter length cuts off part of what the header promises. */
    for (size_t len = 0; len < lines_len; len++)
        ck_assert_str_eq(where(len, 0x2003), "?");
    /* A table with no blocks. */
    uint32_t zero = 0;
    memcpy(lines + 4, &zero, 4);
    ck_assert_str_eq(where(lines_len, 0x1004), "?");
}
END_TEST

static void set32(size_t at, uint32_t v)
{
    memcpy(lines + at, &v, 4);
}

static uint32_t get32(size_t at)
{
    uint32_t v;
    memcpy(&v, lines + at, 4);
    return v;
}

START_TEST(test_damaged_line_tables_find_nothing)
{
    build_lines(4);
    set32(0, 0x12345678); /* magic */
    ck_assert_str_eq(where(lines_len, 0x1004), "?");
    build_lines(4);
    set32(8, 1); /* b.h's number is now past the file list */
    ck_assert_str_eq(where(lines_len, 0x1004), "lib/a.c:12");
    ck_assert_str_eq(where(lines_len, 0x1101), "?");
    build_lines(4);
    set32(get32(16) + 4, 5000); /* b.h's name far outside the table */
    ck_assert_str_eq(where(lines_len, 0x2000), "?");
    build_lines(4);
    set32(get32(16) + 4, get32(24) - get32(20) - 1);          /* b.h's name runs into the rows */
    ck_assert_str_eq(where(lines_len, 0x1000), "lib/a.c:10"); /* a.c is fine */
    build_lines(4);
    set32(get32(12) + 12 + 8, 1000); /* block 1 starts past the stream */
    ck_assert_str_eq(where(lines_len, 0x1004), "?");
    ck_assert_str_eq(where(lines_len, 0x1101), "?");
    build_lines(4);
    set32(get32(12) + 12 + 8, 0); /* block 1 ends before block 0 starts: empty */
    ck_assert_str_eq(where(lines_len, 0x1004), "?");

    /* A long row whose numbers run off the end, or past 64 bits. */
    build_lines(64);
    uint32_t stream = get32(24);
    lines[stream] = 0;
    memset(lines + stream + 1, 0xff, lines_len - stream - 1);
    ck_assert_str_eq(where(lines_len, 0x1004), "?");
    memset(lines + stream + 1, 0x80, 9);
    lines[stream + 10] = 0x7f; /* a tenth byte with bits beyond the 64th */
    ck_assert_str_eq(where(lines_len, 0x1004), "?");
    /* Line 0 and lines past 32 bits are refused. */
    struct row zero_line[] = { { 0x10, 1, 0 }, { 0x20, 0, 0 } };
    lines_len = encode_lines(lines, zero_line, 2, 8, line_files, 2);
    ck_assert_str_eq(where(lines_len, 0x10), "?");
    build_lines(64);
    lines[stream] = 0; /* first row: file 1, line 10 + 2^40 */
    size_t at = stream + 1;
    at += put_uleb(lines + at, 0);
    at += put_uleb(lines + at, (10ull + (1ull << 40)) * 2);
    at += put_uleb(lines + at, 1);
    set32(28, (uint32_t)(at - stream));
    ck_assert_str_eq(where(at, 0x1000), "?");
}
END_TEST

START_TEST(test_line_tables_survive_garbage)
{
    /* Every single-byte change of a good table, at a few addresses: any
     * answer, but no read outside it (AddressSanitizer watches). */
    build_lines(3);
    size_t len = lines_len;
    uint8_t *copy = malloc(len);
    for (size_t i = 0; i < len; i++) {
        for (int v = 0; v < 256; v += 17) {
            build_lines(3);
            lines[i] ^= (uint8_t)(v | 1);
            memcpy(copy, lines, len);
            const char *file;
            unsigned line;
            for (uint64_t a = 0xff0; a < 0x2010; a += 0x7b)
                if (kline_find(copy, len, (uintptr_t)a, &file, &line) == 0)
                    ck_assert(file >= (const char *)copy && file < (const char *)copy + len);
        }
    }
    /* And random bytes behind a good magic. */
    srand(11);
    for (int round = 0; round < 3000; round++) {
        size_t n = 32 + (size_t)rand() % 96;
        uint8_t *g = malloc(n);
        for (size_t i = 0; i < n; i++)
            g[i] = (uint8_t)rand();
        uint32_t head[8] = { KLINES_MAGIC };
        for (int k = 1; k < 8; k++)
            head[k] = (uint32_t)rand() % (uint32_t)(n + 8);
        head[1] = 1 + (uint32_t)rand() % 4;
        memcpy(g, head, sizeof(head));
        const char *file;
        unsigned line;
        if (kline_find(g, n, (uintptr_t)rand() % 0x100, &file, &line) == 0)
            ck_assert(file >= (const char *)g && file < (const char *)g + n);
        free(g);
    }
    free(copy);
}
END_TEST

/* --- the .ksyms section ------------------------------------------------- */

static uint8_t section[2048];

/* header, the symbol table at 24, then the line table at lines_at */
static size_t build_section(size_t lines_at)
{
    build();
    build_lines(4);
    memset(section, 0, sizeof(section));
    uint32_t head[6] = { KSYMS_MAGIC,         KSYMS_VERSION,      24,
                         (uint32_t)table_len, (uint32_t)lines_at, (uint32_t)lines_len };
    memcpy(section, head, sizeof(head));
    memcpy(section + 24, table, table_len);
    memcpy(section + lines_at, lines, lines_len);
    return lines_at + lines_len;
}

START_TEST(test_installed_section)
{
    size_t len = build_section(104);
    const char *file;
    unsigned line;
    uintptr_t off;
    ksym_set_table(section, len);
    ck_assert_str_eq(ksym_lookup(0x1041, &off), "beta");
    ck_assert_uint_eq(off, 1);
    ck_assert_int_eq(kline_lookup(0x1010, &file, &line), 0);
    ck_assert_str_eq(file, "lib/a.c");
    ck_assert_uint_eq(line, 9);
    ck_assert_int_eq(kline_lookup(0x1200, &file, &line), -ENOENT);

    /* No line table (a release build): symbols only. */
    uint32_t zero = 0;
    memcpy(section + 20, &zero, 4);
    ksym_set_table(section, len);
    ck_assert_str_eq(ksym_lookup(0x1041, NULL), "beta");
    ck_assert_int_eq(kline_lookup(0x1010, &file, &line), -ENOENT);

    /* A line table said to run past the section: symbols only. */
    len = build_section(104);
    ksym_set_table(section, len - 1);
    ck_assert_str_eq(ksym_lookup(0x1041, NULL), "beta");
    ck_assert_int_eq(kline_lookup(0x1010, &file, &line), -ENOENT);
    /* A symbol table past the section: lines only. */
    uint32_t big = 0xfffffff0u;
    memcpy(section + 12, &big, 4);
    ksym_set_table(section, len);
    ck_assert_ptr_null(ksym_lookup(0x1041, NULL));
    ck_assert_int_eq(kline_lookup(0x1010, &file, &line), 0);

    /* A bad magic or version, a short header or none: nothing at all. */
    for (int bad = 0; bad < 4; bad++) {
        len = build_section(104);
        if (bad == 0)
            section[0] ^= 1;
        else if (bad == 1)
            section[4] = 9;
        ksym_set_table(bad == 3 ? NULL : section, bad == 2 ? 23 : len);
        ck_assert_ptr_null(ksym_lookup(0x1041, &off));
        ck_assert_int_eq(kline_lookup(0x1010, &file, &line), -ENOENT);
    }
}
END_TEST

/* Backtrace lines, through a console that collects what is printed. */
static char printed[512];
static size_t printed_len;

static void collect(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    if (n > sizeof(printed) - 1 - printed_len)
        n = sizeof(printed) - 1 - printed_len;
    memcpy(printed + printed_len, s, n);
    printed_len += n;
    printed[printed_len] = '\0';
}

static const struct console_ops collect_ops = { .write = collect };

static const char *frame_line(size_t i, uintptr_t pc, int is_return, const char *note)
{
    printed_len = 0;
    printed[0] = '\0';
    backtrace_print_frame(i, pc, is_return, note);
    return printed;
}

START_TEST(test_frames_print_function_and_line)
{
    console_reset();
    ck_assert_int_eq(console_register("collect", &collect_ops, NULL), 0);
    ksym_set_table(section, build_section(104));
    /* a return address: the name and line of the byte before it (the call) */
    ck_assert_str_eq(frame_line(2, 0x1011, 1, NULL), "  #2 0x1011 alpha+0x11 (lib/a.c:9)\n");
    ck_assert_str_eq(frame_line(2, 0x1010, 1, NULL), "  #2 0x1010 alpha+0x10 (lib/a.c:12)\n");
    /* the faulting instruction itself */
    ck_assert_str_eq(frame_line(0, 0x1010, 0, "faulting instruction"),
                     "  #0 0x1010 alpha+0x10 (lib/a.c:9) (faulting instruction)\n");
    /* a line but no symbol (between alpha and beta), a symbol but no line, neither */
    ck_assert_str_eq(frame_line(1, 0x1030, 0, NULL), "  #1 0x1030 (lib/a.c:9)\n");
    ck_assert_str_eq(frame_line(1, 0x2009, 0, NULL), "  #1 0x2009 gamma+0x9\n");
    ck_assert_str_eq(frame_line(1, 0x5000, 1, NULL), "  #1 0x5000\n");
    /* without a line table, as in a release build */
    uint32_t zero = 0;
    memcpy(section + 20, &zero, 4);
    ksym_set_table(section, 104 + lines_len);
    ck_assert_str_eq(frame_line(2, 0x1011, 1, NULL), "  #2 0x1011 alpha+0x11\n");
    ksym_set_table(NULL, 0);
    console_unregister(&collect_ops, NULL);
}
END_TEST

Suite *ksyms_suite(void)
{
    Suite *s = suite_create("ksyms");
    TCase *tc = tcase_create("ksyms");
    tcase_add_test(tc, test_lookups);
    tcase_add_test(tc, test_damaged_tables_find_nothing);
    suite_add_tcase(s, tc);
    TCase *lines_tc = tcase_create("klines");
    tcase_add_loop_test(lines_tc, test_line_lookups, 0, 11);
    tcase_add_test(lines_tc, test_line_tables_empty_or_cut);
    tcase_add_test(lines_tc, test_damaged_line_tables_find_nothing);
    tcase_add_test(lines_tc, test_line_tables_survive_garbage);
    suite_add_tcase(s, lines_tc);
    TCase *section_tc = tcase_create("section");
    tcase_add_test(section_tc, test_installed_section);
    tcase_add_test(section_tc, test_frames_print_function_and_line);
    suite_add_tcase(s, section_tc);
    return s;
}
