"""Chain coverage: how much of the industry chain a region's organisations cover, against what the texts claim.

``measured_share`` = weight of the segments with at least one organisation located in the region ÷ weight of every
segment of the taxonomy (data/taxonomy.yaml; 1 each unless weights are given). An organisation (a type with the
``organisation`` role) counts for a region when it is located there directly or in a place inside it (a firm in
Zhangjiang counts for Pudong and Shanghai). It covers the segments it is in (IN_SEGMENT), the segments of the
products and datasets it develops, and the segments of the scenes it or its products serve. Which claims state the
share and count the firms, and who counts as a maker or supplier, are analysis choices in data/analysis.yaml.

Two readings are computed side by side:

* ``text``: what the texts support: locations stated by the loaded documents (method ``rule``), segment memberships
  from the curated catalogue and the texts (no roster rows);
* ``all``: everything loaded: texts, catalogue, the bundled roster (unless left out) and added rosters.
"""

from __future__ import annotations

import networkx as nx

from loaders.errors import InputError

from .display import sentence_text
from .model import catalogue_of, types_with
from .places import (UnknownRegion, default_region, firms_in_region, known_regions, orgs_in_region,
                     resolve_region, text_placements)

READINGS = ("text", "all")
_INDEX = "segment_index"  # the name segment_index is kept under (graph.cache.derived)

__all__ = ["chain_coverage", "coverage_diff", "what_if", "firm_segments", "segment_firms", "segment_index",
           "segment_weights", "READINGS", "UnknownRegion", "known_regions", "firms_in_region", "resolve_region",
           "default_region"]


def _segment_parts(G: nx.MultiDiGraph, node, seg_types) -> dict[str, tuple[set, list, list]]:
    """What ``node``'s own out-edges give, per reading: ``(segments, scenes served, products developed)``; the text
    reading reads no roster row. The adjacency dicts are read directly (called once per organisation of a region)."""
    attrs = G._node
    all_, text = (set(), [], []), (set(), [], [])
    for v, keys in G._succ[node].items():
        for d in keys.values():
            t = d["type"]
            if t == "IN_SEGMENT":
                if attrs[v].get("type") not in seg_types:
                    continue
                slot = 0
            elif t == "SERVES_SCENE":
                slot = 1
            elif t == "DEVELOPS":
                slot = 2
            else:
                continue
            for part in (all_,) if d["method"] == "roster" else (all_, text):
                if slot:
                    part[slot].append(v)
                else:
                    part[0].add(v)
    return {"all": all_, "text": text}


def _covered(firm, reading: str, parts) -> set[str]:
    """The segments ``firm`` covers in ``reading``, from ``parts(node)`` (:func:`_segment_parts` of a node): its own,
    those of the scenes it serves, those of what it develops and of the scenes those serve."""
    segs, scenes, developed = parts(firm)[reading]
    out = set(segs)
    for v in scenes:
        out |= parts(v)[reading][0]
    for v in dict.fromkeys(developed):
        if v == firm:
            continue
        product_segs, served, _ = parts(v)[reading]
        out |= product_segs
        for scene in served:
            out |= parts(scene)[reading][0]
    return out


def firm_segments(G: nx.MultiDiGraph, firm: str, reading: str = "all", _seg_types=None) -> set[str]:
    """Segments a firm covers: its own, those of what it develops, those of the scenes it or its products serve."""
    seg_types = _seg_types if _seg_types is not None else set(types_with(G, "segment"))
    return _covered(firm, reading, lambda n: _segment_parts(G, n, seg_types))


def segment_index(G: nx.MultiDiGraph) -> dict[str, dict[str, frozenset]]:
    """Every organisation's :func:`firm_segments` in both readings, ``{reading: {organisation: frozenset}}``, once per
    graph (:func:`graph.cache.derived`; the graph must not change afterwards).

    For a program that scores many regions of one graph (the explorer): once it is made, :func:`chain_coverage` and
    :func:`segment_firms` look a region's firms' segments up instead of reading their edges again. Its cost is the
    whole graph's organisations once, so a one-off score (the CLI) reads the region's firms only. Equal segment sets
    are one object.

    Examples
    --------
    >>> from graph import build_graph
    >>> G = build_graph()
    >>> segment_index(G)["all"]["agibot"] == firm_segments(G, "agibot")
    True
    """
    from .cache import derived

    def compute():
        seg_types, orgs = set(types_with(G, "segment")), set(types_with(G, "organisation"))
        shared: dict[frozenset, frozenset] = {}
        index: dict[str, dict] = {reading: {} for reading in READINGS}
        others: dict = {}  # the parts of scenes and products, which many organisations share: read once

        def parts(n):
            if n not in others:
                others[n] = _segment_parts(G, n, seg_types)
            return others[n]

        for n, t in G.nodes(data="type"):
            if t not in orgs:
                continue
            own = _segment_parts(G, n, seg_types)  # an organisation's edges: read once for both readings
            for reading in READINGS:
                segs = frozenset(_covered(n, reading, lambda m: own if m == n else parts(m)))
                index[reading][n] = shared.setdefault(segs, segs)
        return index

    return derived(G, _INDEX, compute)


def _made_index(G: nx.MultiDiGraph) -> dict | None:
    """:func:`segment_index` when it has been made for ``G`` (by a program that scores many regions), else None."""
    from .cache import made

    return made(G, _INDEX)


def segment_weights(G: nx.MultiDiGraph, weights: dict | None = None) -> dict[str, float]:
    """Weight of every segment: ``weights`` (by segment id, with or without 'segment:') over the taxonomy's."""
    seg_types = set(types_with(G, "segment"))
    out = {n: float(d.get("chain_weight", 1.0)) for n, d in G.nodes(data=True) if d.get("type") in seg_types}
    for k, w in (weights or {}).items():
        sid = k if k in out else f"segment:{k}"
        if sid not in out:
            raise InputError(f"weights name unknown segment {k!r}; valid: "
                             + ", ".join(s.split(":", 1)[1] for s in sorted(out)), field=str(k))
        out[sid] = float(w)
    return out


def claims_about(G: nx.MultiDiGraph, node: str, *metrics: str) -> list[dict] | tuple[list[dict], ...]:
    """Claims extracted from texts (with evidence) of ``metric`` about ``node``, with their sentences; given several
    metrics, one list per metric (the node's edges read once: a region has an edge from each of its firms)."""
    found: dict[str, list[dict]] = {m: [] for m in metrics}
    attrs = G._node
    for u, keys in G._pred[node].items():
        c = attrs[u]
        if c.get("metric") not in found or not c.get("evidence"):
            continue
        for d in keys.values():
            if d["type"] == "ABOUT":
                ev = c["evidence"][0]
                found[c["metric"]].append({
                    "claim": u, "value": c.get("value"), "qualifier": c.get("qualifier"), "text": c.get("text"),
                    "doc": ev["doc"], "sentence": ev["sentence"], "quote": ev["quote"],
                    "sentence_text": sentence_text(G, ev["doc"], ev["sentence"])})
    for out in found.values():
        out.sort(key=lambda r: (r["doc"], r["sentence"]))
    return found[metrics[0]] if len(metrics) == 1 else tuple(found[m] for m in metrics)


def _stated_count(claims: list[dict]) -> dict | None:
    if not claims:
        return None
    c = claims[0]
    return {"value": c["value"], "qualifier": c["qualifier"], "text": c["text"], "doc": c["doc"],
            "sentence": c["sentence"]}


def _reading(G: nx.MultiDiGraph, firms: dict, reading: str, weights: dict[str, float],
             index: dict | None = None) -> dict:
    """One reading: the region's organisations (``firms``, from :func:`firms_in_region` in this reading), who covers
    which segment (looked up in ``index``, :func:`segment_index`, when given), and the shares."""
    if index is not None:
        known = index[reading]
        covers = {f: known[f] for f in firms}
    else:
        seg_types = set(types_with(G, "segment"))
        covers = {f: frozenset(firm_segments(G, f, reading, seg_types)) for f in firms}
    seg_firms = _firms_by_segment(covers, weights)
    total = sum(weights.values())
    covered_w = sum(w for s, w in weights.items() if seg_firms[s])
    conflicted = {f for f, sts in firms.items() if all(st["conflict"] for st in sts)}
    undisputed_w = sum(w for s, w in weights.items() if seg_firms[s] - conflicted)
    return {"firms": firms, "segment_firms": seg_firms, "covers": covers, "share": covered_w / total if total else 0.0,
            "share_without_conflicts": undisputed_w / total if total else 0.0, "conflicted": conflicted}


def _firms_by_segment(covers: dict[str, frozenset], segments) -> dict[str, set[str]]:
    """Segment -> its organisations, for every one of ``segments``, from organisation -> segments (``covers``). The
    organisations with one set of segments are added together (in :func:`segment_index`, equal sets are one object,
    so a region of many firms is a few groups)."""
    groups: dict[frozenset, list[str]] = {}
    for f, segs in covers.items():
        groups.setdefault(segs, []).append(f)
    seg_firms: dict[str, set[str]] = {s: set() for s in segments}
    for segs, members in groups.items():
        for s in segs:
            if s in seg_firms:
                seg_firms[s].update(members)
    return seg_firms


def _stage_orders(G: nx.MultiDiGraph) -> dict[str, dict]:
    """Stage key ('upstream') -> its node's attributes, in chain order."""
    stage_types = set(types_with(G, "stage"))
    stages = sorted(((n, d) for n, d in G.nodes(data=True) if d.get("type") in stage_types),
                    key=lambda kv: kv[1].get("order", 9))
    return {n.split(":", 1)[1]: d for n, d in stages}


def _segment_rows(G: nx.MultiDiGraph, readings: dict, weights: dict[str, float], names: dict,
                  stages: dict) -> list[dict]:
    """One row per segment in chain order: its firms in both readings and whether it is covered."""
    order = {k: d.get("order", 9) for k, d in stages.items()}
    allr, textr = readings["all"], readings["text"]
    rows = []
    for s in sorted(weights, key=lambda s: (order.get(G.nodes[s].get("stage"), 9), s)):
        firms_all = sorted(allr["segment_firms"][s])
        firms_text = sorted(textr["segment_firms"][s])
        rows.append({"segment": s, "name": names[s], "stage": G.nodes[s].get("stage"), "weight": weights[s],
                     "firms": firms_all, "firm_names": [names[f] for f in firms_all],
                     "firms_text_only": firms_text, "covered": bool(firms_all),
                     "covered_text_only": bool(firms_text),
                     "conflicted_firms": sorted(set(firms_all) & allr["conflicted"])})
    return rows


def _by_stage(rows: list[dict], stages: dict) -> dict:
    """Per stage: segments covered, shares in both readings, uncovered and single-firm segments."""
    out = {}
    for key, st in stages.items():
        srows = [r for r in rows if r["stage"] == key]
        tw = sum(r["weight"] for r in srows)
        out[key] = {"name": st.get("name"), "segments_total": len(srows),
                    "segments_covered": sum(r["covered"] for r in srows),
                    "measured_share": sum(r["weight"] for r in srows if r["covered"]) / tw if tw else 0.0,
                    "measured_share_text_only": (sum(r["weight"] for r in srows if r["covered_text_only"]) / tw
                                                 if tw else 0.0),
                    "uncovered": [r["segment"] for r in srows if not r["covered"]],
                    "single_firm": [r["segment"] for r in srows if len(r["firms"]) == 1]}
    return out


def _makers_known(G: nx.MultiDiGraph, covers: dict[str, set[str]], weights: dict[str, float]) -> list[str]:
    """Firms in a maker or supplier segment (data/analysis.yaml ``coverage.makers``); ``covers``: firm -> segments
    (each one of ``weights``)."""
    makers = catalogue_of(G).analysis["coverage"]["makers"]
    stages, segments = set(makers["stages"]), {f"segment:{s}" for s in makers["segments"]}
    maker_segments = {s for s in weights if G.nodes[s].get("stage") in stages or s in segments}
    return sorted(f for f, segs in covers.items() if not maker_segments.isdisjoint(segs))


def _conflicts(G: nx.MultiDiGraph, firms: dict, names: dict) -> list[dict]:
    """Firms counted in the region through a contested placement, with both statements."""
    out = []
    contested = [f for f, statements in firms.items() if any(st["conflict"] for st in statements)]
    for f in sorted(contested):  # few: the node's conflicts are read for these only
        node_conf = G.nodes[f].get("conflicts") or []
        if node_conf:
            out.append({"firm": f, "name": names[f], "statements": node_conf[0]["statements"],
                        "counted_in": sorted({st["place"] for st in firms[f]})})
    return out


def _denominator(weights: dict[str, float], by_stage: dict, custom: bool) -> str:
    stage_counts = ", ".join(f"{v['segments_total']} {k}" for k, v in by_stage.items())
    plain = not custom and set(weights.values()) <= {1.0}
    return (f"{len(weights)} segments of the chain taxonomy in data/taxonomy.yaml ({stage_counts}); "
            + ("each weighs 1" if plain else
               "weighted: " + ", ".join(f"{k.split(':', 1)[1]}={v:g}" for k, v in weights.items())))


def _taxonomy_weights(G: nx.MultiDiGraph) -> dict:
    """The taxonomy's segment weights (no weights given), once per graph."""
    from .cache import derived

    return derived(G, "segment_weights", lambda: segment_weights(G))


def segment_firms(G: nx.MultiDiGraph, region: str | None = None) -> dict:
    """A region's organisations by segment in the ``all`` reading, without the rest of the scorecard: what the chain
    map draws (:func:`graph.chainmap.chain_map`), read the same way as :func:`chain_coverage`'s rows, so the two agree.

    Returns
    -------
    dict
        ``region``, ``region_name``, ``segments_total``, ``segments_covered`` and ``segment_firms`` (segment id ->
        set of organisation ids, every segment of the taxonomy).

    Examples
    --------
    >>> from graph import build_graph
    >>> G = build_graph()
    >>> found = segment_firms(G, "zhangjiang")
    >>> card = chain_coverage(G, "zhangjiang")
    >>> all(sorted(found["segment_firms"][r["segment"]]) == r["firms"] for r in card["segments"])
    True
    """
    rid = resolve_region(G, region) if region else default_region(G)
    index = _made_index(G)
    if index is not None:  # the region's firm ids only, their segments looked up
        w = _taxonomy_weights(G)
        known = index["all"]
        firms = _firms_by_segment({f: known[f] for f in orgs_in_region(G, rid)}, w)
    else:
        w = segment_weights(G)
        firms = _reading(G, firms_in_region(G, rid), "all", w)["segment_firms"]
    return {"region": rid, "region_name": G.nodes[rid].get("name", rid), "segments_total": len(w),
            "segments_covered": sum(1 for s in w if firms[s]), "segment_firms": firms}


def chain_coverage(G: nx.MultiDiGraph, region: str | None = None, weights: dict | None = None) -> dict:
    """Score a region's chain coverage against the share the texts state.

    Once :func:`segment_index` has been made for ``G`` (by a program that scores many regions: the explorer), the
    firms' segments are looked up in it instead of read from their edges; same result.

    Parameters
    ----------
    G : MultiDiGraph
        A graph from :func:`graph.build_graph`.
    region : str, optional
        Region or cluster id, or any of its names in any language; by default the analysis default
        (:func:`graph.places.default_region`).
    weights : dict, optional
        Segment id -> weight, over the taxonomy's weights (1 each by default).

    Returns
    -------
    dict
        ``region``, ``stated_share`` (None when no text states one), ``measured_share`` and
        ``measured_share_text_only``, ``segments_total``, ``segments_covered``, ``covered``, ``uncovered``,
        ``single_firm``, ``segments`` (per-segment rows), ``by_stage``, ``firms_stated``, ``firms_known``,
        ``makers_suppliers_stated``, ``makers_suppliers_known``, ``gap_pp``, ``conflicts``, ``evidence``,
        ``denominator``, ``readings`` and ``note``.

    Examples
    --------
    >>> from graph import build_graph
    >>> card = chain_coverage(build_graph(), "張江")
    >>> card["region"], card["stated_share"]
    ('zhangjiang', 0.6)
    """
    rid = resolve_region(G, region) if region else default_region(G)
    metrics = catalogue_of(G).analysis["coverage"]
    makers = metrics["makers"]
    index = _made_index(G)
    if index is not None:  # a program that scores many regions: what the taxonomy gives every region, once per graph
        from .cache import derived

        w = segment_weights(G, weights) if weights else _taxonomy_weights(G)
        stages = derived(G, "stage_orders", lambda: _stage_orders(G))
    else:
        w, stages = segment_weights(G, weights), _stage_orders(G)
    located = firms_in_region(G, rid)  # one walk of the region for both readings
    readings = {"all": _reading(G, located, "all", w, index),
                "text": _reading(G, text_placements(located), "text", w, index)}
    allr = readings["all"]
    attrs = G._node  # names of the region, the segments and the region's firms only, not of the whole graph
    names = {n: attrs[n].get("name", n) for n in (rid, *w, *allr["firms"])}
    stated, firm_claims, maker_claims = claims_about(G, rid, metrics["stated_share_metric"],
                                                     metrics["firm_count_metric"], metrics["makers_count_metric"])
    rows = _segment_rows(G, readings, w, names, stages)
    by_stage = _by_stage(rows, stages)
    stated_share = stated[0]["value"] if stated else None
    measured = allr["share"]
    note = ""
    if not allr["firms"]:
        note = f"No firm is located in {names[rid]} in this graph: measured coverage is 0."
    elif stated_share is None:
        note = f"No loaded text states a chain share for {names[rid]}."
    return {
        "region": rid,
        "region_name": names[rid],
        "stated_share": stated_share,
        "stated": stated,
        "measured_share": measured,
        "measured_share_text_only": readings["text"]["share"],
        "measured_share_without_conflicts": allr["share_without_conflicts"],
        "gap_pp": None if stated_share is None else round((stated_share - measured) * 100, 1),
        "segments_total": len(w),
        "segments_covered": sum(r["covered"] for r in rows),
        "segments_covered_text_only": sum(r["covered_text_only"] for r in rows),
        "covered": [r["segment"] for r in rows if r["covered"]],
        "uncovered": [r["segment"] for r in rows if not r["covered"]],
        "single_firm": [r["segment"] for r in rows if len(r["firms"]) == 1],
        "segments": rows,
        "by_stage": by_stage,
        "firms_stated": _stated_count(firm_claims),
        "firms_known": len(allr["firms"]),
        "firms_known_text_only": len(readings["text"]["firms"]),
        "firms": sorted(allr["firms"]),
        "makers_suppliers_stated": _stated_count(maker_claims),
        "makers_suppliers_known": len(_makers_known(G, allr["covers"], w)),
        "conflicts": _conflicts(G, allr["firms"], names),
        "evidence": stated + firm_claims + maker_claims,
        "denominator": _denominator(w, by_stage, bool(weights)),
        "readings": {
            "stated_share": f"the text's own claim ({metrics['stated_share_metric']} about the region)",
            "measured_share": "all: texts, catalogue, bundled roster unless --no-bundled, added rosters",
            "measured_share_text_only": "text: locations stated by the loaded documents; segments from the catalogue "
                                        "and the texts, no roster rows",
            "measured_share_without_conflicts": "all, counting no firm whose every placement here is contested",
            "firms_known": "all",
            "makers_suppliers_known": "all (firms in the stages {} or segments {} of data/analysis.yaml)".format(
                ", ".join(makers["stages"]) or "—", ", ".join(makers["segments"]) or "—"),
        },
        "note": note,
    }


def coverage_diff(before: dict, after: dict) -> dict:
    """What an added roster changed: share delta and which added firms closed which segments.

    Examples
    --------
    >>> coverage_diff({"measured_share": 0.5, "segments": [{"segment": "s", "firms": []}]},
    ...               {"measured_share": 0.6, "segments": [{"segment": "s", "firms": ["x"], "firm_names": ["X"]}]})
    {'measured_share_before': 0.5, 'measured_share_after': 0.6, 'delta': 0.09999999999999998, 'closed': [{'segment': 's', 'firms': ['x'], 'firm_names': ['X']}], 'added_to_covered': []}
    """
    old = {r["segment"]: set(r["firms"]) for r in before["segments"]}
    closed, added = [], []
    for r in after["segments"]:
        prev = old.get(r["segment"], set())
        new = [f for f in r["firms"] if f not in prev]
        if not new:
            continue
        names = [n for f, n in zip(r["firms"], r.get("firm_names", r["firms"])) if f in new]
        entry = {"segment": r["segment"], "firms": new, "firm_names": names}
        (added if prev else closed).append(entry)
    return {"measured_share_before": before["measured_share"], "measured_share_after": after["measured_share"],
            "delta": after["measured_share"] - before["measured_share"], "closed": closed, "added_to_covered": added}


def what_if(base: nx.MultiDiGraph, extended: nx.MultiDiGraph, region: str | None = None,
            weights: dict | None = None) -> dict:
    """Coverage of ``region`` in ``base`` and in ``extended`` (the same inputs plus rosters), and what changed.

    The one what-if of the project: the CLI's ``coverage --roster`` and the app's roster upload both call it.

    Returns
    -------
    dict
        ``before`` and ``after`` scorecards (:func:`chain_coverage`) and their ``diff`` (:func:`coverage_diff`).
    """
    rid = resolve_region(base, region) if region else default_region(base)
    before = chain_coverage(base, rid, weights)
    after = chain_coverage(extended, rid, weights)
    return {"before": before, "after": after, "diff": coverage_diff(before, after)}
