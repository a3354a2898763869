#!/usr/bin/env python3
"""Markdown table of medians (and ratios to mionex) from run.sh's CSV."""
import csv, statistics, sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1])))
runs = defaultdict(list)
for r in rows:
    runs[(r["logger"], int(r["threads"]))].append(r)
names = {"mionex": "mionex (buffered)", "log4rs": "log4rs 1.4", "flexi": "flexi_logger 0.31 BufferAndFlush", "spdlog": "spdlog-rs 0.5 sync"}
print("| logger | threads | runs | lines/s median (min-max) | mionex / this | files | max file (B) | missing | dups | fragments |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for threads in (1, 4):
    med = {l: statistics.median(float(r["lines_per_sec"]) for r in runs[(l, threads)]) for l in names if runs[(l, threads)]}
    for l in names:
        rs = runs[(l, threads)]
        if not rs:
            continue
        v = [float(r["lines_per_sec"]) for r in rs]
        uniq = lambda k: "/".join(sorted({r[k] for r in rs}))
        print(f"| {names[l]} | {threads} | {len(rs)} | {med[l]:,.0f} ({min(v):,.0f}-{max(v):,.0f}) | "
              f"{med['mionex'] / med[l]:.2f}x | {uniq('files')} | {max(int(r['max_file_bytes']) for r in rs):,} | "
              f"{uniq('missing')} | {uniq('dups')} | {uniq('fragments')} |")
    best = max((m for l, m in med.items() if l != "mionex"), default=None)
    if best:
        print(f"| **mionex vs fastest other** | {threads} | | | **{med['mionex'] / best:.2f}x** | | | | | |")
