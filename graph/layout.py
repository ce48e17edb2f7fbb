"""Positions computed in Python, so the browser draws a fixed picture instead of running physics.

Each function takes a graph and returns ``{node: (x, y)}``.
"""

from __future__ import annotations

import math

import networkx as nx

# Lanes from left to right: places and policies, the three chain stages, then claims and documents.
LANES = ("context", "upstream", "midstream", "downstream", "evidence")
LANE_TITLES = ("places and policies", "upstream: core components", "midstream: brain, cerebellum, body, machines",
               "downstream: integration and scenes", "claims and documents")
LANE_OF_TYPE = {"Region": "context", "Cluster": "context", "Policy": "context", "Scene": "downstream",
                "TechDirection": "midstream", "Claim": "evidence", "Document": "evidence"}
STAGE_ORDER = {"upstream": 0, "midstream": 1, "downstream": 2}


def lane_of(G: nx.MultiDiGraph, node) -> str:
    """The lane a node is drawn in: its chain stage (its most upstream segment) or a context/evidence lane."""
    d = G.nodes[node]
    t = d.get("type")
    if t == "Segment":
        return d.get("stage", "midstream")
    if t == "Stage":
        stage = str(node).split(":", 1)[-1]
        return stage if stage in STAGE_ORDER else "context"
    if t in LANE_OF_TYPE:
        return LANE_OF_TYPE[t]
    if d.get("stage") in STAGE_ORDER:  # e.g. a folded group of firms, which knows its segment's stage
        return d["stage"]
    stages = [G.nodes[s].get("stage") for s in d.get("segments", []) if s in G]
    stages = [s for s in stages if s in STAGE_ORDER]
    if stages:
        return min(stages, key=STAGE_ORDER.get)
    return "midstream" if t in ("Company", "Institution", "Product", "Dataset", "Platform") else "context"


def chain_lanes(G: nx.MultiDiGraph, lane_width: float = 600.0, row_height: float = 36.0,
                max_rows: int = 60) -> dict:
    """Upstream → midstream → downstream → scenes at fixed x; nodes of a lane sorted by type and name.

    A lane with more than ``max_rows`` nodes is split into several columns inside the lane.

    Examples
    --------
    >>> from graph import build_graph
    >>> pos = chain_lanes(build_graph())
    >>> pos["segment:reducers"][0] < pos["segment:complete_machines"][0] < pos["scene_household"][0]
    True
    """
    lanes: dict[str, list] = {name: [] for name in LANES}
    for n in G.nodes:
        lanes[lane_of(G, n)].append(n)
    pos = {}
    for i, name in enumerate(LANES):
        members = sorted(lanes[name], key=lambda n: (G.nodes[n].get("type", ""), str(G.nodes[n].get("name", n))))
        if not members:
            continue
        cols = max(1, math.ceil(len(members) / max_rows))
        rows = math.ceil(len(members) / cols)
        col_w = lane_width * 0.8 / cols
        for j, n in enumerate(members):
            c, r = divmod(j, rows)
            pos[n] = (i * lane_width + c * col_w, (r - rows / 2) * row_height)
    return pos


def force_layout(G: nx.MultiDiGraph, scale: float = 1000.0, seed: int = 7) -> dict:
    """A force-directed layout (networkx spring layout; igraph's Fruchterman-Reingold for large graphs)."""
    n = G.number_of_nodes()
    if n == 0:
        return {}
    if n > 1500:
        try:
            import igraph

            nodes = list(G.nodes)
            index = {v: i for i, v in enumerate(nodes)}
            edges = {(index[u], index[v]) for u, v in G.edges() if u != v}
            g = igraph.Graph(n=n, edges=list(edges))
            coords = g.layout_fruchterman_reingold(niter=200, grid="grid" if n > 1000 else "auto")
            xs = [c[0] for c in coords]
            ys = [c[1] for c in coords]
            span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
            return {v: (scale * 2 * c[0] / span, scale * 2 * c[1] / span) for v, c in zip(nodes, coords)}
        except ImportError:
            pass
    H = nx.Graph(G.to_undirected(as_view=True))
    pos = nx.spring_layout(H, seed=seed, iterations=50 if n < 1000 else 25, k=2 / math.sqrt(n))
    return {v: (scale * x, scale * y) for v, (x, y) in pos.items()}


LAYOUTS = {"chain lanes": chain_lanes, "force-directed": force_layout}
