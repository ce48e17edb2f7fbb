"""The chain map (产业链图谱): a region's organisations by stage and segment, as plain data.

Stages and segments come from the taxonomy (data/taxonomy.yaml) in its order; which organisation covers which segment
is the coverage scorecard's answer (:func:`graph.coverage.chain_coverage`), so the map and the scorecard always agree.
At any size each segment lists only its best-known organisations (most mentioned, then most connected) with the
count of the rest, so the map stays one screen for 100,000 firms.
"""

from __future__ import annotations

import heapq

import networkx as nx

from .coverage import segment_firms
from .model import catalogue_of

ORIGINS = ("catalogue", "roster", "discovered")
_RANK = "known_rank"  # the name known_rank is kept under (graph.cache.derived)


def node_origin(d: dict) -> str:
    """Where an organisation comes from: ``catalogue``, ``roster`` or ``discovered`` (found in the texts).

    The node's ``origin`` attribute when the builder set one; otherwise a node with only roster sources (file and
    line) is a roster firm, and anything else a catalogue entity.

    Examples
    --------
    >>> node_origin({"origin": "discovered"}), node_origin({"sources": [{"file": "r.csv", "line": 2}]})
    ('discovered', 'roster')
    """
    origin = d.get("origin")
    if origin in ORIGINS:
        return origin
    sources = d.get("sources") or []
    if sources and all(s.get("file") and s.get("line") for s in sources):
        return "roster"
    return "catalogue"


def _known_key(G: nx.MultiDiGraph):
    """The sort key of :func:`best_known`: most mentions, then highest degree, then name, then id."""
    attrs, succ, pred = G._node, G._succ, G._pred  # the adjacency dicts: a segment of a region has thousands of firms

    def key(n):
        d = attrs[n]
        degree = sum(map(len, succ[n].values())) + sum(map(len, pred[n].values()))  # G.degree(n) of a multigraph
        return (-d.get("mentions", 0), -degree, str(d.get("name", n)), str(n))

    return key


def known_rank(G: nx.MultiDiGraph) -> dict:
    """Every organisation's place in :func:`best_known`'s order (0 = best known), once per graph
    (:func:`graph.cache.derived`; the graph must not change afterwards): for a program that draws many regions of one
    graph (the explorer), whose chain maps then rank their firms by a lookup.

    Examples
    --------
    >>> from graph import build_graph
    >>> G = build_graph()
    >>> rank = known_rank(G)
    >>> best_known(G, ["agibot", "fourier"], rank=rank) == best_known(G, ["agibot", "fourier"])
    True
    """
    from .cache import derived
    from .model import nodes_with

    return derived(G, _RANK,
                   lambda: {n: i for i, n in enumerate(sorted(nodes_with(G, "organisation"), key=_known_key(G)))})


def _made_rank(G: nx.MultiDiGraph) -> dict | None:
    """:func:`known_rank` when it has been made for ``G`` (by a program that draws many regions), else None."""
    from .cache import made

    return made(G, _RANK)


def best_known(G: nx.MultiDiGraph, nodes, limit: int | None = None, rank: dict | None = None) -> list:
    """``nodes`` best known first: most mentions, then highest degree, then name, then id (the ``limit`` first only).
    ``rank``: :func:`known_rank` of ``G``, to order organisations by a lookup."""
    key = rank.__getitem__ if rank is not None else _known_key(G)
    if limit is None:
        return sorted(nodes, key=key)
    return heapq.nsmallest(limit, nodes, key=key)


def chain_map(G: nx.MultiDiGraph, region: str | None = None, per_segment: int = 8, card: dict | None = None) -> dict:
    """A region's chain map: stages left to right, each with its segments, each with its best-known organisations.

    Parameters
    ----------
    region : str, optional
        Region id or any name (default: the analysis default, :func:`graph.places.default_region`).
    per_segment : int
        Organisations listed per segment; the rest are counted (``more``).
    card : dict, optional
        A :func:`graph.coverage.chain_coverage` result for this region, to reuse (its rows are the firms drawn);
        without one, only the firms per segment are read (:func:`graph.coverage.segment_firms`). Once
        :func:`known_rank` has been made for ``G`` (by a program that draws many regions), firms are ranked by it;
        same result.

    Returns
    -------
    dict
        ``region``, ``region_name``, ``segments_total``, ``segments_covered`` and ``stages``: a list of
        ``{"id", "names": {en, zh, ja}, "segments": [...]}``; each segment is ``{"id", "names", "count", "status"
        ("uncovered", "single" or "covered"), "firms": [{"id", "names", "origin", "mentions"}], "more"}``.

    Examples
    --------
    >>> from graph import build_graph
    >>> m = chain_map(build_graph(), "zhangjiang")
    >>> [s["id"] for s in m["stages"]]
    ['upstream', 'midstream', 'downstream']
    >>> seg = next(s for st in m["stages"] for s in st["segments"] if s["id"] == "segment:complete_machines")
    >>> seg["status"], "agibot" in [f["id"] for f in seg["firms"]]
    ('covered', True)
    """
    if card is not None:
        found = {**card, "segment_firms": {r["segment"]: r["firms"] for r in card["segments"]}}
    else:  # the scorecard's firms per segment without the rest of the scorecard
        found = segment_firms(G, region)
    rank = _made_rank(G)
    rows = found["segment_firms"]
    stages = []
    for stage in catalogue_of(G).stages():
        sid = stage.id.split(":", 1)[1]
        segments = []
        for s in catalogue_of(G).segments():
            if s.attrs.get("stage") != sid or s.id not in rows:
                continue
            firms = rows[s.id]
            shown = best_known(G, firms, per_segment, rank)
            segments.append({
                "id": s.id, "names": _names(G.nodes[s.id]) if s.id in G else _names(vars(s)),
                "count": len(firms),
                "status": "uncovered" if not firms else "single" if len(firms) == 1 else "covered",
                "firms": [{"id": f, "names": _names(G.nodes[f]), "origin": node_origin(G.nodes[f]),
                           "mentions": G.nodes[f].get("mentions", 0)} for f in shown],
                "more": len(firms) - len(shown)})
        stages.append({"id": sid, "names": {"en": stage.name_en, "zh": stage.name_zh, "ja": stage.name_ja},
                       "segments": segments})
    return {"region": found["region"], "region_name": found["region_name"],
            "region_names": _names(G.nodes[found["region"]]), "segments_total": found["segments_total"],
            "segments_covered": found["segments_covered"], "stages": stages}


def segment_members(G: nx.MultiDiGraph, segment: str, card: dict, limit: int = 200) -> dict:
    """The organisations of ``card``'s region in ``segment``, best known first, with where they are and why.

    Returns ``{"segment", "names", "stage", "count", "status", "firms": [{"id", "names", "origin", "mentions",
    "places": [place ids], "quote", "doc", "sentence", "source"}]}`` (the first ``limit`` firms).
    """
    row = next(r for r in card["segments"] if r["segment"] == segment)
    firms = row["firms"]
    out = []
    for f in best_known(G, firms, limit, _made_rank(G)):
        d = G.nodes[f]
        places = sorted({v for _, v, e in G.out_edges(f, data=True) if e.get("type") == "LOCATED_IN"})
        ev = (d.get("evidence") or [None])[0]
        src = next((s for s in d.get("sources") or [] if str(s.get("source", "")).startswith("http")), None)
        out.append({"id": f, "names": _names(d), "origin": node_origin(d), "mentions": d.get("mentions", 0),
                    "places": places, "quote": ev["quote"] if ev else None, "doc": ev["doc"] if ev else None,
                    "sentence": ev["sentence"] if ev else None,
                    "source": src["source"].split(" ; ")[0] if src else None})
    return {"segment": segment, "names": _names(G.nodes[segment]), "stage": row["stage"], "count": len(firms),
            "status": "uncovered" if not firms else "single" if len(firms) == 1 else "covered", "firms": out}


def _names(d: dict) -> dict:
    name = d.get("name") or d.get("name_en") or ""
    return {"en": d.get("name_en") or name, "zh": d.get("name_zh") or name, "ja": d.get("name_ja") or name}
