/*
 * test_ustack.c - the initial user stack: one image checked byte by byte
 * against a hand-written expectation, a decoder that walks argc/argv/envp/auxv
 * of many shapes and checks every pointer, the size arithmetic, -E2BIG without
 * touching the buffer, and argument checking.
 */
#include "elf_builder.h"
#include "suites.h"
#include <k/errno.h>
#include <check.h>
#include <limits.h>
#include <proc/ustack.h>
#include <stdlib.h>
#include <string.h>

#define TOP  0x00007ffffffde000ull
#define FILL 0xa5

static uint8_t buf[16384];

static uint64_t ld64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The word at user address ua of an image built into buf (of size sz) for TOP. */
static uint64_t word(size_t sz, uint64_t ua)
{
    REQUIRE(ua >= TOP - sz && ua + 8 <= TOP);
    return ld64(buf + (ua - (TOP - sz)));
}

static const uint8_t *at(size_t sz, uint64_t ua)
{
    REQUIRE(ua >= TOP - sz && ua < TOP);
    return buf + (ua - (TOP - sz));
}

static struct ustack_args base_args(void)
{
    struct ustack_args a = {
        .at_phdr = 0x400040,
        .at_phent = 56,
        .at_phnum = 6,
        .at_entry = 0x40104b,
        .at_pagesz = 4096,
        .at_uid = 1000,
        .at_gid = 100,
        .at_hwcap = 0x178bfbff,
    };
    for (int i = 0; i < 16; i++)
        a.at_random[i] = (uint8_t)(0xc0 + i);
    return a;
}

START_TEST(test_exact_bytes)
{
    /* argc 1, argv {"a"}, no environment, no execfn: small enough to write out. */
    static const char *const argv[] = { "a" };
    struct ustack_args a = base_args();
    a.argc = 1;
    a.argv = argv;
    memset(buf, FILL, sizeof(buf));
    size_t used = 0;
    int64_t rsp = ustack_build(buf, sizeof(buf), TOP, &a, &used);
    /* strings: 8 + 2 -> 16; random 16; words 1+2+1+2*14 = 32 -> 256. */
    ck_assert_uint_eq(used, 288);
    ck_assert_uint_eq(ustack_size_needed(&a), 288);
    ck_assert_int_eq(rsp, (int64_t)(TOP - 288));

    uint8_t want[288];
    memset(want, 0, sizeof(want));
    const uint64_t rnd = TOP - 32;
    const uint64_t words[] = {
        1,  TOP - 10, 0, /* argc, argv[0], NULL */
        0,               /* envp NULL */
        3,  0x400040, 4,  56,  5,  6, 6,  4096, 9,  0x40104b,   11, 1000, 12, 1000,
        13, 100,      14, 100, 23, 0, 25, rnd,  16, 0x178bfbff, 17, 100,  0,  0,
    };
    ck_assert_uint_eq(sizeof(words), 256);
    for (size_t i = 0; i < sizeof(words) / 8; i++)
        for (int k = 0; k < 8; k++)
            want[i * 8 + k] = (uint8_t)(words[i] >> (8 * k));
    for (int i = 0; i < 16; i++)
        want[256 + i] = (uint8_t)(0xc0 + i); /* AT_RANDOM bytes at TOP-32 */
    want[288 - 10] = 'a';                    /* "a\0" at TOP-10, then the zero word */
    ck_assert_mem_eq(buf + sizeof(buf) - 288, want, 288);
    /* Nothing below rsp was touched. */
    for (size_t i = 0; i < sizeof(buf) - 288; i++)
        REQUIRE(buf[i] == FILL);
}
END_TEST

/*
 * Decode an image as a libc's _start would and check it against a; returns the
 * number of auxv pairs, AT_NULL included.
 */
static int decode_and_check(size_t sz, int64_t rsp, size_t used, const struct ustack_args *a)
{
    REQUIRE(rsp > 0 && rsp % 16 == 0);
    REQUIRE((uint64_t)rsp == TOP - used);
    uint64_t sp = (uint64_t)rsp;
    REQUIRE(word(sz, sp) == (uint64_t)a->argc);
    uint64_t p = sp + 8;
    uint64_t prev_end = 0;
    for (int i = 0; i < a->argc; i++, p += 8) {
        uint64_t s = word(sz, p);
        REQUIRE(s > p && s < TOP - 8);
        REQUIRE(strcmp((const char *)at(sz, s), a->argv[i]) == 0);
        REQUIRE(prev_end == 0 || s == prev_end); /* packed, in order */
        prev_end = s + strlen(a->argv[i]) + 1;
    }
    REQUIRE(word(sz, p) == 0);
    p += 8;
    for (int i = 0; i < a->envc; i++, p += 8) {
        uint64_t s = word(sz, p);
        REQUIRE(s > p && s < TOP - 8);
        REQUIRE(strcmp((const char *)at(sz, s), a->envp[i]) == 0);
        REQUIRE(prev_end == 0 || s == prev_end);
        prev_end = s + strlen(a->envp[i]) + 1;
    }
    REQUIRE(word(sz, p) == 0);
    p += 8;
    static const uint64_t order[] = { 3, 4, 5, 6, 9, 11, 12, 13, 14, 23, 25, 31, 16, 17, 0 };
    int n = 0;
    uint64_t random = 0, execfn = 0;
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        if (order[k] == USTACK_AT_EXECFN && !a->execfn)
            continue;
        uint64_t type = word(sz, p), val = word(sz, p + 8);
        p += 16;
        n++;
        REQUIRE(type == order[k]);
        switch (type) {
        case USTACK_AT_PHDR:
            REQUIRE(val == a->at_phdr);
            break;
        case USTACK_AT_PHENT:
            REQUIRE(val == a->at_phent);
            break;
        case USTACK_AT_PHNUM:
            REQUIRE(val == a->at_phnum);
            break;
        case USTACK_AT_PAGESZ:
            REQUIRE(val == (a->at_pagesz ? a->at_pagesz : 4096));
            break;
        case USTACK_AT_ENTRY:
            REQUIRE(val == a->at_entry);
            break;
        case USTACK_AT_UID:
        case USTACK_AT_EUID:
            REQUIRE(val == a->at_uid);
            break;
        case USTACK_AT_GID:
        case USTACK_AT_EGID:
            REQUIRE(val == a->at_gid);
            break;
        case USTACK_AT_SECURE:
            REQUIRE(val == 0);
            break;
        case USTACK_AT_RANDOM:
            random = val;
            break;
        case USTACK_AT_EXECFN:
            execfn = val;
            break;
        case USTACK_AT_HWCAP:
            REQUIRE(val == a->at_hwcap);
            break;
        case USTACK_AT_CLKTCK:
            REQUIRE(val == USTACK_CLKTCK);
            break;
        case USTACK_AT_NULL:
            REQUIRE(val == 0);
            break;
        }
    }
    /* The random bytes: above auxv, below the strings, 16-byte aligned. */
    REQUIRE(random >= p && random % 16 == 0 && random + 16 <= TOP - 8);
    REQUIRE(memcmp(at(sz, random), a->at_random, 16) == 0);
    REQUIRE(random - p < 16); /* at most the alignment padding between them */
    if (a->argc + a->envc > 0 || a->execfn)
        REQUIRE(prev_end == 0 || prev_end > random + 15);
    if (a->execfn) {
        REQUIRE(execfn > random && strcmp((const char *)at(sz, execfn), a->execfn) == 0);
        REQUIRE(execfn + strlen(a->execfn) + 1 == TOP - 8); /* the highest string */
        REQUIRE(prev_end == 0 || prev_end == execfn);
    } else if (prev_end) {
        REQUIRE(prev_end == TOP - 8);
    }
    REQUIRE(word(sz, TOP - 8) == 0);
    return n;
}

START_TEST(test_known_argv_envp)
{
    static const char *const argv[] = { "/bin/hello", "one", "", "three words here" };
    static const char *const envp[] = { "HOME=/", "TERM=vt100", "PATH=/bin" };
    struct ustack_args a = base_args();
    a.argc = 4;
    a.argv = argv;
    a.envc = 3;
    a.envp = envp;
    a.execfn = "/bin/hello";
    memset(buf, FILL, sizeof(buf));
    size_t used = 0;
    int64_t rsp = ustack_build(buf, sizeof(buf), TOP, &a, &used);
    ck_assert_int_gt(rsp, 0);
    ck_assert_uint_eq(used, ustack_size_needed(&a));
    ck_assert_int_eq(decode_and_check(sizeof(buf), rsp, used, &a), USTACK_AUXV_MAX);
    /* argv[0] is the lowest string; the strings sit right above AT_RANDOM's 16 bytes. */
    uint64_t argv0 = word(sizeof(buf), (uint64_t)rsp + 8);
    const char *blob = "/bin/hello\0one\0\0three words here\0HOME=/\0TERM=vt100\0PATH=/bin\0"
                       "/bin/hello\0\0\0\0\0\0\0\0";
    size_t bloblen = 11 + 4 + 1 + 17 + 7 + 11 + 10 + 11 + 8;
    ck_assert_uint_eq(argv0, TOP - bloblen);
    ck_assert_mem_eq(at(sizeof(buf), argv0), blob, bloblen);
}
END_TEST

START_TEST(test_shapes)
{
    /* Many counts and string lengths, with and without execfn: every parity of
     * word count and string size hits the alignment code. */
    static char strs[20][20];
    const char *ptrs[20];
    for (int i = 0; i < 20; i++) {
        memset(strs[i], 'a' + i, (size_t)i);
        strs[i][i] = 0;
        ptrs[i] = strs[i];
    }
    for (int argc = 0; argc <= 6; argc++)
        for (int envc = 0; envc <= 4; envc++)
            for (int shift = 0; shift < 8; shift++)
                for (int fn = 0; fn < 2; fn++) {
                    struct ustack_args a = base_args();
                    a.argc = argc;
                    a.argv = argc ? &ptrs[shift] : NULL;
                    a.envc = envc;
                    a.envp = envc ? &ptrs[(shift * 3) % 12] : NULL;
                    a.execfn = fn ? strs[shift + 1] : NULL;
                    a.at_pagesz = shift & 1 ? 0 : 4096;
                    memset(buf, FILL, sizeof(buf));
                    size_t used = 0;
                    int64_t rsp = ustack_build(buf, sizeof(buf), TOP, &a, &used);
                    REQUIRE(used == ustack_size_needed(&a));
                    int n = decode_and_check(sizeof(buf), rsp, used, &a);
                    REQUIRE(n == (fn ? USTACK_AUXV_MAX : USTACK_AUXV_MAX - 1));
                    for (size_t i = 0; i < sizeof(buf) - used; i++)
                        REQUIRE(buf[i] == FILL);
                }
}
END_TEST

START_TEST(test_too_small_is_e2big_and_untouched)
{
    static const char *const argv[] = { "/bin/prog", "-v", "file" };
    static const char *const envp[] = { "A=1" };
    struct ustack_args a = base_args();
    a.argc = 3;
    a.argv = argv;
    a.envc = 1;
    a.envp = envp;
    a.execfn = "/bin/prog";
    size_t need = ustack_size_needed(&a);
    ck_assert_uint_lt(need, sizeof(buf));
    for (size_t size = 0; size < need; size++) {
        memset(buf, FILL, sizeof(buf));
        size_t used = 12345;
        REQUIRE(ustack_build(buf, size, TOP, &a, &used) == -E2BIG);
        REQUIRE(used == 12345);
        for (size_t i = 0; i < sizeof(buf); i++)
            REQUIRE(buf[i] == FILL);
    }
    size_t used = 0;
    int64_t rsp = ustack_build(buf + sizeof(buf) - need, need, TOP, &a, &used);
    ck_assert_int_eq(rsp, (int64_t)(TOP - need));
    ck_assert_uint_eq(used, need);
}
END_TEST

START_TEST(test_huge_argc)
{
    /* A million arguments: refused early, and the size arithmetic is exact. */
    const int n = 1 << 20;
    const char **argv = malloc((size_t)n * sizeof(*argv));
    for (int i = 0; i < n; i++)
        argv[i] = "xyz";
    struct ustack_args a = base_args();
    a.argc = n;
    a.argv = argv;
    size_t used = 0;
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP, &a, &used), -E2BIG);
    size_t strings = 8 + (size_t)n * 4, words = 1 + (n + 1) + 1 + 2 * (USTACK_AUXV_MAX - 1);
    size_t want = ((strings + 15) & ~(size_t)15) + 16 + ((words * 8 + 15) & ~(size_t)15);
    ck_assert_uint_eq(ustack_size_needed(&a), want);
    free(argv);

    /* Counts near INT_MAX: the pointer arrays alone overflow any buffer, and
     * the arrays (one entry long here) must not be walked. */
    static const char *const one[] = { "x" };
    a.argc = INT_MAX;
    a.argv = one;
    a.envc = INT_MAX;
    a.envp = one;
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP, &a, &used), -E2BIG);
}
END_TEST

START_TEST(test_bad_arguments)
{
    static const char *const argv[] = { "a", NULL };
    struct ustack_args a = base_args();
    a.argc = 1;
    a.argv = argv;
    size_t used;
    ck_assert_int_eq(ustack_build(NULL, sizeof(buf), TOP, &a, &used), -EINVAL);
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP, NULL, &used), -EINVAL);
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP, &a, NULL), -EINVAL);
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP + 8, &a, &used), -EINVAL);
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), sizeof(buf) - 16, &a, &used), -EINVAL);
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), 0xffffffff80000000ull, &a, &used), -EINVAL);
    struct ustack_args b = a;
    b.argc = -1;
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP, &b, &used), -EINVAL);
    ck_assert_uint_eq(ustack_size_needed(&b), SIZE_MAX);
    b = a;
    b.envc = -3;
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP, &b, &used), -EINVAL);
    b = a;
    b.argv = NULL;
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP, &b, &used), -EINVAL);
    b = a;
    b.envc = 1;
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP, &b, &used), -EINVAL); /* envp NULL */
    b = a;
    b.argc = 2; /* argv[1] is NULL */
    ck_assert_int_eq(ustack_build(buf, sizeof(buf), TOP, &b, &used), -EINVAL);
    ck_assert_uint_eq(ustack_size_needed(&b), SIZE_MAX);
    ck_assert_uint_eq(ustack_size_needed(NULL), SIZE_MAX);
    /* The smallest valid call: no arguments, no environment. */
    b = base_args();
    ck_assert_int_gt(ustack_build(buf, sizeof(buf), TOP, &b, &used), 0);
    ck_assert_int_eq(decode_and_check(sizeof(buf), (int64_t)(TOP - used), used, &b),
                     USTACK_AUXV_MAX - 1);
}
END_TEST

START_TEST(test_from_parsed_elf)
{
    /* The way exec will use the two together. */
    struct elfb eb;
    elfb_musl_static(&eb);
    struct elf_image img;
    ck_assert_int_eq(elfb_parse(&eb, TOP - 0x100000, &img), 0);
    static const char *const argv[] = { "hello" };
    struct ustack_args a = base_args();
    a.argc = 1;
    a.argv = argv;
    a.at_phdr = img.phdr_vaddr;
    a.at_phent = img.phentsize;
    a.at_phnum = img.phnum;
    a.at_entry = img.entry;
    size_t used;
    int64_t rsp = ustack_build(buf, sizeof(buf), TOP, &a, &used);
    ck_assert_int_eq(decode_and_check(sizeof(buf), rsp, used, &a), USTACK_AUXV_MAX - 1);
    ck_assert_uint_eq(word(sizeof(buf), (uint64_t)rsp + 4 * 8 + 8), 0x400040); /* AT_PHDR */
}
END_TEST

Suite *ustack_suite(void)
{
    Suite *s = suite_create("ustack");
    TCase *tc = tcase_create("build");
    tcase_add_test(tc, test_exact_bytes);
    tcase_add_test(tc, test_known_argv_envp);
    tcase_add_test(tc, test_shapes);
    tcase_add_test(tc, test_too_small_is_e2big_and_untouched);
    tcase_add_test(tc, test_huge_argc);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_from_parsed_elf);
    suite_add_tcase(s, tc);
    return s;
}
