/*
 * test_libc.c - the freestanding kernel's string functions (libk/string.c).
 */
#include <kernel/ktest.h>
#include <string.h>

static unsigned char a[300], b[300];

KTEST(libc_memcpy_memset_all_sizes_and_alignments)
{
    for (size_t off = 0; off < 9; off++) {
        for (size_t n = 0; n < 70; n++) {
            for (size_t i = 0; i < sizeof(a); i++) {
                a[i] = (unsigned char)(i * 7 + 1);
                b[i] = 0xee;
            }
            KT_ASSERT(memcpy(b + off, a + 3, n) == b + off);
            for (size_t i = 0; i < sizeof(b); i++) {
                unsigned char want = i >= off && i < off + n ? a[3 + i - off] : 0xee;
                KT_ASSERT_EQ(b[i], want);
            }
            KT_ASSERT(memset(b + off, 0x5a, n) == b + off);
            for (size_t i = off; i < off + n; i++)
                KT_ASSERT_EQ(b[i], 0x5a);
            KT_ASSERT_EQ(b[off + n], 0xee); /* nothing past the end */
        }
    }
}

KTEST(libc_memmove_overlaps_both_ways)
{
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = (unsigned char)i;
    memmove(a + 10, a, 100); /* dst above src */
    for (size_t i = 0; i < 100; i++)
        KT_ASSERT_EQ(a[10 + i], i);
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = (unsigned char)i;
    memmove(a, a + 10, 100); /* dst below src */
    for (size_t i = 0; i < 100; i++)
        KT_ASSERT_EQ(a[i], i + 10);
    KT_ASSERT(memcmp("abc", "abd", 3) < 0);
    KT_ASSERT(strcmp("b", "a") > 0);
    KT_ASSERT_EQ(strlen("hello"), 5);
    KT_ASSERT(strstr("haystack", "st") != NULL);
}

KTEST(libc_memchr_finds_the_first_byte_within_bounds)
{
    static const char s[] = "abcabc\0xyz";
    KT_ASSERT(memchr(s, 'c', 6) == s + 2);
    KT_ASSERT(memchr(s, 'x', 6) == NULL); /* past n */
    KT_ASSERT(memchr(s, 'x', sizeof(s)) == s + 7);
    KT_ASSERT(memchr(s, 0, sizeof(s)) == s + 6);
    KT_ASSERT(memchr(s, 'a' + 256, 3) == s); /* c is taken as unsigned char */
    KT_ASSERT(memchr(s, 'a', 0) == NULL);
}
