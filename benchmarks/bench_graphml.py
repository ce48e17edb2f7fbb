"""GraphML: our writer and reader next to bare networkx (and igraph's C reader) on the synthetic roster graph.

The graph is built once and pickled into benchmarks/.work/; each measurement then runs in its own child process,
so its time and its peak memory are its own. Peak memory is the growth of the resident set over the call: the
kernel's high-water mark is reset (``/proc/self/clear_refs``) just before it. Bare networkx gets the scalar graph
it needs (``graph.io.to_scalar_graph``) prepared before its clock and its memory baseline start; ours starts from
the graph as built and includes the chain-lane layout, colours and sizes it writes. Times are CPU seconds of the
child (other work on a shared machine does not inflate them). Networkx cannot write list
attributes, so writing this graph with it takes the scalar copy too: the memory row compares ours with copy + write
(and shows write_graphml alone on a ready copy), the time row compares with write_graphml alone.

    python benchmarks/bench_graphml.py            # the 100,000-firm scale, printing the rows
"""

from __future__ import annotations

import gc
import json
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, Row, Timer, fmt_seconds, scratch, synthetic_inputs

STEPS = ("networkx_write", "networkx_copy_write", "ours_write", "networkx_read", "ours_read", "igraph_read")


def _status(field: str) -> float:
    """VmRSS or VmHWM of this process, in MB."""
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _measure(fn) -> dict:
    gc.collect()
    base = _status("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak (VmHWM) to the current RSS
    except OSError:
        pass
    with Timer() as t:
        fn()
    # CPU seconds of this process (a busy shared machine does not inflate them); wall seconds shown beside
    return {"s": getattr(t, "cpu", t.seconds), "wall": t.seconds, "peak_mb": _status("VmHWM") - base}


def child(step: str, pickled: str, work: str) -> dict:
    """One measurement in this process."""
    import networkx as nx

    from graph.io import read_graph, to_scalar_graph, write_graph
    from loaders.catalogue import load_catalogue

    load_catalogue()  # loaded once per process by any caller (the build loads it); not part of a measurement
    work = Path(work)
    if step.endswith("_write"):
        with open(pickled, "rb") as fh:
            G = pickle.load(fh)
        if step == "networkx_write":
            H = to_scalar_graph(G)
            del G
            out = _measure(lambda: nx.write_graphml(H, work / "networkx.graphml"))
            out["mb"] = (work / "networkx.graphml").stat().st_size / 1e6
        elif step == "networkx_copy_write":  # what writing this graph with networkx takes: a scalar copy first
            out = _measure(lambda: nx.write_graphml(to_scalar_graph(G), work / "networkx-copy.graphml"))
        else:
            out = _measure(lambda: write_graph(G, work / "ours.graphml"))
            out["mb"] = (work / "ours.graphml").stat().st_size / 1e6
        return out
    if step == "networkx_read":
        return _measure(lambda: nx.read_graphml(work / "networkx.graphml", force_multigraph=True))
    if step == "ours_read":
        return _measure(lambda: read_graph(work / "ours.graphml"))
    import igraph

    return _measure(lambda: igraph.Graph.Read_GraphML(str(work / "ours.graphml")))


def prepare(roster: str, doc_list: str, pickled: str) -> dict:
    from graph import build_graph

    docs = [d for d in Path(doc_list).read_text().split("\n") if d]
    G = build_graph(docs=docs, rosters=[roster])
    with open(pickled, "wb") as fh:
        pickle.dump(G, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()}


def _run_child(*args) -> dict:
    proc = subprocess.run([sys.executable, __file__, *map(str, args)], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(scale: dict) -> list[Row]:
    firms = scale.get("graphml_firms", scale["firms"])
    roster, docs = synthetic_inputs(firms, scale["docs"], scale["doc_bytes"])
    folder = scratch(f"graphml-{firms}-{scale['docs']}")
    pickled = folder / "graph.pickle"
    sizes = folder / "graph.json"
    if pickled.exists() and sizes.exists() and pickled.stat().st_mtime > roster.stat().st_mtime:
        size = json.loads(sizes.read_text())  # built by an earlier run from the same inputs
    else:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
            fh.write("\n".join(map(str, docs)))
        try:
            size = _run_child("prepare", roster, fh.name, pickled)
        finally:
            Path(fh.name).unlink()
        sizes.write_text(json.dumps(size))
    r = {step: _run_child(step, pickled, folder) for step in STEPS if step != "igraph_read" or _has_igraph()}
    for f in folder.glob("*.graphml"):
        f.unlink()
    w_ratio = r["ours_write"]["s"] / r["networkx_write"]["s"]
    m_ratio = r["ours_write"]["peak_mb"] / max(r["networkx_copy_write"]["peak_mb"], 1.0)
    rd_ratio = r["ours_read"]["s"] / r["networkx_read"]["s"]
    what = f"{size['nodes']:,} nodes, {size['edges']:,} edges"
    rows = [
        Row(f"GraphML write ({what}): ours ÷ networkx.write_graphml",
            f"{w_ratio:.2f}× ({fmt_seconds(r['ours_write']['s'])} vs {fmt_seconds(r['networkx_write']['s'])} CPU; "
            f"{r['ours_write']['mb']:.0f} MB vs {r['networkx_write']['mb']:.0f} MB)", "≤ 1.3×", w_ratio <= 1.3),
        Row("GraphML write: peak memory, ours ÷ networkx (scalar copy + write_graphml)",
            f"{m_ratio:.2f}× ({r['ours_write']['peak_mb']:,.0f} MB vs {r['networkx_copy_write']['peak_mb']:,.0f} MB; "
            f"write_graphml alone on a ready copy {r['networkx_write']['peak_mb']:,.0f} MB)", "≤ 1×",
            m_ratio <= 1.0),
        Row("GraphML read: ours (read_graph) ÷ networkx.read_graphml",
            f"{rd_ratio:.2f}× ({fmt_seconds(r['ours_read']['s'])} vs {fmt_seconds(r['networkx_read']['s'])} CPU)",
            "≤ 1.3×", rd_ratio <= 1.3),
    ]
    if "igraph_read" in r:
        rows.append(Row("GraphML read: igraph.Graph.Read_GraphML of our file (C, no attribute decoding)",
                        f"{fmt_seconds(r['igraph_read']['s'])} CPU (ours ÷ igraph "
                        f"{r['ours_read']['s'] / r['igraph_read']['s']:.1f}×)"))
    return rows


def _has_igraph() -> bool:
    try:
        import igraph  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 1 and sys.argv[1] == "prepare":
        print(json.dumps(prepare(*sys.argv[2:5])))
    elif len(sys.argv) > 1 and sys.argv[1] in STEPS:
        print(json.dumps(child(*sys.argv[1:4])))
    else:
        from common import SCALES

        for row in run(SCALES["quick" if "--quick" in sys.argv else "full"]):
            print(" | ".join(row.cells()))
