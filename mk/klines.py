#!/usr/bin/env python3
"""Build the kernel's line table (arch/ksyms.h) from the DWARF of the first link.

Usage:
  klines.py ELF OUT.bin [ROOT]   write the encoded table (empty if ELF has no
                                 .debug_line, as in a release build) and print
                                 its size
  klines.py --lookup ELF ADDR... decode the table built from ELF for each
                                 address, as the kernel does (for checking
                                 against addr2line)

The reader below is our own: it walks the ELF section headers and runs the
DWARF .debug_line state machine (versions 2 to 5) to get every row of every
sequence. The table keeps what a lookup needs: where a row of the line program
starts, its file and line, and where each sequence ends. Rows at one address
keep the last one (as binutils' addr2line does); a row with the same file and
line as the one before it is dropped. File paths under ROOT are made relative
to it.

Table layout (little-endian; all offsets from the start of the table):
  header, 32 bytes:
    u32 magic "KLN1", u32 nblocks, u32 nfiles, u32 index_off,
    u32 files_off, u32 strings_off, u32 stream_off, u32 stream_len
  index:   nblocks x { u64 addr; u32 stream }, 12 bytes each, sorted by addr;
           block i's rows are stream bytes [stream, next block's stream)
  files:   nfiles x u32, offsets from strings_off of NUL-terminated paths
  strings: the paths
  stream:  rows, each one opcode byte, with deltas from the row before (for
           a block's first row: from its addr, file 0, line 0):
             2..255  a short row in the same file: with k = opcode - 2,
                     addr_delta = k / 10, line_delta = k % 10 - 4
             1       a long row in the same file: uleb128 addr_delta,
                     uleb128 zigzag(line_delta)
             0       a long row in another file: the same, then uleb128
                     file, 1..nfiles, or 0 for no line information from
                     here on (the end of a sequence)
           zigzag(d) is 2d for d >= 0, -2d - 1 for d < 0. The last row of
           the table has file 0. (Short rows are DWARF's special opcodes,
           with a range chosen for this kernel's rows: about half are short.)
"""
import os
import struct
import sys

MAGIC = 0x314E4C4B  # "KLN1"
ROWS_PER_BLOCK = 128
SHORT_BASE, SHORT_LINE_BASE, SHORT_LINE_RANGE = 2, -4, 10
SHF_EXECINSTR = 0x4


class Reader:
    """A cursor over bytes, for the DWARF encodings."""

    def __init__(self, data, pos=0):
        self.d, self.p = data, pos

    def u(self, n):
        v = int.from_bytes(self.d[self.p:self.p + n], "little")
        self.p += n
        return v

    def s8(self):
        v = self.u(1)
        return v - 256 if v >= 128 else v

    def uleb(self):
        v = shift = 0
        while True:
            b = self.d[self.p]
            self.p += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v

    def sleb(self):
        v = shift = 0
        while True:
            b = self.d[self.p]
            self.p += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return v - (1 << shift) if b & 0x40 else v

    def cstr(self):
        end = self.d.index(b"\0", self.p)
        s = self.d[self.p:end].decode("utf-8", "replace")
        self.p = end + 1
        return s


def elf_sections(path):
    """{name: (data, flags, addr, size)} for an ELF64 little-endian file."""
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        sys.exit("klines: %s is not a little-endian ELF64 file" % path)
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)
    heads = [struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize) for i in range(shnum)]
    strtab = heads[shstrndx]
    out = {}
    for name, typ, flags, addr, off, size, *_ in heads:
        end = elf.index(b"\0", strtab[4] + name)
        sname = elf[strtab[4] + name:end].decode()
        data = b"" if typ == 8 else elf[off:off + size]  # SHT_NOBITS has no bytes
        out[sname] = (data, flags, addr, size)
    return out


FORM_SIZES = {0x0B: 1, 0x05: 2, 0x06: 4, 0x07: 8, 0x1E: 16, 0x0C: 1}


def read_form(r, form, offset_size, strs):
    if form == 0x08:  # string
        return r.cstr()
    if form in (0x1F, 0x0E):  # line_strp, strp
        off = r.u(offset_size)
        table = strs[".debug_line_str" if form == 0x1F else ".debug_str"]
        return Reader(table, off).cstr()
    if form == 0x0F:  # udata
        return r.uleb()
    if form == 0x09:  # block
        r.p += r.uleb()
        return None
    if form in FORM_SIZES:
        return r.u(FORM_SIZES[form])
    sys.exit("klines: unsupported DWARF form %#x in a line table header" % form)


def entry_table(r, offset_size, strs):
    """DWARF 5 directory or file table: a format, then the entries."""
    fmt = [(r.uleb(), r.uleb()) for _ in range(r.u(1))]
    entries = []
    for _ in range(r.uleb()):
        e = {}
        for ctype, form in fmt:
            e[ctype] = read_form(r, form, offset_size, strs)
        entries.append((e.get(1, "?"), e.get(2, 0)))  # DW_LNCT_path, DW_LNCT_directory_index
    return entries


def line_units(debug_line, strs):
    """Yield (files, rows) per unit; rows are (addr, file, line, end_sequence)."""
    pos = 0
    while pos < len(debug_line):
        r = Reader(debug_line, pos)
        length, offset_size = r.u(4), 4
        if length == 0xFFFFFFFF:
            length, offset_size = r.u(8), 8
        end = r.p + length
        version = r.u(2)
        if version >= 5:
            r.u(2)  # address_size, segment_selector_size
        header_length = r.u(offset_size)
        program = r.p + header_length
        min_inst = r.u(1)
        if version >= 4:
            r.u(1)  # maximum_operations_per_instruction: 1 on x86
        r.u(1)  # default_is_stmt: every row counts, as for addr2line
        line_base, line_range, opcode_base = r.s8(), r.u(1), r.u(1)
        oplens = [r.u(1) for _ in range(opcode_base - 1)]
        if version >= 5:
            dirs = [d for d, _ in entry_table(r, offset_size, strs)]
            files = [os.path.join(dirs[d] if d < len(dirs) else "", name)
                     for name, d in entry_table(r, offset_size, strs)]
            if dirs:
                files = [os.path.join(dirs[0], f) for f in files]
        else:
            dirs = [""]
            while debug_line[r.p] != 0:
                dirs.append(r.cstr())
            r.p += 1
            files = [None]  # file numbers start at 1 before DWARF 5
            while debug_line[r.p] != 0:
                name, d = r.cstr(), r.uleb()
                r.uleb(), r.uleb()
                files.append(os.path.join(dirs[d] if d < len(dirs) else "", name))
            r.p += 1
        r.p = program
        rows = []
        addr, file, line = 0, 1, 1
        while r.p < end:
            op = r.u(1)
            if op >= opcode_base:
                adj = op - opcode_base
                addr += (adj // line_range) * min_inst
                line += line_base + adj % line_range
                rows.append((addr, file, line, False))
            elif op == 0:
                n = r.uleb()
                sub_end = r.p + n
                sub = r.u(1)
                if sub == 1:  # end_sequence
                    rows.append((addr, file, line, True))
                    addr, file, line = 0, 1, 1
                elif sub == 2:  # set_address
                    addr = r.u(n - 1)
                elif sub == 3:  # define_file (DWARF 2-4)
                    name, d = r.cstr(), r.uleb()
                    files.append(os.path.join(dirs[d] if d < len(dirs) else "", name))
                r.p = sub_end
            elif op == 1:  # copy
                rows.append((addr, file, line, False))
            elif op == 2:
                addr += r.uleb() * min_inst
            elif op == 3:
                line += r.sleb()
            elif op == 4:
                file = r.uleb()
            elif op == 8:  # const_add_pc
                addr += ((255 - opcode_base) // line_range) * min_inst
            elif op == 9:  # fixed_advance_pc
                addr += r.u(2)
            else:  # set_column, negate_stmt, ... : skip their operands
                for _ in range(oplens[op - 1]):
                    r.uleb()
        yield files, rows
        pos = end


def collect(elf_path, root):
    """The rows of the whole image: a sorted list of (addr, path or None, line)."""
    secs = elf_sections(elf_path)
    if ".debug_line" not in secs:
        return []
    strs = {k: secs[k][0] if k in secs else b"" for k in (".debug_line_str", ".debug_str")}
    text = [(a, a + size) for _, (d, flags, a, size) in secs.items() if flags & SHF_EXECINSTR]

    def in_text(a):
        return any(lo <= a < hi for lo, hi in text)

    def path_of(files, i):
        p = files[i] if 0 <= i < len(files) and files[i] else "?"
        p = os.path.normpath(p)
        if root and os.path.isabs(p) and p.startswith(root + os.sep):
            p = os.path.relpath(p, root)
        return p

    seqs = []
    for files, rows in line_units(secs[".debug_line"][0], strs):
        seq = []
        for addr, file, line, end in rows:
            if end:
                if seq and in_text(seq[0][0]):  # sequences of discarded code start at 0
                    seqs.append((seq, addr))
                seq = []
                continue
            row = (addr, path_of(files, file), line)
            if seq and seq[-1][0] == addr:
                seq[-1] = row  # several rows at one address: the last one counts
            else:
                seq.append(row)
    seqs.sort(key=lambda s: s[0][0][0])
    out = []
    for seq, end in seqs:
        if out and out[-1][0] == seq[0][0] and out[-1][1] is None:
            out.pop()  # the previous sequence ends where this one starts
        if out and out[-1][0] > seq[0][0]:
            sys.exit("klines: overlapping line sequences at %#x" % seq[0][0])
        out.extend(seq)
        out.append((end, None, 0))
    merged = []
    for row in out:
        if merged and (merged[-1][1], merged[-1][2]) == (row[1], row[2]):
            continue
        merged.append(row)
    return merged


def uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def encode(rows):
    """The table's bytes (empty for no rows)."""
    if not rows:
        return b""
    paths = sorted({p for _, p, _ in rows if p is not None})
    index_of = {p: i + 1 for i, p in enumerate(paths)}
    strings, offs = bytearray(), []
    for p in paths:
        offs.append(len(strings))
        strings += p.encode() + b"\0"
    stream, index = bytearray(), []
    for i, (addr, path, line) in enumerate(rows):
        if i % ROWS_PER_BLOCK == 0:
            index.append((addr, len(stream)))
            prev_addr, prev_file, prev_line = addr, 0, 0
        f = index_of.get(path, 0)
        d, da = line - prev_line, addr - prev_addr
        k = da * SHORT_LINE_RANGE + d - SHORT_LINE_BASE
        if f == prev_file and 0 <= d - SHORT_LINE_BASE < SHORT_LINE_RANGE and k < 256 - SHORT_BASE:
            stream.append(SHORT_BASE + k)
        else:
            z = (d << 1) if d >= 0 else ((-d << 1) - 1)
            stream += bytes([f == prev_file]) + uleb(da) + uleb(z)
            if f != prev_file:
                stream += uleb(f)
        prev_addr, prev_file, prev_line = addr, f, line
    index_off = 32
    files_off = index_off + 12 * len(index)
    strings_off = files_off + 4 * len(paths)
    stream_off = strings_off + len(strings)
    head = struct.pack("<8I", MAGIC, len(index), len(paths), index_off, files_off, strings_off,
                       stream_off, len(stream))
    body = b"".join(struct.pack("<QI", a, s) for a, s in index)
    body += b"".join(struct.pack("<I", o) for o in offs)
    return head + body + bytes(strings) + bytes(stream)


def decode_lookup(t, addr):
    """What the kernel's kline_find() answers, for checking: (path, line) or None."""
    magic, nblocks, nfiles, index_off, files_off, strings_off, stream_off, stream_len = \
        struct.unpack_from("<8I", t, 0)
    blocks = [struct.unpack_from("<QI", t, index_off + 12 * i) for i in range(nblocks)]
    k = max((i for i, b in enumerate(blocks) if b[0] <= addr), default=None)
    if k is None:
        return None
    stop = blocks[k + 1][1] if k + 1 < nblocks else stream_len
    r = Reader(t, stream_off + blocks[k][1])
    a, f, line, cur = blocks[k][0], 0, 0, None
    while r.p < stream_off + stop:
        op = r.u(1)
        if op >= SHORT_BASE:
            da, d = divmod(op - SHORT_BASE, SHORT_LINE_RANGE)
            d += SHORT_LINE_BASE
        else:
            da, z = r.uleb(), r.uleb()
            d = (z >> 1) if not z & 1 else -((z + 1) >> 1)
        a += da
        if a > addr:
            break
        line += d
        if op == 0:
            f = r.uleb()
        cur = (f, line)
    if cur is None or cur[0] == 0:
        return None
    off, = struct.unpack_from("<I", t, files_off + 4 * (cur[0] - 1))
    return Reader(t, strings_off + off).cstr(), cur[1]


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--lookup":
        t = encode(collect(sys.argv[2], os.getcwd()))
        for a in sys.argv[3:]:
            hit = decode_lookup(t, int(a, 16)) if t else None
            print("%s:%d" % hit if hit else "??:0")
        return
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    root = os.path.abspath(sys.argv[3] if len(sys.argv) == 4 else os.getcwd())
    rows = collect(sys.argv[1], root)
    table = encode(rows)
    with open(sys.argv[2], "wb") as out:
        out.write(table)
    print("klines: %d rows, %d bytes" % (len(rows), len(table)))


if __name__ == "__main__":
    main()
