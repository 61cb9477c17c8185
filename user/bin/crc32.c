/*
 * crc32.c - the CRC-32 of files, one "%08x  NAME" line each (zlib's CRC-32).
 *
 *   crc32 [FILE...]      "%08x  NAME" per file; no operand: standard input
 *                        (named "-")
 * The IEEE 802.3 CRC-32 (reflected polynomial 0xedb88320, initial value and
 * final xor 0xffffffff): the same number as zlib's crc32() and libsfs's
 * sfs_crc32().
 */
#include "util.h"

#include <stdint.h>
#include <stdio.h>

static uint32_t table[256];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
}

static int crc_chunk(void *ctx, const char *buf, size_t n)
{
    uint32_t *crc = ctx;
    for (size_t i = 0; i < n; i++)
        *crc = table[(*crc ^ (unsigned char)buf[i]) & 0xff] ^ (*crc >> 8);
    return UTIL_OK;
}

static int crc_fd(void *ctx, int fd, const char *name, int index)
{
    (void)ctx;
    (void)index;
    uint32_t crc = 0xffffffffu;
    if (util_each_chunk(fd, name, crc_chunk, &crc) != UTIL_OK)
        return UTIL_ERR;
    printf("%08x  %s\n", crc ^ 0xffffffffu, name);
    return UTIL_OK;
}

int main(int argc, char **argv)
{
    util_init("crc32");
    while (util_getopt(argc, argv, "", "[FILE...]") != -1)
        ;
    make_table();
    return util_finish(util_each_input(argc - optind, argv + optind, crc_fd, NULL));
}
