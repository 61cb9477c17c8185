/**
 * @file proc/elf.h
 * @brief ELF64 executable parser: checks a static x86-64 Linux binary and says
 * what to map where. It maps nothing itself.
 *
 * The file is reached through a caller-supplied reader (@ref elf_reader), so the
 * same code reads a VFS file in the kernel and a host buffer in the unit tests.
 * The parser allocates nothing and keeps no state: the result is one
 * @ref elf_image filled in by the caller's memory. Every header integer is
 * decoded byte by byte (little-endian), so the reader's buffer alignment does
 * not matter.
 *
 * What is accepted (everything else is -ENOEXEC; docs/user-memory.md has the
 * reasons):
 * - ELFCLASS64, little-endian, EV_CURRENT, EM_X86_64, OS/ABI SYSV or GNU,
 *   e_ehsize 64, e_phentsize 56, 1..@ref ELF_MAX_PHNUM program headers that lie
 *   in the file after the ELF header.
 * - ET_EXEC, and ET_DYN without PT_INTERP (static-pie), which is loaded at the
 *   fixed bias @ref ELF_DYN_BASE. Anything with PT_INTERP (a dynamically linked
 *   binary, which is also what Debian's `musl-gcc -static-pie` produces) is
 *   refused.
 * - 1..@ref ELF_MAX_LOAD non-empty PT_LOAD segments, in ascending address order,
 *   not sharing any page, each inside [@ref ELF_USER_MIN, min(user_limit,
 *   @ref ELF_USER_MAX)), with p_filesz <= p_memsz, file bytes inside the file,
 *   p_offset congruent to p_vaddr modulo the page size, p_align 0 or a power of
 *   two, and never both writable and executable (W^X). PT_GNU_STACK asking for
 *   an executable stack is refused for the same reason.
 * - An entry point inside an executable segment.
 *
 * Thread safety: none needed; the function only touches its arguments.
 */
#ifndef PROC_ELF_H
#define PROC_ELF_H

#include <stddef.h>
#include <stdint.h>

/** Most PT_LOAD segments accepted. */
#define ELF_MAX_LOAD 16
/** Most program headers (of any type) accepted; real binaries have about 6 to 14. */
#define ELF_MAX_PHNUM 128
/**
 * Lowest user address a segment may use. Like Linux's default vm.mmap_min_addr
 * (64 KiB): page 0 and its neighbours stay unmapped so that a NULL pointer, even
 * with a large offset, faults.
 */
#define ELF_USER_MIN 0x10000ull
/**
 * Hard upper bound (exclusive) of user memory whatever the caller's limit: the
 * last page below the non-canonical hole stays unmapped, as in Linux
 * (TASK_SIZE), so that SYSRET never returns to a non-canonical address.
 */
#define ELF_USER_MAX 0x00007ffffffff000ull
/** Load bias of a static-pie (ET_DYN) binary: its address 0 goes here. */
#define ELF_DYN_BASE 0x400000ull

/** @brief Segment may be read (equal to Linux's PROT_READ). */
#define ELF_PROT_READ 1u
/** @brief Segment may be written (equal to Linux's PROT_WRITE). */
#define ELF_PROT_WRITE 2u
/** @brief Segment may be executed (equal to Linux's PROT_EXEC). */
#define ELF_PROT_EXEC 4u

/**
 * @brief Where the file comes from.
 *
 * The reader and its context belong to the caller and must stay valid during
 * elf_parse(); the parser never reads at or beyond @ref size.
 */
struct elf_reader {
    /**
     * @brief Read @p len bytes at offset @p off into @p buf.
     * @return bytes read (short only at end of file) or a negative errno.
     */
    long (*read)(void *ctx, uint64_t off, void *buf, size_t len);
    void *ctx;     /**< Passed to @ref read. */
    uint64_t size; /**< File size in bytes. */
};

/** @brief One PT_LOAD segment, with the load bias already applied. */
struct elf_load_seg {
    uint64_t vaddr;  /**< User address of the first byte (not page aligned in general). */
    uint64_t memsz;  /**< Bytes in memory (> 0); bytes past @ref filesz are zero. */
    uint64_t filesz; /**< Bytes taken from the file (<= @ref memsz). */
    uint64_t offset; /**< File offset of the first byte; congruent to vaddr mod 4 KiB. */
    uint32_t prot;   /**< ELF_PROT_* bits (the Linux PROT_* values); never W and X. */
};

/** @brief What elf_parse() found: everything exec needs to map the binary. */
struct elf_image {
    uint64_t entry; /**< User address of the entry point. */
    /**
     * User address of the program headers (PT_PHDR, or derived from the PT_LOAD
     * whose file bytes contain them), 0 if they are not mapped. For AT_PHDR.
     */
    uint64_t phdr_vaddr;
    uint16_t phnum;                        /**< Number of program headers (AT_PHNUM). */
    uint16_t phentsize;                    /**< Size of one program header: 56 (AT_PHENT). */
    unsigned nseg;                         /**< Entries used in @ref seg (1..ELF_MAX_LOAD). */
    struct elf_load_seg seg[ELF_MAX_LOAD]; /**< PT_LOAD segments, ascending addresses. */
    uint64_t lo;                           /**< Start of all segments, page aligned. */
    uint64_t hi;                           /**< Their end, page aligned: brk starts here. */
    uint64_t bias;                         /**< Added to file addresses (ELF_DYN_BASE or 0). */
};

/**
 * @brief Check an ELF64 executable and describe how to load it.
 *
 * Reads the ELF header and the program headers through @p r, never outside
 * [0, r->size). On failure @p out is left in an unspecified state.
 *
 * @param r          the file (must have a read function)
 * @param user_limit exclusive upper bound of the user addresses segments may use
 *                   (e.g. the lowest address of the stack area); capped at
 *                   @ref ELF_USER_MAX
 * @param out        the result
 * @return 0; -ENOEXEC for any malformed or unsupported field (see the file
 *         comment); -EIO if the reader returned fewer bytes than the file size
 *         promised, or the reader's own negative error; -EINVAL if @p r, its read
 *         function or @p out is NULL. Never -ENOMEM: nothing is allocated.
 */
int elf_parse(const struct elf_reader *r, uint64_t user_limit, struct elf_image *out);

/**
 * @brief Name the function that contains a user address, from the file's
 * symbol table (SHT_SYMTAB, which `strip --strip-debug` keeps), for crash
 * reports. Reads only the headers, the symbols (in chunks) and one name.
 * @param r      the executable
 * @param addr   a user address (a static-pie's load bias, ELF_DYN_BASE, is
 *               taken off here)
 * @param name   filled with the function's name, cut to fit and NUL-terminated
 * @param size   size of @p name (at least 1)
 * @param offset set to @p addr's distance from the function's start
 * @return 0; -ENOENT when no function symbol covers @p addr or there is no
 *         symbol table; -ENOEXEC for malformed headers; or the reader's error
 */
int elf_symbolize(const struct elf_reader *r, uint64_t addr, char *name, size_t size,
                  uint64_t *offset);

#endif
