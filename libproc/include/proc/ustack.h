/**
 * @file proc/ustack.h
 * @brief The initial user stack of a new program: argc, argv, envp, the
 * auxiliary vector and the strings they point at, laid out exactly as the
 * System V x86-64 ABI and Linux do, so that an unmodified static musl (or
 * glibc) binary starts.
 *
 * ustack_build() writes the image into a kernel buffer that stands for the top
 * of the user stack; the caller then copies or maps it at the user addresses.
 * From the top (highest address) down:
 *
 *     stack_top -  8   8 zero bytes (an end marker, as Linux leaves)
 *                      execfn string (if any), then the environment strings,
 *                      then the argument strings (each group in order, so
 *                      argv[0] is the lowest string)
 *                      padding down to a multiple of 16
 *                      the 16 AT_RANDOM bytes
 *                      padding (0 or 8 bytes) so that rsp is 16-byte aligned
 *                      auxv: (type, value) pairs ending with AT_NULL
 *                      envp[0..envc-1], NULL
 *                      argv[0..argc-1], NULL
 *     rsp ->           argc (8 bytes)
 *
 * The auxv entries, in this order: AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ,
 * AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE (0), AT_RANDOM,
 * AT_EXECFN (only if execfn is given), AT_HWCAP, AT_CLKTCK (100), AT_NULL.
 * docs/user-memory.md draws the same picture.
 *
 * Pure and allocation-free; the caller owns every buffer.
 */
#ifndef PROC_USTACK_H
#define PROC_USTACK_H

#include <stddef.h>
#include <stdint.h>

/** @name Auxiliary vector types (Linux values)
 * @{ */
#define USTACK_AT_NULL   0  /**< End of the vector. */
#define USTACK_AT_PHDR   3  /**< User address of the program headers. */
#define USTACK_AT_PHENT  4  /**< Size of one program header. */
#define USTACK_AT_PHNUM  5  /**< Number of program headers. */
#define USTACK_AT_PAGESZ 6  /**< Page size. */
#define USTACK_AT_ENTRY  9  /**< Program entry point. */
#define USTACK_AT_UID    11 /**< Real user id. */
#define USTACK_AT_EUID   12 /**< Effective user id. */
#define USTACK_AT_GID    13 /**< Real group id. */
#define USTACK_AT_EGID   14 /**< Effective group id. */
#define USTACK_AT_HWCAP  16 /**< CPU feature bits (CPUID.1:EDX on x86). */
#define USTACK_AT_CLKTCK 17 /**< Frequency of times() (clock ticks per second). */
#define USTACK_AT_SECURE 23 /**< Non-zero for setuid-like programs. */
#define USTACK_AT_RANDOM 25 /**< Address of 16 random bytes (stack protector, pointer guard). */
#define USTACK_AT_EXECFN 31 /**< Address of the file name the program was run as. */
/** @} */

/** Value of AT_CLKTCK: the tick rate of times() and /proc, as on Linux. */
#define USTACK_CLKTCK 100
/** Most auxv pairs written, AT_NULL included. */
#define USTACK_AUXV_MAX 15

/**
 * @brief What goes on the initial stack. All pointers are kernel copies that
 * must stay valid during ustack_build(); nothing is kept afterwards.
 */
struct ustack_args {
    int argc;                /**< Number of arguments (>= 0). */
    const char *const *argv; /**< argc strings (may be NULL if argc is 0). */
    int envc;                /**< Number of environment strings (>= 0). */
    const char *const *envp; /**< envc strings (may be NULL if envc is 0). */
    uint64_t at_phdr;        /**< AT_PHDR: elf_image.phdr_vaddr. */
    uint64_t at_phent;       /**< AT_PHENT: elf_image.phentsize. */
    uint64_t at_phnum;       /**< AT_PHNUM: elf_image.phnum. */
    uint64_t at_entry;       /**< AT_ENTRY: elf_image.entry. */
    uint64_t at_pagesz;      /**< AT_PAGESZ; 0 means 4096. */
    uint8_t at_random[16];   /**< The 16 random bytes AT_RANDOM points at. */
    const char *execfn;      /**< AT_EXECFN string, or NULL for no AT_EXECFN. */
    uint64_t at_uid;         /**< AT_UID and AT_EUID. */
    uint64_t at_gid;         /**< AT_GID and AT_EGID. */
    uint64_t at_hwcap;       /**< AT_HWCAP (0 is valid: "no features announced"). */
};

/**
 * @brief Bytes the stack image for @p a takes, padding included: what
 * ustack_build() sets *used to.
 * @param a the arguments (argv/envp entries must not be NULL)
 * @return bytes, or SIZE_MAX if the count overflows or @p a is invalid
 */
size_t ustack_size_needed(const struct ustack_args *a);

/**
 * @brief Build the initial stack image.
 *
 * @p buf stands for the user addresses [stack_top - size, stack_top): byte i
 * of @p buf is user address stack_top - size + i. Only the top *used bytes are
 * written; the rest of @p buf is untouched.
 *
 * @param buf       the kernel buffer (caller-owned)
 * @param size      its size in bytes
 * @param stack_top user address just above the stack (16-byte aligned, >= @p size,
 *                  <= INT64_MAX)
 * @param a         what to put on it
 * @param used      set to the bytes used at the top of @p buf on success
 * @return the initial user rsp (16-byte aligned, pointing at argc); -E2BIG if
 *         the image does not fit in @p size; -EINVAL for a NULL pointer, a
 *         negative count, a NULL string in argv/envp, or a misaligned or too
 *         low @p stack_top
 */
int64_t ustack_build(uint8_t *buf, size_t size, uint64_t stack_top, const struct ustack_args *a,
                     size_t *used);

#endif
