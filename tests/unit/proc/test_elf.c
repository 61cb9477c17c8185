/*
 * test_elf.c - the ELF64 parser: realistic images parse to the exact fields,
 * every malformed or unsupported field is refused with -ENOEXEC, reader errors
 * pass through, nothing is read outside the file (the reader aborts the test if
 * it is asked to), and random header corruption yields only 0 or -ENOEXEC.
 */
#include "elf_builder.h"
#include "suites.h"
#include <k/errno.h>
#include <check.h>
#include <proc/elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT 0x00007fffff000000ull /* a plausible stack-area base */
#define R     ELF_PROT_READ
#define W     ELF_PROT_WRITE
#define X     ELF_PROT_EXEC

static struct elf_image img;

static void check_seg(unsigned i, uint64_t vaddr, uint64_t memsz, uint64_t filesz, uint64_t offset,
                      uint32_t prot)
{
    ck_assert_uint_eq(img.seg[i].vaddr, vaddr);
    ck_assert_uint_eq(img.seg[i].memsz, memsz);
    ck_assert_uint_eq(img.seg[i].filesz, filesz);
    ck_assert_uint_eq(img.seg[i].offset, offset);
    ck_assert_uint_eq(img.seg[i].prot, prot);
}

START_TEST(test_musl_static_layout)
{
    struct elfb b;
    elfb_musl_static(&b);
    ck_assert_int_eq(elfb_parse(&b, LIMIT, &img), 0);
    ck_assert_uint_eq(img.entry, 0x40104b);
    ck_assert_uint_eq(img.phdr_vaddr, 0x400040); /* no PT_PHDR: first PT_LOAD + e_phoff */
    ck_assert_uint_eq(img.phnum, 6);
    ck_assert_uint_eq(img.phentsize, 56);
    ck_assert_uint_eq(img.bias, 0);
    ck_assert_uint_eq(img.nseg, 4);
    check_seg(0, 0x400000, 0x190, 0x190, 0x0, R);
    check_seg(1, 0x401000, 0x3bb7, 0x3bb7, 0x1000, R | X);
    check_seg(2, 0x405000, 0xc94, 0xc94, 0x5000, R);
    check_seg(3, 0x406fc0, 0x7f8, 0x150, 0x5fc0, R | W);
    ck_assert_uint_eq(img.lo, 0x400000);
    ck_assert_uint_eq(img.hi, 0x408000);
}
END_TEST

START_TEST(test_static_pie_is_biased)
{
    struct elfb b;
    elfb_static_pie(&b);
    ck_assert_int_eq(elfb_parse(&b, LIMIT, &img), 0);
    ck_assert_uint_eq(img.bias, ELF_DYN_BASE);
    ck_assert_uint_eq(img.entry, ELF_DYN_BASE + 0x95d0);
    ck_assert_uint_eq(img.phdr_vaddr, ELF_DYN_BASE + 64);
    ck_assert_uint_eq(img.phnum, 8);
    ck_assert_uint_eq(img.nseg, 4);
    check_seg(0, ELF_DYN_BASE, 0x8020, 0x8020, 0, R);
    check_seg(1, ELF_DYN_BASE + 0x9000, 0x78c31, 0x78c31, 0x9000, R | X);
    check_seg(3, ELF_DYN_BASE + 0xac518, 0xb528, 0x5d58, 0xab518, R | W);
    ck_assert_uint_eq(img.lo, ELF_DYN_BASE);
    ck_assert_uint_eq(img.hi, ELF_DYN_BASE + 0xb8000);
}
END_TEST

START_TEST(test_pt_phdr_is_used)
{
    struct elfb b;
    elfb_musl_static(&b);
    /* Claim the headers are mapped at a different place inside segment 2. */
    elfb_add(&b, 6, 4, 64, 0x405100, 7 * 56, 7 * 56);
    ck_assert_int_eq(elfb_parse(&b, LIMIT, &img), 0);
    ck_assert_uint_eq(img.phdr_vaddr, 0x405100);
    ck_assert_uint_eq(img.phnum, 7);
}
END_TEST

START_TEST(test_phdr_not_mapped_is_zero)
{
    struct elfb b;
    elfb_musl_static(&b);
    /* The table lies after every segment's file bytes: nothing maps it. */
    b.phoff = b.file_size;
    b.file_size += b.nph * 56;
    ck_assert_int_eq(elfb_parse(&b, LIMIT, &img), 0);
    ck_assert_uint_eq(img.phdr_vaddr, 0);
}
END_TEST

START_TEST(test_boundaries_accepted)
{
    struct elfb b;
    /* A segment ending exactly at the limit, one starting exactly at ELF_USER_MIN. */
    elfb_musl_static(&b);
    b.ph[0].vaddr = ELF_USER_MIN;
    ck_assert_int_eq(elfb_parse(&b, 0x408000, &img), 0);
    ck_assert_uint_eq(img.lo, ELF_USER_MIN);
    ck_assert_uint_eq(img.hi, 0x408000);
    /* Exactly ELF_MAX_LOAD loads, and ELF_MAX_PHNUM headers. */
    elfb_musl_static(&b);
    for (unsigned i = 4; i < ELF_MAX_LOAD; i++)
        elfb_add(&b, 1, 4, 0x6000 + i * 0x1000, 0x500000 + i * 0x1000, 0x10, 0x10);
    while (b.nph < ELF_MAX_PHNUM)
        elfb_add(&b, 4, 4, 0, 0, 0, 0); /* PT_NOTE: ignored */
    elfb_fit(&b);
    ck_assert_int_eq(elfb_parse(&b, LIMIT, &img), 0);
    ck_assert_uint_eq(img.nseg, ELF_MAX_LOAD);
    ck_assert_uint_eq(img.phnum, ELF_MAX_PHNUM);
    /* A PT_LOAD of memsz 0 is skipped, not counted; user_limit above the hard cap is capped. */
    elfb_musl_static(&b);
    elfb_add(&b, 1, 4, 0, 0x900000, 0, 0);
    ck_assert_int_eq(elfb_parse(&b, UINT64_MAX, &img), 0);
    ck_assert_uint_eq(img.nseg, 4);
}
END_TEST

/* ---- refusals: each mutation of a good image must give -ENOEXEC ---- */

typedef void (*mutate_fn)(struct elfb *b);

/* MUT(name, statements): a mutation of a good image. */
#define MUT(name, ...)                                                                             \
    static void name(struct elfb *b)                                                               \
    {                                                                                              \
        __VA_ARGS__;                                                                               \
    }

MUT(bad_magic0, b->ident[0] = 0x7e)
MUT(bad_magic3, b->ident[3] = 'f')
MUT(class32, b->ident[4] = 1)
MUT(class_none, b->ident[4] = 0)
MUT(big_endian, b->ident[5] = 2)
MUT(ident_version, b->ident[6] = 0)
MUT(osabi_freebsd, b->ident[7] = 9)
MUT(type_rel, b->type = 1)
MUT(type_core, b->type = 4)
MUT(type_none, b->type = 0)
MUT(machine_i386, b->machine = 3)
MUT(machine_aarch64, b->machine = 183)
MUT(version0, b->version = 0)
MUT(version2, b->version = 2)
MUT(ehsize52, b->ehsize = 52)
MUT(phentsize32, b->phentsize = 32)
MUT(phentsize64, b->phentsize = 64)
MUT(phnum0, b->phnum = 0)
MUT(phnum_pn_xnum, b->phnum = 0xffff)
MUT(phnum_huge, {
    while (b->nph <= ELF_MAX_PHNUM)
        elfb_add(b, 4, 4, 0, 0, 0, 0);
    elfb_fit(b);
})
MUT(phnum_beyond_file, {
    /* The table ends exactly at end of file; one more header would cross it. */
    b->phoff = b->file_size - b->nph * 56;
    b->phnum++;
})
MUT(phoff_beyond_file, b->phoff = b->file_size + 8)
MUT(phoff_table_crosses_eof, b->phoff = b->file_size - 56)
MUT(phoff_overflow, b->phoff = UINT64_MAX - 8)
MUT(phoff_in_ehdr, b->phoff = 8)
MUT(no_load, {
    for (unsigned i = 0; i < b->nph; i++)
        if (b->ph[i].type == 1)
            b->ph[i].type = 4;
})
MUT(interp, elfb_add(b, 3, 4, 0x238, 0x400238, 0x19, 0x19))
MUT(interp_first, {
    memmove(&b->ph[1], &b->ph[0], b->nph * sizeof(b->ph[0]));
    b->nph++;
    b->phnum++;
    b->ph[0] = (struct elfb_phdr){ .type = 3, .flags = 4, .offset = 0x238, .filesz = 0x19 };
})
MUT(exec_stack, b->ph[4].flags = 7)
MUT(wx_segment, b->ph[3].flags = 7)
MUT(wx_text, b->ph[1].flags = 6 | 1)
MUT(vaddr_zero, { b->ph[0].vaddr = 0; })
MUT(vaddr_page0_end, {
    /* Starts in page 0x1000: below ELF_USER_MIN even though not in page 0. */
    b->ph[0].vaddr = 0x1000;
})
MUT(vaddr_kernel_half, { b->ph[3].vaddr = 0xffffffff80000fc0ull; })
MUT(vaddr_noncanonical, { b->ph[3].vaddr = 0x0000800000000fc0ull; })
MUT(vaddr_beyond_limit, b->ph[3].vaddr = LIMIT + 0xfc0)
MUT(end_beyond_limit, {
    b->ph[3].vaddr = LIMIT - 0x1040;
    b->ph[3].memsz = 0x2000;
})
MUT(memsz_overflow, b->ph[3].memsz = UINT64_MAX - 0x406fc0 + 2)
MUT(memsz_wraps_exactly, b->ph[3].memsz = UINT64_MAX - 0x406fc0 + 1)
MUT(memsz_huge, b->ph[3].memsz = 1ull << 47)
MUT(filesz_gt_memsz, b->ph[3].filesz = b->ph[3].memsz + 1)
MUT(filesz_beyond_file, b->ph[3].filesz = b->ph[3].memsz) /* 0x5fc0 + 0x7f8 > 0x6110 */
MUT(offset_beyond_file, b->ph[3].offset = 0x7fc0)         /* past 0x6110, still congruent */
MUT(offset_overflow, {
    b->ph[3].offset = UINT64_MAX - 0x3f;
    b->ph[3].vaddr = 0x406fc0;
})
MUT(misaligned_offset, b->ph[1].offset = 0x1010)
MUT(align_not_pow2, b->ph[1].align = 0x3000)
MUT(overlap_bytes, b->ph[2].vaddr = 0x404000) /* inside the text's last page */
MUT(share_page, {
    /* No byte in common with the text (which ends at 0x404bb7), but its last page. */
    b->ph[2].vaddr = 0x404c00;
    b->ph[2].offset = 0x5c00;
    b->ph[2].filesz = b->ph[2].memsz = 0x94;
})
MUT(overlap_full, b->ph[2].vaddr = 0x401000)
MUT(descending, {
    struct elfb_phdr t = b->ph[0];
    b->ph[0] = b->ph[1];
    b->ph[1] = t;
})
MUT(too_many_loads, {
    for (unsigned i = 4; i <= ELF_MAX_LOAD; i++)
        elfb_add(b, 1, 4, 0x6000 + i * 0x1000, 0x500000 + i * 0x1000, 0x10, 0x10);
    elfb_fit(b);
})
MUT(entry_in_rodata, b->entry = 0x405010)
MUT(entry_in_gap, b->entry = 0x404c00) /* between text and rodata */
MUT(entry_zero, b->entry = 0)
MUT(entry_past_text, b->entry = 0x401000 + 0x3bb7)
MUT(entry_kernel, b->entry = 0xffffffff80100000ull)
MUT(pt_phdr_unmapped, elfb_add(b, 6, 4, 64, 0x300000, 7 * 56, 7 * 56))
MUT(pt_phdr_crosses_segment, elfb_add(b, 6, 4, 64, 0x400190 - 56, 7 * 56, 7 * 56))
MUT(pt_phdr_too_small, elfb_add(b, 6, 4, 64, 0x400040, 56, 56))
MUT(pt_phdr_twice, {
    /* Each would do on its own. */
    elfb_add(b, 6, 4, 64, 0x400040, 8 * 56, 8 * 56);
    elfb_add(b, 6, 4, 64, 0x405100, 8 * 56, 8 * 56);
})
MUT(empty_load_with_file_bytes, elfb_add(b, 1, 4, 0, 0x900000, 1, 0))
MUT(dyn_bias_overflow, {
    /* Segment 0 would wrap to ELF_USER_MIN, below the others: fine but for the wrap. */
    b->type = 3;
    b->ph[0].vaddr = 0 - ELF_DYN_BASE + ELF_USER_MIN;
    for (unsigned i = 1; i < 4; i++)
        b->ph[i].vaddr -= 0x400000;
    b->entry -= 0x400000;
})
MUT(dyn_entry_overflow, {
    b->type = 3;
    b->entry = UINT64_MAX - 0x10;
})
MUT(dyn_interp, {
    b->type = 3;
    elfb_add(b, 3, 4, 0x238, 0x238, 0x19, 0x19);
})

static const struct {
    const char *name;
    mutate_fn fn;
} refusals[] = {
#define R_(f)                                                                                      \
    {                                                                                              \
#f, f                                                                                      \
    }
    R_(bad_magic0),
    R_(bad_magic3),
    R_(class32),
    R_(class_none),
    R_(big_endian),
    R_(ident_version),
    R_(osabi_freebsd),
    R_(type_rel),
    R_(type_core),
    R_(type_none),
    R_(machine_i386),
    R_(machine_aarch64),
    R_(version0),
    R_(version2),
    R_(ehsize52),
    R_(phentsize32),
    R_(phentsize64),
    R_(phnum0),
    R_(phnum_pn_xnum),
    R_(phnum_huge),
    R_(phnum_beyond_file),
    R_(phoff_beyond_file),
    R_(phoff_table_crosses_eof),
    R_(phoff_overflow),
    R_(phoff_in_ehdr),
    R_(no_load),
    R_(interp),
    R_(interp_first),
    R_(exec_stack),
    R_(wx_segment),
    R_(wx_text),
    R_(vaddr_zero),
    R_(vaddr_page0_end),
    R_(vaddr_kernel_half),
    R_(vaddr_noncanonical),
    R_(vaddr_beyond_limit),
    R_(end_beyond_limit),
    R_(memsz_overflow),
    R_(memsz_wraps_exactly),
    R_(memsz_huge),
    R_(filesz_gt_memsz),
    R_(filesz_beyond_file),
    R_(offset_beyond_file),
    R_(offset_overflow),
    R_(misaligned_offset),
    R_(align_not_pow2),
    R_(overlap_bytes),
    R_(share_page),
    R_(overlap_full),
    R_(descending),
    R_(too_many_loads),
    R_(entry_in_rodata),
    R_(entry_in_gap),
    R_(entry_zero),
    R_(entry_past_text),
    R_(entry_kernel),
    R_(pt_phdr_unmapped),
    R_(pt_phdr_crosses_segment),
    R_(pt_phdr_too_small),
    R_(pt_phdr_twice),
    R_(empty_load_with_file_bytes),
    R_(dyn_bias_overflow),
    R_(dyn_entry_overflow),
    R_(dyn_interp),
#undef R_
};

START_TEST(test_refusal)
{
    struct elfb b;
    elfb_musl_static(&b);
    refusals[_i].fn(&b);
    int rc = elfb_parse(&b, LIMIT, &img);
    ck_assert_msg(rc == -ENOEXEC, "%s: elf_parse returned %d, want -ENOEXEC", refusals[_i].name,
                  rc);
}
END_TEST

static uint64_t next_cut(uint64_t n, uint64_t size)
{
    if (n < 1024)
        return n + 1;
    if (n + 97 < size - 1)
        return n + 97;
    return n == size - 1 ? size : size - 1;
}

START_TEST(test_truncated_everywhere)
{
    /* Proper prefixes of a good file are refused without reading past them. */
    struct elfb b;
    elfb_musl_static(&b);
    uint8_t *full = elfb_write(&b);
    /* Every length through the headers, then every 97th and the last one. */
    for (uint64_t n = 0; n < b.file_size; n = next_cut(n, b.file_size)) {
        uint8_t *cut = malloc(n ? n : 1); /* exact size: ASan guards the end */
        memcpy(cut, full, n);
        struct elfb_file f;
        struct elf_reader r = elfb_reader(&f, cut, n);
        int rc = elf_parse(&r, LIMIT, &img);
        free(cut);
        if (rc != -ENOEXEC)
            ck_abort_msg("prefix of %llu bytes: %d", (unsigned long long)n, rc);
    }
    free(full);
}
END_TEST

START_TEST(test_user_limit)
{
    struct elfb b;
    elfb_musl_static(&b);
    ck_assert_int_eq(elfb_parse(&b, 0x408000, &img), 0);
    ck_assert_int_eq(elfb_parse(&b, 0x407fff, &img), -ENOEXEC); /* rounded down to a page */
    ck_assert_int_eq(elfb_parse(&b, 0x407000, &img), -ENOEXEC);
    ck_assert_int_eq(elfb_parse(&b, 0, &img), -ENOEXEC);
    ck_assert_int_eq(elfb_parse(&b, ELF_USER_MIN, &img), -ENOEXEC);
}
END_TEST

START_TEST(test_reader_errors_pass_through)
{
    struct elfb b;
    elfb_musl_static(&b);
    uint8_t *data = elfb_write(&b);
    struct elfb_file f;
    struct elf_reader r = elfb_reader(&f, data, b.file_size);
    ck_assert_int_eq(elf_parse(&r, LIMIT, &img), 0);
    unsigned total = f.reads;
    ck_assert_uint_eq(total, 1 + b.nph); /* the ELF header, then one read per header */
    for (unsigned n = 0; n < total; n++) {
        /* The reader's own error, unchanged. */
        r = elfb_reader(&f, data, b.file_size);
        f.fail_at = (int)n;
        f.fail_err = -EFAULT;
        ck_assert_int_eq(elf_parse(&r, LIMIT, &img), -EFAULT);
        /* A short read inside the promised size is an I/O error. */
        r = elfb_reader(&f, data, b.file_size);
        f.fail_at = (int)n;
        f.fail_err = 10;
        ck_assert_int_eq(elf_parse(&r, LIMIT, &img), -EIO);
        r = elfb_reader(&f, data, b.file_size);
        f.fail_at = (int)n;
        f.fail_err = 0;
        ck_assert_int_eq(elf_parse(&r, LIMIT, &img), -EIO);
    }
    free(data);
}
END_TEST

START_TEST(test_bad_arguments)
{
    struct elfb b;
    elfb_musl_static(&b);
    uint8_t *data = elfb_write(&b);
    struct elfb_file f;
    struct elf_reader r = elfb_reader(&f, data, b.file_size);
    ck_assert_int_eq(elf_parse(NULL, LIMIT, &img), -EINVAL);
    ck_assert_int_eq(elf_parse(&r, LIMIT, NULL), -EINVAL);
    r.read = NULL;
    ck_assert_int_eq(elf_parse(&r, LIMIT, &img), -EINVAL);
    free(data);
}
END_TEST

/* What every successful parse must guarantee, whatever the input. */
static void check_invariants(const struct elf_image *m, uint64_t fsize, uint64_t limit)
{
    uint64_t lim = limit < ELF_USER_MAX ? limit : ELF_USER_MAX;
    REQUIRE(m->nseg >= 1 && m->nseg <= ELF_MAX_LOAD);
    REQUIRE(m->phentsize == 56 && m->phnum >= 1 && m->phnum <= ELF_MAX_PHNUM);
    REQUIRE(m->lo % 4096 == 0 && m->hi % 4096 == 0 && m->lo < m->hi);
    REQUIRE(m->lo >= ELF_USER_MIN && m->hi <= lim);
    int exec_entry = 0;
    for (unsigned i = 0; i < m->nseg; i++) {
        const struct elf_load_seg *s = &m->seg[i];
        REQUIRE(s->memsz > 0 && s->filesz <= s->memsz);
        REQUIRE(s->offset <= fsize && s->filesz <= fsize - s->offset);
        REQUIRE(s->vaddr >= m->lo && s->vaddr + s->memsz <= m->hi);
        REQUIRE(s->vaddr % 4096 == s->offset % 4096);
        REQUIRE((s->prot & (W | X)) != (W | X));
        REQUIRE((s->prot & ~(uint32_t)(R | W | X)) == 0);
        if (i > 0)
            REQUIRE(s->vaddr / 4096 > (m->seg[i - 1].vaddr + m->seg[i - 1].memsz - 1) / 4096);
        if (m->entry >= s->vaddr && m->entry < s->vaddr + s->memsz && (s->prot & X))
            exec_entry = 1;
    }
    REQUIRE(exec_entry);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: reproducible from the seed printed on failure. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

START_TEST(test_fuzz_header_flips)
{
    const uint64_t seed = 0x4b657374726c0001ull;
    rng_state = seed;
    struct elfb b;
    elfb_musl_static(&b);
    uint8_t *good = elfb_write(&b);
    uint8_t *data = malloc(b.file_size);
    size_t hdr = 64 + b.nph * 56; /* the bytes the parser interprets */
    unsigned ok = 0, refused = 0;
    for (int iter = 0; iter < 10000; iter++) {
        memcpy(data, good, b.file_size);
        int flips = 1 + (int)(rng() % 4);
        for (int k = 0; k < flips; k++) {
            uint64_t v = rng();
            size_t at = (size_t)(v % hdr);
            /* Half single-bit flips, half whole random bytes. */
            if (v & (1ull << 40))
                data[at] ^= (uint8_t)(1u << ((v >> 32) & 7));
            else
                data[at] = (uint8_t)(v >> 48);
        }
        uint64_t limit = (rng() & 1) ? LIMIT : 0x408000;
        struct elfb_file f;
        struct elf_reader r = elfb_reader(&f, data, b.file_size);
        int rc = elf_parse(&r, limit, &img);
        if (rc == 0) {
            ok++;
            check_invariants(&img, b.file_size, limit);
        } else if (rc == -ENOEXEC) {
            refused++;
        } else {
            ck_abort_msg("seed %#llx iteration %d: elf_parse returned %d", (unsigned long long)seed,
                         iter, rc);
        }
    }
    /* Both outcomes occur, or the fuzzer is not exercising anything. */
    ck_assert_uint_gt(ok, 100);
    ck_assert_uint_gt(refused, 100);
    free(data);
    free(good);
}
END_TEST

/* Reads a whole file; NULL if it cannot. */
static uint8_t *slurp(const char *path, uint64_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (n < 0 || fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        fclose(fp);
        return NULL;
    }
    fclose(fp);
    *size = (uint64_t)n;
    return buf;
}

/* Parse each file of a colon-separated list and expect want. */
static void parse_list(const char *var, int want)
{
    const char *list = getenv(var);
    if (!list || !*list) {
        printf("test_elf: %s not set, real-binary case skipped\n", var);
        return;
    }
    char *copy = strdup(list), *save = NULL;
    for (char *path = strtok_r(copy, ":", &save); path; path = strtok_r(NULL, ":", &save)) {
        uint64_t size = 0;
        uint8_t *data = slurp(path, &size);
        ck_assert_msg(data != NULL, "%s: cannot read %s", var, path);
        struct elfb_file f;
        struct elf_reader r = elfb_reader(&f, data, size);
        int rc = elf_parse(&r, LIMIT, &img);
        ck_assert_msg(rc == want, "%s: elf_parse returned %d, want %d", path, rc, want);
        if (rc == 0) {
            check_invariants(&img, size, LIMIT);
            ck_assert_msg(img.phdr_vaddr != 0, "%s: program headers not mapped", path);
        }
        free(data);
    }
    free(copy);
}

/*
 * Real binaries, when the environment names them (the unit tests must not need
 * musl-gcc): PROC_TEST_ELF lists static executables that must load,
 * PROC_TEST_ELF_REFUSED dynamic ones that must be refused with -ENOEXEC.
 */
/* A file with a symbol table only: header, symbols, names, section headers. */
static uint64_t put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return v;
}

static void sym(uint8_t *s, uint32_t name, uint8_t info, uint16_t shndx, uint64_t v, uint64_t sz)
{
    put_le(s, name, 4);
    s[4] = info;
    put_le(s + 6, shndx, 2);
    put_le(s + 8, v, 8);
    put_le(s + 16, sz, 8);
}

enum { SYMS = 0x100, NSYMS = 5, STRS = SYMS + NSYMS * 24, SHDRS = 0x200, FSIZE = SHDRS + 3 * 64 };
static const char names[] = "\0main\0helper\0data\0";

static void build_symfile(uint8_t *f, uint16_t type)
{
    memset(f, 0, FSIZE);
    memcpy(f,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    put_le(f + 16, type, 2);
    put_le(f + 40, SHDRS, 8);
    put_le(f + 58, 64, 2);
    put_le(f + 60, 3, 2);
    sym(f + SYMS + 24, 1, 0x12, 1, 0x401000, 0x40);   /* main: GLOBAL FUNC */
    sym(f + SYMS + 48, 6, 0x02, 1, 0x401040, 0x20);   /* helper: LOCAL FUNC */
    sym(f + SYMS + 72, 13, 0x11, 2, 0x402000, 0x100); /* data: an OBJECT */
    sym(f + SYMS + 96, 1, 0x12, 0, 0x401080, 0x10);   /* undefined: skipped */
    memcpy(f + STRS, names, sizeof(names));
    uint8_t *sh = f + SHDRS + 64; /* [1] .symtab, [2] .strtab */
    put_le(sh + 4, 2, 4);
    put_le(sh + 24, SYMS, 8);
    put_le(sh + 32, NSYMS * 24, 8);
    put_le(sh + 40, 2, 4);
    put_le(sh + 56, 24, 8);
    sh += 64;
    put_le(sh + 4, 3, 4);
    put_le(sh + 24, STRS, 8);
    put_le(sh + 32, sizeof(names), 8);
}

START_TEST(test_symbolize)
{
    uint8_t f[FSIZE];
    build_symfile(f, 2);
    struct elfb_file ff;
    struct elf_reader r = elfb_reader(&ff, f, FSIZE);
    char name[16];
    uint64_t off = 99;
    ck_assert_int_eq(elf_symbolize(&r, 0x401000, name, sizeof(name), &off), 0);
    ck_assert_str_eq(name, "main");
    ck_assert_uint_eq(off, 0);
    ck_assert_int_eq(elf_symbolize(&r, 0x40105f, name, sizeof(name), &off), 0);
    ck_assert_str_eq(name, "helper");
    ck_assert_uint_eq(off, 0x1f);
    ck_assert_int_eq(elf_symbolize(&r, 0x401060, name, sizeof(name), &off), -ENOENT); /* a gap */
    ck_assert_int_eq(elf_symbolize(&r, 0x402010, name, sizeof(name), &off), -ENOENT); /* data */
    ck_assert_int_eq(elf_symbolize(&r, 0x401084, name, sizeof(name), &off), -ENOENT); /* UND */
    ck_assert_int_eq(elf_symbolize(&r, 0x401008, name, 3, &off), 0); /* cut to fit */
    ck_assert_str_eq(name, "ma");
    /* A static-pie: addresses carry the fixed bias. */
    build_symfile(f, 3);
    ck_assert_int_eq(elf_symbolize(&r, ELF_DYN_BASE + 0x401010, name, sizeof(name), &off), 0);
    ck_assert_str_eq(name, "main");
    ck_assert_uint_eq(off, 0x10);
    ck_assert_int_eq(elf_symbolize(&r, 0x1000, name, sizeof(name), &off), -ENOENT);
    /* No section headers; malformed ones; a truncated file. */
    build_symfile(f, 2);
    put_le(f + 60, 0, 2);
    ck_assert_int_eq(elf_symbolize(&r, 0x401000, name, sizeof(name), &off), -ENOENT);
    build_symfile(f, 2);
    put_le(f + 58, 40, 2);
    ck_assert_int_eq(elf_symbolize(&r, 0x401000, name, sizeof(name), &off), -ENOEXEC);
    build_symfile(f, 2);
    put_le(f + SHDRS + 64 + 40, 7, 4); /* strtab link out of range */
    ck_assert_int_eq(elf_symbolize(&r, 0x401000, name, sizeof(name), &off), -ENOEXEC);
    build_symfile(f, 2);
    put_le(f + SYMS + 24, 500, 4); /* name past the strings */
    ck_assert_int_eq(elf_symbolize(&r, 0x401000, name, sizeof(name), &off), -ENOEXEC);
    build_symfile(f, 2);
    f[0] = 0;
    ck_assert_int_eq(elf_symbolize(&r, 0x401000, name, sizeof(name), &off), -ENOEXEC);
    build_symfile(f, 2);
    r = elfb_reader(&ff, f, SHDRS + 32); /* section headers cut off */
    ck_assert_int_eq(elf_symbolize(&r, 0x401000, name, sizeof(name), &off), -ENOEXEC);
    r = elfb_reader(&ff, f, 32);
    ck_assert_int_eq(elf_symbolize(&r, 0x401000, name, sizeof(name), &off), -ENOEXEC);
}
END_TEST

START_TEST(test_real_binaries)
{
    parse_list("PROC_TEST_ELF", 0);
    parse_list("PROC_TEST_ELF_REFUSED", -ENOEXEC);
}
END_TEST

Suite *elf_suite(void)
{
    Suite *s = suite_create("elf");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_musl_static_layout);
    tcase_add_test(tc, test_static_pie_is_biased);
    tcase_add_test(tc, test_pt_phdr_is_used);
    tcase_add_test(tc, test_phdr_not_mapped_is_zero);
    tcase_add_test(tc, test_boundaries_accepted);
    tcase_add_loop_test(tc, test_refusal, 0, (int)(sizeof(refusals) / sizeof(refusals[0])));
    tcase_add_test(tc, test_truncated_everywhere);
    tcase_add_test(tc, test_user_limit);
    tcase_add_test(tc, test_reader_errors_pass_through);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_real_binaries);
    tcase_add_test(tc, test_symbolize);
    suite_add_tcase(s, tc);
    TCase *fz = tcase_create("fuzz");
    tcase_set_timeout(fz, 60);
    tcase_add_test(fz, test_fuzz_header_flips);
    suite_add_tcase(s, fz);
    return s;
}
