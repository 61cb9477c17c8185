/**
 * @file arch/ksyms.h
 * @brief The kernel's own symbol and line tables, for symbolized backtraces.
 *
 * The build links the kernel twice (mk/kernel.mk): from the first image,
 * mk/ksyms.py writes its text symbols and mk/klines.py a line table made from
 * its DWARF `.debug_line` into a `.ksyms` section, and the second link adds
 * that section at the end of .rodata, after all code, so no code address
 * moves. All integers are little-endian and read byte-wise (no alignment is
 * assumed); every offset is checked against the length the caller gives, so a
 * damaged table answers "unknown", never a wild read.
 *
 * The section (what ksym_set_table() takes): a 24-byte header { u32 magic
 * "KSYM"; u32 version (1); u32 syms_off, syms_len; u32 lines_off, lines_len }
 * locating the two tables inside it. lines_len is 0 when the kernel was built
 * without debug information (`make PROFILE=release`).
 *
 * Symbol table (ksym_find()), sorted by address: u64 count; count entries of
 * { u64 addr; u32 name; u32 size } where name is an offset into the strings
 * after the entries; then NUL-terminated names.
 *
 * Line table (kline_find()): a list of rows (address, file, line), each
 * holding from its address up to the next row's; a row with file 0 marks
 * code without line information (and the end of the table). Rows are split
 * into blocks of up to 128 with an index, so a lookup binary-searches the
 * index and decodes one block. Layout:
 * - header, 32 bytes: u32 magic "KLN1", nblocks, nfiles, index_off,
 *   files_off, strings_off, stream_off, stream_len (offsets from the table's
 *   start);
 * - index: nblocks entries of { u64 addr; u32 stream }, sorted by addr: block
 *   i is stream bytes [stream, block i+1's stream) and its first row is at
 *   addr;
 * - files: nfiles u32 offsets (from strings_off) of NUL-terminated paths,
 *   relative to the source tree; file k (1-based) is entry k-1;
 * - stream: rows, each an opcode byte and deltas from the row before (for a
 *   block's first row: from its addr, file 0, line 0). Opcodes 2..255 are
 *   short rows in the same file, with k = opcode - 2: address + k / 10,
 *   line + k % 10 - 4. Opcode 1 is a long row in the same file: uleb128
 *   address delta, uleb128 zigzag line delta (2d for d >= 0, -2d - 1 below).
 *   Opcode 0 is the same followed by a uleb128 file number (0: no line
 *   information).
 */
#ifndef ARCH_KSYMS_H
#define ARCH_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/** The `.ksyms` section's magic, "KSYM" read as a little-endian u32. */
#define KSYMS_MAGIC 0x4d59534bu
/** The `.ksyms` section's layout version. */
#define KSYMS_VERSION 1u
/** The line table's magic, "KLN1" read as a little-endian u32. */
#define KLINES_MAGIC 0x314e4c4bu

/**
 * @brief Find the function containing @p addr in a symbol table.
 * @param table the symbol table (NULL: none)
 * @param len   its size in bytes
 * @param addr  a code address
 * @param off   set to @p addr minus the function's start
 * @return the function's name, or NULL when no symbol covers @p addr (or the
 *         table is malformed: every offset is checked against @p len)
 */
const char *ksym_find(const void *table, size_t len, uintptr_t addr, uintptr_t *off);

/**
 * @brief Find the source line of the instruction at @p addr in a line table.
 *
 * For a return address, pass the address minus one: that byte belongs to the
 * call instruction, whose line is the call site's.
 * @param table the line table (NULL or @p len 0: none)
 * @param len   its size in bytes
 * @param addr  a code address
 * @param file  set to the source file's path, a string inside @p table (on
 *              success only)
 * @param line  set to the line number, 1 or more (on success only)
 * @return 0, or -ENOENT when the table has no line for @p addr (before its
 *         first row, in a gap between functions, after its last row, or a
 *         malformed table: nothing outside [table, table + len) is read)
 */
int kline_find(const void *table, size_t len, uintptr_t addr, const char **file, unsigned *line);

/**
 * @brief Install the `.ksyms` section that ksym_lookup(), kline_lookup() and
 *        backtraces use.
 *
 * The section must stay mapped for as long as lookups may run (the kernel's
 * is in its own .rodata). A section with a bad header installs nothing: the
 * lookups then find nothing.
 * @param section the section (NULL: none)
 * @param len     its size in bytes
 */
void ksym_set_table(const void *section, size_t len);

/**
 * @brief ksym_find() in the installed section's symbol table.
 * @param addr a code address
 * @param off  set to the offset into the function
 * @return the name, or NULL
 */
const char *ksym_lookup(uintptr_t addr, uintptr_t *off);

/**
 * @brief kline_find() in the installed section's line table.
 * @param addr a code address (a return address minus one for a call site)
 * @param file set to the source file's path
 * @param line set to the line number
 * @return 0, or -ENOENT (also when the kernel has no line table)
 */
int kline_lookup(uintptr_t addr, const char **file, unsigned *line);

#endif
