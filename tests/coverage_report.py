#!/usr/bin/env python3
"""Print line coverage per library and in total from an lcov tracefile."""
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
            elif line.startswith("LF:"):
                found[src.split("/")[0]] += int(line[3:])
            elif line.startswith("LH:"):
                hit[src.split("/")[0]] += int(line[3:])
    print("| %-12s | %7s | %7s | %8s |" % ("library", "lines", "hit", "coverage"))
    print("|%s|%s|%s|%s|" % ("-" * 14, "-" * 9, "-" * 9, "-" * 10))
    for lib in sorted(found):
        pct = 100.0 * hit[lib] / found[lib] if found[lib] else 100.0
        print("| %-12s | %7d | %7d | %7.1f%% |" % (lib, found[lib], hit[lib], pct))
    tf, th = sum(found.values()), sum(hit.values())
    print("| %-12s | %7d | %7d | %7.1f%% |" % ("total", tf, th, 100.0 * th / tf if tf else 100))


if __name__ == "__main__":
    main(sys.argv[1])
