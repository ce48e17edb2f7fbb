"""Choosing what to show: filters, search by any alias, node details, and a cap on what reaches the browser."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict

import networkx as nx

from loaders.fold import fold

from .display import sentence_text
from .model import types_with
from .places import firms_in_region

DEFAULT_CAP = 1500


def filter_view(G: nx.MultiDiGraph, types=None, stages=None, segments=None, region=None, min_mentions: int = 0,
                show_documents: bool = False, show_claims: bool = True) -> nx.MultiDiGraph:
    """A read-only subgraph view.

    ``types`` keeps those node types; ``stages``/``segments`` keep entities in those chain segments (other kinds of
    node are not affected); ``region`` keeps organisations located in it or inside it; ``min_mentions`` drops
    entities mentioned fewer times (Segment, Stage, Claim and Document nodes are kept); Document and Claim nodes can
    be switched off.
    """
    orgs, segmented = set(types_with(G, "organisation")), set(types_with(G, "segmented"))
    seg_ok = None
    if stages or segments:
        seg_ok = {n for n, d in G.nodes(data=True) if d.get("type") == "Segment"
                  and (not stages or d.get("stage") in stages) and (not segments or n in segments)}
    inside = set(firms_in_region(G, region)) if region else None
    keep = []
    for n, d in G.nodes(data=True):
        t = d.get("type")
        if types and t not in types:
            continue
        if t == "Document" and not show_documents or t == "Claim" and not show_claims:
            continue
        if seg_ok is not None:
            if t == "Segment" and n not in seg_ok:
                continue
            if t in segmented and not set(d.get("segments", [])) & seg_ok:
                continue
        if inside is not None and t in orgs and n not in inside:
            continue
        if min_mentions and t not in ("Segment", "Stage", "Claim", "Document") and d.get("mentions", 0) < min_mentions:
            continue
        keep.append(n)
    return G.subgraph(keep)


def name_index(G: nx.MultiDiGraph) -> dict:
    """Every node's id, names and aliases, folded (script variants, width, case), for :func:`search_nodes`."""
    index = {}
    for n, d in G.nodes(data=True):
        names = [str(n), d.get("name", ""), d.get("name_en", ""), d.get("name_zh", ""), d.get("name_ja", ""),
                 *d.get("aliases", [])]
        index[n] = tuple(dict.fromkeys(fold(x) for x in names if x))
    return index


def search_nodes(G: nx.MultiDiGraph, query: str, limit: int = 20, index: dict | None = None) -> list[dict]:
    """Nodes whose id, name or any alias (any language, any script variant) contains ``query``; exact names first.

    Pass ``index`` (from :func:`name_index`) to search a large graph repeatedly without folding every name again.

    Examples
    --------
    >>> from graph import build_graph
    >>> [r["id"] for r in search_nodes(build_graph(), "智元機器人")][:1]
    ['agibot']
    """
    q = fold(query.strip())
    if not q:
        return []
    if index is None:
        index = name_index(G)
    hits = []
    for n, folded in index.items():
        if q in folded:
            rank = 0
        elif any(q in f for f in folded):
            rank = 1
        else:
            continue
        d = G.nodes[n]
        hits.append((rank, -d.get("mentions", 0), str(d.get("name", n)), n))
    hits.sort()
    return [{"id": n, "name": G.nodes[n].get("name", n), "type": G.nodes[n].get("type")} for *_, n in hits[:limit]]


def top_nodes(G: nx.MultiDiGraph, by: str = "mentions", limit: int = 500) -> list:
    """The ``limit`` nodes with the most mentions (``by="mentions"``) or the highest degree; ties by name.

    Examples
    --------
    >>> from graph import build_graph
    >>> top_nodes(build_graph(), limit=1)
    ['shanghai']
    """
    if by == "degree":
        score = dict(G.degree())
    else:
        score = {n: d.get("mentions", 0) for n, d in G.nodes(data=True)}
    best = heapq.nsmallest(limit, (n for n in G if score[n] > 0),
                           key=lambda n: (-score[n], str(G.nodes[n].get("name", n))))
    return best


def node_details(G: nx.MultiDiGraph, node) -> dict:
    """What the inspector shows: scalar attributes, neighbours grouped by relation, evidence in its sentences."""
    d = G.nodes[node]
    attrs = {k: v for k, v in d.items() if not isinstance(v, (list, dict)) and v not in ("", None)}
    neighbours = defaultdict(list)
    for _, v, k, e in G.out_edges(node, keys=True, data=True):
        neighbours[f"{e['type']} →"].append({"id": v, "name": G.nodes[v].get("name", v), "type": G.nodes[v].get("type"),
                                             "method": e["method"], "weight": e.get("weight"),
                                             "conflict": bool(e.get("conflict"))})
    for u, _, k, e in G.in_edges(node, keys=True, data=True):
        neighbours[f"← {e['type']}"].append({"id": u, "name": G.nodes[u].get("name", u), "type": G.nodes[u].get("type"),
                                             "method": e["method"], "weight": e.get("weight"),
                                             "conflict": bool(e.get("conflict"))})
    evidence = []
    texts = G.graph.get("document_texts", {})
    titles = {n.split(":", 1)[1]: dd.get("title", n) for n, dd in G.nodes(data=True) if dd.get("type") == "Document"}
    for ev in d.get("evidence", []):
        doc = texts.get(ev["doc"])
        if not doc:
            continue
        s, e = doc["sentences"][ev["sentence"]]
        evidence.append({"doc": ev["doc"], "doc_title": titles.get(ev["doc"], ev["doc"]), "sentence": ev["sentence"],
                         "sentence_text": sentence_text(G, ev["doc"], ev["sentence"]), "quote": ev["quote"],
                         "start": ev["start"] - s, "end": ev["end"] - s})
    return {"id": node, "type": d.get("type"), "name": d.get("name", node), "attributes": attrs,
            "lists": {k: v for k, v in d.items() if isinstance(v, list) and k not in ("evidence", "sources", "conflicts") and v},
            "neighbours": dict(sorted(neighbours.items())), "evidence": evidence,
            "sources": d.get("sources", []), "conflicts": d.get("conflicts", [])}


FOLD_BY = ("segment", "region", "type")
RANK_BY = ("degree", "mentions")


def cap_view(G: nx.MultiDiGraph, cap: int = DEFAULT_CAP, mode: str = "aggregate", focus=None,
             fold_by: str = "segment", rank_by: str = "degree") -> tuple[nx.MultiDiGraph, str]:
    """Never more than ``cap`` nodes for the browser; returns ``(graph, note)`` saying what was folded.

    Modes:

    - ``aggregate`` keeps the ``cap // 2`` highest-ranked nodes and folds the rest into super-nodes with a count,
      one per chain segment (``fold_by="segment"``: a firm goes to its first segment), per region (``"region"``:
      an organisation goes to the first place it is located in) or per type; what has no segment or region folds by
      type;
    - ``top`` keeps the ``cap`` highest-ranked nodes and hides the rest;
    - ``ego`` keeps ``focus`` and its neighbours (at any size; the highest-ranked neighbours beyond the cap).

    ``rank_by`` is ``"degree"`` or ``"mentions"`` (ties by degree, then id).

    Examples
    --------
    >>> from graph import build_graph
    >>> G = build_graph()
    >>> H, note = cap_view(G, cap=40)
    >>> H.number_of_nodes() <= 40, "folding" in note
    (True, True)
    >>> H, note = cap_view(G, mode="ego", focus="agibot")
    >>> "agibot" in H and H.number_of_nodes() < G.number_of_nodes()
    True
    """
    if fold_by not in FOLD_BY or rank_by not in RANK_BY:
        raise ValueError(f"fold_by must be one of {FOLD_BY} and rank_by one of {RANK_BY}")
    n = G.number_of_nodes()
    degree = G.degree
    if rank_by == "mentions":
        def rank(v):
            return (-G.nodes[v].get("mentions", 0), -degree[v], str(v))
    else:
        def rank(v):
            return (-degree[v], str(v))
    if mode == "ego" and focus in G:
        # The ego view applies at any size: it is what the user asked to see.
        keep = set(nx.ego_graph(G.to_undirected(as_view=True), focus, radius=1))
        folded = len(keep) - cap
        if folded > 0:
            keep = {focus} | set(sorted(keep - {focus}, key=rank)[: cap - 1])
        note = f"Showing {G.nodes[focus].get('name', focus)} and its neighbours: {len(keep)} of {n} nodes."
        if folded > 0:
            note += f" {folded} further neighbours are beyond the display cap of {cap}."
        return G.subgraph(keep), note
    if n <= cap:
        return G, ""
    best = "best-connected" if rank_by == "degree" else "most-mentioned"
    if mode == "top":
        keep = heapq.nsmallest(cap, G.nodes, key=rank)
        return G.subgraph(keep), f"Showing the {cap} {best} of {n} nodes; {n - cap} are hidden."
    ranked = sorted(G.nodes, key=rank)
    group_key = {}
    k = cap // 2
    while True:  # keep half the cap, fewer if the super-nodes need the room (their number grows as k shrinks)
        groups = defaultdict(list)
        for v in ranked[k:]:
            if v not in group_key:
                group_key[v] = _fold_group(G, v, fold_by)
            groups[group_key[v]].append(v)
        if k + len(groups) <= cap or k == 0:
            break
        k = max(0, cap - len(groups))
    keep = ranked[:k]
    kept = set(keep)
    H = nx.MultiDiGraph(G.subgraph(keep))
    group_of = {}
    for (kind, value), members in groups.items():
        types = Counter(G.nodes[v].get("type", "?") for v in members)
        main_type = types.most_common(1)[0][0]
        where = f" in {G.nodes[value].get('name', value)}" if kind in ("segment", "region") and value in G else ""
        sid = f"folded:{kind}:{value}"
        attrs = {"stage": G.nodes[value].get("stage")} if kind == "segment" and value in G else {}
        H.add_node(sid, type=main_type, name=f"{len(members)} more {main_type}{where}",
                   label=f"{len(members)} more{where}", folded=len(members), mentions=0, aliases=[], evidence=[],
                   segments=[value] if kind == "segment" else [], **attrs)
        for v in members:
            group_of[v] = sid
    links = Counter()
    for u, v in G.edges():
        a, b = group_of.get(u, u), group_of.get(v, v)
        if a != b and not (a in kept and b in kept):
            links[(a, b)] += 1
    for (a, b), w in links.items():
        H.add_edge(a, b, key="FOLDED", type="FOLDED", method="aggregate", weight=float(w), evidence=[], sources=[])
    by_type = Counter(G.nodes[v].get("type", "?") for v in group_of)
    parts = ", ".join(f"{c} {t}" for t, c in by_type.most_common())
    per = {"segment": "chain segment", "region": "region", "type": "type"}[fold_by]
    return H, f"{n} nodes are more than the display cap of {cap}: showing the {len(keep)} {best} and folding " \
              f"the other {len(group_of)} ({parts}) into {len(groups)} nodes, one per {per}" \
              f"{'' if fold_by == 'type' else ' (or per type where there is none)'}, each with its count."


def _fold_group(G: nx.MultiDiGraph, node, fold_by: str = "segment") -> tuple[str, str]:
    """Where a node goes when the view folds it: its first chain segment or region, else its type."""
    d = G.nodes[node]
    if fold_by == "segment":
        segments = d.get("segments") or []
        if segments and d.get("type") in types_with(G, "segmented"):
            return "segment", segments[0]
    elif fold_by == "region" and d.get("type") in types_with(G, "organisation"):
        for _, place, e in G.out_edges(node, data=True):
            if e.get("type") == "LOCATED_IN":
                return "region", place
    return "type", d.get("type", "?")
