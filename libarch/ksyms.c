/*
 * ksyms.c - looking up code addresses in the kernel's symbol table
 * (arch/ksyms.h). Pure: it reads only the table it is given, and checks every
 * offset in it, so a damaged table gives "no symbol", never a wild read.
 */
#include <arch/ksyms.h>
#include <string.h>

static const void *installed;
static size_t installed_len;

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

void ksym_set_table(const void *table, size_t len)
{
    installed = table;
    installed_len = len;
}

const char *ksym_lookup(uintptr_t addr, uintptr_t *off)
{
    return ksym_find(installed, installed_len, addr, off);
}
