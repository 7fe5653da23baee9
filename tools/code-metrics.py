#!/usr/bin/env python3
"""Code-shape figures for src/: the longest functions, the largest files, and
the src/ui include graph with its cycles. GNU style is assumed: a function's
body opens with "{" and closes with "}" in column 0.

Usage: tools/code-metrics.py [--top N] [--max-lines N]
With --max-lines N, exits 1 when a function outside *_class_init is longer."""
import argparse
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
src = os.path.join(root, "src")


def functions(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    start = None
    for i, line in enumerate(lines):
        if line == "{" and start is None:
            j = i - 1
            while j >= 0 and lines[j] and not re.match(r"^[A-Za-z_]", lines[j]):
                j -= 1
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(", lines[j]) if j >= 0 else None
            start = (i, m.group(1) if m else None)
        elif line.startswith("}") and start is not None:
            if start[1]:
                out.append((i - start[0] + 1, start[1], os.path.relpath(path, root)))
            start = None
    return out


def c_files():
    for dirpath, _, names in os.walk(src):
        for n in sorted(names):
            if n.endswith((".c", ".h")):
                yield os.path.join(dirpath, n)


# The window shell counts as one unit, as in GNOME Text Editor: the
# application, the window and the window's *-actions.c files call each other
# by design; what must not happen is a dialog calling back into them. Likewise
# the files of one class that share its -private.h (kf-connection-dialog-*.c)
# are that class's unit.
SHELL = "window-shell"


def ui_units(ui, files):
    units = {}
    for base in files:
        text = open(os.path.join(ui, base + ".c"), encoding="utf-8").read()
        owner = [i for i in re.findall(r'#include "([^"]+)-private\.h"', text) if i in files and i != base]
        units[base] = owner[0] if owner else base
    for base in files:
        unit = units[base]
        if unit in ("kf-application", "kf-window") or unit.endswith("-actions"):
            units[base] = SHELL
    return units


def ui_graph():
    ui = os.path.join(src, "ui")
    files = [n[:-2] for n in os.listdir(ui) if n.endswith(".c")]
    unit = ui_units(ui, files)
    graph = {u: set() for u in unit.values()}
    for base in files:
        text = open(os.path.join(ui, base + ".c"), encoding="utf-8").read()
        for inc in re.findall(r'#include "([^"]+)\.h"', text):
            inc = inc.replace("-private", "")
            if inc in files and unit[inc] != unit[base]:
                graph[unit[base]].add(unit[inc])
    return graph, {u: sorted(b for b in files if unit[b] == u) for u in graph}


def cycles(graph):
    found = set()
    def walk(node, path):
        for nxt in graph.get(node, ()):
            if nxt in path:
                cyc = path[path.index(nxt):]
                k = min(range(len(cyc)), key=lambda x: cyc[x])
                found.add(tuple(cyc[k:] + cyc[:k]))
            elif len(path) < 8:
                walk(nxt, path + [nxt])
    for n in graph:
        walk(n, [n])
    return sorted(found)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--max-lines", type=int)
    a = ap.parse_args()
    funcs = []
    sizes = []
    for f in c_files():
        sizes.append((sum(1 for _ in open(f, encoding="utf-8")), os.path.relpath(f, root)))
        if f.endswith(".c"):
            funcs.extend(functions(f))
    funcs.sort(reverse=True)
    sizes.sort(reverse=True)
    print("Longest functions:")
    for n, name, f in funcs[: a.top]:
        print(f"  {n:5d}  {name}  ({f})")
    print("Largest files:")
    for n, f in sizes[: a.top]:
        print(f"  {n:5d}  {f}")
    g, members = ui_graph()
    print("src/ui includes (unit -> the units whose headers its .c files include):")
    for k in sorted(members):
        if members[k] != [k]:
            print(f"  {k} = {', '.join(members[k])}")
    for k in sorted(g):
        if g[k]:
            print(f"  {k} -> {', '.join(sorted(g[k]))}")
    cyc = cycles(g)
    print(f"src/ui include cycles: {len(cyc)}")
    for c in cyc:
        print("  " + " -> ".join(c + (c[0],)))
    if a.max_lines:
        over = [x for x in funcs if x[0] > a.max_lines and not x[1].endswith("_class_init")]
        for n, name, f in over:
            print(f"over {a.max_lines} lines: {name} ({f}, {n})")
        return 1 if over else 0
    return 0


sys.exit(main())
