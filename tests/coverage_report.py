#!/usr/bin/env python3
"""Print line coverage per library and in total from an lcov tracefile.

shell/sh/ is /bin/sh, a program rather than a library: its row counts only
what its Check unit tests reach (the lexer, parser and arithmetic); the
script tests of tests/sh/ run the built binary and are not counted here."""
import os
import sys
from collections import defaultdict


def main(path):
    hit = defaultdict(int)
    found = defaultdict(int)
    src = None
    root = os.getcwd() + os.sep
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("SF:"):
                src = line[3:]
                if src.startswith(root):
                    src = src[len(root):]
                group = "/bin/sh (unit)" if src.startswith("shell/sh/") else src.split("/")[0]
            elif line.startswith("LF:"):
                found[group] += int(line[3:])
            elif line.startswith("LH:"):
                hit[group] += int(line[3:])
    print("| %-14s | %7s | %7s | %8s |" % ("library", "lines", "hit", "coverage"))
    print("|%s|%s|%s|%s|" % ("-" * 16, "-" * 9, "-" * 9, "-" * 10))
    for lib in sorted(found):
        pct = 100.0 * hit[lib] / found[lib] if found[lib] else 100.0
        print("| %-14s | %7d | %7d | %7.1f%% |" % (lib, found[lib], hit[lib], pct))
    tf, th = sum(found.values()), sum(hit.values())
    print("| %-14s | %7d | %7d | %7.1f%% |" % ("total", tf, th, 100.0 * th / tf if tf else 100))
    print("(/bin/sh (unit): the program's lexer, parser and arithmetic under their Check tests "
          "only; tests/sh/ runs the whole program)")


if __name__ == "__main__":
    main(sys.argv[1])
