/*
 * elf.c - ELF64 executable parser (proc/elf.h).
 *
 * Layer: pure format checking, below exec. It reads the ELF header and then the
 * program headers one at a time through the caller's reader (so its stack use
 * is a few hundred bytes whatever e_phnum says), validates every field exec
 * depends on, and fills a struct elf_image. It maps and allocates nothing.
 *
 * Every offset and size from the file is untrusted: each sum is checked for
 * overflow before it is compared, and every read is bounds-checked against the
 * reader's size before it is issued, so a hostile file can make the parser
 * return -ENOEXEC but never read out of bounds.
 */
#include <k/errno.h>
#include <mm/phys.h>
#include <proc/elf.h>
#include <stdbool.h>
#include <string.h>

/* ELF constants (System V gABI, x86-64 psABI). */
#define EI_NIDENT     16
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ELFOSABI_SYSV 0
#define ELFOSABI_GNU  3
#define ET_EXEC       2
#define ET_DYN        3
#define EM_X86_64     62
#define EHDR_SIZE     64
#define PHDR_SIZE     56

#define PT_LOAD      1
#define PT_INTERP    3
#define PT_PHDR      6
#define PT_GNU_STACK 0x6474e551u

#define PF_X 1u
#define PF_W 2u
#define PF_R 4u

#define PAGE MM_PAGE_SIZE

/* The fields of one program header that the parser uses. */
struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
};

static uint16_t ld16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t ld64(const uint8_t *p)
{
    return (uint64_t)ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

/*
 * Read exactly len bytes at off. A range past the file's size is the file's
 * fault (truncated: -ENOEXEC); a short read inside it is the reader's (-EIO).
 */
static int read_exact(const struct elf_reader *r, uint64_t off, void *buf, size_t len)
{
    if (off > r->size || len > r->size - off)
        return -ENOEXEC;
    long n = r->read(r->ctx, off, buf, len);
    if (n < 0)
        return (int)n;
    if ((size_t)n != len)
        return -EIO;
    return 0;
}

/* Is [a, a+len) inside [b, b+blen)? All four are already overflow-checked. */
static bool inside(uint64_t a, uint64_t len, uint64_t b, uint64_t blen)
{
    return a >= b && a - b <= blen && len <= blen - (a - b);
}

static int check_ehdr(const uint8_t *e, uint64_t fsize)
{
    static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
    if (memcmp(e, magic, sizeof(magic)) != 0 || e[4] != ELFCLASS64 || e[5] != ELFDATA2LSB ||
        e[6] != EV_CURRENT || (e[7] != ELFOSABI_SYSV && e[7] != ELFOSABI_GNU))
        return -ENOEXEC;
    uint16_t type = ld16(e + 16);
    if ((type != ET_EXEC && type != ET_DYN) || ld16(e + 18) != EM_X86_64 ||
        ld32(e + 20) != EV_CURRENT || ld16(e + 52) != EHDR_SIZE || ld16(e + 54) != PHDR_SIZE)
        return -ENOEXEC;
    uint64_t phoff = ld64(e + 32);
    uint16_t phnum = ld16(e + 56);
    if (phnum == 0 || phnum > ELF_MAX_PHNUM)
        return -ENOEXEC;
    /* The table follows the ELF header and ends inside the file (phnum is small). */
    if (phoff < EHDR_SIZE || phoff > fsize || (uint64_t)phnum * PHDR_SIZE > fsize - phoff)
        return -ENOEXEC;
    return 0;
}

static void decode_phdr(const uint8_t *p, struct phdr *ph)
{
    ph->type = ld32(p);
    ph->flags = ld32(p + 4);
    ph->offset = ld64(p + 8);
    ph->vaddr = ld64(p + 16);
    /* p_paddr (p + 24) is meaningless for user programs. */
    ph->filesz = ld64(p + 32);
    ph->memsz = ld64(p + 40);
    ph->align = ld64(p + 48);
}

/*
 * Check one PT_LOAD (vaddr is p_vaddr with the bias added, without overflow)
 * and append it to out->seg. limit is the page-aligned effective user limit.
 */
static int add_load(struct elf_image *out, const struct phdr *ph, uint64_t vaddr, uint64_t limit,
                    uint64_t fsize)
{
    if (ph->filesz > ph->memsz)
        return -ENOEXEC;
    if (ph->align & (ph->align - 1)) /* 0 and 1 mean "no alignment" */
        return -ENOEXEC;
    if ((ph->offset & (PAGE - 1)) != (vaddr & (PAGE - 1)))
        return -ENOEXEC;
    if (ph->offset > fsize || ph->filesz > fsize - ph->offset)
        return -ENOEXEC;
    /* [vaddr, end) rounded out to pages must sit in [ELF_USER_MIN, limit). */
    if (vaddr < ELF_USER_MIN || vaddr >= limit || ph->memsz > limit - vaddr)
        return -ENOEXEC;
    uint64_t end = vaddr + ph->memsz;
    if (MM_ALIGN_UP(end, PAGE) > limit) /* limit is page aligned: no wrap */
        return -ENOEXEC;
    uint32_t prot = 0;
    if (ph->flags & PF_R)
        prot |= ELF_PROT_READ;
    if (ph->flags & PF_W)
        prot |= ELF_PROT_WRITE;
    if (ph->flags & PF_X)
        prot |= ELF_PROT_EXEC;
    if ((prot & ELF_PROT_WRITE) && (prot & ELF_PROT_EXEC))
        return -ENOEXEC; /* W^X */
    if (out->nseg == ELF_MAX_LOAD)
        return -ENOEXEC;
    /* Ascending, and no page shared with the previous segment (whose pages
     * would then need two protections). */
    if (out->nseg > 0) {
        const struct elf_load_seg *p = &out->seg[out->nseg - 1];
        if (MM_ALIGN_DOWN(vaddr, PAGE) < MM_ALIGN_UP(p->vaddr + p->memsz, PAGE))
            return -ENOEXEC;
    }
    out->seg[out->nseg++] = (struct elf_load_seg){
        .vaddr = vaddr,
        .memsz = ph->memsz,
        .filesz = ph->filesz,
        .offset = ph->offset,
        .prot = prot,
    };
    return 0;
}

/* The segment holding [va, va+len) entirely, or NULL. */
static const struct elf_load_seg *seg_containing(const struct elf_image *img, uint64_t va,
                                                 uint64_t len)
{
    for (unsigned i = 0; i < img->nseg; i++)
        if (inside(va, len, img->seg[i].vaddr, img->seg[i].memsz))
            return &img->seg[i];
    return NULL;
}

/* AT_PHDR: the address at which the program headers appear in memory. */
static int find_phdr(struct elf_image *out, uint64_t phoff, bool have_pt_phdr, uint64_t pt_phdr)
{
    uint64_t len = (uint64_t)out->phnum * PHDR_SIZE;
    if (have_pt_phdr) {
        /* A PT_PHDR that points at unmapped memory would send libc astray. */
        if (!seg_containing(out, pt_phdr, len))
            return -ENOEXEC;
        out->phdr_vaddr = pt_phdr;
        return 0;
    }
    out->phdr_vaddr = 0;
    for (unsigned i = 0; i < out->nseg; i++) {
        const struct elf_load_seg *s = &out->seg[i];
        if (inside(phoff, len, s->offset, s->filesz)) {
            out->phdr_vaddr = s->vaddr + (phoff - s->offset);
            break;
        }
    }
    return 0;
}

int elf_parse(const struct elf_reader *r, uint64_t user_limit, struct elf_image *out)
{
    if (!r || !r->read || !out)
        return -EINVAL;
    uint8_t eh[EHDR_SIZE];
    int err = read_exact(r, 0, eh, sizeof(eh));
    if (err)
        return err;
    err = check_ehdr(eh, r->size);
    if (err)
        return err;

    memset(out, 0, sizeof(*out));
    out->phnum = ld16(eh + 56);
    out->phentsize = PHDR_SIZE;
    out->bias = ld16(eh + 16) == ET_DYN ? ELF_DYN_BASE : 0;
    uint64_t phoff = ld64(eh + 32);
    uint64_t limit = MM_ALIGN_DOWN(user_limit < ELF_USER_MAX ? user_limit : ELF_USER_MAX, PAGE);

    bool have_pt_phdr = false;
    uint64_t pt_phdr = 0;
    for (unsigned i = 0; i < out->phnum; i++) {
        uint8_t raw[PHDR_SIZE];
        err = read_exact(r, phoff + (uint64_t)i * PHDR_SIZE, raw, sizeof(raw));
        if (err)
            return err;
        struct phdr ph;
        decode_phdr(raw, &ph);
        if (ph.type == PT_INTERP)
            return -ENOEXEC; /* dynamically linked: we have no dynamic loader */
        if (ph.type == PT_GNU_STACK && (ph.flags & PF_X))
            return -ENOEXEC; /* an executable stack would break W^X */
        if (ph.type != PT_LOAD && ph.type != PT_PHDR)
            continue; /* PT_TLS, PT_NOTE, PT_GNU_RELRO...: libc's business */
        if (ph.vaddr > UINT64_MAX - out->bias)
            return -ENOEXEC;
        uint64_t vaddr = ph.vaddr + out->bias;
        if (ph.type == PT_PHDR) {
            if (have_pt_phdr || ph.memsz < (uint64_t)out->phnum * PHDR_SIZE)
                return -ENOEXEC;
            have_pt_phdr = true;
            pt_phdr = vaddr;
            continue;
        }
        if (ph.memsz == 0) {
            /* Maps nothing (Linux skips it too); still no file bytes. */
            if (ph.filesz != 0)
                return -ENOEXEC;
            continue;
        }
        err = add_load(out, &ph, vaddr, limit, r->size);
        if (err)
            return err;
    }
    if (out->nseg == 0)
        return -ENOEXEC;

    uint64_t entry = ld64(eh + 24);
    if (entry > UINT64_MAX - out->bias)
        return -ENOEXEC;
    out->entry = entry + out->bias;
    const struct elf_load_seg *es = seg_containing(out, out->entry, 1);
    if (!es || !(es->prot & ELF_PROT_EXEC))
        return -ENOEXEC;

    err = find_phdr(out, phoff, have_pt_phdr, pt_phdr);
    if (err)
        return err;

    const struct elf_load_seg *last = &out->seg[out->nseg - 1];
    out->lo = MM_ALIGN_DOWN(out->seg[0].vaddr, PAGE);
    out->hi = MM_ALIGN_UP(last->vaddr + last->memsz, PAGE);
    return 0;
}

/* ---- symbols, for crash reports ---- */

#define SHT_SYMTAB 2
#define STT_FUNC   2
#define SYM_SIZE   24
#define SYM_CHUNK  64 /* symbols read at a time */

/* Read section header @p i (bounds already checked by read_exact). */
static int read_shdr(const struct elf_reader *r, uint64_t shoff, uint32_t i, uint8_t sh[64])
{
    return read_exact(r, shoff + (uint64_t)i * 64, sh, 64);
}

/* The function symbol of the table at [@p off, @p off + @p len) that covers
 * @p addr: its name offset and value, or -ENOENT. */
static int find_func(const struct elf_reader *r, uint64_t off, uint64_t len, uint64_t addr,
                     uint32_t *name, uint64_t *value)
{
    uint8_t buf[SYM_CHUNK * SYM_SIZE];
    uint64_t n = len / SYM_SIZE;
    for (uint64_t k = 0; k < n; k += SYM_CHUNK) {
        uint64_t m = n - k < SYM_CHUNK ? n - k : SYM_CHUNK;
        int err = read_exact(r, off + k * SYM_SIZE, buf, (size_t)(m * SYM_SIZE));
        if (err)
            return err;
        for (uint64_t j = 0; j < m; j++) {
            const uint8_t *s = buf + j * SYM_SIZE;
            uint64_t v = ld64(s + 8), sz = ld64(s + 16);
            if ((s[4] & 0xf) != STT_FUNC || ld16(s + 6) == 0 || addr < v || addr - v >= sz)
                continue;
            *name = ld32(s);
            *value = v;
            return 0;
        }
    }
    return -ENOENT;
}

int elf_symbolize(const struct elf_reader *r, uint64_t addr, char *name, size_t size,
                  uint64_t *offset)
{
    uint8_t e[64];
    int err = read_exact(r, 0, e, sizeof(e));
    if (err)
        return err;
    if (memcmp(e,
               "\x7f"
               "ELF",
               4) != 0 ||
        e[4] != 2 || e[5] != 1)
        return -ENOEXEC;
    if (ld16(e + 16) == 3) { /* ET_DYN: a static-pie at its fixed bias */
        if (addr < ELF_DYN_BASE)
            return -ENOENT;
        addr -= ELF_DYN_BASE;
    }
    uint64_t shoff = ld64(e + 40);
    uint16_t shentsize = ld16(e + 58), shnum = ld16(e + 60);
    if (shoff == 0 || shnum == 0)
        return -ENOENT;
    if (shentsize != 64 || shoff > r->size)
        return -ENOEXEC;
    uint8_t sh[64], str[64];
    for (uint32_t i = 0; i < shnum; i++) {
        if ((err = read_shdr(r, shoff, i, sh)) != 0)
            return err;
        if (ld32(sh + 4) != SHT_SYMTAB)
            continue;
        uint32_t link = ld32(sh + 40);
        if (ld64(sh + 56) != SYM_SIZE || link >= shnum)
            return -ENOEXEC;
        if ((err = read_shdr(r, shoff, link, str)) != 0)
            return err;
        uint32_t nm;
        uint64_t value;
        if ((err = find_func(r, ld64(sh + 24), ld64(sh + 32), addr, &nm, &value)) != 0)
            return err;
        uint64_t stroff = ld64(str + 24), strsize = ld64(str + 32);
        if (nm >= strsize)
            return -ENOEXEC;
        size_t want = size - 1;
        if (want > strsize - nm)
            want = (size_t)(strsize - nm);
        if ((err = read_exact(r, stroff + nm, name, want)) != 0)
            return err;
        name[want] = '\0';
        *offset = addr - value;
        return 0;
    }
    return -ENOENT;
}
