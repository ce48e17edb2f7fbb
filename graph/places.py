"""Places: resolving a region by any name, what contains what, which organisations are inside a place."""

from __future__ import annotations

from collections import Counter

import networkx as nx

from loaders.errors import InputError
from loaders.fold import fold

from .model import catalogue_of, types_with


class UnknownRegion(InputError):
    pass


def known_regions(G: nx.MultiDiGraph) -> list[dict]:
    """Places (types with the ``place`` role) of ``G``: id, name, type."""
    places = set(types_with(G, "place"))
    return sorted(({"id": n, "name": d.get("name", n), "type": d["type"]} for n, d in G.nodes(data=True)
                   if d.get("type") in places), key=lambda r: (r["type"], r["name"]))


def resolve_region(G: nx.MultiDiGraph, region: str) -> str:
    """The node id of a place given by id or any name or alias, in any language.

    Examples
    --------
    >>> from graph import build_graph
    >>> resolve_region(build_graph(), "張江")
    'zhangjiang'
    """
    places = set(types_with(G, "place"))
    if region in G and G.nodes[region].get("type") in places:
        return region
    key = fold(region.strip())
    for n, d in G.nodes(data=True):
        if d.get("type") not in places:
            continue
        names = [n, d.get("name", ""), d.get("name_en", ""), d.get("name_zh", ""), d.get("name_ja", ""),
                 *d.get("aliases", [])]
        if key in {fold(x) for x in names if x}:
            return n
    pid, why = _gazetteer_place(G, region)
    if pid in G:
        return pid
    listing = ", ".join(f"{r['name']} ({r['id']})" for r in known_regions(G))
    raise UnknownRegion(why or f"unknown region {region!r}; known regions: {listing}", field="region")


def _gazetteer_place(G: nx.MultiDiGraph, region: str) -> tuple[str | None, str]:
    """The gazetteer's reading of ``region`` ('北京市朝阳区', 'Nanshan District, Shenzhen'): its node id, or why it
    is not a region of ``G`` (a place is a node only once a document or roster names it)."""
    from loaders.gazetteer import AmbiguousPlace, places_for

    places = places_for(catalogue_of(G))
    try:
        pid = places.resolve(region)
    except AmbiguousPlace as exc:
        return None, str(exc)
    if pid is None or pid in G:
        return pid, ""
    return pid, (f"{places.describe(pid)} is a known place, but no loaded document or roster mentions it or a place "
                 "inside it; load a text or roster about it (--doc, --roster)")


def default_region(G: nx.MultiDiGraph) -> str:
    """The place to open on (data/analysis.yaml ``default_region``).

    With ``from_documents``: the place a loaded text states a chain share about, else the place the documents
    mention most; otherwise (or when the documents name no place) the ``fallback``.
    """
    cat = catalogue_of(G)
    choice = cat.analysis["default_region"]
    places = set(cat.types_with("place"))
    if choice["from_documents"]:
        metric = cat.analysis["coverage"]["stated_share_metric"]
        stated = Counter(v for u, v, t in G.edges(data="type") if t == "ABOUT"
                         and G.nodes[u].get("metric") == metric and G.nodes[u].get("evidence")
                         and G.nodes[v].get("type") in places)
        if stated:
            return min(stated, key=lambda p: (-stated[p], p))
        mentioned = [(d.get("mentions", 0), n) for n, d in G.nodes(data=True) if d.get("type") in places]
        best = max(mentioned, default=(0, None), key=lambda x: (x[0], str(x[1])))
        if best[0]:
            return best[1]
    return choice["fallback"]


def containing_places(G: nx.MultiDiGraph, node: str) -> set[str]:
    """Places that contain ``node`` (through PART_OF and LOCATED_IN between places)."""
    places = set(types_with(G, "place"))
    out, stack = set(), [node]
    while stack:
        n = stack.pop()
        for _, v, d in G.out_edges(n, data=True):
            if d["type"] in ("PART_OF", "LOCATED_IN") and G.nodes[v].get("type") in places and v not in out:
                out.add(v)
                stack.append(v)
    return out


def firms_in_region(G: nx.MultiDiGraph, region: str, reading: str = "all") -> dict[str, list[dict]]:
    """Organisations located in ``region`` (directly or inside it) -> the LOCATED_IN statements placing them there.

    ``reading`` ``"text"`` keeps only locations the loaded documents state (:func:`text_placements`).
    """
    if reading == "text":
        return text_placements(firms_in_region(G, region))
    found: dict[str, list[dict]] = {}
    for u, place, d in _placements(G, region):
        found.setdefault(u, []).append({"place": place, "method": d["method"], "conflict": bool(d.get("conflict")),
                                        "evidence": d.get("evidence", []), "sources": d.get("sources", [])})
    return found


def orgs_in_region(G: nx.MultiDiGraph, region: str) -> set[str]:
    """The organisations of :func:`firms_in_region` (``"all"``), without their statements: what a chain map needs."""
    return {u for u, _, _ in _placements(G, region)}


def _placements(G: nx.MultiDiGraph, region: str):
    """``(organisation, place, edge data)`` of every LOCATED_IN statement placing an organisation in ``region``."""
    orgs = set(types_with(G, "organisation"))
    # Walk down from the region to the places inside it and read their incoming LOCATED_IN edges: the work follows
    # the size of the region, not of the graph (a district of a 100,000-firm graph is read in milliseconds).
    pred, attrs = G._pred, G._node  # the adjacency dicts: a region of a large graph has tens of thousands of edges
    for place in sorted(places_inside(G, region)):
        for u, keys in pred[place].items():
            for d in keys.values():
                if d["type"] == "LOCATED_IN" and attrs[u].get("type") in orgs:
                    yield u, place, d


def text_placements(found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The ``text`` reading of :func:`firms_in_region`'s result: the statements the loaded documents make (method
    ``rule``), for the organisations that have one; so both readings of a region come from one walk.

    Examples
    --------
    >>> text_placements({"a": [{"method": "rule"}, {"method": "roster"}], "b": [{"method": "roster"}]})
    {'a': [{'method': 'rule'}]}
    """
    return {f: stated for f, statements in found.items()
            if (stated := [st for st in statements if st["method"] == "rule"])}


def places_inside(G: nx.MultiDiGraph, region: str) -> set[str]:
    """``region`` and every place inside it (the inverse of :func:`containing_places`)."""
    places = set(types_with(G, "place"))
    pred, attrs = G._pred, G._node
    out, stack = {region}, [region]
    while stack:
        n = stack.pop()
        for u, keys in pred[n].items():
            if u in out or attrs[u].get("type") not in places:  # most in-edges of a place come from firms
                continue
            if any(d["type"] in ("PART_OF", "LOCATED_IN") for d in keys.values()):
                out.add(u)
                stack.append(u)
    return out
