"""Choosing what to show: filters, search by any alias, node details, and a cap on what reaches the browser."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from itertools import islice

import networkx as nx

from loaders.fold import fold, fold_many

from .display import sentence_text
from .model import catalogue_of, nodes_with, types_with
from .places import firms_in_region

DEFAULT_CAP = 1500


def filter_view(G: nx.MultiDiGraph, types=None, stages=None, segments=None, region=None, min_mentions: int = 0,
                show_documents: bool = False, show_claims: bool = True, show_places: bool = True) -> nx.MultiDiGraph:
    """A read-only subgraph view, focused on what a filter asks for.

    ``types`` keeps those node types. ``stages``/``segments``/``region`` keep the matching organisations (and other
    segmented entities: products, platforms, scenes…) and *their* segments and stages; under a region filter, a
    product, platform or scene stays only when a kept organisation is linked to it. Places and policies
    (``show_places``), claims (``show_claims``) and documents (``show_documents``) join only when asked; under a
    filter, only the claims about kept nodes and the documents that mention them. ``min_mentions`` drops entities
    mentioned fewer times (segments, stages, claims and documents are kept).

    Examples
    --------
    >>> from graph import build_graph
    >>> H = filter_view(build_graph(), stages=["upstream"], show_claims=False, show_places=False)
    >>> sorted({d["type"] for _, d in H.nodes(data=True)})
    ['Company', 'Platform', 'Segment', 'Stage']
    """
    orgs, segmented = set(types_with(G, "organisation")), set(types_with(G, "segmented"))
    seg_types, stage_types = set(types_with(G, "segment")), set(types_with(G, "stage"))
    places, policies = set(types_with(G, "place")), set(types_with(G, "policy"))
    claim_types, doc_types = set(types_with(G, "claim")), set(types_with(G, "document"))
    focused = bool(stages or segments or region)
    seg_ok = None
    if stages or segments:
        seg_ok = {n for n, d in G.nodes(data=True) if d.get("type") in seg_types
                  and (not stages or d.get("stage") in stages) and (not segments or n in segments)}
    inside = set(firms_in_region(G, region)) if region else None

    def wanted(t):
        return not types or t in types

    kept = set()
    for n, d in G.nodes(data=True):  # the entities the filters ask for
        t = d.get("type")
        if t not in segmented or not wanted(t) or t in places:
            continue
        if seg_ok is not None and not set(d.get("segments", [])) & seg_ok:
            continue
        if inside is not None and t in orgs and n not in inside:
            continue
        if min_mentions and d.get("mentions", 0) < min_mentions:
            continue
        kept.add(n)
    if inside is not None:  # under a region filter, other entities only when a kept organisation is linked to them
        def linked(n):
            for adj in (G._succ[n], G._pred[n]):
                for other, keys in adj.items():
                    if other in inside and other in kept and any(e.get("type") != "CO_MENTIONED"
                                                                 for e in keys.values()):
                        return True
            return False

        kept = {n for n in kept if G.nodes[n].get("type") in orgs or linked(n)}
    keep = set(kept)
    if focused:
        segs = {s for n in kept for s in G.nodes[n].get("segments", []) if s in G}
        if seg_ok is not None:
            segs = (segs & seg_ok) | (seg_ok if not kept else set())
    else:
        segs = {n for n, d in G.nodes(data=True) if d.get("type") in seg_types}
    if seg_types & set(types or seg_types):
        keep |= segs
    if stage_types & set(types or stage_types):
        if focused:
            keep |= {f"stage:{G.nodes[s].get('stage')}" for s in segs} & set(G)
        else:
            keep |= {n for n, d in G.nodes(data=True) if d.get("type") in stage_types}
    for n, d in G.nodes(data=True):  # context and evidence, when asked
        t = d.get("type")
        if not wanted(t) or n in keep:
            continue
        if t in places or t in policies:
            if show_places and (not focused or any(u in keep for u in G.predecessors(n))
                                or any(v in keep for v in G.successors(n))):
                keep.add(n)
        elif t in claim_types:
            if show_claims and (not focused or any(v in keep for v in G.successors(n))):
                keep.add(n)
        elif t in doc_types:
            if show_documents and (not focused or any(u in keep for u in G.predecessors(n))):
                keep.add(n)
        elif t not in segmented and t not in seg_types and t not in stage_types and not focused:
            keep.add(n)
    return G.subgraph(keep)


def name_index(G: nx.MultiDiGraph) -> dict:
    """Every node's id, names and aliases, folded (script variants, width, case), for :func:`search_nodes`."""
    nodes, counts, names = [], [], []
    for n, d in G.nodes(data=True):
        own = [x for x in (str(n), d.get("name", ""), d.get("name_en", ""), d.get("name_zh", ""), d.get("name_ja", ""),
                           *d.get("aliases", [])) if x]
        nodes.append(n)
        counts.append(len(own))
        names += own
    folded = iter(fold_many(names))  # one fold call for every name of the graph, not one per name
    return {n: tuple(dict.fromkeys(islice(folded, k))) for n, k in zip(nodes, counts)}


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


def node_card(G: nx.MultiDiGraph, node) -> dict:
    """What the inspector shows a person about ``node``, with ids resolved to names and nothing said twice.

    Returns
    -------
    dict
        ``id``, ``type``, ``names`` ({en, zh, ja}), ``origin``, ``mentions``, ``segments`` (ids),
        ``places`` (one row per place: ``{"place", "methods"}``), ``conflict`` (the places when sources put it in
        two or more different places, else None), ``relations`` (one row per relation, direction and neighbour,
        with the methods merged: ``{"type", "outgoing", "id", "methods"}``), ``evidence`` (one row per sentence with
        every mention's span: ``{"doc", "doc_title", "sentence", "sentence_text", "spans"}``) and ``sources``
        (``{"source", "file", "line", "quote"}`` for facts not from a loaded text; no file paths of this repository).

    Examples
    --------
    >>> from graph import build_graph
    >>> card = node_card(build_graph(), "agibot")
    >>> card["names"]["zh"], sorted(card["conflict"])
    ('智元机器人', ['lingang', 'zhangjiang'])
    """
    from .chainmap import _names, node_origin

    d = G.nodes[node]
    place_types = set(types_with(G, "place"))
    relations: dict[tuple, set] = {}
    for _, v, e in G.out_edges(node, data=True):
        relations.setdefault((e.get("type"), True, v), set()).add(e.get("method", ""))
    for u, _, e in G.in_edges(node, data=True):
        relations.setdefault((e.get("type"), False, u), set()).add(e.get("method", ""))
    rows = [{"type": t, "outgoing": out, "id": other, "methods": sorted(m - {""})}
            for (t, out, other), m in relations.items()]
    edge_order = {t: i for i, t in enumerate(catalogue_of(G).edge_types)}
    rows.sort(key=lambda r: (edge_order.get(r["type"], len(edge_order)), not r["outgoing"],
                             -G.nodes[r["id"]].get("mentions", 0), str(G.nodes[r["id"]].get("name", r["id"]))))
    places = [{"place": r["id"], "methods": r["methods"]} for r in rows
              if r["type"] == "LOCATED_IN" and r["outgoing"] and G.nodes[r["id"]].get("type") in place_types]
    stated = {s["place"] for c in d.get("conflicts") or [] for s in c.get("statements", [])}
    conflict = sorted(stated) if len(stated) > 1 else None
    by_sentence: dict[tuple, list] = {}
    for ev in d.get("evidence", []):
        by_sentence.setdefault((ev["doc"], ev["sentence"]), []).append(ev)
    texts = G.graph.get("document_texts", {})
    titles = _graph_cache(G, "document_titles", lambda: {
        n.split(":", 1)[1]: dd.get("title", n) for n in nodes_with(G, "document") for dd in (G.nodes[n],)})
    evidence = []
    for (doc, i), evs in sorted(by_sentence.items()):
        if doc not in texts:
            continue
        start = texts[doc]["sentences"][i][0]
        sentence = sentence_text(G, doc, i)
        spans = sorted({(ev["start"] - start, ev["end"] - start) for ev in evs})
        evidence.append({"doc": doc, "doc_title": titles.get(doc, doc), "sentence": i, "sentence_text": sentence,
                         "spans": spans})
    sources, seen = [], set()
    for src in d.get("sources") or []:
        item = {"source": str(src.get("source", "")), "file": src.get("file"), "line": src.get("line"),
                "quote": src.get("quote") or ""}
        if not item["source"].startswith(("http://", "https://")) and not item["file"]:
            continue  # a file of this repository (entities.yaml): the origin says "curated catalogue"
        k = (item["source"], item["file"], item["line"])
        if k not in seen:
            seen.add(k)
            sources.append(item)
    return {"id": node, "type": d.get("type"), "names": _names(d), "origin": node_origin(d),
            "mentions": d.get("mentions", 0), "segments": [s for s in d.get("segments", []) if s in G],
            "places": places, "conflict": conflict, "relations": rows, "evidence": evidence, "sources": sources,
            "text": d.get("text"), "note": d.get("note")}


def graph_summary(G: nx.MultiDiGraph) -> dict:
    """What a page header says about the whole graph: document titles, counts of nodes, edges, organisations and
    rosters, and the highest mention count (a slider's end).

    Examples
    --------
    >>> from graph import build_graph
    >>> s = graph_summary(build_graph())
    >>> s["nodes"] > s["orgs"] > 0 and s["rosters"] >= 1
    True
    """
    types = Counter(t for _, t in G.nodes(data="type"))
    return {"titles": [d.get("name", n) for n, d in G.nodes(data=True) if d.get("type") == "Document"],
            "orgs": int(sum(types.get(t, 0) for t in catalogue_of(G).types_with("organisation"))),
            "max_mentions": max([d.get("mentions", 0) for _, d in G.nodes(data=True)] + [1]),
            "nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "rosters": len(G.graph.get("rosters", []))}


NAME_KEYS = ("name", "name_en", "name_zh", "name_ja")


def region_choices(G: nx.MultiDiGraph) -> dict:
    """The regions a page offers, ``{"regions": {id: names as node attributes}, "default": id}`` (the analysis
    default, :func:`graph.coverage.default_region`).

    Examples
    --------
    >>> from graph import build_graph
    >>> r = region_choices(build_graph())
    >>> r["default"], r["regions"]["shanghai"]["name_zh"]
    ('zhangjiang', '上海市')
    """
    from .coverage import default_region, known_regions

    return {"regions": {r["id"]: {k: G.nodes[r["id"]][k] for k in NAME_KEYS if G.nodes[r["id"]].get(k)}
                        for r in known_regions(G)}, "default": default_region(G)}


def opening_view(G: nx.MultiDiGraph, per_segment: int = 8, card: dict | None = None, choices: dict | None = None,
                 summary: dict | None = None) -> dict:
    """What the explorer's first page shows before a visitor chooses anything, as plain data: the regions to choose
    from and the default (:func:`region_choices`), the default region's chain map, and :func:`graph_summary`.

    Kept beside the graph's cache entry (:func:`graph.cache.derived`), it lets a restart draw the first page before
    the graph itself is read. ``card`` (the default region's :func:`graph.coverage.chain_coverage`), ``choices`` and
    ``summary`` are reused when the caller has them already.

    Examples
    --------
    >>> from graph import build_graph
    >>> v = opening_view(build_graph())
    >>> v["default"], v["regions"][v["default"]]["name_zh"], v["chain_map"]["region"] == v["default"]
    ('zhangjiang', '张江', True)
    """
    from .chainmap import chain_map

    choices = choices if choices is not None else region_choices(G)
    return {**choices, "chain_map": chain_map(G, choices["default"], per_segment, card=card),
            "summary": summary if summary is not None else graph_summary(G)}


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
    segmented, orgs = set(types_with(G, "segmented")), set(types_with(G, "organisation"))
    base = _root_of_node_view(G)
    inside = _view_node_set(G) if base is not None else None
    n = len(inside) if inside is not None else G.number_of_nodes()  # a view's len() filters every node again
    large = base is not None and n >= LARGE_VIEW
    if large:
        # A large view of a built graph: ranks, fold groups and the edge list come from the whole graph, computed
        # once per graph (it is never changed after it is built) and filtered to the view's nodes.
        edges = [(u, v) for u, v in _graph_cache(base, "edges", lambda: _all_edges(base))
                 if u in inside and v in inside]
        degree = _graph_cache(base, "degree", lambda: _all_degrees(base))
    else:
        base = base or G
        edges = _view_edges(G)
        degree = view_degree(G, edges)
    node_attrs = base._node  # the same attribute dicts, without a view's filter or NodeView on every lookup
    rank = _rank_key(base, degree, rank_by)
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
    ranked_all = _whole_ranking(base, rank_by) if large else None
    if mode == "top":
        if large:
            keep = list(islice((v for v in ranked_all if v in inside), cap))
        else:
            keep = heapq.nsmallest(cap, G.nodes, key=rank)
        return G.subgraph(keep), f"Showing the {cap} {best} of {n} nodes; {n - cap} are hidden."
    if large:
        ranked = [v for v in ranked_all if v in inside]
        group_key = _graph_cache(base, "fold:" + fold_by, dict)  # filled as needed (or by prepare_views), kept
    else:
        ranked = sorted(G.nodes, key=rank)
        group_key = {}
    k = cap // 2
    while True:  # keep half the cap, fewer if the super-nodes need the room (their number grows as k shrinks)
        groups = defaultdict(list)
        for v in ranked[k:]:
            if v not in group_key:
                group_key[v] = _fold_group(base, v, fold_by, segmented, orgs)
            groups[group_key[v]].append(v)
        if k + len(groups) <= cap or k == 0:
            break
        k = max(0, cap - len(groups))
    keep = ranked[:k]
    kept = set(keep)
    H = nx.MultiDiGraph(G.subgraph(keep))
    group_of = {}
    for (kind, value), members in groups.items():
        types = Counter(node_attrs[v].get("type", "?") for v in members)
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
    for u, v in edges:
        a, b = group_of.get(u, u), group_of.get(v, v)
        if a != b and not (a in kept and b in kept):
            links[(a, b)] += 1
    for (a, b), w in links.items():
        H.add_edge(a, b, key="FOLDED", type="FOLDED", method="aggregate", weight=float(w), evidence=[], sources=[])
    by_type = Counter(node_attrs[v].get("type", "?") for v in group_of)
    parts = ", ".join(f"{c} {t}" for t, c in by_type.most_common())
    per = {"segment": "chain segment", "region": "region", "type": "type"}[fold_by]
    return H, f"{n} nodes are more than the display cap of {cap}: showing the {len(keep)} {best} and folding " \
              f"the other {len(group_of)} ({parts}) into {len(groups)} nodes, one per {per}" \
              f"{'' if fold_by == 'type' else ' (or per type where there is none)'}, each with its count."


LARGE_VIEW = 5000  # nodes; above this, cap_view ranks by the whole graph (computed once per graph)


def _rank_key(G: nx.MultiDiGraph, degree: dict, rank_by: str):
    """:func:`cap_view`'s order: by ``degree`` (ties by id), or by mentions, then degree, then id."""
    node_attrs = G._node
    if rank_by == "mentions":
        def rank(v):
            return (-node_attrs[v].get("mentions", 0), -degree[v], str(v))
    else:
        def rank(v):
            return (-degree[v], str(v))
    return rank


def _whole_ranking(G: nx.MultiDiGraph, rank_by: str) -> list:
    """Every node of a built graph in :func:`cap_view`'s order, once per graph."""
    degree = _graph_cache(G, "degree", lambda: _all_degrees(G))
    return _graph_cache(G, "rank:" + rank_by, lambda: sorted(G.nodes, key=_rank_key(G, degree, rank_by)))


def prepare_views(G: nx.MultiDiGraph) -> None:
    """Compute now what a region change reads (:func:`graph.coverage.segment_index`,
    :func:`graph.chainmap.known_rank`), what :func:`cap_view` computes once per large graph on first use (the edge
    list, degrees, both rankings, the segment of every node) and the search index (:func:`graph_name_index`), e.g.
    in a background thread while the first page is read, so that the first region change, network view or search
    does not wait for them. Does nothing for a graph below :data:`LARGE_VIEW` nodes.

    Examples
    --------
    >>> import networkx as nx
    >>> prepare_views(nx.MultiDiGraph())  # small: nothing to prepare
    """
    if G.number_of_nodes() < LARGE_VIEW:
        return
    from .chainmap import known_rank
    from .coverage import segment_index

    segment_index(G)
    known_rank(G)
    # What cap_view reads from the whole graph for a large view (not a drawing: each view state draws its own).
    _graph_cache(G, "edges", lambda: _all_edges(G))
    for rank_by in RANK_BY:
        _whole_ranking(G, rank_by)
    segmented, orgs = set(types_with(G, "segmented")), set(types_with(G, "organisation"))
    group_key = _graph_cache(G, "fold:segment", dict)
    for v in G:
        if v not in group_key:
            group_key[v] = _fold_group(G, v, "segment", segmented, orgs)
    graph_name_index(G)


def graph_name_index(G: nx.MultiDiGraph) -> dict:
    """:func:`name_index` of a graph that no longer changes, computed once per graph (and by :func:`prepare_views`)."""
    return _graph_cache(G, "name_index", lambda: name_index(G))


def _graph_cache(G: nx.MultiDiGraph, name: str, compute):
    """``compute()`` once per graph object and ``name`` (the graph must not change afterwards), in memory only
    (:func:`graph.cache.derived` with ``keep=False``: sessions asking at once wait for one computation)."""
    from .cache import derived

    return derived(G, "view:" + name, compute, keep=False)


def _root_of_node_view(G):
    """The graph a (possibly nested) node-induced subgraph view looks into, or None for anything else."""
    root = G
    while hasattr(root, "_graph"):
        if getattr(root, "_EDGE_OK", None) is not nx.filters.no_filter:
            return None
        root = root._graph
    return root if root is not G else None


def _view_node_set(G) -> set:
    """The nodes of a node-induced subgraph view as a set, without filtering the graph's nodes again when the view
    was made from a set of nodes (``G.subgraph(nodes)`` keeps that set; it holds only nodes of the graph)."""
    shown = getattr(getattr(G, "_NODE_OK", None), "nodes", None)
    if isinstance(shown, (set, frozenset)) and getattr(G, "_graph", None) is not None \
            and getattr(G._graph, "_NODE_OK", None) is None:
        return shown
    return set(G.nodes)


def _all_edges(G: nx.MultiDiGraph) -> list[tuple]:
    """``(u, v)`` of every edge (once per parallel edge), read from the adjacency dicts (no edge view per edge)."""
    return [(u, v) for u, nbrs in G._adj.items() for v, keys in nbrs.items() for _ in range(len(keys))]


def _all_degrees(G: nx.MultiDiGraph) -> dict:
    """``dict(G.degree())`` of a directed multigraph, summed from the adjacency dicts (a self-loop counts twice)."""
    pred = G._pred
    return {n: sum(map(len, nbrs.values())) + sum(map(len, pred[n].values())) for n, nbrs in G._succ.items()}


def _view_edges(G: nx.MultiDiGraph) -> list[tuple]:
    """``(u, v)`` of every edge of ``G``; on a subgraph view, read from the graph underneath (much faster)."""
    root = _root_of_node_view(G)
    if root is None:
        return list(G.edges())
    inside = set(G.nodes)
    return [(u, v) for u, nbrs in root._adj.items() if u in inside
            for v, keys in nbrs.items() if v in inside for _ in keys]


def view_degree(G: nx.MultiDiGraph, edges: list | None = None) -> dict:
    """Degree of every node of ``G`` (a graph or a subgraph view), in one pass over its edges."""
    if edges is None and _root_of_node_view(G) is None:
        return dict(G.degree())
    degree = dict.fromkeys(G.nodes, 0)
    for u, v in (edges if edges is not None else _view_edges(G)):
        degree[u] += 1
        degree[v] += 1
    return degree


def _fold_group(G: nx.MultiDiGraph, node, fold_by: str = "segment", segmented=(), orgs=()) -> tuple[str, str]:
    """Where a node goes when the view folds it: its first chain segment or region, else its type."""
    d = G._node[node]
    if fold_by == "segment":
        segments = d.get("segments") or []
        if segments and d.get("type") in segmented:
            return "segment", segments[0]
    elif fold_by == "region" and d.get("type") in orgs:
        for _, place, e in G.out_edges(node, data=True):
            if e.get("type") == "LOCATED_IN":
                return "region", place
    return "type", d.get("type", "?")


def claim_table(G: nx.MultiDiGraph) -> list[dict]:
    """The claims as people read them: one row per claim of a text, with its value and unit together, and what
    other sources say (their value, date and address) when they dispute it; a dispute that matches no claim of the
    loaded texts is a row of its own. Sources are web addresses only (never a file of this repository).

    Examples
    --------
    >>> from graph import build_graph
    >>> row = next(r for r in claim_table(build_graph()) if r["metric"] == "registered_model_count")
    >>> row["value"], row["disputed"], row["disputes"][0]["value"]
    ('82 models', True, '66 models')
    """
    from .display import format_value
    from .query import claim_rows

    def value_of(d: dict) -> str:
        unit = d.get("unit") or ""
        if d.get("value") is None or (d.get("date") and unit in ("", "date")):
            return str(d.get("date") or "")
        if unit == "year":
            return f"{d['value']:.0f}"
        text = format_value(d.get("value"), unit)
        return text if not unit or unit.startswith("share") or unit in ("year", "date") else f"{text} {unit}"

    def web_source(d: dict) -> str:
        for s in d.get("sources") or []:
            for part in str(s.get("source", "")).split(" ; "):
                if part.startswith(("http://", "https://")):
                    return part
        return ""

    rows, matched = [], set()
    for r in claim_rows(G):
        d = G.nodes[r["id"]]
        if not r["evidence"]:
            continue
        disputes = []
        for u in r["disputed_by"]:
            matched.add(u)
            o = G.nodes[u]
            disputes.append({"id": u, "value": value_of(o), "date": o.get("date") if o.get("value") is not None else "",
                             "statement": o.get("text") or "", "source": web_source(o)})
        rows.append({"id": r["id"], "metric": r["metric"], "value": value_of(d), "qualifier": r["qualifier"] or "",
                     "about": r["subject_names"], "text": r["text"] or "", "sentence": r["sentence_text"] or "",
                     "doc": r["doc"], "source": "", "named": r["reconciliation"] or "", "disputed": bool(disputes),
                     "disputes": disputes})
    for n, d in G.nodes(data=True):
        if d.get("type") in types_with(G, "claim") and not d.get("evidence") and n not in matched:
            subjects = [s for s in (d.get("subject") or "").split(";") if s in G]
            rows.append({"id": n, "metric": d.get("metric"), "value": value_of(d), "qualifier": d.get("qualifier") or "",
                         "about": [G.nodes[s].get("name", s) for s in subjects], "text": d.get("text") or "",
                         "sentence": d.get("text") or "", "doc": None, "source": web_source(d), "named": "",
                         "disputed": False, "disputes": []})
    return rows
