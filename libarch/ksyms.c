/*
 * ksyms.c - looking up code addresses in the kernel's symbol and line tables
 * (arch/ksyms.h). Pure: it reads only the tables it is given, and checks every
 * offset and every encoded number in them, so a damaged table gives "no
 * symbol" or "no line", never a wild read. The installed section is a pointer
 * pair set once at boot, before anything can panic; lookups take no lock.
 */
#include <arch/ksyms.h>
#include <k/errno.h>
#include <stdbool.h>
#include <string.h>

#define KSYMS_HEADER_SIZE  24
#define KLINES_HEADER_SIZE 32
#define KLINES_INDEX_ENTRY 12
/* Short rows (opcodes >= KLINES_SHORT_BASE): see the layout in arch/ksyms.h. */
#define KLINES_SHORT_BASE       2
#define KLINES_SHORT_LINE_BASE  (-4)
#define KLINES_SHORT_LINE_RANGE 10

static const uint8_t *installed_syms, *installed_lines;
static size_t installed_syms_len, installed_lines_len;

static uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Whether [off, off + size) lies inside a buffer of len bytes. */
static bool span_ok(size_t len, uint64_t off, uint64_t size)
{
    return off <= len && size <= len - off;
}

const char *ksym_find(const void *table, size_t len, uintptr_t addr, uintptr_t *off)
{
    const uint8_t *t = table;
    if (!t || len < 8)
        return NULL;
    uint64_t count = ld64(t);
    if (count == 0 || count > (len - 8) / 16)
        return NULL;
    const uint8_t *ent = t + 8;
    size_t strings = 8 + (size_t)count * 16;
    /* The last entry whose address is <= addr. */
    uint64_t lo = 0, hi = count;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ld64(ent + mid * 16) <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const uint8_t *e = ent + (lo - 1) * 16;
    uint64_t start = ld64(e);
    uint32_t size = ld32(e + 12);
    if (size && addr - start >= size)
        return NULL;
    size_t name = strings + ld32(e + 8);
    if (name >= len || !memchr(t + name, '\0', len - name))
        return NULL;
    if (off)
        *off = addr - start;
    return (const char *)(t + name);
}

/* A uleb128 number from [*p, end): false if it runs off the end or past 64 bits. */
static bool read_uleb(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        if (shift == 63 && (b & 0x7e))
            return false; /* bits beyond the 64th */
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

int kline_find(const void *table, size_t len, uintptr_t addr, const char **file, unsigned *line)
{
    const uint8_t *t = table;
    if (!t || len < KLINES_HEADER_SIZE || ld32(t) != KLINES_MAGIC)
        return -ENOENT;
    uint32_t nblocks = ld32(t + 4), nfiles = ld32(t + 8), index_off = ld32(t + 12);
    uint32_t files_off = ld32(t + 16), strings_off = ld32(t + 20);
    uint32_t stream_off = ld32(t + 24), stream_len = ld32(t + 28);
    if (nblocks == 0 || !span_ok(len, index_off, (uint64_t)nblocks * KLINES_INDEX_ENTRY) ||
        !span_ok(len, files_off, (uint64_t)nfiles * 4) || strings_off > len ||
        !span_ok(len, stream_off, stream_len))
        return -ENOENT;

    /* The last block starting at or before addr. */
    const uint8_t *index = t + index_off;
    uint32_t lo = 0, hi = nblocks;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ld64(index + (size_t)mid * KLINES_INDEX_ENTRY) <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return -ENOENT;
    const uint8_t *ent = index + (size_t)(lo - 1) * KLINES_INDEX_ENTRY;
    uint32_t from = ld32(ent + 8);
    uint32_t to = lo < nblocks ? ld32(ent + KLINES_INDEX_ENTRY + 8) : stream_len;
    if (from > to || to > stream_len)
        return -ENOENT;

    /* Replay the block's rows up to the last one at or before addr. The line
     * is kept unsigned so garbage deltas wrap instead of overflowing. */
    const uint8_t *p = t + stream_off + from, *end = t + stream_off + to;
    uint64_t at = ld64(ent), f = 0, ln = 0, found_f = 0, found_ln = 0;
    while (p < end) {
        uint8_t op = *p++;
        uint64_t da, nf = f, z;
        if (op >= KLINES_SHORT_BASE) {
            da = (uint64_t)(op - KLINES_SHORT_BASE) / KLINES_SHORT_LINE_RANGE;
            z = 0;
        } else if (!read_uleb(&p, end, &da) || !read_uleb(&p, end, &z) ||
                   (op == 0 && !read_uleb(&p, end, &nf))) {
            return -ENOENT;
        }
        if (da > addr - at) /* this row starts past addr (at <= addr holds) */
            break;
        at += da;
        if (op >= KLINES_SHORT_BASE)
            ln += (uint64_t)(int64_t)((op - KLINES_SHORT_BASE) % KLINES_SHORT_LINE_RANGE +
                                      KLINES_SHORT_LINE_BASE);
        else if (z & 1)
            ln -= (z >> 1) + 1; /* zigzag: odd numbers are negative deltas */
        else
            ln += z >> 1;
        f = nf;
        found_f = f;
        found_ln = ln;
    }
    if (found_f == 0 || found_f > nfiles || found_ln == 0 || found_ln > 0xffffffffu)
        return -ENOENT;
    uint64_t name = (uint64_t)strings_off + ld32(t + files_off + (found_f - 1) * 4);
    if (name >= len || !memchr(t + name, '\0', len - name))
        return -ENOENT;
    *file = (const char *)(t + name);
    *line = (unsigned)found_ln;
    return 0;
}

void ksym_set_table(const void *section, size_t len)
{
    const uint8_t *s = section;
    installed_syms = installed_lines = NULL;
    installed_syms_len = installed_lines_len = 0;
    if (!s || len < KSYMS_HEADER_SIZE || ld32(s) != KSYMS_MAGIC || ld32(s + 4) != KSYMS_VERSION)
        return;
    uint32_t syms_off = ld32(s + 8), syms_len = ld32(s + 12);
    uint32_t lines_off = ld32(s + 16), lines_len = ld32(s + 20);
    if (span_ok(len, syms_off, syms_len)) {
        installed_syms = s + syms_off;
        installed_syms_len = syms_len;
    }
    if (span_ok(len, lines_off, lines_len)) {
        installed_lines = s + lines_off;
        installed_lines_len = lines_len;
    }
}

const char *ksym_lookup(uintptr_t addr, uintptr_t *off)
{
    return ksym_find(installed_syms, installed_syms_len, addr, off);
}

int kline_lookup(uintptr_t addr, const char **file, unsigned *line)
{
    return kline_find(installed_lines, installed_lines_len, addr, file, line);
}
