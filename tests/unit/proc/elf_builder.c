/*
 * elf_builder.c - in-memory ELF64 images and a bounds-asserting reader for the
 * parser's tests (elf_builder.h).
 */
#include "elf_builder.h"
#include <check.h>
#include <stdlib.h>
#include <string.h>

static void base(struct elfb *b, uint16_t type)
{
    memset(b, 0, sizeof(*b));
    static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
    memcpy(b->ident, ident, sizeof(ident));
    b->type = type;
    b->machine = 62;
    b->version = 1;
    b->phoff = 64;
    b->ehsize = 64;
    b->phentsize = 56;
    b->shentsize = 64;
}

struct elfb_phdr *elfb_add(struct elfb *b, uint32_t type, uint32_t flags, uint64_t offset,
                           uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
    ck_assert_uint_lt(b->nph, ELFB_MAX_PH);
    struct elfb_phdr *p = &b->ph[b->nph++];
    *p = (struct elfb_phdr){ .type = type,
                             .flags = flags,
                             .offset = offset,
                             .vaddr = vaddr,
                             .paddr = vaddr,
                             .filesz = filesz,
                             .memsz = memsz,
                             .align = type == 1 ? 0x1000 : 8 };
    b->phnum = (uint16_t)b->nph;
    return p;
}

void elfb_fit(struct elfb *b)
{
    uint64_t end = b->phoff + (uint64_t)b->nph * 56;
    for (unsigned i = 0; i < b->nph; i++)
        if (b->ph[i].type == 1 && b->ph[i].offset + b->ph[i].filesz > end)
            end = b->ph[i].offset + b->ph[i].filesz;
    if (end > b->file_size)
        b->file_size = end;
}

void elfb_musl_static(struct elfb *b)
{
    base(b, 2);
    b->entry = 0x40104b;
    b->shoff = 0x6e28;
    b->shnum = 27;
    b->shstrndx = 26;
    elfb_add(b, 1, 4, 0x0, 0x400000, 0x190, 0x190);
    elfb_add(b, 1, 5, 0x1000, 0x401000, 0x3bb7, 0x3bb7);
    elfb_add(b, 1, 4, 0x5000, 0x405000, 0xc94, 0xc94);
    elfb_add(b, 1, 6, 0x5fc0, 0x406fc0, 0x150, 0x7f8);
    elfb_add(b, 0x6474e551, 6, 0, 0, 0, 0)->align = 16;
    elfb_add(b, 0x6474e552, 4, 0x5fc0, 0x406fc0, 0x40, 0x40)->align = 1;
    elfb_fit(b);
}

void elfb_static_pie(struct elfb *b)
{
    base(b, 3);
    b->ident[7] = 3; /* ELFOSABI_GNU, as glibc's IFUNCs make it */
    b->entry = 0x95d0;
    elfb_add(b, 1, 4, 0x0, 0x0, 0x8020, 0x8020);
    elfb_add(b, 1, 5, 0x9000, 0x9000, 0x78c31, 0x78c31);
    elfb_add(b, 1, 4, 0x82000, 0x82000, 0x291ee, 0x291ee);
    elfb_add(b, 1, 6, 0xab518, 0xac518, 0x5d58, 0xb528);
    elfb_add(b, 2, 6, 0xaed88, 0xafd88, 0x1a0, 0x1a0);            /* PT_DYNAMIC */
    elfb_add(b, 7, 4, 0xab518, 0xac518, 0x18, 0x60);              /* PT_TLS */
    elfb_add(b, 0x6474e551, 6, 0, 0, 0, 0)->align = 16;           /* GNU_STACK */
    elfb_add(b, 0x6474e552, 4, 0xab518, 0xac518, 0x3ae8, 0x3ae8); /* GNU_RELRO */
    elfb_fit(b);
}

static void st16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void st32(uint8_t *p, uint32_t v)
{
    st16(p, (uint16_t)v);
    st16(p + 2, (uint16_t)(v >> 16));
}

static void st64(uint8_t *p, uint64_t v)
{
    st32(p, (uint32_t)v);
    st32(p + 4, (uint32_t)(v >> 32));
}

/* Copy n bytes of src to file offset off, clipped to the file. */
static void put(uint8_t *f, uint64_t fsize, uint64_t off, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (off + i >= off && off + i < fsize)
            f[off + i] = src[i];
}

uint8_t *elfb_write(const struct elfb *b)
{
    uint8_t *f = malloc(b->file_size ? b->file_size : 1);
    ck_assert_ptr_nonnull(f);
    /* Something recognisable where code and data would be. */
    for (uint64_t i = 0; i < b->file_size; i++)
        f[i] = (uint8_t)(0x90 ^ i);
    uint8_t eh[64];
    memcpy(eh, b->ident, 16);
    st16(eh + 16, b->type);
    st16(eh + 18, b->machine);
    st32(eh + 20, b->version);
    st64(eh + 24, b->entry);
    st64(eh + 32, b->phoff);
    st64(eh + 40, b->shoff);
    st32(eh + 48, b->flags);
    st16(eh + 52, b->ehsize);
    st16(eh + 54, b->phentsize);
    st16(eh + 56, b->phnum);
    st16(eh + 58, b->shentsize);
    st16(eh + 60, b->shnum);
    st16(eh + 62, b->shstrndx);
    put(f, b->file_size, 0, eh, sizeof(eh));
    for (unsigned i = 0; i < b->nph; i++) {
        const struct elfb_phdr *p = &b->ph[i];
        uint8_t ph[56];
        st32(ph, p->type);
        st32(ph + 4, p->flags);
        st64(ph + 8, p->offset);
        st64(ph + 16, p->vaddr);
        st64(ph + 24, p->paddr);
        st64(ph + 32, p->filesz);
        st64(ph + 40, p->memsz);
        st64(ph + 48, p->align);
        put(f, b->file_size, b->phoff + (uint64_t)i * 56, ph, sizeof(ph));
    }
    return f;
}

long elfb_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    struct elfb_file *f = ctx;
    /* The parser promises never to ask for bytes outside the file. */
    if (off > f->size || len > f->size - off)
        ck_abort_msg("elf reader: read of %zu bytes at %#llx outside a %llu-byte file", len,
                     (unsigned long long)off, (unsigned long long)f->size);
    int call = (int)f->reads++;
    if (call == f->fail_at) {
        if (f->fail_err < 0)
            return f->fail_err;
        len = (size_t)f->fail_err < len ? (size_t)f->fail_err : len;
    }
    memcpy(buf, f->data + off, len);
    return (long)len;
}

struct elf_reader elfb_reader(struct elfb_file *f, const uint8_t *data, uint64_t size)
{
    *f = (struct elfb_file){ .data = data, .size = size, .fail_at = -1 };
    return (struct elf_reader){ .read = elfb_read, .ctx = f, .size = size };
}

int elfb_parse(const struct elfb *b, uint64_t user_limit, struct elf_image *out)
{
    uint8_t *data = elfb_write(b);
    struct elfb_file f;
    struct elf_reader r = elfb_reader(&f, data, b->file_size);
    int rc = elf_parse(&r, user_limit, out);
    free(data);
    return rc;
}
