"""Build: a realistic roster (benchmarks/synthetic.py: register names in three scripts, repeated rows, rows that merge
into each other and into data/) plus M documents into a graph; its peak memory; the whole process as a person
waits for it (start, imports, build, interpreter exit); and the same inputs again from the on-disk cache
(graph/cache.py) in a new process (GraphML rows: bench_graphml.py).

Each build runs in a child process so its peak RSS is its own and its exit is timed.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Row, Timer, fmt_seconds, scratch, synthetic_inputs

BUILD_S, RSS_MB, RESTART_S = 60, 4096, 10


def _rss_mb() -> float:
    """This process's peak RSS in MB: VmHWM, which starts afresh at exec. (ru_maxrss does not on Linux: a child
    started from run.py, which holds gigabytes after the other benchmarks, reported the parent's RSS as its peak.)"""
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_build(roster: str, doc_list: str, cache: str) -> dict:
    """In the child: build, then write the cache entry; figures as a dict (times as epoch seconds where the parent
    needs them to split the whole process)."""
    from graph import build_graph
    from graph.cache import _entry, input_key, store_entry

    docs = [d for d in Path(doc_list).read_text().split("\n") if d]
    with Timer() as t_build:
        G = build_graph(docs=docs, rosters=[roster])
    out = {"build_s": t_build.seconds, "build_cpu": t_build.cpu, "build_end": time.time(), "rss_mb": _rss_mb(),
           "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
           "mb": sum(Path(d).stat().st_size for d in docs) / 1e6}
    with Timer() as t_key:
        key = input_key(docs, [roster])
    with Timer() as t_store:
        store_entry(Path(cache), key, G)
    out.update(key_s=t_key.seconds, store_s=t_store.seconds, rss_store_mb=_rss_mb(),
               cache_mb=_entry(Path(cache), key).stat().st_size / 1e6, store_end=time.time())
    return out


def child_restart(roster: str, doc_list: str, cache: str) -> dict:
    """In the child: the same inputs through ``build_graph(cache=...)``, which must be a hit."""
    import graph.build
    from graph import build_graph

    def refuse(*args, **kwargs):
        raise RuntimeError("cache miss: the restart would have built the graph again")

    graph.build._build_graph = refuse
    docs = [d for d in Path(doc_list).read_text().split("\n") if d]
    with Timer() as t:
        try:
            G = build_graph(docs=docs, rosters=[roster], cache=cache)
        except RuntimeError:  # the key includes the code: someone changed graph/ or loaders/ in between
            return {"miss": True}
    return {"load_s": t.seconds, "load_cpu": t.cpu, "nodes": G.number_of_nodes(), "rss_mb": _rss_mb()}


def _child(kind: str, roster, docs, cache) -> tuple[dict, float, float, float]:
    """Run a child; returns its figures, the wall seconds from spawn to exit, and the spawn and exit times."""
    env = {**os.environ, "GRAPH_MAX_INPUT_MB": str(max(50, 2 * Path(roster).stat().st_size / 2 ** 20))}
    start = time.time()
    proc = subprocess.run([sys.executable, __file__, kind, str(roster), str(docs), str(cache)], cwd=ROOT,
                          capture_output=True, text=True, env=env)
    end = time.time()
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1]), end - start, start, end


def _csv_read_seconds(roster: Path) -> float:
    with Timer() as t, open(roster, encoding="utf-8", newline="") as fh:
        for _ in csv.reader(fh):
            pass
    return t.seconds


def run(scale: dict) -> list[Row]:
    roster, docs = synthetic_inputs(scale["firms"], scale["docs"], scale["doc_bytes"], realistic=True)
    load = os.getloadavg()[0]
    cache = scratch("graph-cache")  # kept: bench_restart opens the explorer on the same inputs from this entry
    for old in cache.glob("graph-*.pickle"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        doc_list = Path(tmp) / "docs.txt"
        doc_list.write_text("\n".join(map(str, docs)))
        r, _, spawned, exited = _child("build", roster, doc_list, cache)
        whole = (r["build_end"] - spawned) + (exited - r["store_end"])  # the cache write in between left out
        exit_s = exited - r["store_end"]
        h, restart_s, _, _ = _child("restart", roster, doc_list, cache)
    csv_s = _csv_read_seconds(roster)
    rows_n = scale["firms"]
    what = f"{rows_n:,} realistic roster rows + {scale['docs']:,} docs ({r['mb']:.0f} MB)"
    rows = [
        Row(f"build: {what} → {r['nodes']:,} nodes, {r['edges']:,} edges",
            f"{fmt_seconds(r['build_s'])} (CPU {r['build_cpu']:.1f} s; load average {load:.1f})",
            f"≤ {BUILD_S} s", r["build_s"] <= BUILD_S,
            peer=f"csv.reader over the same roster alone: {fmt_seconds(csv_s)}"),
        Row("build: peak RSS of the build", f"{r['rss_mb']:,.0f} MB", f"≤ {RSS_MB:,} MB", r["rss_mb"] <= RSS_MB,
            peer=f"roster file {Path(roster).stat().st_size / 1e6:.0f} MB"),
        Row("build: whole process (start, imports, build, interpreter exit)", fmt_seconds(whole),
            f"≤ {BUILD_S} s", whole <= BUILD_S, peer=f"in-process build {fmt_seconds(r['build_s'])}; "
                                                    f"exit alone {fmt_seconds(exit_s)}"),
        Row("cache: write the built graph (sha256 of inputs + pickle, atomic)",
            f"{fmt_seconds(r['key_s'] + r['store_s'])} ({r['cache_mb']:,.0f} MB on disk; peak RSS while writing "
            f"{r['rss_store_mb']:,.0f} MB)"),
    ]
    if h.get("miss"):
        return rows + [Row("cache: restart with the same inputs", "not measured: the sources of graph/ or loaders/ "
                           "changed between the two processes, so the key changed (as it should); run it again")]
    return rows + [
        Row("cache: restart with the same inputs, whole process (start, imports, hash inputs, load, exit)",
            f"{fmt_seconds(restart_s)} (load {fmt_seconds(h['load_s'])}; peak RSS {h['rss_mb']:,.0f} MB)",
            f"≤ {RESTART_S} s", restart_s <= RESTART_S and h["nodes"] == r["nodes"],
            peer=f"building again: {fmt_seconds(whole)} ({whole / restart_s:.0f}× longer)"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    kind, roster_arg, docs_arg, cache_arg = sys.argv[1:5]
    fn = child_build if kind == "build" else child_restart
    print(json.dumps(fn(roster_arg, docs_arg, cache_arg)))
