/*
 * cmd_read.c - the file commands that read: cat, hexdump, crc32.
 *
 * Layer: on top of libvfs and the shell core (cmd_common.h). Each reads its
 * file through one loop, each_chunk(), in IO_CHUNK pieces on the stack, and
 * hands every piece to the command's own function; crc32 chains libsfs's
 * sfs_crc32() across the pieces.
 */
#include <k/kprintf.h>
#include <sfs/sfs.h>
#include <string.h>

#include "cmd_common.h"

typedef int (*chunk_fn)(struct shell *sh, const uint8_t *buf, size_t n, uint64_t off, void *arg);

static int each_chunk(struct shell *sh, const char *cmd, const char *path, chunk_fn fn, void *arg)
{
    struct vfs_ctx *c = vctx(sh);
    int fd = vfs_open(c, path, VFS_O_RDONLY, 0);
    if (fd < 0)
        return shell_fs_fail(sh, cmd, path, fd);
    uint8_t buf[IO_CHUNK];
    uint64_t off = 0;
    long n;
    int status = 0;
    while ((n = vfs_read(c, fd, buf, sizeof(buf))) > 0) {
        if (fn(sh, buf, (size_t)n, off, arg)) {
            status = 1;
            break;
        }
        off += (uint64_t)n;
    }
    vfs_close(c, fd);
    if (n < 0)
        return shell_fs_fail(sh, cmd, path, (int)n);
    return status;
}

static int cat_chunk(struct shell *sh, const uint8_t *buf, size_t n, uint64_t off, void *arg)
{
    (void)off;
    (void)arg;
    shell_write(sh, (const char *)buf, n);
    return 0;
}

static int cmd_cat(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "cat");
    int status = 0;
    for (int i = 1; i < argc; i++)
        status |= each_chunk(sh, "cat", argv[i], cat_chunk, NULL);
    return status;
}

struct hex_state {
    uint8_t line[16];
    size_t fill;
    uint64_t line_off;
};

static void hex_flush(struct shell *sh, struct hex_state *h)
{
    char out[80];
    int p = ksnprintf(out, sizeof(out), "%08llx ", (unsigned long long)h->line_off);
    for (size_t i = 0; i < 16; i++) {
        if (i == 8)
            out[p++] = ' ';
        if (i < h->fill)
            p += ksnprintf(out + p, sizeof(out) - (size_t)p, " %02x", h->line[i]);
        else
            p += ksnprintf(out + p, sizeof(out) - (size_t)p, "   ");
    }
    p += ksnprintf(out + p, sizeof(out) - (size_t)p, "  |");
    for (size_t i = 0; i < h->fill; i++)
        out[p++] = h->line[i] >= 0x20 && h->line[i] < 0x7f ? (char)h->line[i] : '.';
    out[p++] = '|';
    out[p] = '\0';
    shell_printf(sh, "%s\n", out);
    h->line_off += h->fill;
    h->fill = 0;
}

static int hex_chunk(struct shell *sh, const uint8_t *buf, size_t n, uint64_t off, void *arg)
{
    (void)off;
    struct hex_state *h = arg;
    for (size_t i = 0; i < n; i++) {
        h->line[h->fill++] = buf[i];
        if (h->fill == 16)
            hex_flush(sh, h);
    }
    return 0;
}

static int cmd_hexdump(struct shell *sh, int argc, char **argv)
{
    if (argc != 2)
        return shell_usage(sh, "hexdump");
    struct hex_state h = { .fill = 0 };
    int status = each_chunk(sh, "hexdump", argv[1], hex_chunk, &h);
    if (status == 0) {
        if (h.fill)
            hex_flush(sh, &h);
        shell_printf(sh, "%08llx\n", (unsigned long long)h.line_off);
    }
    return status;
}

static int crc_chunk(struct shell *sh, const uint8_t *buf, size_t n, uint64_t off, void *arg)
{
    (void)sh;
    (void)off;
    uint32_t *crc = arg;
    *crc = sfs_crc32(*crc, buf, n);
    return 0;
}

static int cmd_crc32(struct shell *sh, int argc, char **argv)
{
    if (argc < 2)
        return shell_usage(sh, "crc32");
    int status = 0;
    for (int i = 1; i < argc; i++) {
        uint32_t crc = 0;
        int s = each_chunk(sh, "crc32", argv[i], crc_chunk, &crc);
        if (s == 0)
            shell_printf(sh, "%08x  %s\n", crc, argv[i]);
        status |= s;
    }
    return status;
}

/* The file reading commands, registered by shell_fs_register() (cmd_fs.c). */
const struct shell_cmd shell_fs_read_cmds[] = {
    { "cat", cmd_cat, "print files", "cat FILE...\nWrite each file's bytes to the output.\n" },
    { "hexdump", cmd_hexdump, "show a file in hex", "hexdump FILE\nCanonical hex+ASCII dump.\n" },
    { "crc32", cmd_crc32, "CRC-32 of files",
      "crc32 FILE...\nThe standard CRC-32 (as zlib.crc32), in lowercase hex.\n" },
};

const size_t shell_fs_read_cmds_count = sizeof(shell_fs_read_cmds) / sizeof(shell_fs_read_cmds[0]);
