"""Positions computed in Python, so the browser draws a fixed picture instead of running physics.

Each layout takes a graph and returns ``{node: (x, y)}``. The lanes of :func:`chain_lanes` come from the model
(``catalogue.lanes()``: context, one lane per taxonomy stage, evidence), not from a list kept here.
"""

from __future__ import annotations

import math

import networkx as nx

from .model import catalogue_of, types_with

LANE_WIDTH = 420.0   # canvas units; the drawing is fitted to its frame, so only the proportions matter
LABEL_GAP = 16.0     # vertical room between two dots, for a label line
MAX_ROWS = 36        # a longer lane is split into columns


def node_sizes(G: nx.MultiDiGraph, size_by: str = "degree") -> dict:
    """Dot radius of every node: grows with the square root of its degree or mentions."""
    if size_by == "degree":
        value = dict(G.degree())
    else:
        value = {n: d.get("mentions", 0) for n, d in G.nodes(data=True)}
    return {n: 6.0 + 3.0 * math.sqrt(value[n] or 0) for n in G}


def lane_ids(G: nx.MultiDiGraph) -> list[str]:
    """Lane ids left to right, from the model: ``context``, the stages in taxonomy order, ``evidence``."""
    return [lane["id"] for lane in catalogue_of(G).lanes()]


def lane_of(G: nx.MultiDiGraph, node) -> str:
    """The lane a node is drawn in: its type's lane in data/schema.yaml, or for ``chain`` types its chain stage.

    A segment goes to its stage, a stage to itself, anything else to the stage of its most upstream segment (a folded
    group of firms knows its segment's stage); a chain type without a segment goes to the middle stage.
    """
    return _lane_finder(G)(node, G.nodes[node])


def _lane_finder(G: nx.MultiDiGraph):
    """:func:`lane_of` as a function of a node and its attributes, with the schema's lanes and the stage order looked
    up once (chain_plan asks for every node of the view)."""
    cat = catalogue_of(G)
    node_types = cat.schema["node_types"]
    order = [s.id.split(":", 1)[1] for s in cat.stages()]
    rank = {stage: i for i, stage in enumerate(order)}
    stage_types = set(cat.types_with("stage"))
    middle = order[len(order) // 2] if order else "context"  # in the chain, but where is unknown
    nodes = G.nodes

    def lane(node, d: dict) -> str:
        t = d.get("type")
        lane = node_types.get(t, {}).get("lane", "context")
        if lane != "chain":
            return lane
        if t in stage_types:
            stage = str(node).split(":", 1)[-1]
            return stage if stage in rank else "context"
        stage = d.get("stage")
        if isinstance(stage, str) and stage in rank:  # (the stages are names; a list read from a file is none)
            return stage
        stages = [nodes[s].get("stage") for s in d.get("segments", []) if s in G]
        stages = [s for s in stages if isinstance(s, str) and s in rank]
        if stages:
            return min(stages, key=rank.__getitem__)
        return middle

    return lane


def chain_plan(G: nx.MultiDiGraph, sizes: dict | None = None, lane_width: float = LANE_WIDTH,
               max_rows: int = MAX_ROWS) -> tuple[dict, list[dict]]:
    """Positions in lanes and the lanes drawn: ``(pos, [{"id", "x", "width"}])``.

    Only lanes with nodes get a column (a view of upstream firms is one lane wide). Inside a lane, nodes are grouped
    by their first segment in taxonomy order (the segment first, then its members, largest first), and spaced by
    their size so that no two dots touch and a label line fits between them. A lane with more than ``max_rows``
    nodes is split into columns.
    """
    sizes = sizes or node_sizes(G)
    segment_types = set(types_with(G, "segment"))
    seg_rank = {s.id: i for i, s in enumerate(catalogue_of(G).segments())}
    lanes: dict[str, list] = {lane: [] for lane in lane_ids(G)}
    lane_of_node = _lane_finder(G)
    for n, d in G.nodes(data=True):
        lanes.setdefault(lane_of_node(n, d), []).append(n)

    def order(n):
        d = G.nodes[n]
        seg = n if d.get("type") in segment_types else (d.get("segments") or [None])[0]
        return (seg_rank.get(seg, len(seg_rank)), d.get("type") not in segment_types, d.get("type", ""),
                -sizes.get(n, 0), str(d.get("name", n)))

    pos, drawn = {}, []
    x0 = 0.0
    for lane, members in lanes.items():
        if not members:
            continue
        members.sort(key=order)
        cols = max(1, math.ceil(len(members) / max_rows))
        per_col = math.ceil(len(members) / cols)
        col_w = lane_width / cols
        for c in range(cols):
            column = members[c * per_col:(c + 1) * per_col]
            y, prev = 0.0, 0.0
            for n in column:
                r = sizes.get(n, 8.0)
                y += prev + r + LABEL_GAP if prev else 0.0
                pos[n] = (x0 + c * col_w, y)
                prev = r
        drawn.append({"id": lane, "x": x0, "width": lane_width})
        x0 += lane_width * 1.08
    # Centre every column on y = 0 so that the lanes line up.
    by_x: dict[float, list] = {}
    for n, (x, y) in pos.items():
        by_x.setdefault(x, []).append(n)
    for x, col in by_x.items():
        mid = (max(pos[n][1] for n in col) + min(pos[n][1] for n in col)) / 2
        for n in col:
            pos[n] = (x, pos[n][1] - mid)
    return pos, drawn


def chain_lanes(G: nx.MultiDiGraph, sizes: dict | None = None, lane_width: float = LANE_WIDTH,
                max_rows: int = MAX_ROWS) -> dict:
    """Places and policies → the chain's stages left to right → claims and documents, at fixed x per lane.

    Examples
    --------
    >>> from graph import build_graph
    >>> pos = chain_lanes(build_graph())
    >>> pos["segment:reducers"][0] < pos["segment:complete_machines"][0] < pos["scene_household"][0]
    True
    """
    return chain_plan(G, sizes, lane_width, max_rows)[0]


IGRAPH_FROM = 100  # nodes; below this networkx's spring layout is as quick and needs no optional package


def force_layout(G: nx.MultiDiGraph, scale: float = 1000.0, seed: int = 7) -> dict:
    """A force-directed layout: igraph's Fruchterman-Reingold (C) when python-igraph is installed and the graph has
    more than :data:`IGRAPH_FROM` nodes, else networkx's spring layout (its sparse variant above 500 nodes is a
    Python loop per node and iteration: 4 s for 1,500 nodes here, against 0.1 s for igraph)."""
    n = G.number_of_nodes()
    if n == 0:
        return {}
    if n > IGRAPH_FROM:
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
