"""Build: N roster firms + M documents into a graph, with peak memory; GraphML write and read next to bare networkx.

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
    """Runs in the child: build, then GraphML ours vs bare networkx; returns figures as a dict."""
    import networkx as nx

    from graph import build_graph
    from graph.io import read_graph, to_scalar_graph, write_graph

    docs = Path(doc_list).read_text().split("\n")
    with Timer() as t_build:
        G = build_graph(docs=docs, rosters=[roster])
    out = {"build_s": t_build.seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
           "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
           "mb": sum(Path(d).stat().st_size for d in docs) / 1e6}
    with tempfile.TemporaryDirectory() as tmp:
        ours, bare = Path(tmp) / "ours.graphml", Path(tmp) / "bare.graphml"
        H = to_scalar_graph(G)  # the scalar form bare networkx needs, prepared outside its timing
        with Timer() as t:
            nx.write_graphml(H, bare)
        out["bare_write_s"] = t.seconds
        with Timer() as t:
            write_graph(G, ours)
        out["ours_write_s"] = t.seconds
        with Timer() as t:
            nx.read_graphml(bare, force_multigraph=True)
        out["bare_read_s"] = t.seconds
        with Timer() as t:
            read_graph(ours)
        out["ours_read_s"] = t.seconds
        out["graphml_mb"] = ours.stat().st_size / 1e6
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
    write_ratio = r["ours_write_s"] / r["bare_write_s"]
    read_ratio = r["ours_read_s"] / r["bare_read_s"]
    return [
        Row(f"build: {what}", f"{fmt_seconds(r['build_s'])} → {r['nodes']:,} nodes, {r['edges']:,} edges",
            "≤ 60 s", r["build_s"] <= 60),
        Row("build: peak RSS", f"{r['rss_mb']:,.0f} MB", "≤ 3,072 MB", r["rss_mb"] <= 3072),
        Row("GraphML write: ours ÷ bare networkx.write_graphml",
            f"{write_ratio:.2f}× ({fmt_seconds(r['ours_write_s'])} vs {fmt_seconds(r['bare_write_s'])}, "
            f"{r['graphml_mb']:.0f} MB)", "≤ 1.3×", write_ratio <= 1.3),
        Row("GraphML read: ours ÷ bare networkx.read_graphml",
            f"{read_ratio:.2f}× ({fmt_seconds(r['ours_read_s'])} vs {fmt_seconds(r['bare_read_s'])})", "≤ 1.3×",
            read_ratio <= 1.3),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(child(sys.argv[1], sys.argv[2])))
