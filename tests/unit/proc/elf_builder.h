/*
 * elf_builder.h - builds ELF64 images in memory for the parser's tests, and a
 * bounds-asserting reader over them.
 *
 * A struct elfb holds every header field as a plain number, so a test can set
 * any of them to a wrong value; elfb_write() serialises it (little-endian) into
 * a heap buffer of exactly file_size bytes, so that AddressSanitizer catches any
 * read past the end even if the reader's own check were wrong.
 */
#ifndef TESTS_UNIT_PROC_ELF_BUILDER_H
#define TESTS_UNIT_PROC_ELF_BUILDER_H

#include <proc/elf.h>
#include <stddef.h>
#include <stdint.h>

#define ELFB_MAX_PH 160

/* One program header, every field as in the file. */
struct elfb_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elfb {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
    unsigned nph; /* headers written from ph[] (phnum is what the header claims) */
    struct elfb_phdr ph[ELFB_MAX_PH];
    uint64_t file_size;
};

/* The layout `musl-gcc -static` (Debian, binutils 2.40) gives a hello world:
 * four PT_LOADs (R, RX, R, RW with .bss), GNU_STACK and GNU_RELRO. */
void elfb_musl_static(struct elfb *b);
/* `gcc -static-pie`: ET_DYN linked at 0, no PT_INTERP, PT_DYNAMIC and PT_TLS. */
void elfb_static_pie(struct elfb *b);
/* Append a program header; sets phnum = nph. */
struct elfb_phdr *elfb_add(struct elfb *b, uint32_t type, uint32_t flags, uint64_t offset,
                           uint64_t vaddr, uint64_t filesz, uint64_t memsz);
/* Grow file_size so that every PT_LOAD's file bytes and the table are inside. */
void elfb_fit(struct elfb *b);
/* Serialise into a new malloc'd buffer of b->file_size bytes (free() it). The
 * header and table are written only as far as they fit. */
uint8_t *elfb_write(const struct elfb *b);

/* A file in memory; read() aborts the test on any access outside it. */
struct elfb_file {
    const uint8_t *data;
    uint64_t size;
    unsigned reads; /* calls so far */
    int fail_at;    /* if >= 0, this call (0-based) fails with fail_err */
    long fail_err;  /* negative errno, or >= 0 for a short read of that many bytes */
};
long elfb_read(void *ctx, uint64_t off, void *buf, size_t len);
/* A reader over f (f->fail_at set to -1). */
struct elf_reader elfb_reader(struct elfb_file *f, const uint8_t *data, uint64_t size);

/* Build b, parse it with user_limit and free it: the parser's result. */
int elfb_parse(const struct elfb *b, uint64_t user_limit, struct elf_image *out);

#endif
