"""Build: N roster firms + M documents into a graph, with peak memory (GraphML rows: bench_graphml.py).

The build runs in a child process so its peak RSS is its own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, Row, Timer, fmt_seconds, synthetic_inputs


def child(roster: str, doc_list: str) -> dict:
    """Runs in the child: build; returns figures as a dict (GraphML rows: bench_graphml.py)."""
    from graph import build_graph

    docs = Path(doc_list).read_text().split("\n")
    with Timer() as t_build:
        G = build_graph(docs=docs, rosters=[roster])
    out = {"build_s": t_build.seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
           "mb": sum(Path(d).stat().st_size for d in docs) / 1e6}
    return out


def run(scale: dict) -> list[Row]:
    roster, docs = synthetic_inputs(scale["firms"], scale["docs"], scale["doc_bytes"])
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(map(str, docs)))
    proc = subprocess.run([sys.executable, __file__, str(roster), fh.name], cwd=ROOT, capture_output=True, text=True)
    Path(fh.name).unlink()
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    what = f"{scale['firms']:,} firms + {scale['docs']:,} docs ({r['mb']:.1f} MB)"
    return [
        Row(f"build: {what}", f"{fmt_seconds(r['build_s'])} → {r['nodes']:,} nodes, {r['edges']:,} edges",
            "≤ 60 s", r["build_s"] <= 60),
        Row("build: peak RSS", f"{r['rss_mb']:,.0f} MB", "≤ 3,072 MB", r["rss_mb"] <= 3072),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(child(sys.argv[1], sys.argv[2])))
