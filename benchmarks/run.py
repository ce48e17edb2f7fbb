"""Run every benchmark and print one row per target: name, measured, target, met.

    python benchmarks/run.py            # the scale the targets are stated for (several minutes)
    python benchmarks/run.py --quick    # a smaller scale, under 2 minutes
    python benchmarks/run.py --only build,neo4j

Inputs are synthetic (benchmarks/synthetic.py) and kept in benchmarks/.work/ between runs. Exit code 0 when every
target is met, 1 when one is not (the table says which), 2 when a benchmark could not run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SCALES, Row  # noqa: E402

BENCHMARKS = ["extraction", "discovery", "longdoc", "build", "graphml", "neo4j", "render", "app", "restart", "gazetteer"]


def machine() -> str:
    mem = ""
    try:
        kb = int(next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 ** 2:.1f} GB RAM"
    except (OSError, StopIteration):
        pass
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def table(rows: list[Row]) -> str:
    cells = [["benchmark", "measured", "peer", "target", "met"]] + [r.cells() for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller scale, under 2 minutes")
    ap.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated: " + ", ".join(BENCHMARKS))
    ap.add_argument("--neo4j-uri", help="measure this Bolt server instead of a FalkorDB started here "
                    "(password in NEO4J_PASSWORD; only nodes with ids starting bench_ are written and deleted)")
    ap.add_argument("--neo4j-user", default="neo4j")
    args = ap.parse_args(argv)
    scale_name = "quick" if args.quick else "full"
    scale = dict(SCALES[scale_name], neo4j_uri=args.neo4j_uri, neo4j_user=args.neo4j_user)
    chosen = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        ap.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    print(f"machine: {machine()}; scale: {scale_name}", flush=True)
    rows: list[Row] = []
    failed = False
    started = time.perf_counter()
    for name in chosen:
        t0 = time.perf_counter()
        try:
            module = __import__(f"bench_{name}")
            new = module.run(scale)
        except Exception:
            failed = True
            new = [Row(f"{name}: could not run", traceback.format_exc().strip().splitlines()[-1][:200], "", False)]
        for r in new:
            print("  " + " | ".join(r.cells()), flush=True)
        print(f"  ({name}: {time.perf_counter() - t0:.0f} s)", flush=True)
        rows.extend(new)
    print()
    print(table(rows))
    print(f"\n{sum(r.met is True for r in rows)} of {sum(r.met is not None for r in rows)} targets met "
          f"in {time.perf_counter() - started:.0f} s")
    if failed:
        return 2
    return 0 if all(r.met is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
