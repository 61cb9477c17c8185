#!/usr/bin/env python3
"""Check that each module can include exactly the headers it declares.

Reads the manifest mk/layering.mk writes: one line per module,
"name|dir|direct deps|dependency closure|include flags|a public header". For every
ordered pair of modules (M, N) it preprocesses `#include <N's header>` with the
kernel compiler flags and M's include flags, the flags M's own objects get.
The include must work when N is M itself or in its closure and must fail
otherwise. Any other outcome is a layering leak (or a broken declaration).

With --doc FILE it also checks the dependency list between the markers
`<!-- deps:begin -->` and `<!-- deps:end -->` in FILE ("libvfs -> libdev libk
libsfs", one module a line) against the declared MODULE_DEPS, so the
architecture document cannot drift from the build. With --dot FILE it writes
the graph in Graphviz form for `make docs`.
"""
import argparse
import shlex
import subprocess
import sys


def preprocesses(cc, cflags, includes, header):
    src = f"#include <{header}>\n"
    cmd = [cc, *shlex.split(cflags), *shlex.split(includes), "-E", "-x", "c", "-", "-o", "/dev/null"]
    r = subprocess.run(cmd, input=src, text=True, capture_output=True)
    return r.returncode == 0, r.stderr


def read_manifest(path):
    mods = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            name, mdir, deps, closure, includes, header = line.split("|")
            mods.append({"name": name, "dir": mdir, "deps": deps.split(),
                         "closure": set(closure.split()), "includes": includes,
                         "header": header})
    return mods


def doc_graph(path):
    """The module -> deps lines between the markers in the document."""
    graph, inside = {}, False
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line == "<!-- deps:begin -->":
                inside = True
            elif line == "<!-- deps:end -->":
                inside = False
            elif inside and "->" in line:
                name, deps = line.split("->", 1)
                graph[name.strip()] = set(deps.split())
    return graph


def check_doc(mods, path):
    dirs = {m["name"]: m["dir"] for m in mods}
    want = {m["dir"]: {dirs[d] for d in m["deps"]} for m in mods}
    got = doc_graph(path)
    if got == want:
        print(f"layering: {path} shows the declared dependency graph")
        return 0
    for name in sorted(set(want) | set(got)):
        if want.get(name) != got.get(name):
            print(f"layering: {path} says {name} -> {' '.join(sorted(got.get(name, ())))}"
                  f" but the build declares {name} -> {' '.join(sorted(want.get(name, ())))}")
    return 1


def write_dot(mods, path):
    dirs = {m["name"]: m["dir"] for m in mods}
    with open(path, "w") as f:
        f.write("digraph modules {\n  rankdir=BT;\n  node [shape=box, fontname=Helvetica];\n")
        for m in mods:
            f.write(f'  "{m["dir"]}";\n')
            for d in m["deps"]:
                f.write(f'  "{m["dir"]}" -> "{dirs[d]}";\n')
        f.write("}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--cflags", default="")
    ap.add_argument("--doc", help="check this document's deps block")
    ap.add_argument("--dot", help="write the graph here and stop")
    ap.add_argument("manifest")
    args = ap.parse_args()

    mods = read_manifest(args.manifest)
    if args.dot:
        write_dot(mods, args.dot)
        return 0

    failures = check_doc(mods, args.doc) if args.doc else 0
    allowed = denied = 0
    for mod in mods:
        m, closure, includes = mod["name"], mod["closure"], mod["includes"]
        for other in mods:
            n, header = other["name"], other["header"]
            if not header:
                continue
            want = n in closure
            got, err = preprocesses(args.cc, args.cflags, includes, header)
            if got != want:
                failures += 1
                verdict = "can" if got else "cannot"
                print(f"layering: {m} {verdict} include <{header}> but declares "
                      f"{'a' if want else 'no'} dependency on {n}")
                if err and want:
                    print("  " + err.strip().splitlines()[0])
            elif want:
                allowed += 1
            else:
                denied += 1
    print(f"layering: {len(mods)} modules, {allowed} declared includes work, "
          f"{denied} undeclared includes fail to compile, {failures} leaks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
