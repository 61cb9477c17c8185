/**
 * @file arch/ksyms.h
 * @brief The kernel's own symbol table, for symbolized backtraces.
 *
 * The build links the kernel twice (mk/kernel.mk): the first image's text
 * symbols are written by mk/ksyms.py into a `.ksyms` section, laid out as
 * below, and the second link adds it at the end of .rodata, after all code,
 * so no code address moves. The table is sorted by address.
 *
 * Layout (little-endian): u64 count; count entries of { u64 addr; u32 name;
 * u32 size } where name is an offset into the strings after the entries;
 * then NUL-terminated names.
 */
#ifndef ARCH_KSYMS_H
#define ARCH_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/**
 * @brief Find the function containing @p addr in a table.
 * @param table the table (NULL: none)
 * @param len   its size in bytes
 * @param addr  a code address
 * @param off   set to @p addr minus the function's start
 * @return the function's name, or NULL when no symbol covers @p addr (or the
 *         table is malformed: every offset is checked against @p len)
 */
const char *ksym_find(const void *table, size_t len, uintptr_t addr, uintptr_t *off);

/**
 * @brief Install the table ksym_lookup() and backtraces use.
 * @param table the table
 * @param len   its size in bytes
 */
void ksym_set_table(const void *table, size_t len);

/**
 * @brief ksym_find() in the installed table.
 * @param addr a code address
 * @param off  set to the offset into the function
 * @return the name, or NULL
 */
const char *ksym_lookup(uintptr_t addr, uintptr_t *off);

#endif
