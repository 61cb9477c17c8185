/*
 * crc32.c - the CRC-32 of files, as the kernel shell's crc32 prints it.
 *
 *   crc32 [FILE...]      "%08x  NAME" per file; no operand: standard input
 *                        (named "-")
 * The IEEE 802.3 CRC-32 (reflected polynomial 0xedb88320, initial value and
 * final xor 0xffffffff): the same number as zlib's crc32() and libsfs's
 * sfs_crc32().
 */
#include "util.h"

#include <errno.h>
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

static unsigned char buf[64 * 1024];

static int crc_fd(int fd, const char *name)
{
    uint32_t crc = 0xffffffffu;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return util_err(name);
        }
        for (ssize_t i = 0; i < n; i++)
            crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
    }
    printf("%08x  %s\n", crc ^ 0xffffffffu, name);
    return UTIL_OK;
}

int main(int argc, char **argv)
{
    util_init("crc32");
    while (util_getopt(argc, argv, "", "[FILE...]") != -1)
        ;
    make_table();
    if (optind == argc)
        return util_finish(crc_fd(STDIN_FILENO, "-"));
    int status = UTIL_OK;
    for (int i = optind; i < argc; i++) {
        int fd = util_open_input(argv[i]);
        if (fd < 0) {
            status = util_err(argv[i]);
            continue;
        }
        status |= crc_fd(fd, argv[i]);
        if (fd != STDIN_FILENO)
            close(fd);
    }
    return util_finish(status);
}
