#!/usr/bin/env python3
"""Where the time of an executed notebook batch went: per notebook and per cell.

Usage: scripts/cell_times.py [DIR] [--top N]

DIR holds notebooks executed by nbconvert (default build/notebooks, as `make course` and
`make notebooks` leave it; notebooks/zh/ under it too). nbconvert records when each cell started
and ended (metadata.execution); this prints each notebook's cell total and its N longest cells,
largest first, as a Markdown table. Kernel start and nbconvert's own work are not in the cells.
"""
import argparse
import datetime
import json
import pathlib
import sys


def seconds(cell):
    ex = cell.get("metadata", {}).get("execution", {})
    a, b = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
    if not a or not b:
        return None
    parse = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (parse(b) - parse(a)).total_seconds()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default="build/notebooks")
    ap.add_argument("--top", type=int, default=3)
    args = ap.parse_args()
    root = pathlib.Path(args.dir)
    files = sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not files:
        sys.exit(f"cell_times: no executed notebooks (*.ipynb) under {root}; run `make course` first")
    print("| notebook | cells (s) | longest cells (s: first line) |")
    print("|---|---|---|")
    grand = 0.0
    for f in files:
        try:
            nb = json.loads(f.read_text())
        except (OSError, ValueError) as e:
            sys.exit(f"cell_times: {f}: not a notebook ({e})")
        timed = []
        for i, c in enumerate(nb.get("cells", [])):
            s = seconds(c) if c.get("cell_type") == "code" else None
            if s is not None:
                src = "".join(c.get("source", "")).strip().replace("%%", "").strip()
                first = src.splitlines()[0][:60] if src else ""
                timed.append((s, i, first.replace("|", "\\|")))
        if not timed:
            print(f"| {f.relative_to(root)} | no timings (not executed by nbconvert?) | |")
            continue
        total = sum(t[0] for t in timed)
        grand += total
        top = sorted(timed, reverse=True)[: args.top]
        longest = "; ".join(f"{s:.0f}: cell {i} `{first}`" for s, i, first in top)
        print(f"| {f.relative_to(root)} | {total:.0f} | {longest} |")
    print(f"| all | {grand:.0f} | |")


if __name__ == "__main__":
    main()
